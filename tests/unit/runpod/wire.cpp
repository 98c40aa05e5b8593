//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// RunPod's wire formats: builders and parsers against the shapes of
// shared/reference/runpod-api.md. No network.
#include <mlcloud/runpod/detail/api.hpp>
#include <mlcloud/runpod/detail/wire.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <catch2/catch.hpp>

#include <set>

namespace rp = mlcloud::runpod::detail;
namespace json = boost::json;
using mlcloud::errc;
using mlcloud::job_state;
using namespace std::chrono_literals;

TEST_CASE("RFC 3339 timestamps parse with offsets and fractions and format back", "[runpod][wire]")
{
    auto t = rp::parse_rfc3339("2026-06-01T12:02:03Z");
    REQUIRE(t);
    CHECK(rp::format_rfc3339(*t) == "2026-06-01T12:02:03Z");
    auto frac = rp::parse_rfc3339("2026-06-01T12:02:03.250Z");
    REQUIRE(frac);
    CHECK(*frac - *t == 250ms);
    auto offset = rp::parse_rfc3339("2026-06-01T14:02:03+02:00");
    REQUIRE(offset);
    CHECK(*offset == *t);
    CHECK(rp::parse_rfc3339("2026-06-01T10:32:03-01:30") == t);
    CHECK_FALSE(rp::parse_rfc3339(""));
    CHECK_FALSE(rp::parse_rfc3339("2026-02-30T00:00:00Z"));
    CHECK_FALSE(rp::parse_rfc3339("2026-06-01T12:02:03"));
    CHECK_FALSE(rp::parse_rfc3339("2026-06-01T25:02:03Z"));
    CHECK_FALSE(rp::parse_rfc3339("yesterday at noon, roughly"));
    CHECK(rp::format_rfc3339(std::chrono::system_clock::time_point{}) == "1970-01-01T00:00:00Z");
}

TEST_CASE("problem+json, v1 messages and bodies that are not JSON all become one readable line", "[runpod][wire]")
{
    auto p = rp::parse_problem(
        R"({"title":"Unprocessable Entity","status":422,"detail":"Request validation failed.","errors":["$: additional properties 'bogus' not allowed"]})",
        422);
    CHECK(p.status == 422);
    CHECK(p.detail == "Request validation failed.");
    REQUIRE(p.errors.size() == 1);
    CHECK(rp::describe(p) == "Request validation failed. ($: additional properties 'bogus' not allowed)");

    CHECK(rp::describe(rp::parse_problem(R"({"message":"Pod not found"})", 404)) == "Pod not found");
    CHECK(rp::describe(rp::parse_problem("", 429)) == "HTTP 429 without an explanation");
    CHECK(rp::describe(rp::parse_problem("Too Many Requests\r\nmore", 429)) == "Too Many Requests");
    CHECK(rp::describe(rp::parse_problem(R"({"title":"Forbidden","status":403})", 403)) == "Forbidden");
    // Secrets in an echoed body never reach a message.
    auto leaky = rp::describe(rp::parse_problem(R"({"detail":"bad header Authorization: Bearer rpa_SECRETKEY123"})", 401));
    CHECK(leaky.find("rpa_SECRETKEY123") == std::string::npos);
}

TEST_CASE("the RateLimit header gives the longest exhausted window", "[runpod][wire]")
{
    CHECK(rp::rate_limit_reset(R"("minute";r=0;t=12, "hour";r=2800;t=1812, "day";r=49500;t=45012)") == 12s);
    CHECK(rp::rate_limit_reset(R"("minute";r=0;t=12, "hour";r=0;t=1812)") == 1812s);
    CHECK_FALSE(rp::rate_limit_reset(R"("minute";r=3;t=12)"));
    CHECK_FALSE(rp::rate_limit_reset("garbage"));
    CHECK_FALSE(rp::rate_limit_reset(""));
}

TEST_CASE("a 429 waits for the longer of Retry-After and the exhausted RateLimit windows", "[runpod][wire]")
{
    using std::chrono::milliseconds;
    auto const both = R"("minute";r=0;t=12, "hour";r=0;t=1812)";
    CHECK(rp::throttle_wait(milliseconds(12000), both) == 1812s); // the hour is exhausted too
    CHECK(rp::throttle_wait(milliseconds(30000), R"("minute";r=0;t=12)") == 30s);
    CHECK(rp::throttle_wait(std::nullopt, both) == 1812s);
    CHECK(rp::throttle_wait(milliseconds(5000), std::nullopt) == 5s);
    CHECK_FALSE(rp::throttle_wait(std::nullopt, R"("minute";r=4;t=12)")); // nothing exhausted
    CHECK_FALSE(rp::throttle_wait(std::nullopt, std::nullopt));
    CHECK(rp::throttle_wait(milliseconds(0), std::nullopt) == milliseconds(1)); // never a busy loop
}

TEST_CASE("the transport's retries read RunPod's RateLimit through api::asked_wait", "[runpod][wire]")
{
    mlcloud::net::response r;
    r.status = 429;
    CHECK_FALSE(rp::api::asked_wait(r)); // names no wait: the transport's backoff applies
    r.headers.add("Retry-After", "0");
    r.headers.add("RateLimit", R"("minute";r=0;t=0, "hour";r=0;t=1800)");
    CHECK(rp::api::asked_wait(r) == 1800s);

    r.status = 503; // the windows count for a 429 only
    CHECK(rp::api::asked_wait(r) == 0s);
    r.status = 429;

    // A client built with the hook: the policy's reading of the same 429.
    mlcloud::net::retry_policy policy({.asked_wait = [](auto const& resp) { return rp::api::asked_wait(resp); }});
    CHECK(policy.retry_after(r) == 1800s);
    auto const d = policy.on_failure(mlcloud::net::retry_class::throttling, 1, policy.retry_after(r));
    CHECK_FALSE(d.retry); // beyond max_retry_after: the caller gets the 429
}

TEST_CASE("backoff is full jitter below min(base * 2^(n-1), cap), at least 1 ms", "[runpod][wire]")
{
    // What serverless 429s wait (1 s base, 30 s cap): random, so the bounds and the ceiling's
    // growth are checked over many draws (all 200 below half the ceiling: chance 2^-200).
    auto most = [](unsigned n) {
        std::chrono::milliseconds m{0};
        for (int i = 0; i < 200; ++i)
        {
            auto const d = rp::backoff(1s, 30s, n);
            CHECK(d >= 1ms);
            m = std::max(m, d);
        }
        return m;
    };
    auto const first = most(1), fifth = most(5), late = most(1000);
    CHECK(first <= 1s);
    CHECK(fifth <= 16s);
    CHECK(fifth > 8s);
    CHECK(late <= 30s);
    CHECK(late > 15s);
}

TEST_CASE("the create-pod body has the v2 shape and always sends gpu.count", "[runpod][wire]")
{
    rp::pod_create c;
    c.name = "mlcloud-iris-0123456789abcdef";
    c.image = "ghcr.io/me/trainer:1";
    c.args = "mlcloud-trainer train --target species";
    c.gpu_id = "NVIDIA RTX A5000";
    c.gpu_count = 1;
    c.cloud = "COMMUNITY";
    c.datacenters = {"EU-RO-1"};
    c.disk_gb = 30;
    c.env = {{"MLCLOUD_DATASET", "/workspace/datasets/iris.csv"}};
    c.volume_id = "agv6w2qcg7";
    c.mount_path = "/workspace";
    auto v = json::parse(rp::to_json(c)).as_object();
    CHECK(v.at("name") == "mlcloud-iris-0123456789abcdef");
    CHECK(v.at("image") == "ghcr.io/me/trainer:1");
    CHECK(v.at("args") == "mlcloud-trainer train --target species");
    CHECK(v.at("gpu").as_object().at("id") == "NVIDIA RTX A5000");
    CHECK(v.at("gpu").as_object().at("count") == 1);
    CHECK(v.at("cloud") == "COMMUNITY");
    CHECK(v.at("dataCenterIds").as_array().at(0) == "EU-RO-1");
    CHECK(v.at("disk") == 30);
    CHECK(v.at("env").as_object().at("MLCLOUD_DATASET") == "/workspace/datasets/iris.csv");
    auto const& mount = v.at("mounts").as_object().at("network").as_array().at(0).as_object();
    CHECK(mount.at("volumeId") == "agv6w2qcg7");
    CHECK(mount.at("path") == "/workspace");
    // v1 names must not appear: v2 answers them with 422.
    for (auto const* old : {"imageName", "gpuTypeIds", "gpuCount", "cloudType", "networkVolumeId", "dockerStartCmd",
                            "containerDiskInGb", "ports"})
        CHECK_FALSE(v.contains(old));
}

TEST_CASE("a pod and a pod list parse from the v2 shapes", "[runpod][wire]")
{
    std::string const body = R"({"id":"7h9k2m4n6p","name":"pytorch-training","status":"RUNNING",
        "actions":["stop","restart","terminate"],"image":"runpod/pytorch","gpu":{"id":"NVIDIA GeForce RTX 4090","count":2},
        "cloud":"SECURE","dataCenterId":"US-KS-2","cost":0.88,"env":{"K":"V"},
        "mounts":{"network":[{"volumeId":"agv6w2qcg7","path":"/workspace"}]},
        "runtime":{"uptime":3600,"ports":[]},"createdAt":"2026-06-01T12:00:00Z","startedAt":"2026-06-01T12:02:00Z"})";
    auto p = rp::parse_pod(body);
    REQUIRE(p.has_value());
    CHECK(p->id == "7h9k2m4n6p");
    CHECK(p->status == "RUNNING");
    CHECK(p->gpu_id == "NVIDIA GeForce RTX 4090");
    CHECK(p->gpu_count == 2);
    CHECK(p->cost_per_hour == Approx(0.88));
    CHECK(p->datacenter == "US-KS-2");
    CHECK(p->env.at("K") == "V");
    CHECK(p->volume_id == "agv6w2qcg7");
    CHECK(p->uptime == 3600s);
    REQUIRE(p->created_at);
    REQUIRE(p->started_at);
    CHECK(*p->started_at - *p->created_at == 120s);
    CHECK(p->actions.size() == 3);

    auto list = rp::parse_pod_list(R"({"pods":[)" + body + R"(,{"id":"b","status":"EXITED","runtime":null,"cost":0.0}]})");
    REQUIRE(list.has_value());
    REQUIRE(list->size() == 2);
    CHECK((*list)[1].status == "EXITED");
    CHECK_FALSE((*list)[1].uptime);

    CHECK(rp::parse_pod("<html>").error().is(errc::protocol_error));
    CHECK(rp::parse_pod(R"({"name":"no id"})").error().is(errc::protocol_error));
    CHECK(rp::parse_pod_list(R"([{"id":"v1 answered a bare array"}])").error().is(errc::protocol_error));
}

TEST_CASE("pod states map to portable states", "[runpod][wire]")
{
    CHECK(rp::state_of("PROVISIONING") == job_state::provisioning);
    CHECK(rp::state_of("STARTING") == job_state::provisioning);
    CHECK(rp::state_of("RUNNING") == job_state::running);
    CHECK(rp::state_of("EXITED") == job_state::failed);
    CHECK(rp::state_of("ERROR") == job_state::failed);
    CHECK(rp::state_of("TERMINATED") == job_state::cancelled);
    CHECK(rp::state_of("SOMETHING_NEW") == job_state::unknown);
    CHECK(rp::has_ended("EXITED"));
    CHECK(rp::has_ended("TERMINATED"));
    CHECK_FALSE(rp::has_ended("RUNNING"));
}

TEST_CASE("pod names are derived from the idempotency key: stable, distinct, short", "[runpod][wire]")
{
    auto a = rp::pod_name("Iris Classifier (v2)!", "key-1");
    CHECK(a == rp::pod_name("Iris Classifier (v2)!", "key-1"));
    CHECK(a.starts_with("mlcloud-iris-classifier-v2-"));
    CHECK(a != rp::pod_name("Iris Classifier (v2)!", "key-2"));
    CHECK(rp::pod_name("", "k").starts_with("mlcloud-"));
    auto long_name = rp::pod_name(std::string(500, 'x'), "k");
    CHECK(long_name.size() <= 63);
    std::set<std::string> names;
    for (int i = 0; i < 1000; ++i)
        names.insert(rp::pod_name("job", "key-" + std::to_string(i)));
    CHECK(names.size() == 1000);
    for (char c : a)
        CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'));
}

TEST_CASE("argv becomes one args string with POSIX quoting where needed", "[runpod][wire]")
{
    CHECK(rp::join_args({"mlcloud-trainer", "train", "--target", "species"}) == "mlcloud-trainer train --target species");
    CHECK(rp::join_args({"echo", "a b", "it's", ""}) == "echo 'a b' 'it'\\''s' ''");
    CHECK(rp::join_args({"sh", "-c", "x; rm -rf /"}) == "sh -c 'x; rm -rf /'");
    CHECK(rp::join_args({"$HOME", "`id`"}) == "'$HOME' '`id`'");
}

TEST_CASE("log events are read from their JSON, other data is the line itself", "[runpod][wire]")
{
    auto e = rp::parse_log_event(R"({"ts":"2026-06-01T12:02:03Z","source":"container","line":"Model loaded.\n"})");
    CHECK(e.line == "Model loaded.");
    CHECK(e.source == "container");
    CHECK(e.ts == "2026-06-01T12:02:03Z");
    CHECK(rp::parse_log_event("plain text\r").line == "plain text");
    CHECK(rp::parse_log_event(R"({"no":"line"})").line == R"({"no":"line"})");
}

TEST_CASE("the first completion marker or exit line decides the outcome", "[runpod][wire]")
{
    rp::log_outcome o;
    rp::observe_line(o, "epoch 1/3");
    CHECK_FALSE(o.decided());
    rp::observe_line(o, std::string(mlcloud::completion_marker));
    CHECK(o.completed);
    rp::observe_line(o, "mlcloud: workload exited with status 3");
    CHECK_FALSE(o.exit_code); // after the marker: the model is saved, the job succeeded

    rp::log_outcome f;
    rp::observe_line(f, "error: row 2 (line 3), column 'b': 'oops' is not a number");
    rp::observe_line(f, "mlcloud: workload exited with status 1");
    REQUIRE(f.exit_code);
    CHECK(*f.exit_code == 1);
    CHECK_FALSE(f.completed);
    rp::observe_line(f, std::string(mlcloud::completion_marker));
    CHECK_FALSE(f.completed);

    rp::log_outcome odd;
    rp::observe_line(odd, "mlcloud: workload exited with status banana");
    CHECK_FALSE(odd.decided());
}

TEST_CASE("the GPU catalog refreshes RunPod's rows of the pricing table", "[runpod][wire][pricing]")
{
    auto table = mlcloud::messages::pricing_table::builtin();
    auto const* before = table.find("runpod", "NVIDIA RTX A5000");
    REQUIRE(before);
    auto gpus = rp::parse_catalog(R"({"gpus":[
        {"id":"NVIDIA RTX A5000","name":"RTX A5000","pool":"AMPERE_24","memory":24,"secure":true,"community":true,
         "price":{"secure":0.31,"community":0.17,"serverless":0.68},"maxCount":{"secure":8,"community":8}},
        {"id":"NVIDIA B200","name":"B200","pool":"B200","memory":180,"secure":true,"community":false,
         "price":{"secure":5.99,"community":null,"serverless":null}},
        {"id":"NVIDIA Mystery","name":"Mystery","memory":1,"price":{"secure":null}},
        {"name":"no id"}]})");
    REQUIRE(gpus.has_value());
    REQUIRE(gpus->size() == 3);
    CHECK(rp::apply_catalog(table, *gpus, "2026-11-28") == 2);
    auto const* a5000 = table.find("runpod", "NVIDIA RTX A5000");
    REQUIRE(a5000);
    CHECK(a5000->on_demand_usd_per_hour == Approx(0.31));
    CHECK(a5000->spot_usd_per_hour.value() == Approx(0.17));
    CHECK(a5000->as_of == "2026-11-28");
    CHECK(a5000->display_name == "RTX A5000");
    auto const* b200 = table.find("runpod", "NVIDIA B200");
    REQUIRE(b200);
    CHECK(b200->on_demand_usd_per_hour == Approx(5.99));
    CHECK_FALSE(b200->spot_usd_per_hour);
    CHECK(b200->vram_gb == 180);
    CHECK(b200->billing == mlcloud::messages::per_second_billing);
    CHECK_FALSE(table.find("runpod", "NVIDIA Mystery"));
    CHECK(rp::parse_catalog(R"({"data":[]})").error().is(errc::protocol_error));

    // A tabled GPU RunPod no longer offers on community: its old community price goes. One
    // without an on-demand price in the catalog keeps its row's date and confidence.
    auto const* h100 = table.find("runpod", "NVIDIA H100 80GB HBM3");
    REQUIRE(h100);
    REQUIRE(h100->spot_usd_per_hour);
    auto const old_date = h100->as_of;
    auto const old_price = h100->on_demand_usd_per_hour;
    auto update = rp::parse_catalog(R"({"gpus":[{"id":"NVIDIA H100 80GB HBM3","community":false,
        "price":{"secure":null,"community":null}}]})");
    REQUIRE(update.has_value());
    rp::apply_catalog(table, *update, "2026-11-29");
    h100 = table.find("runpod", "NVIDIA H100 80GB HBM3");
    CHECK_FALSE(h100->spot_usd_per_hour);
    CHECK(h100->on_demand_usd_per_hour == Approx(old_price));
    CHECK(h100->as_of == old_date);
}

TEST_CASE("network volumes parse and the create body uses v2 names", "[runpod][wire]")
{
    auto v = rp::parse_volume(R"({"id":"2q9m7x4c","name":"mlcloud","size":50,"dataCenter":"US-KS-2","type":"STANDARD"})");
    REQUIRE(v.has_value());
    CHECK(v->datacenter == "US-KS-2");
    CHECK(v->size_gb == 50);
    auto list = rp::parse_volume_list(R"({"networkVolumes":[{"id":"a","dataCenterId":"EU-RO-1"}]})");
    REQUIRE(list.has_value());
    CHECK(list->at(0).datacenter == "EU-RO-1");
    auto body = json::parse(rp::volume_create_body("mlcloud", "EU-RO-1", 20)).as_object();
    CHECK(body.at("dataCenter") == "EU-RO-1");
    CHECK(body.at("size") == 20);
    CHECK(body.at("name") == "mlcloud");
}

TEST_CASE("the prediction request carries the worker's input and RunPod's policy", "[runpod][wire]")
{
    rp::prediction_input in;
    in.model = "runpod://EU-RO-1/vol/models/m.json";
    in.rows = "a,b\n1,2\n";
    in.request_key = "k1";
    in.execution_timeout = 600s;
    in.ttl = 3600s;
    auto v = json::parse(rp::to_json(in)).as_object();
    CHECK(v.at("input").as_object().at("model") == "runpod://EU-RO-1/vol/models/m.json");
    CHECK(v.at("input").as_object().at("rows") == "a,b\n1,2\n");
    CHECK_FALSE(v.at("input").as_object().contains("input"));
    CHECK(v.at("policy").as_object().at("executionTimeout") == 600000);
    CHECK(v.at("policy").as_object().at("ttl") == 3600000);
    in.input = "runpod://EU-RO-1/vol/in.csv";
    auto w = json::parse(rp::to_json(in)).as_object();
    CHECK(w.at("input").as_object().at("input") == "runpod://EU-RO-1/vol/in.csv");
    CHECK_FALSE(w.at("input").as_object().contains("rows"));
}

TEST_CASE("serverless job objects parse in every state", "[runpod][wire]")
{
    auto done = rp::parse_job(
        R"({"id":"60902e6c-u1","status":"COMPLETED","delayTime":31618,"executionTime":1437,"output":{"predictions":"a,prediction\n1,x\n","rows":1}})");
    REQUIRE(done.has_value());
    CHECK(done->status == "COMPLETED");
    CHECK(done->delay == 31618ms);
    CHECK(done->execution == 1437ms);
    CHECK(done->has_output);
    CHECK(done->predictions == "a,prediction\n1,x\n");
    CHECK(rp::is_final(done->status));

    auto queued = rp::parse_job(R"({"id":"x","status":"IN_QUEUE"})");
    REQUIRE(queued.has_value());
    CHECK_FALSE(queued->has_output);
    CHECK_FALSE(rp::is_final(queued->status));

    auto failed = rp::parse_job(R"({"id":"y","status":"FAILED","error":"name 'app' is not defined","executionTime":97})");
    REQUIRE(failed.has_value());
    CHECK(failed->error == "name 'app' is not defined");

    auto other = rp::parse_job(R"({"id":"z","status":"COMPLETED","output":[1,2]})");
    REQUIRE(other.has_value());
    CHECK(other->predictions.empty());
    CHECK(other->output_text == "[1,2]");

    CHECK(rp::parse_job("Too Many Requests").error().is(errc::protocol_error));
    for (auto s : {"COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"})
        CHECK(rp::is_final(s));
    for (auto s : {"IN_QUEUE", "IN_PROGRESS", "RUNNING"})
        CHECK_FALSE(rp::is_final(s));
}

TEST_CASE("a FAILED job's error is unpacked into a clear message and code", "[runpod][wire]")
{
    // runpod-python's uncaught-exception form, JSON-encoded into the error string.
    auto e = rp::decode_job_error(
        R"({"error_type":"<class 'FileNotFoundError'>","error_message":"[Errno 2] No such file: '/runpod-volume/m.json'","error_traceback":"Traceback ...","hostname":"h","worker_id":"w","runpod_version":"1.7.0"})");
    CHECK(e.is(errc::not_found));
    CHECK(e.message == "FileNotFoundError: [Errno 2] No such file: '/runpod-volume/m.json'");
    CHECK(e.message.find("Traceback") == std::string::npos);

    auto v = rp::decode_job_error(R"({"error_type":"<class 'ValueError'>","error_message":"bad rows"})");
    CHECK(v.is(errc::invalid_argument));

    // The worker's own convention.
    auto nf = rp::decode_job_error("not_found: no model at runpod://EU-RO-1/vol/models/none.json");
    CHECK(nf.is(errc::not_found));
    CHECK(nf.message == "no model at runpod://EU-RO-1/vol/models/none.json");
    CHECK(rp::decode_job_error("invalid_argument: the input has no header").is(errc::invalid_argument));
    // Encoded twice, and the convention inside runpod-python's form.
    CHECK(rp::decode_job_error(R"("not_found: gone")").is(errc::not_found));
    CHECK(rp::decode_job_error(R"({"error_type":"RuntimeError","error_message":"not_found: gone"})").is(errc::not_found));
    // Anything else is the workload failing.
    auto other = rp::decode_job_error("name 'app' is not defined");
    CHECK(other.is(errc::job_failed));
    CHECK(other.message == "name 'app' is not defined");
    CHECK(rp::decode_job_error("").is(errc::job_failed));
}

TEST_CASE("endpoint health parses and summarises", "[runpod][wire]")
{
    auto h = rp::parse_health(
        R"({"jobs":{"completed":1,"failed":5,"inProgress":0,"inQueue":2,"retried":0},"workers":{"idle":0,"running":0,"unhealthy":3}})");
    REQUIRE(h.has_value());
    CHECK(h->in_queue == 2);
    CHECK(h->unhealthy == 3);
    CHECK(h->summary() == "workers: 0 idle, 0 running, 3 unhealthy; jobs: 2 in queue, 0 in progress, 5 failed");
    CHECK(rp::parse_health("nope").error().is(errc::protocol_error));
}

// Found by tests/fuzz (runpod_json): a time the clock cannot count, or a count no int can hold,
// was undefined behaviour; now it is not a value (and the field keeps its default).
TEST_CASE("fuzz regressions: RunPod times and counts out of range are refused", "[runpod][wire][fuzz]")
{
    CHECK_FALSE(rp::parse_rfc3339("0004-03-01T00:00:00Z"));
    CHECK_FALSE(rp::parse_rfc3339("9999-12-31T23:59:59Z"));
    CHECK(rp::parse_rfc3339("2200-12-31T23:59:59Z"));

    auto pod = rp::parse_pod(R"({"id":"p1","status":"RUNNING","createdAt":"0005-01-01T00:00:00Z",
        "gpu":{"id":"NVIDIA A40","count":1e10},"runtime":{"uptime":-1e300}})");
    REQUIRE(pod.has_value());
    CHECK_FALSE(pod->created_at);
    CHECK(pod->gpu_count == 1);
    CHECK_FALSE(pod->uptime);

    auto job = rp::parse_job(R"({"id":"j1","status":"COMPLETED","delayTime":1e300,"executionTime":"nan"})");
    REQUIRE(job.has_value());
    CHECK_FALSE(job->delay);
    CHECK_FALSE(job->execution);

    auto volume = rp::parse_volume(R"({"id":"v1","name":"n","dataCenterId":"EU-RO-1","size":4e9})");
    REQUIRE(volume.has_value());
    CHECK(volume->size_gb == 0);
}

// Found by tests/fuzz (runpod_json): a runpod-python error_type was put in front of the
// (redacted) message without being redacted itself, nor cut to one line.
TEST_CASE("fuzz regression: a job error's type is redacted and one line", "[runpod][wire][fuzz]")
{
    auto const e = rp::decode_job_error(
        R"({"error_type":"Bearer sk-live-0123456789abcdef\nnext","error_message":"boom"})");
    CHECK(e.message.find("sk-live-0123456789abcdef") == std::string::npos);
    CHECK(e.message.find('\n') == std::string::npos);
    CHECK(e.message.find("boom") != std::string::npos);
}
