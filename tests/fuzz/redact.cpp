//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Redaction (net/redact.hpp), which every error message, log line and report goes through:
// it is idempotent, and a secret in one of the documented shapes, planted between spaces in
// arbitrary text, never survives it — whatever surrounds it (half URLs, unbalanced quotes,
// truncated JSON, other secrets).
//
// Input: one byte choosing the shape of the planted secret, one for where it goes, then the
// text.

#include "fuzz.hpp"

#include <mlcloud/messages/templates.hpp>
#include <mlcloud/net/redact.hpp>

#include <array>

namespace {

// As long as a Telegram token, in characters every shape below accepts.
constexpr std::string_view secret = "FUZZSECRET-9f8e7d6c5b4a_3210fedcba98";

struct shape
{
    std::string_view text; ///< "@" where the secret goes
    bool messages_too;     ///< a shape messages::redact_secrets documents as well
};

constexpr std::array<shape, 12> shapes{{
    {"Bearer @", true},
    {"Authorization: Bearer @", true},
    {"https://api.telegram.org/bot123456:@/getUpdates", true},
    {"bot987654321:@", true},
    {"https://b.s3.amazonaws.com/k?X-Amz-Signature=@&X-Amz-Date=20260101T000000Z", true},
    {"X-Amz-Security-Token=@", true},
    {"{\"password\":\"@\"}", false},
    {"\"SecretAccessKey\": \"@\"", false},
    {"http://user:@@proxy.example:3128", false},
    {"https://x.example/?api_key=@", true},
    {"access_token=@", true},
    {"\"apiKey\":\"@\"", false},
}};

std::string plant(std::string_view shape)
{
    std::string out(shape);
    out.replace(out.find('@'), 1, secret);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using mlcloud::net::redact_text;
    mlcloud_fuzz::input in(data, size);
    auto const chosen = shapes[in.byte() % shapes.size()];
    auto const where = in.byte();
    auto const text = in.rest();

    auto const once = redact_text(text);
    mlcloud_fuzz::check(redact_text(once) == once, "redact_text is idempotent");
    (void)mlcloud::net::redact_url(text);
    (void)mlcloud::messages::redact_secrets(text);

    // The planted secret is between spaces (it has none), so an occurrence after redaction is
    // the planted one unless the text already spells the secret itself (the fuzzer learns it).
    if (text.find(secret) != std::string_view::npos)
        return 0;
    auto const at = text.empty() ? 0 : where % (text.size() + 1);
    std::string planted(text.substr(0, at));
    planted += ' ';
    planted += plant(chosen.text);
    planted += ' ';
    planted += text.substr(at);
    mlcloud_fuzz::check(redact_text(planted).find(secret) == std::string::npos, "a planted secret survived redact_text");
    if (chosen.messages_too)
        mlcloud_fuzz::check(mlcloud::messages::redact_secrets(planted).find(secret) == std::string::npos,
                            "a planted secret survived messages::redact_secrets");
    return 0;
}
