//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// runpod::prediction against the contract fake, whose serverless jobs run the real worker
// (examples/runpod_worker/handler.py) and trainer: /run and /runsync, polling, limits checked
// before sending, FAILED errors unpacked, expired jobs, stuck queues, throttling.
#include "runpod_test.hpp"

#include <mlcloud/runpod/prediction.hpp>

#include <boost/asio/io_context.hpp>

using namespace runpod_test;
using mlcloud::errc;
namespace rp = mlcloud::runpod;

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

TEST_CASE("a job whose result expired is errc::expired", "[runpod][prediction]")
{
    auto o = fake_options();
    o.prediction.mode = rp::prediction_options::mode::run;
    predictor p(o);
    auto name = unique("expired");
    inject({{"kind", "expire"}, {"scope", name}});
    auto r = p.predict(request_for(name));
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::expired));
    CHECK(r.error().http_status == 404);
    CHECK(r.error().message.find("expired") != std::string::npos);
}

TEST_CASE("a job stuck IN_QUEUE is cancelled and reported with the endpoint's health", "[runpod][prediction]")
{
    auto o = fake_options();
    o.prediction.mode = rp::prediction_options::mode::run;
    o.prediction.max_queue_wait = std::chrono::milliseconds(500);
    predictor p(o);
    auto name = unique("stuck");
    inject({{"kind", "stuck"}, {"scope", name}});
    auto r = p.predict(request_for(name));
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::timeout));
    CHECK(r.error().message.find("waited in the queue") != std::string::npos);
    CHECK(r.error().message.find("workers: ") != std::string::npos);
    CHECK(r.error().message.find("it was cancelled") != std::string::npos);
    CHECK(count_requests("/ai/v2/ep-test/cancel/", "POST", "/ai/v2/ep-test/cancel/") >= 1);
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

TEST_CASE("models and inputs must be on the volume; unknown endpoints and keys are clear errors",
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
