//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/telegram_parse.hpp"

#include "bot/detail.hpp"

#include <mlcloud/net/redact.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>

namespace json = boost::json;
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

/// A whole number in int64's range, when `v` is one.
std::optional<std::int64_t> whole_number(json::value const* v)
{
    if (!v || !v->is_number())
        return std::nullopt;
    boost::system::error_code ec;
    auto const n = v->to_number<std::int64_t>(ec);
    if (ec)
        return std::nullopt;
    return n;
}

/// A byte count: a whole number from 0 up; anything else is no size at all.
std::optional<std::uint64_t> size_field(json::object const& o, std::string_view key)
{
    auto const n = whole_number(o.if_contains(key));
    if (!n || *n < 0)
        return std::nullopt;
    return static_cast<std::uint64_t>(*n);
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
        doc.file_size = size_field(*d, "file_size");
        m.document = std::move(doc);
    }
    return m;
}

/// The JSON object of `text`, or null.
std::optional<json::object> object_of(std::string_view text)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    return std::move(v.get_object());
}

/// Replaces numbers beyond a double's range (parsed as infinities) with null: serialized they
/// would be "Infinity", which is not JSON, and the update holding one could not be read again,
/// nor skipped by its update_id. Depth is bounded by the parser's (json::parse_options).
void null_non_finite(json::value& v)
{
    if (v.is_double() && !std::isfinite(v.get_double()))
        v = nullptr;
    else if (v.is_array())
        for (auto& e : v.get_array())
            null_non_finite(e);
    else if (v.is_object())
        for (auto& kv : v.get_object())
            null_non_finite(kv.value());
}

error tg_error(errc code, std::string message, std::string_view operation)
{
    error e(code, std::move(message));
    e.with_provider("telegram").with_operation(operation);
    return e;
}

} // namespace

std::string describe_for_error(std::string_view text)
{
    auto out = mlcloud::net::redact_text(text);
    if (out.size() > 300)
        out = out.substr(0, 300) + "...";
    return out;
}

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
        auto const id = whole_number(o->if_contains("update_id"));
        if (!id)
            return error(errc::protocol_error, "getUpdates: an update_id that is not a whole number");
        tg_update u;
        u.update_id = *id;
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

mlcloud::result<std::string> parse_answer(std::string_view method, int http_status, std::string_view body)
{
    auto o = object_of(body);
    if (!o)
        return tg_error(errc::protocol_error, "the answer is not a JSON object", method);
    auto const* ok = o->if_contains("ok");
    if (!ok || !ok->is_bool() || !ok->as_bool())
        return bot_api_error(method, http_status, body);
    auto* result = o->if_contains("result");
    if (!result)
        return std::string("null");
    null_non_finite(*result);
    return json::serialize(*result);
}

error bot_api_error(std::string_view method, int http_status, std::string_view body)
{
    int code = http_status;
    std::string description;
    if (auto const o = object_of(body))
    {
        // An error_code outside the HTTP range says nothing usable: the status stands.
        if (auto const n = json_int64(*o, "error_code"); n >= 100 && n <= 599)
            code = static_cast<int>(n);
        description = json_string(*o, "description");
        if (description.empty())
            description = json_string(*o, "message"); // telegram-test-api's shape for unknown methods
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
    error e(c, describe_for_error(description));
    e.with_provider("telegram").with_operation(method).with_http(http_status);
    e.retry_safe = code == 429 || code >= 500;
    return e;
}

std::chrono::seconds flood_wait(std::string_view body, std::chrono::seconds cap)
{
    std::int64_t asked = 1;
    if (auto const o = object_of(body))
        if (auto const* p = obj(*o, "parameters"))
            asked = json_int64(*p, "retry_after");
    return std::chrono::seconds(std::clamp<std::int64_t>(asked, 1, cap.count() + 1));
}

mlcloud::result<tg_file> parse_file(std::string_view json_object)
{
    auto const o = object_of(json_object);
    if (!o)
        return tg_error(errc::protocol_error, "the result is not an object", "getFile");
    tg_file f;
    f.path = json_string(*o, "file_path");
    f.size = size_field(*o, "file_size");
    if (f.path.empty())
        return tg_error(errc::not_found, "no file_path (the file may be too big for bots)", "getFile");
    return f;
}

std::int64_t message_id_of(std::string_view json_object)
{
    auto const o = object_of(json_object);
    return o ? json_int64(*o, "message_id") : 0;
}

mlcloud::result<std::string> parse_me(std::string_view json_object)
{
    auto const o = object_of(json_object);
    if (!o)
        return tg_error(errc::protocol_error, "the result is not an object", "getMe");
    return "@" + json_string(*o, "username") + " (" + std::to_string(json_int64(*o, "id")) + ")";
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

} // namespace mlcloud_bot
