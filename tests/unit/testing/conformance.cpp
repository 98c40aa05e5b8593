// The conformance kit's own machinery (the suites themselves run in tests/conformance).
#include <mlcloud/testing/conformance.hpp>
#include <mlcloud/testing/memory.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>

namespace memory = mlcloud::testing::memory;
namespace cd = mlcloud::testing::conformance_detail;
using namespace mlcloud;

TEST_CASE("a section that fails leaves no job running and one that ends normally is left to itself")
{
    boost::asio::io_context ctx;
    memory::options opts;
    memory::training p(ctx.get_executor(), opts);
    job_spec const forever{.name = "long", .command = {"@hang"}};
    auto h = run_blocking(ctx, p.launch(forever));
    REQUIRE(h.has_value());

    {
        cd::terminate_on_failure<memory::training> guard(ctx, p, *h);
    }
    CHECK(opts.shared_world->calls(memory::operation::terminate) == 0);

    try
    {
        cd::terminate_on_failure<memory::training> guard(ctx, p, *h);
        throw std::runtime_error("a REQUIRE failed"); // what Catch2 does
    }
    catch (std::runtime_error const&)
    {
    }
    CHECK(opts.shared_world->calls(memory::operation::terminate) == 1);
    CHECK(run_blocking(ctx, p.status(*h)).value().state == job_state::cancelled);
}
