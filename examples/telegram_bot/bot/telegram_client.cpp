//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/telegram_client.hpp"

#include "bot/detail.hpp"
#include "bot/log.hpp"
#include "bot/text.hpp"

#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/url.hpp>

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fstream>
#include <iterator>

namespace asio = boost::asio;
namespace json = boost::json;
namespace net = mlcloud::net;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {

namespace {

/// An error of this client. (Built in a plain function: GCC 12 mishandles string literals in
/// a chain of calls inside a co_return expression.)
error tg_error(errc code, std::string message, std::string_view operation)
{
    error e(code, std::move(message));
    e.with_provider("telegram").with_operation(operation);
    return e;
}

std::string multipart_escape(std::string_view s)
{
    std::string out;
    for (char c : s)
        out += (c == '"' || c == '\r' || c == '\n' || c == '\\') ? '_' : c;
    return out;
}

} // namespace

telegram_client::telegram_client(asio::any_io_executor ex, telegram_options options)
    : ex_(ex), options_(std::move(options)),
      http_(ex,
            [&] {
                net::client_options o;
                o.tls.ca_file = options_.ca_file;
                o.user_agent = "mlcloud-bot/" MLCLOUD_VERSION_STRING;
                // A 429 carries its wait in the body, not in Retry-After: this client handles
                // it, so the transport returns it at once.
                o.retry.classify = [](net::response const& r) -> std::optional<net::retry_class> {
                    if (r.status == 429)
                        return net::retry_class::none;
                    return std::nullopt;
                };
                return o;
            }()),
      limiter_(options_.limits)
{
}

std::string telegram_client::method_url(std::string_view method) const
{
    return options_.base_url + "/bot" + options_.token + "/" + std::string(method);
}

std::vector<std::string> telegram_client::message_parts(std::string const& text) const
{
    return split_html(text);
}

void telegram_client::stop_waiting() noexcept
{
    waits_.interrupt();
}

mlcloud::task<std::string> telegram_client::call(std::string_view method, std::string body, call_options const& how)
{
    net::request req;
    req.method = net::method::post;
    req.headers = {{"Content-Type", "application/json"}};
    req.body = std::move(body);
    co_return co_await call(method, std::move(req), how);
}

mlcloud::task<std::string> telegram_client::call(std::string_view method, net::request req, call_options const& how)
{
    req.url = method_url(method);
    req.idempotent = how.idempotent;
    if (how.idle_timeout)
    {
        req.timeouts.idle = *how.idle_timeout;
        req.timeouts.request = *how.idle_timeout + std::chrono::seconds(5);
    }
    auto const stopping = [&] { return tg_error(errc::cancelled, "the bot is stopping", method); };
    for (unsigned attempt = 0;; ++attempt)
    {
        // (Each time point is named before it is awaited: GCC 12 miscompiles a prvalue argument
        // inside a co_await expression.)
        if (how.chat)
        {
            auto const turn = limiter_.reserve_chat(*how.chat);
            bool const waited = co_await waits_.until(turn);
            if (!waited)
                co_return stopping();
        }
        if (how.limited)
        {
            auto const turn = limiter_.reserve_global();
            bool const waited = co_await waits_.until(turn);
            if (!waited)
                co_return stopping();
        }

        auto r = co_await http_.send(req);
        if (!r)
        {
            auto e = r.error();
            e.message = describe_for_error(e.message);
            e.operation = std::string(method);
            e.provider = "telegram";
            co_return e;
        }
        if (r->ok())
            co_return parse_answer(method, r->status, r->body);

        auto e = bot_api_error(method, r->status, r->body);
        if (how.not_modified_ok && e.is(errc::invalid_argument) &&
            e.message.find("message is not modified") != std::string::npos)
            co_return std::string("true");
        if (!e.is(errc::throttled))
            co_return e;

        // Flood control: wait as long as Telegram asks, then send the same call again.
        // The pause holds every later call through the limiter, also when this one gives up:
        // the caller's own retry must not come before Telegram's wait is over. So the pause is
        // as long as Telegram asks (up to a day); max_retry_after only decides whether this
        // call waits for it or gives up.
        auto const wait = flood_wait(r->body);
        auto const resume_at = rate_limiter::clock::now() + wait;
        limiter_.pause_until(resume_at, how.chat);
        if (wait > options_.max_retry_after || attempt >= options_.max_throttled_retries)
        {
            log(log_level::warning, std::string(method) + ": Telegram asks to wait " + std::to_string(wait.count()) +
                                        " s (429); the call gives up, and later sends wait until then");
            co_return e;
        }
        log(log_level::warning, std::string(method) + ": Telegram asks to wait " + std::to_string(wait.count()) +
                                    " s (429); the call is kept and sent again");
        if (!how.chat)
        {
            bool const waited = co_await waits_.until(resume_at);
            if (!waited)
                co_return stopping();
        }
    }
}

mlcloud::task<std::vector<tg_update>> telegram_client::get_updates(std::int64_t offset, std::chrono::seconds timeout)
{
    json::array allowed;
    for (auto const& a : options_.allowed_updates)
        allowed.push_back(json::string(a));
    json::object body{{"timeout", timeout.count()}, {"allowed_updates", std::move(allowed)}};
    if (offset != 0) // without one, Telegram returns the earliest updates not confirmed yet
        body["offset"] = offset;
    call_options how;
    how.limited = false;
    how.idempotent = true; // polling again returns the same unconfirmed updates
    how.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout + options_.poll_margin);
    auto r = co_await call("getUpdates", json::serialize(body), how);
    if (!r)
        co_return r.error();
    co_return parse_updates(*r);
}

mlcloud::task<std::int64_t> telegram_client::send_message(std::int64_t chat_id, std::string text, keyboard buttons)
{
    auto parts = split_html(text);
    if (parts.empty())
        co_return tg_error(errc::invalid_argument, "an empty message cannot be sent", "sendMessage");
    std::int64_t last = 0;
    for (std::size_t i = 0; i < parts.size(); ++i)
    {
        json::object body{{"chat_id", chat_id}, {"text", parts[i]}, {"parse_mode", "HTML"},
                          {"link_preview_options", json::object{{"is_disabled", true}}}};
        if (i + 1 == parts.size() && !buttons.empty())
            body["reply_markup"] = json::parse(keyboard_json(buttons));
        call_options how;
        how.chat = chat_id;
        auto r = co_await call("sendMessage", json::serialize(body), how);
        if (!r)
            co_return r.error();
        last = message_id_of(*r);
    }
    co_return last;
}

mlcloud::task<void> telegram_client::edit_message(std::int64_t chat_id, std::int64_t message_id, std::string text,
                                                  keyboard buttons)
{
    auto parts = split_html(text);
    if (parts.empty())
        co_return tg_error(errc::invalid_argument, "an empty message cannot be shown", "editMessageText");
    json::object body{{"chat_id", chat_id}, {"message_id", message_id}, {"text", parts.front()}, {"parse_mode", "HTML"},
                      {"link_preview_options", json::object{{"is_disabled", true}}}};
    if (!buttons.empty())
        body["reply_markup"] = json::parse(keyboard_json(buttons));
    call_options how;
    how.chat = chat_id;
    how.idempotent = true; // the same text twice is the same message
    how.not_modified_ok = true;
    auto r = co_await call("editMessageText", json::serialize(body), how);
    if (!r)
        co_return r.error();
    co_return mlcloud::result<void>{};
}

mlcloud::task<void> telegram_client::clear_buttons(std::int64_t chat_id, std::int64_t message_id)
{
    json::object body{{"chat_id", chat_id}, {"message_id", message_id},
                      {"reply_markup", json::object{{"inline_keyboard", json::array{}}}}};
    call_options how;
    how.chat = chat_id;
    how.idempotent = true;
    how.not_modified_ok = true;
    auto r = co_await call("editMessageReplyMarkup", json::serialize(body), how);
    if (!r)
        co_return r.error();
    co_return mlcloud::result<void>{};
}

mlcloud::task<void> telegram_client::answer_callback(std::string callback_id, std::string notice)
{
    json::object body{{"callback_query_id", callback_id}};
    if (!notice.empty())
        body["text"] = notice.substr(0, 200);
    call_options how;
    how.idempotent = true;
    auto r = co_await call("answerCallbackQuery", json::serialize(body), how);
    if (!r)
        co_return r.error();
    co_return mlcloud::result<void>{};
}

mlcloud::task<std::uint64_t> telegram_client::download_file(tg_document document, std::filesystem::path to,
                                                            std::uint64_t max_bytes)
{
    auto const too_big = [&](std::uint64_t n) {
        return tg_error(errc::payload_too_large,
                        "the file has " + std::to_string(n) + " bytes; the limit is " + std::to_string(max_bytes),
                        "getFile");
    };
    if (document.file_size && *document.file_size > max_bytes)
        co_return too_big(*document.file_size);

    call_options how;
    how.limited = false;
    how.idempotent = true;
    json::object body{{"file_id", document.file_id}};
    auto r = co_await call("getFile", json::serialize(body), how);
    if (!r)
        co_return r.error();
    auto file = parse_file(*r);
    if (!file)
        co_return file.error();
    auto const& path = file->path;
    auto const size = file->size;
    if (size && *size > max_bytes)
        co_return too_big(*size);

    net::request req;
    req.method = net::method::get;
    req.url = options_.base_url + "/file/bot" + options_.token + "/" + net::encode_path(path);
    req.response_file = to;
    req.max_body_size = max_bytes;
    auto got = co_await http_.send(std::move(req));
    if (!got)
    {
        auto e = got.error();
        e.message = describe_for_error(e.message);
        e.provider = "telegram";
        e.operation = "download";
        co_return e;
    }
    if (!got->ok())
        co_return bot_api_error("download", got->status, got->body);
    if (size && got->body_size != *size)
        co_return tg_error(errc::io_error,
                           "the download ended after " + std::to_string(got->body_size) + " of " +
                               std::to_string(*size) + " bytes",
                           "download");
    co_return got->body_size;
}

mlcloud::task<std::int64_t> telegram_client::send_document(std::int64_t chat_id, std::filesystem::path file,
                                                           std::string file_name, std::string caption)
{
    std::ifstream in(file, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof())
        co_return error(errc::io_error, "cannot read " + file.string());
    if (content.size() > options_.max_upload_bytes)
        co_return tg_error(errc::payload_too_large, "the file is above Telegram's 50 MB upload limit", "sendDocument");

    auto const captions = split_html(caption, max_caption_chars);
    std::string const boundary = "mlcloud-bot-" + make_nonce() + make_nonce();
    std::string body;
    auto const field = [&](std::string_view name, std::string_view value) {
        body.append("--").append(boundary).append("\r\n");
        body.append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n");
        body.append(value).append("\r\n");
    };
    field("chat_id", std::to_string(chat_id));
    if (!captions.empty())
    {
        field("caption", captions.front());
        field("parse_mode", "HTML");
    }
    body.append("--").append(boundary).append("\r\n");
    body.append("Content-Disposition: form-data; name=\"document\"; filename=\"")
        .append(multipart_escape(file_name))
        .append("\"\r\nContent-Type: text/csv\r\n\r\n");
    body.append(content).append("\r\n--").append(boundary).append("--\r\n");

    net::request req;
    req.method = net::method::post;
    req.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary}};
    req.body = std::move(body);
    call_options how;
    how.chat = chat_id;
    auto r = co_await call("sendDocument", std::move(req), how);
    if (!r)
        co_return r.error();
    co_return message_id_of(*r);
}

mlcloud::task<std::string> telegram_client::get_me()
{
    call_options how;
    how.limited = false;
    how.idempotent = true;
    std::string body = "{}"; // named: GCC 12 mishandles prvalue arguments of awaited calls
    auto r = co_await call("getMe", std::move(body), how);
    if (!r)
        co_return r.error();
    co_return parse_me(*r);
}

} // namespace mlcloud_bot
