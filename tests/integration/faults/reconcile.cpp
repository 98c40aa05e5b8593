//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// mlcloud::reconcile against the local backend (job directories), moto (instances tagged mlcloud:job, in a region only these tests
// use) and against a RunPod fake of their own (pods named mlcloud-...): orphans found with
// their cost, ended machines and young ones left alone, records whose machine is gone, orphans
// stopped with `terminate`. The tests take turns (RESOURCE_LOCK faults_reconcile): a
// reconciliation sees every machine in its region.

#include "../aws/aws_test.hpp"
#include "../runpod/runpod_test.hpp"

#include <mlcloud/aws/backend.hpp>
#include <mlcloud/local/backend.hpp>
#include <mlcloud/reconcile.hpp>
#include <mlcloud/runpod/backend.hpp>
#include <mlcloud/runpod/detail/wire.hpp>

#include <algorithm>
#include <thread>

using mlcloud::errc;
using mlcloud::job_state;

namespace {

namespace aws = mlcloud::aws;
namespace rp = mlcloud::runpod;

template <class T>
bool has(std::vector<T> const& v, std::string const& id)
{
    return std::any_of(v.begin(), v.end(), [&](T const& x) {
        if constexpr (std::is_same_v<T, mlcloud::job_handle>)
            return x.id == id;
        else if constexpr (std::is_same_v<T, mlcloud::unlisted_record>)
            return x.record.id == id;
        else
            return x.job.id == id;
    });
}

template <class T>
T const& find(std::vector<T> const& v, std::string const& id)
{
    for (auto const& x : v)
        if (x.job.id == id)
            return x;
    FAIL("no machine " << id);
    return v.front();
}

/// Stops every machine listed, so the next test starts with no orphans.
template <class B>
void stop_all(mlcloud::blocking<B>& c)
{
    auto listed = c.run(c.async().training().list_jobs());
    REQUIRE(listed);
    for (auto const& j : *listed)
        (void)c.terminate(j);
}

// --- AWS ------------------------------------------------------------------------------------

/// eu-west-1 of the faults' own moto: no other test launches there.
aws::options aws_options()
{
    auto o = aws_test::options_for(mlcloud_test::fixture_url("faults_moto"));
    o.region = "eu-west-1";
    o.log_settle_time = std::chrono::seconds(0);
    return o;
}

mlcloud::job_spec aws_job(std::string const& name)
{
    mlcloud::job_spec s;
    s.name = name;
    s.idempotency_key = aws_test::unique_name(name);
    s.image = "ghcr.io/acme/trainer:1";
    s.command = {"mlcloud-trainer", "train"};
    s.dataset = mlcloud::storage_uri::s3("data", "iris.csv");
    s.compute = {{"g4dn.xlarge", 1}};
    s.max_runtime = std::chrono::hours(1);
    return s;
}

// --- RunPod ---------------------------------------------------------------------------------

std::string runpod_base() { return mlcloud_test::fixture_url("faults_runpod"); }

/// A request to the control API of this file's own RunPod fake (fixture faults_runpod).
boost::json::value control(mlcloud::net::method m, std::string const& path, std::string const& body = {})
{
    namespace net = mlcloud::net;
    boost::asio::io_context ctx;
    net::client_options co;
    co.proxy = net::proxy_options{};
    net::http_client http(ctx.get_executor(), co);
    net::request req;
    req.method = m;
    req.url = runpod_base() + path;
    req.body = body;
    auto r = mlcloud::run_blocking(ctx, http.send(std::move(req)));
    if (!r || r->status != 200)
        throw std::runtime_error("fake control request " + path + " failed");
    return boost::json::parse(r->body);
}

std::string pod_status(std::string const& name_part)
{
    auto pods = control(mlcloud::net::method::get, "/_fake/pods?name_contains=" + name_part);
    auto const& list = pods.at("pods").as_array();
    return list.empty() ? "missing" : std::string(list.at(0).at("status").as_string());
}

rp::options runpod_options()
{
    auto o = runpod_test::fake_options();
    o.credentials.env = mlcloud::auth::environment::from_map({
        {"RUNPOD_API_KEY", runpod_test::api_key},
        {"RUNPOD_REST_URL", runpod_base() + "/rest/v2"},
        {"RUNPOD_SERVERLESS_URL", runpod_base() + "/ai/v2"},
        {"RUNPOD_S3_ENDPOINT_URL", runpod_base()},
        {"RUNPOD_S3_ACCESS_KEY_ID", runpod_test::s3_access_key},
        {"RUNPOD_S3_SECRET_ACCESS_KEY", runpod_test::s3_secret},
    });
    return o;
}

mlcloud::job_spec pod_job(std::string const& name, std::vector<std::string> script = {"@hang"})
{
    mlcloud::job_spec s;
    s.name = name;
    s.idempotency_key = runpod_test::unique(name);
    s.command = std::move(script);
    s.compute = {{"NVIDIA RTX A5000", 1}};
    return s;
}

} // namespace

TEST_CASE("reconcile on AWS: an untracked running instance is an orphan with its cost, records and ended "
          "instances are told apart",
          "[reconcile][aws]")
{
    mlcloud::blocking<aws::backend> c(aws_options());
    stop_all(c);
    auto tracked = c.launch(aws_job("tracked")).value();
    auto orphan = c.launch(aws_job("orphan")).value();
    auto ended = c.launch(aws_job("ended")).value();
    REQUIRE(c.terminate(ended));
    auto finished = c.launch(aws_job("finished")).value();
    REQUIRE(c.terminate(finished));
    // Records: a running job, a job that ended, and one whose instance never existed (or is
    // long gone: EC2 forgets terminated instances after about an hour).
    mlcloud::job_handle gone{.provider = "aws", .id = "i-0123456789abcdef0", .name = "gone"};
    std::vector<mlcloud::job_handle> records{tracked, finished, gone};

    auto r = c.run(mlcloud::reconcile(c.async().training(), records));
    REQUIRE(r);
    REQUIRE(r->orphans.size() == 1);
    auto const& o = r->orphans.front();
    CHECK(o.job.id == orphan.id);
    CHECK(o.job.name == "orphan");
    CHECK_FALSE(o.terminated);
    REQUIRE(o.status);
    CHECK((o.status->state == job_state::running || o.status->state == job_state::provisioning));
    CHECK(o.status->cost_so_far.usd > 0.0); // EC2 bills a minute at least
    CHECK(r->orphan_cost.usd == Approx(o.status->cost_so_far.usd));
    CHECK(r->orphans_left() == 1);
    CHECK(has(r->ended, ended.id));
    CHECK(has(r->tracked, tracked.id));
    CHECK(has(r->tracked, finished.id));
    REQUIRE(r->unlisted.size() == 1);
    CHECK(r->unlisted.front().record.id == gone.id);
    CHECK(r->unlisted.front().gone);
    // Nothing was stopped by a report.
    CHECK(c.status(orphan).value().state != job_state::cancelled);
    stop_all(c);
}

TEST_CASE("reconcile on AWS with terminate stops the orphans, leaves young ones and tracked jobs alone",
          "[reconcile][aws]")
{
    mlcloud::blocking<aws::backend> c(aws_options());
    stop_all(c);
    auto tracked = c.launch(aws_job("tracked")).value();
    auto orphan = c.launch(aws_job("orphan")).value();
    std::vector<mlcloud::job_handle> records{tracked};

    mlcloud::reconcile_options careful;
    careful.terminate = true;
    careful.min_age = std::chrono::hours(1);
    auto young = c.run(mlcloud::reconcile(c.async().training(), records, careful));
    REQUIRE(young);
    CHECK(young->orphans.empty());
    REQUIRE(young->too_young.size() == 1);
    CHECK(young->too_young.front().job.id == orphan.id);
    CHECK_FALSE(young->too_young.front().terminated);
    CHECK(c.status(orphan).value().state == job_state::running);

    mlcloud::reconcile_options now;
    now.terminate = true;
    auto r = c.run(mlcloud::reconcile(c.async().training(), records, now));
    REQUIRE(r);
    REQUIRE(r->orphans.size() == 1);
    CHECK(r->orphans.front().terminated);
    CHECK(r->orphans.front().status->state == job_state::cancelled);
    CHECK(r->orphans_left() == 0);
    CHECK(c.status(orphan).value().state == job_state::cancelled);
    CHECK(c.status(tracked).value().state == job_state::running);

    // Once stopped, the orphan is an ended machine: nothing left to do.
    auto again = c.run(mlcloud::reconcile(c.async().training(), records));
    REQUIRE(again);
    CHECK(again->orphans.empty());
    CHECK(has(again->ended, orphan.id));
    stop_all(c);
}

TEST_CASE("reconcile on AWS reports an unreadable listing as an error", "[reconcile][aws]")
{
    auto o = aws_options();
    o.credentials.reset();
    o.config.env = mlcloud::auth::environment::from_map({});
    o.config.credentials_file = "/nonexistent/credentials";
    o.config.config_file = "/nonexistent/config";
    mlcloud::blocking<aws::backend> c(o);
    auto r = c.run(mlcloud::reconcile(c.async().training(), {}));
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::unauthorized));
}

TEST_CASE("reconcile on RunPod: an untracked pod is an orphan, a record whose pod is gone is told", "[reconcile][runpod]")
{
    mlcloud::blocking<rp::backend> c(runpod_options());
    stop_all(c);
    auto tracked = c.launch(pod_job("tracked")).value();
    auto orphan_spec = pod_job("orphan");
    auto const orphan_key = orphan_spec.idempotency_key;
    auto orphan = c.launch(orphan_spec).value();
    auto finished = c.launch(pod_job("finished")).value();
    REQUIRE(c.terminate(finished));
    mlcloud::job_handle gone{.provider = "runpod", .id = "nosuchpod0000x", .name = "gone"};
    std::vector<mlcloud::job_handle> records{tracked, finished, gone};

    auto r = c.run(mlcloud::reconcile(c.async().training(), records));
    REQUIRE(r);
    REQUIRE(r->orphans.size() == 1);
    auto const& o = r->orphans.front();
    CHECK(o.job.id == orphan.id);
    REQUIRE(o.status);
    CHECK((o.status->state == job_state::running || o.status->state == job_state::provisioning));
    CHECK(o.status->cost_so_far.basis.find("$0.29/h") != std::string::npos);
    CHECK(has(r->tracked, tracked.id));
    // RunPod does not list terminated pods: the finished job's record is unlisted, and the
    // provider still says how it ended; the other record's pod is gone.
    REQUIRE(r->unlisted.size() == 2);
    for (auto const& u : r->unlisted)
    {
        if (u.record.id == finished.id)
        {
            REQUIRE(u.status);
            CHECK(u.status->state == job_state::cancelled);
            CHECK_FALSE(u.gone);
        }
        else
        {
            CHECK(u.record.id == gone.id);
            CHECK(u.gone);
        }
    }

    mlcloud::reconcile_options stop;
    stop.terminate = true;
    auto s = c.run(mlcloud::reconcile(c.async().training(), records, stop));
    REQUIRE(s);
    REQUIRE(s->orphans.size() == 1);
    CHECK(s->orphans.front().terminated);
    CHECK(s->orphans_left() == 0);
    CHECK(pod_status(rp::detail::pod_name("orphan", orphan_key)) == "TERMINATED");
    CHECK(c.status(tracked).value().state == job_state::running);
    stop_all(c);
}

TEST_CASE("reconcile on RunPod: an exited pod without a record has ended, a listing that fails is an error",
          "[reconcile][runpod]")
{
    mlcloud::blocking<rp::backend> c(runpod_options());
    stop_all(c);
    auto spec = pod_job("exits", {"done"});
    auto exited = c.launch(spec).value();
    // Wait until the container has exited (the pod is EXITED, still listed, still billing disk).
    auto const name = rp::detail::pod_name(spec.name, spec.idempotency_key);
    for (int i = 0; i < 500 && pod_status(name) != "EXITED"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(pod_status(name) == "EXITED");
    auto r = c.run(mlcloud::reconcile(c.async().training(), {}));
    REQUIRE(r);
    CHECK(r->orphans.empty());
    CHECK(has(r->ended, exited.id));

    // The fake's list fault, as many times as the transport tries.
    control(mlcloud::net::method::post, "/_fake/faults", R"({"kind": "list_error_500", "times": 3})");
    auto failed = c.run(mlcloud::reconcile(c.async().training(), {}));
    REQUIRE_FALSE(failed);
    CHECK(failed.error().is(errc::provider_error));
    // Whatever the transport did not use up is used up here, for the next test.
    for (int i = 0; i < 10 && !c.run(c.async().training().list_jobs()); ++i)
        ;
    stop_all(c);
}

// --- local ----------------------------------------------------------------------------------

TEST_CASE("reconcile on local: an untracked running job is an orphan and is stopped, a record whose job is gone is "
          "told",
          "[reconcile][local]")
{
    auto const root = std::filesystem::temp_directory_path() / aws_test::unique_name("reconcile-local");
    mlcloud::local::options o;
    o.root = root;
    mlcloud::blocking<mlcloud::local::backend> c(o);
    auto job = [](std::string const& name) {
        mlcloud::job_spec s;
        s.name = name;
        s.command = {"/bin/sleep", "60"};
        return s;
    };
    // No state directory yet: nothing listed, nothing wrong.
    auto empty = c.run(mlcloud::reconcile(c.async().training(), {}));
    REQUIRE(empty);
    CHECK(empty->orphans.empty());

    auto tracked = c.launch(job("tracked")).value();
    auto orphan = c.launch(job("orphan")).value();
    auto finished = c.launch(job("finished")).value();
    REQUIRE(c.terminate(finished));
    mlcloud::job_handle gone{.provider = "local", .id = "local-20260101T000000-0badf00d", .name = "gone"};
    std::vector<mlcloud::job_handle> records{tracked, gone};

    auto r = c.run(mlcloud::reconcile(c.async().training(), records));
    REQUIRE(r);
    REQUIRE(r->orphans.size() == 1);
    CHECK(r->orphans.front().job.id == orphan.id);
    CHECK(r->orphans.front().job.name == "orphan");
    REQUIRE(r->orphans.front().status);
    CHECK(r->orphans.front().status->state == job_state::running);
    CHECK(r->orphan_cost.usd == 0.0); // this machine bills nothing
    CHECK(has(r->ended, finished.id));
    CHECK(has(r->tracked, tracked.id));
    REQUIRE(r->unlisted.size() == 1);
    CHECK(r->unlisted.front().gone);

    mlcloud::reconcile_options stop;
    stop.terminate = true;
    auto s = c.run(mlcloud::reconcile(c.async().training(), records, stop));
    REQUIRE(s);
    REQUIRE(s->orphans.size() == 1);
    CHECK(s->orphans.front().terminated);
    CHECK(c.status(orphan).value().state == job_state::cancelled);
    CHECK(c.status(tracked).value().state == job_state::running);
    REQUIRE(c.terminate(tracked));
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
}
