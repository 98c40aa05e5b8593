//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_IMPL_TRAINING_IPP
#define MLCLOUD_RUNPOD_IMPL_TRAINING_IPP

#include <mlcloud/runpod/training.hpp>

#include <mlcloud/detail/cancellation.hpp>
#include <mlcloud/messages/cost.hpp>
#include <mlcloud/net/retry.hpp>
#include <mlcloud/net/sse.hpp>
#include <mlcloud/runpod/detail/api.hpp>
#include <mlcloud/runpod/detail/wire.hpp>

#include <algorithm>
#include <map>
#include <mutex>

namespace mlcloud {
namespace runpod {
namespace detail {

using clock = std::chrono::system_clock;

/// The most lines a log request may ask for with `tail` (the reference: 0 to 5000).
inline constexpr int max_log_tail = 5000;

/// What the provider learnt about a pod that the pod itself does not keep: the outcome it
/// settled (after terminating the pod) and the price seen while it ran.
struct pod_record
{
    std::optional<job_state> final_state;
    std::string final_detail;
    std::optional<int> exit_code;
    std::optional<time_point> ended_at;
    double price_per_hour = 0.0; ///< USD per pod-hour while it ran
};

struct training_state
{
    training_state(boost::asio::any_io_executor ex, options const& o)
        : api(ex, o),
          pricing(o.pricing ? o.pricing : std::make_shared<messages::pricing_table>(messages::pricing_table::builtin()))
    {
    }

    detail::api api;
    std::shared_ptr<messages::pricing_table> pricing;

    std::mutex mutex;
    std::map<std::string, pod_record> records;
    std::optional<std::chrono::steady_clock::time_point> catalog_refreshed;

    options const& opts() const noexcept { return api.opts(); }

    pod_record record(std::string const& id)
    {
        std::lock_guard lock(mutex);
        auto it = records.find(id);
        return it == records.end() ? pod_record{} : it->second;
    }

    template <class F>
    void update(std::string const& id, F&& f)
    {
        std::lock_guard lock(mutex);
        f(records[id]);
    }
};

using state_ptr = std::shared_ptr<training_state>;

inline std::string const max_runtime_env = "MLCLOUD_MAX_RUNTIME_SECONDS";

inline result<void> check_handle(job_handle const& h)
{
    if (h.id.empty())
        return error(errc::invalid_argument, "the job handle has no id").with_provider(provider_name);
    if (!h.provider.empty() && h.provider != provider_name)
        return error(errc::invalid_argument, "the job belongs to provider '" + h.provider + "', not runpod")
            .with_provider(provider_name);
    return {};
}

// ---------------------------------------------------------------------------------------------
// REST calls

inline task<pod_info> get_pod(state_ptr st, std::string id)
{
    std::string const op = "GET /v2/pods/{id}";
    auto url = st->api.rest_url({"pods", id});
    if (!url)
        co_return url.error();
    net::request req{.url = *url};
    auto r = co_await st->api.send(std::move(req), op);
    if (!r)
        co_return r.error();
    if (!r->ok())
    {
        auto e = api::error_from(*r, op);
        if (r->status == 404)
            e.message = "no pod " + id + " (" + e.message + ")";
        co_return e;
    }
    auto pod = parse_pod(r->body);
    if (!pod)
        co_return api::decorate(pod.error(), op);
    co_return pod;
}

inline task<std::vector<pod_info>> list_pods(state_ptr st)
{
    std::string const op = "GET /v2/pods";
    auto url = st->api.rest_url({"pods"});
    if (!url)
        co_return url.error();
    net::request req{.url = *url};
    auto r = co_await st->api.send(std::move(req), op);
    if (!r)
        co_return r.error();
    if (!r->ok())
        co_return api::error_from(*r, op);
    auto pods = parse_pod_list(r->body);
    if (!pods)
        co_return api::decorate(pods.error(), op);
    co_return pods;
}

/// The live pod named `name`, if the account has one (a RUNNING one first).
inline task<std::optional<pod_info>> find_pod(state_ptr st, std::string name)
{
    auto pods = co_await list_pods(st);
    if (!pods)
        co_return pods.error();
    std::optional<pod_info> found;
    for (auto& p : *pods)
        if (p.name == name && p.status != "TERMINATED" && (!found || p.status == "RUNNING"))
            found = std::move(p);
    co_return found;
}

/// Terminates a pod through the action endpoint (DELETE when the action is refused as such).
/// A pod that is already gone (404) or already terminating (409) is fine.
inline task<void> terminate_pod(state_ptr st, std::string id)
{
    std::string const op = "POST /v2/pods/{id}/action";
    auto url = st->api.rest_url({"pods", id, "action"});
    if (!url)
        co_return url.error();
    // Terminating twice has the effect of terminating once: the transport may retry it.
    net::request req{.method = net::method::post, .url = *url, .body = R"({"action":"terminate"})", .idempotent = true};
    auto r = co_await st->api.send(std::move(req), op);
    if (!r)
        co_return r.error();
    if (r->ok() || r->status == 404 || r->status == 409)
        co_return result<void>{};
    if (r->status == 400 || r->status == 405 || r->status == 422)
    {
        std::string const del = "DELETE /v2/pods/{id}";
        auto del_url = st->api.rest_url({"pods", id});
        if (!del_url)
            co_return del_url.error();
        net::request del_req{.method = net::method::delete_, .url = *del_url};
        auto d = co_await st->api.send(std::move(del_req), del);
        if (!d)
            co_return d.error();
        // 409 is not "already gone" here: RunPod refuses to delete a cluster member, which
        // keeps running (and billing).
        if (d->ok() || d->status == 404)
            co_return result<void>{};
        co_return api::error_from(*d, del);
    }
    co_return api::error_from(*r, op);
}

/// A failure that a later try may not meet (a 429, a 5xx, a timeout, a lost connection).
inline bool passes(error const& e)
{
    return e.is(errc::throttled) || e.is(errc::provider_error) || e.is(errc::timeout) ||
           e.is(errc::network_error) || e.is(errc::outcome_unknown);
}

/// What the last `tail` lines of a pod's log (options::status_log_tail when 0) say about the
/// end of its workload. A running pod's stream stays open, so it is read for `window` only; an
/// ended pod's is read to its end.
inline task<log_outcome> scan_log_tail(state_ptr st, pod_info pod, std::chrono::milliseconds window, int tail = 0)
{
    auto const lines = std::clamp(tail > 0 ? tail : st->opts().status_log_tail, 1, max_log_tail);
    auto url = st->api.rest_url({"pods", pod.id, "logs"}, {{"source", "container"}, {"tail", std::to_string(lines)}});
    if (!url)
        co_return url.error();
    auto auth = st->api.authorization();
    if (!auth)
        co_return auth.error();
    net::request req{.url = *url};
    req.headers.set("Authorization", *auth);
    net::sse_reader reader(st->api.http(), std::move(req), net::sse_options{.max_reconnects = 2});
    bool const ended = has_ended(pod.status);
    log_outcome outcome;
    for (int reads = 0; reads < 16; ++reads)
    {
        auto batch = co_await reader.read({.max_duration = window, .max_bytes = 1 << 20});
        if (!batch)
            co_return api::decorate(batch.error(), "GET /v2/pods/{id}/logs");
        for (auto const& ev : batch->events)
        {
            auto e = parse_log_event(ev.data);
            if (!e.source.empty() && e.source != "container")
                continue;
            observe_line(outcome, e.line);
            if (auto ts = parse_rfc3339(e.ts))
                outcome.last_ts = ts;
        }
        if (!ended || batch->end_of_stream || batch->events.empty() || outcome.decided())
            break;
    }
    co_return outcome;
}

/// What an ended (or just terminated) pod's log says: its tail, and when the tail shows
/// neither the completion line nor the exit line, as much of the log as RunPod gives. A
/// workload may print more after its completion line than the tail holds, and an ended pod is
/// judged once.
inline task<log_outcome> scan_ended_log(state_ptr st, pod_info pod, std::chrono::milliseconds window)
{
    auto outcome = co_await scan_log_tail(st, pod, window);
    if (outcome && !outcome->decided() && st->opts().status_log_tail < max_log_tail)
        outcome = co_await scan_log_tail(st, pod, window, max_log_tail);
    co_return outcome;
}

// ---------------------------------------------------------------------------------------------
// Cost and status

inline market market_of(pod_info const& pod, job_handle const& h)
{
    if (pod.cloud == "COMMUNITY")
        return market::spot;
    if (pod.cloud == "SECURE")
        return market::on_demand;
    return h.market;
}

/// USD per pod-hour: seen on the running pod, else the handle's launch price, else the table.
inline double pod_price(training_state& st, pod_info const& pod, pod_record const& rec, job_handle const& h)
{
    if (rec.price_per_hour > 0)
        return rec.price_per_hour;
    if (pod.cost_per_hour > 0)
        return pod.cost_per_hour;
    if (h.price_per_hour > 0)
        return h.price_per_hour;
    std::string const& gpu = pod.gpu_id.empty() ? h.compute.id : pod.gpu_id;
    int const count = std::max(1, pod.gpu_count > 0 ? pod.gpu_count : h.compute.gpu_count);
    std::lock_guard lock(st.mutex);
    if (auto const* row = st.pricing->find(provider_name, gpu))
        return row->usd_per_hour(market_of(pod, h)) * count;
    return 0.0;
}

inline cost cost_of(training_state& st, pod_info const& pod, pod_record const& rec, job_handle const& h,
                    std::optional<time_point> end)
{
    cost c;
    auto start = pod.created_at;
    if (!start && h.launched_at != time_point{})
        start = h.launched_at;
    double const price = pod_price(st, pod, rec, h);
    if (!start || price <= 0)
    {
        auto const& gpu = pod.gpu_id.empty() ? h.compute.id : pod.gpu_id;
        c.basis = start ? "no price is known for " + (gpu.empty() ? std::string("this pod's GPU") : "GPU " + gpu)
                        : "the start time is unknown";
        c.known = false;
        return c;
    }
    auto const runtime = std::chrono::duration_cast<std::chrono::milliseconds>(end.value_or(clock::now()) - *start);
    messages::gpu_offer per_pod;
    per_pod.provider = std::string(provider_name);
    per_pod.id = pod.gpu_id;
    per_pod.on_demand_usd_per_hour = price;
    per_pod.spot_usd_per_hour = price;
    per_pod.billing = messages::per_second_billing;
    return messages::compute_cost(per_pod, runtime, market_of(pod, h));
}

inline job_status final_status(training_state& st, pod_info const& pod, pod_record const& rec, job_handle const& h)
{
    job_status s;
    s.state = *rec.final_state;
    s.detail = rec.final_detail;
    s.exit_code = rec.exit_code;
    s.cost_so_far = cost_of(st, pod, rec, h, rec.ended_at);
    return s;
}

/// The state an ended (or finishing) pod's job ends in, from its status word and its log.
inline void decide(pod_info const& pod, log_outcome const& outcome, pod_record& rec)
{
    if (outcome.completed)
    {
        rec.final_state = job_state::succeeded;
        rec.final_detail = "the workload printed the completion marker (pod " + pod.status + ")";
        return;
    }
    if (outcome.exit_code)
    {
        rec.exit_code = outcome.exit_code;
        rec.final_state = *outcome.exit_code == 124 ? job_state::timed_out : job_state::failed;
        rec.final_detail = "the workload exited with status " + std::to_string(*outcome.exit_code) +
                           (*outcome.exit_code == 124 ? " (its max runtime passed)" : "") + " without saving a model";
        return;
    }
    if (pod.status == "TERMINATED")
    {
        rec.final_state = job_state::cancelled;
        rec.final_detail = "the pod was terminated before the workload finished";
        return;
    }
    rec.final_state = job_state::failed;
    rec.final_detail = pod.status == "ERROR" ? "the pod failed (ERROR) before the workload finished"
                                             : "the container exited without printing the completion marker";
}

/// Settles a job whose outcome is known: terminates its pod (so billing stops) and records the
/// outcome. When the pod cannot be terminated now, the outcome is reported but not recorded,
/// so the next status() tries again.
inline task<job_status> finish(state_ptr st, pod_info pod, pod_record rec, job_handle h, bool terminate)
{
    if (!rec.ended_at)
        rec.ended_at = clock::now();
    bool settled = true;
    if (terminate && pod.status != "TERMINATED")
    {
        auto t = co_await terminate_pod(st, pod.id);
        settled = t.has_value();
    }
    if (settled && (terminate || has_ended(pod.status)))
        st->update(pod.id, [&](pod_record& r) { r = rec; });
    co_return final_status(*st, pod, rec, h);
}

inline std::optional<std::chrono::seconds> max_runtime_of(pod_info const& pod)
{
    auto it = pod.env.find(max_runtime_env);
    if (it == pod.env.end())
        return std::nullopt;
    long long s = 0;
    auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), s);
    if (ec != std::errc() || s <= 0)
        return std::nullopt;
    return std::min(std::chrono::seconds(s), max_runtime_limit); // a pod's env is not ours alone
}

/// The job's status from its pod: reads the log tail to tell success from failure, and
/// finishes the job when it has ended.
inline task<job_status> settle(state_ptr st, job_handle h, pod_info pod)
{
    auto rec = st->record(pod.id);
    if (rec.final_state)
        co_return final_status(*st, pod, rec, h);
    if (pod.cost_per_hour > 0)
    {
        rec.price_per_hour = pod.cost_per_hour;
        st->update(pod.id, [&](pod_record& r) { r.price_per_hour = pod.cost_per_hour; });
    }
    bool const auto_terminate = st->opts().terminate_on_completion;
    auto const state = state_of(pod.status);

    if (state == job_state::running)
    {
        auto outcome = co_await scan_log_tail(st, pod, st->opts().status_log_window);
        if (outcome && outcome->decided())
        {
            decide(pod, *outcome, rec);
            co_return co_await finish(st, pod, rec, h, auto_terminate);
        }
    }
    // The job's own deadline, from the pod's creation: the pod is stopped once it is past it,
    // whether it runs or has not started yet (an image pull that never ends bills too).
    if (auto limit = max_runtime_of(pod);
        !has_ended(pod.status) && limit && pod.created_at && clock::now() - *pod.created_at > *limit)
    {
        rec.final_state = job_state::timed_out;
        rec.final_detail = state == job_state::running
                               ? "the job ran longer than its max runtime and was terminated"
                               : "the pod had not started within the job's max runtime and was terminated";
        co_return co_await finish(st, pod, rec, h, true);
    }
    if (has_ended(pod.status))
    {
        auto outcome = co_await scan_ended_log(st, pod, std::max(st->opts().log_window, std::chrono::milliseconds(1000)));
        // The log tells success from failure. When it cannot be read now (a 429, a 5xx, a
        // timeout), nothing is decided, recorded or terminated (terminating would lose the
        // log): the error says so, and the next status() reads the log again.
        if (!outcome && passes(outcome.error()))
            co_return error(outcome.error()).with_retry_safe();
        log_outcome seen = outcome ? *outcome : log_outcome{};
        decide(pod, seen, rec);
        if (seen.last_ts)
            rec.ended_at = seen.last_ts;
        // An exited pod still bills its disk: terminate it too.
        co_return co_await finish(st, pod, rec, h, auto_terminate && pod.status != "TERMINATED");
    }

    job_status s;
    s.state = state;
    s.detail = pod.status;
    s.cost_so_far = cost_of(*st, pod, rec, h, std::nullopt);
    co_return s;
}

inline job_handle handle_of(training_state& st, pod_info const& pod, std::optional<storage_uri> output)
{
    job_handle h;
    h.provider = std::string(provider_name);
    h.id = pod.id;
    h.name = pod.name;
    h.compute = {pod.gpu_id, std::max(1, pod.gpu_count)};
    h.market = pod.cloud == "COMMUNITY" ? market::spot : market::on_demand;
    h.launched_at = pod.created_at.value_or(clock::now());
    h.region = pod.datacenter;
    h.output = std::move(output);
    h.price_per_hour = pod_price(st, pod, pod_record{}, h);
    return h;
}

// ---------------------------------------------------------------------------------------------
// Launch

/// Where the job's data lives: the one network volume it mounts.
struct placement
{
    std::string volume_id;
    std::string datacenter;
};

/// Resolves the job's dataset and output to locations on one volume (relative paths are on the
/// default volume) and tells where the pod must run.
inline result<placement> place(job_spec& spec, options const& o)
{
    placement p{o.network_volume_id, o.datacenter};
    std::optional<storage_uri> seen;
    for (auto* slot : {&spec.dataset, &spec.output})
    {
        if (!*slot)
            continue;
        auto uri = resolve_location(o, **slot, slot == &spec.dataset ? "the dataset" : "the output");
        if (!uri)
            return uri.error();
        if (seen && (seen->bucket != uri->bucket || seen->datacenter != uri->datacenter))
            return error(errc::invalid_argument, "a pod mounts one network volume, but the dataset and the output are on " +
                                                     seen->bucket + " and " + uri->bucket)
                .with_provider(provider_name);
        **slot = *uri;
        seen = *uri;
        p.volume_id = uri->bucket;
        p.datacenter = uri->datacenter;
    }
    return p;
}

inline std::string mounted(std::string const& mount, storage_uri const& uri)
{
    std::string base = mount;
    while (base.size() > 1 && base.back() == '/')
        base.pop_back();
    return uri.key.empty() ? base : base + "/" + uri.key;
}

inline std::string substitute(std::string arg, std::map<std::string, std::string> const& values)
{
    for (auto const& [name, value] : values)
        for (auto at = arg.find(name); at != std::string::npos; at = arg.find(name, at + value.size()))
            arg.replace(at, name.size(), value);
    return arg;
}

/// Why one candidate was refused, for the final message.
struct refusal
{
    std::string gpu;
    int status = 0;
    std::string reason;
};

inline std::string describe_refusals(std::vector<refusal> const& refused)
{
    std::string out;
    for (auto const& r : refused)
        out += (out.empty() ? "" : "; ") + r.gpu + ": " + r.reason;
    return out;
}

/// Reads the pod list until the pod named `name` shows up or `checks` lists have not shown it.
inline task<std::optional<pod_info>> look_for_orphan(state_ptr st, std::string name)
{
    auto const& lo = st->opts().launch;
    unsigned const checks = std::max(1u, lo.orphan_checks);
    for (unsigned i = 0; i < checks; ++i)
    {
        if (i > 0)
            co_await sleep_for(lo.orphan_check_interval);
        auto found = co_await find_pod(st, name);
        if (!found)
            co_return found.error();
        if (*found)
            co_return found;
    }
    co_return std::optional<pod_info>{};
}

inline task<void> refresh_catalog_impl(state_ptr st, std::size_t* changed)
{
    std::string const op = "GET /v2/catalog/gpus";
    auto url = st->api.rest_url({"catalog", "gpus"});
    if (!url)
        co_return url.error();
    net::request req{.url = *url};
    auto r = co_await st->api.send(std::move(req), op);
    if (!r)
        co_return r.error();
    if (!r->ok())
        co_return api::error_from(*r, op);
    auto gpus = parse_catalog(r->body);
    if (!gpus)
        co_return api::decorate(gpus.error(), op);
    auto today = format_rfc3339(clock::now()).substr(0, 10);
    std::lock_guard lock(st->mutex);
    auto n = apply_catalog(*st->pricing, *gpus, today);
    st->catalog_refreshed = std::chrono::steady_clock::now();
    if (changed)
        *changed = n;
    co_return result<void>{};
}

/// The clean-up of a launch cancelled once its create may have reached RunPod: nobody will get
/// the pod's handle, so the pod (`pod_id`, else the one found by name) is terminated. Says what
/// became of it.
inline boost::asio::awaitable<std::string> clean_up_cancelled_launch(state_ptr st, std::string name,
                                                                     std::optional<std::string> pod_id)
{
    if (!pod_id)
    {
        auto orphan = co_await look_for_orphan(st, name);
        if (!orphan)
            co_return "whether pod " + name + " was created is unknown (" + orphan.error().message +
                "): training::list_jobs() shows it";
        if (!*orphan)
            co_return "no pod named " + name + " is listed";
        pod_id = (*orphan)->id;
    }
    auto stopped = co_await terminate_pod(st, *pod_id);
    co_return stopped ? "pod " + *pod_id + " it created was terminated"
                      : "terminating pod " + *pod_id + " it created failed (" + stopped.error().message + ")";
}

inline error launch_cancelled(std::string const& what_became_of_the_pod)
{
    return error(errc::cancelled, "the launch was cancelled; " + what_became_of_the_pod)
        .with_provider(provider_name)
        .with_operation("launch");
}

inline task<job_handle> cancelled_after_create(state_ptr st, std::string name, std::optional<std::string> pod_id)
{
    auto clean_up = clean_up_cancelled_launch(st, std::move(name), std::move(pod_id));
    auto what = co_await mlcloud::detail::shielded(std::move(clean_up));
    co_return launch_cancelled(what);
}

inline task<job_handle> launch_impl(state_ptr st, job_spec spec)
{
    auto const& o = st->opts();
    if (auto auth = st->api.authorization(); !auth)
        co_return auth.error();
    if (spec.command.empty())
        co_return error(errc::invalid_argument, "the job has no command").with_provider(provider_name);
    if (spec.max_runtime > max_runtime_limit)
        co_return error(errc::invalid_argument, max_runtime_refusal)
            .with_provider(provider_name);
    if (!valid_price_cap(spec.max_price_per_hour))
        co_return error(errc::invalid_argument, price_cap_refusal)
            .with_provider(provider_name);
    std::string image = spec.image.empty() ? o.image : spec.image;
    if (image.empty())
        co_return error(errc::invalid_argument,
                        "no container image: set job_spec::image or runpod::options::image (MLCLOUD_TRAINER_IMAGE) to "
                        "an image built from examples/trainer/Dockerfile")
            .with_provider(provider_name);
    auto where = place(spec, o);
    if (!where)
        co_return where.error();

    // The live prices, at most once per catalog_max_age; the table stays as it is on failure.
    if (o.refresh_catalog)
    {
        bool due = false;
        {
            std::lock_guard lock(st->mutex);
            due = !st->catalog_refreshed ||
                  std::chrono::steady_clock::now() - *st->catalog_refreshed > o.catalog_max_age;
            if (due)
                st->catalog_refreshed = std::chrono::steady_clock::now();
        }
        if (due)
            co_await refresh_catalog_impl(st, nullptr);
    }

    std::string const key = spec.idempotency_key.empty() ? random_hex(32) : spec.idempotency_key;
    std::string const name = pod_name(spec.name, key);

    // A pod launched with this key before (a retry after a restart) is the job.
    auto existing = co_await find_pod(st, name);
    if (!existing)
        co_return existing.error();
    if (*existing)
        co_return handle_of(*st, **existing, spec.output);

    pod_create body;
    body.name = name;
    body.image = image;
    body.cloud = spec.market == market::spot ? "COMMUNITY" : "SECURE";
    if (!where->datacenter.empty())
        body.datacenters = {where->datacenter};
    body.disk_gb = o.container_disk_gb;
    body.ports = o.ports;
    body.volume_id = where->volume_id;
    body.mount_path = o.mount_path;
    body.env = spec.env;
    std::map<std::string, std::string> placeholders{{"{job_id}", name}};
    body.env[job_id_env] = name;
    if (spec.dataset)
        body.env[dataset_env] = placeholders["{dataset}"] = mounted(o.mount_path, *spec.dataset);
    if (spec.output)
        body.env[output_env] = placeholders["{output}"] = mounted(o.mount_path, *spec.output);
    if (spec.max_runtime.count() > 0)
        body.env[max_runtime_env] = std::to_string(spec.max_runtime.count());
    std::vector<std::string> argv;
    for (auto const& a : spec.command)
        argv.push_back(substitute(a, placeholders));
    body.args = join_args(argv);

    std::vector<compute_type> candidates = spec.compute;
    if (candidates.empty())
        for (auto const& id : o.default_gpus)
            candidates.push_back({id, 1});

    std::vector<refusal> refused;
    bool any_capacity = false, any_forbidden = false, any_price = false;
    std::optional<std::chrono::steady_clock::time_point> throttled_since; // the first 429 of this launch
    std::string const op = "POST /v2/pods";

    for (auto const& candidate : candidates)
    {
        if (spec.max_price_per_hour)
        {
            // A GPU whose price is unknown cannot be shown to be under the cap: it is refused,
            // not taken as free.
            std::optional<double> price;
            {
                std::lock_guard lock(st->mutex);
                if (auto const* row = st->pricing->find(provider_name, candidate.id))
                    price = row->usd_per_hour(spec.market) * std::max(1, candidate.gpu_count);
            }
            if (!price)
            {
                any_price = true;
                refused.push_back({candidate.id, 0, "its price is unknown, so max_price_per_hour cannot be honoured"});
                continue;
            }
            if (*price > *spec.max_price_per_hour)
            {
                any_price = true;
                refused.push_back({candidate.id, 0, messages::format_usd_per_hour(*price) + " is above the limit " +
                                                        messages::format_usd_per_hour(*spec.max_price_per_hour)});
                continue;
            }
        }
        body.gpu_id = candidate.id;
        body.gpu_count = std::max(1, candidate.gpu_count);
        std::string const text = to_json(body);

        unsigned failures = 0; // 5xx and lost answers on this candidate
        for (;;)
        {
            // (This runs under without_cancellation_throws: the caller's cancellation is looked
            // for here, after every wait, and after every create.)
            if (co_await mlcloud::detail::cancelled_now())
            {
                if (failures == 0)
                    co_return launch_cancelled("no pod was created");
                co_return co_await cancelled_after_create(st, name, std::nullopt); // an earlier try may have
            }
            auto url = st->api.rest_url({"pods"});
            if (!url)
                co_return url.error();
            net::request req{.method = net::method::post, .url = *url, .body = text};
            auto r = co_await st->api.send(std::move(req), op);
            if (co_await mlcloud::detail::cancelled_now())
            {
                std::optional<std::string> created;
                if (r && r->ok())
                    if (auto pod = parse_pod(r->body))
                        created = pod->id;
                co_return co_await cancelled_after_create(st, name, std::move(created));
            }
            std::optional<error> uncertain; // the pod may exist although we were not told
            bool created = false;           // a 2xx: it does, whether or not it is listed yet
            if (!r)
            {
                if (r.error().is(errc::unauthorized) || r.error().is(errc::invalid_argument))
                    co_return r.error();
                uncertain = r.error();
            }
            else if (r->ok())
            {
                auto pod = parse_pod(r->body);
                if (pod)
                    co_return handle_of(*st, *pod, spec.output);
                uncertain = api::decorate(pod.error(), op); // created, but unreadable: find it by name
                created = true;
            }
            else if (r->status == 429)
            {
                // The budget counts the time since the first 429, round trips included.
                if (!throttled_since)
                    throttled_since = std::chrono::steady_clock::now();
                auto const pause = st->api.throttle_pause(*r, *throttled_since);
                if (!pause)
                {
                    auto const throttled_for = std::chrono::steady_clock::now() - *throttled_since;
                    auto e = api::error_from(*r, op);
                    e.message = "RunPod kept rate-limiting pod creation (waited " +
                                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(throttled_for).count()) +
                                " s): " + e.message;
                    co_return e.with_retry_safe(true);
                }
                co_await sleep_for(*pause);
                continue;
            }
            else if (r->status >= 500)
                uncertain = api::error_from(*r, op);
            else
            {
                auto e = api::error_from(*r, op);
                switch (r->status)
                {
                case 400: // a rule the request breaks, or no capacity for this GPU: try the next
                    any_capacity = true;
                    refused.push_back({candidate.id, 400, e.message});
                    break;
                case 403: // not allowed to rent this GPU: skip it
                    any_forbidden = true;
                    refused.push_back({candidate.id, 403, e.message});
                    break;
                case 402:
                    e.code = make_error_code(errc::quota);
                    e.message = "RunPod refused the pod for lack of balance: add credit (a pod needs at least one "
                                "hour of it) and launch again (" + e.message + ")";
                    co_return e;
                case 422:
                    e.message = "RunPod rejected the pod request as invalid (never retried): " + e.message;
                    co_return e;
                default:
                    co_return e;
                }
                break; // next candidate
            }

            // The outcome is open: look for the pod before anything is sent again.
            auto orphan = co_await look_for_orphan(st, name);
            if (co_await mlcloud::detail::cancelled_now())
            {
                auto found = orphan && *orphan ? std::optional<std::string>((*orphan)->id) : std::nullopt;
                co_return co_await cancelled_after_create(st, name, std::move(found));
            }
            if (!orphan)
            {
                error e(errc::outcome_unknown, "creating pod " + name + " may have succeeded (" + uncertain->message +
                                                   ") and the pod list cannot be read to check (" +
                                                   orphan.error().message +
                                                   "); launch again with the same idempotency key to adopt it");
                co_return e.with_provider(provider_name).with_operation(op).with_retry_safe(true);
            }
            if (*orphan)
                co_return handle_of(*st, **orphan, spec.output);
            if (created)
            {
                // Never a second create after a 2xx: the pod exists but is not listed yet.
                error e(errc::outcome_unknown, "RunPod created pod " + name + " but its answer could not be read (" +
                                                   uncertain->message + ") and the pod is not listed yet; wait until "
                                                   "training::list_jobs() shows it before launching again with the "
                                                   "same idempotency key (which then adopts it)");
                co_return e.with_provider(provider_name).with_operation(op).with_retry_safe(false);
            }
            if (++failures >= std::max(1u, o.launch.attempts_per_candidate))
            {
                error e = *uncertain;
                e.message = "pod creation failed " + std::to_string(failures) + " times on " + candidate.id +
                            " (no pod named " + name + " exists): " + e.message;
                co_return e.with_retry_safe(true);
            }
            co_await sleep_for(backoff(o.launch.backoff, o.launch.max_backoff, failures));
        }
    }

    std::string why = describe_refusals(refused);
    if (any_capacity)
        co_return error(errc::capacity, "no GPU candidate could be rented (" + why +
                                            "); when every GPU type is refused with 400 the request itself may "
                                            "break a rule (datacenter of the volume, disk size, image)")
            .with_provider(provider_name)
            .with_operation(op)
            .with_retry_safe(true);
    if (any_forbidden)
        co_return error(errc::forbidden, "the API key may not rent any of the GPU candidates (" + why + ")")
            .with_provider(provider_name)
            .with_operation(op);
    if (any_price)
        co_return error(errc::invalid_argument, "no GPU candidate is known to cost at most max_price_per_hour (" + why + ")")
            .with_provider(provider_name);
    co_return error(errc::invalid_argument, "no GPU candidate to launch on").with_provider(provider_name);
}

// ---------------------------------------------------------------------------------------------
// Status, logs, terminate

inline task<job_status> status_impl(state_ptr st, job_handle h)
{
    if (auto c = check_handle(h); !c)
        co_return c.error();
    auto pod = co_await get_pod(st, h.id);
    if (!pod)
    {
        auto rec = st->record(h.id);
        if (pod.error().is(errc::not_found) && rec.final_state)
            co_return final_status(*st, pod_info{.id = h.id}, rec, h);
        co_return pod.error();
    }
    co_return co_await settle(st, h, *pod);
}

/// How a failed read of the log stream counts for the retry policy: as http_client counts a
/// whole request (a 5xx or a lost connection is transient, 429 throttling, a timeout a timeout).
inline net::retry_class log_retry_class(error const& e)
{
    switch (e.http_status)
    {
    case 429: return net::retry_class::throttling;
    case 500:
    case 502:
    case 503:
    case 504: return net::retry_class::transient;
    case 0: break;
    default: return net::retry_class::none;
    }
    if (e.is(errc::timeout))
        return net::retry_class::timeout;
    if (e.is(errc::network_error) || e.is(errc::outcome_unknown))
        return net::retry_class::transient;
    return net::retry_class::none;
}

// The event stream of a pod's log after `from` (from the pod's creation when `from` is the start).
inline result<net::sse_reader> open_log(training_state& st, job_handle const& h, log_cursor const& from,
                                        pod_info const& pod)
{
    net::query_params query{{"source", "container"}};
    if (from.token.empty())
    {
        // The reference does not say whether `tail` (default 100) also applies when `since` is
        // given; asking for the most it allows keeps a long history whole either way.
        query.emplace_back("since", format_rfc3339(pod.created_at.value_or(h.launched_at)));
        query.emplace_back("tail", std::to_string(max_log_tail));
    }
    auto url = st.api.rest_url({"pods", h.id, "logs"}, query);
    if (!url)
        return url.error();
    auto auth = st.api.authorization();
    if (!auth)
        return auth.error();
    net::request req{.url = std::move(*url)};
    req.headers.set("Authorization", *auth);
    return net::sse_reader(st.api.http(), std::move(req), net::sse_options{.last_event_id = from.token});
}

// The container's lines among a read's events, and what they say about the workload's end.
inline log_chunk container_lines(net::sse_batch const& batch, log_cursor const& from, bool pod_ended, log_outcome& outcome)
{
    log_chunk chunk;
    for (auto const& ev : batch.events)
    {
        if (ev.type != "message" && ev.type != "log")
            continue;
        auto e = parse_log_event(ev.data);
        if (!e.source.empty() && e.source != "container")
            continue;
        observe_line(outcome, e.line);
        chunk.lines.push_back(std::move(e.line));
    }
    chunk.next.token = batch.last_event_id.empty() ? from.token : batch.last_event_id;
    chunk.end_of_stream = batch.end_of_stream || (pod_ended && batch.events.empty());
    return chunk;
}

// (The request and the events are handled by the two functions above, so that this frame, one
// per followed job for the whole log window, holds no more than it must.)
inline task<log_chunk> read_logs_impl(state_ptr st, job_handle h, log_cursor from)
{
    if (auto c = check_handle(h); !c)
        co_return c.error();
    auto const& o = st->opts();
    auto pod = co_await get_pod(st, h.id);
    if (!pod)
    {
        if (pod.error().is(errc::not_found) && st->record(h.id).final_state)
            co_return log_chunk{{}, from, true}; // gone with its log; everything was settled before
        co_return pod.error();
    }
    bool const ended = has_ended(pod->status);
    auto reader = open_log(*st, h, from, *pod);
    if (!reader)
        co_return reader.error();
    // The reader reconnects streams that break; a refused or unanswered request is retried
    // here, as http_client retries every other RunPod request (GET: idempotent).
    net::retry_policy policy(st->api.http().options().retry);
    net::sse_limits const limits{.max_duration = o.log_window, .max_bytes = o.log_max_bytes};
    auto batch = co_await reader->read(limits);
    for (unsigned attempts = 1; !batch; ++attempts)
    {
        auto const* refusal = reader->last_refusal();
        auto const decision = policy.on_failure(log_retry_class(batch.error()), attempts,
                                                refusal ? policy.retry_after(*refusal) : std::nullopt);
        if (!decision.retry)
            break;
        co_await sleep_for(decision.delay);
        batch = co_await reader->read(limits);
    }
    if (!batch)
    {
        // The pod exists (we just read it): a log that is not there is a log not there yet, or
        // one that is gone with an ended pod.
        if (batch.error().is(errc::not_found))
            co_return log_chunk{{}, from, ended};
        co_return api::decorate(batch.error(), "GET /v2/pods/{id}/logs");
    }
    log_outcome outcome;
    auto chunk = container_lines(*batch, from, ended, outcome);

    // The workload is done: stop the pod now rather than at the next status().
    if (outcome.decided() && !ended && o.terminate_on_completion)
    {
        auto rec = st->record(h.id);
        if (!rec.final_state)
        {
            decide(*pod, outcome, rec);
            co_await finish(st, *pod, rec, h, true);
        }
    }
    co_return chunk;
}

inline task<job_status> terminate_impl(state_ptr st, job_handle h)
{
    if (auto c = check_handle(h); !c)
        co_return c.error();
    auto pod = co_await get_pod(st, h.id);
    if (!pod)
    {
        auto rec = st->record(h.id);
        if (pod.error().is(errc::not_found) && rec.final_state)
            co_return final_status(*st, pod_info{.id = h.id}, rec, h);
        co_return pod.error();
    }
    if (pod->status == "TERMINATED")
        co_return co_await settle(st, h, *pod);
    // A pod that ended unseen by this process (kept by terminate_on_completion off, or a
    // restart) is judged from its log first: terminating it loses the log.
    if (has_ended(pod->status) && !st->record(h.id).final_state)
        co_await settle(st, h, *pod);
    if (st->record(h.id).final_state)
    {
        // Its outcome is known (a status() that kept the finished pod, terminate_on_completion
        // off), but the pod still bills its disk until it is terminated.
        if (auto t = co_await terminate_pod(st, h.id); !t)
            co_return t.error();
        pod->status = "TERMINATED";
        co_return co_await settle(st, h, *pod);
    }
    if (pod->cost_per_hour > 0)
        st->update(pod->id, [&](pod_record& r) { r.price_per_hour = pod->cost_per_hour; });
    auto ended_at = clock::now();
    if (auto t = co_await terminate_pod(st, h.id); !t)
        co_return t.error();
    auto after = co_await get_pod(st, h.id);
    pod_info final_pod = after ? *after : *pod;
    if (!after)
        final_pod.status = "TERMINATED";
    auto rec = st->record(h.id);
    if (!rec.final_state)
    {
        // A workload that finished just before the request still counts as finished.
        auto outcome = co_await scan_ended_log(st, final_pod, std::chrono::milliseconds(1000));
        final_pod.status = "TERMINATED";
        decide(final_pod, outcome ? *outcome : log_outcome{}, rec);
        rec.ended_at = ended_at;
        st->update(h.id, [&](pod_record& r) { r = rec; });
    }
    co_return final_status(*st, final_pod, rec, h);
}

inline task<std::vector<job_handle>> list_jobs_impl(state_ptr st)
{
    auto pods = co_await list_pods(st);
    if (!pods)
        co_return pods.error();
    std::vector<job_handle> out;
    for (auto const& p : *pods)
        if (p.name.starts_with("mlcloud-"))
            out.push_back(handle_of(*st, p, std::nullopt));
    co_return out;
}

inline task<std::size_t> refresh_pricing_impl(state_ptr st)
{
    std::size_t changed = 0;
    auto r = co_await refresh_catalog_impl(st, &changed);
    if (!r)
        co_return r.error();
    co_return changed;
}

} // namespace detail

MLCLOUD_DECL training::training(boost::asio::any_io_executor ex, options const& opts)
    : state_(std::make_shared<detail::training_state>(ex, opts))
{
}

MLCLOUD_DECL task<job_handle> training::launch(job_spec const& spec)
{
    return mlcloud::detail::without_cancellation_throws(detail::launch_impl(state_, spec));
}

MLCLOUD_DECL task<job_status> training::status(job_handle const& job)
{
    return detail::status_impl(state_, job);
}

MLCLOUD_DECL task<log_chunk> training::read_logs(job_handle const& job, log_cursor const& from)
{
    return detail::read_logs_impl(state_, job, from);
}

MLCLOUD_DECL task<job_status> training::terminate(job_handle const& job)
{
    return detail::terminate_impl(state_, job);
}

MLCLOUD_DECL task<std::vector<job_handle>> training::list_jobs()
{
    return detail::list_jobs_impl(state_);
}

MLCLOUD_DECL task<std::size_t> training::refresh_pricing()
{
    return detail::refresh_pricing_impl(state_);
}

MLCLOUD_DECL std::shared_ptr<messages::pricing_table const> training::pricing() const
{
    return state_->pricing;
}

} // namespace runpod
} // namespace mlcloud

#endif
