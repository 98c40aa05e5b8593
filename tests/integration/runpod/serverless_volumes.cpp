//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Against the contract fake (one translation unit, to keep the heavy ones few):
//  - runpod::prediction, whose serverless jobs the fake runs with the real worker
//    (examples/runpod_worker/handler.py) and trainer: /run and /runsync, polling, limits checked
//    before sending, FAILED errors unpacked, expired jobs, stuck queues, throttling;
//  - runpod::storage (aws::s3_client with RunPod's endpoint, region and limits) against the
//    fake's S3-compatible volume API, which checks every SigV4 signature with botocore;
//  - runpod::setup.
#include "runpod_test.hpp"

#include <mlcloud/runpod/backend.hpp>
#include <mlcloud/runpod/setup.hpp>

#include <boost/asio/io_context.hpp>

#include <thread>

#include <cancellation.hpp>

using namespace runpod_test;
using mlcloud_test::run_cancelled_after;
using mlcloud::errc;
using mlcloud::storage_uri;
namespace rp = mlcloud::runpod;

// ---------------------------------------------------------------------------------------------
// Prediction

namespace {

// y = 1 + 2x, in the trainer's model format (docs/trainer.md).
constexpr char const* model_json =
    R"({"format":"mlcloud-trainer/1","task":"regression","target":"y","features":[{"name":"x","mean":0,"scale":1}],"weights":[[2]],"intercepts":[1]})";

struct predictor
{
    boost::asio::io_context ctx;
    rp::prediction p;

    explicit predictor(rp::options const& o = fake_options()) : p(ctx.get_executor(), o) {}

    mlcloud::result<mlcloud::prediction_result> predict(mlcloud::prediction_request const& r)
    {
        return mlcloud::run_blocking(ctx, p.predict(r));
    }
};

/// A model on the fake's volume, under a key of its own.
mlcloud::storage_uri place_model(std::string const& name)
{
    auto key = "models/" + name + "/model.json";
    write_file(volume_dir() / key, model_json);
    return mlcloud::storage_uri::runpod_volume(datacenter, volume, key);
}

mlcloud::prediction_request request_for(std::string const& name, std::string rows = "x\n1\n3\n")
{
    mlcloud::prediction_request r;
    r.model = place_model(name);
    r.input = std::move(rows);
    r.idempotency_key = name;
    r.timeout = std::chrono::seconds(60);
    return r;
}

/// A prediction through /run (then polled) whose job meets the serverless fault `kind`.
mlcloud::result<mlcloud::prediction_result> predict_with_fault(std::string const& kind, rp::options o)
{
    o.prediction.mode = rp::prediction_options::mode::run;
    predictor p(o);
    auto name = unique(kind);
    inject({{"kind", kind}, {"scope", name}});
    return p.predict(request_for(name));
}

} // namespace

#ifdef MLCLOUD_TEST_TRAINER

TEST_CASE("a prediction runs on the worker and returns rows, a request id and a cost", "[runpod][prediction]")
{
    for (auto mode : {rp::prediction_options::mode::runsync, rp::prediction_options::mode::run})
    {
        auto o = fake_options();
        o.prediction.mode = mode;
        predictor p(o);
        auto name = unique("predict");
        auto r = p.predict(request_for(name));
        REQUIRE(r.has_value());
        CHECK(r->output == "x,prediction\n1,3\n3,7\n");
        CHECK(r->request_id.starts_with("runpod-"));
        CHECK(r->cost.usd > 0.0);
        CHECK(r->cost.basis.find("AMPERE_24") != std::string::npos);
        CHECK(count_requests(name, "POST", "/ai/v2/ep-test/") == 1);
    }
}

TEST_CASE("input rows can come from a file on the volume", "[runpod][prediction]")
{
    predictor p;
    auto name = unique("fromfile");
    auto req = request_for(name, "");
    write_file(volume_dir() / "inputs" / (name + ".csv"), "id,x\na,0\nb,10\n");
    req.input_uri = mlcloud::storage_uri::runpod_volume(datacenter, volume, "inputs/" + name + ".csv");
    auto r = p.predict(req);
    REQUIRE(r.has_value());
    CHECK(r->output == "id,x,prediction\na,0,1\nb,10,21\n");
}

TEST_CASE("/runsync that comes back IN_QUEUE is followed by polling", "[runpod][prediction]")
{
    auto o = fake_options();
    o.prediction.runsync_wait = std::chrono::milliseconds(1000);
    predictor p(o);
    auto name = unique("slow");
    inject({{"kind", "slow"}, {"scope", name}, {"seconds", 1.5}});
    auto r = p.predict(request_for(name));
    REQUIRE(r.has_value());
    CHECK(r->output == "x,prediction\n1,3\n3,7\n");
    CHECK(count_requests(r->request_id.substr(7), "GET", "/ai/v2/ep-test/status/") >= 1);
}

TEST_CASE("a missing model is not_found, with the worker's words", "[runpod][prediction]")
{
    predictor p;
    auto req = request_for(unique("nomodel"));
    req.model = mlcloud::storage_uri::runpod_volume(datacenter, volume, "models/none/model.json");
    auto r = p.predict(req);
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::not_found));
    CHECK(r.error().message == "no model at runpod://EU-RO-1/voleutest01/models/none/model.json");
    CHECK(r.error().request_id.starts_with("runpod-"));
}

TEST_CASE("rows the model cannot read are invalid_argument", "[runpod][prediction]")
{
    predictor p;
    auto r = p.predict(request_for(unique("badrows"), "z\n1\n"));
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::invalid_argument));
    CHECK(r.error().message.find("no column 'x'") != std::string::npos);
}

TEST_CASE("a worker crash reported as a JSON-encoded error is unpacked", "[runpod][prediction]")
{
    // The fake fails the job as runpod-python reports an uncaught exception in a handler.
    predictor p;
    auto name = unique("crash");
    inject({{"kind", "worker_exception"}, {"scope", name}, {"message", "CUDA out of memory"}});
    auto r = p.predict(request_for(name));
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::job_failed));
    CHECK(r.error().message == "RuntimeError: CUDA out of memory");
}

TEST_CASE("a job RunPod times out (TIMED_OUT) is errc::timeout", "[runpod][prediction]")
{
    // The worker runs past the job's executionTimeout; RunPod ends the job TIMED_OUT.
    auto o = fake_options();
    o.prediction.execution_timeout = std::chrono::seconds(1);
    auto r = predict_with_fault("overrun", o);
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::timeout));
    CHECK(r.error().message.find("timed job") != std::string::npos);
    CHECK(r.error().message.find("executionTimeout") != std::string::npos);
}

TEST_CASE("a job whose result expired is errc::expired", "[runpod][prediction]")
{
    auto r = predict_with_fault("expire", fake_options());
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::expired));
    CHECK(r.error().http_status == 404);
    CHECK(r.error().message.find("expired") != std::string::npos);
}

TEST_CASE("a job stuck IN_QUEUE is cancelled and reported with the endpoint's health", "[runpod][prediction]")
{
    auto o = fake_options();
    o.prediction.max_queue_wait = std::chrono::milliseconds(500);
    auto r = predict_with_fault("stuck", o);
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::timeout));
    CHECK(r.error().message.find("waited in the queue") != std::string::npos);
    CHECK(r.error().message.find("workers: ") != std::string::npos);
    CHECK(r.error().message.find("it was cancelled") != std::string::npos);
    CHECK(count_requests("/ai/v2/ep-test/cancel/", "POST", "/ai/v2/ep-test/cancel/") >= 1);
}

TEST_CASE("a /runsync holds the request no longer than the prediction's timeout", "[runpod][prediction]")
{
    // The job stays IN_QUEUE; /runsync would hold the request for runsync_wait (60 s), but the
    // prediction has 2 s: it asks for 2 s, then cancels the job and reports the timeout.
    auto o = fake_options();
    o.prediction.mode = rp::prediction_options::mode::runsync;
    o.prediction.runsync_wait = std::chrono::seconds(60);
    predictor p(o);
    auto name = unique("syncdeadline");
    inject({{"kind", "stuck"}, {"scope", name}});
    auto r = request_for(name);
    r.timeout = std::chrono::seconds(2);
    auto const start = std::chrono::steady_clock::now();
    auto out = p.predict(r);
    auto const took = std::chrono::steady_clock::now() - start;
    REQUIRE(out.has_error());
    CHECK(out.error().is(errc::timeout));
    CHECK(took < std::chrono::seconds(20)); // not the 60 s of runsync_wait
    auto const sent = requests_with(name); // the /runsync, whose body holds the name
    REQUIRE(sent.size() == 1);
    std::string const path(sent.at(0).at("path").as_string());
    auto const at = path.find("wait=");
    REQUIRE(at != std::string::npos);
    CHECK(std::stoi(path.substr(at + 5)) <= 2000);
}

TEST_CASE("a cancelled prediction cancels its job and ends with cancelled, not an exception", "[runpod][prediction]")
{
    // The job stays IN_QUEUE; the caller cancels after 300 ms. Without the clean-up, Asio
    // would throw at the next poll and the job would run (and bill) until its executionTimeout.
    using namespace std::chrono_literals;
    auto o = fake_options();
    o.prediction.mode = rp::prediction_options::mode::run;
    predictor p(o);
    auto name = unique("cancelpred");
    inject({{"kind", "stuck"}, {"scope", name}});
    auto const [out, took] = run_cancelled_after(p.ctx, p.p.predict(request_for(name)), 300ms);
    REQUIRE_FALSE(out.has_value());
    INFO(out.error().what());
    CHECK(out.error().is(errc::cancelled));
    auto const& message = out.error().message;
    auto const at = message.find("job ");
    REQUIRE(at != std::string::npos);
    auto const job = message.substr(at + 4, message.find(' ', at + 4) - at - 4);
    CHECK(message.find("was cancelled too") != std::string::npos);
    CHECK(count_requests(job, "POST", "/ai/v2/ep-test/cancel/") == 1);
}

TEST_CASE("a prediction cancelled while /runsync holds it ends with cancelled, not an exception",
          "[runpod][prediction]")
{
    // /runsync gives the job's id only with its answer: cancelled while held, the job cannot
    // be cancelled, and the error says so.
    using namespace std::chrono_literals;
    auto o = fake_options();
    o.prediction.mode = rp::prediction_options::mode::runsync;
    predictor p(o);
    auto name = unique("cancelsync");
    inject({{"kind", "stuck"}, {"scope", name}});
    auto const [out, took] = run_cancelled_after(p.ctx, p.p.predict(request_for(name)), 300ms);
    REQUIRE_FALSE(out.has_value());
    INFO(out.error().what());
    CHECK(out.error().is(errc::cancelled));
    CHECK(out.error().message.find("no id to cancel it by") != std::string::npos);
    CHECK(took < 10s); // not the 60 s the /runsync was asked to hold
}

TEST_CASE("429 (with or without a body) and 500 on submission are retried", "[runpod][prediction]")
{
    auto o = fake_options();
    o.prediction.mode = rp::prediction_options::mode::run;
    predictor p(o);
    auto name = unique("retried");
    inject({{"kind", "run_throttle"}, {"scope", name}});
    inject({{"kind", "run_throttle"}, {"scope", name}, {"body", false}});
    inject({{"kind", "run_error_500"}, {"scope", name}});
    auto r = p.predict(request_for(name));
    REQUIRE(r.has_value());
    CHECK(r->output == "x,prediction\n1,3\n3,7\n");
    CHECK(count_requests(name, "POST", "/ai/v2/ep-test/run") == 4);
}

#endif // MLCLOUD_TEST_TRAINER

TEST_CASE("requests above RunPod's limits are refused before anything is sent", "[runpod][prediction]")
{
    auto name = unique("huge");
    mlcloud::prediction_request req;
    req.model = mlcloud::storage_uri::runpod_volume(datacenter, volume, "models/m.json");
    req.idempotency_key = name;
    req.input = "x\n" + std::string(21u << 20, '1') + "\n";
    predictor p;
    auto r = p.predict(req);
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::payload_too_large));
    CHECK(r.error().message.find("20.0 MB") != std::string::npos);
    CHECK(r.error().message.find("input_uri") != std::string::npos);

    // /run takes 10 MB: a bigger body goes to /runsync, which takes 20 MB.
    auto o = fake_options();
    o.prediction.mode = rp::prediction_options::mode::run;
    o.prediction.max_runsync_bytes = 10u << 20; // as if /runsync took no more than /run
    predictor run_only(o);
    req.input = "x\n" + std::string(11u << 20, '1') + "\n";
    auto r2 = run_only.predict(req);
    REQUIRE(r2.has_error());
    CHECK(r2.error().is(errc::payload_too_large));
    CHECK(r2.error().message.find("/run") != std::string::npos);
    CHECK(requests_with(name).empty());
}

TEST_CASE("models and inputs must be on the volume, unknown endpoints and keys are clear errors",
          "[runpod][prediction]")
{
    predictor p;
    mlcloud::prediction_request req;
    req.input = "x\n1\n";
    req.model = mlcloud::storage_uri::s3("bucket", "m.json");
    CHECK(p.predict(req).error().is(errc::not_supported));
    req.model = mlcloud::storage_uri::runpod_volume(datacenter, volume, "m.json");
    req.input_uri = mlcloud::storage_uri::local("/tmp/rows.csv");
    CHECK(p.predict(req).error().is(errc::not_supported));
    req.input_uri.reset();

    auto o = fake_options();
    o.endpoint_id = "ep-missing";
    predictor missing(o);
    auto r = missing.predict(req);
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::not_found));
    CHECK(r.error().message.find("ep-missing") != std::string::npos);

    o.endpoint_id.clear();
    predictor none(o);
    CHECK(none.predict(req).error().is(errc::invalid_argument));

    o = fake_options();
    o.credentials.env = fake_environment("rpa_wrong");
    predictor wrong(o);
    auto w = wrong.predict(req);
    REQUIRE(w.has_error());
    CHECK(w.error().is(errc::unauthorized));
}

TEST_CASE("health and cancel reach the endpoint", "[runpod][prediction]")
{
    predictor p;
    auto h = mlcloud::run_blocking(p.ctx, p.p.health());
    REQUIRE(h.has_value());
    CHECK(h->idle >= 0);
    CHECK(h->summary().starts_with("workers: "));
    auto c = mlcloud::run_blocking(p.ctx, p.p.cancel("runpod-no-such-job"));
    REQUIRE(c.has_error());
    CHECK(c.error().is(errc::not_found));
}

// ---------------------------------------------------------------------------------------------
// Storage and setup

namespace {

struct volumes : mlcloud_test::io_fixture
{
    rp::storage s;

    explicit volumes(rp::options const& o = fake_options()) : s(ctx.get_executor(), o) {}
};

struct temp_file
{
    std::filesystem::path path;
    explicit temp_file(std::string const& content)
        : path(std::filesystem::temp_directory_path() / unique("runpod-storage"))
    {
        write_file(path, content);
    }
    ~temp_file()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        std::filesystem::remove(path.string() + ".back", ec);
    }
};

std::string pattern(std::size_t n)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>((i * 131 + 7) % 251);
    return s;
}

storage_uri on_volume(std::string const& key)
{
    return storage_uri::runpod_volume(datacenter, volume, key);
}

} // namespace

TEST_CASE("a multipart upload goes up in parts, signed, and comes back byte for byte", "[runpod][storage]")
{
    auto o = fake_options();
    o.storage.multipart_threshold = 6u << 20;
    o.storage.part_size = 5u << 20;
    volumes v(o);
    auto name = unique("multipart");
    auto content = pattern((12u << 20) + 123);
    temp_file f(content);
    std::uint64_t last_done = 0;
    auto up = v.run(v.s.upload(f.path, on_volume("big/" + name + ".bin"),
                               {[&](std::uint64_t done, std::uint64_t) { last_done = done; }}));
    REQUIRE(up.has_value());
    CHECK(up->size == content.size());
    CHECK(last_done == content.size());
    CHECK(up->uri == on_volume("big/" + name + ".bin"));
    // Three parts, each its own signed request.
    CHECK(count_requests(name, "PUT", "/" + std::string(volume) + "/big/" + name + ".bin?") == 3);
    CHECK(read_file(volume_dir() / "big" / (name + ".bin")) == content);

    auto back = f.path.string() + ".back";
    auto down = v.run(v.s.download(on_volume("big/" + name + ".bin"), back));
    REQUIRE(down.has_value());
    CHECK(read_file(back) == content);
}

TEST_CASE("relative paths are keys on the default volume, other locations are not supported", "[runpod][storage]")
{
    volumes v;
    auto name = unique("relative");
    temp_file f("a,b\n1,2\n");
    auto up = v.run(v.s.upload(f.path, storage_uri::local("datasets/" + name + ".csv")));
    REQUIRE(up.has_value());
    CHECK(up->uri == on_volume("datasets/" + name + ".csv"));
    CHECK(v.run(v.s.exists(on_volume("datasets/" + name + ".csv"))).value());
    CHECK(v.run(v.s.exists(storage_uri::local("datasets/" + name + ".csv"))).value());
    CHECK(v.run(v.s.exists(storage_uri::local("/etc/passwd"))).error().is(errc::not_supported));
    CHECK(v.run(v.s.exists(storage_uri::s3("bucket", "key"))).error().is(errc::not_supported));
    CHECK(v.run(v.s.upload(f.path, on_volume("dir/"))).error().is(errc::invalid_argument));
}

TEST_CASE("listing leaves out the directory entries RunPod lists", "[runpod][storage]")
{
    volumes v;
    auto name = unique("dirs");
    temp_file f("x");
    REQUIRE(v.run(v.s.upload(f.path, on_volume(name + "/a.txt"))).has_value());
    std::filesystem::create_directories(volume_dir() / name / "empty");
    auto listed = v.run(v.s.list(on_volume(name + "/")));
    REQUIRE(listed.has_value());
    REQUIRE(listed->size() == 1);
    CHECK(listed->at(0).uri == on_volume(name + "/a.txt"));
    CHECK(listed->at(0).size == 1);
    // The fake did list the directory: the filter is what keeps it out.
    auto raw = requests_with(name);
    CHECK_FALSE(raw.empty());
}

TEST_CASE("a repeated continuation token stops the listing with a clear error", "[runpod][storage]")
{
    auto o = fake_options();
    o.storage.list_page_size = 2;
    volumes v(o);
    auto name = unique("token");
    temp_file f("x");
    for (int i = 0; i < 7; ++i)
        REQUIRE(v.run(v.s.upload(f.path, on_volume(name + "/" + std::to_string(i) + ".txt"))).has_value());
    auto ok = v.run(v.s.list(on_volume(name + "/")));
    REQUIRE(ok.has_value());
    CHECK(ok->size() == 7); // pages of 2 are followed to the end

    auto const pages_before = count_requests(name, "GET", "/" + std::string(volume) + "?");
    inject({{"kind", "repeat_token"}, {"scope", name}, {"times", 10}});
    auto looped = v.run(v.s.list(on_volume(name + "/")));
    REQUIRE(looped.has_error());
    CHECK(looped.error().is(errc::protocol_error));
    CHECK(looped.error().message.find("same continuation token twice") != std::string::npos);
    // Page 1, page 2 whose next token is the one just used, and nothing after it.
    CHECK(count_requests(name, "GET", "/" + std::string(volume) + "?") - pages_before == 2);
}

TEST_CASE("transient 502s are retried", "[runpod][storage]")
{
    volumes v;
    auto name = unique("flaky");
    inject({{"kind", "error_502"}, {"scope", name}, {"times", 2}});
    temp_file f("payload");
    auto up = v.run(v.s.upload(f.path, on_volume(name + ".txt")));
    REQUIRE(up.has_value());
    CHECK(read_file(volume_dir() / (name + ".txt")) == "payload");
}

TEST_CASE("wrong or missing S3 keys, an unknown volume and the wrong datacenter are clear errors",
          "[runpod][storage]")
{
    temp_file f("x");
    auto o = fake_options();
    o.credentials.s3_secret_access_key = mlcloud::auth::secret_string("rps_wrong");
    volumes wrong(o);
    auto e = wrong.run(wrong.s.upload(f.path, on_volume("x.txt")));
    REQUIRE(e.has_error());
    CHECK(e.error().is(errc::unauthorized)); // the key's secret is wrong: the signature does not match
    CHECK(e.error().message.find("SignatureDoesNotMatch") != std::string::npos);
    CHECK(e.error().provider == "runpod");
    CHECK(e.error().what().find("rps_wrong") == std::string::npos);

    o = fake_options();
    o.credentials.env = mlcloud::auth::environment::from_map({{"RUNPOD_API_KEY", api_key},
                                                               {"RUNPOD_S3_ENDPOINT_URL", base()}});
    volumes none(o);
    auto m = none.run(none.s.exists(on_volume("x.txt")));
    REQUIRE(m.has_error());
    CHECK(m.error().is(errc::unauthorized));
    CHECK(m.error().message.find("RUNPOD_S3_ACCESS_KEY_ID") != std::string::npos);

    volumes v;
    auto missing = v.run(v.s.download(storage_uri::runpod_volume(datacenter, "novolume", "x"), f.path.string() + ".back"));
    REQUIRE(missing.has_error());
    CHECK(missing.error().is(errc::not_found));
    // The volume lives in EU-RO-1: signing for another datacenter's region is refused.
    auto elsewhere = v.run(v.s.exists(storage_uri::runpod_volume("US-KS-2", volume, "x.txt")));
    REQUIRE(elsewhere.has_error());
    CHECK(elsewhere.error().http_status == 400);
}

TEST_CASE("check_access answers for the S3 key and the volume", "[runpod][storage]")
{
    volumes v;
    CHECK(v.run(v.s.check_access(datacenter, volume)).value());
    CHECK_FALSE(v.run(v.s.check_access(datacenter, "novolume")).value());
}

TEST_CASE("setup finds or creates the volume, checks both keys, and changes nothing the second time",
          "[runpod][setup]")
{
    boost::asio::io_context ctx;
    auto o = fake_options();
    o.network_volume_id.clear();
    o.datacenter = "EU-CZ-1";
    auto name = unique("setup");
    rp::setup_options so{.volume_name = name, .volume_size_gb = 10};

    auto first = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, so));
    REQUIRE(first.has_value());
    CHECK(first->volume_created);
    CHECK(first->api_key_ok);
    CHECK(first->s3_keys_ok);
    CHECK(first->ready());
    CHECK(first->datacenter == "EU-CZ-1");
    REQUIRE(first->endpoint);
    auto text = [](rp::setup_report const& r) {
        std::string all;
        for (auto const& l : r.lines)
            all += l + "\n";
        return all;
    };
    CHECK(text(*first).find("network volume: created '" + name + "'") != std::string::npos);

    auto second = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, so));
    REQUIRE(second.has_value());
    CHECK_FALSE(second->volume_created);
    CHECK(second->volume_id == first->volume_id);
    CHECK(text(*second).find("network volume: found '" + name + "'") != std::string::npos);
    CHECK(count_requests(name, "POST", "/rest/v2/network-volumes") == 1);

    // By id, the volume is found as well.
    o.network_volume_id = first->volume_id;
    auto by_id = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, so));
    REQUIRE(by_id.has_value());
    CHECK(by_id->volume_id == first->volume_id);
    o.network_volume_id = "nosuchvolume";
    CHECK(mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, so)).error().is(errc::not_found));
}

TEST_CASE("setup's volume create waits out a 429 and adopts a volume whose answer was unreadable", "[runpod][setup]")
{
    boost::asio::io_context ctx;
    auto o = fake_options();
    o.network_volume_id.clear();
    o.datacenter = "EU-CZ-1";
    auto setup = [&](std::string const& name) {
        return mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, {.volume_name = name, .volume_size_gb = 10}));
    };
    auto volumes_named = [&](std::string const& name) {
        std::size_t n = 0;
        auto const all = control("GET", "/_fake/volumes");
        for (auto const& v : all.at("volumes").as_array())
            n += v.at("name") == name.c_str();
        return n;
    };

    // A 429 made nothing: asked again after the wait, one volume.
    auto throttled = unique("vol429");
    inject({{"kind", "volume_throttle"}, {"scope", throttled}, {"retry_after", 1}});
    auto first = setup(throttled);
    REQUIRE(first.has_value());
    CHECK(first->volume_created);
    CHECK(count_requests(throttled, "POST", "/rest/v2/network-volumes") == 2);
    CHECK(volumes_named(throttled) == 1);

    // A 201 whose body is not a volume: the volume is found in the list, not created twice.
    auto unreadable = unique("volbody");
    inject({{"kind", "volume_unreadable"}, {"scope", unreadable}});
    auto adopted = setup(unreadable);
    REQUIRE(adopted.has_value());
    CHECK(adopted->volume_name == unreadable);
    CHECK(count_requests(unreadable, "POST", "/rest/v2/network-volumes") == 1);

    // Not listed yet: the outcome is unknown, and the next setup adopts it.
    auto late = unique("vollate");
    inject({{"kind", "volume_unreadable"}, {"scope", late}, {"unlisted", 4}});
    auto unknown = setup(late);
    REQUIRE(unknown.has_error());
    CHECK(unknown.error().is(errc::outcome_unknown));
    CHECK(unknown.error().message.find("Run setup again") != std::string::npos);
    CHECK(unknown.error().message.find("no volume of that name is listed yet") != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(4100));
    auto later = setup(late);
    REQUIRE(later.has_value());
    CHECK_FALSE(later->volume_created);
    CHECK(count_requests(late, "POST", "/rest/v2/network-volumes") == 1);
    CHECK(volumes_named(late) == 1);
}

TEST_CASE("setup reports a refused API key, and S3 keys or endpoint problems as things to do", "[runpod][setup]")
{
    boost::asio::io_context ctx;
    auto o = fake_options();
    o.credentials.env = fake_environment("rpa_wrong");
    auto refused = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o));
    REQUIRE(refused.has_error());
    CHECK(refused.error().is(errc::unauthorized));

    o = fake_options();
    o.credentials.env = mlcloud::auth::environment::from_map(
        {{"RUNPOD_API_KEY", api_key}, {"RUNPOD_REST_URL", base() + "/rest/v2"}, {"RUNPOD_S3_ENDPOINT_URL", base()}});
    o.endpoint_id = "ep-missing";
    auto partial = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o));
    REQUIRE(partial.has_value());
    CHECK(partial->api_key_ok);
    CHECK_FALSE(partial->s3_keys_ok);
    CHECK_FALSE(partial->ready());
    REQUIRE(partial->problems.size() == 2);
    CHECK(partial->problems[0].find("no S3 API key") != std::string::npos);
    CHECK(partial->problems[1].find("ep-missing") != std::string::npos);
}
