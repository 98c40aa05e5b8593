//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CAPABILITIES_HPP
#define MLCLOUD_CAPABILITIES_HPP

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace mlcloud {

/// What a provider can do beyond the required operations. Each provider type declares a
/// `static constexpr capability_set capabilities`; generic code branches on it with
/// `if constexpr`, and the narrower concepts in concepts.hpp require the extra members.
enum class capability : std::uint8_t
{
    on_demand,         ///< can launch on-demand machines
    spot,              ///< can launch spot / interruptible machines
    log_stream,        ///< logs are pushed (SSE, streaming), not only polled
    idempotent_launch, ///< the provider itself enforces the idempotency key (AWS ClientToken)
    self_terminating,  ///< the machine stops billing by itself when the workload ends
    presign,           ///< storage can hand out presigned URLs
    multipart,         ///< storage splits large uploads into parts
    range_read,        ///< storage can resume a download from an offset
    cost_report,       ///< status and terminate report the cost so far
    gpu_catalog,       ///< live GPU prices and availability can be read at run time
    count_             ///< not a capability: the number of them
};

constexpr std::string_view to_string(capability c) noexcept
{
    switch (c)
    {
    case capability::on_demand:         return "on_demand";
    case capability::spot:              return "spot";
    case capability::log_stream:        return "log_stream";
    case capability::idempotent_launch: return "idempotent_launch";
    case capability::self_terminating:  return "self_terminating";
    case capability::presign:           return "presign";
    case capability::multipart:         return "multipart";
    case capability::range_read:        return "range_read";
    case capability::cost_report:       return "cost_report";
    case capability::gpu_catalog:       return "gpu_catalog";
    case capability::count_:            break;
    }
    return "unknown";
}

/// A compile-time set of capabilities.
class capability_set
{
public:
    constexpr capability_set() noexcept = default;
    constexpr capability_set(std::initializer_list<capability> caps) noexcept
    {
        for (auto c : caps)
            bits_ |= bit(c);
    }

    constexpr bool contains(capability c) const noexcept { return (bits_ & bit(c)) != 0; }
    constexpr bool empty() const noexcept { return bits_ == 0; }

    constexpr capability_set operator|(capability_set o) const noexcept { return from_bits(bits_ | o.bits_); }
    constexpr capability_set operator&(capability_set o) const noexcept { return from_bits(bits_ & o.bits_); }
    friend constexpr bool operator==(capability_set, capability_set) = default;

private:
    static constexpr std::uint32_t bit(capability c) noexcept { return 1u << static_cast<unsigned>(c); }
    static constexpr capability_set from_bits(std::uint32_t b) noexcept
    {
        capability_set s;
        s.bits_ = b;
        return s;
    }
    std::uint32_t bits_ = 0;
};

} // namespace mlcloud

#endif
