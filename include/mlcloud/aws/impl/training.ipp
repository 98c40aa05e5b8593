//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_TRAINING_IPP
#define MLCLOUD_AWS_IMPL_TRAINING_IPP

#include <mlcloud/aws/detail/bootstrap.hpp>
#include <mlcloud/aws/detail/context.hpp>
#include <mlcloud/aws/detail/ec2.hpp>
#include <mlcloud/aws/detail/logs.hpp>
#include <mlcloud/aws/training.hpp>
#include <mlcloud/auth/detail/crypto.hpp>
#include <mlcloud/detail/cancellation.hpp>
#include <mlcloud/messages/cost.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

namespace mlcloud::aws {
namespace training_impl {

using detail::backend_context;
using detail::ec2_instance;
using clock = std::chrono::system_clock;

inline error not_found_job(job_handle const& job)
{
    return error(errc::not_found, "no such job: '" + job.id + "' is not an EC2 instance id")
        .with_provider("aws")
        .with_operation("DescribeInstances");
}

/// Why `job` cannot be asked about here, if it cannot: an id that is no instance id, or a job
/// launched in another region. EC2 does not see an instance from another region, and its "not
/// found" would read as "gone": a record dropped, a machine billing unseen.
inline std::optional<error> unreachable_job(backend_context const& ctx, job_handle const& job,
                                            std::string_view operation)
{
    if (!detail::is_instance_id(job.id))
        return not_found_job(job);
    auto const& here = ctx.api->settings().region;
    if (!job.region.empty() && job.region != here)
        return error(errc::invalid_argument, "job " + job.id + " runs in region " + job.region + ", and this provider asks " +
                                                 here + ": set AWS_REGION=" + job.region + " (or options::region)")
            .with_provider("aws")
            .with_operation(operation);
    return std::nullopt;
}

// Built outside the coroutines: GCC 12 mishandles initializer lists inside them.
inline net::query_params one_param(std::string name, std::string value)
{
    net::query_params q;
    q.emplace_back(std::move(name), std::move(value));
    return q;
}

inline log_chunk empty_chunk(log_cursor next, bool end)
{
    log_chunk c;
    c.next = std::move(next);
    c.end_of_stream = end;
    return c;
}

inline error invalid_launch(std::string msg)
{
    return error(errc::invalid_argument, std::move(msg)).with_provider("aws").with_operation("RunInstances");
}

inline std::string random_key()
{
    std::random_device rd;
    std::string s = "auto-";
    for (int i = 0; i < 24; ++i)
        s += "0123456789abcdef"[rd() % 16];
    return s;
}

inline std::string truncate(std::string s, std::size_t n)
{
    if (s.size() > n)
        s.resize(n);
    return s;
}

inline std::string slug(std::string_view name)
{
    std::string out;
    for (char c : name)
    {
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        out += keep ? c : '-';
        if (out.size() >= 40)
            break;
    }
    return out.empty() ? std::string("job") : out;
}

// Where the model goes: the job's own output, else a location under the configured bucket.
inline std::optional<storage_uri> output_of(backend_context const& ctx, job_spec const& spec, std::string_view key)
{
    if (spec.output)
        return spec.output;
    if (ctx.opts.bucket.empty())
        return std::nullopt;
    auto short_key = auth::detail::to_hex(auth::detail::sha256(key)).substr(0, 8);
    return storage_uri::s3(ctx.opts.bucket, ctx.opts.prefix + "models/" + slug(spec.name) + "-" + short_key + "/model.json");
}

inline bool wants_gpus(backend_context const& ctx, job_spec const& spec)
{
    if (!ctx.opts.docker_gpus)
        return false;
    if (spec.compute.empty())
        return true;
    return std::any_of(spec.compute.begin(), spec.compute.end(), [](compute_type const& c) { return c.gpu_count > 0; });
}

inline result<std::string> render(backend_context const& ctx, std::string_view region, job_spec const& spec,
                                  std::string const& key)
{
    detail::bootstrap_input in;
    in.job_name = spec.name;
    in.job_key = key;
    in.region = std::string(region);
    in.log_group = ctx.opts.log_group;
    in.image = spec.image;
    in.command = spec.command;
    in.env = spec.env;
    in.dataset = spec.dataset;
    in.output = output_of(ctx, spec, key);
    in.max_runtime = spec.max_runtime;
    in.shutdown_grace = ctx.opts.shutdown_grace;
    in.gpus = wants_gpus(ctx, spec);
    return detail::render_bootstrap(in);
}

inline messages::gpu_offer offer_for(backend_context const& ctx, std::string const& type, double price_override,
                                     market m)
{
    messages::gpu_offer offer;
    if (auto const* row = ctx.prices().find("aws", type))
        offer = *row;
    else
    {
        offer.provider = "aws";
        offer.id = type;
        offer.billing = messages::ec2_billing;
    }
    if (price_override > 0)
    {
        offer.on_demand_usd_per_hour = price_override;
        if (m == market::spot)
            offer.spot_usd_per_hour = price_override;
    }
    return offer;
}

inline cost cost_of(backend_context const& ctx, ec2_instance const& i, double price_override,
                    std::optional<clock::time_point> ended_at)
{
    market const m = i.lifecycle == "spot" ? market::spot : market::on_demand;
    auto offer = offer_for(ctx, i.type, price_override, m);
    if (offer.on_demand_usd_per_hour <= 0)
        return cost{0.0, std::chrono::seconds(0), "no price is known for instance type " + i.type, false};
    if (!i.launch_time)
        return cost{0.0, std::chrono::seconds(0), "the launch time is unknown", false};
    auto end = ended_at.value_or(clock::now());
    auto runtime = std::chrono::duration_cast<std::chrono::milliseconds>(end - *i.launch_time);
    return messages::compute_cost(offer, std::max(runtime, std::chrono::milliseconds(0)), m);
}

inline job_handle handle_of(backend_context const& ctx, ec2_instance const& i, std::string_view region)
{
    job_handle h;
    h.provider = "aws";
    h.id = i.id;
    if (auto it = i.tags.find(std::string(detail::tag_name)); it != i.tags.end())
        h.name = it->second;
    h.compute.id = i.type;
    h.market = i.lifecycle == "spot" ? market::spot : market::on_demand;
    if (auto const* row = ctx.prices().find("aws", i.type))
    {
        h.compute.gpu_count = row->gpu_count;
        // A spot instance has no price of its own in the table: leave it unknown rather than
        // record the on-demand price as its spot price (the cost then says it is an upper bound).
        if (h.market == market::on_demand || row->spot_usd_per_hour)
            h.price_per_hour = row->usd_per_hour(h.market);
    }
    h.launched_at = i.launch_time.value_or(clock::now());
    h.region = std::string(region);
    if (auto it = i.tags.find(std::string(detail::tag_output)); it != i.tags.end())
        if (auto u = storage_uri::parse(it->second))
            h.output = *u;
    return h;
}

inline task<ec2_instance> describe(backend_context& ctx, std::string const& id)
{
    auto params = one_param("InstanceId.1", id);
    auto xml = co_await ctx.api->query(ec2_service, "DescribeInstances", detail::ec2_api_version, std::move(params));
    if (!xml)
        co_return xml.error();
    auto page = detail::parse_instances(*xml, "DescribeInstances");
    if (!page)
        co_return page.error().with_provider("aws").with_operation("DescribeInstances");
    for (auto& i : page->instances)
        if (i.id == id)
            co_return std::move(i);
    co_return error(errc::not_found, "DescribeInstances did not return instance " + id)
        .with_provider("aws")
        .with_operation("DescribeInstances");
}

inline task<std::vector<ec2_instance>> describe_tagged(backend_context& ctx, std::string_view tag,
                                                       std::optional<std::string> value)
{
    std::vector<ec2_instance> out;
    std::string token;
    for (int page_no = 0; page_no < 100; ++page_no)
    {
        auto q = one_param("Filter.1.Name", value ? "tag:" + std::string(tag) : std::string("tag-key"));
        q.emplace_back("Filter.1.Value.1", value ? *value : std::string(tag));
        if (!token.empty())
            q.emplace_back("NextToken", token);
        auto xml = co_await ctx.api->query(ec2_service, "DescribeInstances", detail::ec2_api_version, std::move(q));
        if (!xml)
            co_return xml.error();
        auto page = detail::parse_instances(*xml, "DescribeInstances");
        if (!page)
            co_return page.error().with_provider("aws").with_operation("DescribeInstances");
        for (auto& i : page->instances)
            out.push_back(std::move(i));
        if (page->next_token.empty() || page->next_token == token)
            break;
        token = page->next_token;
    }
    std::sort(out.begin(), out.end(), [](ec2_instance const& a, ec2_instance const& b) {
        return a.launch_time.value_or(clock::time_point()) < b.launch_time.value_or(clock::time_point());
    });
    co_return out;
}

// At the end of what CloudWatch has: the stream is over once the instance has stopped and
// the settle time has passed (events may still be in flight right after). `token` is where
// the reader is in the stream (empty before its first event).
inline task<bool> log_finished(backend_context& ctx, job_handle const& job, std::string const& token)
{
    auto inst = co_await describe(ctx, job.id);
    if (!inst)
    {
        if (!inst.error().is(errc::not_found))
            co_return inst.error();
        // EC2 lists a terminated instance for about an hour only, and may not list one yet
        // for a few seconds after RunInstances. A stream read from before, or a job launched
        // long ago, has ended with its instance; a job launched just now has not started.
        auto const known_launch = job.launched_at != clock::time_point{};
        auto const age = clock::now() - job.launched_at;
        if (!token.empty() || (known_launch && age > std::chrono::minutes(10)))
            co_return true;
        if (known_launch && age < std::chrono::minutes(2))
            co_return false;
        co_return inst.error();
    }
    if (!detail::is_stopped_state(inst->state))
        co_return false;
    auto verdict = detail::judge_instance(*inst, clock::now());
    auto ended = verdict.ended_at.value_or(clock::time_point());
    co_return clock::now() >= ended + ctx.opts.log_settle_time;
}

// True when one of the newest events of the job's stream carries the completion marker.
inline boost::asio::awaitable<bool> log_has_completion_marker(backend_context& ctx, std::string const& id)
{
    auto body = co_await ctx.api->json(logs_service, "Logs_20140328.GetLogEvents",
                                       detail::get_last_log_events_body(ctx.opts.log_group, id, 20));
    if (!body)
        co_return false;
    auto page = detail::parse_log_events(*body);
    if (!page)
        co_return false;
    for (auto const& m : page->messages)
        if (m.find(completion_marker) != std::string::npos)
            co_return true;
    co_return false;
}

inline task<job_status> status_of(backend_context& ctx, job_handle const& job, ec2_instance const& i)
{
    auto verdict = detail::judge_instance(i, clock::now());
    // (An awaitable<bool>, not a task<bool>: a result<bool> would test true for any answer.)
    if (verdict.consult_log && co_await log_has_completion_marker(ctx, i.id))
    {
        verdict.status.state = job_state::succeeded;
        verdict.status.detail += "; the log ends with the completion marker";
    }
    verdict.status.cost_so_far = cost_of(ctx, i, job.price_per_hour, verdict.ended_at);
    co_return std::move(verdict.status);
}

/// The status of an instance whose TerminateInstances EC2 accepted but whose state after it
/// could not be read (an error, or the caller cancelled): it shuts down all the same, and an
/// error here would read as "still running, still billing". Judged as EC2 will show it.
inline job_status stopping_status(backend_context& ctx, job_handle const& job, ec2_instance i, error const& unread)
{
    i.state = "shutting-down";
    i.state_reason_code = "Client.UserInitiatedShutdown";
    auto verdict = detail::judge_instance(i, clock::now());
    verdict.status.detail +=
        "; TerminateInstances was accepted, but the state after it could not be read (" + unread.message + ")";
    verdict.status.cost_so_far = cost_of(ctx, i, job.price_per_hour, verdict.ended_at);
    return std::move(verdict.status);
}

inline task<void> terminate_instance(backend_context& ctx, std::string const& id)
{
    auto params = one_param("InstanceId.1", id);
    auto xml = co_await ctx.api->query(ec2_service, "TerminateInstances", detail::ec2_api_version, std::move(params));
    if (!xml)
        co_return xml.error();
    co_return result<void>{};
}

inline error launch_cancelled(std::string const& what_became_of_the_instance)
{
    return error(errc::cancelled, "the launch was cancelled; " + what_became_of_the_instance)
        .with_provider("aws")
        .with_operation("RunInstances");
}

// The clean-up of a launch cancelled once its RunInstances may have reached EC2: nobody will
// get the instance's handle, so the instance (`started`, else those tagged with the launch's
// key) is terminated. Says what became of it.
inline boost::asio::awaitable<std::string> clean_up_cancelled_run(std::shared_ptr<backend_context> ctx,
                                                                  std::string key, std::optional<std::string> started)
{
    std::vector<std::string> ids;
    if (started)
        ids.push_back(*started);
    else
    {
        // EC2 may list a new instance only after a few seconds: look three times, 1 s apart.
        for (int look = 0; look < 3 && ids.empty(); ++look)
        {
            if (look > 0)
            {
                boost::asio::steady_timer pause(co_await boost::asio::this_coro::executor, std::chrono::seconds(1));
                co_await pause.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            }
            auto found = co_await describe_tagged(*ctx, detail::tag_job, key);
            if (!found)
                co_return "whether an instance was started is unknown (" + found.error().message +
                    "): look for the tag mlcloud:job=" + key;
            for (auto const& i : *found)
                if (!detail::is_stopped_state(i.state))
                    ids.push_back(i.id);
        }
        if (ids.empty())
            co_return "no instance tagged mlcloud:job=" + key + " is listed";
    }
    std::string what;
    for (auto const& id : ids)
    {
        auto stopped = co_await terminate_instance(*ctx, id);
        what += (what.empty() ? "" : "; ") +
                (stopped ? "instance " + id + " it started was terminated"
                         : "terminating instance " + id + " it started failed (" + stopped.error().message + ")");
    }
    co_return what;
}

inline task<job_handle> cancelled_after_run(std::shared_ptr<backend_context> ctx, std::string key,
                                            std::optional<std::string> started)
{
    auto clean_up = clean_up_cancelled_run(std::move(ctx), std::move(key), std::move(started));
    auto what = co_await mlcloud::detail::shielded(std::move(clean_up));
    co_return launch_cancelled(what);
}

// An error after which the RunInstances may still have started an instance (its answer was
// lost, or it timed out, or EC2 failed after the transport's retries).
inline bool may_have_started(error const& e)
{
    return e.is(errc::outcome_unknown) || e.is(errc::timeout) || e.is(errc::network_error) ||
           e.is(errc::provider_error);
}

// (Runs under without_cancellation_throws: the caller's cancellation is looked for here.)
inline task<job_handle> launch_impl(std::shared_ptr<backend_context> ctx, job_spec spec)
{
    if (auto e = ctx->unusable("RunInstances"))
        co_return *e;
    if (!valid_price_cap(spec.max_price_per_hour))
        co_return invalid_launch(price_cap_refusal);
    if (ctx->opts.image_id.empty())
        co_return invalid_launch("no AMI configured (aws::options::image_id, MLCLOUD_AWS_AMI)");
    std::vector<std::string> candidates;
    for (auto const& c : spec.compute)
        candidates.push_back(c.id);
    if (candidates.empty())
        candidates = ctx->opts.default_instance_types;
    if (candidates.empty())
        co_return invalid_launch("the job names no instance type and no default is configured");
    bool const spot = spec.market == market::spot;
    if (spec.max_price_per_hour && !spot)
    {
        // On-demand: the cap keeps the candidates whose price is known and within it (an
        // instance type missing from the pricing table cannot be shown to be under the cap).
        std::erase_if(candidates, [&](std::string const& type) {
            auto const* row = ctx->prices().find("aws", type);
            return !row || row->on_demand_usd_per_hour > *spec.max_price_per_hour;
        });
        if (candidates.empty())
            co_return invalid_launch("no instance type of the job has a known price within its price cap "
                                     "(add missing ones to the pricing table)");
    }

    // The key is the instance's mlcloud:job tag, which is how a relaunch finds it: it must fit
    // a tag value whole (a cut key would never be found, and another one could match it).
    if (spec.idempotency_key.size() > 256)
        co_return invalid_launch("the idempotency key is longer than 256 characters, the most an EC2 tag holds");
    std::string const key = spec.idempotency_key.empty() ? random_key() : spec.idempotency_key;
    std::string const region = ctx->api->settings().region;
    auto script = render(*ctx, region, spec, key);
    if (!script)
        co_return invalid_launch(script.error().message);

    if (!spec.idempotency_key.empty())
    {
        // The same logical launch again (after a crash, a timeout, a lost answer): adopt the
        // instance it started, whichever candidate that was.
        auto existing = co_await describe_tagged(*ctx, detail::tag_job, key);
        if (!existing)
            co_return existing.error();
        if (!existing->empty())
            co_return handle_of(*ctx, existing->front(), region);
    }

    std::map<std::string, std::string> tags = ctx->opts.tags;
    for (auto const& [k, v] : spec.labels)
    {
        if (k.starts_with("aws:"))
            co_return invalid_launch("a label may not start with 'aws:' (reserved by AWS): " + k);
        tags[truncate(k, 128)] = truncate(v, 256);
    }
    tags["Name"] = truncate("mlcloud " + spec.name, 256);
    tags[std::string(detail::tag_job)] = key;
    tags[std::string(detail::tag_name)] = truncate(spec.name, 256);
    tags[std::string(detail::tag_managed)] = "mlcloud";
    tags[std::string(detail::tag_max_runtime)] = std::to_string(spec.max_runtime.count());
    if (auto out = output_of(*ctx, spec, key))
        tags[std::string(detail::tag_output)] = truncate(out->str(), 256);

    std::string tried;
    std::optional<error> last;
    for (auto const& type : candidates)
    {
        if (co_await mlcloud::detail::cancelled_now())
            co_return launch_cancelled("no instance was started");
        detail::run_instances_input in;
        in.image_id = ctx->opts.image_id;
        in.instance_type = type;
        in.client_token = detail::client_token(key, type, spot);
        in.user_data = *script;
        in.spot = spot;
        if (spot)
            in.spot_max_price = spec.max_price_per_hour;
        in.subnet_id = ctx->opts.subnet_id;
        in.security_group_ids = ctx->opts.security_group_ids;
        in.instance_profile = ctx->opts.instance_profile;
        in.key_name = ctx->opts.key_name;
        in.root_volume_gb = ctx->opts.root_volume_gb;
        in.root_device_name = ctx->opts.root_device_name;
        in.tags = tags;
        call_options call;
        call.idempotent = false;
        call.idempotency_key = in.client_token; // EC2 deduplicates by it: safe to resend
        auto xml = co_await ctx->api->query(ec2_service, "RunInstances", detail::ec2_api_version,
                                            detail::run_instances_params(in), std::move(call));
        if (co_await mlcloud::detail::cancelled_now())
        {
            std::optional<std::string> started;
            if (xml)
                if (auto page = detail::parse_instances(*xml, "RunInstances"); page && !page->instances.empty())
                    started = page->instances.front().id;
            co_return co_await cancelled_after_run(ctx, key, std::move(started));
        }
        if (!xml)
        {
            auto const& e = xml.error();
            // No capacity or quota for this type (or the zone does not offer it): the next
            // candidate may work. Anything else would fail for every candidate.
            if (e.is(errc::capacity) || e.is(errc::quota) || e.is(errc::not_supported))
            {
                tried += (tried.empty() ? "" : "; ") + type + ": " + e.message;
                last = e;
                continue;
            }
            // The instance may run although the answer never came: the one tagged with this
            // launch's key is the job (else a caller without a key of its own could not find it).
            if (may_have_started(e))
                if (auto found = co_await describe_tagged(*ctx, detail::tag_job, key); found && !found->empty())
                    co_return handle_of(*ctx, found->front(), region);
            co_return xml.error();
        }
        auto page = detail::parse_instances(*xml, "RunInstances");
        if (!page)
            co_return page.error().with_provider("aws").with_operation("RunInstances");
        if (page->instances.empty())
            co_return error(errc::protocol_error, "RunInstances returned no instance")
                .with_provider("aws")
                .with_operation("RunInstances");
        auto& inst = page->instances.front();
        if (inst.tags.empty())
            inst.tags = tags;
        if (inst.type.empty())
            inst.type = type;
        co_return handle_of(*ctx, inst, region);
    }
    error e = *last;
    e.message = "no candidate instance type could be launched (" + tried + ")";
    co_return e;
}

} // namespace training_impl

MLCLOUD_DECL training::training(boost::asio::any_io_executor ex, options const& opts)
    : ctx_(detail::make_context(std::move(ex), opts))
{
}

MLCLOUD_DECL options const& training::settings() const noexcept
{
    return ctx_->opts;
}

MLCLOUD_DECL result<std::string> training::user_data(job_spec const& spec) const
{
    if (auto e = ctx_->unusable("launch"))
        return *e;
    return training_impl::render(*ctx_, ctx_->api->settings().region, spec, spec.idempotency_key);
}

MLCLOUD_DECL task<job_handle> training::launch(job_spec const& spec)
{
    return mlcloud::detail::without_cancellation_throws(training_impl::launch_impl(ctx_, spec));
}

MLCLOUD_DECL task<job_status> training::status(job_handle const& job)
{
    using namespace training_impl;
    auto ctx = ctx_;
    if (auto e = ctx->unusable("DescribeInstances"))
        co_return *e;
    if (auto e = unreachable_job(*ctx, job, "DescribeInstances"))
        co_return *e;
    auto inst = co_await describe(*ctx, job.id);
    if (!inst)
        co_return inst.error();
    co_return co_await status_of(*ctx, job, *inst);
}

MLCLOUD_DECL task<log_chunk> training::read_logs(job_handle const& job, log_cursor const& from)
{
    using namespace training_impl;
    auto ctx = ctx_;
    if (auto e = ctx->unusable("GetLogEvents"))
        co_return *e;
    if (auto e = unreachable_job(*ctx, job, "GetLogEvents"))
        co_return *e;
    std::string const id = job.id;
    log_cursor const start = from;

    std::string token = start.token;
    for (int page_no = 0; page_no < 10; ++page_no)
    {
        auto body = co_await ctx->api->json(logs_service, "Logs_20140328.GetLogEvents",
                                            detail::get_log_events_body(ctx->opts.log_group, id, token,
                                                                        ctx->opts.log_page_limit));
        if (!body)
        {
            if (!body.error().is(errc::not_found))
                co_return body.error();
            // No stream yet (the instance is booting) or never (it failed before logging).
            auto done = co_await log_finished(*ctx, job, token);
            if (!done)
                co_return done.error();
            co_return empty_chunk(start, *done);
        }
        auto page = detail::parse_log_events(*body);
        if (!page)
            co_return page.error().with_provider("aws").with_operation("GetLogEvents");
        log_chunk chunk;
        for (auto const& m : page->messages)
            detail::append_event_lines(m, chunk.lines);
        chunk.next.token = page->next_forward_token.empty() ? token : page->next_forward_token;
        if (!chunk.lines.empty())
            co_return chunk;
        if (page->next_forward_token.empty() || page->next_forward_token == token)
        {
            // The same token back: no new events (for now).
            auto done = co_await log_finished(*ctx, job, token);
            if (!done)
                co_return done.error();
            chunk.end_of_stream = *done;
            co_return chunk;
        }
        // An empty page with a new token: CloudWatch may have more further on.
        token = page->next_forward_token;
    }
    co_return empty_chunk(log_cursor{token}, false);
}

MLCLOUD_DECL task<job_status> training::terminate(job_handle const& job)
{
    using namespace training_impl;
    auto ctx = ctx_;
    if (auto e = ctx->unusable("TerminateInstances"))
        co_return *e;
    if (auto e = unreachable_job(*ctx, job, "TerminateInstances"))
        co_return *e;
    // Describe first: a job that already ended keeps its result, and terminating a
    // terminated instance is a no-op anyway. A stopped instance (StopInstances from outside,
    // hibernation) is terminated too: its volumes bill until then.
    auto inst = co_await describe(*ctx, job.id);
    if (!inst)
        co_return inst.error();
    if (inst->state != "shutting-down" && inst->state != "terminated")
    {
        auto params = one_param("InstanceId.1", job.id);
        auto xml = co_await ctx->api->query(ec2_service, "TerminateInstances", detail::ec2_api_version,
                                            std::move(params));
        if (!xml)
            co_return xml.error();
        auto after = co_await mlcloud::detail::aborted_as_cancelled(describe(*ctx, job.id));
        if (!after)
            co_return stopping_status(*ctx, job, std::move(*inst), after.error());
        inst = std::move(after);
    }
    co_return co_await status_of(*ctx, job, *inst);
}

MLCLOUD_DECL task<std::vector<job_handle>> training::list_jobs()
{
    using namespace training_impl;
    auto ctx = ctx_;
    if (auto e = ctx->unusable("DescribeInstances"))
        co_return *e;
    auto all = co_await describe_tagged(*ctx, detail::tag_job, std::nullopt);
    if (!all)
        co_return all.error();
    std::vector<job_handle> out;
    for (auto const& i : *all)
        out.push_back(handle_of(*ctx, i, ctx->api->settings().region));
    co_return out;
}

} // namespace mlcloud::aws

#endif
