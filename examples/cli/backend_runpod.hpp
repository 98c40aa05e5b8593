//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLI_BACKEND_RUNPOD_HPP
#define MLCLOUD_CLI_BACKEND_RUNPOD_HPP

// `mlcloud --provider runpod`: options from RUNPOD_* variables (docs/runpod.md) and from what
// `mlcloud setup` found or created (<state directory>/runpod.json).

#include "args.hpp"
#include "job_records.hpp"

#include <mlcloud/blocking.hpp>
#include <mlcloud/messages/templates.hpp>
#include <mlcloud/runpod.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>

namespace mlcloud_cli {

template <class B>
struct cli_backend;

namespace runpod_cli {

inline std::filesystem::path settings_path() { return state_directory() / "runpod.json"; }

inline std::optional<std::string> env(char const* name)
{
    char const* v = std::getenv(name);
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

/// The datacenter and volume `setup` saved, if any.
inline void load_saved(mlcloud::runpod::options& o)
{
    std::ifstream in(settings_path());
    if (!in)
        return;
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        return;
    auto const& obj = v.as_object();
    if (auto const* dc = obj.if_contains("datacenter"); dc && dc->is_string())
        o.datacenter = std::string(dc->as_string());
    if (auto const* vol = obj.if_contains("network_volume_id"); vol && vol->is_string())
        o.network_volume_id = std::string(vol->as_string());
}

inline mlcloud::result<void> save(std::string const& datacenter, std::string const& volume)
{
    boost::json::object obj{{"datacenter", datacenter}, {"network_volume_id", volume}};
    return write_file_atomically(settings_path(), boost::json::serialize(obj) + "\n");
}

} // namespace runpod_cli

template <>
struct cli_backend<mlcloud::runpod::backend>
{
    using options = mlcloud::runpod::options;

    static mlcloud::result<options> options_from_environment()
    {
        options o; // keys and base URLs: RUNPOD_API_KEY, RUNPOD_S3_*, RUNPOD_*_URL
        runpod_cli::load_saved(o);
        if (auto dc = runpod_cli::env("RUNPOD_DATACENTER"))
            o.datacenter = *dc;
        if (auto vol = runpod_cli::env("RUNPOD_NETWORK_VOLUME_ID"))
            o.network_volume_id = *vol;
        if (auto ep = runpod_cli::env("RUNPOD_ENDPOINT_ID"))
            o.endpoint_id = *ep;
        if (auto pool = runpod_cli::env("RUNPOD_SERVERLESS_POOL"))
            o.serverless_pool = *pool;
        if (auto image = runpod_cli::env("MLCLOUD_TRAINER_IMAGE"))
            o.image = *image;
        return o;
    }

    /// Datasets and models go to the default volume (found or created by `mlcloud setup`).
    static mlcloud::storage_uri default_prefix(options const& o)
    {
        if (o.network_volume_id.empty() || o.datacenter.empty())
            return mlcloud::storage_uri::local(""); // refused by the provider with a clear message
        return mlcloud::storage_uri::runpod_volume(o.datacenter, o.network_volume_id, "");
    }

    static constexpr std::string_view pricing_provider = "runpod";

    /// `mlcloud setup --provider runpod [--datacenter DC] [--volume-name NAME] [--volume-size GB]`
    static int setup(options const& given, args const& a, std::ostream& out)
    {
        a.allow_only({"provider", "datacenter", "volume-name", "volume-size"});
        options o = given;
        mlcloud::runpod::setup_options so;
        if (auto dc = a.get("datacenter"))
            o.datacenter = *dc;
        if (auto name = a.get("volume-name"))
        {
            so.volume_name = *name;
            if (!runpod_cli::env("RUNPOD_NETWORK_VOLUME_ID"))
                o.network_volume_id.clear(); // look the named volume up, not the one saved before
        }
        if (auto size = a.positive_number<int>("volume-size"))
        {
            if (*size < 10 || *size > 4096)
                throw usage_error("--volume-size: expected a number of GB from 10 to 4096, not " + std::to_string(*size));
            so.volume_size_gb = *size;
        }
        boost::asio::io_context ctx;
        auto report = mlcloud::run_blocking(ctx, mlcloud::runpod::setup(ctx.get_executor(), o, so));
        if (!report)
        {
            out << mlcloud::messages::error_message(mlcloud::messages::format::plain, report.error()) << "\n";
            return 1;
        }
        for (auto const& line : report->lines)
            out << line << "\n";
        if (given.datacenter != report->datacenter || given.network_volume_id != report->volume_id)
        {
            if (auto saved = runpod_cli::save(report->datacenter, report->volume_id); !saved)
                out << "warning: " << saved.error().message << "\n";
            else
                out << "saved: datacenter " << report->datacenter << " and volume " << report->volume_id << " in "
                    << runpod_cli::settings_path().string() << "\n";
        }
        for (auto const& p : report->problems)
            out << "to do: " << p << "\n";
        if (report->ready())
            out << "ready: datasets and models go to runpod://" << report->datacenter << "/" << report->volume_id
                << "/\n";
        return report->ready() ? 0 : 1;
    }
};

} // namespace mlcloud_cli

#endif
