//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include <mlcloud/auth/runpod_credentials.hpp>

#include <catch2/catch.hpp>

#include "auth_test_util.hpp"

#include <sstream>

using namespace mlcloud::auth;
using mlcloud::errc;

namespace {

constexpr char const* api_key = "rpa_APIKEYSECRET0123456789";
constexpr char const* s3_secret = "rps_S3SECRET0123456789";

mlcloud::result<runpod_config> load(environment::map_type vars, runpod_config_options o = {})
{
    o.env = environment::from_map(std::move(vars));
    return runpod_config::load(std::move(o));
}

void check_no_secret(std::string const& text)
{
    CHECK(text.find(api_key) == std::string::npos);
    CHECK(text.find(s3_secret) == std::string::npos);
}

} // namespace

TEST_CASE("runpod config: defaults", "[auth][runpod]")
{
    auto c = load({});
    REQUIRE(c);
    CHECK(c->rest_url() == "https://api.runpod.io/v2");
    CHECK(c->serverless_url() == "https://api.runpod.ai/v2");
    CHECK(*c->s3_endpoint("EU-RO-1") == "https://s3api-eu-ro-1.runpod.io");
    CHECK(*c->s3_endpoint("US-KS-2") == "https://s3api-us-ks-2.runpod.io");
    CHECK(runpod_config::s3_region("EUR-IS-1") == "EUR-IS-1");

    auto key = c->api_key();
    REQUIRE_FALSE(key);
    CHECK(key.error().is(errc::unauthorized));
    CHECK_THAT(key.error().message, Catch::Contains("RUNPOD_API_KEY (not set)"));
    CHECK(key.error().provider == "runpod");

    auto s3 = c->s3_credentials();
    REQUIRE_FALSE(s3);
    CHECK(s3.error().is(errc::unauthorized));
    CHECK_THAT(s3.error().message, Catch::Contains("RUNPOD_S3_ACCESS_KEY_ID (not set)"));
}

TEST_CASE("runpod config: keys from the environment", "[auth][runpod]")
{
    auto c = load({{"RUNPOD_API_KEY", api_key},
                   {"RUNPOD_S3_ACCESS_KEY_ID", "user_2abcDEF"},
                   {"RUNPOD_S3_SECRET_ACCESS_KEY", s3_secret}});
    REQUIRE(c);
    auto key = c->api_key();
    REQUIRE(key);
    CHECK(key->reveal() == api_key);
    CHECK(*c->authorization() == std::string("Bearer ") + api_key);

    auto s3 = c->s3_credentials();
    REQUIRE(s3);
    CHECK(s3->access_key_id == "user_2abcDEF");
    CHECK(s3->secret_access_key.reveal() == s3_secret);
    CHECK_FALSE(s3->has_session_token());

    std::ostringstream os;
    os << *c;
    check_no_secret(os.str());
    check_no_secret(to_string(*c));
    CHECK_THAT(os.str(), Catch::Contains("api_key=<redacted>"));
    CHECK_THAT(os.str(), Catch::Contains("s3_access_key_id=********cDEF"));
}

TEST_CASE("runpod config: options win over the environment", "[auth][runpod]")
{
    runpod_config_options o;
    o.api_key = secret_string("from-code");
    o.rest_url = "http://127.0.0.1:8080/v2/";
    o.s3_access_key_id = "user_code";
    o.s3_secret_access_key = secret_string("code-secret");
    auto c = load({{"RUNPOD_API_KEY", api_key}, {"RUNPOD_REST_URL", "https://elsewhere/v2"}}, std::move(o));
    REQUIRE(c);
    CHECK(c->api_key()->reveal() == "from-code");
    CHECK(c->rest_url() == "http://127.0.0.1:8080/v2"); // trailing '/' dropped
    CHECK(c->s3_credentials()->access_key_id == "user_code");
}

TEST_CASE("runpod config: base URL overrides", "[auth][runpod]")
{
    auto c = load({{"RUNPOD_REST_URL", "http://127.0.0.1:9000/v2"},
                   {"RUNPOD_SERVERLESS_URL", "http://127.0.0.1:9001/v2/"},
                   {"RUNPOD_S3_ENDPOINT_URL", "http://127.0.0.1:9002"}});
    REQUIRE(c);
    CHECK(c->rest_url() == "http://127.0.0.1:9000/v2");
    CHECK(c->serverless_url() == "http://127.0.0.1:9001/v2");
    CHECK(*c->s3_endpoint("EU-RO-1") == "http://127.0.0.1:9002"); // one endpoint for every datacenter

    c = load({{"RUNPOD_ENDPOINT_BASE_URL", "http://127.0.0.1:9003/v2"},
              {"RUNPOD_S3_ENDPOINT_URL", "http://{datacenter}.s3.test:9000/"}});
    REQUIRE(c);
    CHECK(c->serverless_url() == "http://127.0.0.1:9003/v2"); // runpod-python's variable name
    CHECK(*c->s3_endpoint("US-CA-2") == "http://us-ca-2.s3.test:9000");

    c = load({{"RUNPOD_SERVERLESS_URL", "http://a/v2"}, {"RUNPOD_ENDPOINT_BASE_URL", "http://b/v2"}});
    CHECK(c->serverless_url() == "http://a/v2");
}

TEST_CASE("runpod config: invalid settings", "[auth][runpod]")
{
    auto c = load({{"RUNPOD_REST_URL", "https://rest.runpod.io/v1"}});
    REQUIRE_FALSE(c);
    CHECK(c.error().is(errc::invalid_argument));
    CHECK_THAT(c.error().message, Catch::Contains("REST v1 API, which is retired"));
    REQUIRE_FALSE(load({{"RUNPOD_REST_URL", "https://rest.runpod.io/v1/"}}));

    c = load({{"RUNPOD_SERVERLESS_URL", "api.runpod.ai/v2"}});
    REQUIRE_FALSE(c);
    CHECK(c.error().message == "RUNPOD_SERVERLESS_URL is not an absolute http:// or https:// URL");
    REQUIRE_FALSE(load({{"RUNPOD_S3_ENDPOINT_URL", "s3api-eu-ro-1.runpod.io"}}));

    auto ok = load({});
    REQUIRE(ok);
    auto e = ok->s3_endpoint("eu.ro/1");
    REQUIRE_FALSE(e);
    CHECK(e.error().is(errc::invalid_argument));
    REQUIRE_FALSE(ok->s3_endpoint(""));

    auto half = load({{"RUNPOD_S3_ACCESS_KEY_ID", "user_x"}});
    auto s3 = half->s3_credentials();
    REQUIRE_FALSE(s3);
    CHECK(s3.error().is(errc::invalid_argument));
    CHECK_THAT(s3.error().message, Catch::Contains("RUNPOD_S3_SECRET_ACCESS_KEY is not"));

    half = load({{"RUNPOD_S3_SECRET_ACCESS_KEY", s3_secret}});
    s3 = half->s3_credentials();
    REQUIRE_FALSE(s3);
    CHECK_THAT(s3.error().message, Catch::Contains("RUNPOD_S3_ACCESS_KEY_ID is not"));
    check_no_secret(s3.error().what());

    auto spaced = load({{"RUNPOD_API_KEY", std::string(api_key) + " "}});
    auto key = spaced->api_key();
    REQUIRE_FALSE(key);
    CHECK(key.error().message == "RUNPOD_API_KEY contains whitespace or control characters");
    check_no_secret(key.error().what());
}

TEST_CASE("runpod config: the API key from ~/.runpod/config.toml, as runpod-python and runpodctl write it",
          "[auth][runpod]")
{
    auth_test::temp_dir home;
    auto const file = home / ".runpod/config.toml";
    auto key_of = [&](environment::map_type vars) {
        vars.emplace("HOME", home.path().string());
        auto c = load(std::move(vars));
        REQUIRE(c);
        return c->api_key();
    };
    auto revealed = [&](environment::map_type vars) {
        auto k = key_of(std::move(vars));
        REQUIRE(k);
        return std::string(k->reveal());
    };

    // runpod-python's `runpod config`: a [default] table.
    auth_test::write_file(file, std::string("# written by runpod config\n[default]\napi_key = \"") + api_key + "\"\n");
    auto python = key_of({});
    REQUIRE(python);
    CHECK(python->reveal() == api_key);

    // runpodctl (viper): top-level keys, written in lower case; an apiurl is no REST base.
    auth_test::write_file(file, "apikey = 'rpa_FROMRUNPODCTL'\napiurl = \"https://api.runpod.io/graphql\"\n");
    auto ctl = key_of({});
    REQUIRE(ctl);
    CHECK(ctl->reveal() == "rpa_FROMRUNPODCTL");
    auth_test::write_file(file, "\xEF\xBB\xBF" "apiKey = \"rpa_AFTERBOM\"\r\n"); // saved by a Windows editor
    CHECK(revealed({}) == "rpa_AFTERBOM");

    // Both: runpod-python's table wins; another profile's key is not taken; the environment
    // wins over the file.
    auth_test::write_file(file, "apikey = \"rpa_CTL\"\n[other]\napi_key = \"rpa_OTHER\"\n[ default ]\n"
                                "api_key = \"rpa_PY\"  # the key\nmax = 3\n");
    CHECK(revealed({}) == "rpa_PY");
    CHECK(revealed({{"RUNPOD_API_KEY", "rpa_ENV"}}) == "rpa_ENV");

    // Only another profile: no key, and the error says where it looked.
    auth_test::write_file(file, "[other]\napi_key = \"rpa_OTHER\"\n");
    auto none = key_of({});
    REQUIRE_FALSE(none);
    CHECK(none.error().is(errc::unauthorized));
    CHECK_THAT(none.error().message, Catch::Contains(file.string()));
}

TEST_CASE("runpod config: a configuration file that cannot be read is an error naming the line, not the key",
          "[auth][runpod]")
{
    auth_test::temp_dir home;
    auto const file = home / ".runpod/config.toml";
    auto key_of = [&](std::string const& text) {
        auth_test::write_file(file, text);
        auto c = load({{"HOME", home.path().string()}});
        REQUIRE(c); // the configuration loads: the key's accessor reports the problem
        return c->api_key();
    };
    for (auto const& text : {std::string("[default]\napi_key = \"") + api_key + "\n",          // not closed
                             std::string("[default]\napi_key = \"") + api_key + "\" trailing\n", // text after it
                             std::string("[default]\napi_key = \"\\u0041") + api_key + "\"\n",  // an escape
                             std::string("[default\napi_key = \"") + api_key + "\"\n"})         // a header
    {
        auto k = key_of(text);
        REQUIRE_FALSE(k);
        CHECK(k.error().is(errc::invalid_argument));
        CHECK_THAT(k.error().message, Catch::Contains(file.string() + " line "));
        check_no_secret(k.error().message);
    }
    // Printing a configuration whose key came from the file redacts it.
    auth_test::write_file(file, std::string("[default]\napi_key = \"") + api_key + "\"\n");
    auto c = load({{"HOME", home.path().string()}});
    REQUIRE(c);
    check_no_secret(to_string(*c));
    // An explicit path wins over HOME.
    runpod_config_options o;
    o.config_file = home / "elsewhere.toml";
    auth_test::write_file(*o.config_file, "apikey = \"rpa_ELSEWHERE\"\n");
    auto elsewhere = load({{"HOME", home.path().string()}}, o);
    REQUIRE(elsewhere);
    auto k = elsewhere->api_key();
    REQUIRE(k);
    CHECK(k->reveal() == "rpa_ELSEWHERE");
    // An explicit path that does not exist is an error, not a silent "no key".
    o.config_file = home / "missing.toml";
    auto missing = load({{"HOME", home.path().string()}}, o);
    REQUIRE(missing);
    CHECK(missing->api_key().error().is(errc::invalid_argument));
}
