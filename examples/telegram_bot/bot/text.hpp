//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_TEXT_HPP
#define MLCLOUD_BOT_TEXT_HPP

// Text rules of the Bot API that the bot must keep itself: the 4096-character limit of a
// message (counted after HTML parsing), the 64-byte limit of callback data, and the nonce that
// ties a button to the conversation that drew it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_bot {

/// Telegram's limit for sendMessage/editMessageText text, in characters after entity parsing.
inline constexpr std::size_t max_message_chars = 4096;

/// Telegram's limit for a document caption, in characters after entity parsing.
inline constexpr std::size_t max_caption_chars = 1024;

/// Telegram's limit for InlineKeyboardButton.callback_data, in bytes.
inline constexpr std::size_t max_callback_bytes = 64;

/// The characters Telegram counts for a Telegram-HTML text: tags count nothing, an entity
/// (&lt; &#123;) counts one, and every other code point counts its UTF-16 length (so an
/// emoji outside the BMP counts two). Counting UTF-16 units is the conservative reading of
/// "characters": it is never less than the code point count.
std::size_t visible_length(std::string_view html);

/// Splits Telegram-HTML into messages of at most `limit` visible characters each. Cuts are
/// made at a line break when one lies in the second half of a part, else at a space, else
/// between two code points; never inside a tag or an entity. Tags open at a cut are closed at
/// the end of the part and opened again at the start of the next, so every part is valid HTML
/// on its own. A line break at a cut is dropped; parts with nothing visible are left out.
std::vector<std::string> split_html(std::string_view html, std::size_t limit = max_message_chars);

/// The plain-text counterpart (no tags, no entities): the same cut rules.
std::vector<std::string> split_plain(std::string_view text, std::size_t limit = max_message_chars);

/// What a button press carries: "<nonce>:<verb>[:<arg>]". The nonce belongs to one
/// conversation; a button from an older conversation has another one.
struct callback_data
{
    std::string nonce;
    std::string verb;
    std::string arg;

    friend bool operator==(callback_data const&, callback_data const&) = default;
};

/// The wire form, or nullopt when it would exceed 64 bytes or a part contains ':' where it
/// must not (nonce and verb) or is empty (nonce and verb).
std::optional<std::string> encode(callback_data const& d);

/// Parses the wire form; nullopt for anything else (callback data is untrusted input).
std::optional<callback_data> decode_callback(std::string_view data);

/// `bytes` random bytes from OpenSSL's generator, as lower-case hex.
std::string random_hex(std::size_t bytes);

/// A fresh random nonce: 8 lower-case hex digits.
std::string make_nonce();

} // namespace mlcloud_bot

#endif
