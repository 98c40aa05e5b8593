//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_IMPL_PREDICTION_IPP
#define MLCLOUD_RUNPOD_IMPL_PREDICTION_IPP

#include <mlcloud/runpod/prediction.hpp>

#include <mlcloud/detail/cancellation.hpp>
#include <mlcloud/messages/cost.hpp>
#include <mlcloud/runpod/detail/api.hpp>
#include <mlcloud/runpod/detail/wire.hpp>

#include <algorithm>

namespace mlcloud {
namespace runpod {
namespace detail {

struct prediction_state
{
    prediction_state(boost::asio::any_io_executor ex, options const& o)
        : api(ex, o),
          pricing(o.pricing ? o.pricing : std::make_shared<messages::pricing_table>(messages::pricing_table::builtin()))
    {
    }

    detail::api api;
    std::shared_ptr<messages::pricing_table> pricing;

    options const& opts() const noexcept { return api.opts(); }
};

using prediction_ptr = std::shared_ptr<prediction_state>;
using steady = std::chrono::steady_clock;

inline std::string bare_job_id(std::string id)
{
    if (id.starts_with("runpod-"))
        id.erase(0, 7);
    return id;
}

inline std::string megabytes(std::size_t bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1 << 20));
    return buf;
}

inline error cancelled_prediction_error(std::string const& what_became_of_the_job)
{
    return error(errc::cancelled, "the prediction was cancelled; " + what_became_of_the_job)
        .with_provider(provider_name)
        .with_operation("predict");
}

/// POST /run or /runsync. A submission that got no clear answer is sent again: a prediction
/// has no effect besides its cost, and the worst case is one extra billed execution.
inline task<job_object> submit(prediction_ptr st, std::string body, bool sync, steady::time_point deadline)
{
    using std::chrono::milliseconds;
    auto const& po = st->opts().prediction;
    std::string const op = sync ? "POST /runsync" : "POST /run";

    unsigned failures = 0;
    unsigned throttles = 0; // 429s so far: RunPod asks for exponential backoff on serverless 429s
    for (;;)
    {
        // /runsync holds the request for up to `wait`: no longer than the prediction has left.
        auto const left = std::chrono::duration_cast<milliseconds>(deadline - steady::now());
        auto const wait = std::clamp(std::min(po.runsync_wait, left), milliseconds(1000), milliseconds(300000));
        net::query_params query;
        if (sync)
            query.emplace_back("wait", std::to_string(wait.count()));
        auto url = st->api.serverless_url(st->opts().endpoint_id, {sync ? "runsync" : "run"}, query);
        if (!url)
            co_return url.error();
        net::request req{.method = net::method::post, .url = std::move(*url), .body = body};
        if (sync) // the answer may take the whole wait
            req.timeouts.idle = wait + std::chrono::seconds(30);
        auto r = co_await st->api.send(std::move(req), op);
        if (co_await mlcloud::detail::cancelled_now())
        {
            if (r && r->ok())
                if (auto job = parse_job(r->body); job && !job->id.empty())
                    co_return job; // the caller cancels it unless it has ended
            co_return cancelled_prediction_error(
                "its job may be queued or running, with no id to cancel it by (RunPod gives the id only with "
                "the answer; /run gives it at once)");
        }
        std::optional<error> failure;
        if (!r)
        {
            if (r.error().is(errc::unauthorized) || r.error().is(errc::invalid_argument))
                co_return r.error();
            failure = r.error();
        }
        else if (r->ok())
        {
            auto job = parse_job(r->body);
            if (!job)
                co_return api::decorate(job.error(), op);
            if (job->id.empty())
                co_return error(errc::protocol_error, "RunPod accepted the job without giving its id")
                    .with_provider(provider_name)
                    .with_operation(op);
            co_return job;
        }
        else if (r->status == 429)
        {
            auto const backed_off = backoff(std::chrono::seconds(1), std::chrono::seconds(30), ++throttles);
            auto wait = st->api.retry_after(*r, backed_off);
            if (steady::now() + wait >= deadline)
                co_return api::error_from(*r, op).with_retry_safe(true);
            co_await sleep_for(wait);
            if (co_await mlcloud::detail::cancelled_now())
                co_return cancelled_prediction_error("it was not submitted");
            continue;
        }
        else if (r->status >= 500)
            failure = api::error_from(*r, op);
        else
        {
            auto e = api::error_from(*r, op);
            if (r->status == 404)
                e.message = "no serverless endpoint " + st->opts().endpoint_id + " at this URL (" + e.message + ")";
            co_return e;
        }
        if (++failures >= std::max(1u, po.submit_attempts) || steady::now() >= deadline)
        {
            failure->message = "submitting the prediction failed " + std::to_string(failures) + " times: " +
                               failure->message;
            co_return *failure;
        }
        auto const pause = backoff(std::chrono::milliseconds(500), std::chrono::seconds(5), failures);
        co_await sleep_for(std::min(pause, std::chrono::duration_cast<milliseconds>(deadline - steady::now())));
        if (co_await mlcloud::detail::cancelled_now())
            co_return cancelled_prediction_error("it may have been submitted before: " + failure->message);
    }
}

inline task<job_object> fetch_job(prediction_ptr st, std::string id)
{
    std::string const op = "GET /status/{id}";
    auto url = st->api.serverless_url(st->opts().endpoint_id, {"status", id});
    if (!url)
        co_return url.error();
    net::request req{.url = *url};
    auto r = co_await st->api.send(std::move(req), op);
    if (!r)
        co_return r.error();
    if (r->status == 404)
    {
        // RunPod deletes a job when its TTL (or the result retention) passes, even mid-run.
        auto e = api::error_from(*r, op);
        e.code = make_error_code(errc::expired);
        e.message = "RunPod no longer knows job " + id +
                    ": its result expired (TTL or result retention passed) before it was read";
        co_return e;
    }
    if (!r->ok())
        co_return api::error_from(*r, op);
    auto job = parse_job(r->body);
    if (!job)
        co_return api::decorate(job.error(), op);
    co_return job;
}

inline task<void> cancel_impl(prediction_ptr st, std::string id)
{
    std::string const op = "POST /cancel/{id}";
    auto url = st->api.serverless_url(st->opts().endpoint_id, {"cancel", bare_job_id(id)});
    if (!url)
        co_return url.error();
    // Cancelling twice has the effect of cancelling once.
    net::request req{.method = net::method::post, .url = *url, .idempotent = true};
    auto r = co_await st->api.send(std::move(req), op);
    if (!r)
        co_return r.error();
    if (!r->ok())
        co_return api::error_from(*r, op);
    co_return result<void>{};
}

/// Cancels a job the caller no longer waits for, which would otherwise run and bill until its
/// executionTimeout. No further cancellation reaches the request (it is the clean-up of one).
inline task<void> abandon_job(prediction_ptr st, std::string id)
{
    auto cancel = cancel_impl(std::move(st), std::move(id));
    return mlcloud::detail::shielded(std::move(cancel));
}

/// The end of a prediction cancelled while its job was queued or running: the job is cancelled.
inline task<prediction_result> cancelled_with_job(prediction_ptr st, std::string id)
{
    auto stopped = co_await abandon_job(st, id);
    co_return cancelled_prediction_error("job " + id +
                                         (stopped ? " was cancelled too" : " could not be cancelled: " + stopped.error().message));
}

inline task<endpoint_health> health_impl(prediction_ptr st)
{
    std::string const op = "GET /health";
    auto url = st->api.serverless_url(st->opts().endpoint_id, {"health"});
    if (!url)
        co_return url.error();
    net::request req{.url = *url};
    auto r = co_await st->api.send(std::move(req), op);
    if (!r)
        co_return r.error();
    if (!r->ok())
        co_return api::error_from(*r, op);
    auto h = parse_health(r->body);
    if (!h)
        co_return api::decorate(h.error(), op);
    co_return h;
}

inline cost serverless_cost_of(prediction_state& st, std::chrono::milliseconds worker_time)
{
    if (auto const* rate = st.pricing->find_serverless(st.opts().serverless_pool))
    {
        auto c = messages::serverless_cost(*rate, worker_time);
        c.basis += "; includes the start delay, which may hold queue time: an upper bound";
        return c;
    }
    cost c;
    c.basis = "no serverless rate for pool " + st.opts().serverless_pool;
    c.known = false;
    return c;
}

inline task<prediction_result> predict_impl(prediction_ptr st, prediction_request req)
{
    auto const& o = st->opts();
    auto const& po = o.prediction;
    if (auto auth = st->api.authorization(); !auth)
        co_return auth.error();
    // The worker reads models and input files from its network volume.
    auto model = resolve_location(o, req.model, "the model");
    if (!model)
        co_return model.error();
    req.model = *model;
    if (req.input_uri)
    {
        auto input = resolve_location(o, *req.input_uri, "the input");
        if (!input)
            co_return input.error();
        req.input_uri = *input;
    }

    prediction_input in;
    in.model = req.model.str();
    if (req.input_uri)
        in.input = req.input_uri->str();
    else
        in.rows = req.input;
    in.request_key = req.idempotency_key;
    in.execution_timeout = po.execution_timeout;
    in.ttl = po.ttl;
    std::string body = to_json(in);

    // RunPod's limits, checked here: an oversized request must not cost a round trip.
    bool sync = po.mode == prediction_options::mode::runsync;
    if (!sync && body.size() > po.max_run_bytes && body.size() <= po.max_runsync_bytes)
        sync = true; // /runsync takes twice as much
    std::size_t const limit = sync ? po.max_runsync_bytes : po.max_run_bytes;
    if (body.size() > limit)
        co_return error(errc::payload_too_large,
                        "the prediction request is " + megabytes(body.size()) + ", above RunPod's limit of " +
                            megabytes(limit) + " for " + (sync ? "/runsync" : "/run") +
                            ": put the rows in a file on the network volume and pass it as input_uri")
            .with_provider(provider_name);

    auto const timeout = std::max(req.timeout, std::chrono::seconds(1));
    auto const deadline = steady::now() + timeout;
    auto job = co_await submit(st, std::move(body), sync, deadline);
    if (!job)
        co_return job.error();

    // From here on the job exists: a cancelled or broken wait for it cancels it (this runs
    // under without_cancellation_throws, and looks for the caller's cancellation itself).
    auto queued_since = steady::now();
    auto interval = po.poll_initial;
    while (!is_final(job->status))
    {
        if (co_await mlcloud::detail::cancelled_now())
            co_return co_await cancelled_with_job(st, job->id);
        auto const now = steady::now();
        if (job->status != "IN_QUEUE")
            queued_since = now;
        bool const stuck = now - queued_since > po.max_queue_wait;
        if (now >= deadline || stuck)
        {
            std::string why;
            if (stuck)
            {
                auto h = co_await health_impl(st);
                why = "job " + job->id + " waited in the queue for " +
                      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - queued_since).count()) +
                      " s without a worker taking it (" + (h ? h->summary() : "health unknown") +
                      "): the endpoint may have no workers, or they crash-loop";
            }
            else
                why = "job " + job->id + " did not finish within " + std::to_string(timeout.count()) + " s (last status " +
                      job->status + ")";
            auto cancelled = co_await cancel_impl(st, job->id);
            why += cancelled ? "; it was cancelled" : "; cancelling it failed: " + cancelled.error().message;
            co_return error(errc::timeout, why).with_provider(provider_name).with_operation("predict");
        }
        co_await sleep_for(std::min(interval, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
        interval = std::min(interval + interval / 2, po.poll_max);
        if (co_await mlcloud::detail::cancelled_now())
            co_return co_await cancelled_with_job(st, job->id);
        auto next = co_await fetch_job(st, job->id);
        if (!next)
        {
            if (co_await mlcloud::detail::cancelled_now())
                co_return co_await cancelled_with_job(st, job->id);
            // A job whose status cannot be read is not left running (a gone one needs nothing).
            if (!next.error().is(errc::not_found) && !next.error().is(errc::expired))
                co_await abandon_job(st, job->id);
            co_return next.error();
        }
        job = std::move(next);
    }

    auto const worker_time = job->delay.value_or(std::chrono::milliseconds(0)) +
                             job->execution.value_or(std::chrono::milliseconds(0));
    auto fail = [&](error e) {
        e.with_provider(provider_name).with_operation("predict");
        e.request_id = "runpod-" + job->id;
        return e;
    };
    if (job->status == "FAILED")
    {
        auto e = decode_job_error(job->error);
        co_return fail(std::move(e));
    }
    if (job->status == "CANCELLED")
        co_return fail(error(errc::cancelled, "job " + job->id + " was cancelled"));
    if (job->status == "TIMED_OUT")
        co_return fail(error(errc::timeout, "RunPod timed job " + job->id +
                                                " out (its executionTimeout or TTL passed before it finished)"));
    if (!job->has_output)
        co_return fail(error(errc::job_failed, "job " + job->id +
                                                   " completed without output (RunPod drops results above 20 MB)"));
    if (job->predictions.empty() && !job->output_text.empty())
        co_return fail(error(errc::protocol_error, "the worker's output has no \"predictions\": " +
                                                       job->output_text.substr(0, 200)));

    prediction_result out;
    out.request_id = "runpod-" + job->id;
    out.output = std::move(job->predictions);
    out.duration = worker_time;
    out.cost = serverless_cost_of(*st, worker_time);
    co_return out;
}

} // namespace detail

MLCLOUD_DECL prediction::prediction(boost::asio::any_io_executor ex, options const& opts)
    : state_(std::make_shared<detail::prediction_state>(ex, opts))
{
}

MLCLOUD_DECL task<prediction_result> prediction::predict(prediction_request const& request)
{
    return mlcloud::detail::without_cancellation_throws(detail::predict_impl(state_, request));
}

MLCLOUD_DECL task<void> prediction::cancel(std::string const& job_id)
{
    return detail::cancel_impl(state_, job_id);
}

MLCLOUD_DECL task<endpoint_health> prediction::health()
{
    return detail::health_impl(state_);
}

} // namespace runpod
} // namespace mlcloud

#endif
