//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_LOGS_IPP
#define MLCLOUD_AWS_IMPL_LOGS_IPP

#include <mlcloud/aws/detail/logs.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace mlcloud::aws::detail {

MLCLOUD_DECL std::string get_log_events_body(std::string_view group, std::string_view stream,
                                             std::string_view next_token, int limit)
{
    boost::json::object o;
    o["logGroupName"] = group;
    o["logStreamName"] = stream;
    o["startFromHead"] = true;
    if (!next_token.empty())
        o["nextToken"] = next_token;
    if (limit > 0)
        o["limit"] = limit;
    return boost::json::serialize(o);
}

MLCLOUD_DECL std::string get_last_log_events_body(std::string_view group, std::string_view stream, int limit)
{
    boost::json::object o;
    o["logGroupName"] = group;
    o["logStreamName"] = stream;
    o["startFromHead"] = false;
    o["limit"] = limit;
    return boost::json::serialize(o);
}

MLCLOUD_DECL result<log_events_page> parse_log_events(std::string_view json)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_object())
        return error(errc::protocol_error, "GetLogEvents: the answer is not a JSON object");
    auto const& o = v.get_object();
    log_events_page page;
    if (auto const* t = o.if_contains("nextForwardToken"); t && t->is_string())
        page.next_forward_token = std::string(t->get_string());
    if (auto const* events = o.if_contains("events"); events && events->is_array())
    {
        for (auto const& e : events->get_array())
        {
            auto const* m = e.is_object() ? e.get_object().if_contains("message") : nullptr;
            if (!m || !m->is_string())
                return error(errc::protocol_error, "GetLogEvents: an event without a message");
            page.messages.emplace_back(m->get_string());
        }
    }
    return page;
}

MLCLOUD_DECL std::string put_log_events_body(std::string_view group, std::string_view stream,
                                             std::vector<std::pair<std::int64_t, std::string>> const& events)
{
    boost::json::object o;
    o["logGroupName"] = group;
    o["logStreamName"] = stream;
    boost::json::array a;
    for (auto const& [ts, message] : events)
        a.push_back(boost::json::object{{"timestamp", ts}, {"message", message}});
    o["logEvents"] = std::move(a);
    return boost::json::serialize(o);
}

MLCLOUD_DECL std::string log_group_body(std::string_view group)
{
    return boost::json::serialize(boost::json::object{{"logGroupName", group}});
}

MLCLOUD_DECL std::string log_stream_body(std::string_view group, std::string_view stream)
{
    return boost::json::serialize(boost::json::object{{"logGroupName", group}, {"logStreamName", stream}});
}

MLCLOUD_DECL std::string describe_log_groups_body(std::string_view prefix)
{
    return boost::json::serialize(boost::json::object{{"logGroupNamePrefix", prefix}, {"limit", 50}});
}

MLCLOUD_DECL result<bool> log_groups_contain(std::string_view json, std::string_view group)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_object())
        return error(errc::protocol_error, "DescribeLogGroups: the answer is not a JSON object");
    if (auto const* groups = v.get_object().if_contains("logGroups"); groups && groups->is_array())
        for (auto const& g : groups->get_array())
            if (auto const* n = g.is_object() ? g.get_object().if_contains("logGroupName") : nullptr;
                n && n->is_string() && n->get_string() == group)
                return true;
    return false;
}

MLCLOUD_DECL void append_event_lines(std::string_view message, std::vector<std::string>& lines)
{
    if (message.ends_with("\n"))
        message.remove_suffix(1);
    if (message.ends_with("\r"))
        message.remove_suffix(1);
    for (;;)
    {
        auto nl = message.find('\n');
        auto line = message.substr(0, nl);
        if (line.ends_with("\r"))
            line.remove_suffix(1);
        lines.emplace_back(line);
        if (nl == std::string_view::npos)
            break;
        message.remove_prefix(nl + 1);
    }
}

} // namespace mlcloud::aws::detail

#endif
