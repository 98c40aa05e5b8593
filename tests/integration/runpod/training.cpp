//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// runpod::training against the contract fake: the create-pod retry table, no second pod after
// an uncertain create, log resume after a cut, the pod terminated after the completion line,
// faults ending in clear errors.
#include "runpod_test.hpp"

#include <mlcloud/runpod/detail/wire.hpp>
#include <mlcloud/runpod/training.hpp>

#include <boost/asio/io_context.hpp>

#include <cancellation.hpp>

#include <limits>
#include <optional>
#include <thread>

using namespace runpod_test;
using mlcloud::errc;
using mlcloud::job_state;
namespace rp = mlcloud::runpod;

namespace {

/// One provider on its own io_context, driven by run_blocking.
struct trainer : mlcloud_test::io_fixture
{
    rp::training p;

    explicit trainer(rp::options const& o = fake_options()) : p(ctx.get_executor(), o) {}

    mlcloud::result<mlcloud::job_handle> launch(mlcloud::job_spec const& s) { return run(p.launch(s)); }
    mlcloud::result<mlcloud::job_status> status(mlcloud::job_handle const& h) { return run(p.status(h)); }
    mlcloud::result<mlcloud::job_status> terminate(mlcloud::job_handle const& h) { return run(p.terminate(h)); }
    mlcloud::result<mlcloud::log_chunk> read(mlcloud::job_handle const& h, mlcloud::log_cursor const& c = {})
    {
        return run(p.read_logs(h, c));
    }

    /// Every line from `from` to the end of the stream.
    std::vector<std::string> all_lines(mlcloud::job_handle const& h, mlcloud::log_cursor from = {},
                                       std::vector<mlcloud::log_cursor>* cursors = nullptr)
    {
        std::vector<std::string> lines;
        for (int i = 0; i < 400; ++i)
        {
            auto chunk = read(h, from);
            REQUIRE(chunk.has_value());
            if (cursors)
                cursors->push_back(from);
            lines.insert(lines.end(), chunk->lines.begin(), chunk->lines.end());
            from = chunk->next;
            if (chunk->end_of_stream)
                return lines;
        }
        FAIL("the log did not end");
        return lines;
    }

    mlcloud::job_status wait_terminal(mlcloud::job_handle const& h)
    {
        for (int i = 0; i < 300; ++i)
        {
            auto s = status(h);
            REQUIRE(s.has_value());
            if (mlcloud::is_terminal(s->state))
                return *s;
            std::this_thread::sleep_for(30ms);
        }
        FAIL("the job did not end");
        return {};
    }
};

mlcloud::job_spec script_job(std::string const& name, std::vector<std::string> script)
{
    mlcloud::job_spec s;
    s.name = name;
    s.idempotency_key = name + "-key";
    s.command = std::move(script);
    s.compute = {{"NVIDIA RTX A5000", 1}};
    return s;
}

std::vector<std::string> numbered(int n)
{
    std::vector<std::string> out;
    for (int i = 1; i <= n; ++i)
        out.push_back("line " + std::to_string(i) + "/" + std::to_string(n));
    return out;
}

/// The unique pod name a launch of `s` gets (what faults are scoped by).
std::string pod_of(mlcloud::job_spec const& s)
{
    return rp::detail::pod_name(s.name, s.idempotency_key);
}

std::string pod_status(std::string const& pod)
{
    auto pods = pods_named(pod);
    REQUIRE(pods.size() == 1);
    return std::string(pods.at(0).at("status").as_string());
}

/// Waits up to 4 s for the fake to show `pod` in `status` (the workload's own pace).
void wait_for_status(std::string const& pod, std::string const& status)
{
    for (int i = 0; i < 200 && pod_status(pod) != status; ++i)
        std::this_thread::sleep_for(20ms);
    REQUIRE(pod_status(pod) == status);
}

} // namespace

TEST_CASE("a job's log reads back in order, the pod is terminated after the completion line, cost is reported",
          "[runpod][training]")
{
    trainer t;
    auto name = unique("happy");
    // "@hang" after the marker: like a real pod, the container would keep billing; only the
    // provider stops it.
    auto spec = script_job(name, {"starting", "@lines=12", "@marker", "@hang"});
    auto pod = pod_of(spec);
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    CHECK(h->provider == "runpod");
    CHECK(h->region == datacenter);
    CHECK(h->compute.id == "NVIDIA RTX A5000");
    CHECK(h->name.starts_with("mlcloud-" + name.substr(0, 5)));

    auto lines = t.all_lines(*h);
    std::vector<std::string> expected{"starting"};
    for (auto& l : numbered(12))
        expected.push_back(l);
    expected.emplace_back(mlcloud::completion_marker);
    CHECK(lines == expected); // container lines only: the fake's system lines are not there
    CHECK(pod_status(pod) == "TERMINATED");

    auto s = t.status(*h);
    REQUIRE(s.has_value());
    CHECK(s->state == job_state::succeeded);
    CHECK(s->cost_so_far.usd > 0.0);
    // The price is the live one from the catalog ($0.29/h in the fake), not the built-in $0.27.
    CHECK(s->cost_so_far.basis.find("$0.29/h") != std::string::npos);
    CHECK(s->cost_so_far.basis.find("per second") != std::string::npos);

    // A second provider (a restart) sees the same outcome from the pod and its log alone.
    trainer fresh;
    auto again = fresh.status({.provider = "runpod", .id = h->id});
    REQUIRE(again.has_value());
    CHECK(again->state == job_state::succeeded);
}

TEST_CASE("status alone notices the completion marker and stops the pod", "[runpod][training]")
{
    trainer t;
    auto name = unique("status-only");
    auto spec = script_job(name, {"@lines=3", "@marker", "@hang"});
    auto pod = pod_of(spec);
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    auto s = t.wait_terminal({.provider = "runpod", .id = h->id});
    CHECK(s.state == job_state::succeeded);
    CHECK(pod_status(pod) == "TERMINATED");
}

TEST_CASE("the pod gets the workload contract's environment, the volume mount and the market's cloud",
          "[runpod][training]")
{
    trainer t;
    auto name = unique("env");
    auto spec = script_job(name, {"echo", "{job_id}", "it's {dataset}", "@marker"});
    spec.dataset = mlcloud::storage_uri::runpod_volume(datacenter, volume, "datasets/iris.csv");
    // A relative path is a key on the default volume.
    spec.output = mlcloud::storage_uri::local("models/" + name + "/model.json");
    spec.env[mlcloud::target_env] = "species";
    spec.market = mlcloud::market::spot;
    spec.max_runtime = 2h;
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    CHECK(h->market == mlcloud::market::spot);
    CHECK(h->output == mlcloud::storage_uri::runpod_volume(datacenter, volume, "models/" + name + "/model.json"));
    auto pods = pods_named(h->name);
    REQUIRE(pods.size() == 1);
    auto const& pod = pods.at(0).as_object();
    auto const& env = pod.at("env").as_object();
    CHECK(env.at("MLCLOUD_DATASET") == "/workspace/datasets/iris.csv");
    CHECK(env.at("MLCLOUD_OUTPUT") == ("/workspace/models/" + name + "/model.json").c_str());
    CHECK(env.at("MLCLOUD_JOB_ID") == h->name.c_str());
    CHECK(env.at("MLCLOUD_TARGET") == "species");
    CHECK(env.at("MLCLOUD_MAX_RUNTIME_SECONDS") == "7200");
    CHECK(pod.at("cloud") == "COMMUNITY");
    CHECK(pod.at("dataCenterId") == datacenter);
    CHECK(pod.at("gpu").as_object().at("count") == 1);
    auto const& mount = pod.at("mounts").as_object().at("network").as_array().at(0).as_object();
    CHECK(mount.at("volumeId") == volume);
    CHECK(mount.at("path") == "/workspace");
    CHECK(pod.at("args") == ("echo " + h->name + " 'it'\\''s /workspace/datasets/iris.csv' @marker").c_str());
    t.wait_terminal(*h);
}

TEST_CASE("no second pod after create-then-500: the provider finds and adopts the first", "[runpod][training]")
{
    trainer t;
    auto name = unique("orphan500");
    auto spec = script_job(name, {"@marker"});
    auto pod = pod_of(spec);
    inject({{"kind", "create_then_500"}, {"scope", pod}});
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    auto pods = pods_named(pod);
    REQUIRE(pods.size() == 1);
    CHECK(pods.at(0).at("id") == h->id.c_str());
    CHECK(count_requests(h->name, "POST", "/rest/v2/pods") == 1);
}

TEST_CASE("no second pod after a lost connection: the provider lists before it creates again", "[runpod][training]")
{
    trainer t;
    auto name = unique("orphandrop");
    auto spec = script_job(name, {"@marker"});
    auto pod = pod_of(spec);
    inject({{"kind", "create_then_drop"}, {"scope", pod}});
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    auto pods = pods_named(pod);
    REQUIRE(pods.size() == 1);
    CHECK(pods.at(0).at("id") == h->id.c_str());
}

TEST_CASE("no second pod after an unreadable 201, even while the pod is not listed yet", "[runpod][training]")
{
    trainer t;
    auto spec = script_job(unique("unreadable"), {"working", "@hang"});
    auto pod = pod_of(spec);
    inject({{"kind", "create_unreadable"}, {"scope", pod}, {"unlisted", 2}});
    auto h = t.launch(spec);
    REQUIRE_FALSE(h.has_value());
    INFO(h.error().what());
    CHECK(h.error().is(errc::outcome_unknown));
    CHECK_FALSE(h.error().retry_safe); // a relaunch now would not see the pod either
    CHECK(pods_named(pod).size() == 1);
    CHECK(count_requests(pod, "POST", "/rest/v2/pods") == 1);
    // Once listed, launching again with the same key adopts it.
    std::this_thread::sleep_for(2100ms);
    auto again = t.launch(spec);
    REQUIRE(again.has_value());
    CHECK(pods_named(pod).size() == 1);
    CHECK(t.terminate(*again).has_value());
}

TEST_CASE("a launch cancelled while its create is answered terminates the pod and ends with cancelled",
          "[runpod][training]")
{
    // The fake creates the pod at once and answers 3 s later; the caller cancels after 300 ms.
    // Nobody will get the pod's handle, so the launch terminates it, and returns `cancelled`
    // rather than throwing (which left the pod running and billing).
    trainer t;
    auto spec = script_job(unique("cancelled-launch"), {"working", "@hang"});
    auto pod = pod_of(spec);
    inject({{"kind", "create_slow"}, {"scope", pod}, {"seconds", 3}});
    auto const [out, took] = mlcloud_test::run_cancelled_after(t.ctx, t.p.launch(spec), 300ms);
    REQUIRE_FALSE(out.has_value());
    INFO(out.error().what());
    CHECK(out.error().is(errc::cancelled));
    CHECK(out.error().message.find("was terminated") != std::string::npos);
    CHECK(pod_status(pod) == "TERMINATED");
}

TEST_CASE("a 5xx without a pod is retried on the same candidate, after checking for an orphan", "[runpod][training]")
{
    trainer t;
    auto name = unique("plain500");
    auto spec = script_job(name, {"@marker"});
    auto pod = pod_of(spec);
    inject({{"kind", "error_500"}, {"scope", pod}, {"times", 2}});
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    CHECK(pods_named(pod).size() == 1);
    CHECK(count_requests(h->name, "POST", "/rest/v2/pods") == 3);
    CHECK(h->compute.id == "NVIDIA RTX A5000");
}

TEST_CASE("5xx on every attempt ends in a clear error and no pod", "[runpod][training]")
{
    trainer t;
    auto name = unique("always500");
    auto spec = script_job(name, {"@marker"});
    auto pod = pod_of(spec);
    inject({{"kind", "error_500"}, {"scope", pod}, {"times", 10}});
    auto h = t.launch(spec);
    REQUIRE(h.has_error());
    CHECK(h.error().is(errc::provider_error));
    CHECK(h.error().http_status == 500);
    CHECK(h.error().retry_safe);
    CHECK(h.error().message.find("3 times") != std::string::npos);
    CHECK(pods_named(pod).empty());
}

TEST_CASE("capacity 400 on the first candidates falls through to the next one", "[runpod][training]")
{
    trainer t;
    auto name = unique("fallback");
    auto spec = script_job(name, {"@marker"});
    spec.compute = {{"NVIDIA RTX A5000", 1}, {"NVIDIA GeForce RTX 4090", 1}, {"NVIDIA A40", 1}};
    auto pod = pod_of(spec);
    auto scope = pod;
    inject({{"kind", "capacity"}, {"scope", scope}, {"gpu", "NVIDIA RTX A5000"}});
    inject({{"kind", "capacity"}, {"scope", scope}, {"gpu", "NVIDIA GeForce RTX 4090"}});
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    CHECK(h->compute.id == "NVIDIA A40");
    CHECK(h->price_per_hour == Approx(0.44));
    CHECK(pods_named(pod).size() == 1);
}

TEST_CASE("403 skips a candidate, when every candidate is refused the error names them all", "[runpod][training]")
{
    trainer t;
    auto name = unique("refused");
    auto spec = script_job(name, {"@marker"});
    spec.compute = {{"NVIDIA RTX A5000", 1}, {"NVIDIA A40", 1}};
    auto pod = pod_of(spec);
    auto scope = pod;
    inject({{"kind", "forbidden"}, {"scope", scope}, {"gpu", "NVIDIA RTX A5000"}});
    inject({{"kind", "capacity"}, {"scope", scope}, {"gpu", "NVIDIA A40"}});
    auto h = t.launch(spec);
    REQUIRE(h.has_error());
    CHECK(h.error().is(errc::capacity));
    CHECK(h.error().message.find("NVIDIA RTX A5000: access denied") != std::string::npos);
    CHECK(h.error().message.find("NVIDIA A40: There are no longer any instances") != std::string::npos);
    CHECK(pods_named(pod).empty());
}

TEST_CASE("402 stops at once with a balance message", "[runpod][training]")
{
    trainer t;
    auto name = unique("broke");
    auto spec = script_job(name, {"@marker"});
    spec.compute = {{"NVIDIA RTX A5000", 1}, {"NVIDIA A40", 1}};
    auto pod = pod_of(spec);
    inject({{"kind", "quota"}, {"scope", pod}});
    auto h = t.launch(spec);
    REQUIRE(h.has_error());
    CHECK(h.error().is(errc::quota));
    CHECK(h.error().http_status == 402);
    CHECK(h.error().message.find("balance") != std::string::npos);
    CHECK(count_requests(pod, "POST", "/rest/v2/pods") == 1);
}

TEST_CASE("422 is never retried", "[runpod][training]")
{
    trainer t;
    auto name = unique("invalid");
    auto spec = script_job(name, {"@marker"});
    spec.compute = {{"NVIDIA RTX A5000", 1}, {"NVIDIA A40", 1}};
    auto pod = pod_of(spec);
    inject({{"kind", "invalid"}, {"scope", pod}, {"times", 5}});
    auto h = t.launch(spec);
    REQUIRE(h.has_error());
    CHECK(h.error().is(errc::invalid_argument));
    CHECK(h.error().http_status == 422);
    CHECK(h.error().message.find("$.disk: must be at least 10") != std::string::npos);
    CHECK(count_requests(pod, "POST", "/rest/v2/pods") == 1);
}

TEST_CASE("429 waits for Retry-After, with or without a body, then creates once", "[runpod][training]")
{
    trainer t;
    auto name = unique("throttled");
    auto o = fake_options();
    o.launch.default_retry_after = 100ms;
    trainer quick(o);
    auto started = std::chrono::steady_clock::now();
    auto spec = script_job(name, {"@marker"});
    auto pod = pod_of(spec);
    auto scope = pod;
    inject({{"kind", "throttle"}, {"scope", scope}, {"retry_after", 1}});
    inject({{"kind", "throttle"}, {"scope", scope}, {"body", false}});
    auto h = quick.launch(spec);
    REQUIRE(h.has_value());
    CHECK(std::chrono::steady_clock::now() - started >= 1s); // Retry-After was honoured
    CHECK(pods_named(pod).size() == 1);
    CHECK(count_requests(h->name, "POST", "/rest/v2/pods") == 3);
}

namespace {

/// What a launch did whose creates met the 429s of `fault` (a "throttle" fault scoped to its
/// pod), with `budget` as its max_throttle_wait.
struct throttled_launch
{
    mlcloud::result<mlcloud::job_handle> launched;
    std::string pod;
};

throttled_launch launch_throttled(std::string const& name, std::chrono::seconds budget, json::object fault)
{
    auto o = fake_options();
    o.launch.max_throttle_wait = budget;
    trainer t(o);
    auto spec = script_job(unique(name), {"@marker"});
    auto pod = pod_of(spec);
    fault["kind"] = "throttle";
    fault["scope"] = pod;
    inject(std::move(fault));
    return {t.launch(spec), pod};
}

} // namespace

TEST_CASE("429 beyond the throttle budget ends in errc::throttled", "[runpod][training]")
{
    auto const t = launch_throttled("budget", 1s, {{"retry_after", 5}});
    REQUIRE(t.launched.has_error());
    CHECK(t.launched.error().is(errc::throttled));
    CHECK(t.launched.error().http_status == 429);
    CHECK(pods_named(t.pod).empty());
}

TEST_CASE("429 waits for the longest exhausted RateLimit window, not only Retry-After", "[runpod][training]")
{
    // Retry-After names the minute, but the hour is exhausted too: a retry after 1 s would meet
    // another 429, so the launch waits the hour, which is beyond its budget.
    auto const t = launch_throttled(
        "hour", 60s, {{"retry_after", 1}, {"ratelimit", R"("minute";r=0;t=1, "hour";r=0;t=1800, "day";r=100;t=40000)"}});
    REQUIRE(t.launched.has_error());
    CHECK(t.launched.error().is(errc::throttled));
    CHECK(pods_named(t.pod).empty());
}

TEST_CASE("the transport's retry of a throttled read waits for RunPod's longest exhausted window", "[runpod][training]")
{
    // Other tests read every listed pod (the CLI's reconcile and jobs): the faults and the count
    // are kept to this client's own User-Agent.
    auto o = fake_options();
    o.http.user_agent = "mlcloud-test/" + unique("read429");
    trainer t(o);
    auto spec = script_job(unique("read429"), {"working", "@hang"});
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    auto const pod_path = "/rest/v2/pods/" + h->id;
    auto reads = [&] {
        std::size_t n = 0;
        for (auto const& r : requests_with(h->id))
            n += r.at("method") == "GET" && r.at("path") == pod_path.c_str() &&
                 r.at("user_agent") == o.http.user_agent.c_str();
        return n;
    };
    // Retry-After says 0 s, but the hour is exhausted: a retry now would meet another 429, and
    // the hour is longer than the transport waits (max_retry_after), so the 429 is the answer.
    inject({{"kind", "get_throttle"}, {"scope", o.http.user_agent}, {"retry_after", 0},
            {"ratelimit", R"("minute";r=0;t=0, "hour";r=0;t=1800)"}});
    auto before = reads();
    auto s = t.status(*h);
    REQUIRE(s.has_error());
    CHECK(s.error().is(errc::throttled));
    CHECK(reads() == before + 1);
    // A window within max_retry_after is waited for, and the read sent again.
    // The test client's backoff is at most 50 ms: a retry 1 s later is the window's wait.
    inject({{"kind", "get_throttle"}, {"scope", o.http.user_agent}, {"ratelimit", R"("minute";r=0;t=1)"}});
    before = reads();
    auto const start = std::chrono::steady_clock::now();
    auto again = t.status(*h);
    CHECK(std::chrono::steady_clock::now() - start >= 900ms);
    REQUIRE(again.has_value());
    CHECK(again->state == job_state::running);
    CHECK(reads() == before + 2);
    CHECK(t.terminate(*h).has_value());
}

TEST_CASE("429 with Retry-After: 0 does not turn into a create storm", "[runpod][training]")
{
    // At least 100 ms between creates, and the budget counts the time since the first 429.
    auto const t = launch_throttled("storm", 1s, {{"retry_after", 0}, {"times", 1000}});
    REQUIRE(t.launched.has_error());
    CHECK(t.launched.error().is(errc::throttled));
    CHECK(count_requests(t.pod, "POST", "/rest/v2/pods") <= 12);
    CHECK(pods_named(t.pod).empty());
}

TEST_CASE("a relaunch with the same idempotency key after a restart adopts the pod", "[runpod][training]")
{
    auto name = unique("relaunch");
    auto spec = script_job(name, {"@hang"});
    mlcloud::job_handle first;
    {
        trainer before_restart;
        auto h = before_restart.launch(spec);
        REQUIRE(h.has_value());
        first = *h;
    }
    trainer after_restart;
    auto again = after_restart.launch(spec);
    REQUIRE(again.has_value());
    CHECK(again->id == first.id);
    CHECK(pods_named(first.name).size() == 1);
    // Another key is another job.
    spec.idempotency_key += "-2";
    auto other = after_restart.launch(spec);
    REQUIRE(other.has_value());
    CHECK(other->id != first.id);
    CHECK(after_restart.terminate(first).has_value());
    CHECK(after_restart.terminate(*other).has_value());
}

TEST_CASE("logs resume after a cut without lost or repeated lines, also from a stored cursor", "[runpod][training]")
{
    trainer t;
    auto name = unique("cut");
    auto spec = script_job(name, {"@lines=40", "@marker"});
    auto pod = pod_of(spec);
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    t.wait_terminal(*h);
    inject({{"kind", "cut"}, {"scope", h->name}, {"after", 7}});
    inject({{"kind", "cut"}, {"scope", h->name}, {"after", 20}});
    std::vector<mlcloud::log_cursor> cursors;
    auto lines = t.all_lines(*h, {}, &cursors);
    auto expected = numbered(40);
    expected.emplace_back(mlcloud::completion_marker);
    CHECK(lines == expected);
    // The streams really were cut, and resumed with Last-Event-ID.
    std::size_t resumed = 0;
    for (auto const& r : requests_with(h->id + "/logs"))
        if (r.at("last_event_id").is_string())
            ++resumed;
    CHECK(resumed >= 1);

    // A new provider (a restart) resuming from a cursor gets exactly the rest.
    trainer fresh;
    auto first = fresh.read({.provider = "runpod", .id = h->id});
    REQUIRE(first.has_value());
    REQUIRE_FALSE(first->lines.empty());
    auto rest = fresh.all_lines({.provider = "runpod", .id = h->id}, first->next);
    std::vector<std::string> joined = first->lines;
    joined.insert(joined.end(), rest.begin(), rest.end());
    CHECK(joined == expected);
}

TEST_CASE("the first read of a long log gets all of it, not the default tail of 100 lines", "[runpod][training]")
{
    trainer t;
    auto name = unique("long");
    auto spec = script_job(name, {"@lines=300", "@marker"});
    spec.env["FAKE_LINE_DELAY"] = "0";
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    t.wait_terminal(*h); // every line is written before the first read
    auto expected = numbered(300);
    expected.emplace_back(mlcloud::completion_marker);
    CHECK(t.all_lines(*h) == expected);
}

TEST_CASE("a workload that exits with an error is failed with its exit code, and its pod is terminated",
          "[runpod][training]")
{
    trainer t;
    auto name = unique("exit3");
    auto spec = script_job(name, {"loading", "error: bad data", "@exit=3", "@hang"});
    auto pod = pod_of(spec);
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    auto lines = t.all_lines(*h);
    CHECK(lines.back() == "mlcloud: workload exited with status 3");
    auto s = t.wait_terminal(*h);
    CHECK(s.state == job_state::failed);
    REQUIRE(s.exit_code);
    CHECK(*s.exit_code == 3);
    CHECK(pod_status(pod) == "TERMINATED");
}

TEST_CASE("an exited or crashed container without the marker is failed", "[runpod][training]")
{
    trainer t;
    for (auto const* how : {"@fail", "@crash"})
    {
        auto name = unique(std::string("dead") + (how + 1));
        auto spec = script_job(name, {"working", how});
        auto pod = pod_of(spec);
        auto h = t.launch(spec);
        REQUIRE(h.has_value());
        auto s = t.wait_terminal(*h);
        CHECK(s.state == job_state::failed);
        CHECK(pod_status(pod) == "TERMINATED"); // an exited pod still bills its disk
    }
}

TEST_CASE("a workload that prints more after its completion line than the log tail holds still succeeds",
          "[runpod][training]")
{
    // status() reads the last 50 lines (options::status_log_tail). The container has exited
    // with the marker 80 lines back before status() first looks, and the wider read of the
    // ended pod's log finds it.
    trainer t;
    auto spec = script_job(unique("chatty"), {"training", "@marker", "@lines=80"});
    spec.env["FAKE_LINE_DELAY"] = "0";
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    // (TERMINATED when another test's reconcile judged the pod first: its log is read the same.)
    for (int i = 0; i < 200 && pod_status(pod_of(spec)) != "EXITED" && pod_status(pod_of(spec)) != "TERMINATED"; ++i)
        std::this_thread::sleep_for(20ms);
    auto s = t.wait_terminal(*h);
    CHECK(s.state == job_state::succeeded);
    CHECK(pod_status(pod_of(spec)) == "TERMINATED");
}

TEST_CASE("terminate ends a running pod, is idempotent, and tolerates a pod already gone", "[runpod][training]")
{
    trainer t;
    auto name = unique("cancel");
    auto spec = script_job(name, {"working", "@hang"});
    auto pod = pod_of(spec);
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    for (int i = 0; i < 200 && t.status(*h).value().state != job_state::running; ++i)
        std::this_thread::sleep_for(20ms);
    auto stopped = t.terminate(*h);
    REQUIRE(stopped.has_value());
    CHECK(stopped->state == job_state::cancelled);
    CHECK(stopped->cost_so_far.usd > 0.0);
    CHECK(pod_status(pod) == "TERMINATED");
    auto twice = t.terminate(*h);
    REQUIRE(twice.has_value());
    CHECK(twice->state == job_state::cancelled);
    // A provider without any memory of it (after a restart) agrees.
    trainer fresh;
    auto seen = fresh.terminate({.provider = "runpod", .id = h->id});
    REQUIRE(seen.has_value());
    CHECK(seen->state == job_state::cancelled);
}

TEST_CASE("with terminate_on_completion off a finished pod is kept, and terminate still ends it",
          "[runpod][training]")
{
    auto o = fake_options();
    o.terminate_on_completion = false;
    trainer t(o);
    auto spec = script_job(unique("kept"), {"working", "@exit=3"});
    auto pod = pod_of(spec);
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    auto s = t.wait_terminal(*h);
    CHECK(s.state == job_state::failed);
    wait_for_status(pod, "EXITED");
    // A status() of the exited pod records the outcome, and keeps the pod for inspection.
    auto again = t.status(*h);
    REQUIRE(again.has_value());
    CHECK(again->state == job_state::failed);
    CHECK(pod_status(pod) == "EXITED");
    auto stopped = t.terminate(*h);
    REQUIRE(stopped.has_value());
    CHECK(stopped->state == job_state::failed); // the recorded outcome, not `cancelled`
    CHECK(pod_status(pod) == "TERMINATED");     // and no longer billing its disk

    // Another process (a CLI, a restarted bot) that never saw the pod end judges it from its
    // log before it terminates it.
    auto spec2 = script_job(unique("kept-elsewhere"), {"working", "@exit=4"});
    auto pod2 = pod_of(spec2);
    auto h2 = t.launch(spec2);
    REQUIRE(h2.has_value());
    wait_for_status(pod2, "EXITED");
    trainer elsewhere(o);
    auto ended = elsewhere.terminate({.provider = "runpod", .id = h2->id});
    REQUIRE(ended.has_value());
    CHECK(ended->state == job_state::failed);
    REQUIRE(ended->exit_code);
    CHECK(*ended->exit_code == 4);
    CHECK(pod_status(pod2) == "TERMINATED");
}

TEST_CASE("an exited pod whose log cannot be read now is not judged, and the next status reads it",
          "[runpod][training]")
{
    trainer t;
    auto spec = script_job(unique("logfail"), {"working", "@marker"});
    auto pod = pod_of(spec);
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    wait_for_status(pod, "EXITED");

    inject({{"kind", "logs_error_500"}, {"scope", pod}, {"times", 1000}});
    auto unread = t.status(*h);
    REQUIRE_FALSE(unread.has_value());
    CHECK(unread.error().retry_safe);
    CHECK(pod_status(pod) == "EXITED"); // not terminated: that would lose the log

    control("POST", "/_fake/faults/clear", json::serialize(json::object{{"scope", pod}}));
    auto s = t.status(*h);
    REQUIRE(s.has_value());
    CHECK(s->state == job_state::succeeded); // the marker, not "exited without the marker"
    CHECK(pod_status(pod) == "TERMINATED");
}

TEST_CASE("a pod past its max runtime is terminated and timed out", "[runpod][training]")
{
    trainer t;
    auto name = unique("overtime");
    auto spec = script_job(name, {"working", "@hang"});
    spec.max_runtime = 1s;
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    std::this_thread::sleep_for(1500ms);
    auto s = t.status(*h);
    REQUIRE(s.has_value());
    CHECK(s->state == job_state::timed_out);
    CHECK(pod_status(h->name) == "TERMINATED");
}

TEST_CASE("a pod that never starts is terminated and timed out at its max runtime", "[runpod][training]")
{
    // The pod stays PROVISIONING (an image pull that never ends); it bills all the same.
    trainer t;
    auto spec = script_job(unique("neverstarts"), {"working", "@hang"});
    spec.max_runtime = 1s;
    auto pod = pod_of(spec);
    inject({{"kind", "slow_start"}, {"scope", pod}, {"seconds", 30}});
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    CHECK(t.status(*h).value().state == job_state::provisioning);
    std::this_thread::sleep_for(1500ms);
    auto s = t.status(*h);
    REQUIRE(s.has_value());
    CHECK(s->state == job_state::timed_out);
    CHECK(s->detail.find("had not started") != std::string::npos);
    CHECK(pod_status(pod) == "TERMINATED");
}

TEST_CASE("unknown pods, foreign handles and bad specs are clear errors", "[runpod][training]")
{
    trainer t;
    auto s = t.status({.provider = "runpod", .id = "nosuchpod0000"});
    REQUIRE(s.has_error());
    CHECK(s.error().is(errc::not_found));
    CHECK(s.error().http_status == 404);
    CHECK(t.terminate({.provider = "runpod", .id = "nosuchpod0000"}).error().is(errc::not_found));
    CHECK(t.read({.provider = "runpod", .id = "nosuchpod0000"}).error().is(errc::not_found));
    CHECK(t.status({.provider = "aws", .id = "i-123"}).error().is(errc::invalid_argument));

    auto local_data = script_job(unique("local"), {"@marker"});
    local_data.dataset = mlcloud::storage_uri::local("/tmp/iris.csv");
    auto e = t.launch(local_data);
    REQUIRE(e.has_error());
    CHECK(e.error().is(errc::not_supported));

    auto two_volumes = script_job(unique("twovol"), {"@marker"});
    two_volumes.dataset = mlcloud::storage_uri::runpod_volume(datacenter, volume, "a.csv");
    two_volumes.output = mlcloud::storage_uri::runpod_volume("US-KS-2", other_volume, "m.json");
    CHECK(t.launch(two_volumes).error().is(errc::invalid_argument));

    auto forever = script_job(unique("forever"), {"@marker"});
    forever.max_runtime = std::chrono::seconds::max(); // overflowed the age check into a timeout at once
    CHECK(t.launch(forever).error().is(errc::invalid_argument));

    auto o = fake_options();
    o.image.clear();
    trainer no_image(o);
    CHECK(no_image.launch(script_job(unique("noimage"), {"@marker"})).error().is(errc::invalid_argument));
}

TEST_CASE("a missing or wrong API key is unauthorized, and never leaks", "[runpod][training]")
{
    auto o = fake_options();
    o.credentials.env = mlcloud::auth::environment::from_map({{"RUNPOD_REST_URL", base() + "/rest/v2"}});
    trainer none(o);
    auto a = none.launch(script_job(unique("nokey"), {"@marker"}));
    REQUIRE(a.has_error());
    CHECK(a.error().is(errc::unauthorized));
    CHECK(a.error().message.find("RUNPOD_API_KEY") != std::string::npos);

    o.credentials.env = fake_environment("rpa_wrong_SECRET_value");
    trainer wrong(o);
    auto b = wrong.status({.provider = "runpod", .id = "abc"});
    REQUIRE(b.has_error());
    CHECK(b.error().is(errc::unauthorized));
    CHECK(b.error().http_status == 401);
    CHECK(b.error().what().find("rpa_wrong_SECRET_value") == std::string::npos);
}

TEST_CASE("a max price filters out candidates above it", "[runpod][training]")
{
    trainer t;
    auto spec = script_job(unique("cheap"), {"@marker"});
    spec.compute = {{"NVIDIA H100 80GB HBM3", 1}, {"NVIDIA RTX A5000", 1}};
    spec.max_price_per_hour = 1.0;
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    CHECK(h->compute.id == "NVIDIA RTX A5000");
    spec = script_job(unique("toodear"), {"@marker"});
    spec.compute = {{"NVIDIA H100 80GB HBM3", 1}};
    spec.max_price_per_hour = 1.0;
    auto e = t.launch(spec);
    REQUIRE(e.has_error());
    CHECK(e.error().is(errc::invalid_argument));
    CHECK(e.error().message.find("above the limit") != std::string::npos);

    // A GPU the pricing table does not know is not taken as free.
    spec = script_job(unique("unpriced"), {"@marker"});
    spec.compute = {{"NVIDIA Imaginary 9000", 1}};
    spec.max_price_per_hour = 100.0;
    auto unpriced = t.launch(spec);
    REQUIRE(unpriced.has_error());
    CHECK(unpriced.error().is(errc::invalid_argument));
    CHECK(unpriced.error().message.find("price is unknown") != std::string::npos);
    CHECK(pods_named(pod_of(spec)).empty());

    // A cap that no price can be compared with is refused, not ignored.
    for (double cap : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), -1.0, 0.0})
    {
        spec = script_job(unique("nocap"), {"@marker"});
        spec.compute = {{"NVIDIA H100 80GB HBM3", 1}};
        spec.max_price_per_hour = cap;
        auto refused = t.launch(spec);
        REQUIRE(refused.has_error());
        CHECK(refused.error().is(errc::invalid_argument));
        CHECK(pods_named(pod_of(spec)).empty());
    }
}

TEST_CASE("the fake refuses a scoped list fault: a pod list is every test's", "[runpod][fake]")
{
    // Such a fault once never fired; fired by scope, it would reach every test listing pods.
    CHECK_THROWS(inject({{"kind", "list_error_500"}, {"scope", unique("scoped-list")}}));
}

TEST_CASE("the GPU catalog refreshes the pricing table, list_jobs finds mlcloud's pods", "[runpod][training]")
{
    auto o = fake_options();
    o.refresh_catalog = false;
    trainer t(o);
    CHECK(t.p.pricing()->find("runpod", "NVIDIA RTX A5000")->on_demand_usd_per_hour == Approx(0.27));
    auto n = t.run(t.p.refresh_pricing());
    REQUIRE(n.has_value());
    CHECK(*n >= 6);
    auto const* a5000 = t.p.pricing()->find("runpod", "NVIDIA RTX A5000");
    CHECK(a5000->on_demand_usd_per_hour == Approx(0.29));
    CHECK(a5000->spot_usd_per_hour.value() == Approx(0.17));

    auto h = t.launch(script_job(unique("listed"), {"@hang"}));
    REQUIRE(h.has_value());
    auto jobs = t.run(t.p.list_jobs());
    REQUIRE(jobs.has_value());
    CHECK(std::any_of(jobs->begin(), jobs->end(), [&](auto const& j) { return j.id == h->id; }));
    CHECK(t.terminate(*h).has_value());
}

#ifdef MLCLOUD_TEST_TRAINER
TEST_CASE("the real trainer runs in a pod on the network volume and saves its model there", "[runpod][training]")
{
    trainer t;
    auto name = unique("iris");
    auto dir = "runs/" + name;
    write_file(volume_dir() / dir / "iris.csv", read_file(std::string(MLCLOUD_SOURCE_DIR) + "/examples/data/iris.csv"));
    mlcloud::job_spec spec;
    spec.name = name;
    spec.idempotency_key = name;
    spec.command = {"mlcloud-trainer", "train", "--target", "species", "--epochs", "50"};
    spec.dataset = mlcloud::storage_uri::runpod_volume(datacenter, volume, dir + "/iris.csv");
    spec.output = mlcloud::storage_uri::runpod_volume(datacenter, volume, dir + "/model.json");
    auto h = t.launch(spec);
    REQUIRE(h.has_value());
    auto lines = t.all_lines(*h);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines.front().starts_with("dataset: "));
    REQUIRE(lines.size() >= 2);
    CHECK(lines[lines.size() - 2] == std::string(mlcloud::completion_marker));
    CHECK(lines.back() == "mlcloud: workload finished: " + std::string(mlcloud::completion_marker));
    CHECK(t.wait_terminal(*h).state == job_state::succeeded);
    CHECK(read_file(volume_dir() / dir / "model.json").find("mlcloud-trainer/1") != std::string::npos);
}
#endif
