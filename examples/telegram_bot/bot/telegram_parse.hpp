//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_TELEGRAM_PARSE_HPP
#define MLCLOUD_BOT_TELEGRAM_PARSE_HPP

// What the bot reads from the Bot API, as pure functions of the text Telegram sent: the answer
// envelope ({"ok":...,"result":...}), getUpdates results, getFile results, the message id of a
// sent message, failure answers and the wait a 429 asks for. telegram_client does the I/O and
// calls these; the telegram_update fuzz target feeds them arbitrary bytes (tests/fuzz). No
// network, no database: this file needs only Boost.JSON and mlcloud's redaction.

#include "bot/chat_api.hpp"

#include <mlcloud/error.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_bot {

/// Parses a getUpdates result (the JSON array). Every update must carry a whole-number
/// update_id (else the whole answer is errc::protocol_error: confirming a batch whose ids are
/// unknown could skip updates); updates of kinds the bot does not handle come back with
/// neither message nor callback_query.
mlcloud::result<std::vector<tg_update>> parse_updates(std::string_view json_array);

/// The "result" member of a 2xx Bot API answer, as JSON text ("null" when absent; a number
/// beyond a double's range becomes null, so the text always reads again). An answer
/// that is not a JSON object is errc::protocol_error; "ok": false (or missing) is
/// bot_api_error().
mlcloud::result<std::string> parse_answer(std::string_view method, int http_status, std::string_view body);

/// The portable error for a Bot API failure answer ({"ok":false,"error_code":...}): the code
/// from error_code (else the HTTP status), Telegram's description redacted and cut to 300
/// bytes, retry_safe for 429 and 5xx.
mlcloud::error bot_api_error(std::string_view method, int http_status, std::string_view body);

/// The wait a 429 answer asks for (parameters.retry_after), at least 1 s, at most `cap` + 1 s;
/// 1 s when the body names none.
std::chrono::seconds flood_wait(std::string_view body, std::chrono::seconds cap = std::chrono::hours(24));

/// What getFile says about a file.
struct tg_file
{
    std::string path;                     ///< file_path, for /file/bot<token>/<path>; never empty
    std::optional<std::uint64_t> size;    ///< file_size, when Telegram sent a non-negative whole number
};

/// Parses a getFile result. errc::protocol_error when it is not an object; errc::not_found
/// when it has no file_path (a file too big for bots).
mlcloud::result<tg_file> parse_file(std::string_view json_object);

/// The message_id of a sendMessage / sendDocument result, 0 when it names none.
std::int64_t message_id_of(std::string_view json_object);

/// "@name (id)" of a getMe result; errc::protocol_error when it is not an object.
mlcloud::result<std::string> parse_me(std::string_view json_object);

/// The reply_markup JSON of a keyboard ({"inline_keyboard": [...]}).
std::string keyboard_json(keyboard const& kb);

/// Telegram's own words for an error message: secrets redacted, at most 300 bytes (+ "...").
std::string describe_for_error(std::string_view text);

} // namespace mlcloud_bot

#endif
