//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The bot's configuration file (examples/telegram_bot, `parse_config`): whatever the file
// holds, the result is a configuration or one invalid_argument naming where the problem is,
// in one bounded line that redaction leaves as it is; a configuration that is accepted
// answers the questions the bot asks of it.

#include "fuzz.hpp"

#include "bot/config.hpp"

#include <mlcloud/net/redact.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto const config = mlcloud_bot::parse_config(text, "fuzz.json");
    if (!config)
    {
        auto const& e = config.error();
        mlcloud_fuzz::check(e.is(mlcloud::errc::invalid_argument), "a bad configuration is invalid_argument");
        mlcloud_fuzz::check(e.message.rfind("fuzz.json: ", 0) == 0, "the message starts with the file's name");
        mlcloud_fuzz::check(e.message.find('\n') == std::string::npos, "the message is one line");
        mlcloud_fuzz::check(e.message.size() <= 1024, "the message is bounded");
        mlcloud_fuzz::check(mlcloud::net::redact_text(e.message) == e.message, "the message needs no redaction");
        return 0;
    }
    auto const& c = *config;
    mlcloud_fuzz::check(!c.cloud.provider.empty(), "an accepted configuration names its provider");
    (void)c.effective_lock_file();
    (void)c.effective_work_dir();
    for (auto id : c.allowed_user_ids)
        mlcloud_fuzz::check(c.allowed(id), "a listed user is allowed");
    return 0;
}
