//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// mlcloud::reconcile against the local backend (job directories of a temporary root), moto
// (instances tagged mlcloud:job, in a region only these tests use) and a RunPod fake of their
// own (pods named mlcloud-...): orphans found with their cost, ended machines and young ones
// left alone, records whose machine is gone, orphans stopped with `terminate`. The tests take
// turns (RESOURCE_LOCK faults_reconcile): a reconciliation sees every machine in its region.

#include "../aws/aws_test.hpp"
#include "../runpod/runpod_test.hpp"
#include "faults_test.hpp"

#include <mlcloud/aws/backend.hpp>
#include <mlcloud/local/backend.hpp>
#include <mlcloud/reconcile.hpp>
#include <mlcloud/runpod/backend.hpp>

#include <algorithm>
#include <thread>

using mlcloud::errc;
using mlcloud::job_handle;
using mlcloud::job_state;

namespace {

namespace aws = mlcloud::aws;
namespace rp = mlcloud::runpod;

template <class T>
bool has(std::vector<T> const& v, std::string const& id)
{
    return std::any_of(v.begin(), v.end(), [&](T const& x) {
        if constexpr (std::is_same_v<T, job_handle>)
            return x.id == id;
        else if constexpr (std::is_same_v<T, mlcloud::unlisted_record>)
            return x.record.id == id;
        else
            return x.job.id == id;
    });
}

mlcloud::unlisted_record const& unlisted(mlcloud::reconcile_report const& r, std::string const& id)
{
    auto it = std::find_if(r.unlisted.begin(), r.unlisted.end(), [&](auto const& u) { return u.record.id == id; });
    REQUIRE(it != r.unlisted.end());
    return *it;
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

/// What every provider's scenario holds: a running job with a record, a running one without
/// (the orphan), a job that ended with a record, and a record whose machine never existed (or
/// is long gone).
struct scene
{
    job_handle tracked, orphan, finished, gone;

    std::vector<job_handle> records() const { return {tracked, finished, gone}; }
};

template <class B, class Job>
scene set_scene(mlcloud::blocking<B>& c, Job&& job, job_handle gone)
{
    scene s;
    s.tracked = c.launch(job("tracked")).value();
    s.orphan = c.launch(job("orphan")).value();
    s.finished = c.launch(job("finished")).value();
    REQUIRE(c.terminate(s.finished));
    s.gone = std::move(gone);
    return s;
}

/// A report without `terminate`: the orphan found, running, priced and left alone; the
/// tracked job counted; the gone record told.
template <class B>
mlcloud::reconcile_report check_report(mlcloud::blocking<B>& c, scene const& s)
{
    auto r = c.run(mlcloud::reconcile(c.async().training(), s.records()));
    REQUIRE(r);
    REQUIRE(r->orphans.size() == 1);
    auto const& o = r->orphans.front();
    CHECK(o.job.id == s.orphan.id);
    CHECK(o.job.name.find("orphan") != std::string::npos); // the job's name, or the pod's made of it
    CHECK_FALSE(o.terminated);
    REQUIRE(o.status);
    CHECK((o.status->state == job_state::running || o.status->state == job_state::provisioning));
    CHECK(r->orphan_cost.usd == Approx(o.status->cost_so_far.usd));
    CHECK(r->orphans_left() == 1);
    CHECK(has(r->tracked, s.tracked.id));
    CHECK(unlisted(*r, s.gone.id).gone);
    CHECK(c.status(s.orphan).value().state != job_state::cancelled); // a report stops nothing
    return std::move(*r);
}

/// The same with `terminate`: the orphan stopped, and only the orphan.
template <class B>
void check_terminate(mlcloud::blocking<B>& c, scene const& s)
{
    mlcloud::reconcile_options stop;
    stop.terminate = true;
    auto r = c.run(mlcloud::reconcile(c.async().training(), s.records(), stop));
    REQUIRE(r);
    REQUIRE(r->orphans.size() == 1);
    CHECK(r->orphans.front().job.id == s.orphan.id);
    CHECK(r->orphans.front().terminated);
    REQUIRE(r->orphans.front().status);
    CHECK(r->orphans.front().status->state == job_state::cancelled);
    CHECK(r->orphans_left() == 0);
    CHECK(c.status(s.orphan).value().state == job_state::cancelled);
    CHECK(c.status(s.tracked).value().state == job_state::running);
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

/// The state of a pod on this file's RunPod fake, by id ("missing" when it has none).
std::string pod_status(std::string const& id)
{
    auto pods = faults_test::control_call(runpod_base(), mlcloud::net::method::get, "/_fake/pods");
    for (auto const& p : pods.at("pods").as_array())
        if (p.at("id").as_string() == id)
            return std::string(p.at("status").as_string());
    return "missing";
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
    return faults_test::pod_job(name, runpod_test::unique(name), std::move(script));
}

} // namespace

TEST_CASE("reconcile on AWS: an untracked running instance is an orphan with its cost, records and ended "
          "instances are told apart",
          "[reconcile][aws]")
{
    mlcloud::blocking<aws::backend> c(aws_options());
    stop_all(c);
    auto ended = c.launch(aws_job("ended")).value();
    REQUIRE(c.terminate(ended));
    auto s = set_scene(c, aws_job, job_handle{.provider = "aws", .id = "i-0123456789abcdef0", .name = "gone"});

    auto r = check_report(c, s);
    CHECK(r.orphans.front().status->cost_so_far.usd > 0.0); // EC2 bills a minute at least
    // EC2 still lists terminated instances for a while: ended, with a record or without.
    CHECK(has(r.ended, ended.id));
    CHECK(has(r.tracked, s.finished.id));
    CHECK(r.unlisted.size() == 1);
    check_terminate(c, s);
    stop_all(c);
}

TEST_CASE("reconcile on AWS with terminate leaves machines younger than min_age alone, then stops them",
          "[reconcile][aws]")
{
    mlcloud::blocking<aws::backend> c(aws_options());
    stop_all(c);
    auto tracked = c.launch(aws_job("tracked")).value();
    auto orphan = c.launch(aws_job("orphan")).value();
    std::vector<job_handle> records{tracked};

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

    careful.min_age = std::chrono::seconds(0);
    auto r = c.run(mlcloud::reconcile(c.async().training(), records, careful));
    REQUIRE(r);
    REQUIRE(r->orphans.size() == 1);
    CHECK(r->orphans.front().terminated);

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
    auto s = set_scene(c, [](std::string const& name) { return pod_job(name); },
                       job_handle{.provider = "runpod", .id = "nosuchpod0000x", .name = "gone"});

    auto r = check_report(c, s);
    CHECK(r.orphans.front().status->cost_so_far.basis.find("$0.29/h") != std::string::npos);
    // RunPod does not list terminated pods: the finished job's record is unlisted, and the
    // provider still says how it ended.
    REQUIRE(r.unlisted.size() == 2);
    auto const& finished = unlisted(r, s.finished.id);
    REQUIRE(finished.status);
    CHECK(finished.status->state == job_state::cancelled);
    CHECK_FALSE(finished.gone);

    check_terminate(c, s);
    CHECK(pod_status(s.orphan.id) == "TERMINATED");
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
    for (int i = 0; i < 500 && pod_status(exited.id) != "EXITED"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(pod_status(exited.id) == "EXITED");
    auto r = c.run(mlcloud::reconcile(c.async().training(), {}));
    REQUIRE(r);
    CHECK(r->orphans.empty());
    CHECK(has(r->ended, exited.id));

    // The fake's list fault, as many times as the transport tries.
    faults_test::control_call(runpod_base(), mlcloud::net::method::post, "/_fake/faults",
                              R"({"kind": "list_error_500", "times": 3})");
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
    // No state directory yet: nothing listed, nothing wrong.
    auto empty = c.run(mlcloud::reconcile(c.async().training(), {}));
    REQUIRE(empty);
    CHECK(empty->orphans.empty());

    auto sleeper = [](std::string const& name) {
        return mlcloud::job_spec{.name = name, .command = {"/bin/sleep", "60"}};
    };
    auto s = set_scene(c, sleeper, job_handle{.provider = "local", .id = "local-20260101T000000-0badf00d"});
    auto r = check_report(c, s);
    CHECK(r.orphan_cost.usd == 0.0); // this machine bills nothing
    CHECK(r.orphan_cost.known);
    CHECK(has(r.tracked, s.finished.id)); // listed while its directory stays
    check_terminate(c, s);
    REQUIRE(c.terminate(s.tracked));
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
}
