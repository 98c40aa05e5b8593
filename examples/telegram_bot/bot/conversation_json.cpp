//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// JSON forms of sessions (the sessions table) and actions (the outbox). Unknown members are
// ignored and missing ones take their defaults, so rows written by an older bot still load.

#include "bot/conversation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace json = boost::json;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {
namespace {

std::int64_t to_ms(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_ms(std::int64_t ms)
{
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

std::string str(json::object const& o, std::string_view k)
{
    if (auto const* v = o.if_contains(k); v && v->is_string())
        return std::string(v->get_string());
    return {};
}

std::int64_t integer(json::object const& o, std::string_view k)
{
    if (auto const* v = o.if_contains(k); v && v->is_number())
    {
        boost::system::error_code ec;
        auto const n = v->to_number<std::int64_t>(ec);
        return ec ? 0 : n;
    }
    return 0;
}

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
    tg_document out{str(d, "file_id"), str(d, "file_unique_id"), str(d, "file_name"), str(d, "mime_type"), {}};
    if (d.contains("file_size"))
        out.file_size = static_cast<std::uint64_t>(integer(d, "file_size"));
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
                kb.back().push_back({str(b.get_object(), "text"), str(b.get_object(), "data")});
    }
    return kb;
}

template <class... F>
struct overloaded : F...
{
    using F::operator()...;
};

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
                   {"last_activity_ms", to_ms(s.last_activity)},
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
    s.chat_id = integer(o, "chat_id");
    s.user_id = integer(o, "user_id");
    auto const at = step_from_string(str(o, "step"));
    if (!at)
        return error(errc::protocol_error, "a stored session has an unknown step '" + str(o, "step") + "'");
    s.at = *at;
    s.nonce = str(o, "nonce");
    s.last_activity = from_ms(integer(o, "last_activity_ms"));
    s.target = str(o, "target");
    s.dataset_uri = str(o, "dataset_uri");
    s.dataset_label = str(o, "dataset_label");
    s.dataset_bytes = static_cast<std::uint64_t>(integer(o, "dataset_bytes"));
    s.dataset_rows = static_cast<std::uint64_t>(integer(o, "dataset_rows"));
    if (auto const* c = o.if_contains("columns"); c && c->is_array())
        for (auto const& col : c->get_array())
            if (col.is_string())
                s.columns.emplace_back(col.get_string());
    s.target_column = str(o, "target_column");
    s.gpu = str(o, "gpu");
    s.model_id = integer(o, "model_id");
    return s;
}

std::string to_json(action const& a)
{
    json::object o = std::visit(
        overloaded{
            [](send_action const& x) {
                return json::object{{"kind", "send"}, {"text", x.text}, {"buttons", keyboard_to_json(x.buttons)}};
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
    auto const kind = str(o, "kind");
    if (kind == "send")
        return action{send_action{str(o, "text"), keyboard_from_json(o)}};
    if (kind == "clear_buttons")
        return action{clear_buttons_action{integer(o, "message_id")}};
    if (kind == "answer")
        return action{answer_action{str(o, "callback_id"), str(o, "notice")}};
    if (kind == "fetch_dataset")
        return action{fetch_dataset_action{str(o, "nonce"), str(o, "target"), doc_from_json(o, "document"), str(o, "uri")}};
    if (kind == "launch")
        return action{launch_action{str(o, "target"), str(o, "dataset_uri"), str(o, "dataset_label"), str(o, "column"),
                                    str(o, "gpu")}};
    if (kind == "predict")
        return action{predict_action{integer(o, "model_id"), doc_from_json(o, "document"), str(o, "uri")}};
    if (kind == "cancel_jobs")
    {
        auto const* q = o.if_contains("quiet_if_none");
        return action{cancel_jobs_action{q && q->is_bool() && q->as_bool()}};
    }
    if (kind == "status")
        return action{status_action{}};
    if (kind == "document")
        return action{document_action{str(o, "path"), str(o, "file_name"), str(o, "caption")}};
    return error(errc::protocol_error, "a stored action has an unknown kind '" + kind + "'");
}

} // namespace mlcloud_bot
