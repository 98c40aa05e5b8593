//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include <mlcloud/auth/aws_credentials.hpp>
#include <mlcloud/auth/secret.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using mlcloud::auth::aws_credentials;
using mlcloud::auth::mask_identifier;
using mlcloud::auth::secret_string;

TEST_CASE("secret_string never prints its value", "[auth][secret]")
{
    secret_string const s("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    std::ostringstream os;
    os << s;
    CHECK(os.str() == "<redacted>");
    CHECK(to_string(s) == "<redacted>");
    CHECK(Catch::StringMaker<secret_string>::convert(s).find("EXAMPLEKEY") == std::string::npos);
    CHECK(to_string(secret_string()) == "<none>");
    CHECK(s.reveal() == "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
}

TEST_CASE("secret_string compares, copies and moves", "[auth][secret]")
{
    secret_string a("abc");
    secret_string b("abc");
    secret_string c("abd");
    CHECK(a == b);
    CHECK_FALSE(a == c);
    CHECK_FALSE(a == secret_string("abcd"));

    secret_string copy = a;
    CHECK(copy == a);

    secret_string moved = std::move(copy);
    CHECK(moved.reveal() == "abc");
    CHECK(copy.empty()); // NOLINT(bugprone-use-after-move): the source is wiped, not left holding the secret

    secret_string assigned;
    assigned = std::move(moved);
    CHECK(assigned.reveal() == "abc");
    CHECK(moved.empty()); // NOLINT(bugprone-use-after-move)

    assigned.clear();
    CHECK(assigned.empty());
}

TEST_CASE("mask_identifier shows only the last four characters", "[auth][secret]")
{
    CHECK(mask_identifier("AKIDEXAMPLE") == "*******MPLE");
    CHECK(mask_identifier("abcd") == "****");
    CHECK(mask_identifier("") == "");
}

TEST_CASE("aws_credentials print without secret or token", "[auth][secret]")
{
    aws_credentials c;
    c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    c.secret_access_key = secret_string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    c.session_token = secret_string("FwoGZXIvYXdzEBYaDTOKEN");
    c.source = "environment";
    std::ostringstream os;
    os << c;
    std::string const text = os.str();
    CHECK(text == "aws_credentials{access_key_id=****************MPLE, secret_access_key=<redacted>, "
                  "session_token=<redacted>, source=environment}");
    CHECK(to_string(c) == text);
    CHECK(text.find("EXAMPLEKEY") == std::string::npos);
    CHECK(text.find("TOKEN") == std::string::npos);
    CHECK(Catch::StringMaker<aws_credentials>::convert(c) == text);
}
