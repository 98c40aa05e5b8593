//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Configuration validation (every message names its field) and the SQLite store (reopening
// the database gives the same state; an unfinished transaction leaves nothing).

#include "bot/config.hpp"
#include "bot/store.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace mlcloud_bot;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the build tree's temp area, removed at the end of the test.
struct temp_dir
{
    fs::path path;
    temp_dir()
    {
        path = fs::temp_directory_path() / ("mlcloud-bot-test-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(counter()++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
    static int& counter()
    {
        static int n = 0;
        return n;
    }
};

std::string error_of(std::string const& json)
{
    auto r = parse_config(json, "bot.json");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(mlcloud::errc::invalid_argument));
    return r.error().message;
}

/// Sets an environment variable for one scope.
struct scoped_env
{
    std::string name;
    std::optional<std::string> old;
    scoped_env(std::string n, char const* value) : name(std::move(n))
    {
        if (char const* v = std::getenv(name.c_str()))
            old = v;
        if (value)
            ::setenv(name.c_str(), value, 1);
        else
            ::unsetenv(name.c_str());
    }
    ~scoped_env()
    {
        if (old)
            ::setenv(name.c_str(), old->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }
};

} // namespace

TEST_CASE("a full configuration is read field by field")
{
    auto c = parse_config(R"({
        "provider": "runpod",
        "backend": {"datacenter": "EU-RO-1", "volume": "agv6w2qcg7"},
        "storage": {"datasets": "runpod://EU-RO-1/agv6w2qcg7/datasets",
                    "models": "runpod://EU-RO-1/agv6w2qcg7/models",
                    "inputs": "runpod://EU-RO-1/agv6w2qcg7/inputs"},
        "trainer": {"command": ["mlcloud-trainer", "train"], "image": "ghcr.io/x/trainer:1", "market": "spot",
                    "expected_runtime_s": 900},
        "local": {"backend": {"root": "/srv/ml"}, "trainer": {"command": ["/opt/bin/mlcloud-trainer", "train"]}},
        "access": {"allowed_user_ids": [123456789, 987654321012]},
        "limits": {"max_job_cost_usd": 2.5, "max_job_runtime_s": 3600, "max_concurrent_jobs_per_user": 2,
                   "conversation_timeout_s": 600, "max_file_bytes": 1048576},
        "telegram": {"api_base_url": "http://127.0.0.1:8081/", "token_file": "/etc/mlcloud-bot/token",
                     "poll_timeout_s": 30, "per_chat_per_second": 0.5, "per_chat_burst": 2,
                     "global_per_second": 20, "log_edit_interval_ms": 5000},
        "database": "/var/lib/mlcloud-bot/bot.db",
        "pricing_file": "/etc/mlcloud-bot/prices.json",
        "follow_interval_ms": 1500
    })");
    REQUIRE(c.has_value());
    CHECK(c->cloud.provider == "runpod");
    CHECK(c->cloud.backend_json.find("agv6w2qcg7") != std::string::npos);
    CHECK(c->cloud.storage.models.str() == "runpod://EU-RO-1/agv6w2qcg7/models");
    CHECK(c->cloud.trainer.image == "ghcr.io/x/trainer:1");
    CHECK(c->cloud.trainer.market == mlcloud::market::spot);
    CHECK(c->cloud.trainer.expected_runtime == 900s);
    REQUIRE(c->local);
    CHECK(c->local->provider == "local");
    CHECK(c->local->trainer.command.front() == "/opt/bin/mlcloud-trainer");
    CHECK(c->local->trainer.market == mlcloud::market::on_demand); // spot means nothing locally
    CHECK(c->local->trainer.image.empty());
    CHECK(c->allowed(123456789));
    CHECK(c->allowed(987654321012));
    CHECK_FALSE(c->allowed(5));
    CHECK(c->limits.max_job_cost_usd == 2.5);
    CHECK(c->limits.max_job_runtime == 3600s);
    CHECK(c->limits.max_concurrent_jobs_per_user == 2);
    CHECK(c->limits.conversation_timeout == 600s);
    CHECK(c->limits.max_file_bytes == 1048576);
    CHECK(c->telegram.api_base_url == "http://127.0.0.1:8081"); // trailing '/' dropped
    CHECK(c->telegram.poll_timeout == 30s);
    CHECK(c->telegram.per_chat_burst == 2);
    CHECK(c->telegram.log_edit_interval == 5000ms);
    CHECK(c->database == "/var/lib/mlcloud-bot/bot.db");
    CHECK(c->effective_lock_file() == "/var/lib/mlcloud-bot/bot.db.lock");
    CHECK(c->effective_work_dir() == "/var/lib/mlcloud-bot/bot.db.work");
    CHECK(c->follow_interval == 1500ms);
}

TEST_CASE("a minimal configuration takes the documented defaults, nobody is allowed")
{
    auto c = parse_config(R"({"provider": "local"})");
    REQUIRE(c.has_value());
    CHECK(c->allowed_user_ids.empty());
    CHECK_FALSE(c->allowed(1));
    CHECK_FALSE(c->local);
    CHECK(c->cloud.trainer.command == std::vector<std::string>{"mlcloud-trainer", "train"});
    CHECK(c->cloud.storage.datasets.str() == "datasets");
    CHECK_FALSE(c->limits.max_job_cost_usd);
    CHECK(c->limits.max_job_runtime == 4h);
    CHECK(c->telegram.api_base_url == "https://api.telegram.org");
    CHECK(c->telegram.poll_timeout == 25s);
    // Orphans are looked for at start and reported, never stopped unless asked.
    CHECK(c->orphans.check_at_start);
    CHECK_FALSE(c->orphans.terminate);
    CHECK(c->orphans.min_age == 10min);
    CHECK(c->orphans.notify_chat_ids.empty());
}

TEST_CASE("the orphans section: terminate, minimum age, chats to tell")
{
    auto c = parse_config(R"({"provider": "local", "orphans": {"check_at_start": true, "terminate_orphans": true,
                                                               "min_age_s": 0, "notify_chat_ids": [42, -100123]}})");
    REQUIRE(c.has_value());
    CHECK(c->orphans.terminate);
    CHECK(c->orphans.min_age == 0s);
    CHECK(c->orphans.notify_chat_ids == std::vector<std::int64_t>{42, -100123});
    auto bad = [](char const* json) {
        auto r = parse_config(json, "bot.json");
        REQUIRE_FALSE(r.has_value());
        return r.error().message;
    };
    CHECK(bad(R"({"provider": "local", "orphans": {"terminate": true}})")
              .starts_with("bot.json: orphans.terminate: unknown field (known here: check_at_start, terminate_orphans,"));
    CHECK(bad(R"({"provider": "local", "orphans": {"terminate_orphans": "yes"}})") ==
          "bot.json: orphans.terminate_orphans: expected true or false");
    CHECK(bad(R"({"provider": "local", "orphans": {"min_age_s": -1}})") ==
          "bot.json: orphans.min_age_s: must be between 0 and 2592000 (got -1)");
    CHECK(bad(R"({"provider": "local", "orphans": {"notify_chat_ids": [0]}})") ==
          "bot.json: orphans.notify_chat_ids[0]: expected a non-zero whole number (a Telegram chat id)");
}

TEST_CASE("fuzz regression: an unknown field's name is cut in the message")
{
    std::string const name(5000, 'k');
    auto const message = error_of(R"({"provider": "local", ")" + name + R"(": 1})");
    CHECK(message.starts_with("bot.json: " + std::string(64, 'k') + "...: unknown field (known here: provider,"));
    CHECK(message.size() < 400);
}

TEST_CASE("fuzz regression: a token pasted where a field name belongs is not repeated in the message")
{
    auto const message = error_of(R"({"provider": "local", "bot123456:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0": 1})");
    INFO(message);
    CHECK(message.find("AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0") == std::string::npos);
    CHECK(message.find("unknown field") != std::string::npos);
}

TEST_CASE("a bad configuration is refused with the exact field named")
{
    CHECK(error_of("{") .starts_with("bot.json: not valid JSON"));
    CHECK(error_of("[]") == "bot.json: (top level): expected a JSON object");
    CHECK(error_of("{}") == "bot.json: provider: is required");
    CHECK(error_of(R"({"provider": 3})") == "bot.json: provider: expected a string");
    CHECK(error_of(R"({"provider": "Run Pod"})").starts_with("bot.json: provider: expected a backend name"));
    CHECK(error_of(R"({"provider": "local", "limits": {"max_job_cost_usd": -1}})") ==
          "bot.json: limits.max_job_cost_usd: must be between 0 and 1e+06 (got -1)");
    CHECK(error_of(R"({"provider": "local", "limits": {"max_job_cost_usd": 0}})") ==
          "bot.json: limits.max_job_cost_usd: must be above 0 (leave it out for no cap)");
    CHECK(error_of(R"({"provider": "local", "limits": {"max_concurrent_jobs_per_user": 1.5}})") ==
          "bot.json: limits.max_concurrent_jobs_per_user: expected a whole number");
    CHECK(error_of(R"({"provider": "local", "limits": {"max_file_bytes": 99999999}})") ==
          "bot.json: limits.max_file_bytes: must be between 1 and 20971520 (got 99999999)");
    CHECK(error_of(R"({"provider": "local", "limits": {"max_cost": 5}})").starts_with(
        "bot.json: limits.max_cost: unknown field (known here: max_job_cost_usd,"));
    CHECK(error_of(R"({"provider": "local", "allowlist": [1]})").starts_with("bot.json: allowlist: unknown field"));
    CHECK(error_of(R"({"provider": "local", "access": {"allowed_user_ids": [1, "2"]}})") ==
          "bot.json: access.allowed_user_ids[1]: expected a positive whole number (a Telegram user id)");
    CHECK(error_of(R"({"provider": "local", "access": {"allowed_user_ids": 5}})").starts_with(
        "bot.json: access.allowed_user_ids: expected an array"));
    CHECK(error_of(R"({"provider": "local", "trainer": {"command": []}})") ==
          "bot.json: trainer.command: must not be empty");
    CHECK(error_of(R"({"provider": "local", "trainer": {"command": ["a", 1]}})") ==
          "bot.json: trainer.command[1]: expected a string");
    CHECK(error_of(R"({"provider": "local", "trainer": {"market": "cheap"}})") ==
          "bot.json: trainer.market: expected \"on_demand\" or \"spot\"");
    CHECK(error_of(R"({"provider": "local", "storage": {"models": "s3://"}})").starts_with(
        "bot.json: storage.models: "));
    CHECK(error_of(R"({"provider": "local", "backend": []})") ==
          "bot.json: backend: expected a JSON object (the options of the backend)");
    CHECK(error_of(R"({"provider": "local", "local": {}})") ==
          "bot.json: local.enabled: the provider is already \"local\"; remove this section");
    CHECK(error_of(R"({"provider": "aws", "local": {"storage": {"bogus": "x"}}})").starts_with(
        "bot.json: local.storage.bogus: unknown field"));
    CHECK(error_of(R"({"provider": "local", "telegram": {"api_base_url": "ftp://x"}})") ==
          "bot.json: telegram.api_base_url: expected an http:// or https:// URL");
    CHECK(error_of(R"({"provider": "local", "telegram": {"poll_timeout_s": 120}})") ==
          "bot.json: telegram.poll_timeout_s: must be between 0 and 50 (got 120)");
    CHECK(error_of(R"({"provider": "local", "database": ""})") == "bot.json: database: must not be empty");
}

TEST_CASE("the token comes from the environment or from a private file, and never shows in errors")
{
    temp_dir dir;
    telegram_config t;
    {
        scoped_env env("TELEGRAM_BOT_TOKEN", "123456:ABCdef_ghi-JKL");
        auto tok = load_token(t);
        REQUIRE(tok.has_value());
        CHECK(*tok == "123456:ABCdef_ghi-JKL");
    }
    scoped_env env("TELEGRAM_BOT_TOKEN", nullptr);
    CHECK(load_token(t).error().message.find("TELEGRAM_BOT_TOKEN") != std::string::npos);

    t.token_file = dir.path / "token";
    {
        std::ofstream(t.token_file) << "987654:SECRETsecret_value\n";
    }
    ::chmod(t.token_file.c_str(), 0644);
    auto open = load_token(t);
    REQUIRE_FALSE(open.has_value());
    CHECK(open.error().message.find("chmod 600") != std::string::npos);
    CHECK(open.error().message.find("SECRET") == std::string::npos);

    ::chmod(t.token_file.c_str(), 0600);
    auto ok = load_token(t);
    REQUIRE(ok.has_value());
    CHECK(*ok == "987654:SECRETsecret_value");

    {
        std::ofstream(t.token_file) << "not a token SECRET\n";
    }
    auto bad = load_token(t);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("SECRET") == std::string::npos);

    scoped_env garbage("TELEGRAM_BOT_TOKEN", "oops SECRET");
    auto g = load_token(t);
    REQUIRE_FALSE(g.has_value());
    CHECK(g.error().message.find("SECRET") == std::string::npos);
}

TEST_CASE("the store keeps sessions, the offset, the outbox, jobs and models across a reopen")
{
    temp_dir dir;
    auto const db = dir.path / "bot.db";
    auto const now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'800'000'000'123));
    std::int64_t job_id = 0;
    {
        auto s = store::open(db);
        REQUIRE(s.has_value());
        CHECK(s->update_offset() == 0);
        CHECK_FALSE(s->last_update_at());
        store::transaction t(*s);
        session ses;
        ses.chat_id = 42;
        ses.user_id = 42;
        ses.at = step::choose_column;
        ses.nonce = "abcd1234";
        ses.last_activity = now;
        ses.columns = {"a", "b"};
        s->save_session(ses);
        s->set_update_offset(1001, now);
        s->add_action(42, 42, send_action{"hello", {{{"A", "abcd1234:c:0"}}}});
        s->add_action(42, 42, launch_action{"cloud", "d", "d.csv", "y", ""});

        job_record j;
        j.chat_id = 42;
        j.user_id = 42;
        j.target = "cloud";
        j.provider = "memory";
        j.idempotency_key = "key-1";
        j.name = "mlcloud-bot-42-1";
        j.dataset_uri = "datasets/d.csv";
        j.column = "y";
        j.created = now;
        job_id = s->insert_job(j);
        t.commit();
    }
    {
        auto s = store::open(db);
        REQUIRE(s.has_value());
        CHECK(s->update_offset() == 1001);
        CHECK(s->last_update_at() == now);
        auto ses = s->load_session(42, 42);
        REQUIRE(ses.has_value());
        CHECK(ses->at == step::choose_column);
        CHECK(ses->nonce == "abcd1234");
        CHECK(ses->last_activity == now);
        CHECK(ses->columns == std::vector<std::string>{"a", "b"});
        CHECK_FALSE(s->load_session(42, 43));

        auto rows = s->outbox();
        REQUIRE(rows.size() == 2);
        CHECK(rows[0].what == action{send_action{"hello", {{{"A", "abcd1234:c:0"}}}}});
        CHECK(std::holds_alternative<launch_action>(rows[1].what));
        s->remove_action(rows[0].id);
        CHECK(s->outbox().size() == 1);

        auto j = s->job(job_id);
        REQUIRE(j);
        CHECK(j->phase == job_phase::pending);
        CHECK(j->idempotency_key == "key-1");
        CHECK(j->dataset_uri == "datasets/d.csv");
        CHECK(s->count_active_jobs(42) == 1);

        // The follower's progress: handle, cursor, lines, live message, cost.
        mlcloud::job_handle h;
        h.provider = "memory";
        h.id = "mem-1";
        h.price_per_hour = 0.5;
        j->handle = h;
        j->phase = job_phase::running;
        j->cursor.token = "17";
        j->log_lines = {"epoch 1", "epoch 2 \xE2\x9C\x85"};
        j->log_total = 2;
        j->live_message_id = 555;
        j->cost.usd = 0.0123;
        j->cost.basis = "no price is known for x1";
        j->cost.known = false;
        s->update_job(*j);
    }
    {
        auto s = store::open(db);
        REQUIRE(s.has_value());
        auto j = s->job(job_id);
        REQUIRE(j);
        CHECK(j->phase == job_phase::running);
        REQUIRE(j->handle);
        CHECK(j->handle->id == "mem-1");
        CHECK(j->cursor.token == "17");
        CHECK(j->log_lines == std::vector<std::string>{"epoch 1", "epoch 2 \xE2\x9C\x85"});
        CHECK(j->live_message_id == 555);
        CHECK(j->cost.usd == 0.0123);
        CHECK(j->cost.basis == "no price is known for x1");
        CHECK_FALSE(j->cost.known);
        CHECK(s->jobs_in_phase(job_phase::running).size() == 1);
        CHECK(s->user_jobs(42, true).size() == 1);

        j->phase = job_phase::finished;
        j->outcome = "succeeded";
        j->finished = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'100));
        s->update_job(*j);
        CHECK(s->count_active_jobs(42) == 0);
        CHECK(s->user_jobs(42, true).empty());
        CHECK(s->user_jobs(42, false).size() == 1);

        model_summary m{0, "d.csv \xE2\x86\x92 y", "cloud", "memory", "models/42/1.json", now};
        auto const first = s->add_model(job_id, 42, m);
        CHECK(s->add_model(job_id, 42, m) == first); // recorded once per job
        CHECK(s->models(42).size() == 1);
        CHECK(s->models(7).empty());
        CHECK(s->model(42, first)->uri == "models/42/1.json");
        CHECK_FALSE(s->model(7, first)); // another user's model is not found
    }
}

namespace {

/// Runs `sql` on the database file at `path` without the store, as another version of the bot
/// would have left it.
void write_directly(fs::path const& path, char const* sql)
{
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    int const rc = sqlite3_exec(raw, sql, nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    REQUIRE(rc == SQLITE_OK);
}

} // namespace

TEST_CASE("a database of schema version 1 is upgraded in place, its jobs' costs counted as known")
{
    temp_dir dir;
    auto const db = dir.path / "bot.db";
    // The version 1 tables a bot of that version left, with one finished job.
    write_directly(db, R"sql(
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema_version', '1'), ('update_offset', '1001');
            CREATE TABLE sessions (chat_id INTEGER NOT NULL, user_id INTEGER NOT NULL, step TEXT NOT NULL,
                                   last_activity_ms INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (chat_id, user_id));
            INSERT INTO sessions VALUES (42, 42, 'idle', 1800000000000, '{}'), (7, 7, 'idle', 1700000000000, '{}');
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
                target TEXT NOT NULL, provider TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
                phase TEXT NOT NULL, outcome TEXT NOT NULL DEFAULT '', request TEXT NOT NULL, handle TEXT,
                log_cursor TEXT NOT NULL DEFAULT '', log_lines TEXT NOT NULL DEFAULT '[]',
                log_total INTEGER NOT NULL DEFAULT 0, live_message_id INTEGER NOT NULL DEFAULT 0,
                cost_usd REAL NOT NULL DEFAULT 0, cost_basis TEXT NOT NULL DEFAULT '',
                detail TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL DEFAULT 0);
            INSERT INTO jobs (chat_id, user_id, target, provider, idempotency_key, phase, outcome, request,
                              cost_usd, cost_basis, created_ms)
                VALUES (42, 42, 'cloud', 'memory', 'key-1', 'finished', 'succeeded', '{}', 0.25, 'memory', 1);
        )sql");
    {
        auto s = store::open(db);
        REQUIRE(s.has_value());
        CHECK(s->update_offset() == 1001);
        // That bot did not keep when it handled its last update: dated by the last conversation step.
        CHECK(s->last_update_at() == std::chrono::system_clock::time_point(std::chrono::milliseconds(1'800'000'000'000)));
        auto const jobs = s->user_jobs(42, false);
        REQUIRE(jobs.size() == 1);
        CHECK(jobs[0].cost.usd == 0.25);
        CHECK(jobs[0].cost.known);
    }

    auto again = store::open(db); // now version 2: opened as it is
    REQUIRE(again.has_value());
    CHECK(again->user_jobs(42, false).size() == 1);

    // Without any conversation step no update had an effect: dated at the epoch, every id is new.
    auto const no_steps = dir.path / "strangers.db";
    write_directly(no_steps, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                             "INSERT INTO meta VALUES ('schema_version', '1'), ('update_offset', '77');");
    auto strangers = store::open(no_steps);
    REQUIRE(strangers.has_value());
    CHECK(strangers->last_update_at() == std::chrono::system_clock::time_point{});
}

TEST_CASE("a database of an unknown schema version is refused")
{
    temp_dir dir;
    auto const db = dir.path / "bot.db";
    write_directly(db, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                       "INSERT INTO meta VALUES ('schema_version', '9');");
    auto s = store::open(db);
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error().message.find("has schema version 9; this bot knows version 2") != std::string::npos);
}

TEST_CASE("an unfinished transaction leaves nothing behind")
{
    temp_dir dir;
    auto s = store::open(dir.path / "bot.db");
    REQUIRE(s.has_value());
    {
        store::transaction t(*s);
        s->set_update_offset(77, std::chrono::system_clock::now());
        s->add_action(1, 1, status_action{});
        // no commit: as if the process died here
    }
    CHECK(s->update_offset() == 0);
    CHECK_FALSE(s->last_update_at());
    CHECK(s->outbox().empty());
}

TEST_CASE("the idempotency key is unique: a launch cannot be recorded twice")
{
    temp_dir dir;
    auto s = store::open(dir.path / "bot.db");
    REQUIRE(s.has_value());
    job_record j;
    j.idempotency_key = "same";
    s->insert_job(j);
    CHECK_THROWS_AS(s->insert_job(j), mlcloud::system_error);
}

TEST_CASE("expired sessions are found by their last activity")
{
    temp_dir dir;
    auto s = store::open(dir.path / "bot.db");
    REQUIRE(s.has_value());
    auto const now = std::chrono::system_clock::now();
    session a;
    a.chat_id = a.user_id = 1;
    a.at = step::wait_dataset;
    a.last_activity = now - 20min;
    session b = a;
    b.chat_id = b.user_id = 2;
    b.last_activity = now - 1min;
    session c = a;
    c.chat_id = c.user_id = 3;
    c.at = step::idle;
    for (auto const& x : {a, b, c})
        s->save_session(x);
    auto old = s->sessions_idle_since(now - 15min);
    REQUIRE(old.size() == 1);
    CHECK(old[0].user_id == 1);
}
