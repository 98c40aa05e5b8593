//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_TELEGRAM_CLIENT_HPP
#define MLCLOUD_BOT_TELEGRAM_CLIENT_HPP

// The Bot API over mlcloud::net::http_client: JSON bodies for every call but sendDocument
// (multipart), long polling with an HTTP timeout longer than the poll, the outgoing flood
// limits, 429 answered by waiting retry_after and sending the same call again, "message is not
// modified" taken as success, long messages split, files checked against their size before and
// after the download. The token is part of every URL; nothing that leaves this class carries it
// (errors and log lines go through mlcloud::net redaction).

#include "bot/chat_api.hpp"
#include "bot/interruptible_waits.hpp"
#include "bot/rate_limiter.hpp"
#include "bot/telegram_parse.hpp"

#include <mlcloud/net/client.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_bot {

struct telegram_options
{
    std::string base_url = "https://api.telegram.org"; ///< or a local Bot API server
    std::string token;                                 ///< "<bot id>:<secret>"
    /// How much longer the HTTP exchange may take than the long poll itself.
    std::chrono::seconds poll_margin{10};
    rate_limit_options limits;
    std::string ca_file; ///< extra trusted CA certificates
    /// A 429 asking to wait longer than this is returned as errc::throttled instead (the
    /// caller keeps the message and tries again later).
    std::chrono::seconds max_retry_after{300};
    unsigned max_throttled_retries = 5;
    std::vector<std::string> allowed_updates = {"message", "callback_query"};
    std::uint64_t max_upload_bytes = 50ull << 20; ///< Telegram's sendDocument limit
};

class telegram_client final : public chat_api
{
public:
    telegram_client(boost::asio::any_io_executor ex, telegram_options options);

    text_format format() const noexcept override { return text_format::html; }
    mlcloud::task<std::vector<tg_update>> get_updates(std::int64_t offset, std::chrono::seconds timeout) override;
    mlcloud::task<std::int64_t> send_message(std::int64_t chat_id, std::string text, keyboard buttons) override;
    mlcloud::task<void> edit_message(std::int64_t chat_id, std::int64_t message_id, std::string text,
                                     keyboard buttons) override;
    mlcloud::task<void> clear_buttons(std::int64_t chat_id, std::int64_t message_id) override;
    mlcloud::task<void> answer_callback(std::string callback_id, std::string notice) override;
    mlcloud::task<std::uint64_t> download_file(tg_document document, std::filesystem::path to,
                                               std::uint64_t max_bytes) override;
    mlcloud::task<std::int64_t> send_document(std::int64_t chat_id, std::filesystem::path file, std::string file_name,
                                              std::string caption) override;

    /// The identity behind the token (getMe), to check it at start: "@name (id)".
    mlcloud::task<std::string> get_me();

    void stop_waiting() noexcept override;
    std::vector<std::string> message_parts(std::string const& text) const override;

private:
    struct call_options
    {
        std::optional<std::int64_t> chat; ///< counts toward this chat's flood limit
        bool limited = true;              ///< counts toward the global flood limit
        bool idempotent = false;          ///< may be sent again after a lost answer
        bool not_modified_ok = false;     ///< "message is not modified" is a success
        std::optional<std::chrono::milliseconds> idle_timeout;
    };

    /// One Bot API call with a JSON body; the "result" member as JSON text.
    mlcloud::task<std::string> call(std::string_view method, std::string body, call_options const& how);
    /// The same with a prepared request (multipart uploads).
    mlcloud::task<std::string> call(std::string_view method, mlcloud::net::request req, call_options const& how);
    std::string method_url(std::string_view method) const;

    boost::asio::any_io_executor ex_;
    telegram_options options_;
    mlcloud::net::http_client http_;
    rate_limiter limiter_;
    interruptible_waits waits_{ex_}; ///< the rate limiter's and flood control's waits; stop_waiting() ends them
};

} // namespace mlcloud_bot

#endif
