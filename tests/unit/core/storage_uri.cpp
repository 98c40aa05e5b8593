#include <mlcloud/storage_uri.hpp>

#include <catch2/catch.hpp>

using mlcloud::storage_uri;

TEST_CASE("s3 URIs")
{
    auto u = storage_uri::parse("s3://my-bucket/datasets/iris.csv").value();
    CHECK(u.is_s3());
    CHECK(u.bucket == "my-bucket");
    CHECK(u.key == "datasets/iris.csv");
    CHECK(u.filename() == "iris.csv");
    CHECK(u.str() == "s3://my-bucket/datasets/iris.csv");

    auto root = storage_uri::parse("s3://my-bucket").value();
    CHECK(root.key.empty());
    CHECK(root.child("models").child("m.json").key == "models/m.json");

    // Keys are literal, as with the AWS CLI: spaces and unicode stay as they are.
    auto odd = storage_uri::parse("s3://my-bucket/a b/ü%20.csv").value();
    CHECK(odd.key == "a b/ü%20.csv");
    CHECK(storage_uri::parse(odd.str()).value() == odd);
}

TEST_CASE("RunPod network volume URIs")
{
    auto u = storage_uri::parse("runpod://eu-ro-1/agv6w2qcg7/data/iris.csv").value();
    CHECK(u.is_runpod_volume());
    CHECK(u.datacenter == "EU-RO-1");
    CHECK(u.bucket == "agv6w2qcg7");
    CHECK(u.key == "data/iris.csv");
    CHECK(u.str() == "runpod://EU-RO-1/agv6w2qcg7/data/iris.csv");
    CHECK(storage_uri::parse(u.str()).value() == u);
}

TEST_CASE("local paths and file URIs")
{
    CHECK(storage_uri::parse("data/iris.csv").value() == storage_uri::local("data/iris.csv"));
    CHECK(storage_uri::parse("/tmp/x.csv").value().key == "/tmp/x.csv");
    CHECK(storage_uri::parse("file:///tmp/a%20b.csv").value().key == "/tmp/a b.csv");
    CHECK(storage_uri::parse("file://localhost/tmp/x").value().key == "/tmp/x");
    // Something before "://" that is not a scheme is a path.
    CHECK(storage_uri::parse("./weird:///name").value().is_local());
}

TEST_CASE("bad URIs give a clear error")
{
    auto check_bad = [](std::string_view text, std::string_view expected) {
        auto r = storage_uri::parse(text);
        REQUIRE(r.has_error());
        CHECK(r.error().is(mlcloud::errc::invalid_argument));
        INFO(r.error().message);
        CHECK(r.error().message.find(expected) != std::string::npos);
    };
    check_bad("", "empty");
    check_bad("s3://", "missing bucket");
    check_bad("s3:///key", "missing bucket");
    check_bad("s3://ab/key", "3 to 63");
    check_bad("s3://My_Bucket/key", "start and end");
    check_bad("s3://my_bucket/key", "lower-case letters");
    check_bad("s3://a..b/key", "'..'");
    check_bad("gs://bucket/key", "unsupported scheme 'gs'");
    check_bad("runpod://EU-RO-1", "expected runpod://");
    check_bad("runpod://EU RO/vol/key", "datacenter");
    check_bad("runpod://EU-RO-1/vol$/key", "volume id");
    check_bad("file://remote-host/x", "local path");
    check_bad("file://a b", "not a valid file://");
    check_bad(std::string_view("a\0b", 3), "NUL");
    check_bad("s3://bucket/" + std::string(1025, 'k'), "1024");
}

// Found by tests/fuzz (storage_uri): an unknown scheme was quoted whole in the message, so a
// long one made the "one bounded line" arbitrarily long.
TEST_CASE("fuzz regression: a long unknown scheme keeps the message bounded")
{
    auto const uri = storage_uri::parse(std::string(5000, 'x') + "://bucket/key");
    REQUIRE(uri.has_error());
    CHECK(uri.error().is(mlcloud::errc::invalid_argument));
    CHECK(uri.error().message.size() < 600);
    CHECK(uri.error().message.find("unsupported scheme") != std::string::npos);
}

// Found by tests/fuzz (bot_config, whose storage fields are storage URIs): the refused text was
// quoted as given, so credentials typed into a URI were repeated in the error.
TEST_CASE("fuzz regression: a refused URI is quoted without the credentials typed into it")
{
    auto const uri = storage_uri::parse("s2://admin:hunter2hunter2@bucket/key");
    REQUIRE(uri.has_error());
    INFO(uri.error().message);
    CHECK(uri.error().message.find("hunter2") == std::string::npos);
    CHECK(uri.error().message.find("unsupported scheme 's2'") != std::string::npos);
}

// Found by tests/fuzz (bot_config): a line break in the refused text broke the one-line message.
TEST_CASE("fuzz regression: a refused URI is quoted on one line")
{
    auto const uri = storage_uri::parse("s2://bucket/a\nb\rc\x7f");
    REQUIRE(uri.has_error());
    CHECK(uri.error().message.find("'s2://bucket/a?b?c?'") != std::string::npos);
}
