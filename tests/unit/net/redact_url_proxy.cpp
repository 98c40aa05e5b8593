//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Pure parts of the transport: redaction, URL helpers, NO_PROXY matching, header fields.

#include <mlcloud/net/fields.hpp>
#include <mlcloud/net/proxy.hpp>
#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/request.hpp>
#include <mlcloud/net/response.hpp>
#include <mlcloud/net/url.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

namespace net = mlcloud::net;
using Catch::Matchers::Contains;

namespace {

// A secret must be gone and the marker present.
void check_redacted(std::string const& out, std::string const& secret)
{
    INFO("redacted: " << out);
    CHECK(out.find(secret) == std::string::npos);
    CHECK(out.find("<redacted>") != std::string::npos);
}

} // namespace

// ---------------------------------------------------------------------------------------
// Redaction

TEST_CASE("redact: Authorization and Proxy-Authorization keep the scheme only", "[net][redact]")
{
    CHECK(net::redact_header_value("Authorization", "Bearer abc.def-ghi") == "Bearer <redacted>");
    CHECK(net::redact_header_value("authorization",
                                   "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                                   "SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7") ==
          "AWS4-HMAC-SHA256 <redacted>");
    CHECK(net::redact_header_value("Proxy-Authorization", "Basic dXNlcjpwYXNz") == "Basic <redacted>");
    CHECK(net::redact_header_value("Authorization", "rawsecretwithoutscheme") == "<redacted>");
}

TEST_CASE("redact: secret headers are recognised without case", "[net][redact]")
{
    for (char const* name : {"X-Amz-Security-Token", "x-amz-security-token", "Cookie", "Set-Cookie", "X-Api-Key",
                             "X-Telegram-Bot-Api-Secret-Token", "x-amz-server-side-encryption-customer-key"})
    {
        INFO(name);
        CHECK(net::is_sensitive_header(name));
        CHECK(net::redact_header_value(name, "FwoGZXIvYXdzEJr//////////wEaDNOTREAL") == "<redacted>");
    }
    CHECK_FALSE(net::is_sensitive_header("Content-Type"));
    CHECK(net::redact_header_value("Content-Type", "application/json") == "application/json");
    // A harmless header that carries a presigned URL still loses the signature.
    check_redacted(net::redact_header_value("Location", "https://b.s3.amazonaws.com/k?X-Amz-Signature=deadbeef"),
                   "deadbeef");
}

TEST_CASE("redact: redact_headers keeps names and order", "[net][redact]")
{
    net::fields h{{"Host", "example.com"}, {"Authorization", "Bearer tok123"}, {"X-Amz-Security-Token", "sess"}};
    auto r = net::redact_headers(h);
    REQUIRE(r.size() == 3);
    CHECK(r.get("host") == "example.com");
    CHECK(r.get("authorization") == "Bearer <redacted>");
    CHECK(r.get("x-amz-security-token") == "<redacted>");
}

TEST_CASE("redact: presigned S3 URL parameters", "[net][redact]")
{
    std::string url = "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                      "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                      "&X-Amz-Security-Token=FQoGZXIvYXdzSESSION"
                      "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    auto out = net::redact_url(url);
    INFO(out);
    CHECK(out.find("aeeed9bbccd4") == std::string::npos);
    CHECK(out.find("FQoGZXIvYXdzSESSION") == std::string::npos);
    CHECK(out.find("AKIAIOSFODNN7EXAMPLE") == std::string::npos);
    // The scope of the credential and the harmless parameters stay readable.
    CHECK_THAT(out, Contains("X-Amz-Credential=<redacted>%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"));
    CHECK_THAT(out, Contains("X-Amz-Expires=86400"));
    CHECK_THAT(out, Contains("X-Amz-Signature=<redacted>"));
    CHECK_THAT(out, Contains("X-Amz-Security-Token=<redacted>"));
    // Unencoded credential scope too (as in an Authorization header).
    CHECK(net::redact_text("Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host") ==
          "Credential=<redacted>/20150830/us-east-1/iam/aws4_request, SignedHeaders=host");
}

TEST_CASE("redact: api keys in queries, case-insensitive", "[net][redact]")
{
    check_redacted(net::redact_url("https://api.runpod.io/graphql?api_key=rpa_SECRETKEY123"), "rpa_SECRETKEY123");
    check_redacted(net::redact_url("https://x.test/a?foo=1&API_KEY=k1&bar=2"), "k1&");
    CHECK(net::redact_url("https://x.test/a?foo=1&API_KEY=k1&bar=2") == "https://x.test/a?foo=1&API_KEY=<redacted>&bar=2");
    CHECK(net::redact_url("https://x.test/cb?access_token=tok&state=s") == "https://x.test/cb?access_token=<redacted>&state=s");
    // Names that merely end like a secret stay.
    CHECK(net::redact_url("https://x.test/?id_token_hint=1&notapikey=2") == "https://x.test/?id_token_hint=1&notapikey=2");
    // A redacted value is not redacted again.
    auto once = net::redact_url("https://x.test/?api_key=abc");
    CHECK(net::redact_url(once) == once);
}

TEST_CASE("redact: Telegram bot tokens in URLs and text", "[net][redact]")
{
    std::string token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    CHECK(net::redact_url("https://api.telegram.org/bot" + token + "/getMe") ==
          "https://api.telegram.org/bot123456789:<redacted>/getMe");
    CHECK(net::redact_url("https://api.telegram.org/file/bot" + token + "/documents/file_1.csv") ==
          "https://api.telegram.org/file/bot123456789:<redacted>/documents/file_1.csv");
    CHECK(net::redact_text("GET /bot123456:TEST/getUpdates failed") == "GET /bot123456:<redacted>/getUpdates failed");
    CHECK(net::redact_text("token bot42:abc-DEF_9 leaked") == "token bot42:<redacted> leaked");
    // Not a token: no digits, or part of a word.
    CHECK(net::redact_text("robot12:abc and bot:abc") == "robot12:abc and bot:abc");
    auto once = net::redact_text("bot1:x");
    CHECK(net::redact_text(once) == once);
}

TEST_CASE("redact: URL user information keeps the user", "[net][redact]")
{
    CHECK(net::redact_url("http://alice:s3cr3t@proxy.corp:3128") == "http://alice:<redacted>@proxy.corp:3128");
    CHECK(net::redact_url("http://alice@proxy.corp:3128/") == "http://alice@proxy.corp:3128/");
    CHECK(net::redact_text("proxy http://u:p%40ss@10.0.0.1:8080 refused") == "proxy http://u:<redacted>@10.0.0.1:8080 refused");
}

TEST_CASE("redact: headers and bearer tokens inside free text", "[net][redact]")
{
    std::string dump = "GET /v2/pods HTTP/1.1\r\nHost: api.runpod.io\r\nAuthorization: Bearer rpa_ABCDEF\r\n"
                       "proxy-authorization: Basic dXNlcjpwYXNz\r\nX-Amz-Security-Token: IQoJb3JpZ2lu\r\n\r\n";
    auto out = net::redact_text(dump);
    INFO(out);
    CHECK(out.find("rpa_ABCDEF") == std::string::npos);
    CHECK(out.find("dXNlcjpwYXNz") == std::string::npos);
    CHECK(out.find("IQoJb3JpZ2lu") == std::string::npos);
    CHECK_THAT(out, Contains("Authorization: Bearer <redacted>\r\n"));
    CHECK_THAT(out, Contains("Host: api.runpod.io\r\n"));
    CHECK(net::redact_text("server said: invalid bearer eyJhbGciOi.J9.x (expired)") ==
          "server said: invalid bearer <redacted> (expired)");
}

TEST_CASE("redact: secret members of JSON bodies", "[net][redact]")
{
    std::string body = R"({"user":"bob","password":"hunter2","nested":{"apiKey" : "k-123","token":"t\"q"},)"
                       R"("Credentials":{"SecretAccessKey":"wJalrXUtnFEMI/K7MDENG","SessionToken":"IQo"},"n":1})";
    auto out = net::redact_text(body);
    INFO(out);
    for (char const* s : {"hunter2", "k-123", "t\\\"q", "wJalrXUtnFEMI", "\"IQo\""})
        CHECK(out.find(s) == std::string::npos);
    CHECK_THAT(out, Contains(R"("user":"bob")"));
    CHECK_THAT(out, Contains(R"("password":"<redacted>")"));
    CHECK_THAT(out, Contains(R"("n":1)"));
    CHECK(net::redact_text(out) == out);
}

TEST_CASE("redact: AWS access key ids and error text", "[net][redact]")
{
    CHECK(net::redact_text("The AWS Access Key Id AKIAIOSFODNN7EXAMPLE does not exist") ==
          "The AWS Access Key Id <redacted> does not exist");
    CHECK(net::redact_text("ASIAXXXXXXXXXXXXXXXX1") == "ASIAXXXXXXXXXXXXXXXX1"); // 21 characters: not a key id
    // An error message built from a URL with several secrets.
    auto msg = net::redact_text("GET https://u:pw@h.test/bot1:abc/x?X-Amz-Signature=ff&api_key=k: connection reset");
    CHECK(msg == "GET https://u:<redacted>@h.test/bot1:<redacted>/x?X-Amz-Signature=<redacted>&api_key=<redacted>: connection reset");
}

TEST_CASE("redact: http_error never shows a secret from the body", "[net][redact]")
{
    net::response r;
    r.status = 403;
    r.reason = "Forbidden";
    r.headers.add("x-amzn-RequestId", "req-1");
    r.body = R"({"message":"token bot77:SECRET rejected","api_key":"k9"})";
    auto e = net::http_error(r, "GET https://api.telegram.org/bot77:SECRET/getMe");
    CHECK(e.is(mlcloud::errc::forbidden));
    CHECK(e.http_status == 403);
    CHECK(e.request_id == "req-1");
    auto text = e.what();
    INFO(text);
    CHECK(text.find("SECRET") == std::string::npos);
    CHECK(text.find("k9") == std::string::npos);
    CHECK_THAT(text, Contains("HTTP 403 Forbidden"));
}

// ---------------------------------------------------------------------------------------
// Status mapping and request helpers

TEST_CASE("errc_from_status maps the common statuses", "[net]")
{
    using mlcloud::errc;
    CHECK(net::errc_from_status(400) == errc::invalid_argument);
    CHECK(net::errc_from_status(401) == errc::unauthorized);
    CHECK(net::errc_from_status(402) == errc::quota);
    CHECK(net::errc_from_status(404) == errc::not_found);
    CHECK(net::errc_from_status(409) == errc::conflict);
    CHECK(net::errc_from_status(413) == errc::payload_too_large);
    CHECK(net::errc_from_status(429) == errc::throttled);
    CHECK(net::errc_from_status(500) == errc::provider_error);
    CHECK(net::errc_from_status(503) == errc::throttled);
    CHECK(net::errc_from_status(302) == errc::protocol_error);
}

TEST_CASE("request: idempotency follows the method unless set", "[net]")
{
    net::request get{.method = net::method::get};
    net::request post{.method = net::method::post};
    CHECK(get.is_replayable());
    CHECK_FALSE(post.is_replayable());
    post.idempotency_key = "launch-42";
    CHECK(post.is_replayable());
    CHECK_FALSE(post.is_idempotent());
    net::request put{.method = net::method::put, .idempotent = false};
    CHECK_FALSE(put.is_replayable());
    CHECK(net::to_string(net::method::delete_) == "DELETE");
}

TEST_CASE("request_body: sizes of every kind", "[net]")
{
    CHECK(net::request_body("abc").size().value() == 3);
    CHECK(net::request_body(net::generator_body{.length = 42}).size().value() == 42);
    auto missing = net::request_body(net::file_body{.path = "/nonexistent/mlcloud/file"}).size();
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().is(mlcloud::errc::io_error));
}

TEST_CASE("response: request id from the usual headers", "[net]")
{
    net::response r;
    CHECK(r.request_id().empty());
    r.headers.add("X-Request-Id", "abc");
    CHECK(r.request_id() == "abc");
    r.headers.add("x-amz-request-id", "s3id");
    CHECK(r.request_id() == "s3id");
}

TEST_CASE("fields: case-insensitive lookup, set replaces, erase removes all", "[net]")
{
    net::fields f{{"Content-Type", "text/plain"}, {"Set-Cookie", "a"}};
    f.add("set-cookie", "b");
    CHECK(f.get("content-type") == "text/plain");
    CHECK(f.size() == 3);
    f.set("SET-COOKIE", "c");
    CHECK(f.size() == 2);
    CHECK(f.get("Set-Cookie") == "c");
    CHECK(f.erase("set-cookie") == 1);
    CHECK_FALSE(f.contains("set-cookie"));
    CHECK(f.value_or("missing", "d") == "d");
}

// ---------------------------------------------------------------------------------------
// URL helpers

TEST_CASE("url: encoding of path segments and query values", "[net][url]")
{
    CHECK(net::encode_path_segment("a b/c+d:e@f~g.h_i-j") == "a%20b%2Fc%2Bd%3Ae%40f~g.h_i-j");
    CHECK(net::encode_path("data/my file.csv") == "data/my%20file.csv");
    CHECK(net::encode_path("/lead/trail/") == "/lead/trail/");
    CHECK(net::encode_path("caf\xC3\xA9") == "caf%C3%A9");
    CHECK(net::encode_query_value("a b&c=d+e") == "a%20b%26c%3Dd%2Be");
    CHECK(net::percent_decode("a%20b%2Fc+d").value() == "a b/c+d");
    CHECK_FALSE(net::percent_decode("bad%2").has_value());
}

TEST_CASE("url: make_url appends encoded segments and parameters", "[net][url]")
{
    CHECK(net::make_url("https://api.runpod.io/v2", {"pods", "abc 1", "logs"}, {{"tail", "100"}, {"since", "2026-06-01T12:00:00Z"}})
              .value() == "https://api.runpod.io/v2/pods/abc%201/logs?tail=100&since=2026-06-01T12%3A00%3A00Z");
    CHECK(net::make_url("https://api.runpod.io/v2/", {"pods"}).value() == "https://api.runpod.io/v2/pods");
    CHECK(net::make_url("http://127.0.0.1:8080", {"a/b"}).value() == "http://127.0.0.1:8080/a%2Fb");
    CHECK(net::make_url("http://h.test/x?keep=1", {}, {{"k", "v w"}}).value() == "http://h.test/x?keep=1&k=v%20w");
    auto bad = net::make_url("not a url", {"x"});
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().is(mlcloud::errc::invalid_argument));
}

TEST_CASE("url: parse_url gives what the transport needs", "[net][url]")
{
    auto p = net::parse_url("HTTPS://User:Pa%40ss@Example.COM/a%20b?x=1#frag").value();
    CHECK(p.scheme == "https");
    CHECK(p.host == "example.com");
    CHECK(p.port == 443);
    CHECK(p.target == "/a%20b?x=1");
    CHECK(p.user == "User");
    CHECK(p.password == "Pa@ss");
    CHECK(p.authority() == "example.com");
    CHECK(p.authority(true) == "example.com:443");

    auto v6 = net::parse_url("http://[::1]:8080").value();
    CHECK(v6.host == "::1");
    CHECK(v6.port == 8080);
    CHECK(v6.target == "/");
    CHECK(v6.authority() == "[::1]:8080");

    CHECK_FALSE(net::parse_url("ftp://example.com/").has_value());
    CHECK_FALSE(net::parse_url("/relative/path").has_value());
    auto bad = net::parse_url("https://api.telegram.org:99999/bot1:SECRET/x");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("SECRET") == std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Proxies

TEST_CASE("no_proxy: wildcard, domains and suffixes", "[net][proxy]")
{
    CHECK(net::no_proxy_matches("*", "anything.test", 443));
    CHECK(net::no_proxy_matches("example.com", "example.com", 443));
    CHECK(net::no_proxy_matches("example.com", "api.Example.com", 443));
    CHECK(net::no_proxy_matches(".example.com", "api.example.com", 80));
    CHECK(net::no_proxy_matches(".example.com", "example.com", 80));
    CHECK(net::no_proxy_matches("*.example.com", "a.b.example.com", 80));
    CHECK_FALSE(net::no_proxy_matches("example.com", "badexample.com", 443));
    CHECK_FALSE(net::no_proxy_matches("example.com", "example.com.evil.test", 443));
    CHECK(net::no_proxy_matches("example.com.", "example.com", 443));
    CHECK_FALSE(net::no_proxy_matches("", "example.com", 443));
}

TEST_CASE("no_proxy: lists, spaces, IPs, CIDR ranges and ports", "[net][proxy]")
{
    std::string list = " localhost , 10.0.0.0/8 internal.test:8443,[::1], 192.168.1.7 ,fd00::/8";
    CHECK(net::no_proxy_matches(list, "localhost", 80));
    CHECK(net::no_proxy_matches(list, "10.20.30.40", 443));
    CHECK_FALSE(net::no_proxy_matches(list, "11.0.0.1", 443));
    CHECK(net::no_proxy_matches(list, "internal.test", 8443));
    CHECK_FALSE(net::no_proxy_matches(list, "internal.test", 443));
    CHECK(net::no_proxy_matches(list, "::1", 443));
    CHECK(net::no_proxy_matches(list, "[::1]", 443));
    CHECK(net::no_proxy_matches(list, "192.168.1.7", 80));
    CHECK_FALSE(net::no_proxy_matches(list, "192.168.1.8", 80));
    CHECK(net::no_proxy_matches(list, "fd12:3456::1", 80));
    CHECK_FALSE(net::no_proxy_matches(list, "127.0.0.1", 80)); // loopback is not implicit
    CHECK(net::no_proxy_matches("127.0.0.1:9000", "127.0.0.1", 9000));
    CHECK_FALSE(net::no_proxy_matches("127.0.0.1:9000", "127.0.0.1", 9001));
    CHECK(net::no_proxy_matches("[::1]:9000", "::1", 9000));
    // An IP entry does not match a name and vice versa.
    CHECK_FALSE(net::no_proxy_matches("10.0.0.1", "host10.test", 80));
}

TEST_CASE("proxy: selection by scheme and NO_PROXY", "[net][proxy]")
{
    net::proxy_options p{.http_proxy = "http://plain:3128", .https_proxy = "http://tunnel:3128", .no_proxy = "internal.test"};
    CHECK(p.select("https", "api.runpod.io", 443) == "http://tunnel:3128");
    CHECK(p.select("http", "api.runpod.io", 80) == "http://plain:3128");
    CHECK(p.select("https", "s3.internal.test", 443).empty());
    CHECK(net::proxy_options{}.select("https", "x.test", 443).empty());
}

TEST_CASE("proxy: from_environment reads upper and lower case, upper wins", "[net][proxy]")
{
    ::setenv("https_proxy", "http://lower:1", 1);
    ::unsetenv("HTTPS_PROXY");
    ::setenv("NO_PROXY", "upper.test", 1);
    ::setenv("no_proxy", "lower.test", 1);
    ::setenv("HTTP_PROXY", "http://upper-http:2", 1);
    ::unsetenv("REQUEST_METHOD");
    auto p = net::proxy_options::from_environment();
    CHECK(p.https_proxy == "http://lower:1");
    CHECK(p.no_proxy == "upper.test");
    CHECK(p.http_proxy == "http://upper-http:2");
    ::setenv("HTTPS_PROXY", "http://upper:1", 1);
    CHECK(net::proxy_options::from_environment().https_proxy == "http://upper:1");
    // In a CGI program HTTP_PROXY may come from a request header: it is ignored.
    ::setenv("REQUEST_METHOD", "GET", 1);
    ::unsetenv("http_proxy");
    CHECK(net::proxy_options::from_environment().http_proxy.empty());
    for (char const* v : {"https_proxy", "HTTPS_PROXY", "NO_PROXY", "no_proxy", "HTTP_PROXY", "REQUEST_METHOD"})
        ::unsetenv(v);
}

// Found by tests/fuzz (redact): the scope kept after a redacted X-Amz-Credential was copied
// without being scanned, so a second credential inside it survived the first pass (and
// redact_text was not idempotent).
TEST_CASE("fuzz regression: a credential inside the kept scope of another is redacted too", "[net][redact][fuzz]")
{
    std::string const text = "GET https://h/x?X-Amz-Credential=AKIAuser/x?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2Fs3"
                             "%2Faws4_request&X-Amz-Signature=deadbeef";
    auto const once = net::redact_text(text);
    CHECK(once.find("AKIAIOSFODNN7EXAMPLE") == std::string::npos);
    CHECK(once.find("AKIAuser") == std::string::npos);
    CHECK(once.find("%2Fs3%2Faws4_request") != std::string::npos);
    CHECK(net::redact_text(once) == once);
}

// Found by tests/fuzz (redact): after a redacted JSON value the scan went on past its closing
// quote, so a secret key that began at that very quote (quotes that do not pair up, as in a
// truncated body) was not seen.
TEST_CASE("fuzz regression: a JSON secret right after a redacted value's closing quote", "[net][redact][fuzz]")
{
    auto const out = net::redact_text(R"({"secret":" {"password":"hunter2-hunter2"} s"})");
    CHECK(out.find("hunter2") == std::string::npos);
    CHECK(net::redact_text(out) == out);
    CHECK(net::redact_text(R"({"password":"a","user":"bob"})") == R"({"password":"<redacted>","user":"bob"})");
}

// Found by tests/fuzz (redact): shapes that hid a secret from one pass, or that a second pass
// redacted further (redact_text was not idempotent).
TEST_CASE("fuzz regressions: redact_text on tangled input", "[net][redact][fuzz]")
{
    auto hides_nothing = [](std::string const& text, std::string const& secret) {
        auto const out = net::redact_text(text);
        INFO(out);
        CHECK(out.find(secret) == std::string::npos);
        CHECK(net::redact_text(out) == out);
    };
    // A value that is really a key: "passwd": "SecretAccessKey": "<secret>".
    hides_nothing(R"("passwd": "SecretAccessKey": "wJalrXUtnFEMIK7MDENG")", "wJalrXUtnFEMIK7MDENG");
    // "Bearer Bearer <token>".
    hides_nothing("Authorization failed: Bearer  Bearer abcdef0123456789", "abcdef0123456789");
    // An Authorization value whose first word is no scheme was partly kept, then redacted
    // whole by the next pass.
    hides_nothing(R"(Proxy-Authorization: x"password":"p4ss w0rd-and-more")", "p4ss");
    CHECK(net::redact_text("Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x") ==
          "Authorization: AWS4-HMAC-SHA256 <redacted>");
}

// Found by tests/fuzz (http_headers): a refused URL was quoted through redact_url only, which
// does not look for access key ids; the message now goes through redact_text.
TEST_CASE("fuzz regression: a bearer token inside a run that starts with a glued Bearer, on the first pass",
          "[net][redact][fuzz]")
{
    // "Bearer" glued to a run of token characters is not a bearer token; the scan skipped the
    // whole run, and only a second pass (after the key id had become <redacted>) found the
    // "Bearer <token>" inside it: redact_text was not idempotent.
    auto const once = net::redact_text("{\"Bearer+++0+++AKIAIOSFODNN7EXAMPLE+++Bearer +++++++\x01");
    CHECK(once == "{\"Bearer+++0+++<redacted>+++Bearer <redacted>\x01");
    CHECK(net::redact_text(once) == once);
}

TEST_CASE("fuzz regression: an Authorization 'scheme' holding an access key id is not kept", "[net][redact][fuzz]")
{
    // "To-o-AKIA..." is a word of letters, digits and '-': kept as the scheme, it lost the key id
    // to the later pass, and a second redaction then masked the whole value (not idempotent).
    auto const once = net::redact_text("x\nAuthorization:To-o-AKIAIOSFODNN7EXAMPLE n:T@\n");
    CHECK(once == "x\nAuthorization:<redacted>\n");
    CHECK(net::redact_text(once) == once);
    CHECK(net::redact_text("Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/x") ==
          "Authorization: AWS4-HMAC-SHA256 <redacted>");
}

TEST_CASE("fuzz regression: a refused URL's message hides an access key id", "[net][url][fuzz]")
{
    auto const u = net::parse_url("https:/ser::ASIA0]:8ods:/ASIA0777777777777777:se");
    REQUIRE(u.has_error());
    CHECK(u.error().message.find("ASIA0777777777777777") == std::string::npos);
    CHECK(net::redact_text(u.error().message) == u.error().message);
}
