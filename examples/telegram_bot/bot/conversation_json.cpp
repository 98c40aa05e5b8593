//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// JSON forms of sessions (the sessions table) and actions (the outbox). Unknown members are
// ignored and missing ones take their defaults, so rows written by an older bot still load.

#include "bot/conversation.hpp"
#include "bot/detail.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace json = boost::json;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {
namespace {

using detail::from_unix_ms;
using detail::json_int64;
using detail::json_string;
using detail::overloaded;
using detail::unix_ms;

json::value doc_to_json(tg_document const& d)
{
    json::object o{{"file_id", d.file_id}, {"file_unique_id", d.file_unique_id}, {"file_name", d.file_name},
                   {"mime_type", d.mime_type}};
    if (d.file_size)
        o["file_size"] = *d.file_size;
    return o;
}

std::optional<tg_document> doc_from_json(json::object const& o, std::string_view k)
{
    auto const* v = o.if_contains(k);
    if (!v || !v->is_object())
        return std::nullopt;
    auto const& d = v->get_object();
    tg_document out{json_string(d, "file_id"), json_string(d, "file_unique_id"), json_string(d, "file_name"), json_string(d, "mime_type"), {}};
    if (d.contains("file_size"))
        out.file_size = static_cast<std::uint64_t>(json_int64(d, "file_size"));
    return out;
}

json::value keyboard_to_json(keyboard const& kb)
{
    json::array rows;
    for (auto const& row : kb)
    {
        json::array r;
        for (auto const& b : row)
            r.push_back(json::object{{"text", b.text}, {"data", b.data}});
        rows.push_back(std::move(r));
    }
    return rows;
}

keyboard keyboard_from_json(json::object const& o)
{
    keyboard kb;
    auto const* v = o.if_contains("buttons");
    if (!v || !v->is_array())
        return kb;
    for (auto const& row : v->get_array())
    {
        if (!row.is_array())
            continue;
        kb.emplace_back();
        for (auto const& b : row.get_array())
            if (b.is_object())
                kb.back().push_back({json_string(b.get_object(), "text"), json_string(b.get_object(), "data")});
    }
    return kb;
}

} // namespace

std::string to_json(session const& s)
{
    json::array columns;
    for (auto const& c : s.columns)
        columns.push_back(json::string(c));
    json::object o{{"chat_id", s.chat_id},
                   {"user_id", s.user_id},
                   {"step", std::string(to_string(s.at))},
                   {"nonce", s.nonce},
                   {"last_activity_ms", unix_ms(s.last_activity)},
                   {"target", s.target},
                   {"dataset_uri", s.dataset_uri},
                   {"dataset_label", s.dataset_label},
                   {"dataset_bytes", s.dataset_bytes},
                   {"dataset_rows", s.dataset_rows},
                   {"columns", std::move(columns)},
                   {"target_column", s.target_column},
                   {"gpu", s.gpu},
                   {"model_id", s.model_id}};
    return json::serialize(o);
}

mlcloud::result<session> session_from_json(std::string_view text)
{
    boost::system::error_code ec;
    auto const v = json::parse(text, ec);
    if (ec || !v.is_object())
        return error(errc::protocol_error, "a stored session is not a JSON object");
    auto const& o = v.get_object();
    session s;
    s.chat_id = json_int64(o, "chat_id");
    s.user_id = json_int64(o, "user_id");
    auto const at = step_from_string(json_string(o, "step"));
    if (!at)
        return error(errc::protocol_error, "a stored session has an unknown step '" + json_string(o, "step") + "'");
    s.at = *at;
    s.nonce = json_string(o, "nonce");
    s.last_activity = from_unix_ms(json_int64(o, "last_activity_ms"));
    s.target = json_string(o, "target");
    s.dataset_uri = json_string(o, "dataset_uri");
    s.dataset_label = json_string(o, "dataset_label");
    s.dataset_bytes = static_cast<std::uint64_t>(json_int64(o, "dataset_bytes"));
    s.dataset_rows = static_cast<std::uint64_t>(json_int64(o, "dataset_rows"));
    if (auto const* c = o.if_contains("columns"); c && c->is_array())
        for (auto const& col : c->get_array())
            if (col.is_string())
                s.columns.emplace_back(col.get_string());
    s.target_column = json_string(o, "target_column");
    s.gpu = json_string(o, "gpu");
    s.model_id = json_int64(o, "model_id");
    return s;
}

std::string to_json(action const& a)
{
    json::object o = std::visit(
        overloaded{
            [](send_action const& x) {
                return json::object{{"kind", "send"},
                                    {"text", x.text},
                                    {"buttons", keyboard_to_json(x.buttons)},
                                    {"parts_sent", x.parts_sent}};
            },
            [](clear_buttons_action const& x) {
                return json::object{{"kind", "clear_buttons"}, {"message_id", x.message_id}};
            },
            [](answer_action const& x) {
                return json::object{{"kind", "answer"}, {"callback_id", x.callback_id}, {"notice", x.notice}};
            },
            [](fetch_dataset_action const& x) {
                json::object o{{"kind", "fetch_dataset"}, {"nonce", x.nonce}, {"target", x.target}, {"uri", x.uri}};
                if (x.document)
                    o["document"] = doc_to_json(*x.document);
                return o;
            },
            [](launch_action const& x) {
                return json::object{{"kind", "launch"},           {"target", x.target},
                                    {"dataset_uri", x.dataset_uri}, {"dataset_label", x.dataset_label},
                                    {"column", x.column},           {"gpu", x.gpu}};
            },
            [](predict_action const& x) {
                json::object o{{"kind", "predict"}, {"model_id", x.model_id}, {"uri", x.uri}};
                if (x.document)
                    o["document"] = doc_to_json(*x.document);
                return o;
            },
            [](cancel_jobs_action const& x) {
                return json::object{{"kind", "cancel_jobs"}, {"quiet_if_none", x.quiet_if_none}};
            },
            [](status_action const&) { return json::object{{"kind", "status"}}; },
            [](document_action const& x) {
                return json::object{{"kind", "document"}, {"path", x.path}, {"file_name", x.file_name},
                                    {"caption", x.caption}};
            },
        },
        a);
    return json::serialize(o);
}

mlcloud::result<action> action_from_json(std::string_view text)
{
    boost::system::error_code ec;
    auto const v = json::parse(text, ec);
    if (ec || !v.is_object())
        return error(errc::protocol_error, "a stored action is not a JSON object");
    auto const& o = v.get_object();
    auto const kind = json_string(o, "kind");
    if (kind == "send")
        return action{send_action{json_string(o, "text"), keyboard_from_json(o), json_int64(o, "parts_sent")}};
    if (kind == "clear_buttons")
        return action{clear_buttons_action{json_int64(o, "message_id")}};
    if (kind == "answer")
        return action{answer_action{json_string(o, "callback_id"), json_string(o, "notice")}};
    if (kind == "fetch_dataset")
        return action{fetch_dataset_action{json_string(o, "nonce"), json_string(o, "target"), doc_from_json(o, "document"), json_string(o, "uri")}};
    if (kind == "launch")
        return action{launch_action{json_string(o, "target"), json_string(o, "dataset_uri"), json_string(o, "dataset_label"), json_string(o, "column"),
                                    json_string(o, "gpu")}};
    if (kind == "predict")
        return action{predict_action{json_int64(o, "model_id"), doc_from_json(o, "document"), json_string(o, "uri")}};
    if (kind == "cancel_jobs")
    {
        auto const* q = o.if_contains("quiet_if_none");
        return action{cancel_jobs_action{q && q->is_bool() && q->as_bool()}};
    }
    if (kind == "status")
        return action{status_action{}};
    if (kind == "document")
        return action{document_action{json_string(o, "path"), json_string(o, "file_name"), json_string(o, "caption")}};
    return error(errc::protocol_error, "a stored action has an unknown kind '" + kind + "'");
}

} // namespace mlcloud_bot
