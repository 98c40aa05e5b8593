// The in-memory providers' own behaviour and fault-injection knobs.
#include <mlcloud/blocking.hpp>
#include <mlcloud/testing/memory.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

namespace memory = mlcloud::testing::memory;
using namespace mlcloud;

namespace {

memory::options fast_world()
{
    memory::options o;
    o.shared_world->provisioning_delay = std::chrono::milliseconds(0);
    o.shared_world->line_interval = std::chrono::milliseconds(1);
    return o;
}

job_state wait_terminal(blocking<memory::backend>& c, job_handle const& h)
{
    for (int i = 0; i < 2000; ++i)
    {
        auto s = c.status(h).value();
        if (is_terminal(s.state))
            return s.state;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return job_state::unknown;
}

} // namespace

TEST_CASE("injected faults come back once each, in order, then calls succeed")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    o.shared_world->inject(memory::operation::launch, error(errc::capacity, "no A5000"));
    o.shared_world->inject(memory::operation::launch, error(errc::throttled, "slow down"));
    job_spec spec{.name = "j", .command = {"x"}};
    auto a = c.launch(spec);
    auto b = c.launch(spec);
    auto d = c.launch(spec);
    REQUIRE(a.has_error());
    CHECK(a.error().is(errc::capacity));
    CHECK(a.error().provider == "memory");
    CHECK(a.error().operation == "launch");
    REQUIRE(b.has_error());
    CHECK(b.error().is(errc::throttled));
    CHECK(d.has_value());
    CHECK(o.shared_world->calls(memory::operation::launch) == 3);
    CHECK(o.shared_world->jobs_launched() == 1);
}

TEST_CASE("fail_after lets n calls through, then fails every call")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    o.shared_world->fail_after(memory::operation::exists, 2, error(errc::network_error, "cable pulled"));
    auto u = storage_uri::local("k");
    CHECK(c.exists(u).has_value());
    CHECK(c.exists(u).has_value());
    CHECK(c.exists(u).error().is(errc::network_error));
    CHECK(c.exists(u).error().is(errc::network_error));
}

TEST_CASE("launch skips compute types without capacity and fails when none has any")
{
    auto o = fast_world();
    o.shared_world->prices["NVIDIA A40"] = 0.39;
    blocking<memory::backend> c(o);
    o.shared_world->set_capacity_unavailable("NVIDIA RTX A5000");
    job_spec spec{.name = "j", .command = {"x"}, .compute = {{"NVIDIA RTX A5000", 1}, {"NVIDIA A40", 1}}};
    auto h = c.launch(spec).value();
    CHECK(h.compute.id == "NVIDIA A40");
    CHECK(h.price_per_hour == 0.39);
    o.shared_world->set_capacity_unavailable("NVIDIA A40");
    CHECK(c.launch(spec).error().is(errc::capacity));
}

TEST_CASE("a preempted job ends in preempted with its cost so far")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    auto h = c.launch(job_spec{.name = "j", .command = {"@hang"}, .market = market::spot}).value();
    CHECK(c.status(h).value().state == job_state::running);
    o.shared_world->preempt(h.id);
    auto s = c.status(h).value();
    CHECK(s.state == job_state::preempted);
    CHECK(s.cost_so_far.usd >= 0.0);
    // terminate after the end keeps the final state
    CHECK(c.terminate(h).value().state == job_state::preempted);
}

TEST_CASE("max_runtime ends a job in timed_out")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    job_spec spec{.name = "j", .command = {"@hang"}, .max_runtime = std::chrono::seconds(0)};
    auto h = c.launch(spec).value();
    CHECK(wait_terminal(c, h) == job_state::timed_out);
}

TEST_CASE("a max_runtime over the limit is refused as every backend refuses it")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    job_spec spec{.name = "j", .command = {"@hang"}, .max_runtime = std::chrono::seconds::max()};
    auto r = c.launch(spec);
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::invalid_argument));
}

TEST_CASE("a job the provider forgot is launched anew with the same key, not a crash")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    job_spec spec{.name = "j", .idempotency_key = "k-1", .command = {"a"}};
    auto first = c.launch(spec).value();
    o.shared_world->forget(first.id);
    auto again = c.launch(spec); // threw std::out_of_range from the key index
    REQUIRE(again.has_value());
    CHECK(again->id != first.id);
    CHECK(c.launch(spec).value().id == again->id);
}

TEST_CASE("a failing workload's log ends with an error line and no completion marker")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    auto h = c.launch(job_spec{.name = "j", .command = {"one", "@fail", "never"}}).value();
    CHECK(wait_terminal(c, h) == job_state::failed);
    auto chunk = c.read_logs(h).value();
    CHECK(chunk.lines == std::vector<std::string>{"one", "error: the workload failed (@fail)"});
    CHECK_FALSE(chunk.has_completion_marker());
    CHECK(chunk.end_of_stream);
}

TEST_CASE("a missing dataset is refused at launch")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    auto r = c.launch(job_spec{.name = "j", .command = {"x"}, .dataset = storage_uri::local("data/none.csv")});
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::not_found));
    o.shared_world->put_object("data/none.csv", "a,b\n");
    CHECK(c.launch(job_spec{.name = "j", .command = {"x"}, .dataset = storage_uri::local("data/none.csv")}).has_value());
}

TEST_CASE("prediction uses the model content as the prediction of every row")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    o.shared_world->put_object("m", "42\n");
    auto r = c.predict(prediction_request{.model = storage_uri::local("m"), .input = "x\n1\n2\n"}).value();
    CHECK(r.output == "x,prediction\n1,42\n2,42\n");
    CHECK(r.request_id.starts_with("memory-"));
}

TEST_CASE("a transfer's progress callback may look into the world")
{
    // The callback runs outside the world's lock: one that asks the world something (as a test
    // counting calls does) used to deadlock.
    auto o = fast_world();
    blocking<memory::backend> c(o);
    auto const file = std::filesystem::temp_directory_path() / ("mlcloud-memory-progress-" + std::to_string(::getpid()) + ".csv");
    { std::ofstream(file) << "a,b\n1,2\n"; }
    int uploads_seen = -1, downloads_seen = -1;
    transfer_options up{[&](std::uint64_t, std::uint64_t) { uploads_seen = o.shared_world->calls(memory::operation::upload); }};
    REQUIRE(c.upload(file, storage_uri::local("data/p.csv"), up).has_value());
    CHECK(uploads_seen == 1);
    transfer_options down{[&](std::uint64_t, std::uint64_t) {
        downloads_seen = o.shared_world->calls(memory::operation::download);
    }};
    REQUIRE(c.download(storage_uri::local("data/p.csv"), file, down).has_value());
    CHECK(downloads_seen == 1);
    std::filesystem::remove(file);
}

TEST_CASE("a lost answer: the call took effect and the caller got an error")
{
    auto o = fast_world();
    blocking<memory::backend> c(o);
    o.shared_world->lose_answer(memory::operation::launch, error(errc::timeout, "no answer"));
    job_spec const spec{.name = "j", .idempotency_key = "key-1", .command = {"a", "@hang"}};
    auto first = c.launch(spec);
    REQUIRE(first.has_error());
    CHECK(first.error().is(errc::timeout));
    CHECK(o.shared_world->jobs_launched() == 1); // it started nonetheless
    auto again = c.launch(spec);                  // a retry with the key finds that job
    REQUIRE(again.has_value());
    CHECK(o.shared_world->jobs_launched() == 1);

    o.shared_world->lose_answer(memory::operation::terminate, error(errc::network_error, "reset"));
    CHECK(c.terminate(*again).has_error());
    CHECK(c.status(*again).value().state == job_state::cancelled);

    auto const file = std::filesystem::temp_directory_path() / ("mlcloud-memory-lost-" + std::to_string(::getpid()) + ".csv");
    { std::ofstream(file) << "a\n1\n"; }
    o.shared_world->lose_answer(memory::operation::upload, error(errc::timeout, "no answer"));
    CHECK(c.upload(file, storage_uri::local("data/l.csv")).has_error());
    CHECK(c.exists(storage_uri::local("data/l.csv")).value());
    o.shared_world->lose_answer(memory::operation::remove, error(errc::timeout, "no answer"));
    CHECK(c.remove(storage_uri::local("data/l.csv")).has_error());
    CHECK_FALSE(c.exists(storage_uri::local("data/l.csv")).value());
    std::filesystem::remove(file);
    // Only calls that act can lose their answer: anything else would be a knob that does nothing.
    CHECK_THROWS_AS(o.shared_world->lose_answer(memory::operation::status, error(errc::timeout, "x")),
                    std::invalid_argument);
}
