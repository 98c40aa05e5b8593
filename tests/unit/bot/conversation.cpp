//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The conversation state machine, transition by transition. It is a pure function, so every
// test states a session and an event and checks the new session and the actions exactly.

#include "bot/conversation.hpp"
#include "bot/text.hpp"

#include <mlcloud/messages/pricing.hpp>

#include <catch2/catch.hpp>

using namespace mlcloud_bot;
using namespace std::chrono_literals;
namespace msg = mlcloud::messages;

namespace {

msg::pricing_table const& table()
{
    static auto const t = msg::pricing_table::builtin();
    return t;
}

conversation_settings settings(bool offer_local = true)
{
    conversation_settings s;
    s.format = text_format::html;
    s.cloud_provider = "runpod";
    s.offer_local = offer_local;
    s.pricing = &table();
    s.market = mlcloud::market::on_demand;
    s.conversation_timeout = 15min;
    s.max_concurrent_jobs = 1;
    s.max_job_cost_usd = 5.0;
    s.max_job_runtime = 2h;
    s.max_file_bytes = 20ull << 20;
    return s;
}

auto const t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

context ctx(std::string nonce = "n0000001")
{
    context c;
    c.now = t0;
    c.fresh_nonce = std::move(nonce);
    return c;
}

session fresh()
{
    session s;
    s.chat_id = 42;
    s.user_id = 42;
    return s;
}

/// Every button the machine draws carries the session's nonce and fits in 64 bytes.
void check_buttons(transition const& t)
{
    for (auto const& a : t.actions)
        if (auto const* s = std::get_if<send_action>(&a))
            for (auto const& row : s->buttons)
                for (auto const& b : row)
                {
                    INFO(b.data);
                    CHECK(b.data.size() <= max_callback_bytes);
                    auto d = decode_callback(b.data);
                    REQUIRE(d);
                    CHECK(d->nonce == t.next.nonce);
                }
}

transition run(conversation_settings const& st, session const& s, event const& e, context const& c = ctx())
{
    auto t = handle(st, s, e, c);
    check_buttons(t);
    return t;
}

template <class A>
std::vector<A> all(transition const& t)
{
    std::vector<A> out;
    for (auto const& a : t.actions)
        if (auto const* x = std::get_if<A>(&a))
            out.push_back(*x);
    return out;
}

std::string said(transition const& t)
{
    std::string out;
    for (auto const& s : all<send_action>(t))
        out += s.text + "\n---\n";
    return out;
}

/// The callback data of the first button whose text contains `label`.
std::string button_data(transition const& t, std::string_view label)
{
    for (auto const& s : all<send_action>(t))
        for (auto const& row : s.buttons)
            for (auto const& b : row)
                if (b.text.find(label) != std::string::npos)
                    return b.data;
    FAIL("no button labelled " << label);
    return {};
}

button_event press(std::string data, std::int64_t message_id = 77)
{
    return button_event{"cb-1", message_id, std::move(data)};
}

/// Drives a session through /train -> cloud -> file -> header, ready to choose a column.
session at_choose_column(conversation_settings const& st = settings())
{
    auto t = run(st, fresh(), command_event{"train", ""});
    t = run(st, t.next, press(button_data(t, "Cloud")));
    t = run(st, t.next, document_event{{"F1", "U1", "iris.csv", "text/csv", 4400}});
    t = run(st, t.next,
            dataset_ready_event{"n0000001", "datasets/42/U1-iris.csv", "iris.csv",
                                {"sepal_length", "sepal_width", "petal_length", "petal_width", "species"}, 4400, 150});
    REQUIRE(t.next.at == step::choose_column);
    return t.next;
}

} // namespace

TEST_CASE("messages become commands, documents or text")
{
    tg_message m;
    m.text = "/Train@mlcloud_bot  now please";
    auto e = event_from_message(m);
    REQUIRE(std::holds_alternative<command_event>(e));
    CHECK(std::get<command_event>(e).name == "train");
    CHECK(std::get<command_event>(e).args == "now please");

    m.text = "/help";
    CHECK(std::get<command_event>(event_from_message(m)).name == "help");

    m.text = "hello";
    CHECK(std::get<text_event>(event_from_message(m)).text == "hello");

    m.document = tg_document{"F", "U", "x.csv", "text/csv", 10};
    m.text.clear();
    CHECK(std::get<document_event>(event_from_message(m)).document.file_id == "F");
}

TEST_CASE("/start and /help explain the commands and keep the conversation")
{
    for (auto const* name : {"start", "help"})
    {
        auto s = at_choose_column();
        auto t = run(settings(), s, command_event{name, ""});
        CHECK(t.next.at == step::choose_column);
        CHECK(t.next.nonce == s.nonce);
        auto text = said(t);
        for (auto const* cmd : {"/train", "/predict", "/status", "/cancel", "/models", "/gpus"})
            CHECK(text.find(cmd) != std::string::npos);
    }
}

TEST_CASE("/train offers cloud or local with prices, under a fresh nonce")
{
    auto t = run(settings(), fresh(), command_event{"train", ""}, ctx("abcdef01"));
    CHECK(t.next.at == step::choose_target);
    CHECK(t.next.nonce == "abcdef01");
    CHECK(t.next.last_activity == t0);
    REQUIRE(all<send_action>(t).size() == 1);
    auto const s = all<send_action>(t)[0];
    CHECK(s.text.find("Where should the model train?") != std::string::npos);
    CHECK(s.text.find("per hour") != std::string::npos); // the price range from the table
    CHECK(button_data(t, "Cloud") == "abcdef01:t:cloud");
    CHECK(button_data(t, "Local") == "abcdef01:t:local");
}

TEST_CASE("/train without a local target asks for the dataset at once")
{
    auto t = run(settings(false), fresh(), command_event{"train", ""});
    CHECK(t.next.at == step::wait_dataset);
    CHECK(t.next.target == "cloud");
    CHECK(said(t).find("Send the dataset") != std::string::npos);
}

TEST_CASE("/train restarts a conversation in progress")
{
    auto s = at_choose_column();
    auto t = run(settings(), s, command_event{"train", ""}, ctx("ffff0000"));
    CHECK(t.next.at == step::choose_target);
    CHECK(t.next.nonce == "ffff0000");
    CHECK(t.next.columns.empty());
}

TEST_CASE("choosing the target: the press is answered, its buttons cleared, the dataset asked for")
{
    auto t = run(settings(), fresh(), command_event{"train", ""});
    auto p = run(settings(), t.next, press(button_data(t, "Local"), 501));
    CHECK(p.next.at == step::wait_dataset);
    CHECK(p.next.target == "local");
    REQUIRE(p.actions.size() == 3);
    CHECK(p.actions[0] == action{answer_action{"cb-1", ""}});
    CHECK(p.actions[1] == action{clear_buttons_action{501}});
    CHECK(said(p).find("this machine") != std::string::npos);

    // Typed instead of pressed: accepted too.
    auto typed = run(settings(), t.next, text_event{"Cloud"});
    CHECK(typed.next.at == step::wait_dataset);
    CHECK(typed.next.target == "cloud");
}

TEST_CASE("free text where a button is expected gets a helpful answer and changes nothing")
{
    auto t = run(settings(), fresh(), command_event{"train", ""});
    auto r = run(settings(), t.next, text_event{"what?"});
    CHECK(r.next.at == step::choose_target);
    CHECK(said(r).find("buttons above") != std::string::npos);

    auto col = at_choose_column();
    r = run(settings(), col, text_event{"price"});
    CHECK(r.next.at == step::choose_column);
    CHECK(said(r).find("no column called") != std::string::npos);

    auto gpu = run(settings(), col, press(col.nonce + ":c:4")).next;
    REQUIRE(gpu.at == step::choose_gpu);
    r = run(settings(), gpu, text_event{"the cheap one"});
    CHECK(r.next.at == step::choose_gpu);
    CHECK(said(r).find("pick a GPU") != std::string::npos);

    auto confirm = run(settings(), gpu, press(gpu.nonce + ":g:0")).next;
    REQUIRE(confirm.at == step::confirm);
    r = run(settings(), confirm, text_event{"yes"});
    CHECK(r.next.at == step::confirm);
    CHECK(said(r).find("Launch") != std::string::npos);
    CHECK(all<launch_action>(r).empty());

    r = run(settings(), fresh(), text_event{"hi"});
    CHECK(r.next.at == step::idle);
    CHECK(said(r).find("/help") != std::string::npos);
}

TEST_CASE("a dataset file: size checked, then fetched under the conversation's nonce")
{
    auto t = run(settings(false), fresh(), command_event{"train", ""});
    auto big = run(settings(false), t.next, document_event{{"F9", "U9", "big.csv", "text/csv", 30ull << 20}});
    CHECK(big.next.at == step::wait_dataset);
    CHECK(all<fetch_dataset_action>(big).empty());
    CHECK(said(big).find("the limit is 20.0 MB") != std::string::npos);

    auto ok = run(settings(false), t.next, document_event{{"F1", "U1", "iris.csv", "text/csv", 4400}});
    CHECK(ok.next.at == step::reading_dataset);
    auto fetch = all<fetch_dataset_action>(ok);
    REQUIRE(fetch.size() == 1);
    CHECK(fetch[0].nonce == t.next.nonce);
    CHECK(fetch[0].target == "cloud");
    REQUIRE(fetch[0].document);
    CHECK(fetch[0].document->file_id == "F1");
    CHECK(said(ok).find("Reading <b>iris.csv</b>") != std::string::npos);

    auto busy = run(settings(false), ok.next, text_event{"hello?"});
    CHECK(busy.next.at == step::reading_dataset);
    CHECK(said(busy).find("Still reading") != std::string::npos);
}

TEST_CASE("a dataset URI is parsed, a bad one is explained")
{
    auto t = run(settings(false), fresh(), command_event{"train", ""});
    auto ok = run(settings(false), t.next, text_event{"runpod://eu-ro-1/vol123/data/iris.csv"});
    CHECK(ok.next.at == step::reading_dataset);
    auto fetch = all<fetch_dataset_action>(ok);
    REQUIRE(fetch.size() == 1);
    CHECK(fetch[0].uri == "runpod://EU-RO-1/vol123/data/iris.csv");
    CHECK_FALSE(fetch[0].document);

    auto bad = run(settings(false), t.next, text_event{"s3://"});
    CHECK(bad.next.at == step::wait_dataset);
    CHECK(said(bad).find("not a storage URI") != std::string::npos);

    auto chat = run(settings(false), t.next, text_event{"here it comes"});
    CHECK(chat.next.at == step::wait_dataset);
    CHECK(said(chat).find("CSV file") != std::string::npos);
}

TEST_CASE("the dataset's header becomes column buttons, late answers are ignored")
{
    auto t = run(settings(false), fresh(), command_event{"train", ""});
    auto reading = run(settings(false), t.next, document_event{{"F1", "U1", "iris.csv", "text/csv", 4400}}).next;

    dataset_ready_event ready{reading.nonce, "datasets/42/iris.csv", "iris.csv", {"a", "b", "species"}, 4400, 150};
    auto stale = ready;
    stale.nonce = "old00000";
    auto ignored = run(settings(false), reading, stale);
    CHECK(ignored.next == reading);
    CHECK(ignored.actions.empty());

    auto r = run(settings(false), reading, ready);
    CHECK(r.next.at == step::choose_column);
    CHECK(r.next.columns == std::vector<std::string>{"a", "b", "species"});
    CHECK(r.next.dataset_uri == "datasets/42/iris.csv");
    CHECK(button_data(r, "species") == reading.nonce + ":c:2");
    CHECK(said(r).find("150 rows") != std::string::npos);

    // One column is not a dataset to train on.
    auto one = ready;
    one.columns = {"only"};
    auto o = run(settings(false), reading, one);
    CHECK(o.next.at == step::wait_dataset);
    CHECK(said(o).find("at least two columns") != std::string::npos);
}

TEST_CASE("a failed fetch explains why and asks again")
{
    auto t = run(settings(false), fresh(), command_event{"train", ""});
    auto reading = run(settings(false), t.next, document_event{{"F1", "U1", "x.csv", "text/csv", 10}}).next;
    auto f = run(settings(false), reading,
                 dataset_failed_event{reading.nonce, mlcloud::error(mlcloud::errc::invalid_argument, "line 3: expected 2 fields")});
    CHECK(f.next.at == step::wait_dataset);
    CHECK(said(f).find("line 3: expected 2 fields") != std::string::npos);
    CHECK(said(f).find("Send another file") != std::string::npos);
}

TEST_CASE("too many columns for buttons: the name is typed")
{
    auto st = settings(false);
    st.max_column_buttons = 3;
    auto t = run(st, fresh(), command_event{"train", ""});
    auto reading = run(st, t.next, document_event{{"F1", "U1", "wide.csv", "text/csv", 10}}).next;
    auto r = run(st, reading, dataset_ready_event{reading.nonce, "d", "wide.csv", {"a", "b", "c", "d"}, 10, 1});
    REQUIRE(all<send_action>(r).size() == 1);
    CHECK(all<send_action>(r)[0].buttons.empty());
    auto typed = run(st, r.next, text_event{"c"});
    CHECK(typed.next.target_column == "c");
}

TEST_CASE("choosing the column on a cloud with prices recommends a GPU and lists the rest")
{
    auto s = at_choose_column();
    auto t = run(settings(), s, press(s.nonce + ":c:4"));
    CHECK(t.next.at == step::choose_gpu);
    CHECK(t.next.target_column == "species");
    auto text = said(t);
    CHECK(text.find("Recommended GPU") != std::string::npos);
    CHECK(text.find("Target column: <b>species</b>") != std::string::npos);
    auto const sends = all<send_action>(t);
    REQUIRE(sends.size() == 1);
    auto const& kb = sends[0].buttons;
    REQUIRE(kb.size() >= 2);
    CHECK(kb[0][0].text.find("Use") != std::string::npos);
    // Every offered GPU has a button.
    std::size_t buttons = 0;
    for (std::size_t r = 1; r < kb.size(); ++r)
        buttons += kb[r].size();
    CHECK(buttons == gpu_choices(settings(), "cloud").size());

    // Typing the column's exact name works as well.
    auto typed = run(settings(), s, text_event{"species"});
    CHECK(typed.next.at == step::choose_gpu);
}

TEST_CASE("choosing a GPU shows the confirmation with the estimated cost and the caps")
{
    auto s = at_choose_column();
    auto g = run(settings(), s, press(s.nonce + ":c:4")).next;
    auto choices = gpu_choices(settings(), "cloud");
    REQUIRE(choices.size() > 1);
    auto t = run(settings(), g, press(g.nonce + ":g:1"));
    CHECK(t.next.at == step::confirm);
    CHECK(t.next.gpu == choices[1]->id);
    auto text = said(t);
    CHECK(text.find("Confirm the launch") != std::string::npos);
    CHECK(text.find("Estimated cost") != std::string::npos);
    CHECK(text.find("$5.00") != std::string::npos); // the cost cap
    CHECK(button_data(t, "Launch") == g.nonce + ":go");
    CHECK(button_data(t, "Cancel") == g.nonce + ":no");

    // An index past the list is a stale button, not a crash.
    auto bad = run(settings(), g, press(g.nonce + ":g:999"));
    CHECK(bad.next == g);
    CHECK(bad.actions[0] == action{answer_action{"cb-1", "This button is no longer active."}});
}

TEST_CASE("spot launches carry the interruption warning")
{
    auto st = settings();
    st.market = mlcloud::market::spot;
    auto s = at_choose_column(st);
    auto g = run(st, s, press(s.nonce + ":c:4")).next;
    auto t = run(st, g, press(g.nonce + ":g:0"));
    CHECK(said(t).find("may reclaim") != std::string::npos);
}

TEST_CASE("Launch records the launch and ends the conversation")
{
    auto s = at_choose_column();
    auto g = run(settings(), s, press(s.nonce + ":c:4")).next;
    auto c = run(settings(), g, press(g.nonce + ":g:0")).next;
    auto t = run(settings(), c, press(c.nonce + ":go"));
    auto launches = all<launch_action>(t);
    REQUIRE(launches.size() == 1);
    CHECK(launches[0] == launch_action{"cloud", "datasets/42/U1-iris.csv", "iris.csv", "species", c.gpu});
    CHECK(t.next.at == step::idle);
    CHECK(t.next.nonce.empty());
    CHECK(said(t).find("Launching on RunPod") != std::string::npos);

    // The same button again is stale: nothing is launched twice.
    auto again = run(settings(), t.next, press(c.nonce + ":go"));
    CHECK(all<launch_action>(again).empty());
    CHECK(again.actions[0] == action{answer_action{"cb-1", "This button is no longer active."}});
}

TEST_CASE("Launch over the per-user job limit is refused and can be pressed again later")
{
    auto s = at_choose_column();
    auto g = run(settings(), s, press(s.nonce + ":c:4")).next;
    auto c = run(settings(), g, press(g.nonce + ":g:0")).next;
    auto busy = ctx();
    busy.active_jobs = 1;
    auto t = run(settings(), c, press(c.nonce + ":go"), busy);
    CHECK(all<launch_action>(t).empty());
    CHECK(t.next.at == step::confirm);
    CHECK(said(t).find("the limit is 1") != std::string::npos);
    auto later = run(settings(), t.next, press(c.nonce + ":go"));
    CHECK(all<launch_action>(later).size() == 1);
}

TEST_CASE("Cancel on the confirmation launches nothing")
{
    auto s = at_choose_column();
    auto g = run(settings(), s, press(s.nonce + ":c:4")).next;
    auto c = run(settings(), g, press(g.nonce + ":g:0")).next;
    auto t = run(settings(), c, press(c.nonce + ":no"));
    CHECK(t.next.at == step::idle);
    CHECK(all<launch_action>(t).empty());
    CHECK(said(t).find("nothing was launched") != std::string::npos);
}

TEST_CASE("training locally skips the GPU and says it is free")
{
    auto t = run(settings(), fresh(), command_event{"train", ""});
    t = run(settings(), t.next, press(button_data(t, "Local")));
    t = run(settings(), t.next, document_event{{"F1", "U1", "iris.csv", "text/csv", 4400}});
    t = run(settings(), t.next, dataset_ready_event{t.next.nonce, "datasets/iris.csv", "iris.csv", {"x", "y"}, 10, 2});
    auto c = run(settings(), t.next, press(t.next.nonce + ":c:1"));
    CHECK(c.next.at == step::confirm);
    CHECK(c.next.gpu.empty());
    CHECK(said(c).find("free") != std::string::npos);
    auto go = run(settings(), c.next, press(c.next.nonce + ":go"));
    REQUIRE(all<launch_action>(go).size() == 1);
    CHECK(all<launch_action>(go)[0].target == "local");
}

TEST_CASE("a provider without prices skips the GPU step")
{
    auto st = settings(false);
    st.cloud_provider = "memory";
    auto t = run(st, fresh(), command_event{"train", ""});
    t = run(st, t.next, document_event{{"F1", "U1", "iris.csv", "text/csv", 4400}});
    t = run(st, t.next, dataset_ready_event{t.next.nonce, "d", "iris.csv", {"x", "y"}, 10, 2});
    auto c = run(st, t.next, press(t.next.nonce + ":c:1"));
    CHECK(c.next.at == step::confirm);
    CHECK(said(c).find("not in the price table") != std::string::npos);
}

TEST_CASE("stale buttons: an old nonce, a wrong step, garbage, a button while idle")
{
    auto s = at_choose_column();
    for (auto const& data : {std::string("deadbeef:c:1"), s.nonce + ":t:cloud", std::string("garbage"),
                             s.nonce + ":c:notanumber", s.nonce + ":c:5", std::string()})
    {
        INFO(data);
        auto t = run(settings(), s, press(data));
        CHECK(t.next.at == s.at);
        CHECK(t.next.nonce == s.nonce);
        CHECK(t.next.target_column.empty());
        REQUIRE(t.actions.size() == 2);
        CHECK(t.actions[0] == action{answer_action{"cb-1", "This button is no longer active."}});
        CHECK(t.actions[1] == action{clear_buttons_action{77}});
    }
    auto idle = run(settings(), fresh(), press("n0000001:go"));
    CHECK(idle.next.at == step::idle);
    CHECK(idle.actions.size() == 2);
    // A press on an inaccessible message is still answered.
    auto hidden = run(settings(), fresh(), press("x:y", 0));
    CHECK(hidden.actions == std::vector<action>{answer_action{"cb-1", "This button is no longer active."}});
}

TEST_CASE("an idle conversation times out, an idle session does not")
{
    auto s = at_choose_column();
    auto t = run(settings(), s, timeout_event{});
    CHECK(t.next.at == step::idle);
    CHECK(t.next.nonce.empty());
    CHECK(said(t).find("15m") != std::string::npos);

    auto none = run(settings(), fresh(), timeout_event{});
    CHECK(none.actions.empty());
    CHECK(none.next == fresh());

    CHECK(expires(step::choose_column));
    CHECK(expires(step::reading_dataset));
    CHECK_FALSE(expires(step::idle));
}

TEST_CASE("/cancel ends a conversation first, then stops jobs")
{
    auto s = at_choose_column();
    auto busy = ctx();
    busy.active_jobs = 1;
    auto t = run(settings(), s, command_event{"cancel", ""}, busy);
    CHECK(t.next.at == step::idle);
    CHECK(all<cancel_jobs_action>(t).empty());
    CHECK(said(t).find("send /cancel again") != std::string::npos);

    auto again = run(settings(), t.next, command_event{"cancel", ""}, busy);
    CHECK(again.actions == std::vector<action>{cancel_jobs_action{false}});
}

TEST_CASE("/predict: choose one of the user's models, then send the input")
{
    auto none = run(settings(), fresh(), command_event{"predict", ""});
    CHECK(none.next.at == step::idle);
    CHECK(said(none).find("no models yet") != std::string::npos);

    auto c = ctx("pp000001");
    c.models = {{7, "iris.csv \xE2\x86\x92 species", "cloud", "runpod", "runpod://EU-RO-1/v/models/7.json", t0},
                {3, "old.csv \xE2\x86\x92 y", "local", "local", "models/3.json", t0}};
    auto t = run(settings(), fresh(), command_event{"predict", ""}, c);
    CHECK(t.next.at == step::choose_model);
    CHECK(button_data(t, "iris.csv") == "pp000001:m:7");
    CHECK(button_data(t, "old.csv") == "pp000001:m:3");

    // A model id that is not the user's is stale.
    auto foreign = run(settings(), t.next, press("pp000001:m:99"), c);
    CHECK(foreign.next.at == step::choose_model);
    CHECK(foreign.actions[0] == action{answer_action{"cb-1", "This button is no longer active."}});

    auto m = run(settings(), t.next, press("pp000001:m:7"), c);
    CHECK(m.next.at == step::wait_input);
    CHECK(m.next.model_id == 7);
    CHECK(said(m).find("iris.csv") != std::string::npos);

    auto doc = run(settings(), m.next, document_event{{"F5", "U5", "rows.csv", "text/csv", 100}}, c);
    CHECK(doc.next.at == step::idle);
    REQUIRE(all<predict_action>(doc).size() == 1);
    CHECK(all<predict_action>(doc)[0].model_id == 7);
    CHECK(all<predict_action>(doc)[0].document->file_id == "F5");

    auto uri = run(settings(), m.next, text_event{"s3://bucket/rows.csv"}, c);
    REQUIRE(all<predict_action>(uri).size() == 1);
    CHECK(all<predict_action>(uri)[0].uri == "s3://bucket/rows.csv");

    auto chat = run(settings(), m.next, text_event{"soon"}, c);
    CHECK(chat.next.at == step::wait_input);
    CHECK(all<predict_action>(chat).empty());
}

TEST_CASE("/models, /gpus, /status and unknown commands")
{
    auto c = ctx();
    c.models = {{7, "iris.csv \xE2\x86\x92 species", "cloud", "runpod", "runpod://EU-RO-1/v/models/7.json", t0}};
    auto m = run(settings(), fresh(), command_event{"models", ""}, c);
    CHECK(said(m).find("runpod://EU-RO-1/v/models/7.json") != std::string::npos);

    auto g = run(settings(), fresh(), command_event{"gpus", ""});
    CHECK(said(g).find("GPU prices") != std::string::npos);
    CHECK(said(g).find("RTX A5000") != std::string::npos);

    auto st = settings();
    st.cloud_provider = "memory";
    auto none = run(st, fresh(), command_event{"gpus", ""});
    CHECK(said(none).find("no GPU price table for memory") != std::string::npos);

    CHECK(run(settings(), fresh(), command_event{"status", ""}).actions == std::vector<action>{status_action{}});

    auto u = run(settings(), fresh(), command_event{"<b>x</b>", ""});
    CHECK(said(u).find("Unknown command /&lt;b&gt;x&lt;/b&gt;") != std::string::npos);
}

TEST_CASE("a file at the wrong moment is explained")
{
    auto idle = run(settings(), fresh(), document_event{{"F", "U", "x.csv", "", 1}});
    CHECK(said(idle).find("/train") != std::string::npos);
    auto s = at_choose_column();
    auto t = run(settings(), s, document_event{{"F", "U", "x.csv", "", 1}});
    CHECK(t.next.at == step::choose_column);
    CHECK(said(t).find("not expecting a file") != std::string::npos);
}

TEST_CASE("plain format for the console has no tags")
{
    auto st = settings();
    st.format = text_format::plain;
    auto t = run(st, fresh(), command_event{"train", ""});
    CHECK(said(t).find("<b>") == std::string::npos);
    CHECK(said(t).find("Where should the model train?") != std::string::npos);
}

TEST_CASE("sessions and actions survive their JSON forms")
{
    auto s = at_choose_column();
    s.gpu = "NVIDIA RTX A5000";
    s.model_id = 12;
    s.target_column = "species";
    auto back = session_from_json(to_json(s));
    REQUIRE(back.has_value());
    CHECK(*back == s);
    CHECK_FALSE(session_from_json("{\"step\":\"nowhere\"}").has_value());
    CHECK_FALSE(session_from_json("not json").has_value());

    std::vector<action> actions{
        send_action{"<b>hi</b>", {{{"A", "n:a"}, {"B", "n:b"}}, {{"C", "n:c"}}}},
        clear_buttons_action{9},
        answer_action{"cb", "note"},
        fetch_dataset_action{"n", "cloud", tg_document{"F", "U", "x.csv", "text/csv", 12}, ""},
        fetch_dataset_action{"n", "local", std::nullopt, "s3://b/k"},
        launch_action{"cloud", "s3://b/d.csv", "d.csv", "y", "g5.xlarge"},
        predict_action{4, tg_document{"F", "U", "x.csv", "", std::nullopt}, ""},
        cancel_jobs_action{true},
        status_action{},
        document_action{"/var/lib/bot/out/3.csv", "predictions.csv", "<b>Predictions ready</b>"},
    };
    for (auto const& a : actions)
    {
        auto r = action_from_json(to_json(a));
        REQUIRE(r.has_value());
        CHECK(*r == a);
    }
    CHECK_FALSE(action_from_json("{\"kind\":\"explode\"}").has_value());
}
