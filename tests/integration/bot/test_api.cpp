//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// mlcloud-bot against telegram-test-api (npm), the stock Telegram emulator: the test plays
// the user through the emulator's client routes and reads the bot's messages, edits applied,
// from its history. The emulator has no file transfer, so the dataset and the prediction input
// are given as storage URIs; the prediction's answer is a document, which it cannot take, so
// /predict stops at the request here (tests/integration/bot/fake_api.cpp covers the rest).

#include "support.hpp"

#include <ctime>

using namespace bot_it;

namespace {

constexpr std::int64_t user = 4242;

class emulator_user
{
public:
    explicit emulator_user(std::string token)
        : token_(std::move(token)), api_(mlcloud_test::fixture_url("telegram_test_api"))
    {
    }

    std::string const& token() const { return token_; }
    std::string base_url() const { return mlcloud_test::fixture_url("telegram_test_api"); }

    json::object from(std::int64_t id) const
    {
        return {{"id", id}, {"is_bot", false}, {"first_name", "User"}, {"username", "user" + std::to_string(id)}};
    }
    json::object chat(std::int64_t id) const { return {{"id", id}, {"type", "private"}, {"first_name", "User"}}; }

    void command(std::string const& text, std::int64_t id = user)
    {
        auto const length = static_cast<std::int64_t>(text.find(' ') == std::string::npos ? text.size() : text.find(' '));
        api_.post("/sendCommand",
                  {{"botToken", token_}, {"from", from(id)}, {"chat", chat(id)}, {"date", std::time(nullptr)},
                   {"text", text},
                   {"entities", json::array{json::object{{"offset", 0}, {"length", length}, {"type", "bot_command"}}}}});
    }

    void say(std::string const& text, std::int64_t id = user)
    {
        api_.post("/sendMessage", {{"botToken", token_}, {"from", from(id)}, {"chat", chat(id)},
                                   {"date", std::time(nullptr)}, {"text", text}});
    }

    /// The emulator does not link a callback to the bot's message: the test names it.
    void press_data(std::string const& data, std::int64_t message_id, std::int64_t id = user)
    {
        api_.post("/sendCallback", {{"botToken", token_}, {"from", from(id)}, {"date", std::time(nullptr)},
                                    {"data", data},
                                    {"message", json::object{{"message_id", message_id}, {"chat", chat(id)}, {"from", from(id)}}}});
    }

    struct bot_message
    {
        std::int64_t id = 0;
        std::int64_t chat = 0;
        std::string text;
        json::value markup;
    };

    /// The bot's messages to `chat`, in order, as they read now.
    std::vector<bot_message> messages(std::int64_t chat_id = user)
    {
        std::vector<bot_message> out;
        auto const history = api_.post("/getUpdatesHistory", {{"token", token_}});
        for (auto const& rec : history.at("result").as_array())
        {
            auto const* msg = rec.as_object().if_contains("message");
            if (!msg || !msg->is_object()) // a user's button press
                continue;
            auto const& m = msg->as_object();
            auto const* c = m.if_contains("chat_id");
            if (!c) // a user's message
                continue;
            std::int64_t const to = c->is_string() ? std::stoll(std::string(c->as_string())) : c->to_number<std::int64_t>();
            if (to != chat_id)
                continue;
            bot_message b;
            b.id = rec.at("messageId").to_number<std::int64_t>();
            b.chat = to;
            if (auto const* t = m.if_contains("text"); t && t->is_string())
                b.text = std::string(t->as_string());
            if (auto const* k = m.if_contains("reply_markup"))
                b.markup = *k;
            out.push_back(std::move(b));
        }
        return out;
    }

    int count(std::string const& needle)
    {
        int n = 0;
        for (auto const& m : messages())
            n += m.text.find(needle) != std::string::npos;
        return n;
    }

    std::optional<bot_message> find(std::string const& needle)
    {
        for (auto& m : messages())
            if (m.text.find(needle) != std::string::npos)
                return m;
        return std::nullopt;
    }

    bool wait_for(std::string const& needle, int at_least = 1, std::chrono::steady_clock::duration limit = 90s)
    {
        bool const ok = eventually([&] { return count(needle) >= at_least; }, limit);
        if (!ok)
            for (auto const& m : messages())
                UNSCOPED_INFO("bot said: " << m.text);
        return ok;
    }

    /// The callback data of the button labelled `label` on the newest message that has one.
    std::optional<std::pair<std::string, std::int64_t>> button(std::string const& label)
    {
        auto const ms = messages();
        for (auto it = ms.rbegin(); it != ms.rend(); ++it)
        {
            auto markup = it->markup;
            if (markup.is_string())
                markup = json::parse(markup.as_string());
            if (!markup.is_object() || !markup.as_object().contains("inline_keyboard"))
                continue;
            for (auto const& row : markup.at("inline_keyboard").as_array())
                for (auto const& b : row.as_array())
                    if (std::string(b.at("text").as_string()).find(label) != std::string::npos)
                        return std::pair{std::string(b.at("callback_data").as_string()), it->id};
        }
        return std::nullopt;
    }

    bool press(std::string const& label)
    {
        auto b = button(label);
        if (!b)
            return false;
        press_data(b->first, b->second);
        return true;
    }

private:
    std::string token_;
    http_json api_;
};

/// A bot on the local backend with iris.csv already in its storage; returns the dataset URI.
std::string prepare(scratch const& dir, emulator_user const& u, std::string const& trainer_command = {})
{
    fs::create_directories(dir.path / "root" / "datasets");
    write_text(dir.path / "root" / "datasets" / "iris.csv", iris_csv());
    fs::create_directories(dir.path / "root" / "inputs");
    write_text(dir.path / "root" / "inputs" / "rows.csv",
               read_text(fs::path(MLCLOUD_EXAMPLE_DATA) / "iris-predict.csv"));
    write_text(dir.path / "bot.json", local_config(dir.path, u.base_url(), trainer_command));
    return "file://" + (dir.path / "root" / "datasets" / "iris.csv").string();
}

/// /train with a dataset URI, up to the confirmation.
void train_until_confirmation(emulator_user& u, std::string const& dataset)
{
    auto const prompts = u.count("Send the dataset");
    u.command("/train");
    REQUIRE(u.wait_for("Send the dataset", prompts + 1));
    u.say(dataset);
    REQUIRE(u.wait_for("Which column should the model predict?"));
    REQUIRE(u.press("species"));
    REQUIRE(u.wait_for("Confirm the launch"));
}

} // namespace

TEST_CASE("telegram-test-api: a whole /train conversation, a stranger, a stale button, /predict's request")
{
    scratch dir("tta-train");
    emulator_user u("123456:TTA-train-" + std::to_string(::getpid()));
    auto const dataset = prepare(dir, u);
    bot_process bot(dir.path, u.token());
    bot.start(dir.path / "bot.json");

    u.command("/start");
    REQUIRE(u.wait_for("/train - train a model"));

    // A stranger is ignored: no reply at all.
    u.command("/train", 999);
    u.say("hello", 999);

    train_until_confirmation(u, dataset);
    CHECK(u.find("Confirm the launch")->text.find("free") != std::string::npos);
    auto const launch = u.button("Launch");
    REQUIRE(launch);
    u.press_data(launch->first, launch->second);
    REQUIRE(u.wait_for("Training launched"));
    REQUIRE(u.wait_for("Training complete"));

    // The live log: one message, edited until the completion marker.
    CHECK(u.count("Training logs") == 1);
    CHECK(u.find("Training logs")->text.find("Model saved successfully!</pre>") != std::string::npos);
    CHECK(u.find("Training complete")->text.find("Model: <code>models/4242/") != std::string::npos);
    // The answered questions lost their buttons.
    CHECK_FALSE(u.button("species"));

    // The stale Launch button does nothing.
    u.press_data(launch->first, launch->second);
    u.command("/models");
    REQUIRE(u.wait_for("Your models"));
    CHECK(u.count("Training launched") == 1);

    CHECK(u.messages(999).empty());
    CHECK(bot.log().find("from user 999 ignored") != std::string::npos);

    // /predict up to the request: the emulator cannot take the document that answers it.
    u.command("/predict");
    REQUIRE(u.wait_for("Which model should predict?"));
    REQUIRE(u.press("iris.csv"));
    REQUIRE(u.wait_for("Send the input"));
    u.say("file://" + (dir.path / "root" / "inputs" / "rows.csv").string());
    REQUIRE(u.wait_for("Running the prediction"));
    REQUIRE(eventually([&] { return bot.log().find("prediction local-") != std::string::npos; }));
    CHECK(bot.kill(SIGTERM) == 0);
}

TEST_CASE("telegram-test-api: /cancel stops a running job and says what it cost")
{
    scratch dir("tta-cancel");
    emulator_user u("123456:TTA-cancel-" + std::to_string(::getpid()));
    std::string const long_run = std::string("[\"") + MLCLOUD_TRAINER_EXE + "\", \"train\", \"--epochs\", \"10000000\"]";
    auto const dataset = prepare(dir, u, long_run);
    bot_process bot(dir.path, u.token());
    bot.start(dir.path / "bot.json");

    train_until_confirmation(u, dataset);
    REQUIRE(u.press("Launch"));
    REQUIRE(u.wait_for("Training launched"));
    REQUIRE(eventually([&] {
        auto v = u.find("Training logs");
        return v && v->text.find("epoch") != std::string::npos;
    }));

    // In the middle of a conversation, /cancel ends the conversation first.
    u.command("/train");
    REQUIRE(u.wait_for("Send the dataset", 2));
    u.command("/cancel");
    REQUIRE(u.wait_for("send /cancel again to stop it"));
    u.command("/cancel");
    REQUIRE(u.wait_for("Stopped"));
    auto const stopped = u.find("Stopped")->text;
    CHECK(stopped.find("It cost <b>$0.00</b>") != std::string::npos);
    CHECK(stopped.find("Job ID <code>local-") != std::string::npos);
    CHECK(u.count("Training complete") == 0);
    CHECK(bot.kill(SIGTERM) == 0);
}
