//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// What the bot reads from Telegram (examples/telegram_bot/bot/telegram_parse.hpp, text.hpp):
// getUpdates results and whole answers, failure answers with retry_after, getFile results,
// sent-message ids and button callback data. The first byte picks the reader:
//
//   0  a getUpdates result: accepted updates carry the update_id the JSON holds, never both a
//      message and a callback query, and survive a round trip (written back as Bot API JSON
//      and read again, every field the bot uses is the same); callback data goes through
//      reader 4. A refusal is protocol_error saying "getUpdates:".
//   1  a whole answer ({"ok":...,"result":...}) to getUpdates, as the client reads it: a
//      refusal is an error of Telegram's with the call named; a result goes on to reader 0.
//   2  a failure answer (two bytes of HTTP status, then the body): a portable error, never
//      success, with a bounded redacted message; the 429 wait is within its bounds.
//   3  a getFile result: an accepted file has a path and the size the JSON holds; a refusal is
//      protocol_error or not_found.
//   4  callback data: what decodes has a nonce and a verb without ':', and encodes, within
//      Telegram's 64 bytes, to a form that decodes to the same.

#include "fuzz.hpp"

#include "bot/telegram_parse.hpp"
#include "bot/text.hpp"

#include <mlcloud/net/redact.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace json = boost::json;
using mlcloud::errc;
using mlcloud_fuzz::check;
using namespace mlcloud_bot;

namespace {

// -- writing the bot's view back as Bot API JSON ------------------------------------------------

json::object user_json(tg_user const& u)
{
    return {{"id", u.id}, {"is_bot", u.is_bot}, {"first_name", u.first_name}, {"username", u.username}};
}

json::object message_json(tg_message const& m)
{
    json::object o{{"message_id", m.message_id},
                   {"chat", json::object{{"id", m.chat_id}, {"type", m.chat_type}}},
                   {"text", m.text}};
    if (m.from)
        o["from"] = user_json(*m.from);
    if (m.document)
    {
        json::object d{{"file_id", m.document->file_id},
                       {"file_unique_id", m.document->file_unique_id},
                       {"file_name", m.document->file_name},
                       {"mime_type", m.document->mime_type}};
        if (m.document->file_size)
            d["file_size"] = *m.document->file_size;
        o["document"] = std::move(d);
    }
    return o;
}

std::string updates_json(std::vector<tg_update> const& updates)
{
    json::array a;
    for (auto const& u : updates)
    {
        json::object o{{"update_id", u.update_id}};
        if (u.message)
            o["message"] = message_json(*u.message);
        else if (u.callback_query)
        {
            json::object q{{"id", u.callback_query->id},
                           {"from", user_json(u.callback_query->from)},
                           {"data", u.callback_query->data}};
            if (u.callback_query->message)
                q["message"] = message_json(*u.callback_query->message);
            o["callback_query"] = std::move(q);
        }
        a.push_back(std::move(o));
    }
    return json::serialize(a);
}

// -- comparing two readings ---------------------------------------------------------------------

bool same(tg_user const& a, tg_user const& b)
{
    return a.id == b.id && a.is_bot == b.is_bot && a.first_name == b.first_name && a.username == b.username;
}

bool same(std::optional<tg_document> const& a, std::optional<tg_document> const& b)
{
    if (a.has_value() != b.has_value())
        return false;
    return !a || (a->file_id == b->file_id && a->file_unique_id == b->file_unique_id &&
                  a->file_name == b->file_name && a->mime_type == b->mime_type && a->file_size == b->file_size);
}

bool same(std::optional<tg_message> const& a, std::optional<tg_message> const& b)
{
    if (a.has_value() != b.has_value())
        return false;
    if (!a)
        return true;
    if (a->from.has_value() != b->from.has_value() || (a->from && !same(*a->from, *b->from)))
        return false;
    return a->message_id == b->message_id && a->chat_id == b->chat_id && a->chat_type == b->chat_type &&
           a->text == b->text && same(a->document, b->document);
}

bool same(tg_update const& a, tg_update const& b)
{
    if (a.update_id != b.update_id || !same(a.message, b.message) ||
        a.callback_query.has_value() != b.callback_query.has_value())
        return false;
    if (!a.callback_query)
        return true;
    auto const& p = *a.callback_query;
    auto const& q = *b.callback_query;
    return p.id == q.id && same(p.from, q.from) && p.data == q.data && same(p.message, q.message);
}

// -- the readers --------------------------------------------------------------------------------

void callback_data_round_trip(std::string_view data)
{
    auto const d = decode_callback(data);
    if (!d)
        return;
    check(!d->nonce.empty() && !d->verb.empty(), "decoded callback data has a nonce and a verb");
    check(d->nonce.find(':') == std::string::npos && d->verb.find(':') == std::string::npos,
          "the nonce and the verb hold no ':'");
    auto const again = encode(*d);
    check(again.has_value(), "decoded callback data encodes again");
    // The wire form is not canonical ("n:go:" and "n:go" say the same); what it says is.
    check(decode_callback(*again) == d, "callback data survives encode and decode");
    check(again->size() <= max_callback_bytes, "encoded callback data fits Telegram's 64 bytes");
}

void updates(std::string_view text)
{
    auto const r = parse_updates(text);
    if (!r)
    {
        check(r.error().is(errc::protocol_error), "a refused getUpdates result is protocol_error");
        check(r.error().message.starts_with("getUpdates: "), "the refusal names getUpdates");
        return;
    }
    // The JSON is an array of objects, one update each, with the ids it holds.
    auto const v = json::parse(text);
    auto const& a = v.as_array();
    check(a.size() == r->size(), "one update per element");
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        auto const& id = a[i].as_object().at("update_id");
        check(id.is_number() && id.to_number<std::int64_t>() == (*r)[i].update_id,
              "an accepted update carries the update_id of its JSON");
        check(!((*r)[i].message && (*r)[i].callback_query), "never both a message and a callback query");
        if ((*r)[i].callback_query)
            callback_data_round_trip((*r)[i].callback_query->data);
    }
    auto const again = parse_updates(updates_json(*r));
    check(again.has_value(), "updates written back as Bot API JSON read again");
    check(again->size() == r->size(), "as many updates after the round trip");
    for (std::size_t i = 0; i < r->size(); ++i)
        check(same((*r)[i], (*again)[i]), "every field survives the round trip");
}

void answer(std::string_view text)
{
    auto const r = parse_answer("getUpdates", 200, text);
    if (!r)
    {
        check(r.error().code.value() != 0, "a refused answer is an error");
        check(r.error().provider == "telegram" && r.error().operation == "getUpdates",
              "a refused answer names Telegram and the call");
        return;
    }
    boost::system::error_code ec;
    (void)json::parse(*r, ec);
    check(!ec, "the result is JSON text");
    updates(*r);
}

void failure(std::string_view body, int status)
{
    auto const e = bot_api_error("sendMessage", status, body);
    check(e.code.value() != 0, "a failure answer is an error");
    check(!e.message.empty() && e.message.size() <= 303, "the message is there and bounded");
    check(mlcloud::net::redact_text(e.message) == e.message || e.message.ends_with("..."),
          "the message is already redacted");
    check(e.http_status == status && e.operation == "sendMessage", "the error keeps the status and the call");
    if (e.is(errc::throttled))
        check(e.retry_safe, "a 429 may be sent again");
    auto const cap = std::chrono::seconds(300);
    auto const wait = flood_wait(body, cap);
    check(wait >= std::chrono::seconds(1) && wait <= cap + std::chrono::seconds(1), "the 429 wait is bounded");
}

void file(std::string_view text)
{
    auto const r = parse_file(text);
    if (!r)
    {
        check(r.error().is(errc::protocol_error) || r.error().is(errc::not_found),
              "a refused getFile result is protocol_error or not_found");
        return;
    }
    check(!r->path.empty(), "an accepted file has a path");
    auto const v = json::parse(text);
    auto const& o = v.as_object();
    check(o.at("file_path").as_string() == r->path, "the path is file_path");
    if (r->size)
        check(o.at("file_size").to_number<std::int64_t>() == static_cast<std::int64_t>(*r->size),
              "the size is file_size");
    (void)message_id_of(text);
    (void)parse_me(text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    mlcloud_fuzz::input in(data, size);
    switch (in.byte() % 5)
    {
    case 0: updates(in.rest()); break;
    case 1: answer(in.rest()); break;
    case 2:
    {
        int const high = in.byte(); // two statements: the order of the reads is fixed
        int const status = 100 + (high << 8 | in.byte()) % 500;
        failure(in.rest(), status);
        break;
    }
    case 3: file(in.rest()); break;
    default: callback_data_round_trip(in.rest()); break;
    }
    return 0;
}
