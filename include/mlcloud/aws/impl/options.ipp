//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_OPTIONS_IPP
#define MLCLOUD_AWS_IMPL_OPTIONS_IPP

#include <mlcloud/aws/options.hpp>

#include <charconv>

namespace mlcloud::aws {
namespace options_impl {

inline std::vector<std::string> split_list(std::string_view s)
{
    std::vector<std::string> out;
    while (!s.empty())
    {
        auto comma = s.find(',');
        auto item = s.substr(0, comma);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        if (!item.empty())
            out.emplace_back(item);
        if (comma == std::string_view::npos)
            break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

inline result<int> to_int(std::string_view name, std::string_view value)
{
    int v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size() || v < 0)
        return error(errc::invalid_argument, std::string(name) + " must be a non-negative whole number, not '" +
                                                 std::string(value) + "'");
    return v;
}

} // namespace options_impl

MLCLOUD_DECL result<options> options_from_environment(auth::environment const& env)
{
    options o;
    o.config.env = env;
    auto text = [&](char const* name, std::string& field) {
        if (auto v = env.get(name))
            field = *v;
    };
    text("MLCLOUD_AWS_REGION", o.region);
    text("MLCLOUD_AWS_BUCKET", o.bucket);
    text("MLCLOUD_AWS_PREFIX", o.prefix);
    text("MLCLOUD_AWS_AMI", o.image_id);
    text("MLCLOUD_AWS_SUBNET", o.subnet_id);
    text("MLCLOUD_AWS_INSTANCE_PROFILE", o.instance_profile);
    text("MLCLOUD_AWS_KEY_NAME", o.key_name);
    text("MLCLOUD_AWS_LOG_GROUP", o.log_group);
    text("MLCLOUD_AWS_LAMBDA_FUNCTION", o.lambda_function);
    if (auto v = env.get("MLCLOUD_AWS_SECURITY_GROUPS"))
        o.security_group_ids = options_impl::split_list(*v);
    if (auto v = env.get("MLCLOUD_AWS_INSTANCE_TYPES"))
        o.default_instance_types = options_impl::split_list(*v);
    if (auto v = env.get("MLCLOUD_AWS_LAMBDA_MEMORY_MB"))
    {
        auto n = options_impl::to_int("MLCLOUD_AWS_LAMBDA_MEMORY_MB", *v);
        if (!n)
            return n.error();
        o.lambda_memory_mb = *n;
    }
    if (auto v = env.get("MLCLOUD_AWS_ROOT_VOLUME_GB"))
    {
        auto n = options_impl::to_int("MLCLOUD_AWS_ROOT_VOLUME_GB", *v);
        if (!n)
            return n.error();
        o.root_volume_gb = *n;
    }
    return o;
}

} // namespace mlcloud::aws

#endif
