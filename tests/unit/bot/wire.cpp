//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// What the bot reads from and writes to the Bot API (updates, keyboards, error answers), the
// log's token redaction, and the backends' options as the configuration gives them.

#include "bot/log.hpp"
#include "bot/runtime.hpp"
#include "bot/telegram_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <algorithm>

using namespace mlcloud_bot;
using mlcloud::errc;

TEST_CASE("updates: messages, documents, callback queries and kinds the bot ignores")
{
    auto r = parse_updates(R"([
        {"update_id": 10, "message": {"message_id": 5, "date": 1, "chat": {"id": 42, "type": "private"},
                                      "from": {"id": 42, "is_bot": false, "first_name": "A", "username": "a"},
                                      "text": "/train"}},
        {"update_id": 11, "message": {"message_id": 6, "date": 1, "chat": {"id": 42, "type": "private"},
                                      "from": {"id": 42, "is_bot": false, "first_name": "A"},
                                      "document": {"file_id": "F", "file_unique_id": "U", "file_name": "x.csv",
                                                   "mime_type": "text/csv", "file_size": 12}}},
        {"update_id": 12, "callback_query": {"id": "Q", "from": {"id": 42, "is_bot": false, "first_name": "A"},
                                             "chat_instance": "c", "data": "n:go",
                                             "message": {"message_id": 7, "date": 1,
                                                         "chat": {"id": 42, "type": "private"}}}},
        {"update_id": 13, "edited_message": {"message_id": 5}},
        {"update_id": 14, "message": {"message_id": 8, "chat": {"id": -100, "type": "supergroup"},
                                      "from": {"id": 43, "is_bot": false, "first_name": "B"}, "text": "hi"}}
    ])");
    REQUIRE(r.has_value());
    auto const& u = *r;
    REQUIRE(u.size() == 5);
    CHECK(u[0].update_id == 10);
    REQUIRE(u[0].message);
    CHECK(u[0].message->text == "/train");
    CHECK(u[0].message->from->id == 42);
    CHECK(u[0].message->from->username == "a");
    CHECK(u[0].message->chat_type == "private");
    REQUIRE(u[1].message->document);
    CHECK(u[1].message->document->file_name == "x.csv");
    CHECK(u[1].message->document->file_size == std::optional<std::uint64_t>(12));
    REQUIRE(u[2].callback_query);
    CHECK(u[2].callback_query->data == "n:go");
    CHECK(u[2].callback_query->from.id == 42);
    CHECK(u[2].callback_query->message->message_id == 7);
    CHECK_FALSE(u[3].message);
    CHECK_FALSE(u[3].callback_query);
    CHECK(u[4].message->chat_id == -100);
    CHECK(u[4].message->chat_type == "supergroup");

    CHECK(parse_updates("{}").error().is(errc::protocol_error));
    CHECK(parse_updates("[{\"message\": {}}]").error().is(errc::protocol_error));
    CHECK(parse_updates("[]")->empty());
}

TEST_CASE("user and chat ids beyond 32 bits survive")
{
    auto r = parse_updates(R"([{"update_id": 9007199254740000, "message": {"message_id": 1,
        "chat": {"id": 1234567890123, "type": "private"}, "from": {"id": 1234567890123, "first_name": "A"}, "text": "x"}}])");
    REQUIRE(r.has_value());
    CHECK(r->at(0).update_id == 9007199254740000);
    CHECK(r->at(0).message->chat_id == 1234567890123);
}

TEST_CASE("keyboards are Telegram's inline_keyboard")
{
    auto const v = boost::json::parse(keyboard_json({{{"A \"quoted\"", "n:a"}, {"B", "n:b"}}, {{"C", "n:c"}}}));
    auto const& rows = v.at("inline_keyboard").as_array();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].as_array().size() == 2);
    CHECK(rows[0].at(0).at("text").as_string() == "A \"quoted\"");
    CHECK(rows[0].at(0).at("callback_data").as_string() == "n:a");
    CHECK(rows[1].at(0).at("callback_data").as_string() == "n:c");
    CHECK(keyboard_json({}) == R"({"inline_keyboard":[]})");
}

TEST_CASE("Bot API failures map to portable codes, with Telegram's words and no token")
{
    auto e = bot_api_error("sendMessage", 429,
                           R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}})");
    CHECK(e.is(errc::throttled));
    CHECK(e.retry_safe);
    CHECK(e.http_status == 429);
    CHECK(e.provider == "telegram");
    CHECK(e.operation == "sendMessage");
    CHECK(e.message == "Too Many Requests: retry after 35");

    CHECK(bot_api_error("getUpdates", 409, R"({"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request"})")
              .is(errc::conflict));
    CHECK(bot_api_error("getMe", 401, R"({"ok":false,"error_code":401,"description":"Unauthorized"})").is(errc::unauthorized));
    CHECK(bot_api_error("sendMessage", 403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})")
              .is(errc::forbidden));
    CHECK(bot_api_error("editMessageText", 400, R"({"ok":false,"error_code":400,"description":"Bad Request: message is not modified"})")
              .is(errc::invalid_argument));
    auto server = bot_api_error("sendMessage", 502, "<html>Bad Gateway</html>");
    CHECK(server.is(errc::provider_error));
    CHECK(server.retry_safe);
    // telegram-test-api's shape for a method it does not know.
    auto tta = bot_api_error("sendDocument", 500, R"({"message":"API method sendDocument is not supported"})");
    CHECK(tta.message == "API method sendDocument is not supported");
    // A description that quotes a URL with the token loses the token.
    auto leak = bot_api_error("getFile", 400,
                              R"({"ok":false,"error_code":400,"description":"bad url https://api.telegram.org/file/bot123456:AAHsecretsecretsecretsecretsecret12/x"})");
    CHECK(leak.message.find("AAHsecret") == std::string::npos);
}

TEST_CASE("the log never shows a bot token")
{
    std::vector<std::string> lines;
    auto previous = set_log_sink([&](std::string_view l) { lines.emplace_back(l); });
    log(log_level::warning, "POST https://api.telegram.org/bot123456789:AAH-secret_secret_secret_secret_secret1/sendMessage failed");
    log(log_level::error, "token 987654321:ZZZsecretsecretsecretsecretsecret99 in\na message");
    log(log_level::info, "plain");
    set_log_sink(previous);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].starts_with("warning: POST https://api.telegram.org/bot123456789:"));
    CHECK(lines[0].find("AAH-secret") == std::string::npos);
    CHECK(lines[1].find("ZZZsecret") == std::string::npos);
    CHECK(lines[1].find('\n') == std::string::npos); // one event, one line
    CHECK(lines[2] == "plain");
    CHECK(redact_for_log("https://x/bot1:abcdefghijklmnopqrstuvwxyz0123456789/getMe").find("abcdefghij") ==
          std::string::npos);
}

TEST_CASE("backends are chosen by name, with their options read from the configuration")
{
    boost::asio::io_context io;
    auto const names = compiled_backends();
    CHECK(std::find(names.begin(), names.end(), "memory") != names.end());
    CHECK(std::find(names.begin(), names.end(), "local") != names.end());

    auto mem = make_runtime(io.get_executor(), "memory", R"({"line_interval_ms": 5, "price_per_hour": 2.5})");
    REQUIRE(mem.has_value());
    CHECK((*mem)->provider() == "memory");
    CHECK((*mem)->training_capabilities().contains(mlcloud::capability::idempotent_launch));

    auto local = make_runtime(io.get_executor(), "local", R"({"root": "/tmp/mlcloud-bot-unit-root", "poll_interval_ms": 50})");
    REQUIRE(local.has_value());
    CHECK((*local)->provider() == "local");
    CHECK((*local)->training_capabilities().contains(mlcloud::capability::self_terminating));

    auto unknown = make_runtime(io.get_executor(), "nimbus", "{}");
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().is(errc::invalid_argument));
    CHECK(unknown.error().message.find("unknown provider 'nimbus' (known: ") != std::string::npos);

    auto typo = make_runtime(io.get_executor(), "local", R"({"rooot": "/x"})", "local.backend");
    REQUIRE_FALSE(typo.has_value());
    CHECK(typo.error().message == "local.backend.rooot: unknown option of this backend");
    auto bad = make_runtime(io.get_executor(), "memory", R"({"line_interval_ms": -1})");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message == "backend.line_interval_ms: expected a whole number of at least 0");
    auto wrong = make_runtime(io.get_executor(), "local", R"({"predictor_command": []})");
    REQUIRE_FALSE(wrong.has_value());
    CHECK(wrong.error().message == "backend.predictor_command: expected a non-empty array of strings");
}

TEST_CASE("the cloud backends read their non-secret options from the configuration")
{
    boost::asio::io_context io;
    auto const names = compiled_backends();
    REQUIRE(std::find(names.begin(), names.end(), "aws") != names.end());
    REQUIRE(std::find(names.begin(), names.end(), "runpod") != names.end());

    auto aws = make_runtime(io.get_executor(), "aws",
                            R"({"region": "eu-west-1", "bucket": "models", "instance_types": ["g5.xlarge"],
                                "lambda_memory_mb": 2048})");
    REQUIRE(aws.has_value());
    CHECK((*aws)->provider() == "aws");
    CHECK((*aws)->training_capabilities().contains(mlcloud::capability::spot));

    auto runpod = make_runtime(io.get_executor(), "runpod",
                               R"({"datacenter": "EU-RO-1", "network_volume_id": "v1", "gpus": ["NVIDIA RTX A5000"],
                                   "terminate_on_completion": true})");
    REQUIRE(runpod.has_value());
    CHECK((*runpod)->provider() == "runpod");
    CHECK((*runpod)->training_capabilities().contains(mlcloud::capability::log_stream));

    auto number = make_runtime(io.get_executor(), "aws", R"({"bucket": 3})");
    REQUIRE_FALSE(number.has_value());
    CHECK(number.error().message == "backend.bucket: expected a string");
    // Secrets come from the environment only: a key in the file is refused, not used.
    auto secret = make_runtime(io.get_executor(), "runpod", R"({"api_key": "rpa_x"})");
    REQUIRE_FALSE(secret.has_value());
    CHECK(secret.error().message == "backend.api_key: unknown option of this backend");
    auto flag = make_runtime(io.get_executor(), "runpod", R"({"terminate_on_completion": "yes"})");
    REQUIRE_FALSE(flag.has_value());
    CHECK(flag.error().message == "backend.terminate_on_completion: expected true or false");
    auto disk = make_runtime(io.get_executor(), "runpod", R"({"container_disk_gb": 4294967296})");
    REQUIRE_FALSE(disk.has_value());
    CHECK(disk.error().message == "backend.container_disk_gb: too large");
    auto gpus = make_runtime(io.get_executor(), "runpod", R"({"gpus": "NVIDIA RTX A5000"})");
    REQUIRE_FALSE(gpus.has_value());
    CHECK(gpus.error().message == "backend.gpus: expected a non-empty array of strings");
}

TEST_CASE("the answer envelope: result as JSON text, refusals as errors naming the call")
{
    CHECK(parse_answer("getMe", 200, R"({"ok":true,"result":{"id":1}})").value() == R"({"id":1})");
    CHECK(parse_answer("answerCallbackQuery", 200, R"({"ok":true})").value() == "null");
    auto const not_json = parse_answer("getUpdates", 200, "<html>");
    CHECK(not_json.error().is(errc::protocol_error));
    CHECK(not_json.error().operation == "getUpdates");
    CHECK(parse_answer("getUpdates", 200, R"({"ok":false,"error_code":409,"description":"Conflict"})")
              .error()
              .is(errc::conflict));
    CHECK(parse_answer("getUpdates", 200, R"({"ok":"yes","result":[]})").error().is(errc::protocol_error));
}

TEST_CASE("fuzz regression: a number beyond a double's range reads back as null, so the batch still parses")
{
    // Boost.JSON reads 41e3002 as infinity and writes it back as "Infinity", which is not JSON:
    // the whole getUpdates batch would have failed to parse on every poll.
    auto const result = parse_answer("getUpdates", 200,
                                     R"({"ok":true,"result":[{"update_id":12,"callback_query":{"id":"Q",)"
                                     R"("from":{"id":41e3002},"data":"x"}},{"update_id":13,"big":[-1e999]}]})");
    REQUIRE(result.has_value());
    CHECK(result.value() ==
          R"([{"update_id":12,"callback_query":{"id":"Q","from":{"id":null},"data":"x"}},{"update_id":13,"big":[null]}])");
    auto const updates = parse_updates(*result);
    REQUIRE(updates.has_value());
    REQUIRE(updates->size() == 2);
    CHECK(updates->at(0).update_id == 12);
}

TEST_CASE("an update_id that is not a whole number refuses the batch")
{
    CHECK(parse_updates(R"([{"update_id": "5"}])").error().is(errc::protocol_error));
    CHECK(parse_updates(R"([{"update_id": 5.5}])").error().is(errc::protocol_error));
    CHECK(parse_updates(R"([{"update_id": 1e300}])").error().is(errc::protocol_error));
    CHECK(parse_updates(R"([{"update_id": 5.0}])")->at(0).update_id == 5);
}

TEST_CASE("sizes Telegram reports must be whole numbers from 0 up")
{
    auto r = parse_updates(R"([{"update_id": 1, "message": {"message_id": 1, "chat": {"id": 1},
        "document": {"file_id": "F", "file_size": -1}}}])");
    REQUIRE(r.has_value());
    CHECK_FALSE(r->at(0).message->document->file_size); // was 2^64 - 1: a lie, not a size
    auto f = parse_file(R"({"file_path": "documents/a.csv", "file_size": -5})");
    REQUIRE(f.has_value());
    CHECK(f->path == "documents/a.csv");
    CHECK_FALSE(f->size);
    CHECK(parse_file(R"({"file_path": "d/a.csv", "file_size": 12})")->size == std::optional<std::uint64_t>(12));
    CHECK(parse_file(R"({"file_size": 12})").error().is(errc::not_found));
    CHECK(parse_file("[]").error().is(errc::protocol_error));
}

TEST_CASE("the wait a 429 asks for is bounded, error codes outside HTTP's range are ignored")
{
    CHECK(flood_wait(R"({"ok":false,"error_code":429,"parameters":{"retry_after":35}})") == std::chrono::seconds(35));
    CHECK(flood_wait(R"({"ok":false,"error_code":429})") == std::chrono::seconds(1));
    CHECK(flood_wait(R"({"parameters":{"retry_after":-7}})") == std::chrono::seconds(1));
    CHECK(flood_wait(R"({"parameters":{"retry_after":9223372036854775807}})", std::chrono::seconds(300)) ==
          std::chrono::seconds(301));
    auto e = bot_api_error("sendMessage", 400, R"({"ok":false,"error_code":4294967725,"description":"odd"})");
    CHECK(e.is(errc::invalid_argument)); // the HTTP status, not 4294967725 cut to 429
    CHECK(message_id_of(R"({"message_id": 77})") == 77);
    CHECK(message_id_of("true") == 0);
    CHECK(parse_me(R"({"id": 5, "username": "b"})").value() == "@b (5)");
}
