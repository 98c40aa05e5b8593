//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// mlcloud-bot against our Bot API fake (tests/fakes/telegram_bot_api.py), for what
// telegram-test-api does not emulate: files both ways, real long polling and offsets, 429,
// 409, HTML and length checks; and the restart test (SIGKILL during training).

#include "support.hpp"

#include <openssl/evp.h>

using namespace bot_it;

namespace {

constexpr std::int64_t user = 4242;

std::string base64(std::string const& data)
{
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    auto const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<unsigned char const*>(data.data()), static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string unbase64(std::string const& text)
{
    std::string out(3 * text.size() / 4 + 3, '\0');
    auto const n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<unsigned char const*>(text.data()), static_cast<int>(text.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    while (!text.empty() && text.back() == '=' && !out.empty() && out.back() == '\0')
        out.pop_back(); // EVP_DecodeBlock counts the padding
    return out;
}

/// The user's side of a chat with the bot on the fake, under a token of its own.
class user_side
{
public:
    explicit user_side(std::string token) : token_(std::move(token)), api_(mlcloud_test::fixture_url("bot_api_fake")) {}

    std::string const& token() const { return token_; }
    std::string base_url() const { return mlcloud_test::fixture_url("bot_api_fake"); }

    std::int64_t say(std::string const& text, std::int64_t from = user, std::string const& chat_type = "private")
    {
        auto r = api_.post("/test/message", {{"token", token_}, {"user_id", from}, {"chat_id", from},
                                             {"chat_type", chat_type}, {"text", text}});
        return r.at("update_id").to_number<std::int64_t>();
    }

    void send_file(std::string const& name, std::string const& content, std::int64_t from = user,
                   std::optional<std::uint64_t> declared = {}, bool lie_size = false)
    {
        json::object doc{{"file_name", name}, {"content_base64", base64(content)}, {"lie_size", lie_size}};
        if (declared)
            doc["declared_size"] = *declared;
        api_.post("/test/message", {{"token", token_}, {"user_id", from}, {"chat_id", from}, {"document", doc}});
    }

    void press_data(std::string const& data, std::int64_t message_id, std::int64_t from = user)
    {
        api_.post("/test/callback", {{"token", token_}, {"user_id", from}, {"chat_id", from},
                                     {"message_id", message_id}, {"data", data}});
    }

    /// Presses the button labelled `label` on the newest message that has one.
    bool press(std::string const& label)
    {
        auto const ms = messages();
        for (auto it = ms.rbegin(); it != ms.rend(); ++it)
        {
            auto const* markup = it->as_object().if_contains("reply_markup");
            if (!markup || !markup->is_object())
                continue;
            for (auto const& row : markup->at("inline_keyboard").as_array())
                for (auto const& b : row.as_array())
                    if (std::string(b.at("text").as_string()).find(label) != std::string::npos)
                    {
                        press_data(std::string(b.at("callback_data").as_string()),
                                   it->at("message_id").to_number<std::int64_t>());
                        return true;
                    }
        }
        return false;
    }

    json::array messages(std::int64_t chat = user)
    {
        return api_.get("/test/messages?token=" + token_ + "&chat_id=" + std::to_string(chat)).as_array();
    }

    static std::string text_of(json::value const& m)
    {
        auto const& o = m.as_object();
        if (auto const* t = o.if_contains("text"); t && t->is_string())
            return std::string(t->as_string());
        if (auto const* c = o.if_contains("caption"); c && c->is_string())
            return std::string(c->as_string());
        return {};
    }

    int count(std::string const& needle)
    {
        int n = 0;
        for (auto const& m : messages())
            n += text_of(m).find(needle) != std::string::npos;
        return n;
    }

    std::optional<json::object> find(std::string const& needle)
    {
        for (auto const& m : messages())
            if (text_of(m).find(needle) != std::string::npos)
                return m.as_object();
        return std::nullopt;
    }

    bool wait_for(std::string const& needle, int at_least = 1, std::chrono::steady_clock::duration limit = 90s)
    {
        bool const ok = eventually([&] { return count(needle) >= at_least; }, limit);
        if (!ok)
            for (auto const& m : messages())
                UNSCOPED_INFO("bot said: " << text_of(m));
        return ok;
    }

    json::array answers() { return api_.get("/test/answers?token=" + token_).as_array(); }
    json::array calls() { return api_.get("/test/calls?token=" + token_).as_array(); }
    int calls_of(std::string const& method)
    {
        int n = 0;
        for (auto const& c : calls())
            n += c.at("method").as_string() == method;
        return n;
    }
    void fault(json::object f)
    {
        f["token"] = token_;
        api_.post("/test/fault", f);
    }

private:
    std::string token_;
    http_json api_;
};

/// The lines of the <pre> block of a log view.
std::vector<std::string> view_lines(std::string const& html)
{
    std::vector<std::string> out;
    auto const start = html.find("<pre>");
    auto const end = html.find("</pre>");
    if (start == std::string::npos || end == std::string::npos)
        return out;
    std::string const body = html.substr(start + 5, end - start - 5);
    std::size_t pos = 0;
    for (;;)
    {
        auto const nl = body.find('\n', pos);
        out.push_back(body.substr(pos, nl - pos));
        if (nl == std::string::npos)
            break;
        pos = nl + 1;
    }
    return out;
}

/// Walks /train with a file up to the confirmation.
void train_until_confirmation(user_side& u, std::string const& column = "species")
{
    auto const columns = u.count("Which column");
    auto const confirms = u.count("Confirm the launch");
    u.say("/train");
    REQUIRE(u.wait_for("Send the dataset"));
    u.send_file("iris.csv", iris_csv());
    REQUIRE(u.wait_for("Which column", columns + 1));
    REQUIRE(u.press(column));
    REQUIRE(u.wait_for("Confirm the launch", confirms + 1));
}

/// One test's world: a scratch directory, a user on the fake under a token of its own, and a
/// bot configured for both (started by start()).
struct bot_on_fake
{
    scratch dir;
    user_side u;
    bot_process bot;

    explicit bot_on_fake(std::string const& name, std::string const& trainer_command = {},
                         std::string const& extra_config = {})
        : dir(name), u("123456:" + name + "-" + std::to_string(::getpid())), bot(dir.path, u.token())
    {
        configure(trainer_command, extra_config);
    }
    void configure(std::string const& trainer_command, std::string const& extra_config)
    {
        write_text(dir.path / "bot.json", local_config(dir.path, u.base_url(), trainer_command, extra_config));
    }
    void start() { bot.start(dir.path / "bot.json"); }

    /// Starts the bot, has Telegram refuse its next sendMessage with a 429 that asks for
    /// `retry_after` seconds, and sends /help.
    void start_into_flood_control(int retry_after)
    {
        start();
        u.fault({{"method", "sendMessage"}, {"error_code", 429}, {"retry_after", retry_after}});
        u.say("/help");
    }
};

} // namespace

TEST_CASE("train on an uploaded file and predict on another: files both ways")
{
    bot_on_fake t("bot-files");
    auto& u = t.u;
    auto& bot = t.bot;
    t.start();

    u.say("/start");
    REQUIRE(u.wait_for("/train - train a model"));
    train_until_confirmation(u);
    REQUIRE(u.press("Launch"));
    REQUIRE(u.wait_for("Training launched"));
    REQUIRE(u.wait_for("Training complete"));
    CHECK(u.calls_of("getFile") == 1);

    // One live view, edited to the end of the log.
    CHECK(u.count("Training logs") == 1);
    auto const view = u.find("Training logs");
    REQUIRE(view);
    auto const lines = view_lines(std::string(view->at("text").as_string()));
    REQUIRE(lines.size() >= 3);
    CHECK(lines.back() == "\xE2\x9C\x85 Model saved successfully!");
    CHECK(view->at("edits").to_number<int>() >= 1);
    auto const done = u.find("Training complete");
    CHECK(std::string(done->at("text").as_string()).find("Job ID: <code>local-") != std::string::npos);
    CHECK(std::string(done->at("text").as_string()).find("val_accuracy") != std::string::npos);

    u.say("/predict");
    REQUIRE(u.wait_for("Which model should predict?"));
    REQUIRE(u.press("iris.csv"));
    REQUIRE(u.wait_for("Send the input"));
    u.send_file("rows.csv", read_text(fs::path(MLCLOUD_EXAMPLE_DATA) / "iris-predict.csv"));
    REQUIRE(u.wait_for("Predictions ready"));
    auto const doc = u.find("Predictions ready");
    auto const caption = std::string(doc->at("caption").as_string());
    CHECK(caption.find("Request ID: <code>local-") != std::string::npos);
    CHECK(caption.find("Cost: <b>$0.00</b>") != std::string::npos);
    CHECK(doc->at("document").at("file_name").as_string() == "predictions.csv");
    auto const csv = unbase64(std::string(doc->at("content_base64").as_string()));
    CHECK(csv.starts_with("sepal_length,sepal_width,petal_length,petal_width,prediction\n"));
    CHECK(csv.find("setosa") != std::string::npos);

    // Every button press was answered.
    CHECK(u.answers().size() == 3);
    CHECK(bot.kill(SIGTERM) == 0);
}

TEST_CASE("a 429 is waited out and the message is sent once")
{
    bot_on_fake t("bot-429");
    auto& u = t.u;
    auto& bot = t.bot;
    t.start_into_flood_control(2);
    REQUIRE(u.wait_for("/train - train a model"));
    CHECK(u.count("/train - train a model") == 1);

    // The second sendMessage came no sooner than retry_after after the refused one.
    std::vector<double> sends;
    std::vector<int> statuses;
    for (auto const& c : u.calls())
        if (c.at("method").as_string() == "sendMessage")
        {
            sends.push_back(c.at("t").to_number<double>());
            statuses.push_back(c.at("status").to_number<int>());
        }
    REQUIRE(sends.size() == 2);
    CHECK(statuses == std::vector<int>{429, 200});
    CHECK(sends[1] - sends[0] >= 1.9);
    CHECK(bot.log().find("429") != std::string::npos);
}

TEST_CASE("a 429 asking for longer than the bot waits in a call still holds the chat's next send")
{
    bot_on_fake t("bot-429-long");
    auto& u = t.u;
    auto& bot = t.bot;
    // Over telegram_options::max_retry_after (300 s): the call gives up at once, and the chat's
    // retry (1 s later) used to go out straight into the same flood control.
    t.start_into_flood_control(400);
    REQUIRE(eventually([&] { return u.calls_of("sendMessage") >= 1; }));
    std::this_thread::sleep_for(std::chrono::seconds(3)); // the chat's retry is due 1 s after the refusal
    CHECK(u.calls_of("sendMessage") == 1);
    // Held for all 400 s Telegram asked, not for the 300 s the call would have waited.
    REQUIRE(eventually([&] { return bot.log().find("wait 400 s (429); the call gives up") != std::string::npos; }));
    CHECK(bot.kill(SIGTERM) == 0);
}

TEST_CASE("SIGTERM ends a flood-control wait: the bot does not sit out Telegram's retry_after")
{
    bot_on_fake t("bot-429-stop");
    auto& u = t.u;
    auto& bot = t.bot;
    // 250 s is within what a call waits (max_retry_after 300 s): the send is kept, and waits.
    t.start_into_flood_control(250);
    REQUIRE(eventually([&] { return bot.log().find("wait 250 s (429); the call is kept") != std::string::npos; }));
    CHECK(bot.kill(SIGTERM) == 0); // within kill()'s 60 s, so long before the 250 s are over
    CHECK(u.calls_of("sendMessage") == 1);
}

TEST_CASE("a message over 4096 characters arrives in valid parts")
{
    // A price table long enough to need several messages.
    std::string rows;
    for (int i = 0; i < 150; ++i)
        rows += std::string(rows.empty() ? "" : ",") + R"({"provider": "acme", "id": "acme-gpu-)" + std::to_string(i) +
                R"(", "display_name": "Acme <GPU> & friends )" + std::to_string(i) +
                R"(", "vram_gb": 24, "on_demand_usd_per_hour": 0.5})";
    bot_on_fake t("bot-long");
    auto const prices = t.dir.path / "prices.json";
    write_text(prices, R"({"providers": ["acme"], "rows": [)" + rows + "]}");
    t.configure({}, R"(, "pricing_file": ")" + prices.string() + "\"");
    auto& u = t.u;
    t.start();
    u.say("/gpus");
    REQUIRE(u.wait_for("friends 149"));
    auto const ms = u.messages();
    REQUIRE(ms.size() >= 2);
    // The fake refuses broken HTML and texts over 4096 characters: that every part arrived is
    // the proof; all rows are there, once.
    std::string all;
    for (auto const& m : ms)
        all += user_side::text_of(m);
    for (int i = 0; i < 150; ++i)
        CHECK(all.find("friends " + std::to_string(i) + ",") != std::string::npos);
    for (auto const& c : u.calls())
        if (c.at("method").as_string() == "sendMessage")
            CHECK(c.at("status").to_number<int>() == 200);
}

TEST_CASE("kill -9 during training: the restarted bot continues the log view without repeats")
{
    // A workload that prints slowly, so the kill lands in the middle.
    bot_on_fake t("bot-restart",
                  R"(["/bin/sh", "-c", "i=1; while [ $i -le 40 ]; do echo step $i; i=$((i+1)); sleep 0.1; done; echo '\u2705 Model saved successfully!'"])");
    auto& u = t.u;
    auto& bot = t.bot;
    t.start();

    train_until_confirmation(u);
    REQUIRE(u.press("Launch"));
    REQUIRE(u.wait_for("Training launched"));
    REQUIRE(eventually([&] {
        auto v = u.find("Training logs");
        return v && std::string(v->at("text").as_string()).find("step 8") != std::string::npos;
    }));
    CHECK(bot.kill(SIGKILL) == 128 + SIGKILL);
    std::this_thread::sleep_for(1s); // the job goes on without the bot
    t.start();
    REQUIRE(u.wait_for("Training complete"));

    CHECK(u.count("Training logs") == 1);
    CHECK(u.count("Training launched") == 1);
    CHECK(u.count("Training complete") == 1);
    auto const view = u.find("Training logs");
    auto const lines = view_lines(std::string(view->at("text").as_string()));
    std::vector<std::string> expected;
    for (int i = 1; i <= 40; ++i)
        expected.push_back("step " + std::to_string(i));
    expected.emplace_back("\xE2\x9C\x85 Model saved successfully!");
    CHECK(lines == expected);

    // Recorded once: one model, one job.
    u.say("/models");
    REQUIRE(u.wait_for("Your models"));
    auto const models = std::string(u.find("Your models")->at("text").as_string());
    CHECK(models.find("iris.csv") == models.rfind("iris.csv"));
    u.say("/status");
    REQUIRE(u.wait_for("Status"));
    auto const status = std::string(u.find("Status")->at("text").as_string());
    CHECK(status.find("succeeded") != std::string::npos);
    CHECK(status.find("iris.csv") == status.rfind("iris.csv"));
    CHECK(bot.kill(SIGTERM) == 0);
}

TEST_CASE("a job the bot launched but lost the record of is reported and stopped at the next start")
{
    // The workload beats a heartbeat file until it is stopped; the bot is killed after the
    // launch and its database removed, as after a lost disk: the running job is an orphan.
    scratch work("bot-orphan-beat");
    auto const heartbeat = (work.path / "beat").string();
    bot_on_fake t("bot-orphan",
                  R"(["/bin/sh", "-c", "i=0; while [ $i -lt 1200 ]; do echo $i > )" + heartbeat +
                      R"(; i=$((i+1)); sleep 0.1; done"])",
                  R"(, "orphans": {"terminate_orphans": true, "min_age_s": 0, "notify_chat_ids": [4242]})");
    auto& u = t.u;
    t.start();
    train_until_confirmation(u);
    REQUIRE(u.press("Launch"));
    REQUIRE(u.wait_for("Training launched"));
    REQUIRE(eventually([&] { return read_text(heartbeat).size() > 0; }));
    CHECK(t.bot.kill(SIGKILL) == 128 + SIGKILL);
    for (auto const* suffix : {"", "-wal", "-shm", "-journal"})
        fs::remove(t.dir.path / (std::string("bot.db") + suffix));

    t.start();
    REQUIRE(u.wait_for("Orphans on"));
    auto const notice = std::string(u.find("Orphans on")->at("text").as_string());
    CHECK(notice.find("have no record in its database") != std::string::npos);
    CHECK(notice.find(": terminated") != std::string::npos);
    REQUIRE(eventually([&] { return t.bot.log().find("ORPHAN without a record in the bot's database") != std::string::npos; }));
    CHECK(t.bot.log().find("-> terminated (orphans.terminate_orphans)") != std::string::npos);

    // Stopped for real: the heartbeat no longer moves.
    auto const before = read_text(heartbeat);
    std::this_thread::sleep_for(1s);
    CHECK(read_text(heartbeat) == before);
    CHECK(t.bot.kill(SIGTERM) == 0);
}

TEST_CASE("strangers and groups get no answer, no download, no reply")
{
    bot_on_fake t("bot-strangers");
    auto& u = t.u;
    auto& bot = t.bot;
    t.start();
    u.say("/train", 999);
    u.send_file("iris.csv", iris_csv(), 999);
    u.press_data("deadbeef:go", 1, 999);
    u.say("/train", 4242, "group");
    // Then the allowed user, so we know the updates before were handled.
    u.say("/help");
    REQUIRE(u.wait_for("/train - train a model"));
    CHECK(u.messages(999).empty());
    CHECK(u.messages().size() == 1);
    CHECK(u.answers().empty());
    CHECK(u.calls_of("getFile") == 0);
    CHECK(bot.log().find("from user 999 ignored") != std::string::npos);
}

TEST_CASE("files: the size is checked before and after the download")
{
    bot_on_fake t("bot-sizes");
    auto& u = t.u;
    auto& bot = t.bot;
    t.start();
    u.say("/train");
    REQUIRE(u.wait_for("Send the dataset"));
    u.send_file("huge.csv", "a,b\n1,2\n", user, 25ull << 20); // announced as 25 MB
    REQUIRE(u.wait_for("the limit is 20.0 MB"));
    CHECK(u.calls_of("getFile") == 0);
    u.send_file("short.csv", "a,b\n1,2\n", user, std::nullopt, true); // getFile claims one byte more
    REQUIRE(u.wait_for("download ended after 8 of 9 bytes"));
}

TEST_CASE("files: a getFile that fails past the transport's retries is tried again and a lasting failure is told")
{
    bot_on_fake t("bot-getfile-retry");
    auto& u = t.u;
    t.start();
    // Four 500s: the transport's three attempts, then the first of the bot's second try.
    u.fault({{"method", "getFile"}, {"error_code", 500}, {"description", "Internal Server Error"}, {"count", 4}});
    u.say("/train");
    REQUIRE(u.wait_for("Send the dataset"));
    u.send_file("iris.csv", iris_csv());
    REQUIRE(u.wait_for("Which column"));
    CHECK(u.calls_of("getFile") == 5);
    CHECK(t.bot.log().find("fetching a file: telegram getFile: Internal Server Error") != std::string::npos);

    // Nine: every try fails, and the user is told and asked for the file again.
    u.say("/cancel");
    REQUIRE(u.wait_for("Cancelled"));
    u.fault({{"method", "getFile"}, {"error_code", 500}, {"description", "Internal Server Error"}, {"count", 9}});
    u.say("/train");
    REQUIRE(u.wait_for("Send the dataset", 2));
    u.send_file("iris.csv", iris_csv());
    REQUIRE(u.wait_for("Send another file or URI"));
    CHECK(u.calls_of("getFile") == 14);
}

TEST_CASE("a 409 conflict stops the bot with a clear message")
{
    bot_on_fake t("bot-409");
    t.u.fault({{"method", "getUpdates"},
               {"error_code", 409},
               {"description", "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}});
    t.start();
    CHECK(t.bot.wait() == 3);
    CHECK(t.bot.log().find("another bot instance is polling with this token") != std::string::npos);
}

TEST_CASE("one bot per database: a second one refuses to start")
{
    bot_on_fake t("bot-lock");
    t.start();
    REQUIRE(eventually([&] { return t.u.calls_of("getUpdates") > 0; }));
    fs::create_directories(t.dir.path / "second");
    bot_process second(t.dir.path / "second", t.u.token());
    second.start(t.dir.path / "bot.json");
    CHECK(second.wait() == 3);
    CHECK(second.log().find("another mlcloud-bot is running with this database") != std::string::npos);
    CHECK(t.bot.running());
}

TEST_CASE("the token never reaches the log")
{
    scratch dir("bot-token");
    std::string const secret = "SeCrEtPaRt_" + std::to_string(::getpid()) + "_abcdefghijklmnopqrstuvwxyz";
    user_side u("999999:" + secret);
    write_text(dir.path / "bot.json", local_config(dir.path, u.base_url()));
    bot_process bot(dir.path, u.token());
    bot.start(dir.path / "bot.json");
    // Failures that get logged with the request they concern.
    u.fault({{"method", "sendMessage"}, {"error_code", 500}, {"description", "Internal Server Error"}});
    u.say("/help");
    REQUIRE(u.wait_for("/train - train a model"));
    CHECK(bot.kill(SIGTERM) == 0);
    auto const log = bot.log();
    CHECK(log.find("sendMessage") != std::string::npos); // the failure was logged...
    CHECK(log.find(secret) == std::string::npos);        // ...without the token
    CHECK(log.find("SeCrEt") == std::string::npos);

    // A rejected token: a clear message, still without the token.
    user_side bad("0:" + secret);
    write_text(dir.path / "bad.json", local_config(dir.path / "b", bad.base_url()));
    fs::create_directories(dir.path / "b");
    bot_process rejected(dir.path / "b", bad.token());
    rejected.start(dir.path / "bad.json");
    CHECK(rejected.wait() == 1);
    CHECK(rejected.log().find("getMe") != std::string::npos);
    CHECK(rejected.log().find(secret) == std::string::npos);
}

TEST_CASE("a bad configuration is refused at start with the field named")
{
    scratch dir("bot-config");
    write_text(dir.path / "bad.json", R"({"provider": "local", "limits": {"max_job_cost_usd": "five"}})");
    bot_process bot(dir.path, "1:x");
    bot.start(dir.path / "bad.json");
    CHECK(bot.wait() == 2);
    CHECK(bot.log().find("limits.max_job_cost_usd: expected a number") != std::string::npos);

    write_text(dir.path / "unknown.json", R"({"provider": "nimbus"})");
    bot.start(dir.path / "unknown.json");
    CHECK(bot.wait() == 2);
    CHECK(bot.log().find("provider: unknown provider 'nimbus' (known: local") != std::string::npos);

    write_text(dir.path / "backend.json", R"({"provider": "local", "backend": {"rooot": "/tmp"}})");
    bot.start(dir.path / "backend.json");
    CHECK(bot.wait() == 2);
    CHECK(bot.log().find("backend.rooot: unknown option of this backend") != std::string::npos);

    // A start-up failure outside the configuration's reach ends with a message and status 1,
    // not an abort (the database's directory cannot be made: a file is in its way).
    write_text(dir.path / "in-the-way", "a file");
    write_text(dir.path / "nodir.json",
               R"({"provider": "local", "database": ")" + (dir.path / "in-the-way" / "bot.db").string() + R"("})");
    bot.start(dir.path / "nodir.json");
    CHECK(bot.wait() == 1);
    CHECK(bot.log().find("mlcloud-bot: ") != std::string::npos);
}
