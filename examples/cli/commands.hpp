//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLI_COMMANDS_HPP
#define MLCLOUD_CLI_COMMANDS_HPP

// The commands, written once against the public API and instantiated for every backend.
// They use mlcloud::blocking<B>, the synchronous face of the same providers.

#include "args.hpp"
#include "follow.hpp"
#include "backends.hpp"
#include "job_records.hpp"
#include "reconcile.hpp"

#include <mlcloud/blocking.hpp>
#include <mlcloud/messages.hpp>
#include <mlcloud/runpod/detail/wire.hpp> // pod_name: how RunPod spells a job's name

#include <boost/asio/signal_set.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>
#include <thread>

namespace mlcloud_cli {

namespace msg = mlcloud::messages;
namespace fs = std::filesystem;

constexpr auto plain = msg::format::plain;

/// The exit status after Ctrl-C or SIGTERM, as shells report a process a SIGINT ended.
inline constexpr int interrupted_exit_status = 130;

inline int report(io& io, mlcloud::error const& e)
{
    io.err << msg::error_message(plain, e) << "\n";
    return 1;
}

inline std::string random_hex(std::size_t n)
{
    std::random_device rd;
    std::string s(n, '0');
    for (auto& c : s)
        c = "0123456789abcdef"[rd() % 16];
    return s;
}

/// While alive, Ctrl-C (SIGINT) or SIGTERM cancels the operation `cloud` runs, as the providers
/// document for a cancelled call (an upload aborts its multipart upload, a launch says what it
/// may have left), instead of killing the process mid-way. A second signal kills as usual.
template <class B>
class interrupt_on_signals
{
public:
    interrupt_on_signals(mlcloud::blocking<B>& cloud, std::ostream& err)
        : signals_(cloud.get_executor(), SIGINT, SIGTERM)
    {
        signals_.async_wait([this, &cloud, &err](boost::system::error_code ec, int) {
            if (ec)
                return;
            boost::system::error_code ignored;
            signals_.clear(ignored); // back to the default action
            err << "\ninterrupted: stopping (what was started is cleaned up; a second Ctrl-C abandons that)\n"
                << std::flush;
            cloud.interrupt();
        });
    }

private:
    boost::asio::signal_set signals_;
};

/// The pricing table, with $MLCLOUD_PRICING (a JSON override file) applied when set.
inline mlcloud::result<msg::pricing_table> pricing()
{
    if (char const* path = std::getenv("MLCLOUD_PRICING"); path && *path)
        return msg::pricing_table::load(path);
    return msg::pricing_table::builtin();
}

/// Rows, columns and bytes of a local CSV, for the GPU recommendation.
inline msg::dataset_profile profile_of(fs::path const& csv)
{
    msg::dataset_profile p;
    std::error_code ec;
    p.bytes = fs::file_size(csv, ec);
    std::ifstream in(csv);
    std::string line;
    if (std::getline(in, line))
        p.columns = static_cast<std::uint64_t>(std::count(line.begin(), line.end(), ',') + 1);
    while (std::getline(in, line))
        ++p.rows;
    return p;
}

/// Whether backend B's storage keys are paths on this machine (the local backend), so that a
/// path given to a command may name a stored object as well as a file.
template <class B>
inline constexpr bool keys_are_paths = B::name == std::string_view("local");

/// Where a cloud backend keeps what the CLI stores by default (`train`'s datasets and models),
/// when it has such a place; none on the local backend, whose keys are paths.
template <class B>
std::optional<mlcloud::storage_uri> default_place(typename B::options const& opts)
{
    if constexpr (keys_are_paths<B>)
        return std::nullopt;
    auto base = cli_backend<B>::default_prefix(opts);
    if (base.is_local() || base.bucket.empty())
        return std::nullopt;
    return base;
}

/// The stored object `text` names: a URI as it is; on a cloud backend a relative key
/// ("datasets/iris.csv") below the backend's default place, where `train` puts datasets (AWS:
/// the bucket and prefix of the environment or of `mlcloud setup`; RunPod: the default volume).
template <class B>
mlcloud::result<mlcloud::storage_uri> stored_uri(std::string const& text, typename B::options const& opts)
{
    auto uri = mlcloud::storage_uri::parse(text);
    if (!uri || !uri->is_local() || uri->key.starts_with("/"))
        return uri;
    auto const base = default_place<B>(opts);
    if (!base)
        return uri; // keys are paths here, or there is no default place: the provider says what is missing
    std::string_view key = uri->key;
    while (key.starts_with("./"))
        key.remove_prefix(2);
    if (key == ".")
        key = {};
    if (key == ".." || key.starts_with("../") || key.find("/../") != std::string_view::npos || key.ends_with("/.."))
        return mlcloud::error(mlcloud::errc::invalid_argument,
                              "'" + text + "' climbs out of " + base->str() + ": name the object by its URI");
    return base->child(key); // "." or "./" is the place itself, as a directory
}

/// Whether `uri` names a stored object (an error, such as a key outside the storage root, is no).
template <class B>
bool stored_object(mlcloud::blocking<B>& cloud, mlcloud::storage_uri const& uri)
{
    auto const found = cloud.exists(uri);
    return found && *found;
}

/// Whether what a command is about to use (`train`'s dataset, `predict`'s input) is stored:
/// false only when the provider says it is not, so that a typo stops before anything is billed.
/// When a cloud provider cannot be asked (no S3 key here, where the machine's own access can
/// read it) it is taken as there, with a warning that says so; a cancellation, or on the local
/// backend any error (it says why the key is unusable), is the error.
template <class B>
mlcloud::result<bool> about_to_use(mlcloud::blocking<B>& cloud, mlcloud::storage_uri const& uri, io& io)
{
    auto found = cloud.exists(uri);
    if (found || found.error().is(mlcloud::errc::cancelled) || keys_are_paths<B>)
        return found;
    io.err << "warning: cannot check that " << uri.str() << " exists (" << found.error().message
           << "); going on\n";
    return true;
}

/// Whether a job named `name` would carry the bot's mark on some provider, so that the bot's
/// reconciliation would take it for its own: as given (AWS tags and the local backend keep the
/// name), or as RunPod names the job's pod (lower case, other characters as '-', cut after 30).
inline bool would_carry_the_bots_name(std::string const& name)
{
    return named_by_the_bot(mlcloud::job_handle{.name = name}) ||
           named_by_the_bot(mlcloud::job_handle{.name = mlcloud::runpod::detail::pod_name(name, "")});
}

template <class B>
int cmd_train(mlcloud::blocking<B>& cloud, typename B::options const& opts, args const& a, io& io)
{
    a.allow_only({"data", "target", "gpu", "spot", "image", "output", "max-runtime", "max-price", "name", "key",
                  "follow", "yes", "expected-minutes", "provider"});
    using traits = cli_backend<B>;
    auto data_arg = a.require("data");
    auto target = a.require("target");
    std::string name = a.get("name").value_or("mlcloud-" + target + "-" + random_hex(6));
    if (would_carry_the_bots_name(name))
        throw usage_error("job names containing " + std::string(bot_name_mark) +
                          " are the bot's (its reconciliation would stop this job): choose another with --name");
    // Every usage mistake is reported before anything is asked of the provider.
    auto expected_minutes = a.positive_number<int>("expected-minutes");
    if (auto key = a.get("key"); key && key->empty())
        throw usage_error("--key: expected the key an earlier launch printed, not an empty one");
    auto max_price = a.positive_number<double>("max-price");
    std::optional<std::chrono::seconds> max_runtime;
    if (auto limit = a.get("max-runtime"))
    {
        auto secs = parse_duration_seconds(*limit);
        if (!secs)
            throw usage_error("--max-runtime: expected a duration such as 90m or 2h");
        max_runtime = std::chrono::seconds(*secs);
    }
    auto prefix = traits::default_prefix(opts);

    // A dataset given as a file on this machine is uploaded first; anything else must be a
    // stored object already, or a typo would launch (and bill) a machine that cannot train.
    mlcloud::storage_uri dataset;
    std::optional<msg::dataset_profile> profile;
    bool const upload_first = fs::is_regular_file(data_arg);
    if (upload_first)
    {
        profile = profile_of(data_arg);
        dataset = prefix.child("datasets").child(fs::path(data_arg).filename().string());
    }
    else if (auto parsed = stored_uri<B>(data_arg, opts))
    {
        dataset = *parsed;
        auto const stored = about_to_use(cloud, dataset, io);
        if (!stored)
            return report(io, stored.error());
        if (!*stored)
            return report(io, mlcloud::error(mlcloud::errc::not_found, "no dataset file " + data_arg +
                                                                           " here, and no stored object " +
                                                                           dataset.str()));
    }
    else
        return report(io, parsed.error());

    mlcloud::job_spec spec;
    spec.name = name;
    // A launch repeated with the same name and key adopts the machine of the first instead of
    // starting a second one: what to do when a launch's outcome is unknown.
    spec.idempotency_key = a.get("key").value_or(name + "-" + random_hex(8));
    spec.dataset = dataset;
    if (auto out = a.get("output"))
    {
        auto parsed = stored_uri<B>(*out, opts);
        if (!parsed)
            return report(io, parsed.error());
        spec.output = *parsed;
    }
    else
        spec.output = prefix.child("models").child(name).child("model.json");
    spec.command = a.rest().empty() ? std::vector<std::string>{"mlcloud-trainer", "train", "--target", target} : a.rest();
    spec.env[mlcloud::target_env] = target;
    if (char const* image = std::getenv("MLCLOUD_TRAINER_IMAGE"))
        spec.image = image;
    if (auto image = a.get("image"))
        spec.image = *image;
    spec.market = a.flag("spot") ? mlcloud::market::spot : mlcloud::market::on_demand;
    if (max_runtime)
        spec.max_runtime = *max_runtime;
    spec.max_price_per_hour = max_price;
    for (auto const& gpu : a.all("gpu"))
        spec.compute.push_back({gpu, 1});

    // Clouds cost money: show the GPU and the estimate, and ask.
    if (!traits::pricing_provider.empty())
    {
        auto table = pricing();
        if (!table)
            return report(io, table.error());
        msg::gpu_offer const* offer = nullptr;
        if (spec.compute.empty())
        {
            auto rec = msg::recommend_gpu(*table, traits::pricing_provider, profile.value_or(msg::dataset_profile{}),
                                          msg::model_family::logistic);
            if (!rec)
                return report(io, rec.error());
            io.out << msg::gpu_selection(plain, *rec, table->offers(traits::pricing_provider)) << "\n";
            spec.compute.push_back({rec->offer.id, rec->offer.gpu_count});
        }
        offer = table->find(traits::pricing_provider, spec.compute.front().id);
        if (offer)
        {
            msg::launch_summary summary{*offer, spec.market, std::chrono::minutes(expected_minutes.value_or(10)),
                                        data_arg, 1};
            io.out << msg::launch_confirmation(plain, summary) << "\n";
        }
        if (!a.flag("yes"))
        {
            io.out << "Launch? [y/N] " << std::flush;
            std::string answer;
            std::getline(io.in, answer);
            if (answer != "y" && answer != "Y" && answer != "yes")
            {
                io.out << "not launched\n";
                return 1;
            }
        }
    }

    // Only now: during the question a Ctrl-C ends the process at once, as it should.
    interrupt_on_signals<B> const interrupts(cloud, io.err);
    if (upload_first)
    {
        // After the question: a "no" leaves nothing behind.
        io.out << "uploading " << data_arg << " to " << dataset.str() << "\n";
        if (auto up = cloud.upload(data_arg, dataset); !up)
            return report(io, up.error());
    }
    auto job = cloud.launch(spec);
    if (!job)
    {
        report(io, job.error());
        if (job.error().is(mlcloud::errc::outcome_unknown))
            io.err << "to adopt that machine rather than start a second one, run the same command with --name "
                   << name << " --key " << spec.idempotency_key
                   << " (once `mlcloud reconcile` lists the machine, if it exists)\n";
        return 1;
    }
    if (auto saved = save_job(*job); !saved)
        io.err << "warning: " << saved.error().message << "\n";
    io.out << msg::training_launched(plain, *job) << "\n";
    if (!a.flag("follow"))
    {
        io.out << "not following it: `mlcloud logs " << job->id << " --follow` prints its log\n";
        return 0;
    }

    auto started = std::chrono::steady_clock::now();
    auto final_status = follow_logs(cloud, *job, io, std::chrono::milliseconds(500), true);
    if (!final_status && cloud.interrupted())
    {
        io.err << "stopped following " << job->id << ": the job goes on (`mlcloud cancel " << job->id
               << "` stops it, `mlcloud logs " << job->id << " --follow` follows it again)\n";
        return interrupted_exit_status;
    }
    if (!final_status)
        return report(io, final_status.error());
    if (final_status->state != mlcloud::job_state::succeeded)
    {
        io.err << "the job ended " << to_string(final_status->state) << ": " << final_status->detail << "\n";
        return 1;
    }
    msg::completion_summary done{*job, final_status->cost_so_far,
                                 std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started),
                                 spec.output, {}};
    io.out << msg::training_completed(plain, done) << "\n";
    return 0;
}

/// The job a command names: the CLI's own record, else a bare handle for this provider.
template <class B>
mlcloud::job_handle job_for(args const& a)
{
    auto id = a.positional_at(0, "job id");
    if (auto rec = load_job(id))
        return *rec;
    return mlcloud::job_handle{.provider = std::string(B::name), .id = id};
}

template <class B>
int cmd_logs(mlcloud::blocking<B>& cloud, args const& a, io& io)
{
    a.allow_only({"follow", "interval", "provider"}, 1);
    auto interval = parse_duration_seconds(a.get("interval").value_or("1"));
    if (!interval || *interval <= 0 || *interval > 3600)
        throw usage_error("--interval: expected a duration from 1s to 1h, such as 2s");
    auto job = job_for<B>(a);
    auto s = follow_logs(cloud, job, io, std::chrono::seconds(*interval), a.flag("follow"));
    if (!s)
        return report(io, s.error());
    return 0;
}

template <class B>
int cmd_status(mlcloud::blocking<B>& cloud, args const& a, io& io)
{
    a.allow_only({"provider"}, 1);
    auto job = job_for<B>(a);
    auto s = cloud.status(job);
    if (!s)
        return report(io, s.error());
    io.out << msg::job_id_label(job.provider) << ": " << job.id << "\nstate: " << to_string(s->state) << "\n";
    if (!s->detail.empty())
        io.out << "detail: " << s->detail << "\n";
    if (s->exit_code)
        io.out << "exit code: " << *s->exit_code << "\n";
    io.out << "cost so far: " << msg::format_cost(s->cost_so_far);
    if (!s->cost_so_far.basis.empty())
        io.out << " (" << s->cost_so_far.basis << ")";
    io.out << "\n";
    return 0;
}

template <class B>
int cmd_cancel(mlcloud::blocking<B>& cloud, args const& a, io& io)
{
    a.allow_only({"provider"}, 1);
    auto job = job_for<B>(a);
    auto s = cloud.terminate(job);
    if (!s)
        return report(io, s.error());
    io.out << "stopped " << msg::machine_noun(job.provider) << " " << job.id << ": " << to_string(s->state)
           << "\ncost: " << msg::format_cost(s->cost_so_far);
    if (!s->cost_so_far.known)
        io.out << " (" << s->cost_so_far.basis << ")";
    io.out << "\n";
    return 0;
}

/// Whether `text` names an object of a cloud storage (s3://, runpod://) by its scheme.
inline bool written_as_cloud_uri(std::string const& text)
{
    auto const u = mlcloud::storage_uri::parse(text);
    return u && !u->is_local();
}

template <class B>
int cmd_predict(mlcloud::blocking<B>& cloud, typename B::options const& opts, args const& a, io& io)
{
    a.allow_only({"model", "input", "output", "provider"});
    auto model = stored_uri<B>(a.require("model"), opts);
    if (!model)
        return report(io, model.error());
    mlcloud::prediction_request req;
    req.model = *model;
    auto input = a.require("input");
    if (fs::is_regular_file(input))
    {
        std::ifstream in(input, std::ios::binary);
        req.input.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    else if (auto uri = stored_uri<B>(input, opts); !uri)
        return report(io, uri.error());
    else if (written_as_cloud_uri(input))
        req.input_uri = *uri; // a cloud URI as given: the provider says when it is missing
    else
    {
        // A stored key ("inputs/rows.csv"), unless nothing of that name is stored.
        auto const stored = about_to_use(cloud, *uri, io);
        if (!stored)
            return report(io, stored.error());
        if (!*stored)
            return report(io, mlcloud::error(mlcloud::errc::not_found, "no input file " + input +
                                                                      " here, and no stored object of that name"));
        req.input_uri = *uri;
    }
    req.idempotency_key = "predict-" + random_hex(12);
    auto r = cloud.predict(req);
    if (!r)
        return report(io, r.error());
    auto rows = static_cast<std::size_t>(std::count(r->output.begin(), r->output.end(), '\n'));
    if (auto out = a.get("output"))
    {
        if (auto written = write_file_atomically(*out, r->output); !written)
            return report(io, written.error());
        io.out << msg::prediction_ready(plain, *r, rows > 0 ? rows - 1 : 0) << "\nwritten to " << *out << "\n";
    }
    else
    {
        io.out << r->output;
        io.err << msg::prediction_ready(plain, *r, rows > 0 ? rows - 1 : 0) << "\n";
    }
    return 0;
}

/// The path on this machine that the local side of `cp` names: a file:// URI's path, or the
/// text as it is.
inline std::string local_path(std::string const& text)
{
    if (!text.starts_with("file:"))
        return text;
    auto const u = mlcloud::storage_uri::parse(text);
    return u && u->is_local() ? u->key : text;
}

/// Which way `cp SRC DST` copies: --upload or --download when given; else towards the side a
/// cloud URI names; else (two paths) upload when SRC is a file here. A SRC that is both a file
/// here and a stored object (a path on the local backend, a key in the default place on the
/// others) is a usage error: guessing could overwrite the stored object DST with the wrong file.
template <class B>
bool copy_direction_is_upload(mlcloud::blocking<B>& cloud, typename B::options const& opts, args const& a,
                              std::string const& src, std::string const& dst)
{
    if (a.flag("upload") && a.flag("download"))
        throw usage_error("--upload and --download exclude each other");
    if (a.flag("upload") || a.flag("download"))
        return a.flag("upload");
    bool const src_cloud = written_as_cloud_uri(src), dst_cloud = written_as_cloud_uri(dst);
    if (src_cloud && dst_cloud)
        throw usage_error("both SRC and DST are in cloud storage; cp copies between this machine and storage");
    if (src_cloud || dst_cloud)
        return dst_cloud;
    if (!fs::is_regular_file(local_path(src)))
        return false;
    if (src.starts_with("file:"))
        return true; // a file here by its scheme, never a key
    auto const stored = stored_uri<B>(src, opts);
    if (stored && stored_object(cloud, *stored))
        throw usage_error("'" + src + "' is both a file here and a stored object: say --upload or --download");
    return true;
}

template <class B>
int cmd_cp(mlcloud::blocking<B>& cloud, typename B::options const& opts, args const& a, io& io)
{
    a.allow_only({"download", "upload", "provider"}, 2);
    auto src = a.positional_at(0, "source");
    auto dst = a.positional_at(1, "destination");
    mlcloud::transfer_options progress{[&](std::uint64_t done, std::uint64_t total) {
        if (total > (8u << 20))
            io.err << "\r" << done * 100 / total << "% " << std::flush;
    }};
    bool const upload = copy_direction_is_upload(cloud, opts, a, src, dst);
    auto remote = stored_uri<B>(upload ? dst : src, opts);
    if (!remote)
        return report(io, remote.error());
    if (upload && (remote->key.empty() || remote->key.ends_with("/")))
        remote = remote->child(fs::path(local_path(src)).filename().string()); // as cp(1) and `aws s3 cp` do
    auto r = upload ? cloud.upload(local_path(src), *remote, progress) : cloud.download(*remote, local_path(dst), progress);
    if (!r)
        return report(io, r.error());
    io.out << (upload ? "uploaded " : "downloaded ") << r->size << " bytes " << (upload ? "to " : "from ")
           << remote->str() << "\n";
    return 0;
}

template <class B>
int cmd_ls(mlcloud::blocking<B>& cloud, typename B::options const& opts, args const& a, io& io)
{
    a.allow_only({"provider"}, 1);
    // No prefix: everything in the default place (the local root, the bucket and prefix, the volume).
    auto prefix = a.positional().empty() ? mlcloud::result<mlcloud::storage_uri>(mlcloud::storage_uri::local(""))
                                         : stored_uri<B>(a.positional().front(), opts);
    if (!prefix)
        return report(io, prefix.error());
    if (auto base = default_place<B>(opts); a.positional().empty() && base)
        prefix = base->key.empty() ? *base : base->child("");
    auto listed = cloud.list(*prefix);
    if (!listed)
        return report(io, listed.error());
    for (auto const& o : *listed)
        io.out << o.size << "\t" << o.uri.str() << "\n";
    return 0;
}

template <class B>
int cmd_rm(mlcloud::blocking<B>& cloud, typename B::options const& opts, args const& a, io& io)
{
    a.allow_only({"provider"}, 1);
    auto uri = stored_uri<B>(a.positional_at(0, "object"), opts);
    if (!uri)
        return report(io, uri.error());
    if (auto r = cloud.remove(*uri); !r)
        return report(io, r.error());
    io.out << "removed " << uri->str() << "\n";
    return 0;
}

template <class B>
int cmd_jobs(args const& a, io& io)
{
    a.allow_only({"provider"});
    auto const listing = list_jobs();
    for (auto const& job : listing.jobs)
        io.out << job.provider << "\t" << job.id << "\t" << job.name << "\t" << job.compute.id << "\n";
    for (auto const& problem : listing.problems)
        io.err << "warning: " << problem << "\n";
    return listing.problems.empty() ? 0 : 1;
}

/// Runs one command on `cloud`.
template <class B>
int run_with_cloud(mlcloud::blocking<B>& cloud, typename B::options const& opts, std::string const& command,
                   args const& a, io& io)
{
    if (command == "train")
        return cmd_train(cloud, opts, a, io); // handles signals itself, after its question
    interrupt_on_signals<B> const interrupts(cloud, io.err);
    if (command == "logs")
        return cmd_logs(cloud, a, io);
    if (command == "status")
        return cmd_status(cloud, a, io);
    if (command == "cancel")
        return cmd_cancel(cloud, a, io);
    if (command == "predict")
        return cmd_predict(cloud, opts, a, io);
    if (command == "cp")
        return cmd_cp(cloud, opts, a, io);
    if (command == "ls")
        return cmd_ls(cloud, opts, a, io);
    if (command == "rm")
        return cmd_rm(cloud, opts, a, io);
    if (command == "reconcile")
        return cmd_reconcile(cloud, a, io.out, io.err);
    throw usage_error("unknown command '" + command + "'");
}

/// Runs one command for backend B.
template <class B>
int run_command(std::string const& command, args const& a, io& io)
{
    using traits = cli_backend<B>;
    auto opts = traits::options_from_environment();
    if (!opts)
        return report(io, opts.error());
    if (command == "setup")
        return traits::setup(*opts, a, io.out);
    if (command == "jobs")
        return cmd_jobs<B>(a, io);
    mlcloud::blocking<B> cloud(*opts);
    auto const status = run_with_cloud(cloud, *opts, command, a, io);
    return cloud.interrupted() ? interrupted_exit_status : status;
}

} // namespace mlcloud_cli

#endif
