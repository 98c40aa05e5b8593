#include <mlcloud/error.hpp>

#include <catch2/catch.hpp>

using mlcloud::errc;

TEST_CASE("error codes belong to the mlcloud category and have messages")
{
    auto ec = make_error_code(errc::outcome_unknown);
    CHECK(std::string(ec.category().name()) == "mlcloud");
    CHECK(ec.message() == "outcome unknown");
    CHECK(make_error_code(errc::capacity) != make_error_code(errc::quota));
    boost::system::error_code converted = errc::timeout;
    CHECK(converted == errc::timeout);
}

TEST_CASE("error::what() carries the diagnostics on one line")
{
    mlcloud::error e(errc::not_found, "The specified key does not exist.");
    e.with_provider("aws").with_operation("GetObject").with_http(404, "REQ123");
    auto text = e.what();
    CHECK(text == "aws GetObject: The specified key does not exist. (not found; HTTP 404; request id REQ123)");
    CHECK(e.is(errc::not_found));
    CHECK_FALSE(e.retry_safe);
}

TEST_CASE("result<T>::value() throws mlcloud::system_error with diagnostics")
{
    mlcloud::result<int> r = mlcloud::error(errc::quota, "insufficient balance").with_http(402);
    REQUIRE(r.has_error());
    try
    {
        (void)r.value();
        FAIL("value() did not throw");
    }
    catch (mlcloud::system_error const& ex)
    {
        CHECK(ex.code() == errc::quota);
        CHECK(ex.diagnostics().http_status == 402);
        CHECK(std::string(ex.what()).find("insufficient balance") != std::string::npos);
    }
}
