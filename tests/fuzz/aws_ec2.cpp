//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// EC2's XML answers (RunInstances, DescribeInstances, TerminateInstances) and what the
// training provider concludes from each instance they describe.

#include "fuzz.hpp"

#include <mlcloud/aws/detail/ec2.hpp>

#include <chrono>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace mlcloud::aws::detail;
    std::string_view const body(reinterpret_cast<char const*>(data), size);
    auto page = parse_instances(body, "DescribeInstances");
    if (!page)
    {
        mlcloud_fuzz::check(page.error().is(mlcloud::errc::protocol_error), "a bad EC2 answer is a protocol_error");
        return 0;
    }
    auto const now = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 56));
    for (auto const& instance : page->instances)
    {
        auto verdict = judge_instance(instance, now);
        (void)verdict;
        (void)is_instance_id(instance.id);
        (void)is_stopped_state(instance.state);
    }
    return 0;
}
