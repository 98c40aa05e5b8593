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

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
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

using detail::json_int64;
using detail::json_string;

json::object const* obj(json::object const& o, std::string_view k)
{
    auto const* v = o.if_contains(k);
    return v ? v->if_object() : nullptr;
}

tg_user parse_user(json::object const& o)
{
    tg_user u;
    u.id = json_int64(o, "id");
    if (auto const* b = o.if_contains("is_bot"); b && b->is_bool())
        u.is_bot = b->as_bool();
    u.first_name = json_string(o, "first_name");
    u.username = json_string(o, "username");
    return u;
}

tg_message parse_message(json::object const& o)
{
    tg_message m;
    m.message_id = json_int64(o, "message_id");
    if (auto const* chat = obj(o, "chat"))
    {
        m.chat_id = json_int64(*chat, "id");
        m.chat_type = json_string(*chat, "type");
    }
    if (auto const* from = obj(o, "from"))
        m.from = parse_user(*from);
    m.text = json_string(o, "text");
    if (m.text.empty())
        m.text = json_string(o, "caption");
    if (auto const* d = obj(o, "document"))
    {
        tg_document doc;
        doc.file_id = json_string(*d, "file_id");
        doc.file_unique_id = json_string(*d, "file_unique_id");
        doc.file_name = json_string(*d, "file_name");
        doc.mime_type = json_string(*d, "mime_type");
        if (d->contains("file_size"))
            doc.file_size = static_cast<std::uint64_t>(json_int64(*d, "file_size"));
        m.document = std::move(doc);
    }
    return m;
}

/// Telegram's own words, without anything that could be a secret.
std::string describe(std::string_view text)
{
    auto out = net::redact_text(text);
    if (out.size() > 300)
        out = out.substr(0, 300) + "...";
    return out;
}

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

mlcloud::result<std::vector<tg_update>> parse_updates(std::string_view json_array)
{
    boost::system::error_code ec;
    auto const v = json::parse(json_array, ec);
    if (ec || !v.is_array())
        return error(errc::protocol_error, "getUpdates: the result is not a JSON array");
    std::vector<tg_update> out;
    for (auto const& item : v.get_array())
    {
        auto const* o = item.if_object();
        if (!o || !o->contains("update_id"))
            return error(errc::protocol_error, "getUpdates: an update without update_id");
        tg_update u;
        u.update_id = json_int64(*o, "update_id");
        if (auto const* m = obj(*o, "message"))
            u.message = parse_message(*m);
        else if (auto const* q = obj(*o, "callback_query"))
        {
            tg_callback_query cq;
            cq.id = json_string(*q, "id");
            if (auto const* from = obj(*q, "from"))
                cq.from = parse_user(*from);
            if (auto const* m = obj(*q, "message"))
                cq.message = parse_message(*m);
            cq.data = json_string(*q, "data");
            u.callback_query = std::move(cq);
        }
        out.push_back(std::move(u));
    }
    return out;
}

std::string keyboard_json(keyboard const& kb)
{
    json::array rows;
    for (auto const& row : kb)
    {
        json::array r;
        for (auto const& b : row)
            r.push_back(json::object{{"text", b.text}, {"callback_data", b.data}});
        rows.push_back(std::move(r));
    }
    return json::serialize(json::object{{"inline_keyboard", std::move(rows)}});
}

error bot_api_error(std::string_view method, int http_status, std::string_view body)
{
    boost::system::error_code ec;
    auto const v = json::parse(body, ec);
    int code = http_status;
    std::string description;
    if (!ec && v.is_object())
    {
        auto const& o = v.get_object();
        if (auto n = json_int64(o, "error_code"))
            code = static_cast<int>(n);
        description = json_string(o, "description");
        if (description.empty())
            description = json_string(o, "message"); // telegram-test-api's shape for unknown methods
    }
    if (description.empty())
        description = "HTTP " + std::to_string(http_status);
    errc c = errc::provider_error;
    switch (code)
    {
    case 400: c = errc::invalid_argument; break;
    case 401: c = errc::unauthorized; break;
    case 403: c = errc::forbidden; break;
    case 404: c = errc::not_found; break;
    case 409: c = errc::conflict; break;
    case 413: c = errc::payload_too_large; break;
    case 429: c = errc::throttled; break;
    default: c = code >= 500 ? errc::provider_error : errc::protocol_error; break;
    }
    error e(c, describe(description));
    e.with_provider("telegram").with_operation(method).with_http(http_status);
    e.retry_safe = code == 429 || code >= 500;
    return e;
}

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

asio::awaitable<void> telegram_client::wait_until(rate_limiter::time_point t)
{
    if (t <= rate_limiter::clock::now())
        co_return;
    asio::steady_timer timer(ex_, t);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
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
    for (unsigned attempt = 0;; ++attempt)
    {
        if (how.chat)
            co_await wait_until(limiter_.reserve_chat(*how.chat));
        if (how.limited)
            co_await wait_until(limiter_.reserve_global());

        auto r = co_await http_.send(req);
        if (!r)
        {
            auto e = r.error();
            e.message = describe(e.message);
            e.operation = std::string(method);
            e.provider = "telegram";
            co_return e;
        }
        if (r->ok())
        {
            boost::system::error_code ec;
            auto const v = json::parse(r->body, ec);
            if (ec || !v.is_object())
                co_return tg_error(errc::protocol_error, "the answer is not a JSON object", method);
            auto const& o = v.get_object();
            auto const* ok = o.if_contains("ok");
            if (!ok || !ok->is_bool() || !ok->as_bool())
                co_return bot_api_error(method, r->status, r->body);
            auto const* result = o.if_contains("result");
            co_return result ? json::serialize(*result) : std::string("null");
        }

        auto e = bot_api_error(method, r->status, r->body);
        if (how.not_modified_ok && e.is(errc::invalid_argument) &&
            e.message.find("message is not modified") != std::string::npos)
            co_return std::string("true");
        if (!e.is(errc::throttled))
            co_return e;

        // Flood control: wait as long as Telegram asks, then send the same call again.
        std::chrono::seconds wait{1};
        boost::system::error_code ec;
        if (auto const v = json::parse(r->body, ec); !ec && v.is_object())
            if (auto const* p = obj(v.get_object(), "parameters"))
                wait = std::chrono::seconds(std::max<std::int64_t>(1, json_int64(*p, "retry_after")));
        if (wait > options_.max_retry_after || attempt >= options_.max_throttled_retries)
            co_return e;
        log(log_level::warning, std::string(method) + ": Telegram asks to wait " + std::to_string(wait.count()) +
                                    " s (429); the call is kept and sent again");
        limiter_.pause_until(rate_limiter::clock::now() + wait, how.chat);
        if (!how.chat)
            co_await wait_until(rate_limiter::clock::now() + wait);
    }
}

mlcloud::task<std::vector<tg_update>> telegram_client::get_updates(std::int64_t offset, std::chrono::seconds timeout)
{
    json::array allowed;
    for (auto const& a : options_.allowed_updates)
        allowed.push_back(json::string(a));
    json::object body{{"offset", offset}, {"timeout", timeout.count()}, {"allowed_updates", std::move(allowed)}};
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
        boost::system::error_code ec;
        auto const v = json::parse(*r, ec);
        last = !ec && v.is_object() ? json_int64(v.get_object(), "message_id") : 0;
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
    boost::system::error_code ec;
    auto const v = json::parse(*r, ec);
    if (ec || !v.is_object())
        co_return tg_error(errc::protocol_error, "the result is not an object", "getFile");
    auto const& f = v.get_object();
    auto const path = json_string(f, "file_path");
    std::optional<std::uint64_t> size;
    if (f.contains("file_size"))
        size = static_cast<std::uint64_t>(json_int64(f, "file_size"));
    if (path.empty())
        co_return tg_error(errc::not_found, "no file_path (the file may be too big for bots)", "getFile");
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
        e.message = describe(e.message);
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
    boost::system::error_code ec;
    auto const v = json::parse(*r, ec);
    co_return !ec && v.is_object() ? json_int64(v.get_object(), "message_id") : 0;
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
    boost::system::error_code ec;
    auto const v = json::parse(*r, ec);
    if (ec || !v.is_object())
        co_return tg_error(errc::protocol_error, "the result is not an object", "getMe");
    auto const& o = v.get_object();
    co_return "@" + json_string(o, "username") + " (" + std::to_string(json_int64(o, "id")) + ")";
}

} // namespace mlcloud_bot
