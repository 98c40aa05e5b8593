//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/store.hpp"

#include "bot/detail.hpp"

#include <mlcloud/serialization.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include <sqlite3.h>

#include <utility>

namespace json = boost::json;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {

std::string_view to_string(job_phase p) noexcept
{
    switch (p)
    {
    case job_phase::pending:     return "pending";
    case job_phase::launch_sent: return "launch_sent";
    case job_phase::running:     return "running";
    case job_phase::finished:    return "finished";
    case job_phase::unknown:     return "unknown";
    }
    return "unknown";
}

std::optional<job_phase> job_phase_from_string(std::string_view s) noexcept
{
    for (auto p : {job_phase::pending, job_phase::launch_sent, job_phase::running, job_phase::finished, job_phase::unknown})
        if (to_string(p) == s)
            return p;
    return std::nullopt;
}

namespace {

// Version 2 added jobs.cost_known; open() upgrades a version 1 database in place.
constexpr int schema_version = 2;

constexpr char const* schema = R"sql(
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    chat_id          INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    step             TEXT    NOT NULL,
    last_activity_ms INTEGER NOT NULL,
    data             TEXT    NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
CREATE TABLE IF NOT EXISTS outbox (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    action  TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id         INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    target          TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    phase           TEXT    NOT NULL,
    outcome         TEXT    NOT NULL DEFAULT '',
    request         TEXT    NOT NULL,
    handle          TEXT,
    log_cursor      TEXT    NOT NULL DEFAULT '',
    log_lines       TEXT    NOT NULL DEFAULT '[]',
    log_total       INTEGER NOT NULL DEFAULT 0,
    live_message_id INTEGER NOT NULL DEFAULT 0,
    cost_usd        REAL    NOT NULL DEFAULT 0,
    cost_basis      TEXT    NOT NULL DEFAULT '',
    cost_known      INTEGER NOT NULL DEFAULT 1,
    detail          TEXT    NOT NULL DEFAULT '',
    created_ms      INTEGER NOT NULL,
    finished_ms     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_user ON jobs (user_id, phase);
CREATE TABLE IF NOT EXISTS models (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id     INTEGER NOT NULL UNIQUE REFERENCES jobs(id),
    user_id    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    target     TEXT    NOT NULL,
    provider   TEXT    NOT NULL,
    uri        TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS models_by_user ON models (user_id);
)sql";

[[noreturn]] void fail(sqlite3* db, std::string_view what)
{
    throw mlcloud::system_error(error(errc::io_error, "database: " + std::string(what) + ": " +
                                                          (db ? sqlite3_errmsg(db) : "out of memory")));
}

using detail::from_unix_ms;
using detail::unix_ms;

/// One prepared statement; bind with positions from 1, step, read columns from 0.
class statement
{
public:
    statement(sqlite3* db, char const* sql) : db_(db)
    {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            fail(db, "prepare");
    }
    statement(statement const&) = delete;
    statement& operator=(statement const&) = delete;
    ~statement() { sqlite3_finalize(stmt_); }

    statement& bind(int i, std::int64_t v)
    {
        check(sqlite3_bind_int64(stmt_, i, v));
        return *this;
    }
    statement& bind(int i, double v)
    {
        check(sqlite3_bind_double(stmt_, i, v));
        return *this;
    }
    statement& bind(int i, std::string_view v)
    {
        check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    statement& bind_null(int i)
    {
        check(sqlite3_bind_null(stmt_, i));
        return *this;
    }

    /// True when a row is ready, false when done.
    bool step()
    {
        int const rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        fail(db_, "step");
    }
    void run()
    {
        while (step())
            ;
    }

    std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
    double real(int col) const { return sqlite3_column_double(stmt_, col); }
    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::string text(int col) const
    {
        auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
    }

private:
    void check(int rc)
    {
        if (rc != SQLITE_OK)
            fail(db_, "bind");
    }

    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

std::string request_json(job_record const& j)
{
    return json::serialize(json::object{{"name", j.name},
                                        {"dataset_uri", j.dataset_uri},
                                        {"dataset_label", j.dataset_label},
                                        {"column", j.column},
                                        {"gpu", j.gpu},
                                        {"output_uri", j.output_uri}});
}

std::string lines_json(std::vector<std::string> const& lines)
{
    json::array a;
    for (auto const& l : lines)
        a.push_back(json::string(l));
    return json::serialize(a);
}

constexpr char const* job_columns =
    "id, chat_id, user_id, target, provider, idempotency_key, phase, outcome, request, handle, log_cursor, "
    "log_lines, log_total, live_message_id, cost_usd, cost_basis, detail, created_ms, finished_ms, cost_known";

job_record read_job(statement const& st)
{
    job_record j;
    j.id = st.integer(0);
    j.chat_id = st.integer(1);
    j.user_id = st.integer(2);
    j.target = st.text(3);
    j.provider = st.text(4);
    j.idempotency_key = st.text(5);
    j.phase = job_phase_from_string(st.text(6)).value_or(job_phase::unknown);
    j.outcome = st.text(7);
    boost::system::error_code ec;
    if (auto req = json::parse(st.text(8), ec); !ec && req.is_object())
    {
        auto const& o = req.get_object();
        j.name = detail::json_string(o, "name");
        j.dataset_uri = detail::json_string(o, "dataset_uri");
        j.dataset_label = detail::json_string(o, "dataset_label");
        j.column = detail::json_string(o, "column");
        j.gpu = detail::json_string(o, "gpu");
        j.output_uri = detail::json_string(o, "output_uri");
    }
    if (!st.is_null(9))
        if (auto h = json::parse(st.text(9), ec); !ec)
            if (auto handle = mlcloud::from_json<mlcloud::job_handle>(h))
                j.handle = std::move(*handle);
    j.cursor.token = st.text(10);
    if (auto lines = json::parse(st.text(11), ec); !ec && lines.is_array())
        for (auto const& l : lines.get_array())
            if (l.is_string())
                j.log_lines.emplace_back(l.get_string());
    j.log_total = static_cast<std::uint64_t>(st.integer(12));
    j.live_message_id = st.integer(13);
    j.cost.usd = st.real(14);
    j.cost.basis = st.text(15);
    j.cost.known = st.integer(19) != 0;
    j.detail = st.text(16);
    j.created = from_unix_ms(st.integer(17));
    j.finished = from_unix_ms(st.integer(18));
    return j;
}

std::vector<job_record> read_jobs(statement& st)
{
    std::vector<job_record> out;
    while (st.step())
        out.push_back(read_job(st));
    return out;
}

model_summary read_model(statement const& st)
{
    model_summary m;
    m.id = st.integer(0);
    m.name = st.text(1);
    m.target = st.text(2);
    m.provider = st.text(3);
    m.uri = st.text(4);
    m.created = from_unix_ms(st.integer(5));
    return m;
}

} // namespace

store::store(sqlite3* db) : db_(db) {}

store::store(store&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}

store& store::operator=(store&& o) noexcept
{
    if (this != &o)
    {
        sqlite3_close_v2(db_);
        db_ = std::exchange(o.db_, nullptr);
    }
    return *this;
}

store::~store()
{
    sqlite3_close_v2(db_);
}

void store::exec(char const* sql)
{
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK)
    {
        std::string what = message ? message : "unknown error";
        sqlite3_free(message);
        throw mlcloud::system_error(error(errc::io_error, "database: " + what));
    }
}

namespace {

std::optional<std::string> meta_value(sqlite3* db, char const* key)
{
    statement st(db, "SELECT value FROM meta WHERE key = ?1");
    st.bind(1, std::string_view(key));
    if (!st.step())
        return std::nullopt;
    return st.text(0);
}

void set_meta_value(sqlite3* db, char const* key, std::string const& value)
{
    statement st(db, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    st.bind(1, std::string_view(key)).bind(2, value).run();
}

// A database from a bot that did not keep when it handled the last update: date that update
// by the last conversation step. Left undated, the bot could not tell a repeat of an update it
// handled just before it stopped from a new one (see bot_app's update-id rule). Without any
// step, no update had an effect (a stranger's, a group's), so a repeat would do nothing either:
// dated at the epoch, every id counts as new at once.
void date_last_update(sqlite3* db)
{
    if (!meta_value(db, "update_offset") || meta_value(db, "last_update_ms"))
        return;
    statement last(db, "SELECT MAX(last_activity_ms) FROM sessions");
    auto const at = last.step() && !last.is_null(0) ? last.integer(0) : std::int64_t{0};
    set_meta_value(db, "last_update_ms", std::to_string(at));
}

} // namespace

mlcloud::result<store> store::open(std::filesystem::path const& path)
{
    sqlite3* db = nullptr;
    int const rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                                   nullptr);
    if (rc != SQLITE_OK)
    {
        std::string what = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close_v2(db);
        return error(errc::io_error, "cannot open the database " + path.string() + ": " + what);
    }
    store s(db);
    try
    {
        sqlite3_busy_timeout(db, 5000);
        // WAL: readers never block the writer, and a commit is one append. FULL: a commit
        // survives a power cut too, not only a killed process.
        s.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        transaction t(s);
        s.exec(schema);
        statement version(db, "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?1)");
        version.bind(1, std::to_string(schema_version)).run();
        auto const found = meta_value(db, "schema_version").value_or("");
        if (found == "1")
        {
            // A version 1 database without a jobs table got today's from the schema above.
            bool const has_column = [&] {
                statement has(db, "SELECT COUNT(*) FROM pragma_table_info('jobs') WHERE name = 'cost_known'");
                return has.step() && has.integer(0) > 0;
            }(); // the statement is finished before the table changes
            if (!has_column)
                s.exec("ALTER TABLE jobs ADD COLUMN cost_known INTEGER NOT NULL DEFAULT 1");
            set_meta_value(db, "schema_version", std::to_string(schema_version));
        }
        else if (found != std::to_string(schema_version))
            return error(errc::invalid_argument, "the database " + path.string() + " has schema version " + found +
                                                     "; this bot knows version " + std::to_string(schema_version));
        date_last_update(db);
        t.commit();
    }
    catch (mlcloud::system_error const& e)
    {
        return e.diagnostics();
    }
    return s;
}

store::transaction::transaction(store& s) : store_(&s)
{
    store_->exec("BEGIN IMMEDIATE");
}

store::transaction::~transaction()
{
    if (!done_)
        sqlite3_exec(store_->db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void store::transaction::commit()
{
    store_->exec("COMMIT");
    done_ = true;
}

std::int64_t store::update_offset()
{
    auto const v = meta_value(db_, "update_offset");
    return v ? std::stoll(*v) : 0;
}

std::optional<std::chrono::system_clock::time_point> store::last_update_at()
{
    auto const v = meta_value(db_, "last_update_ms");
    if (!v)
        return std::nullopt;
    return from_unix_ms(std::stoll(*v));
}

void store::set_update_offset(std::int64_t offset, std::chrono::system_clock::time_point at)
{
    set_meta_value(db_, "update_offset", std::to_string(offset));
    set_meta_value(db_, "last_update_ms", std::to_string(unix_ms(at)));
}

std::optional<session> store::load_session(std::int64_t chat_id, std::int64_t user_id)
{
    statement st(db_, "SELECT data FROM sessions WHERE chat_id = ?1 AND user_id = ?2");
    st.bind(1, chat_id).bind(2, user_id);
    if (!st.step())
        return std::nullopt;
    auto s = session_from_json(st.text(0));
    if (!s)
        return std::nullopt; // an unreadable session starts over rather than wedging the chat
    return *s;
}

void store::save_session(session const& s)
{
    statement st(db_, "INSERT INTO sessions (chat_id, user_id, step, last_activity_ms, data) VALUES (?1, ?2, ?3, ?4, ?5) "
                      "ON CONFLICT(chat_id, user_id) DO UPDATE SET step = excluded.step, "
                      "last_activity_ms = excluded.last_activity_ms, data = excluded.data");
    st.bind(1, s.chat_id).bind(2, s.user_id).bind(3, to_string(s.at)).bind(4, unix_ms(s.last_activity)).bind(5, to_json(s));
    st.run();
}

std::vector<session> store::sessions_idle_since(std::chrono::system_clock::time_point cutoff)
{
    statement st(db_, "SELECT data FROM sessions WHERE step <> 'idle' AND last_activity_ms < ?1");
    st.bind(1, unix_ms(cutoff));
    std::vector<session> out;
    while (st.step())
        if (auto s = session_from_json(st.text(0)); s && expires(s->at))
            out.push_back(std::move(*s));
    return out;
}

std::int64_t store::add_action(std::int64_t chat_id, std::int64_t user_id, action const& a)
{
    statement st(db_, "INSERT INTO outbox (chat_id, user_id, action) VALUES (?1, ?2, ?3)");
    st.bind(1, chat_id).bind(2, user_id).bind(3, to_json(a)).run();
    return sqlite3_last_insert_rowid(db_);
}

std::vector<outbox_row> store::outbox()
{
    statement st(db_, "SELECT id, chat_id, user_id, action FROM outbox ORDER BY id");
    std::vector<outbox_row> out;
    while (st.step())
    {
        auto a = action_from_json(st.text(3));
        if (!a)
            continue; // written by a newer bot: leave it alone
        out.push_back({st.integer(0), st.integer(1), st.integer(2), std::move(*a)});
    }
    return out;
}

void store::update_action(std::int64_t id, action const& a)
{
    statement st(db_, "UPDATE outbox SET action = ?2 WHERE id = ?1");
    st.bind(1, id).bind(2, to_json(a)).run();
}

void store::remove_action(std::int64_t id)
{
    statement st(db_, "DELETE FROM outbox WHERE id = ?1");
    st.bind(1, id).run();
}

std::int64_t store::insert_job(job_record const& j)
{
    statement st(db_, "INSERT INTO jobs (chat_id, user_id, target, provider, idempotency_key, phase, request, "
                      "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, j.chat_id)
        .bind(2, j.user_id)
        .bind(3, j.target)
        .bind(4, j.provider)
        .bind(5, j.idempotency_key)
        .bind(6, to_string(j.phase))
        .bind(7, request_json(j))
        .bind(8, unix_ms(j.created));
    st.run();
    return sqlite3_last_insert_rowid(db_);
}

void store::update_job(job_record const& j)
{
    statement st(db_, "UPDATE jobs SET phase = ?2, outcome = ?3, request = ?4, handle = ?5, log_cursor = ?6, "
                      "log_lines = ?7, log_total = ?8, live_message_id = ?9, cost_usd = ?10, cost_basis = ?11, "
                      "detail = ?12, finished_ms = ?13, cost_known = ?14 WHERE id = ?1");
    st.bind(1, j.id).bind(2, to_string(j.phase)).bind(3, j.outcome).bind(4, request_json(j));
    if (j.handle)
        st.bind(5, json::serialize(json::value_from(*j.handle)));
    else
        st.bind_null(5);
    st.bind(6, j.cursor.token)
        .bind(7, lines_json(j.log_lines))
        .bind(8, static_cast<std::int64_t>(j.log_total))
        .bind(9, j.live_message_id)
        .bind(10, j.cost.usd)
        .bind(11, j.cost.basis)
        .bind(12, j.detail)
        .bind(13, j.finished == std::chrono::system_clock::time_point{} ? std::int64_t{0} : unix_ms(j.finished))
        .bind(14, std::int64_t{j.cost.known});
    st.run();
}

std::optional<job_record> store::job(std::int64_t id)
{
    statement st(db_, (std::string("SELECT ") + job_columns + " FROM jobs WHERE id = ?1").c_str());
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return read_job(st);
}

std::vector<job_record> store::jobs_in_phase(job_phase p)
{
    statement st(db_, (std::string("SELECT ") + job_columns + " FROM jobs WHERE phase = ?1 ORDER BY id").c_str());
    st.bind(1, to_string(p));
    return read_jobs(st);
}

std::vector<job_record> store::user_jobs(std::int64_t user_id, bool active_only, std::size_t limit)
{
    std::string sql = std::string("SELECT ") + job_columns + " FROM jobs WHERE user_id = ?1";
    if (active_only)
        sql += " AND phase IN ('pending', 'launch_sent', 'running')";
    sql += " ORDER BY id DESC LIMIT ?2";
    statement st(db_, sql.c_str());
    st.bind(1, user_id).bind(2, static_cast<std::int64_t>(limit));
    return read_jobs(st);
}

int store::count_active_jobs(std::int64_t user_id)
{
    statement st(db_, "SELECT COUNT(*) FROM jobs WHERE user_id = ?1 AND phase IN ('pending', 'launch_sent', 'running')");
    st.bind(1, user_id);
    st.step();
    return static_cast<int>(st.integer(0));
}

std::int64_t store::add_model(std::int64_t job_id, std::int64_t user_id, model_summary const& m)
{
    statement ins(db_, "INSERT OR IGNORE INTO models (job_id, user_id, name, target, provider, uri, created_ms) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    ins.bind(1, job_id).bind(2, user_id).bind(3, m.name).bind(4, m.target).bind(5, m.provider).bind(6, m.uri);
    ins.bind(7, unix_ms(m.created)).run();
    statement id(db_, "SELECT id FROM models WHERE job_id = ?1");
    id.bind(1, job_id).step();
    return id.integer(0);
}

std::vector<model_summary> store::models(std::int64_t user_id)
{
    statement st(db_, "SELECT id, name, target, provider, uri, created_ms FROM models WHERE user_id = ?1 "
                      "ORDER BY id DESC");
    st.bind(1, user_id);
    std::vector<model_summary> out;
    while (st.step())
        out.push_back(read_model(st));
    return out;
}

std::optional<model_summary> store::model(std::int64_t user_id, std::int64_t model_id)
{
    statement st(db_, "SELECT id, name, target, provider, uri, created_ms FROM models WHERE user_id = ?1 AND id = ?2");
    st.bind(1, user_id).bind(2, model_id);
    if (!st.step())
        return std::nullopt;
    return read_model(st);
}

} // namespace mlcloud_bot
