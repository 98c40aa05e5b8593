//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The AWS credential chain, region and endpoint resolution, with injected environments and
// temporary files (HOME always points into a temporary directory).
#include <mlcloud/auth/aws_credentials.hpp>

#include <catch2/catch.hpp>

#include "auth_test_util.hpp"

#include <vector>

using namespace mlcloud::auth;
using mlcloud::errc;
using auth_test::temp_dir;
using auth_test::write_file;

namespace {

constexpr char const* env_secret = "ENVSECRETwJalrXUtnFEMI/K7MDENGbPxRfiCY";
constexpr char const* env_token = "ENVTOKENFwoGZXIvYXdzEBYaDOTOKEN";
constexpr char const* file_secret = "FILESECRETbPxRfiCYEXAMPLEKEYwJalrXUtnFE";
constexpr char const* config_secret = "CONFIGSECRET7MDENGbPxRfiCYEXAMPLEKEY";

// Every message a test produced, to check that none carries a secret.
std::vector<std::string>& messages()
{
    static std::vector<std::string> all;
    return all;
}

void check_no_secret(std::string const& message)
{
    messages().push_back(message);
    for (auto const* s : {env_secret, env_token, file_secret, config_secret})
        CHECK(message.find(s) == std::string::npos);
}

struct home
{
    temp_dir dir;
    environment::map_type vars{{"HOME", dir.path().string()}};

    void credentials(std::string_view text) const { write_file(dir / ".aws/credentials", text); }
    void config(std::string_view text) const { write_file(dir / ".aws/config", text); }
    std::string credentials_path() const { return (dir.path() / ".aws" / "credentials").string(); }
    std::string config_path() const { return (dir.path() / ".aws" / "config").string(); }

    aws_config load(aws_config_options o = {}) const
    {
        o.env = environment::from_map(vars);
        return aws_config::load(std::move(o));
    }
};

mlcloud::result<aws_credentials> resolve(home const& h, aws_config_options o = {})
{
    auto r = h.load(std::move(o)).credentials();
    if (!r)
        check_no_secret(r.error().what());
    return r;
}

std::string const file_default = std::string("[default]\n"
                                             "aws_access_key_id = AKIDFILEDEFAULT\n"
                                             "aws_secret_access_key = ") + file_secret + "\n"
                                 "[dev]\n"
                                 "aws_access_key_id = AKIDFILEDEV\n"
                                 "aws_secret_access_key = " + file_secret + "\n"
                                 "aws_session_token = FILETOKEN\n";

} // namespace

TEST_CASE("aws credentials: the environment", "[auth][aws_credentials]")
{
    home h;
    h.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    h.vars["AWS_SECRET_ACCESS_KEY"] = env_secret;
    h.vars["AWS_SESSION_TOKEN"] = env_token;
    auto c = resolve(h);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDENV");
    CHECK(c->secret_access_key.reveal() == env_secret);
    CHECK(c->session_token.reveal() == env_token);
    CHECK(c->source == "environment");

    SECTION("AWS_SECURITY_TOKEN is the older name of the session token")
    {
        h.vars.erase("AWS_SESSION_TOKEN");
        h.vars["AWS_SECURITY_TOKEN"] = "OLDTOKEN";
        auto c2 = resolve(h);
        REQUIRE(c2);
        CHECK(c2->session_token.reveal() == "OLDTOKEN");
    }
    SECTION("an empty variable counts as unset")
    {
        h.vars["AWS_ACCESS_KEY_ID"] = "";
        h.vars["AWS_SECRET_ACCESS_KEY"] = "";
        auto c2 = resolve(h);
        REQUIRE_FALSE(c2);
        CHECK(c2.error().is(errc::unauthorized));
    }
}

TEST_CASE("aws credentials: environment wins over the shared files", "[auth][aws_credentials]")
{
    home h;
    h.credentials(file_default);
    h.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    h.vars["AWS_SECRET_ACCESS_KEY"] = env_secret;
    h.vars["AWS_PROFILE"] = "dev"; // AWS_PROFILE does not outrank the environment keys (SDK rule)
    auto c = resolve(h);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDENV");

    SECTION("a profile chosen in code does")
    {
        auto c2 = resolve(h, {.profile = "dev"});
        REQUIRE(c2);
        CHECK(c2->access_key_id == "AKIDFILEDEV");
    }
}

TEST_CASE("aws credentials: partial environment credentials are an error", "[auth][aws_credentials]")
{
    home h;
    h.credentials(file_default); // present, but the chain must stop at the malformed source
    h.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    auto c = resolve(h);
    REQUIRE_FALSE(c);
    CHECK(c.error().is(errc::invalid_argument));
    CHECK_THAT(c.error().message, Catch::Contains("AWS_SECRET_ACCESS_KEY is not"));

    h.vars.erase("AWS_ACCESS_KEY_ID");
    h.vars["AWS_SECRET_ACCESS_KEY"] = env_secret;
    c = resolve(h);
    REQUIRE_FALSE(c);
    CHECK(c.error().is(errc::invalid_argument));
    CHECK_THAT(c.error().message, Catch::Contains("AWS_ACCESS_KEY_ID is not"));

    h.vars["AWS_ACCESS_KEY_ID"] = "AKID WITH SPACE";
    c = resolve(h);
    REQUIRE_FALSE(c);
    CHECK_THAT(c.error().message, Catch::Contains("whitespace"));

    h.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    h.vars["AWS_SECRET_ACCESS_KEY"] = std::string(env_secret) + "\n"; // pasted with a newline
    c = resolve(h);
    REQUIRE_FALSE(c);
    CHECK_THAT(c.error().message, Catch::Contains("AWS_SECRET_ACCESS_KEY contains whitespace"));
}

TEST_CASE("aws credentials: shared credentials file profiles", "[auth][aws_credentials]")
{
    home h;
    h.credentials(file_default);

    auto c = resolve(h);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDFILEDEFAULT");
    CHECK_FALSE(c->has_session_token());
    CHECK(c->source == "shared credentials file " + h.credentials_path() + " (profile 'default')");

    h.vars["AWS_PROFILE"] = "dev";
    c = resolve(h);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDFILEDEV");
    CHECK(c->session_token.reveal() == "FILETOKEN");

    SECTION("[profile dev] in the credentials file is not profile dev")
    {
        h.credentials("[profile dev]\naws_access_key_id = X\naws_secret_access_key = Y\n");
        auto c2 = resolve(h);
        REQUIRE_FALSE(c2);
        CHECK(c2.error().is(errc::invalid_argument));
        CHECK_THAT(c2.error().message, Catch::StartsWith("AWS profile 'dev' (from AWS_PROFILE) does not exist"));
    }
}

TEST_CASE("aws credentials: config file profiles, after the credentials file", "[auth][aws_credentials]")
{
    home h;
    h.config(std::string("[default]\n"
                         "aws_access_key_id = AKIDCONFIGDEFAULT\n"
                         "aws_secret_access_key = ") + config_secret + "\n"
             "[profile dev]\n"
             "aws_access_key_id = AKIDCONFIGDEV\n"
             "aws_secret_access_key = " + config_secret + "\n");

    auto c = resolve(h);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDCONFIGDEFAULT");
    CHECK(c->source == "config file " + h.config_path() + " (profile 'default')");

    h.vars["AWS_PROFILE"] = "dev";
    c = resolve(h);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDCONFIGDEV");

    // The shared credentials file comes first in the chain.
    h.credentials(file_default);
    c = resolve(h);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDFILEDEV");
}

TEST_CASE("aws credentials: file locations from the environment", "[auth][aws_credentials]")
{
    home h;
    temp_dir other;
    write_file(other / "creds.ini", file_default);
    write_file(other / "conf.ini", "[profile dev]\nregion = eu-north-1\n");
    h.vars["AWS_SHARED_CREDENTIALS_FILE"] = (other / "creds.ini").string();
    h.vars["AWS_CONFIG_FILE"] = (other / "conf.ini").string();
    h.vars["AWS_PROFILE"] = "dev";

    auto cfg = h.load();
    CHECK(cfg.credentials_file() == other / "creds.ini");
    CHECK(cfg.config_file() == other / "conf.ini");
    auto c = cfg.credentials();
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDFILEDEV");
    auto r = cfg.region();
    REQUIRE(r);
    CHECK(*r == "eu-north-1");

    SECTION("a leading ~/ is the injected home directory")
    {
        write_file(h.dir / "elsewhere/creds", file_default);
        h.vars["AWS_SHARED_CREDENTIALS_FILE"] = "~/elsewhere/creds";
        auto cfg2 = h.load();
        CHECK(cfg2.credentials_file() == h.dir.path() / "elsewhere/creds");
        REQUIRE(cfg2.credentials());
    }
    SECTION("explicit paths in the options win over the variables")
    {
        write_file(h.dir / "mine", "[dev]\naws_access_key_id = MINE\naws_secret_access_key = S\n");
        auto c2 = resolve(h, {.credentials_file = h.dir / "mine"});
        REQUIRE(c2);
        CHECK(c2->access_key_id == "MINE");
    }
}

TEST_CASE("aws credentials: nothing found lists every source tried", "[auth][aws_credentials]")
{
    home h;
    h.vars["AWS_PROFILE"] = "dev";
    h.config("[default]\nregion = us-east-1\n[profile dev]\nregion = us-east-1\n");
    auto c = resolve(h);
    REQUIRE_FALSE(c);
    CHECK(c.error().is(errc::unauthorized));
    CHECK(c.error().message == "no AWS credentials: tried environment (AWS_ACCESS_KEY_ID not set), "
                               "shared credentials file " + h.credentials_path() + " (not found), "
                               "config file " + h.config_path() + " (profile 'dev' has no aws_access_key_id)");

    SECTION("a profile without keys")
    {
        h.credentials("[dev]\nregion = x\n");
        h.config("[profile dev]\nsso_session = corp\n");
        auto c2 = resolve(h);
        REQUIRE_FALSE(c2);
        CHECK(c2.error().is(errc::unauthorized));
        CHECK_THAT(c2.error().message, Catch::Contains("shared credentials file " + h.credentials_path() +
                                                       " (profile 'dev' has no aws_access_key_id)"));
        CHECK_THAT(c2.error().message, Catch::Contains("it uses sso_session"));
    }
    SECTION("no home directory and no overrides")
    {
        auto cfg = aws_config::load({.env = environment::from_map({})});
        CHECK(cfg.credentials_file().empty());
        auto c2 = cfg.credentials();
        REQUIRE_FALSE(c2);
        check_no_secret(c2.error().message);
        CHECK_THAT(c2.error().message, Catch::Contains("shared credentials file (no path: HOME not set)"));
    }
    SECTION("the profile was chosen in code")
    {
        h.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        h.vars["AWS_SECRET_ACCESS_KEY"] = env_secret;
        auto c2 = resolve(h, {.profile = "dev"});
        REQUIRE_FALSE(c2);
        CHECK_THAT(c2.error().message,
                   Catch::StartsWith("no AWS credentials: tried environment (skipped: profile 'dev' was chosen in code)"));
    }
}

TEST_CASE("aws credentials: assume-role, web identity and SSO are refused, never bypassed", "[auth][aws_credentials]")
{
    // botocore tries these after the environment keys and before the shared files' keys: using
    // the keys instead would sign as a different identity than the AWS CLI on the same machine.
    home h;
    h.credentials(file_default);

    SECTION("a role profile next to the base profile's keys")
    {
        h.config("[profile dev]\n"
                 "role_arn = arn:aws:iam::222222222222:role/Admin\n"
                 "source_profile = dev\n");
        h.vars["AWS_PROFILE"] = "dev";
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK(c.error().is(errc::not_supported));
        CHECK_THAT(c.error().message, Catch::StartsWith("AWS credentials are set up for assume-role (role_arn in profile 'dev' "
                                                        "of config file " + h.config_path() + "): "));
        CHECK_THAT(c.error().message, Catch::Contains("mlcloud does not perform"));
        CHECK_THAT(c.error().message, Catch::Contains("aws configure export-credentials --profile dev --format env"));
        CHECK(c.error().message.find("222222222222") == std::string::npos); // settings are named, not quoted

        // Chosen in code, the profile is refused all the same.
        auto c2 = resolve(h, {.profile = "dev"});
        REQUIRE_FALSE(c2);
        CHECK(c2.error().is(errc::not_supported));

        // The environment keys still win over everything (botocore's EnvProvider comes first).
        h.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        h.vars["AWS_SECRET_ACCESS_KEY"] = env_secret;
        auto c3 = resolve(h);
        REQUIRE(c3);
        CHECK(c3->access_key_id == "AKIDENV");
    }
    SECTION("role_arn in the credentials file counts too")
    {
        h.credentials(file_default + "role_arn = arn:aws:iam::222222222222:role/Admin\n"
                                     "credential_source = Environment\n");
        h.vars["AWS_PROFILE"] = "dev";
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK(c.error().is(errc::not_supported));
        CHECK_THAT(c.error().message, Catch::Contains("role_arn in profile 'dev' of shared credentials file " +
                                                      h.credentials_path() + ")"));
    }
    SECTION("web identity from the environment next to [default] keys")
    {
        h.vars["AWS_ROLE_ARN"] = "arn:aws:iam::222222222222:role/Web";
        h.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = (h.dir / "token").string();
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK(c.error().is(errc::not_supported));
        CHECK_THAT(c.error().message,
                   Catch::Contains("web identity (AWS_WEB_IDENTITY_TOKEN_FILE in the environment, AWS_ROLE_ARN in the "
                                   "environment)"));
        CHECK_THAT(c.error().message, Catch::Contains("aws configure export-credentials --format env"));

        // botocore ignores these variables for a profile chosen in code, as the keys.
        auto c2 = resolve(h, {.profile = "dev"});
        REQUIRE(c2);
        CHECK(c2->access_key_id == "AKIDFILEDEV");

        // Without a token file, AWS_ROLE_ARN alone does nothing.
        h.vars.erase("AWS_WEB_IDENTITY_TOKEN_FILE");
        auto c3 = resolve(h);
        REQUIRE(c3);
        CHECK(c3->access_key_id == "AKIDFILEDEFAULT");
    }
    SECTION("web identity in the profile")
    {
        h.config("[default]\nrole_arn = arn:aws:iam::222222222222:role/Web\nweb_identity_token_file = /t\n");
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK_THAT(c.error().message, Catch::Contains("web identity (web_identity_token_file in profile 'default' of "
                                                      "config file " + h.config_path() + ", role_arn in profile"));
    }
    SECTION("an SSO profile next to [default] keys")
    {
        h.config("[default]\n"
                 "sso_session = corp\n"
                 "sso_account_id = 222222222222\n"
                 "sso_role_name = Admin\n"
                 "[sso-session corp]\n"
                 "sso_start_url = https://corp.awsapps.com/start\n"
                 "sso_region = us-east-1\n");
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK(c.error().is(errc::not_supported));
        CHECK_THAT(c.error().message, Catch::Contains("SSO (sso_account_id in profile 'default' of config file " +
                                                      h.config_path() + ")"));

        // sso_session alone (a token-only profile) gives botocore no credentials: the keys count.
        h.config("[default]\nsso_session = corp\n");
        auto c2 = resolve(h);
        REQUIRE(c2);
        CHECK(c2->access_key_id == "AKIDFILEDEFAULT");
    }
    SECTION("credential_process comes after the credentials file, before the config file")
    {
        h.config("[default]\ncredential_process = /usr/bin/false\n");
        auto c = resolve(h);
        REQUIRE(c);
        CHECK(c->access_key_id == "AKIDFILEDEFAULT");

        h.credentials("");
        h.config(std::string("[default]\ncredential_process = /usr/bin/false\n"
                             "aws_access_key_id = AKIDCONFIG\naws_secret_access_key = ") + config_secret + "\n");
        auto c2 = resolve(h);
        REQUIRE_FALSE(c2);
        CHECK(c2.error().is(errc::not_supported));
        CHECK_THAT(c2.error().message, Catch::Contains("credential_process (credential_process in profile 'default' of config file " +
                                                       h.config_path() + ")"));
        CHECK_THAT(c2.error().message, Catch::Contains("ahead of the keys in the config file"));
    }
    SECTION("a broken config file hides whether the profile is a role profile")
    {
        h.config("not ini\n");
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK(c.error().is(errc::invalid_argument));
        CHECK_THAT(c.error().message, Catch::StartsWith("config file " + h.config_path() + " is malformed"));
    }
}

TEST_CASE("aws config: a named profile must exist in one of the files", "[auth][aws_credentials]")
{
    // botocore raises ProfileNotFound (Session.get_scoped_config) even when the environment
    // has keys and a region: a mistyped AWS_PROFILE must not go unnoticed.
    home h;
    h.credentials(file_default);
    h.config("[profile dev]\nregion = eu-west-1\n[staging]\nregion = eu-west-1\n");
    h.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    h.vars["AWS_SECRET_ACCESS_KEY"] = env_secret;
    h.vars["AWS_REGION"] = "us-east-1";
    h.vars["AWS_PROFILE"] = "deve";
    std::string const expected = "AWS profile 'deve' (from AWS_PROFILE) does not exist: looked in shared "
                                 "credentials file " + h.credentials_path() + " (no [deve]) and config file " +
                                 h.config_path() + " (no [profile deve])";
    auto cfg = h.load();
    auto c = cfg.credentials();
    REQUIRE_FALSE(c);
    check_no_secret(c.error().what());
    CHECK(c.error().is(errc::invalid_argument));
    CHECK(c.error().message == expected);
    auto r = cfg.region();
    REQUIRE_FALSE(r);
    CHECK(r.error().message == expected);
    auto e = cfg.endpoint_url("S3");
    REQUIRE_FALSE(e);
    CHECK(e.error().message == expected);

    auto c2 = resolve(h, {.profile = "deve"});
    REQUIRE_FALSE(c2);
    CHECK_THAT(c2.error().message, Catch::StartsWith("AWS profile 'deve' (chosen in code) does not exist"));

    SECTION("a section of either file is enough")
    {
        h.vars["AWS_PROFILE"] = "dev"; // [dev] in the credentials file, [profile dev] in the config file
        REQUIRE(resolve(h));
        h.credentials("");
        REQUIRE(resolve(h));
        CHECK(*h.load().region() == "us-east-1");
        h.vars["AWS_PROFILE"] = "staging"; // [staging] in the config file is not a profile
        auto c3 = resolve(h);
        REQUIRE_FALSE(c3);
        CHECK(c3.error().is(errc::invalid_argument));
    }
    SECTION("neither file exists")
    {
        std::filesystem::remove_all(h.dir / ".aws");
        auto c3 = resolve(h);
        REQUIRE_FALSE(c3);
        CHECK(c3.error().message == "AWS profile 'deve' (from AWS_PROFILE) does not exist: looked in shared "
                                    "credentials file " + h.credentials_path() + " (not found) and config file " +
                                    h.config_path() + " (not found)");
    }
    SECTION("the default profile need not exist")
    {
        std::filesystem::remove_all(h.dir / ".aws");
        for (auto const* name : {"default", ""})
        {
            h.vars["AWS_PROFILE"] = name;
            auto cfg2 = h.load();
            auto c3 = cfg2.credentials();
            REQUIRE(c3);
            CHECK(c3->access_key_id == "AKIDENV");
            REQUIRE(cfg2.region());
            REQUIRE(cfg2.endpoint_url("S3"));
        }
        auto c3 = resolve(h, {.profile = "default"});
        REQUIRE_FALSE(c3);
        CHECK(c3.error().is(errc::unauthorized)); // no keys: the environment is skipped for it
    }
}

TEST_CASE("aws credentials: malformed files", "[auth][aws_credentials]")
{
    home h;
    SECTION("a line that is not a property")
    {
        h.credentials(std::string("[default]\naws_access_key_id = AKID\n") + file_secret + "\n");
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK(c.error().is(errc::invalid_argument));
        CHECK(c.error().message == "shared credentials file " + h.credentials_path() +
                                       " is malformed at line 3: expected '[section]' or 'name = value'");
    }
    SECTION("a key without its secret")
    {
        h.credentials("[default]\naws_access_key_id = AKID\n");
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK(c.error().is(errc::invalid_argument));
        CHECK_THAT(c.error().message, Catch::Contains("aws_secret_access_key is not"));
        CHECK_THAT(c.error().message, Catch::Contains("profile 'default'"));
    }
    SECTION("a broken config file does not hide environment credentials")
    {
        h.config("this is not ini\n");
        h.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
        h.vars["AWS_SECRET_ACCESS_KEY"] = env_secret;
        h.vars["AWS_REGION"] = "us-east-2";
        auto cfg = h.load();
        REQUIRE(cfg.credentials());
        REQUIRE(cfg.region());
        auto s = cfg.profile_setting("region");
        REQUIRE_FALSE(s);
        CHECK(s.error().is(errc::invalid_argument));
        CHECK_THAT(s.error().message, Catch::Contains("config file " + h.config_path() + " is malformed at line 1"));
    }
    SECTION("a directory where the file should be is simply absent")
    {
        std::filesystem::create_directories(h.dir / ".aws/credentials");
        auto c = resolve(h);
        REQUIRE_FALSE(c);
        CHECK(c.error().is(errc::unauthorized));
    }
}

TEST_CASE("aws credentials: custom providers extend the chain", "[auth][aws_credentials]")
{
    home h;
    h.credentials(file_default);
    aws_credentials vault;
    vault.access_key_id = "AKIDVAULT";
    vault.secret_access_key = secret_string("vault-secret");

    std::vector<aws_credentials_provider> chain{
        [](aws_config const&) -> mlcloud::result<aws_credentials_lookup> {
            return aws_credentials_lookup{{}, "my vault (no entry)"};
        },
    };
    auto defaults = default_aws_credentials_chain();
    chain.insert(chain.end(), defaults.begin(), defaults.end());
    auto c = h.load().credentials(chain);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDFILEDEFAULT");

    chain.insert(chain.begin(), static_credentials_provider(vault));
    c = h.load().credentials(chain);
    REQUIRE(c);
    CHECK(c->access_key_id == "AKIDVAULT");
    CHECK(c->source == "static credentials");

    std::vector<aws_credentials_provider> empty_handed{
        [](aws_config const&) -> mlcloud::result<aws_credentials_lookup> {
            return aws_credentials_lookup{{}, "my vault (no entry)"};
        },
        environment_credentials_provider(),
    };
    auto none = h.load().credentials(empty_handed);
    REQUIRE_FALSE(none);
    CHECK(none.error().message ==
          "no AWS credentials: tried my vault (no entry), environment (AWS_ACCESS_KEY_ID not set)");
}

TEST_CASE("aws config: region precedence", "[auth][aws_credentials]")
{
    home h;
    h.config("[default]\nregion = eu-west-3\n[profile dev]\nregion = ap-south-1\n[profile bare]\noutput = json\n");
    auto r = h.load().region();
    REQUIRE(r);
    CHECK(*r == "eu-west-3");

    h.vars["AWS_PROFILE"] = "dev";
    CHECK(*h.load().region() == "ap-south-1");

    h.vars["AWS_DEFAULT_REGION"] = "us-west-1";
    CHECK(*h.load().region() == "us-west-1");

    h.vars["AWS_REGION"] = "EU-RO-1"; // RunPod datacenter ids are regions of their S3 API too
    CHECK(*h.load().region() == "EU-RO-1");

    h.vars["AWS_REGION"] = "us east 1";
    auto bad = h.load().region();
    REQUIRE_FALSE(bad);
    CHECK(bad.error().is(errc::invalid_argument));
    CHECK_THAT(bad.error().message, Catch::StartsWith("AWS_REGION is not a region name"));

    h.vars.erase("AWS_REGION");
    h.vars.erase("AWS_DEFAULT_REGION");
    h.vars["AWS_PROFILE"] = "bare";
    auto none = h.load().region();
    REQUIRE_FALSE(none);
    CHECK(none.error().message == "no AWS region: tried AWS_REGION (not set), AWS_DEFAULT_REGION (not set), "
                                  "config file " + h.config_path() + " (profile 'bare' has no region)");
}

TEST_CASE("aws config: a region in the credentials file counts and wins over the config file's", "[auth][aws_credentials]")
{
    // botocore (Session.full_config) merges the credentials file's section over the profile;
    // checked against botocore 1.x: `region` in ~/.aws/credentials is used.
    home h;
    h.credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = x\nregion = eu-north-1\n"
                  "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = y\n");
    h.config("[default]\nregion = us-west-2\n[profile dev]\nregion = ap-south-1\n");
    CHECK(*h.load().region() == "eu-north-1");
    h.vars["AWS_PROFILE"] = "dev";
    CHECK(*h.load().region() == "ap-south-1"); // no region in its credentials section
    h.vars["AWS_DEFAULT_REGION"] = "us-east-2";
    CHECK(*h.load().region() == "us-east-2"); // the environment still comes first

    h.vars.erase("AWS_DEFAULT_REGION");
    h.vars.erase("AWS_PROFILE");
    h.credentials("[default]\nregion = eu north\n");
    auto bad = h.load().region();
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message, Catch::StartsWith("region in profile 'default' of shared credentials file"));
}

TEST_CASE("aws config: AWS_DEFAULT_PROFILE chooses the profile before AWS_PROFILE", "[auth][aws_credentials]")
{
    // The order of botocore and of the AWS SDK for C++.
    home h;
    h.credentials("[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = y\n"
                  "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = z\n");
    h.vars["AWS_PROFILE"] = "ops";
    CHECK(resolve(h)->access_key_id == "AKIDOPS");
    h.vars["AWS_DEFAULT_PROFILE"] = "dev";
    CHECK(h.load().profile() == "dev");
    CHECK(resolve(h)->access_key_id == "AKIDDEV");
    h.vars["AWS_DEFAULT_PROFILE"] = "deve";
    auto missing = resolve(h);
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::StartsWith("AWS profile 'deve' (from AWS_DEFAULT_PROFILE) does not exist"));
}

TEST_CASE("aws config: endpoint URLs", "[auth][aws_credentials]")
{
    CHECK(endpoint_env_var("S3") == "AWS_ENDPOINT_URL_S3");
    CHECK(endpoint_env_var("CloudWatch Logs") == "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
    CHECK(endpoint_env_var("Lambda") == "AWS_ENDPOINT_URL_LAMBDA");
    CHECK(endpoint_config_key("CloudWatch Logs") == "cloudwatch_logs");
    CHECK(endpoint_config_key("EC2") == "ec2");

    home h;
    h.config("[default]\n"
             "endpoint_url = http://127.0.0.1:1111\n"
             "services = local\n"
             "[services local]\n"
             "s3 =\n"
             "  endpoint_url = http://127.0.0.1:2222\n"
             "cloudwatch_logs =\n"
             "  endpoint_url = http://127.0.0.1:3333/\n"
             "[profile broken]\n"
             "services = missing\n"
             "[profile plain]\n"
             "region = us-east-1\n");

    auto endpoint = [&](std::string_view service) {
        auto e = h.load().endpoint_url(service);
        REQUIRE(e);
        return e->value_or("<none>");
    };

    CHECK(endpoint("S3") == "http://127.0.0.1:2222");               // services section
    CHECK(endpoint("CloudWatch Logs") == "http://127.0.0.1:3333/");
    CHECK(endpoint("EC2") == "http://127.0.0.1:1111");              // profile endpoint_url

    h.vars["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4444";
    CHECK(endpoint("S3") == "http://127.0.0.1:4444");               // global env beats the file
    h.vars["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:5555";
    CHECK(endpoint("S3") == "http://127.0.0.1:5555");               // service env beats global env
    CHECK(endpoint("Lambda") == "http://127.0.0.1:4444");
    h.vars["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"] = "https://logs.example.test";
    CHECK(endpoint("CloudWatch Logs") == "https://logs.example.test");

    h.vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "TRUE";
    CHECK(endpoint("S3") == "<none>");
    h.vars.clear();
    h.vars["HOME"] = h.dir.path().string();

    h.vars["AWS_PROFILE"] = "plain";
    CHECK(endpoint("S3") == "<none>");

    h.vars["AWS_PROFILE"] = "broken";
    auto e = h.load().endpoint_url("S3");
    REQUIRE_FALSE(e);
    CHECK(e.error().is(errc::invalid_argument));
    CHECK_THAT(e.error().message, Catch::Contains("services section 'missing', which does not exist"));

    h.vars["AWS_ENDPOINT_URL_S3"] = "not a url";
    e = h.load().endpoint_url("S3");
    REQUIRE_FALSE(e);
    CHECK(e.error().message == "AWS_ENDPOINT_URL_S3 is not an absolute http:// or https:// URL");
    h.vars["AWS_ENDPOINT_URL_S3"] = "ftp://example.com";
    REQUIRE_FALSE(h.load().endpoint_url("S3"));
    h.vars["AWS_ENDPOINT_URL_S3"] = "http://user:password@example.com";
    e = h.load().endpoint_url("S3");
    REQUIRE_FALSE(e);
    CHECK(e.error().message.find("password") == std::string::npos);

    // As in botocore, the flag is settled first (the environment's value, else the profile's)
    // and then turns off every configured endpoint, the environment's included.
    home g;
    g.config("[default]\n"
             "ignore_configured_endpoint_urls = true\n"
             "endpoint_url = http://127.0.0.1:1111\n");
    auto g_endpoint = [&](std::string_view service) {
        auto r = g.load().endpoint_url(service);
        REQUIRE(r);
        return r->value_or("<none>");
    };
    // (A) the profile's flag also turns off AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<ID>.
    g.vars["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4444";
    CHECK(g_endpoint("EC2") == "<none>");
    g.vars["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:5555";
    CHECK(g_endpoint("S3") == "<none>");
    // (B) AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=false outranks the profile's true.
    g.vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "false";
    CHECK(g_endpoint("S3") == "http://127.0.0.1:5555");
    g.vars.erase("AWS_ENDPOINT_URL");
    g.vars.erase("AWS_ENDPOINT_URL_S3");
    CHECK(g_endpoint("S3") == "http://127.0.0.1:1111");
}

TEST_CASE("aws credentials: no message ever carries a secret", "[auth][aws_credentials]")
{
    // The checks run as the messages are produced; this case documents that some were.
    home h;
    h.vars["AWS_SECRET_ACCESS_KEY"] = env_secret;
    h.vars["AWS_SESSION_TOKEN"] = env_token;
    auto c = resolve(h);
    REQUIRE_FALSE(c);
    CHECK_FALSE(messages().empty());
}
