//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// CloudWatch Logs' JSON answers: GetLogEvents (and the lines of each event, as read_logs
// splits them) and DescribeLogGroups.

#include "fuzz.hpp"

#include <mlcloud/aws/detail/logs.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace mlcloud::aws::detail;
    std::string_view const body(reinterpret_cast<char const*>(data), size);
    if (auto page = parse_log_events(body))
    {
        std::vector<std::string> lines;
        for (auto const& message : page->messages)
            append_event_lines(message, lines);
        for (auto const& line : lines)
            mlcloud_fuzz::check(line.find('\n') == std::string::npos, "a log line holds no line break");
    }
    else
        mlcloud_fuzz::check(page.error().is(mlcloud::errc::protocol_error), "a bad GetLogEvents answer is a protocol_error");
    (void)log_groups_contain(body, "/mlcloud/jobs");
    return 0;
}
