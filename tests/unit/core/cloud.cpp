#include <mlcloud/blocking.hpp>
#include <mlcloud/cloud.hpp>

#include <catch2/catch.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace {

using namespace mlcloud;

struct echo_options
{
    std::string tag = "echo";
};

// Minimal providers that record how they were built; the real in-memory ones are in testing/.
struct echo_training
{
    static constexpr capability_set capabilities{capability::on_demand};
    echo_training(boost::asio::any_io_executor, echo_options const& o) : tag(o.tag) {}
    std::string tag;
    task<job_handle> launch(job_spec const& s)
    {
        if (s.command.empty())
            co_return error(errc::invalid_argument, "empty command");
        co_return job_handle{.provider = tag, .id = s.name};
    }
    task<job_status> status(job_handle const&) { co_return job_status{.state = job_state::running}; }
    task<log_chunk> read_logs(job_handle const&, log_cursor const&) { co_return log_chunk{}; }
    task<job_status> terminate(job_handle const&) { co_return job_status{.state = job_state::cancelled}; }
};

struct echo_storage
{
    static constexpr capability_set capabilities{};
    echo_storage(boost::asio::any_io_executor, echo_options const&) {}
    task<object_info> upload(std::filesystem::path const&, storage_uri const& u, transfer_options const&)
    {
        co_return object_info{.uri = u};
    }
    task<object_info> download(storage_uri const& u, std::filesystem::path const&, transfer_options const&)
    {
        co_return object_info{.uri = u};
    }
    task<std::vector<object_info>> list(storage_uri const&) { co_return std::vector<object_info>{}; }
    task<bool> exists(storage_uri const&) { co_return false; }
    task<void> remove(storage_uri const&) { co_return result<void>{}; }
};

struct echo_prediction
{
    static constexpr capability_set capabilities{};
    echo_prediction(boost::asio::any_io_executor, echo_options const&) {}
    task<prediction_result> predict(prediction_request const& r)
    {
        co_return prediction_result{.request_id = "echo-1", .output = r.input};
    }
};

struct echo_backend
{
    static constexpr std::string_view name = "echo";
    using options = echo_options;
    using training = echo_training;
    using storage = echo_storage;
    using prediction = echo_prediction;
};

struct other_backend : echo_backend
{
    static constexpr std::string_view name = "other";
};

static_assert(backend<echo_backend>);
static_assert(!backend<echo_training>);

} // namespace

TEST_CASE("blocking runs the coroutine operations to completion")
{
    blocking<echo_backend> c(echo_options{.tag = "t"});
    auto h = c.launch(job_spec{.name = "job-1", .command = {"true"}});
    REQUIRE(h.has_value());
    CHECK(h->provider == "t");
    CHECK(h->id == "job-1");
    CHECK(c.status(*h).value().state == job_state::running);
    CHECK(c.terminate(*h).value().state == job_state::cancelled);
    CHECK(c.predict(prediction_request{.input = "a,b\n1,2\n"}).value().output == "a,b\n1,2\n");
    CHECK(c.remove(storage_uri::local("x")).has_value());

    auto bad = c.launch(job_spec{.name = "job-2"});
    REQUIRE(bad.has_error());
    CHECK(bad.error().is(errc::invalid_argument));
}

TEST_CASE("blocking::interrupt ends the operation under way with cancelled, and every later one at once")
{
    using namespace std::chrono_literals;
    blocking<echo_backend> c;
    // As a signal handler on the object's context would: while an operation runs.
    boost::asio::steady_timer signal(c.get_executor(), 20ms);
    signal.async_wait([&](boost::system::error_code) { c.interrupt(); });
    auto const started = std::chrono::steady_clock::now();
    auto r = c.run([](boost::asio::any_io_executor ex) -> task<int> {
        boost::asio::steady_timer wait(ex, 60s);
        co_await wait.async_wait(boost::asio::use_awaitable); // throws operation_aborted when cancelled
        co_return 1;
    }(c.get_executor()));
    REQUIRE(r.has_error()); // a result, not the exception
    CHECK(r.error().is(errc::cancelled));
    CHECK(c.interrupted());
    CHECK(std::chrono::steady_clock::now() - started < 30s); // not the 60 s wait
    CHECK(c.status(job_handle{.id = "x"}).error().is(errc::cancelled)); // nothing runs any more
}

TEST_CASE("with_backend dispatches a runtime name to a compile-time backend")
{
    auto pick = [](std::string_view name) {
        return with_backend<echo_backend, other_backend>(name, []<class B>(std::type_identity<B>) {
            return std::string(cloud<B>::name);
        });
    };
    CHECK(pick("echo").value() == "echo");
    CHECK(pick("other").value() == "other");
    auto unknown = pick("gcp");
    REQUIRE(unknown.has_error());
    CHECK(unknown.error().is(errc::invalid_argument));
    CHECK(unknown.error().message == "unknown provider 'gcp' (known: echo, other)");

    // A callable that already returns result<T> is not wrapped twice.
    auto flat = with_backend<echo_backend>("echo", []<class B>(std::type_identity<B>) -> result<int> { return 7; });
    STATIC_REQUIRE(std::is_same_v<decltype(flat), result<int>>);
    CHECK(flat.value() == 7);
}
