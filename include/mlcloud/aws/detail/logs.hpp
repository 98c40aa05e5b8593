//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_LOGS_HPP
#define MLCLOUD_AWS_DETAIL_LOGS_HPP

// CloudWatch Logs (JSON 1.1) request bodies and answers: pure functions.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlcloud::aws::detail {

inline constexpr std::string_view logs_target_prefix = "Logs_20140328.";

/// GetLogEvents from the head of the stream, continuing at `next_token` when not empty.
MLCLOUD_DECL std::string get_log_events_body(std::string_view group, std::string_view stream,
                                             std::string_view next_token, int limit);

struct log_events_page
{
    std::vector<std::string> messages;
    std::string next_forward_token;
};
MLCLOUD_DECL result<log_events_page> parse_log_events(std::string_view json);

/// GetLogEvents of the newest `limit` events (startFromHead false), for the completion check.
MLCLOUD_DECL std::string get_last_log_events_body(std::string_view group, std::string_view stream, int limit);

/// PutLogEvents with (Unix milliseconds, message) events in time order.
MLCLOUD_DECL std::string put_log_events_body(std::string_view group, std::string_view stream,
                                             std::vector<std::pair<std::int64_t, std::string>> const& events);

/// {"logGroupName": group} (CreateLogGroup) and {"logGroupName", "logStreamName"} (CreateLogStream).
MLCLOUD_DECL std::string log_group_body(std::string_view group);
MLCLOUD_DECL std::string log_stream_body(std::string_view group, std::string_view stream);

/// DescribeLogGroups by name prefix; and whether its answer lists exactly `group`.
MLCLOUD_DECL std::string describe_log_groups_body(std::string_view prefix);
MLCLOUD_DECL result<bool> log_groups_contain(std::string_view json, std::string_view group);

/// The lines of one log event: split at line breaks, a trailing break dropped ("\r\n" too).
MLCLOUD_DECL void append_event_lines(std::string_view message, std::vector<std::string>& lines);

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/logs.ipp>
#endif

#endif
