//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include <mlcloud/auth/detail/ini.hpp>

#include <catch2/catch.hpp>

using namespace mlcloud::auth::detail;

namespace {

ini_document parse_ok(std::string_view text)
{
    ini_parse_error err;
    auto doc = parse_ini(text, err);
    INFO("line " << err.line << ": " << err.reason);
    REQUIRE(doc);
    return *doc;
}

ini_parse_error parse_fail(std::string_view text)
{
    ini_parse_error err;
    auto doc = parse_ini(text, err);
    REQUIRE_FALSE(doc);
    return err;
}

std::string value(ini_document const& d, std::string_view section, std::string_view key)
{
    auto const* s = d.find(section);
    REQUIRE(s);
    auto v = s->get(key);
    REQUIRE(v);
    return std::string(*v);
}

} // namespace

TEST_CASE("ini: sections, properties, comments and whitespace", "[auth][ini]")
{
    auto const d = parse_ok("# a comment\n"
                            "; another\n"
                            "\n"
                            "[default]\n"
                            "aws_access_key_id = AKID\n"
                            "Region=us-west-2   \n"
                            "output: json\n"
                            "empty =\n"
                            "with_hash = abc # not a comment\n"
                            "   # indented comment\n"
                            "[profile dev]   ; trailing text after the header is ignored\n"
                            "region = eu-west-1\n");
    CHECK(value(d, "default", "aws_access_key_id") == "AKID");
    CHECK(value(d, "default", "region") == "us-west-2"); // keys are lower-cased, values trimmed
    CHECK(value(d, "default", "output") == "json");
    CHECK(value(d, "default", "empty").empty());
    CHECK(value(d, "default", "with_hash") == "abc # not a comment");
    CHECK(value(d, "profile dev", "region") == "eu-west-1");
    CHECK(d.find("profile dev ; trailing") == nullptr);
}

TEST_CASE("ini: CRLF line endings and a byte order mark", "[auth][ini]")
{
    auto const d = parse_ok("\xEF\xBB\xBF[default]\r\nkey = value\r\n");
    CHECK(value(d, "default", "key") == "value");
}

TEST_CASE("ini: indented sub-properties after an empty value", "[auth][ini]")
{
    auto const d = parse_ok("[services dev]\n"
                            "s3 =\n"
                            "  endpoint_url = http://127.0.0.1:5055\n"
                            "\n"
                            "  Addressing_Style = path\n"
                            "ec2 =\n"
                            "\tendpoint_url = http://localhost:4566\n"
                            "[default]\n"
                            "key = v\n"
                            "  continued\n");
    auto const* s = d.find("services dev");
    REQUIRE(s);
    auto const& s3 = s->properties.at("s3");
    CHECK(s3.value.empty());
    CHECK(s3.sub.at("endpoint_url") == "http://127.0.0.1:5055");
    CHECK(s3.sub.at("addressing_style") == "path");
    CHECK(s->properties.at("ec2").sub.at("endpoint_url") == "http://localhost:4566");
    // A continuation of a non-empty value is appended, as configparser does.
    CHECK(value(d, "default", "key") == "v\ncontinued");
}

TEST_CASE("ini: repeated sections merge and later keys win", "[auth][ini]")
{
    auto const d = parse_ok("[a]\nx = 1\ny = 1\n[b]\nz = 1\n[a]\nx = 2\n");
    CHECK(value(d, "a", "x") == "2");
    CHECK(value(d, "a", "y") == "1");
}

TEST_CASE("ini: malformed input names the line, never its text", "[auth][ini]")
{
    auto e = parse_fail("key = before any section\n");
    CHECK(e.line == 1);
    CHECK(e.reason.find("before the first") != std::string::npos);

    e = parse_fail("[default]\naws_secret_access_key SECRETVALUE\n");
    CHECK(e.line == 2);
    CHECK(e.reason.find("SECRETVALUE") == std::string::npos);

    e = parse_fail("[default]\n[unterminated\n");
    CHECK(e.line == 2);

    e = parse_fail("[ ]\n");
    CHECK(e.line == 1);

    e = parse_fail("[default]\ns3 =\n  no delimiter here\n");
    CHECK(e.line == 3);

    e = parse_fail("[default]\n= value without a key\n");
    CHECK(e.line == 2);
}
