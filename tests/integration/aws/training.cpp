//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// aws::training against moto_server (EC2 + CloudWatch Logs) and against
// tests/fakes/aws_fault_server.py (ClientToken idempotency, capacity and parameter errors,
// throttling, signature checks).
//
// moto runs no instance: where a job's instance would write log lines, tag itself with its
// result and power off, the test does exactly that through the same APIs (PutLogEvents,
// CreateTags, TerminateInstances). The bootstrap script that does it on a real instance is
// tested under bash in unit_aws.

#include "aws_test.hpp"

#include <mlcloud/aws/detail/xml.hpp>
#include <mlcloud/testing/conformance.hpp>

#include <cancellation.hpp>

#include <limits>
#include <set>

using namespace aws_test;
using mlcloud::errc;
using mlcloud::job_state;
using mlcloud::run_blocking;

namespace {

std::string const marker(mlcloud::completion_marker);

struct training_fixture : mlcloud_test::io_fixture
{
    aws::options opts;
    std::optional<aws::training> training;
    raw_calls raw;

    explicit training_fixture(std::string const& endpoint = moto_url())
        : opts(options_for(endpoint)), raw(ctx, endpoint)
    {
        opts.bucket = "models-bucket";
        opts.log_group = "/mlcloud/test-" + unique_name("jobs");
        opts.subnet_id = "";
        training.emplace(ctx.get_executor(), opts);
    }

    mlcloud::job_spec job(std::string name, std::vector<std::string> types = {"g5.xlarge"})
    {
        mlcloud::job_spec s;
        s.name = std::move(name);
        s.idempotency_key = unique_name("key");
        s.image = "ghcr.io/acme/trainer:1";
        s.command = {"mlcloud-trainer", "train", "--target", "species"};
        s.dataset = mlcloud::storage_uri::s3("data-bucket", "iris.csv");
        for (auto& t : types)
            s.compute.push_back({t, 1});
        s.max_runtime = std::chrono::hours(1);
        return s;
    }
};

std::string attribute(raw_calls& raw, std::string const& id, std::string const& name)
{
    auto xml = raw.query("DescribeInstanceAttribute", {{"InstanceId", id}, {"Attribute", name}});
    auto doc = aws::detail::xml::parse(xml, "DescribeInstanceAttribute").value();
    auto const& root = doc.front().second;
    auto const* node = aws::detail::xml::child(root, name);
    REQUIRE(node);
    return aws::detail::xml::text(*node, "value");
}

} // namespace

TEST_CASE("EC2: an on-demand launch is tagged, described, and terminated idempotently", "[aws][ec2]")
{
    training_fixture f;
    auto spec = f.job("iris 'first' run");
    auto h = f.run(f.training->launch(spec));
    REQUIRE(h);
    CHECK(aws::detail::is_instance_id(h->id));
    CHECK(h->provider == "aws");
    CHECK(h->name == spec.name);
    CHECK(h->compute.id == "g5.xlarge");
    CHECK(h->market == mlcloud::market::on_demand);
    CHECK(h->price_per_hour == Approx(1.006));
    CHECK(h->region == "us-east-1");
    REQUIRE(h->output);
    CHECK(h->output->bucket == "models-bucket");

    auto tagged = f.raw.describe_tagged("mlcloud:job", spec.idempotency_key);
    REQUIRE(tagged.size() == 1);
    CHECK(tagged[0].id == h->id);
    CHECK(tagged[0].tags.at("mlcloud:name") == spec.name);
    CHECK(tagged[0].tags.at("mlcloud:max-runtime") == "3600");
    CHECK(tagged[0].tags.at("mlcloud:managed-by") == "mlcloud");
    CHECK(tagged[0].client_token == aws::detail::client_token(spec.idempotency_key, "g5.xlarge", false));
    CHECK(attribute(f.raw, h->id, "instanceInitiatedShutdownBehavior") == "terminate");
    auto user_data = aws::detail::base64_decode(attribute(f.raw, h->id, "userData")).value();
    CHECK(user_data == f.training->user_data(spec).value());
    CHECK(user_data.starts_with("#!/bin/bash\n"));
    CHECK(user_data.find("IMAGE='ghcr.io/acme/trainer:1'") != std::string::npos);
    CHECK(user_data.find("LOG_GROUP='" + f.opts.log_group + "'") != std::string::npos);

    auto s = f.run(f.training->status(*h));
    REQUIRE(s);
    CHECK((s->state == job_state::running || s->state == job_state::provisioning));
    CHECK(s->cost_so_far.usd >= 0.0);
    CHECK(s->cost_so_far.billed >= std::chrono::seconds(60)); // EC2's minimum
    INFO(s->cost_so_far.basis);
    CHECK(s->cost_so_far.basis.find("$1.006") != std::string::npos);

    auto t1 = f.run(f.training->terminate(*h));
    REQUIRE(t1);
    CHECK(t1->state == job_state::cancelled);
    auto t2 = f.run(f.training->terminate(*h));
    REQUIRE(t2);
    CHECK(t2->state == job_state::cancelled);
    CHECK(f.run(f.training->status({.provider = "aws", .id = h->id})).value().state == job_state::cancelled);
}

TEST_CASE("EC2: a spot launch asks for the spot market and reports it", "[aws][ec2]")
{
    training_fixture f;
    auto spec = f.job("spot run", {"g4dn.xlarge"});
    spec.market = mlcloud::market::spot;
    spec.max_price_per_hour = 0.30;
    auto h = f.run(f.training->launch(spec));
    REQUIRE(h);
    CHECK(h->market == mlcloud::market::spot);
    auto tagged = f.raw.describe_tagged("mlcloud:job", spec.idempotency_key);
    REQUIRE(tagged.size() == 1);
    CHECK(tagged[0].lifecycle == "spot");
    // The table has no spot price for it: the cost is the on-demand upper bound, and says so.
    auto s = f.run(f.training->status(*h));
    REQUIRE(s);
    CHECK(s->cost_so_far.basis.find("the on-demand price") != std::string::npos);
    CHECK(f.run(f.training->terminate(*h)).value().state == job_state::cancelled);
}

TEST_CASE("EC2: an on-demand price cap keeps only instance types known to be within it", "[aws][ec2]")
{
    training_fixture f;
    // p5.48xlarge is not in the pricing table: its price is unknown, not free.
    auto spec = f.job("capped", {"p5.48xlarge", "g4dn.xlarge"});
    spec.max_price_per_hour = 1.0;
    auto h = f.run(f.training->launch(spec));
    REQUIRE(h);
    CHECK(h->compute.id == "g4dn.xlarge");
    CHECK(f.run(f.training->terminate(*h)).value().state == job_state::cancelled);

    auto unknown = f.job("unpriced", {"p5.48xlarge"});
    unknown.max_price_per_hour = 1000.0;
    auto e = f.run(f.training->launch(unknown));
    REQUIRE_FALSE(e);
    CHECK(e.error().is(mlcloud::errc::invalid_argument));
    CHECK(f.raw.describe_tagged("mlcloud:job", unknown.idempotency_key).empty());

    // Without a cap it runs, and its cost says it is not known rather than $0.
    unknown.max_price_per_hour.reset();
    auto uncapped = f.run(f.training->launch(unknown));
    REQUIRE(uncapped);
    auto s = f.run(f.training->status(*uncapped));
    REQUIRE(s);
    CHECK_FALSE(s->cost_so_far.known);
    CHECK(s->cost_so_far.basis == "no price is known for instance type p5.48xlarge");
    CHECK(f.run(f.training->terminate(*uncapped)).value().state == job_state::cancelled);

    // A NaN cap compares false with every price: refused, on spot too (it would be the bid).
    auto nan_cap = f.job("nan cap", {"g4dn.xlarge"});
    nan_cap.max_price_per_hour = std::numeric_limits<double>::quiet_NaN();
    nan_cap.market = mlcloud::market::spot;
    auto refused = f.run(f.training->launch(nan_cap));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().is(mlcloud::errc::invalid_argument));
    CHECK(f.raw.describe_tagged("mlcloud:job", nan_cap.idempotency_key).empty());
}

TEST_CASE("EC2: a launch repeated with its key adopts the first instance", "[aws][ec2]")
{
    training_fixture f;
    auto spec = f.job("twice");
    auto a = f.run(f.training->launch(spec));
    auto b = f.run(f.training->launch(spec));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->id == b->id);
    CHECK(f.raw.describe_tagged("mlcloud:job", spec.idempotency_key).size() == 1);
    // Also after a restart, from another provider object.
    aws::training other(f.ctx.get_executor(), f.opts);
    CHECK(f.run(other.launch(spec)).value().id == a->id);
    auto listed = f.run(f.training->list_jobs());
    REQUIRE(listed);
    CHECK(std::any_of(listed->begin(), listed->end(), [&](mlcloud::job_handle const& j) { return j.id == a->id; }));
    REQUIRE(f.run(f.training->terminate(*a)));
}

TEST_CASE("EC2: an idempotency key longer than a tag holds is refused before any request", "[aws][ec2][errors]")
{
    // The key is the mlcloud:job tag a relaunch finds the instance by: cut to 256 characters,
    // the relaunch would never find it and would start a second instance.
    training_fixture f;
    auto spec = f.job("long key");
    spec.idempotency_key = std::string(257, 'k');
    auto h = f.run(f.training->launch(spec));
    REQUIRE_FALSE(h);
    CHECK(h.error().is(errc::invalid_argument));
    CHECK(h.error().message.find("256") != std::string::npos);
    CHECK(f.raw.describe_tagged("mlcloud:name", "long key").empty());
    spec.idempotency_key = std::string(256, 'k'); // the most that fits works
    auto fits = f.run(f.training->launch(spec));
    REQUIRE(fits);
    CHECK(f.raw.describe_tagged("mlcloud:job", spec.idempotency_key).size() == 1);
    CHECK(f.run(f.training->terminate(*fits)));
}

namespace {

/// status, terminate and read_logs of `job` all fail with `code`; the status's error.
mlcloud::error refused_everywhere(training_fixture& f, mlcloud::job_handle const& job, errc code)
{
    auto s = f.run(f.training->status(job));
    REQUIRE_FALSE(s);
    CHECK(s.error().is(code));
    auto t = f.run(f.training->terminate(job));
    REQUIRE_FALSE(t);
    CHECK(t.error().is(code));
    auto l = f.run(f.training->read_logs(job, {}));
    REQUIRE_FALSE(l);
    CHECK(l.error().is(code));
    return s.error();
}

} // namespace

TEST_CASE("EC2: unknown and malformed job ids are not_found with the request id", "[aws][ec2][errors]")
{
    training_fixture f;
    mlcloud::job_handle unknown{.provider = "aws", .id = "i-0123456789abcdef0"};
    auto const e = refused_everywhere(f, unknown, errc::not_found);
    CHECK(e.message.starts_with("InvalidInstanceID.NotFound"));
    CHECK_FALSE(e.request_id.empty());
    CHECK(e.http_status == 400);

    for (std::string bad : {"", "job-1", "i-XYZ", "../../etc/passwd"})
    {
        auto m = f.run(f.training->status({.provider = "aws", .id = bad}));
        REQUIRE_FALSE(m);
        CHECK(m.error().is(errc::not_found));
    }
}

TEST_CASE("EC2: a job of another region is named as such, not reported gone", "[aws][ec2][errors]")
{
    training_fixture f;
    auto job = f.run(f.training->launch(f.job("other-region")));
    REQUIRE(job);
    REQUIRE_FALSE(job->region.empty());
    auto elsewhere = *job;
    elsewhere.region = job->region == "eu-west-1" ? "us-east-1" : "eu-west-1"; // a handle from another region's run
    auto const e = refused_everywhere(f, elsewhere, errc::invalid_argument); // not not_found: nothing says it is gone
    CHECK(e.message.find("runs in region " + elsewhere.region) != std::string::npos);
    CHECK(e.message.find("AWS_REGION=" + elsewhere.region) != std::string::npos);
    CHECK(f.run(f.training->terminate(*job))); // in its own region it is there
}

TEST_CASE("CloudWatch Logs: lines are read with forward tokens and resume from a saved cursor", "[aws][logs]")
{
    training_fixture f;
    f.raw.ensure_log_group(f.opts.log_group);
    auto h = f.run(f.training->launch(f.job("logs")));
    REQUIRE(h);

    // Nothing yet: the instance is booting and has no stream.
    auto empty = f.run(f.training->read_logs(*h, {}));
    REQUIRE(empty);
    CHECK(empty->lines.empty());
    CHECK_FALSE(empty->end_of_stream);

    f.raw.put_lines(f.opts.log_group, h->id, {"loading data", "epoch 1/2 loss=0.9\r"});
    auto first = f.run(f.training->read_logs(*h, empty->next));
    REQUIRE(first);
    CHECK(first->lines == std::vector<std::string>{"loading data", "epoch 1/2 loss=0.9"});
    CHECK_FALSE(first->end_of_stream);

    // The same token back: no new events, the job still runs.
    auto idle = f.run(f.training->read_logs(*h, first->next));
    REQUIRE(idle);
    CHECK(idle->lines.empty());
    CHECK_FALSE(idle->end_of_stream);
    CHECK(idle->next == first->next);

    // A restart: a new provider object, the cursor from a database column.
    f.raw.put_lines(f.opts.log_group, h->id, {"epoch 2/2 loss=0.4", "multi\nline event", marker});
    mlcloud::log_cursor saved{std::string(first->next.token)};
    aws::training restarted(f.ctx.get_executor(), f.opts);
    auto rest = f.run(restarted.read_logs({.provider = "aws", .id = h->id}, saved));
    REQUIRE(rest);
    CHECK(rest->lines == std::vector<std::string>{"epoch 2/2 loss=0.4", "multi", "line event", marker});
    CHECK(rest->has_completion_marker());

    // The instance tags its result and powers off: the stream ends.
    f.raw.tag(h->id, {{"mlcloud:result", "succeeded"}, {"mlcloud:exit-code", "0"}});
    f.raw.terminate(h->id);
    auto end = f.run(restarted.read_logs({.provider = "aws", .id = h->id}, rest->next));
    REQUIRE(end);
    CHECK(end->lines.empty());
    CHECK(end->end_of_stream);
    auto s = f.run(restarted.status({.provider = "aws", .id = h->id}));
    REQUIRE(s);
    CHECK(s->state == job_state::succeeded);
    CHECK(s->exit_code == 0);

    // From the start again: everything, in order.
    auto all = f.run(restarted.read_logs({.provider = "aws", .id = h->id}, {}));
    REQUIRE(all);
    CHECK(all->lines.size() == 6);
}

TEST_CASE("CloudWatch Logs: a stream whose instance EC2 no longer lists ends instead of failing", "[aws][logs]")
{
    // EC2 drops a terminated instance from DescribeInstances after about an hour; its stream
    // stays. A reader that has read it to the end gets end_of_stream, not not_found.
    training_fixture f;
    f.raw.ensure_log_group(f.opts.log_group);
    std::string const gone = "i-0" + std::string(16, 'e');
    f.raw.put_lines(f.opts.log_group, gone, {"epoch 1/1", marker});
    mlcloud::job_handle h{.provider = "aws", .id = gone};
    auto lines = f.run(f.training->read_logs(h, {}));
    REQUIRE(lines);
    CHECK(lines->lines == std::vector<std::string>{"epoch 1/1", marker});
    auto end = f.run(f.training->read_logs(h, lines->next));
    REQUIRE(end);
    CHECK(end->lines.empty());
    CHECK(end->end_of_stream);
}

TEST_CASE("EC2: an instance terminated from outside without a result is cancelled", "[aws][ec2]")
{
    training_fixture f;
    auto h = f.run(f.training->launch(f.job("console terminate")));
    REQUIRE(h);
    f.raw.terminate(h->id); // e.g. from the EC2 console: Client.UserInitiatedShutdown
    auto s = f.run(f.training->status(*h));
    REQUIRE(s);
    CHECK(s->state == job_state::cancelled);
    CHECK(s->detail.find("Client.UserInitiatedShutdown") != std::string::npos);
}

TEST_CASE("EC2: terminate ends a job whose instance was stopped from outside", "[aws][ec2]")
{
    // A stopped instance no longer runs, but its EBS volumes bill until it is terminated.
    training_fixture f;
    auto const spec = f.job("stopped from outside");
    auto h = f.run(f.training->launch(spec));
    REQUIRE(h);
    f.raw.query("StopInstances", {{"InstanceId.1", h->id}});
    auto const state = [&] { return f.raw.describe_tagged("mlcloud:job", spec.idempotency_key).at(0).state; };
    REQUIRE((state() == "stopping" || state() == "stopped"));
    auto t = f.run(f.training->terminate(*h));
    REQUIRE(t);
    CHECK(mlcloud::is_terminal(t->state));
    CHECK((state() == "shutting-down" || state() == "terminated"));
}

// ---------------------------------------------------------------------------------------
// The fault server: what moto does not model

TEST_CASE("EC2 fault: a lost RunInstances answer is resent with its ClientToken, one instance runs", "[aws][ec2][fault]")
{
    training_fixture f(fault_url());
    std::string const type = "drop." + unique_name("t");
    auto spec = f.job("lost answer", {type});
    auto h = f.run(f.training->launch(spec));
    REQUIRE(h);
    auto token = aws::detail::client_token(spec.idempotency_key, type, false);
    CHECK(counter(f.raw.stats(token), "requests") == 2); // the lost one, and the resend
    CHECK(counter(f.raw.stats(type), "instances") == 1);
    CHECK(h->compute.id == type);
}

TEST_CASE("EC2 fault: a launch cancelled while RunInstances is answered terminates the instance", "[aws][ec2][fault]")
{
    // The fault server starts the instance at once and answers 3 s later; the caller cancels
    // after 300 ms. Nobody will get the handle, so the launch terminates the instance (found by
    // its mlcloud:job tag) and returns `cancelled` rather than throwing.
    using namespace std::chrono_literals;
    training_fixture f(fault_url());
    std::string const type = "slow." + unique_name("t");
    auto spec = f.job("cancelled launch", {type});
    auto const [out, took] = mlcloud_test::run_cancelled_after(f.ctx, f.training->launch(spec), 300ms);
    REQUIRE_FALSE(out.has_value());
    INFO(out.error().what());
    CHECK(out.error().is(errc::cancelled));
    CHECK(out.error().message.find("was terminated") != std::string::npos);
    auto started = f.raw.describe_tagged("mlcloud:job", spec.idempotency_key);
    REQUIRE(started.size() == 1);
    CHECK(started[0].state == "terminated");
}

TEST_CASE("EC2 fault: a RunInstances answer lost for good still gives the job, found by its tag", "[aws][ec2][fault]")
{
    // No retries: the lost answer ends the request, but the instance runs. The launch finds it
    // by its mlcloud:job tag instead of returning an error that would leave it unknown (and
    // running) for a caller without a key of its own.
    training_fixture f(fault_url());
    f.opts.http.retry.max_attempts = 1;
    f.training.emplace(f.ctx.get_executor(), f.opts);
    std::string const type = "drop." + unique_name("t");
    auto spec = f.job("lost for good", {type});
    spec.idempotency_key.clear();
    auto h = f.run(f.training->launch(spec));
    REQUIRE(h);
    CHECK(counter(f.raw.stats(type), "requests") == 1);
    CHECK(counter(f.raw.stats(type), "instances") == 1);
    CHECK(h->compute.id == type);
}

TEST_CASE("EC2 fault: the same ClientToken with other parameters is a conflict", "[aws][ec2][fault]")
{
    training_fixture f(fault_url());
    std::string const token = unique_name("token");
    net::query_params a{{"ImageId", "ami-1"}, {"InstanceType", "g5.xlarge"}, {"MinCount", "1"}, {"MaxCount", "1"},
                        {"ClientToken", token}};
    auto first = f.run(f.raw.client.query(aws::ec2_service, "RunInstances", "2016-11-15", a));
    REQUIRE(first);
    auto again = f.run(f.raw.client.query(aws::ec2_service, "RunInstances", "2016-11-15", a));
    REQUIRE(again);
    CHECK(aws::detail::parse_instances(*first, "r").value().instances.at(0).id ==
          aws::detail::parse_instances(*again, "r").value().instances.at(0).id);
    a[0].second = "ami-2";
    auto other = f.run(f.raw.client.query(aws::ec2_service, "RunInstances", "2016-11-15", a));
    REQUIRE_FALSE(other);
    CHECK(other.error().is(errc::conflict));
    CHECK(other.error().message.starts_with("IdempotentParameterMismatch"));
}

TEST_CASE("EC2 fault: no capacity or quota for a candidate moves on to the next", "[aws][ec2][fault]")
{
    training_fixture f(fault_url());
    std::string const none = "capacity." + unique_name("a");
    std::string const quota = "quota." + unique_name("b");
    std::string const ok = "g5." + unique_name("c");
    auto h = f.run(f.training->launch(f.job("candidates", {none, quota, ok})));
    REQUIRE(h);
    CHECK(h->compute.id == ok);
    CHECK(counter(f.raw.stats(none), "instances") == 0);
    CHECK(counter(f.raw.stats(quota), "requests") == 1);

    auto all_full = f.run(f.training->launch(f.job("no capacity", {"capacity." + unique_name("x"),
                                                                   "capacity." + unique_name("y")})));
    REQUIRE_FALSE(all_full);
    CHECK(all_full.error().is(errc::capacity));
    CHECK(all_full.error().message.find("no candidate instance type could be launched") != std::string::npos);
    CHECK(all_full.error().message.find("InsufficientInstanceCapacity") != std::string::npos);
    CHECK_FALSE(all_full.error().request_id.empty());
}

TEST_CASE("EC2 fault: InvalidParameterValue stops the launch with the request id", "[aws][ec2][fault][errors]")
{
    training_fixture f(fault_url());
    std::string const bad = "invalid." + unique_name("a");
    std::string const next = "g5." + unique_name("b");
    auto r = f.run(f.training->launch(f.job("bad type", {bad, next})));
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::invalid_argument));
    CHECK(r.error().message.starts_with("InvalidParameterValue"));
    CHECK(r.error().http_status == 400);
    CHECK_FALSE(r.error().request_id.empty());
    CHECK(r.error().operation == "RunInstances");
    CHECK(counter(f.raw.stats(next), "requests") == 0);
}

TEST_CASE("EC2 fault: RequestLimitExceeded is retried with the same ClientToken", "[aws][ec2][fault]")
{
    training_fixture f(fault_url());
    std::string const type = "throttle." + unique_name("t");
    auto spec = f.job("throttled", {type});
    auto h = f.run(f.training->launch(spec));
    REQUIRE(h);
    auto token = aws::detail::client_token(spec.idempotency_key, type, false);
    CHECK(counter(f.raw.stats(token), "requests") == 3);
    CHECK(counter(f.raw.stats(type), "instances") == 1);

    // With retries off, the throttling reaches the caller as errc::throttled.
    auto opts = options_for(fault_url());
    opts.http.retry.max_attempts = 1;
    aws::training impatient(f.ctx.get_executor(), opts);
    auto spec2 = f.job("throttled again", {"throttle." + unique_name("u")});
    auto r = f.run(impatient.launch(spec2));
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::throttled));
    CHECK(r.error().message.starts_with("RequestLimitExceeded"));
    CHECK(r.error().http_status == 503);
    CHECK_FALSE(r.error().request_id.empty());
}

TEST_CASE("fault: every request is signed as botocore signs it, a wrong secret is refused", "[aws][fault][sigv4]")
{
    training_fixture f(fault_url());
    auto before = counter(f.raw.stats(), "signature_failures");
    auto h = f.run(f.training->launch(f.job("signed: a b+c/ü", {"g5." + unique_name("s")})));
    REQUIRE(h);
    REQUIRE(f.run(f.training->status(*h)));
    REQUIRE(f.run(f.training->read_logs(*h, {})));
    REQUIRE(f.run(f.training->terminate(*h)));

    auto wrong = options_for(fault_url());
    auto creds = test_credentials();
    creds.secret_access_key = mlcloud::auth::secret_string("not-the-secret");
    wrong.credentials = creds;
    wrong.region = "eu-west-3";
    aws::training bad(f.ctx.get_executor(), wrong);
    auto asked_there = *h;
    asked_there.region = wrong.region; // else the provider refuses a job of another region unasked
    auto refused = f.run(bad.status(asked_there));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().is(errc::unauthorized));
    CHECK(refused.error().message.starts_with("AuthFailure"));
    CHECK(refused.error().message.find("not-the-secret") == std::string::npos);
    // Only the wrong-secret request failed verification. (Other tests may run in parallel
    // against the same server, but none of their requests fails it either.)
    CHECK(counter(f.raw.stats(), "signature_failures") == before + 1);
}

TEST_CASE("EC2 fault: a shutdown without a result tag is judged by the completion marker", "[aws][ec2][logs][fault]")
{
    // The fault server's "selfstop." instances stop as an instance-initiated shutdown does
    // (Client.InstanceInitiatedShutdown), which moto cannot show: e.g. an instance whose role
    // may not tag it.
    training_fixture f(fault_url());
    auto a = f.run(f.training->launch(f.job("with marker", {"selfstop." + unique_name("a")})));
    auto b = f.run(f.training->launch(f.job("without marker", {"selfstop." + unique_name("b")})));
    REQUIRE(a);
    REQUIRE(b);
    f.raw.put_lines(f.opts.log_group, a->id, {"epoch 1", marker});
    f.raw.put_lines(f.opts.log_group, b->id, {"epoch 1", "Killed"});
    f.raw.terminate(a->id);
    f.raw.terminate(b->id);
    auto sa = f.run(f.training->status(*a));
    REQUIRE(sa);
    CHECK(sa->state == job_state::succeeded);
    CHECK(sa->detail.find("completion marker") != std::string::npos);
    auto sb = f.run(f.training->status(*b));
    REQUIRE(sb);
    INFO(sb->detail);
    CHECK(counter(f.raw.stats(b->id), "GetLogEvents") == 1);
    CHECK(sb->state == job_state::failed);
    CHECK(sb->detail.find("Client.InstanceInitiatedShutdown") != std::string::npos);
}

TEST_CASE("EC2 fault: a terminate whose state cannot be read afterwards still reports the stop", "[aws][ec2][fault]")
{
    // The fault server's "blind." instances cannot be described once terminated. EC2 accepted
    // the TerminateInstances, so the job is reported stopping, not the describe's error (which
    // a caller would read as "still running").
    training_fixture f(fault_url());
    auto h = f.run(f.training->launch(f.job("blind after terminate", {"blind." + unique_name("t")})));
    REQUIRE(h);
    auto t = f.run(f.training->terminate(*h));
    REQUIRE(t);
    INFO(t->detail);
    CHECK(t->state == job_state::cancelled);
    CHECK(t->detail.find("TerminateInstances was accepted") != std::string::npos);
    CHECK(t->detail.find("InternalError") != std::string::npos);
    CHECK(counter(f.raw.stats(h->id), "TerminateInstances") == 1);
}

TEST_CASE("CloudWatch Logs fault: a ThrottlingException in a 400 body is retried", "[aws][logs][fault]")
{
    training_fixture f(fault_url());
    std::string const stream = "throttle-" + unique_name("s");
    auto r = f.run(f.raw.client.json(aws::logs_service, "Logs_20140328.GetLogEvents",
                                     aws::detail::get_log_events_body("/g", stream, "", 10)));
    REQUIRE(r);
    CHECK(counter(f.raw.stats(stream), "GetLogEvents") == 2);
}

// ---------------------------------------------------------------------------------------
// The conformance suite on moto, the test playing the instances

namespace {

/// aws::training whose instances are played by the test: right after a launch it writes the
/// job's log lines to the job's stream, tags the instance with the result and terminates it,
/// as the bootstrap on a real instance would (a long-running job only logs and keeps running).
class played_training
{
public:
    static constexpr mlcloud::capability_set capabilities = aws::training::capabilities;

    played_training(boost::asio::any_io_executor ex, aws::options const& opts)
        : real_(ex, opts), raw_(ex, session_for(moto_url()), fast_http()), group_(opts.log_group)
    {
    }

    mlcloud::task<mlcloud::job_handle> launch(mlcloud::job_spec const& spec)
    {
        auto h = co_await real_.launch(spec);
        if (!h || !played_.insert(h->id).second)
            co_return h;
        auto play = script_for(spec.command.at(1));
        if (auto e = co_await write_lines(h->id, std::move(play.lines)); !e)
            co_return e.error();
        if (play.tags.empty())
            co_return h; // a long-running job keeps running
        auto tags = tag_params(h->id, play.tags);
        if (auto t = co_await raw_.query(aws::ec2_service, "CreateTags", "2016-11-15", std::move(tags)); !t)
            co_return t.error();
        auto off = tag_params(h->id, {});
        off.front().first = "InstanceId.1";
        if (auto t = co_await raw_.query(aws::ec2_service, "TerminateInstances", "2016-11-15", std::move(off)); !t)
            co_return t.error();
        co_return h;
    }

    mlcloud::task<mlcloud::job_status> status(mlcloud::job_handle const& h) { return real_.status(h); }
    mlcloud::task<mlcloud::log_chunk> read_logs(mlcloud::job_handle const& h, mlcloud::log_cursor const& c)
    {
        return real_.read_logs(h, c);
    }
    mlcloud::task<mlcloud::job_status> terminate(mlcloud::job_handle const& h) { return real_.terminate(h); }

private:
    // What the instance of each kind of job writes and tags. (Built outside the coroutines:
    // GCC 12 mishandles initializer lists inside them.)
    struct script
    {
        std::vector<std::string> lines;
        std::map<std::string, std::string> tags;
    };
    static script script_for(std::string const& mode)
    {
        if (mode == "succeed")
            return {{"loading data", "epoch 1/2", "epoch 2/2", marker},
                    {{"mlcloud:result", "succeeded"}, {"mlcloud:exit-code", "0"}}};
        if (mode == "fail")
            return {{"loading data", "error: the target column is missing", "mlcloud: the workload exited with status 1"},
                    {{"mlcloud:result", "failed"}, {"mlcloud:exit-code", "1"}}};
        return {{"starting"}, {}};
    }
    static net::query_params tag_params(std::string const& id, std::map<std::string, std::string> const& tags)
    {
        net::query_params q;
        q.emplace_back("ResourceId.1", id);
        int n = 0;
        for (auto const& [k, v] : tags)
        {
            ++n;
            q.emplace_back("Tag." + std::to_string(n) + ".Key", k);
            q.emplace_back("Tag." + std::to_string(n) + ".Value", v);
        }
        return q;
    }

    mlcloud::task<void> write_lines(std::string id, std::vector<std::string> lines)
    {
        auto made = co_await raw_.json(aws::logs_service, "Logs_20140328.CreateLogStream",
                                       aws::detail::log_stream_body(group_, id));
        if (!made && !made.error().is(errc::already_exists))
            co_return made.error();
        std::vector<std::pair<std::int64_t, std::string>> events;
        auto now = aws::detail::to_epoch_ms(std::chrono::system_clock::now());
        for (auto& l : lines)
            events.emplace_back(now++, std::move(l));
        aws::call_options once;
        once.idempotent = false;
        auto put = co_await raw_.json(aws::logs_service, "Logs_20140328.PutLogEvents",
                                      aws::detail::put_log_events_body(group_, id, events), once);
        if (!put)
            co_return put.error();
        co_return mlcloud::result<void>();
    }

    aws::training real_;
    aws::client raw_;
    std::string group_;
    std::set<std::string> played_;
};

static_assert(mlcloud::training_provider<played_training>);

struct moto_training_factory
{
    aws::options opts = [] {
        auto o = options_for(moto_url());
        o.log_group = "/mlcloud/conformance-" + unique_name("g");
        return o;
    }();

    moto_training_factory()
    {
        boost::asio::io_context ctx;
        raw_calls(ctx, moto_url()).ensure_log_group(opts.log_group);
    }

    std::unique_ptr<played_training> make(boost::asio::any_io_executor ex)
    {
        return std::make_unique<played_training>(ex, opts);
    }
    mlcloud::job_spec job(std::string mode)
    {
        mlcloud::job_spec s;
        s.name = "conformance " + mode;
        s.idempotency_key = unique_name("conf");
        s.image = "trainer:1";
        s.command = {"simulate", mode};
        s.compute = {{"g4dn.xlarge", 1}};
        return s;
    }
    mlcloud::job_spec succeeding_job() { return job("succeed"); }
    mlcloud::job_spec failing_job() { return job("fail"); }
    mlcloud::job_spec long_running_job() { return job("run"); }
    mlcloud::job_handle unknown_job() { return {.provider = "aws", .id = "i-0fedcba9876543210"}; }
    std::chrono::seconds deadline() { return std::chrono::seconds(60); }
};

} // namespace

MLCLOUD_TRAINING_CONFORMANCE(moto_training_factory)
