#include <mlcloud/serialization.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <catch2/catch.hpp>

using namespace mlcloud;

TEST_CASE("job handles survive a JSON round trip")
{
    job_handle h;
    h.provider = "runpod";
    h.id = "7h9k2m4n6p";
    h.name = "mlcloud-iris-1a2b";
    h.compute = {"NVIDIA RTX A5000", 1};
    h.market = market::spot;
    h.price_per_hour = 0.29;
    h.launched_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764349800123));
    h.region = "EU-RO-1";
    h.output = storage_uri::parse("runpod://EU-RO-1/agv6w2qcg7/models/m.json").value();

    auto text = boost::json::serialize(boost::json::value_from(h));
    auto back = from_json<job_handle>(boost::json::parse(text)).value();
    CHECK(back.provider == h.provider);
    CHECK(back.id == h.id);
    CHECK(back.name == h.name);
    CHECK(back.compute == h.compute);
    CHECK(back.market == market::spot);
    CHECK(back.price_per_hour == 0.29);
    CHECK(back.launched_at == h.launched_at);
    CHECK(back.region == "EU-RO-1");
    CHECK(back.output == h.output);
}

TEST_CASE("a minimal record loads: provider and id are enough")
{
    auto h = from_json<job_handle>(boost::json::parse(R"({"provider":"aws","id":"i-0abc","future_field":1})"));
    REQUIRE(h.has_value());
    CHECK(h->id == "i-0abc");
    CHECK(h->market == market::on_demand);
}

TEST_CASE("a bad record names the field")
{
    auto missing = from_json<job_handle>(boost::json::parse(R"({"provider":"aws"})"));
    REQUIRE(missing.has_error());
    CHECK(missing.error().message == "job_handle.id: is missing");
    auto wrong = from_json<job_handle>(boost::json::parse(R"({"provider":"aws","id":"x","price_per_hour":"cheap"})"));
    REQUIRE(wrong.has_error());
    CHECK(wrong.error().message == "job_handle.price_per_hour: expected a number");
    auto market_bad = from_json<job_handle>(boost::json::parse(R"({"provider":"aws","id":"x","market":"auction"})"));
    CHECK(market_bad.error().message.find("job_handle.market") == 0);
    auto not_object = from_json<job_handle>(boost::json::parse("[1]"));
    CHECK(not_object.error().is(errc::invalid_argument));
    auto bad_uri = from_json<job_handle>(boost::json::parse(R"({"provider":"aws","id":"x","output":"gs://b/k"})"));
    CHECK(bad_uri.error().message.find("unsupported scheme") != std::string::npos);
}

TEST_CASE("job status round trip")
{
    job_status s{job_state::cancelled, "terminated on request", 143, cost{0.0123, std::chrono::seconds(150), "per second at $0.29/h"}};
    auto back = from_json<job_status>(boost::json::value_from(s)).value();
    CHECK(back.state == job_state::cancelled);
    CHECK(back.detail == s.detail);
    CHECK(back.exit_code == 143);
    CHECK(back.cost_so_far.usd == 0.0123);
    CHECK(back.cost_so_far.billed == std::chrono::seconds(150));
    CHECK(back.cost_so_far.known);

    s.cost_so_far = cost{0.0, std::chrono::seconds(0), "no price is known for instance type x1.huge", false};
    auto unpriced = from_json<job_status>(boost::json::value_from(s)).value();
    CHECK_FALSE(unpriced.cost_so_far.known);
    CHECK(unpriced.cost_so_far.basis == s.cost_so_far.basis);
    // What earlier versions wrote has no "known": those costs were priced.
    auto const written_before = boost::json::parse(R"({"state":"running","cost_so_far":{"usd":0.5,"basis":"x"}})");
    CHECK(from_json<job_status>(written_before).value().cost_so_far.known);
    CHECK(from_json<job_status>(boost::json::parse(R"({"state":"running","cost_so_far":{"known":1}})")).error().message ==
          "cost.known: expected true or false");
    CHECK(from_json<job_status>(boost::json::parse(R"({"state":"exploded"})")).error().message ==
          "job_status.state: unknown state 'exploded'");
}

// Found by tests/fuzz (job_record): a record's launched_at_ms past year 2262 overflowed
// system_clock when read back; it is refused as invalid now.
TEST_CASE("fuzz regression: a job record with a launch time out of range is refused", "[serialization][fuzz]")
{
    auto record = [](std::string const& ms) {
        return from_json<job_handle>(boost::json::parse(R"({"provider":"aws","id":"i-1","launched_at_ms":)" + ms + "}"));
    };
    auto const late = record("9951586740000");
    REQUIRE(late.has_error());
    CHECK(late.error().is(errc::invalid_argument));
    CHECK(late.error().message.find("launched_at_ms") != std::string::npos);
    CHECK(record("-9223372036854775807").has_error());
    auto const fine = record("1790000000000");
    REQUIRE(fine.has_value());
    CHECK(fine->launched_at == std::chrono::system_clock::time_point(std::chrono::milliseconds(1790000000000)));
}
