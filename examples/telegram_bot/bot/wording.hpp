//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_WORDING_HPP
#define MLCLOUD_BOT_WORDING_HPP

// The bot's own short texts, in either format. The long ones (prices, confirmations, logs,
// errors) come from mlcloud::messages; these helpers keep the same escaping rules for the rest:
// anything that did not come from the bot's source is cleaned and, in HTML, escaped.

#include "bot/chat_api.hpp"

#include <mlcloud/messages/templates.hpp>

#include <string>
#include <string_view>

namespace mlcloud_bot {

inline mlcloud::messages::format to_messages_format(text_format f) noexcept
{
    return f == text_format::html ? mlcloud::messages::format::html : mlcloud::messages::format::plain;
}

/// Builds one message: `text` escapes, the tag helpers add markup only in HTML.
class wording
{
public:
    explicit wording(text_format f) : html_(f == text_format::html) {}

    wording& text(std::string_view s)
    {
        auto clean = mlcloud::messages::clean_text(s);
        out_ += html_ ? mlcloud::messages::escape_html(clean) : clean;
        return *this;
    }
    wording& bold(std::string_view s) { return tagged("b", s); }
    wording& italic(std::string_view s) { return tagged("i", s); }
    wording& code(std::string_view s) { return tagged("code", s); }
    wording& line()
    {
        out_ += '\n';
        return *this;
    }
    /// Text that is already in this message's format (e.g. a messages:: template).
    wording& raw(std::string_view formatted)
    {
        out_ += formatted;
        return *this;
    }
    std::string str() && { return std::move(out_); }
    std::string str() const& { return out_; }

private:
    wording& tagged(std::string_view tag, std::string_view s)
    {
        if (html_)
            out_.append("<").append(tag).append(">");
        text(s);
        if (html_)
            out_.append("</").append(tag).append(">");
        return *this;
    }

    bool html_;
    std::string out_;
};

} // namespace mlcloud_bot

#endif
