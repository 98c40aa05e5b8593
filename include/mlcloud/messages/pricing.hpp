//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_PRICING_HPP
#define MLCLOUD_MESSAGES_PRICING_HPP

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud {
namespace messages {

/// How a provider turns running time into billed time: a whole number of `increment`s, and
/// never less than `minimum` per launch.
struct billing_rule
{
    std::chrono::seconds increment{1};
    std::chrono::seconds minimum{0};

    friend bool operator==(billing_rule const&, billing_rule const&) = default;
};

/// RunPod pods and serverless workers: per second, no minimum.
inline constexpr billing_rule per_second_billing{};
/// EC2 Linux instances: per second with a 60 s minimum.
inline constexpr billing_rule ec2_billing{std::chrono::seconds(1), std::chrono::seconds(60)};

/// How sure we are of a price (the [H]/[M]/[L] tags of the reference notes).
enum class confidence
{
    high,   ///< the provider's own price list
    medium, ///< the provider's API or page, seen through a third party
    low,    ///< one third-party source, or remembered rather than re-read
};

MLCLOUD_DECL std::string_view to_string(confidence c) noexcept;

/// One rentable GPU machine and its price. RunPod rows are one GPU (a pod of N GPUs costs N
/// times the row); AWS rows are one instance with all its GPUs.
struct gpu_offer
{
    std::string provider;     ///< "runpod", "aws"
    std::string id;           ///< the provider's exact id: "NVIDIA RTX A5000", "g5.xlarge"
    std::string display_name; ///< "RTX A5000", "g5.xlarge (A10G)"
    std::string gpu;          ///< the GPU model: "RTX A5000", "NVIDIA A10G"
    int gpu_count = 1;
    int vram_gb = 0;          ///< per GPU
    double on_demand_usd_per_hour = 0.0; ///< RunPod: secure cloud
    std::optional<double> spot_usd_per_hour; ///< RunPod: community cloud; AWS: not tabled (varies)
    billing_rule billing{};
    std::string serverless_pool; ///< RunPod serverless pool of this GPU ("AMPERE_24"), if any
    std::string source;          ///< where the price comes from
    std::string as_of;           ///< ISO date of the price
    std::string note;            ///< caveats, shown in the pricing table
    messages::confidence confidence = messages::confidence::medium;
    bool offered = true; ///< false: kept for reference (e.g. the original bot's prices), not offered

    /// vram_gb x gpu_count (a pricing file keeps both small; rows built in code that are not
    /// saturate at the largest int instead of overflowing).
    int total_vram_gb() const noexcept
    {
        auto const total = static_cast<long long>(vram_gb) * gpu_count;
        return total > std::numeric_limits<int>::max() ? std::numeric_limits<int>::max() : static_cast<int>(total);
    }

    /// The hourly price in market `m`; spot falls back to on-demand when no spot price is known.
    double usd_per_hour(market m) const noexcept
    {
        return m == market::spot && spot_usd_per_hour ? *spot_usd_per_hour : on_demand_usd_per_hour;
    }
};

/// The per-second price of a RunPod serverless GPU pool.
struct serverless_rate
{
    std::string pool;  ///< "AMPERE_24"
    std::string gpus;  ///< "L4, RTX A5000, RTX 3090"
    int vram_gb = 0;
    double flex_usd_per_second = 0.0;                  ///< workers that scale to zero
    std::optional<double> active_usd_per_second;       ///< always-on workers, when tabled
    std::string source;
    std::string as_of;
};

/// Lowest and highest on-demand hourly price among a provider's offered rows.
struct price_range
{
    double low = 0.0;
    double high = 0.0;
};

/// The GPU price table: the built-in rows (see docs/pricing.md for sources), optionally
/// overridden or extended by a JSON file at run time.
class pricing_table
{
public:
    pricing_table() = default;
    explicit pricing_table(std::vector<gpu_offer> rows, std::vector<serverless_rate> serverless = {})
        : rows_(std::move(rows)), serverless_(std::move(serverless))
    {
    }

    /// The table compiled into the library.
    MLCLOUD_DECL static pricing_table builtin();

    /// The built-in table with the override file at `path` applied (see apply_overrides).
    /// A file that cannot be read gives errc::io_error; a malformed one errc::invalid_argument.
    MLCLOUD_DECL static result<pricing_table> load(std::string const& path);

    /// The row for a provider's id: an offered one if there is one, else a reference row.
    MLCLOUD_DECL gpu_offer const* find(std::string_view provider, std::string_view id) const noexcept;

    /// The offered rows of one provider (all providers when empty), in table order.
    MLCLOUD_DECL std::vector<gpu_offer const*> offers(std::string_view provider = {}) const;

    /// Lowest and highest on-demand price of the provider's offered rows; nullopt without any.
    MLCLOUD_DECL std::optional<price_range> range(std::string_view provider) const;

    MLCLOUD_DECL serverless_rate const* find_serverless(std::string_view pool) const noexcept;

    std::vector<gpu_offer> const& rows() const noexcept { return rows_; }
    std::vector<serverless_rate> const& serverless_rates() const noexcept { return serverless_; }

    /// Adds `row`, or replaces the row with the same provider, id and `offered` flag.
    MLCLOUD_DECL void upsert(gpu_offer row);
    /// Adds `rate`, or replaces the rate of the same pool.
    MLCLOUD_DECL void upsert(serverless_rate rate);
    /// Removes every row of that provider and id; returns how many.
    MLCLOUD_DECL std::size_t remove(std::string_view provider, std::string_view id);

    /// Applies a JSON override document (format in docs/pricing.md): "rows" are merged into
    /// matching rows field by field or added, "serverless" likewise by pool, "remove" drops
    /// rows. Nothing changes unless the whole document is valid; an error names the entry and
    /// the field, prefixed by `origin` (e.g. the file name).
    MLCLOUD_DECL result<void> apply_overrides(std::string_view json_text, std::string_view origin = "pricing override");

private:
    std::vector<gpu_offer> rows_;
    std::vector<serverless_rate> serverless_;
};

} // namespace messages
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/messages/impl/pricing.ipp>
#endif

#endif
