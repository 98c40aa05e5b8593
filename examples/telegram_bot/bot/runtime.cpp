//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The one place that names backends. A backend joins the bot by being compiled in (its
// umbrella header exists) and, when its options are not default-constructible from "{}", by
// either offering a boost::json conversion for its options or by a reader below.

#include "bot/runtime.hpp"
#include "bot/runtime_of.hpp"

#include <mlcloud/cloud.hpp>
#include <mlcloud/testing/memory.hpp>

#if __has_include(<mlcloud/local.hpp>)
#include <mlcloud/local.hpp>
#define MLCLOUD_BOT_HAS_LOCAL 1
#endif
#if __has_include(<mlcloud/aws.hpp>)
#include <mlcloud/aws.hpp>
#define MLCLOUD_BOT_HAS_AWS 1
#endif
#if __has_include(<mlcloud/runpod.hpp>)
#include <mlcloud/runpod.hpp>
#define MLCLOUD_BOT_HAS_RUNPOD 1
#endif

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <limits>
#include <type_traits>

namespace json = boost::json;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {
namespace {

template <class... B>
struct backend_list
{
};

using bot_backends = backend_list<
#ifdef MLCLOUD_BOT_HAS_LOCAL
    mlcloud::local::backend,
#endif
#ifdef MLCLOUD_BOT_HAS_AWS
    mlcloud::aws::backend,
#endif
#ifdef MLCLOUD_BOT_HAS_RUNPOD
    mlcloud::runpod::backend,
#endif
    mlcloud::testing::memory::backend>;

// -- reading backend options ---------------------------------------------------------------

/// Reads the members of one options object, naming "<field>.<member>" in errors.
class option_reader
{
public:
    option_reader(json::object const& o, std::string_view field) : o_(o), field_(field) {}

    bool ok() const noexcept { return problem_.empty(); }
    error problem() const { return error(errc::invalid_argument, problem_); }

    void only(std::initializer_list<std::string_view> known)
    {
        for (auto const& kv : o_)
            if (std::find(known.begin(), known.end(), std::string_view(kv.key())) == known.end())
                return fail(kv.key(), "unknown option of this backend");
    }

    template <class Rep, class Period>
    void milliseconds(std::string_view key, std::chrono::duration<Rep, Period>& out)
    {
        if (auto n = integer(key))
            out = std::chrono::duration_cast<std::chrono::duration<Rep, Period>>(std::chrono::milliseconds(*n));
    }
    void number(std::string_view key, double& out)
    {
        if (auto const* v = o_.if_contains(key))
        {
            if (!v->is_number() || v->to_number<double>() < 0)
                return fail(key, "expected a number of at least 0");
            out = v->to_number<double>();
        }
    }
    void size(std::string_view key, std::size_t& out)
    {
        if (auto n = integer(key))
            out = static_cast<std::size_t>(*n);
    }
    void whole(std::string_view key, int& out)
    {
        if (auto n = integer(key))
        {
            if (*n > std::numeric_limits<int>::max())
                return fail(key, "too large");
            out = static_cast<int>(*n);
        }
    }
    void text(std::string_view key, std::string& out)
    {
        if (auto const* v = o_.if_contains(key))
        {
            if (!v->is_string())
                return fail(key, "expected a string");
            out = std::string(v->get_string());
        }
    }
    void flag(std::string_view key, bool& out)
    {
        if (auto const* v = o_.if_contains(key))
        {
            if (!v->is_bool())
                return fail(key, "expected true or false");
            out = v->get_bool();
        }
    }
    void path(std::string_view key, std::filesystem::path& out)
    {
        if (auto const* v = o_.if_contains(key))
        {
            if (!v->is_string())
                return fail(key, "expected a string");
            out = std::string(v->get_string());
        }
    }
    void strings(std::string_view key, std::vector<std::string>& out)
    {
        auto const* v = o_.if_contains(key);
        if (!v)
            return;
        if (!v->is_array() || v->get_array().empty())
            return fail(key, "expected a non-empty array of strings");
        std::vector<std::string> items;
        for (auto const& s : v->get_array())
        {
            if (!s.is_string())
                return fail(key, "expected a non-empty array of strings");
            items.emplace_back(s.get_string());
        }
        out = std::move(items);
    }

private:
    std::optional<std::int64_t> integer(std::string_view key)
    {
        auto const* v = o_.if_contains(key);
        if (!v)
            return std::nullopt;
        boost::system::error_code ec;
        auto const n = v->is_number() ? v->to_number<std::int64_t>(ec) : -1;
        if (!v->is_number() || ec || n < 0)
        {
            fail(key, "expected a whole number of at least 0");
            return std::nullopt;
        }
        return n;
    }
    void fail(std::string_view key, std::string_view why)
    {
        if (problem_.empty())
            problem_ = std::string(field_) + "." + std::string(key) + ": " + std::string(why);
    }

    json::object const& o_;
    std::string_view field_;
    std::string problem_;
};

/// Options of a backend the bot has no reader for: its own boost::json conversion, or the
/// defaults when the configuration gives none.
template <class B>
struct options_reader
{
    static mlcloud::result<typename B::options> read(json::object const& o, std::string_view field)
    {
        using options = typename B::options;
        if constexpr (json::has_value_to<options>::value)
        {
            auto r = json::try_value_to<options>(json::value(o));
            if (!r)
                return error(errc::invalid_argument, std::string(field) + ": " + r.error().message());
            return std::move(*r);
        }
        else
        {
            if (!o.empty())
                return error(errc::invalid_argument, std::string(field) + ": the bot cannot read options of the " +
                                                         std::string(B::name) + " backend; leave it empty");
            return options{};
        }
    }
};

template <>
struct options_reader<mlcloud::testing::memory::backend>
{
    static mlcloud::result<mlcloud::testing::memory::options> read(json::object const& o, std::string_view field)
    {
        mlcloud::testing::memory::options opts;
        auto& w = *opts.shared_world;
        option_reader r(o, field);
        r.only({"provisioning_delay_ms", "line_interval_ms", "price_per_hour"});
        r.milliseconds("provisioning_delay_ms", w.provisioning_delay);
        r.milliseconds("line_interval_ms", w.line_interval);
        r.number("price_per_hour", w.price_per_hour);
        if (!r.ok())
            return r.problem();
        return opts;
    }
};

#ifdef MLCLOUD_BOT_HAS_LOCAL
template <>
struct options_reader<mlcloud::local::backend>
{
    static mlcloud::result<mlcloud::local::options> read(json::object const& o, std::string_view field)
    {
        mlcloud::local::options opts;
        option_reader r(o, field);
        r.only({"root", "state_dir", "predictor_command", "working_directory", "poll_interval_ms",
                "max_log_chunk_bytes", "terminate_grace_ms", "launch_timeout_ms"});
        r.path("root", opts.root);
        r.path("state_dir", opts.state_dir);
        r.strings("predictor_command", opts.predictor_command);
        r.path("working_directory", opts.working_directory);
        r.milliseconds("poll_interval_ms", opts.poll_interval);
        r.size("max_log_chunk_bytes", opts.max_log_chunk_bytes);
        r.milliseconds("terminate_grace_ms", opts.terminate_grace);
        r.milliseconds("launch_timeout_ms", opts.launch_timeout);
        if (!r.ok())
            return r.problem();
        return opts;
    }
};
#endif

#ifdef MLCLOUD_BOT_HAS_AWS
/// AWS: credentials, region and endpoints from the AWS chain and MLCLOUD_AWS_* (docs/aws.md);
/// the configuration may name the non-secret settings. Secrets never go in the file.
template <>
struct options_reader<mlcloud::aws::backend>
{
    static mlcloud::result<mlcloud::aws::options> read(json::object const& o, std::string_view field)
    {
        auto opts = mlcloud::aws::options_from_environment();
        if (!opts)
            return error(errc::invalid_argument, std::string(field) + ": " + opts.error().message);
        option_reader r(o, field);
        r.only({"region", "bucket", "prefix", "image_id", "subnet_id", "security_group_ids", "instance_profile",
                "key_name", "log_group", "instance_types", "lambda_function", "lambda_memory_mb"});
        r.text("region", opts->region);
        r.text("bucket", opts->bucket);
        r.text("prefix", opts->prefix);
        r.text("image_id", opts->image_id);
        r.text("subnet_id", opts->subnet_id);
        r.strings("security_group_ids", opts->security_group_ids);
        r.text("instance_profile", opts->instance_profile);
        r.text("key_name", opts->key_name);
        r.text("log_group", opts->log_group);
        r.strings("instance_types", opts->default_instance_types);
        r.text("lambda_function", opts->lambda_function);
        r.whole("lambda_memory_mb", opts->lambda_memory_mb);
        if (!r.ok())
            return r.problem();
        return opts;
    }
};
#endif

#ifdef MLCLOUD_BOT_HAS_RUNPOD
/// RunPod: the API key, S3 keys and base URLs from RUNPOD_* (docs/credentials.md); the
/// configuration names the datacenter, volume, image, GPUs and the serverless endpoint.
template <>
struct options_reader<mlcloud::runpod::backend>
{
    static mlcloud::result<mlcloud::runpod::options> read(json::object const& o, std::string_view field)
    {
        mlcloud::runpod::options opts;
        option_reader r(o, field);
        r.only({"datacenter", "network_volume_id", "mount_path", "image", "gpus", "container_disk_gb", "endpoint_id",
                "serverless_pool", "terminate_on_completion"});
        r.text("datacenter", opts.datacenter);
        r.text("network_volume_id", opts.network_volume_id);
        r.text("mount_path", opts.mount_path);
        r.text("image", opts.image);
        r.strings("gpus", opts.default_gpus);
        r.whole("container_disk_gb", opts.container_disk_gb);
        r.text("endpoint_id", opts.endpoint_id);
        r.text("serverless_pool", opts.serverless_pool);
        r.flag("terminate_on_completion", opts.terminate_on_completion);
        if (!r.ok())
            return r.problem();
        return opts;
    }
};
#endif

template <class... B>
std::vector<std::string> names(backend_list<B...>)
{
    return {std::string(B::name)...};
}

template <class... B>
mlcloud::result<std::unique_ptr<backend_runtime>> dispatch(backend_list<B...>, boost::asio::any_io_executor ex,
                                                           std::string_view provider, json::object const& options,
                                                           std::string_view field)
{
    return mlcloud::with_backend<B...>(
        provider, [&]<class Backend>(std::type_identity<Backend>) -> mlcloud::result<std::unique_ptr<backend_runtime>> {
            auto opts = options_reader<Backend>::read(options, field);
            if (!opts)
                return opts.error();
            return std::unique_ptr<backend_runtime>(std::make_unique<runtime_of<Backend>>(ex, *opts));
        });
}

} // namespace

mlcloud::storage_uri backend_runtime::stored_key(mlcloud::storage_uri const& uri)
{
    if (!uri.is_local())
        return uri;
    auto key = std::filesystem::path(uri.key).lexically_normal().generic_string();
    return mlcloud::storage_uri::local(key == "." ? std::string() : std::move(key));
}

mlcloud::task<std::vector<mlcloud::job_handle>> backend_runtime::list_jobs()
{
    co_return error(errc::not_supported,
                    "the " + std::string(provider()) + " backend cannot list the machines it holds");
}

std::vector<std::string> compiled_backends()
{
    return names(bot_backends{});
}

mlcloud::result<std::unique_ptr<backend_runtime>> make_runtime(boost::asio::any_io_executor ex,
                                                              std::string_view provider,
                                                              std::string_view options_json, std::string_view field)
{
    boost::system::error_code ec;
    auto const v = json::parse(options_json.empty() ? std::string_view("{}") : options_json, ec);
    if (ec || !v.is_object())
        return error(errc::invalid_argument, std::string(field) + ": expected a JSON object");
    return dispatch(bot_backends{}, std::move(ex), provider, v.get_object(), field);
}

} // namespace mlcloud_bot
