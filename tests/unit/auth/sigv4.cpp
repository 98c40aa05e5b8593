//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Behaviour of the SigV4 signer beyond the official vectors (sigv4_vectors.cpp): encoding,
// the S3 and non-S3 rules, headers, session tokens, presigning limits, errors, the key cache.
#include <mlcloud/auth/sigv4.hpp>

#include <catch2/catch.hpp>

#include "auth_test_util.hpp"

#include <optional>
#include <thread>

using namespace mlcloud::auth;
using namespace mlcloud::auth::sigv4;
using mlcloud::errc;
using auth_test::utc;

namespace {

constexpr char const* secret_text = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char const* token_text = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKW";

aws_credentials example_credentials(bool with_token = false)
{
    aws_credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = secret_string(secret_text);
    if (with_token)
        c.session_token = secret_string(token_text);
    return c;
}

auto const t0 = utc(2015, 8, 30, 12, 36, 0);

request get(std::string host, std::string path = "/")
{
    request r;
    r.host = std::move(host);
    r.path = std::move(path);
    return r;
}

std::string_view line(std::string_view text, std::size_t n) { return header_signature::line(text, n); }

// For header_signature::headers (views) and presigned_url::headers (strings) alike.
template <class Headers>
std::string header_value(Headers const& headers, std::string_view name)
{
    for (auto const& h : headers)
        if (h.name == name)
            return std::string(h.value);
    return "<absent>";
}

void check_clean(mlcloud::error const& e)
{
    std::string const text = e.what();
    CHECK(text.find(secret_text) == std::string::npos);
    CHECK(text.find("EXAMPLEKEY") == std::string::npos);
    CHECK(text.find(token_text) == std::string::npos);
}

} // namespace

TEST_CASE("sigv4: URI encoding", "[auth][sigv4]")
{
    CHECK(uri_encode("AZaz09-._~", false) == "AZaz09-._~");
    CHECK(uri_encode("a b+c%d", false) == "a%20b%2Bc%25d");
    CHECK(uri_encode("/a/b", false) == "%2Fa%2Fb");
    CHECK(uri_encode("/a/b", true) == "/a/b");
    CHECK(uri_encode("ሴ", true) == "%E1%88%B4");
    CHECK(uri_encode("!$&'()*,;=:@", false) == "%21%24%26%27%28%29%2A%2C%3B%3D%3A%40");
    CHECK(uri_encode(std::string_view("\0\xff", 2), false) == "%00%FF");
}

TEST_CASE("sigv4: path normalisation for non-S3 services", "[auth][sigv4]")
{
    CHECK(normalize_path("") == "/");
    CHECK(normalize_path("/") == "/");
    CHECK(normalize_path("//") == "/");
    CHECK(normalize_path("/example/..") == "/");
    CHECK(normalize_path("/example1/example2/../..") == "/");
    CHECK(normalize_path("/./") == "/");
    CHECK(normalize_path("/./example") == "/example");
    CHECK(normalize_path("//example//") == "/example/");
    CHECK(normalize_path("/a/./b/../c//") == "/a/c/");
    CHECK(normalize_path("/a/b/.") == "/a/b"); // botocore drops the slash here too
    CHECK(normalize_path("/../a") == "/a");
    CHECK(normalize_path("/a%2F../b") == "/a%2F../b"); // an encoded '/' separates nothing
}

TEST_CASE("sigv4: Host header from the endpoint", "[auth][sigv4]")
{
    CHECK(*host_header("https", "example.amazonaws.com") == "example.amazonaws.com");
    CHECK(*host_header("https", "Example.AmazonAWS.com:443") == "example.amazonaws.com");
    CHECK(*host_header("HTTPS", "example.com:443") == "example.com");
    CHECK(*host_header("http", "example.com:80") == "example.com");
    CHECK(*host_header("http", "example.com:443") == "example.com:443");
    CHECK(*host_header("https", "example.com:80") == "example.com:80");
    CHECK(*host_header("http", "127.0.0.1:5055") == "127.0.0.1:5055");
    CHECK(*host_header("http", "[::1]:9000") == "[::1]:9000");
    CHECK(*host_header("https", "[::1]:443") == "[::1]");
    CHECK(*host_header("https", "example.com:") == "example.com");
    for (auto bad : {"", "user:pass@example.com", "exa mple.com", "example.com:port", ":443"})
    {
        INFO(bad);
        auto h = host_header("https", bad);
        REQUIRE_FALSE(h);
        CHECK(h.error().is(errc::invalid_argument));
        CHECK(h.error().message.find("pass") == std::string::npos);
    }
}

TEST_CASE("sigv4: the AWS documentation's signing-key example", "[auth][sigv4]")
{
    // docs.aws.amazon.com, "Examples of how to derive a signing key for Signature Version 4".
    auto const key = derive_signing_key(secret_string(secret_text), "20120215", "us-east-1", "iam");
    CHECK(detail::to_hex(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST_CASE("sigv4: payload hashing", "[auth][sigv4]")
{
    CHECK(hash_payload("") == empty_payload_hash);
    CHECK(hash_payload("Welcome to Amazon S3.") ==
          "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    payload_hasher h;
    h.update("Welcome ");
    h.update("to Amazon");
    h.update(" S3.", 4);
    CHECK(h.finish() == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    CHECK(h.finish() == empty_payload_hash); // starts over
}

TEST_CASE("sigv4: X-Amz-Date format", "[auth][sigv4]")
{
    CHECK(format_amz_date(t0) == "20150830T123600Z");
    CHECK(format_amz_date(utc(2024, 2, 29, 23, 59, 59) + std::chrono::milliseconds(999)) == "20240229T235959Z");
    CHECK(format_amz_date(utc(1999, 12, 31, 0, 0, 0)) == "19991231T000000Z");
}

TEST_CASE("sigv4: S3 paths are encoded once and never normalised", "[auth][sigv4]")
{
    signer s3({.region = "us-east-1", .service = "s3"});
    CHECK(s3.rules() == signing_rules::s3());
    auto r = get("examplebucket.s3.amazonaws.com", "/my-object//example/./../photo user+1.jpg");
    auto sig = s3.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(line(sig->canonical_request, 1) == "/my-object//example/./../photo%20user%2B1.jpg");
    CHECK(wire_path(r) == "/my-object//example/./../photo%20user%2B1.jpg");

    r.path = "/test%24file.text";
    r.path_is_encoded = true;
    sig = s3.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(line(sig->canonical_request, 1) == "/test%24file.text");
}

TEST_CASE("sigv4: other services normalise the path and encode it again", "[auth][sigv4]")
{
    signer lambda({.region = "us-east-1", .service = "lambda"});
    CHECK(lambda.rules() == signing_rules::standard());
    // aws-api.md §1.2: a Lambda function ARN in the path is double-encoded in the canonical URI.
    auto r = get("lambda.us-east-1.amazonaws.com",
                 "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my fn/invocations");
    CHECK(wire_path(r) ==
          "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy%20fn/invocations");
    auto sig = lambda.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(line(sig->canonical_request, 1) ==
          "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A123456789012%253Afunction%253Amy%2520fn/invocations");

    r.path = "/a/./b/../c//d/";
    sig = lambda.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(line(sig->canonical_request, 1) == "/a/c/d/");

    r.path.clear();
    sig = lambda.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(line(sig->canonical_request, 1) == "/");
}

TEST_CASE("sigv4: query parameters", "[auth][sigv4]")
{
    signer s({.region = "us-east-1", .service = "service"});
    auto r = get("example.amazonaws.com");
    r.query = {{"b", "2"}, {"a", "z"}, {"a", "y"}, {"uploads", ""}, {"a-b", "1"}, {"a b", "sp ace"},
               {"", "empty-name"}, {"k", "v/w+x"}, {"ሴ", "bar"}};
    auto sig = s.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    // Sorted by encoded name, then value; a value-less key keeps its '='.
    CHECK(line(sig->canonical_request, 2) ==
          "=empty-name&%E1%88%B4=bar&a=y&a=z&a%20b=sp%20ace&a-b=1&b=2&k=v%2Fw%2Bx&uploads=");
}

TEST_CASE("sigv4: the request target the transport sends", "[auth][sigv4]")
{
    auto r = get("bucket.s3.amazonaws.com", "/data set/a+b.csv");
    CHECK(request_target(r) == "/data%20set/a%2Bb.csv");
    r.query = {{"prefix", "my dir/"}, {"uploads", ""}, {"prefix", "x"}};
    CHECK(request_target(r) == "/data%20set/a%2Bb.csv?prefix=my%20dir%2F&uploads=&prefix=x");
    r.path.clear();
    CHECK(request_target(r) == "/?prefix=my%20dir%2F&uploads=&prefix=x");
}

TEST_CASE("sigv4: headers are trimmed, merged, lower-cased and sorted", "[auth][sigv4]")
{
    signer s({.region = "us-east-1", .service = "service"});
    auto r = get("example.amazonaws.com");
    r.headers = {{"My-Header1", "  a   b \t c  "},
                 {"my-header2", "value4"},
                 {"MY-HEADER2", "value1"},
                 {"X-Amz-Meta-Empty", ""},
                 {"User-Agent", "mlcloud/1.0"},       // not signed (botocore's list)
                 {"Connection", "keep-alive"},        // not signed
                 {"Authorization", "stale"},          // replaced
                 {"X-Amz-Date", "19990101T000000Z"}}; // replaced by the signing time
    auto sig = s.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(sig->canonical_request == "GET\n/\n\n"
                                    "host:example.amazonaws.com\n"
                                    "my-header1:a b c\n"
                                    "my-header2:value4,value1\n"
                                    "x-amz-date:20150830T123600Z\n"
                                    "x-amz-meta-empty:\n"
                                    "\n"
                                    "host;my-header1;my-header2;x-amz-date;x-amz-meta-empty\n" +
                                        std::string(empty_payload_hash));
    CHECK(sig->signed_header_names() == "host;my-header1;my-header2;x-amz-date;x-amz-meta-empty");
    CHECK(sig->amz_date() == "20150830T123600Z");
    CHECK(sig->credential_scope() == "20150830/us-east-1/service/aws4_request");
    CHECK(sig->payload_hash() == empty_payload_hash);
    CHECK(sig->signature().size() == 64);
    CHECK(sig->authorization() == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                                  "SignedHeaders=host;my-header1;my-header2;x-amz-date;x-amz-meta-empty, Signature=" +
                                      std::string(sig->signature()));
    // The headers to set: Host (none given), X-Amz-Date, Authorization last.
    REQUIRE(sig->headers.size() == 3);
    CHECK(sig->headers[0] == header{"Host", "example.amazonaws.com"});
    CHECK(sig->headers[1] == header{"X-Amz-Date", "20150830T123600Z"});
    CHECK(sig->headers[2].name == "Authorization");

    SECTION("a Host header of the request is used as given")
    {
        r.headers.push_back({"HOST", " Example.com:8443 "});
        auto sig2 = s.sign(r, example_credentials(), t0);
        REQUIRE(sig2);
        CHECK(line(sig2->canonical_request, 3) == "host:Example.com:8443");
        CHECK(header_value(sig2->headers, "Host") == "<absent>");

        r.headers.push_back({"host", "example.com"});
        auto twice = s.sign(r, example_credentials(), t0);
        REQUIRE_FALSE(twice);
        CHECK(twice.error().message == "sigv4: more than one Host header");
    }
    SECTION("CR and LF are refused, and the message names the header only")
    {
        r.headers = {{"X-Injected", "a\r\nAuthorization: evil"}};
        auto bad = s.sign(r, example_credentials(), t0);
        REQUIRE_FALSE(bad);
        CHECK(bad.error().is(errc::invalid_argument));
        CHECK(bad.error().message == "sigv4: value of header 'X-Injected' contains CR, LF or another control character");
        r.headers = {{"Bad Name", "v"}};
        REQUIRE_FALSE(s.sign(r, example_credentials(), t0));
    }
}

TEST_CASE("sigv4: S3 always sends x-amz-content-sha256", "[auth][sigv4]")
{
    signer s3({.region = "us-east-1", .service = "s3"});
    auto r = get("bucket.s3.amazonaws.com", "/key");
    auto sig = s3.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(header_value(sig->headers, "X-Amz-Content-SHA256") == empty_payload_hash);
    CHECK(sig->signed_header_names() == "host;x-amz-content-sha256;x-amz-date");

    r.method = "put";
    r.body = "Welcome to Amazon S3.";
    sig = s3.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(line(sig->canonical_request, 0) == "PUT");
    CHECK(sig->payload_hash() == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    CHECK(header_value(sig->headers, "X-Amz-Content-SHA256") == sig->payload_hash());

    r.payload_hash = std::string(unsigned_payload); // a streamed body
    sig = s3.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(sig->payload_hash() == "UNSIGNED-PAYLOAD");
    CHECK(header_value(sig->headers, "X-Amz-Content-SHA256") == "UNSIGNED-PAYLOAD");

    r.payload_hash.clear();
    r.body = {};
    r.headers = {{"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}};
    sig = s3.sign(r, example_credentials(), t0);
    REQUIRE(sig);
    CHECK(sig->payload_hash() == "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    CHECK(sig->signed_header_names() == "host;x-amz-content-sha256;x-amz-date");

    signer ec2({.region = "us-east-1", .service = "ec2"});
    sig = ec2.sign(get("ec2.us-east-1.amazonaws.com"), example_credentials(), t0);
    REQUIRE(sig);
    CHECK(header_value(sig->headers, "X-Amz-Content-SHA256") == "<absent>");
    CHECK(sig->signed_header_names() == "host;x-amz-date");
}

TEST_CASE("sigv4: session tokens", "[auth][sigv4]")
{
    signer s({.region = "us-east-1", .service = "service"});
    auto r = get("example.amazonaws.com");
    r.headers = {{"X-Amz-Security-Token", "stale"}};
    auto sig = s.sign(r, example_credentials(true), t0);
    REQUIRE(sig);
    CHECK(sig->signed_header_names() == "host;x-amz-date;x-amz-security-token");
    CHECK(line(sig->canonical_request, 5) == std::string("x-amz-security-token:") + token_text);
    CHECK(header_value(sig->headers, "X-Amz-Security-Token") == token_text);

    signing_rules legacy = signing_rules::standard();
    legacy.omit_session_token = true;
    signer late({.region = "us-east-1", .service = "service", .rules = legacy});
    auto sig2 = late.sign(get("example.amazonaws.com"), example_credentials(true), t0);
    REQUIRE(sig2);
    CHECK(sig2->signed_header_names() == "host;x-amz-date");
    CHECK(header_value(sig2->headers, "X-Amz-Security-Token") == token_text); // still sent

    aws_credentials bad = example_credentials();
    bad.session_token = secret_string(std::string(token_text) + "\r\nX: y");
    auto e = s.sign(r, bad, t0);
    REQUIRE_FALSE(e);
    check_clean(e.error());
}

TEST_CASE("sigv4: every attempt gets a fresh date and signature", "[auth][sigv4]")
{
    signer s({.region = "eu-west-1", .service = "logs"});
    auto r = get("logs.eu-west-1.amazonaws.com");
    auto first = s.sign(r, example_credentials(), t0);
    auto retry = s.sign(r, example_credentials(), t0 + std::chrono::seconds(3));
    REQUIRE(first);
    REQUIRE(retry);
    CHECK(first->amz_date() == "20150830T123600Z");
    CHECK(retry->amz_date() == "20150830T123603Z");
    CHECK(first->signature() != retry->signature());
    // The same instant signs identically.
    CHECK(s.sign(r, example_credentials(), t0)->authorization() == first->authorization());
}

TEST_CASE("sigv4: presigned URLs", "[auth][sigv4]")
{
    signer s3({.region = "us-east-1", .service = "s3"});
    auto r = get("examplebucket.s3.amazonaws.com:443", "/photos/my cat.jpg");
    r.query = {{"response-content-type", "image/jpeg"}, {"X-Amz-Signature", "stale"}};
    auto url = s3.presign(r, example_credentials(true), std::chrono::hours(1), t0);
    REQUIRE(url);
    CHECK(url->payload_hash() == "UNSIGNED-PAYLOAD");
    CHECK(url->signed_header_names() == "host");
    CHECK(url->expires_at == t0 + std::chrono::hours(1));
    CHECK_THAT(url->url, Catch::StartsWith("https://examplebucket.s3.amazonaws.com/photos/my%20cat.jpg?"));
    CHECK_THAT(url->url, Catch::EndsWith("&X-Amz-Signature=" + std::string(url->signature())));
    CHECK(url->url.find("X-Amz-Signature=stale") == std::string::npos);
    CHECK_THAT(url->target, Catch::StartsWith("/photos/my%20cat.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&"
                                              "X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request&"
                                              "X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&"
                                              "X-Amz-Security-Token="));
    CHECK_THAT(std::string(line(url->canonical_request, 2)), Catch::EndsWith("&X-Amz-SignedHeaders=host&response-content-type=image%2Fjpeg"));
    REQUIRE(url->headers.size() == 1);
    CHECK(url->headers[0] == header{"Host", "examplebucket.s3.amazonaws.com"});

    SECTION("signed headers must travel with the URL")
    {
        r.method = "PUT";
        r.query.clear();
        r.headers = {{"Content-Type", "text/csv"}};
        auto put = s3.presign(r, example_credentials(), std::chrono::minutes(5), t0);
        REQUIRE(put);
        CHECK(put->signed_header_names() == "content-type;host");
        CHECK(header_value(put->headers, "content-type") == "text/csv");
    }
    SECTION("without a host, the URL goes to the Host header")
    {
        request h = get("", "/k");
        h.headers = {{"Host", "Example.com:8443"}};
        auto u = s3.presign(h, example_credentials(), std::chrono::minutes(1), t0);
        REQUIRE(u);
        CHECK_THAT(u->url, Catch::StartsWith("https://Example.com:8443/k?"));
        CHECK(header_value(u->headers, "Host") == "Example.com:8443");
    }
    SECTION("expiry between one second and seven days")
    {
        CHECK(s3.presign(r, example_credentials(), std::chrono::seconds(1), t0));
        CHECK(s3.presign(r, example_credentials(), max_presign_expiry, t0));
        for (auto bad : {std::chrono::seconds(0), std::chrono::seconds(-5), max_presign_expiry + std::chrono::seconds(1)})
        {
            auto e = s3.presign(r, example_credentials(), bad, t0);
            REQUIRE_FALSE(e);
            CHECK(e.error().is(errc::invalid_argument));
            CHECK_THAT(e.error().message, Catch::Contains("604800"));
        }
    }
    SECTION("non-S3 services sign the payload hash and may add the token after signing")
    {
        signing_rules rules = signing_rules::standard();
        rules.omit_session_token = true;
        signer other({.region = "us-east-1", .service = "service", .rules = rules});
        auto u = other.presign(get("example.amazonaws.com", "/"), example_credentials(true), std::chrono::hours(1), t0);
        REQUIRE(u);
        CHECK(u->payload_hash() == empty_payload_hash);
        CHECK(line(u->canonical_request, 2).find("X-Amz-Security-Token") == std::string::npos);
        CHECK_THAT(u->url, Catch::Contains("&X-Amz-Signature=" + std::string(u->signature()) + "&X-Amz-Security-Token="));
    }
}

TEST_CASE("sigv4: invalid requests and credentials", "[auth][sigv4]")
{
    signer s({.region = "us-east-1", .service = "service"});
    auto const good = get("example.amazonaws.com");

    auto expect = [&](request const& r, aws_credentials const& c, errc code, std::string_view text) {
        auto e = s.sign(r, c, t0);
        REQUIRE_FALSE(e);
        CHECK(e.error().is(code));
        CHECK_THAT(e.error().message, Catch::Contains(std::string(text)));
        CHECK(e.error().provider == "aws");
        check_clean(e.error());
    };

    aws_credentials none;
    expect(good, none, errc::unauthorized, "no credentials");
    aws_credentials slash = example_credentials();
    slash.access_key_id = "AKID/X";
    expect(good, slash, errc::invalid_argument, "access key id");

    request r = good;
    r.method = "GE T";
    expect(r, example_credentials(), errc::invalid_argument, "method");
    r = good;
    r.scheme = "ftp";
    expect(r, example_credentials(), errc::invalid_argument, "scheme");
    r = good;
    r.path = "relative";
    expect(r, example_credentials(), errc::invalid_argument, "path must start with '/'");
    r = good;
    r.path = "/a?b";
    r.path_is_encoded = true;
    expect(r, example_credentials(), errc::invalid_argument, "encoded path");
    r = good;
    r.host = "";
    expect(r, example_credentials(), errc::invalid_argument, "host");
    r = good;
    r.payload_hash = "abc def";
    expect(r, example_credentials(), errc::invalid_argument, "payload hash");

    signer bad_region({.region = "us east", .service = "s3"});
    auto e = bad_region.sign(good, example_credentials(), t0);
    REQUIRE_FALSE(e);
    CHECK_THAT(e.error().message, Catch::Contains("region"));
}

TEST_CASE("sigv4: the signing-key cache is shared safely between threads", "[auth][sigv4]")
{
    signer s({.region = "us-east-1", .service = "s3"});
    auto r = get("bucket.s3.amazonaws.com", "/key");
    aws_credentials other = example_credentials();
    other.secret_access_key = secret_string("another-secret-key");

    // Expected results from fresh signers (empty caches).
    auto expected = [&](aws_credentials const& c, std::chrono::system_clock::time_point t) {
        return std::string(signer({.region = "us-east-1", .service = "s3"}).sign(r, c, t)->authorization());
    };
    auto const day1 = utc(2026, 1, 1, 23, 59, 59);
    auto const day2 = utc(2026, 1, 2, 0, 0, 0);
    std::string const want[4] = {expected(example_credentials(), day1), expected(example_credentials(), day2),
                                 expected(other, day1), expected(other, day2)};
    CHECK(want[0] != want[1]); // the date is part of the key
    CHECK(want[0] != want[2]);

    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
    {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 300; ++i)
            {
                int const k = (i + t) % 4;
                auto const& c = k < 2 ? example_credentials() : other;
                auto sig = s.sign(r, c, k % 2 == 0 ? day1 : day2);
                if (!sig || sig->authorization() != want[k])
                    ++mismatches;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    CHECK(mismatches == 0);

    // Copies share the cache and sign identically.
    signer copy = s;
    CHECK(copy.sign(r, other, day2)->authorization() == want[3]);
}

TEST_CASE("sigv4: sign_into reuses a result and gives what sign gives", "[auth][sigv4]")
{
    signer s3({.region = "eu-west-1", .service = "s3"});
    auto with_token = get("bucket.s3.eu-west-1.amazonaws.com", "/a b");
    with_token.headers = {{"Content-Type", "text/csv"}, {"x-amz-meta-a", "1"}};
    auto plain = get("other.example.com:9000", "/");
    plain.headers = {{"Host", "other.example.com:9000"}};

    header_signature out;
    for (int round = 0; round < 3; ++round)
    {
        auto const when = t0 + std::chrono::seconds(round);
        REQUIRE(s3.sign_into(with_token, example_credentials(true), out, when));
        auto expected = s3.sign(with_token, example_credentials(true), when);
        REQUIRE(expected);
        CHECK(out.headers == expected->headers);
        CHECK(out.canonical_request == expected->canonical_request);
        CHECK(out.string_to_sign == expected->string_to_sign);

        // Fewer headers this time (no Host added, no token): nothing stale may remain.
        REQUIRE(s3.sign_into(plain, example_credentials(), out, when));
        expected = s3.sign(plain, example_credentials(), when);
        REQUIRE(expected);
        CHECK(out.headers == expected->headers);
        CHECK(out.headers.size() == 3);
        CHECK(out.canonical_request == expected->canonical_request);
        CHECK(out.string_to_sign == expected->string_to_sign);
    }
}

TEST_CASE("sigv4: a copied or moved signature has its own views", "[auth][sigv4]")
{
    signer s3({.region = "eu-west-1", .service = "s3"});
    auto r = get("bucket.s3.eu-west-1.amazonaws.com", "/a b");
    auto const expected = s3.sign(r, example_credentials(true), t0);
    REQUIRE(expected);
    auto check_same = [&](header_signature const& sig) {
        CHECK(sig.headers == expected->headers);
        CHECK(sig.canonical_request == expected->canonical_request);
        CHECK(sig.string_to_sign == expected->string_to_sign);
        CHECK(sig.authorization() == expected->authorization());
        CHECK(header_value(sig.headers, "X-Amz-Security-Token") == token_text);
    };

    std::optional<header_signature> original(*s3.sign(r, example_credentials(true), t0));
    header_signature copy(*original);
    header_signature assigned;
    assigned = *original;
    // Overwriting and destroying the original must not touch the copies' views.
    REQUIRE(s3.sign_into(get("other.example.com", "/x"), example_credentials(), *original, t0));
    CHECK(original->authorization() != expected->authorization());
    original.reset();
    check_same(copy);
    check_same(assigned);
    CHECK(copy.canonical_request.data() != assigned.canonical_request.data());

    header_signature moved(std::move(copy));
    check_same(moved);
    header_signature move_assigned;
    move_assigned = std::move(moved);
    check_same(move_assigned);
    auto again = move_assigned; // copy of an object that was itself moved into
    move_assigned = header_signature();
    check_same(again);
    CHECK(move_assigned.headers.empty());
    CHECK(move_assigned.authorization().empty());
}
