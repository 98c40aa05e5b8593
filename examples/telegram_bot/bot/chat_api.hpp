//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_CHAT_API_HPP
#define MLCLOUD_BOT_CHAT_API_HPP

// What the bot needs from a chat service, and the few Bot API types it reads. Two
// implementations: telegram_client (the Bot API over mlcloud::net) and console_chat (a
// terminal, for --console). Tests add their own.

#include <mlcloud/concepts.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_bot {

struct tg_user
{
    std::int64_t id = 0;
    bool is_bot = false;
    std::string first_name;
    std::string username;
};

struct tg_document
{
    std::string file_id;
    std::string file_unique_id;
    std::string file_name; ///< as the user's client reported it: untrusted, never a path
    std::string mime_type;
    std::optional<std::uint64_t> file_size;
};

struct tg_message
{
    std::int64_t message_id = 0;
    std::int64_t chat_id = 0;
    std::string chat_type; ///< "private", "group", "supergroup", "channel"
    std::optional<tg_user> from;
    std::string text;
    std::optional<tg_document> document;
};

struct tg_callback_query
{
    std::string id;
    tg_user from;
    std::optional<tg_message> message; ///< the message with the button, when accessible
    std::string data;
};

/// One update; kinds the bot does not handle (edited messages, channel posts, ...) arrive
/// with neither member set and are confirmed without an answer.
struct tg_update
{
    std::int64_t update_id = 0;
    std::optional<tg_message> message;
    std::optional<tg_callback_query> callback_query;
};

struct button
{
    std::string text;
    std::string data; ///< callback data, at most 64 bytes

    friend bool operator==(button const&, button const&) = default;
};

/// Rows of inline buttons.
using keyboard = std::vector<std::vector<button>>;

/// The text format a chat shows: Telegram HTML or plain terminal text.
enum class text_format
{
    html,
    plain,
};

/// A chat service. Every call is a coroutine returning a value or an mlcloud::error; none
/// throws for a network or API failure.
class chat_api
{
public:
    virtual ~chat_api() = default;

    virtual text_format format() const noexcept = 0;

    /// The updates from `offset` on (which confirms every update below it; 0: every update not
    /// confirmed yet), waiting up to `timeout` for one to arrive. errc::conflict when another
    /// poller uses the same token.
    virtual mlcloud::task<std::vector<tg_update>> get_updates(std::int64_t offset, std::chrono::seconds timeout) = 0;

    /// Sends a message (split into several when it is too long; the keyboard goes with the
    /// last part) and returns the id of the last message sent.
    virtual mlcloud::task<std::int64_t> send_message(std::int64_t chat_id, std::string text, keyboard buttons = {}) = 0;

    /// Replaces a message's text and keyboard. Editing to the same content is a success.
    virtual mlcloud::task<void> edit_message(std::int64_t chat_id, std::int64_t message_id, std::string text,
                                             keyboard buttons = {}) = 0;

    /// Removes the inline keyboard of a message (the question was answered). Already without
    /// buttons is a success.
    virtual mlcloud::task<void> clear_buttons(std::int64_t chat_id, std::int64_t message_id) = 0;

    /// Ends the client's progress indicator of a button press, with an optional notice.
    virtual mlcloud::task<void> answer_callback(std::string callback_id, std::string notice = {}) = 0;

    /// Downloads a file the user sent into `to`. Refuses (errc::payload_too_large) a file
    /// whose announced size or received bytes exceed `max_bytes`; returns the bytes written.
    virtual mlcloud::task<std::uint64_t> download_file(tg_document document, std::filesystem::path to,
                                                       std::uint64_t max_bytes) = 0;

    /// Sends a file as a document with a caption.
    virtual mlcloud::task<std::int64_t> send_document(std::int64_t chat_id, std::filesystem::path file,
                                                      std::string file_name, std::string caption) = 0;

    /// The messages send_message makes of `text` (one unless it is too long), so that the
    /// outbox can record which of them went out.
    virtual std::vector<std::string> message_parts(std::string const& text) const { return {text}; }

    /// The bot is stopping: calls waiting out flood control (up to minutes) end at once with
    /// errc::cancelled, and later ones do not wait.
    virtual void stop_waiting() noexcept {}
};

} // namespace mlcloud_bot

#endif
