//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The AWS shared `config` and `credentials` files: the INI reader on its own, then the same
// text as both files of an aws_config, asked for what the AWS backend asks (credentials,
// region, endpoints of the four services). No message, and no printed credentials, may
// contain the value of a secret key of the file.
//
// Input: one byte choosing the profile (default, "dev" by AWS_PROFILE, "dev" in code), then
// the file.

#include "fuzz.hpp"

#include <mlcloud/auth/aws_credentials.hpp>
#include <mlcloud/auth/detail/ini.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <vector>

#include <unistd.h>

namespace {

// Whether a value could be an AWS secret: 16 or more characters of the base64 alphabet AWS
// keys and tokens use. Anything else could be a piece of a message's own wording (the fuzzer
// soon writes "aws_secret_access_key=dev' not found) (invalid ar"), not a leak.
bool looks_like_a_key(std::string_view value)
{
    if (value.size() < 16)
        return false;
    for (unsigned char c : value)
        if (!std::isalnum(c) && c != '/' && c != '+' && c != '=')
            return false;
    return true;
}

// Values of secret keys that appear once in the file: finding one in a message is a leak, not
// a coincidence (a value that is also a profile name or a region may be quoted legitimately).
std::vector<std::string> secrets_of(mlcloud::auth::detail::ini_document const& doc, std::string_view text)
{
    std::vector<std::string> out;
    auto consider = [&](std::string_view key, std::string const& value) {
        bool const secret_key = key.find("secret") != std::string_view::npos || key.find("token") != std::string_view::npos;
        auto const first = text.find(value);
        bool const once = first != std::string_view::npos && text.find(value, first + 1) == std::string_view::npos;
        if (secret_key && looks_like_a_key(value) && once)
            out.push_back(value);
    };
    for (auto const& [name, section] : doc.sections)
        for (auto const& [key, property] : section.properties)
        {
            consider(key, property.value);
            for (auto const& [sub_key, sub_value] : property.sub)
                consider(sub_key, sub_value);
        }
    return out;
}

void check_no_secret(std::string_view text, std::vector<std::string> const& secrets)
{
    for (auto const& s : secrets)
        mlcloud_fuzz::check(text.find(s) == std::string_view::npos, "a secret of the AWS config file leaked into a message");
}

std::filesystem::path scratch_file()
{
    return std::filesystem::temp_directory_path() / ("mlcloud-fuzz-aws-config-" + std::to_string(::getpid()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace mlcloud::auth;
    mlcloud_fuzz::input in(data, size);
    auto const profile_choice = in.byte() % 3;
    auto const text = in.rest();

    detail::ini_parse_error perr;
    auto doc = detail::parse_ini(text, perr);
    std::vector<std::string> secrets;
    if (doc)
    {
        secrets = secrets_of(*doc, text);
        for (auto const& [name, section] : doc->sections)
        {
            mlcloud_fuzz::check(doc->find(name) == &section, "a section is found by its name");
            (void)section.get("region");
        }
    }
    else
    {
        mlcloud_fuzz::check(perr.line >= 1, "a parse error names its line");
        return 0;
    }

    static auto const path = scratch_file();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
    }
    environment::map_type vars{{"HOME", "/nonexistent"}};
    if (profile_choice == 1)
        vars.emplace("AWS_PROFILE", "dev");
    aws_config_options options{.env = environment::from_map(vars), .credentials_file = path, .config_file = path};
    if (profile_choice == 2)
        options.profile = "dev";
    auto const config = aws_config::load(options);

    if (auto c = config.credentials())
        check_no_secret(to_string(*c), secrets);
    else
        check_no_secret(c.error().what(), secrets);
    if (auto r = config.region(); !r)
        check_no_secret(r.error().what(), secrets);
    for (auto service : {"S3", "EC2", "Lambda", "CloudWatch Logs"})
        if (auto e = config.endpoint_url(service); !e)
            check_no_secret(e.error().what(), secrets);
    return 0;
}
