//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_EC2_IPP
#define MLCLOUD_AWS_IMPL_EC2_IPP

#include <mlcloud/aws/detail/ec2.hpp>
#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/aws/detail/xml.hpp>
#include <mlcloud/auth/detail/crypto.hpp>

#include <array>
#include <charconv>
#include <cstdio>

namespace mlcloud::aws::detail {
namespace ec2_impl {

inline std::string format_price(double usd)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", usd);
    return buf;
}

inline std::optional<long long> to_ll(std::string_view s)
{
    long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

inline void add_tags(net::query_params& q, int spec, std::string_view resource,
                     std::map<std::string, std::string> const& tags)
{
    std::string const prefix = "TagSpecification." + std::to_string(spec) + ".";
    q.emplace_back(prefix + "ResourceType", std::string(resource));
    int n = 0;
    for (auto const& [k, v] : tags)
    {
        ++n;
        q.emplace_back(prefix + "Tag." + std::to_string(n) + ".Key", k);
        q.emplace_back(prefix + "Tag." + std::to_string(n) + ".Value", v);
    }
}

inline ec2_instance parse_instance(xml::tree const& item)
{
    ec2_instance i;
    i.id = xml::text(item, "instanceId");
    i.type = xml::text(item, "instanceType");
    // RunInstances and DescribeInstances say instanceState; TerminateInstances currentState.
    xml::tree const* st = xml::child(item, "instanceState");
    if (!st)
        st = xml::child(item, "currentState");
    if (st)
    {
        i.state = xml::text(*st, "name");
        if (auto c = to_ll(xml::text(*st, "code")))
            i.state_code = static_cast<int>(*c & 0xFF);
    }
    if (auto const* reason = xml::child(item, "stateReason"))
    {
        i.state_reason_code = xml::text(*reason, "code");
        i.state_reason_message = xml::text(*reason, "message");
    }
    i.state_transition_reason = xml::text(item, "reason");
    i.lifecycle = xml::text(item, "instanceLifecycle");
    i.client_token = xml::text(item, "clientToken");
    i.launch_time = parse_iso8601(xml::text(item, "launchTime"));
    if (auto const* tags = xml::child(item, "tagSet"))
        xml::for_each(*tags, "item", [&](xml::tree const& t) { i.tags[xml::text(t, "key")] = xml::text(t, "value"); });
    return i;
}

inline std::string tag_or(ec2_instance const& i, std::string_view key, std::string fallback = {})
{
    auto it = i.tags.find(std::string(key));
    return it == i.tags.end() ? std::move(fallback) : it->second;
}

} // namespace ec2_impl

MLCLOUD_DECL net::query_params run_instances_params(run_instances_input const& in)
{
    net::query_params q;
    q.emplace_back("ImageId", in.image_id);
    q.emplace_back("InstanceType", in.instance_type);
    q.emplace_back("MinCount", "1");
    q.emplace_back("MaxCount", "1");
    q.emplace_back("ClientToken", in.client_token);
    q.emplace_back("UserData", base64_encode(in.user_data));
    // The bootstrap powers the machine off when the job ends; terminate (not stop) so that
    // nothing, not even the volume, keeps billing.
    q.emplace_back("InstanceInitiatedShutdownBehavior", "terminate");
    // IMDSv2 only; hop limit 2 so the workload's container can reach it too.
    q.emplace_back("MetadataOptions.HttpTokens", "required");
    q.emplace_back("MetadataOptions.HttpPutResponseHopLimit", "2");
    q.emplace_back("MetadataOptions.HttpEndpoint", "enabled");
    q.emplace_back("MetadataOptions.InstanceMetadataTags", "enabled");
    if (in.spot)
    {
        q.emplace_back("InstanceMarketOptions.MarketType", "spot");
        q.emplace_back("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time");
        q.emplace_back("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate");
        if (in.spot_max_price)
            q.emplace_back("InstanceMarketOptions.SpotOptions.MaxPrice", ec2_impl::format_price(*in.spot_max_price));
    }
    if (!in.subnet_id.empty())
        q.emplace_back("SubnetId", in.subnet_id);
    for (std::size_t i = 0; i < in.security_group_ids.size(); ++i)
        q.emplace_back("SecurityGroupId." + std::to_string(i + 1), in.security_group_ids[i]);
    if (!in.instance_profile.empty())
        q.emplace_back(in.instance_profile.starts_with("arn:") ? "IamInstanceProfile.Arn" : "IamInstanceProfile.Name",
                       in.instance_profile);
    if (!in.key_name.empty())
        q.emplace_back("KeyName", in.key_name);
    if (in.root_volume_gb > 0)
    {
        q.emplace_back("BlockDeviceMapping.1.DeviceName", in.root_device_name);
        q.emplace_back("BlockDeviceMapping.1.Ebs.VolumeSize", std::to_string(in.root_volume_gb));
        q.emplace_back("BlockDeviceMapping.1.Ebs.VolumeType", "gp3");
        q.emplace_back("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true");
    }
    if (!in.tags.empty())
    {
        ec2_impl::add_tags(q, 1, "instance", in.tags);
        ec2_impl::add_tags(q, 2, "volume", in.tags);
    }
    return q;
}

MLCLOUD_DECL result<instances_page> parse_instances(std::string_view body, std::string_view operation)
{
    auto doc = xml::parse(body, operation);
    if (!doc)
        return doc.error();
    if (doc->empty())
        return error(errc::protocol_error, std::string(operation) + ": empty answer");
    auto const& root = doc->front().second;
    instances_page page;
    page.next_token = xml::text(root, "nextToken");
    auto collect = [&](xml::tree const& holder) {
        if (auto const* set = xml::child(holder, "instancesSet"))
            xml::for_each(*set, "item", [&](xml::tree const& item) { page.instances.push_back(ec2_impl::parse_instance(item)); });
    };
    if (auto const* reservations = xml::child(root, "reservationSet"))
        xml::for_each(*reservations, "item", collect); // DescribeInstances
    else
        collect(root); // RunInstances, TerminateInstances
    return page;
}

MLCLOUD_DECL std::string client_token(std::string_view idempotency_key, std::string_view instance_type, bool spot)
{
    std::string material;
    material.append(idempotency_key).append("\n").append(instance_type).append("\n").append(spot ? "spot" : "on_demand");
    auto digest = auth::detail::to_hex(auth::detail::sha256(material));
    return "mlcloud-" + digest.substr(0, 48);
}

MLCLOUD_DECL bool is_instance_id(std::string_view id) noexcept
{
    if (!id.starts_with("i-"))
        return false;
    auto hex = id.substr(2);
    if (hex.size() != 8 && hex.size() != 17)
        return false;
    for (char c : hex)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

MLCLOUD_DECL bool is_stopped_state(std::string_view state) noexcept
{
    return state == "shutting-down" || state == "terminated" || state == "stopping" || state == "stopped";
}

MLCLOUD_DECL instance_verdict judge_instance(ec2_instance const& i, std::chrono::system_clock::time_point now)
{
    using namespace std::chrono;
    instance_verdict v;
    auto& s = v.status;
    s.detail = i.state.empty() ? "unknown" : i.state;
    if (!i.state_reason_code.empty())
        s.detail += " (" + i.state_reason_code + ")";

    // A finished-at tag beyond what system_clock counts (about 1678-2262) is no time.
    if (auto finished = ec2_impl::to_ll(ec2_impl::tag_or(i, tag_finished_at));
        finished && *finished >= -9'000'000'000LL && *finished <= 9'000'000'000LL)
        v.ended_at = system_clock::time_point(seconds(*finished));
    if (is_stopped_state(i.state) && !v.ended_at)
        v.ended_at = parse_transition_time(i.state_transition_reason);

    std::string_view const reason = i.state_reason_code;
    bool const reclaimed = reason.starts_with("Server.Spot");
    bool const stopped_by_user = reason == "Client.UserInitiatedShutdown" || reason == "Client.UserInitiatedHibernate";

    // The job's own verdict, tagged by the instance before it powered off, wins; except a
    // `failed` that the bootstrap's TERM trap wrote while AWS or a user shut the instance
    // down (no exit code yet, or a signal's): that is the shutdown's, not the job's.
    auto const result = ec2_impl::tag_or(i, tag_result);
    if (auto code = ec2_impl::to_ll(ec2_impl::tag_or(i, tag_exit_code)))
        s.exit_code = static_cast<int>(*code);
    bool const killed = !s.exit_code || *s.exit_code == -1 || *s.exit_code == 137 || *s.exit_code == 143;
    bool const shut_down_from_outside = is_stopped_state(i.state) && (reclaimed || stopped_by_user);
    if (result == "succeeded" || result == "timed_out" ||
        (result == "failed" && !(killed && shut_down_from_outside)))
    {
        s.state = result == "succeeded" ? job_state::succeeded
                  : result == "failed"  ? job_state::failed
                                        : job_state::timed_out;
        s.detail += "; the job reported " + result;
        if (s.exit_code)
            s.detail += " (exit " + std::to_string(*s.exit_code) + ")";
        return v;
    }

    if (i.state == "pending")
    {
        s.state = job_state::provisioning;
        return v;
    }
    if (i.state == "running")
    {
        s.state = job_state::running;
        return v;
    }
    if (!is_stopped_state(i.state))
    {
        s.state = job_state::unknown;
        return v;
    }

    if (reclaimed)
    {
        s.state = job_state::preempted;
        s.detail += ": AWS reclaimed the spot instance";
        return v;
    }
    if (stopped_by_user)
    {
        s.state = job_state::cancelled;
        return v;
    }
    if (reason == "Client.InstanceInitiatedShutdown" || reason.empty())
    {
        // Powered off by the bootstrap (or its watchdog) without a result tag: a timeout when
        // the job ran out its time, else the log's completion marker decides.
        auto max_runtime = ec2_impl::to_ll(ec2_impl::tag_or(i, tag_max_runtime));
        auto end = v.ended_at.value_or(now);
        if (max_runtime && i.launch_time && end - *i.launch_time >= seconds(*max_runtime))
        {
            s.state = job_state::timed_out;
            return v;
        }
        s.state = job_state::failed;
        v.consult_log = true;
        return v;
    }
    s.state = job_state::failed;
    if (!i.state_reason_message.empty())
        s.detail += ": " + i.state_reason_message;
    return v;
}

} // namespace mlcloud::aws::detail

#endif
