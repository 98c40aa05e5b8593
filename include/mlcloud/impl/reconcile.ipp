//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_IMPL_RECONCILE_IPP
#define MLCLOUD_IMPL_RECONCILE_IPP

#include <mlcloud/reconcile.hpp>

namespace mlcloud {

MLCLOUD_DECL std::size_t reconcile_report::orphans_left() const noexcept
{
    std::size_t n = 0;
    for (auto const& o : orphans)
        n += o.terminated ? 0 : 1;
    return n;
}

namespace detail {

MLCLOUD_DECL bool is_young(job_handle const& h, std::chrono::seconds min_age,
                           std::chrono::system_clock::time_point now) noexcept
{
    // An unknown launch time (epoch) counts as old: a machine nobody can date is better
    // reported than hidden.
    // Compared in seconds: a min_age of centuries would overflow the clock's nanoseconds and
    // make every machine old.
    return min_age.count() > 0 && h.launched_at.time_since_epoch().count() != 0 &&
           std::chrono::duration_cast<std::chrono::seconds>(now - h.launched_at) < min_age;
}

MLCLOUD_DECL void add_cost(cost& sum, cost const& c) noexcept
{
    sum.usd += c.usd;
    sum.billed += c.billed;
    sum.known = sum.known && c.known; // one machine nobody can price leaves only a lower bound
}

} // namespace detail
} // namespace mlcloud

#endif
