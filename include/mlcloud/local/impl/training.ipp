//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_TRAINING_IPP
#define MLCLOUD_LOCAL_IMPL_TRAINING_IPP

#include <mlcloud/local/training.hpp>

#include <mlcloud/local/detail/files.hpp>
#include <mlcloud/local/detail/job_store.hpp>
#include <mlcloud/local/detail/process.hpp>
#include <mlcloud/local/detail/root.hpp>
#include <mlcloud/local/detail/supervisor.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlcloud {
namespace local {
namespace detail {

// ---------------------------------------------------------------------------------------------
// Addressing jobs

inline result<job_paths> find_job(options const& opts, job_handle const& h)
{
    if (!h.provider.empty() && h.provider != "local")
        return local_error(errc::invalid_argument,
                           "job '" + h.id + "' belongs to provider '" + h.provider + "', not to local");
    if (!is_job_id(h.id))
        return local_error(errc::invalid_argument,
                           "'" + h.id.substr(0, 100) + "' is not a local job id (local-YYYYMMDDTHHMMSS-xxxxxxxx)");
    job_paths paths(opts.state_dir, h.id);
    std::error_code ec;
    if (!std::filesystem::is_directory(paths.dir, ec))
        return local_error(errc::not_found, "no local job '" + h.id + "' in " + opts.state_dir.string());
    return paths;
}

inline constexpr std::size_t max_state_file = 1024 * 1024;

inline result<job_record> load_record(job_paths const& paths)
{
    auto text = read_file(paths.record(), max_state_file);
    if (!text)
        return text.error();
    return parse_job_record(*text);
}

// The recorded outcome, or nothing while the job has none yet.
inline result<std::optional<job_outcome>> load_outcome(job_paths const& paths)
{
    auto text = read_file(paths.result(), max_state_file);
    if (!text && text.error().is(errc::not_found))
        return std::optional<job_outcome>();
    if (!text)
        return text.error();
    auto outcome = parse_job_outcome(*text);
    if (!outcome)
        return outcome.error();
    return std::optional<job_outcome>(std::move(*outcome));
}

// ---------------------------------------------------------------------------------------------
// Status

// True when the log holds the completion marker. Read backwards from the end, where the marker
// normally is, in steps that overlap by the marker's length less one and yield in between, so
// a long log neither costs a full read nor blocks the executor.
inline task<bool> log_has_marker(boost::asio::any_io_executor ex, std::filesystem::path const& log)
{
    auto fd = open_for_reading(log);
    if (!fd)
        co_return fd.error();
    struct stat st{};
    if (::fstat(fd->get(), &st) != 0)
        co_return os_error(errc::io_error, "inspect", log, errno);
    constexpr std::size_t step = 64 * 1024;
    std::string later; // the start of the part already searched
    for (auto pos = static_cast<std::uint64_t>(st.st_size); pos > 0;)
    {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(step, pos));
        pos -= n;
        std::string window(n, '\0');
        for (std::size_t got = 0; got < n;)
        {
            auto r = ::pread(fd->get(), window.data() + got, n - got, static_cast<off_t>(pos + got));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                co_return os_error(errc::io_error, "read", log, r < 0 ? errno : EIO);
            got += static_cast<std::size_t>(r);
        }
        window.append(later, 0, completion_marker.size() - 1);
        if (window.find(completion_marker) != std::string::npos)
            co_return true;
        later = std::move(window);
        co_await yield(ex);
    }
    co_return false;
}

inline mlcloud::cost local_cost(job_record const& rec, std::chrono::system_clock::time_point until)
{
    auto ran = std::chrono::duration_cast<std::chrono::seconds>(until - rec.handle.launched_at);
    return mlcloud::cost{.usd = 0.0, .billed = std::max(ran, std::chrono::seconds(0)), .basis = "local"};
}

inline job_status unfinished(job_record const& rec, job_state state, std::string detail)
{
    job_status s;
    s.state = state;
    s.detail = std::move(detail);
    s.cost_so_far = local_cost(rec, std::chrono::system_clock::now());
    return s;
}

inline task<job_status> final_status(boost::asio::any_io_executor ex, job_paths const& paths, job_record const& rec,
                                     job_outcome const& o)
{
    job_status s;
    s.exit_code = o.exit_code;
    s.cost_so_far = local_cost(rec, o.finished);
    switch (o.kind)
    {
    case job_outcome::cancelled:
        s.state = job_state::cancelled;
        s.detail = "terminated on request";
        co_return s;
    case job_outcome::timed_out:
        s.state = job_state::timed_out;
        s.detail = "stopped after exceeding its max_runtime of " + std::to_string(rec.max_runtime.count()) + " s";
        co_return s;
    case job_outcome::start_failed:
    {
        exec_plan shown;
        shown.executable = rec.command.empty() ? std::string() : rec.command.front();
        s.state = job_state::failed;
        s.detail = start_error(start_failure{o.step, o.err}, shown).message;
        co_return s;
    }
    case job_outcome::exited:
        break;
    }
    // The portable rule (docs/architecture.md): the completion marker means the model is
    // stored, so the job succeeded whatever the process did afterwards.
    auto marker = co_await log_has_marker(ex, paths.log());
    if (!marker)
        co_return marker.error();
    std::string how = o.signal ? describe_signal(*o.signal) : "exited with code " + std::to_string(o.exit_code.value_or(-1));
    bool clean_exit = !o.signal && o.exit_code == 0;
    if (*marker)
    {
        s.state = job_state::succeeded;
        s.detail = clean_exit ? "exited with code 0 after printing the completion marker"
                              : "printed the completion marker, then " + how + " (the model was already stored)";
        co_return s;
    }
    s.state = job_state::failed;
    s.detail = clean_exit ? "exited with code 0 but never printed the completion marker (" +
                                std::string(completion_marker) + ")"
                          : how;
    co_return s;
}

// Where a job is in its life, from its files alone.
struct job_phase
{
    enum kind_t
    {
        starting, ///< no supervisor yet, launched moments ago
        running,  ///< the supervisor holds the lock
        ended,    ///< the supervisor recorded an outcome
        vanished, ///< no supervisor and no outcome: it was killed, or the machine restarted
    };
    kind_t kind;
    std::optional<job_outcome> outcome; ///< when ended
};

inline result<job_phase> observe(options const& opts, job_paths const& paths, job_record const& rec)
{
    auto outcome = load_outcome(paths);
    if (outcome && !*outcome && lock_holder(paths.lock()) != 0)
        return job_phase{job_phase::running, std::nullopt};
    // The supervisor writes the outcome before it exits and lets go of the lock: looking again
    // after seeing no lock holder cannot miss an outcome that is there.
    if (outcome && !*outcome)
        outcome = load_outcome(paths);
    if (!outcome)
        return outcome.error();
    if (*outcome)
        return job_phase{job_phase::ended, std::move(*outcome)};
    std::error_code ec;
    bool young = std::chrono::system_clock::now() - rec.handle.launched_at < opts.launch_timeout;
    if (!std::filesystem::exists(paths.lock(), ec) && young)
        return job_phase{job_phase::starting, std::nullopt};
    // The supervisor renames its lock into place already locked: a lock that was not there
    // when lock_holder looked may be there now, held. Only one that is there and unheld means
    // the supervisor is gone.
    if (lock_holder(paths.lock()) != 0)
        return job_phase{job_phase::running, std::nullopt};
    if (auto last = load_outcome(paths); last && *last) // it started and ended meanwhile
        return job_phase{job_phase::ended, std::move(*last)};
    return job_phase{job_phase::vanished, std::nullopt};
}

inline task<job_status> job_status_of(boost::asio::any_io_executor ex, options const& opts, job_paths const& paths)
{
    auto rec = load_record(paths);
    if (!rec)
        co_return rec.error();
    auto phase = observe(opts, paths, *rec);
    if (!phase)
        co_return phase.error();
    switch (phase->kind)
    {
    case job_phase::starting:
        co_return unfinished(*rec, job_state::pending, "starting");
    case job_phase::running:
        co_return unfinished(*rec, job_state::running, "running");
    case job_phase::ended:
        co_return co_await final_status(ex, paths, *rec, *phase->outcome);
    case job_phase::vanished:
        break;
    }
    co_return unfinished(*rec, job_state::failed,
                         "supervisor vanished: the job's supervisor process is gone without recording an outcome "
                         "(killed, or the machine restarted)");
}

// ---------------------------------------------------------------------------------------------
// Launch

inline result<void> check_spec(job_spec const& spec)
{
    auto bad = [](std::string m) { return local_error(errc::invalid_argument, std::move(m)); };
    if (spec.command.empty() || spec.command.front().empty())
        return bad("the job has no command");
    for (auto const& a : spec.command)
        if (a.find('\0') != std::string::npos)
            return bad("a command argument contains a NUL byte");
    for (auto const& [name, value] : spec.env)
        if (name.empty() || name.find_first_of(std::string_view("=\0", 2)) != std::string::npos ||
            value.find('\0') != std::string::npos)
            return bad("bad environment variable name or value: '" + name.substr(0, 100) + "'");
    if (spec.max_runtime <= std::chrono::seconds(0))
        return bad("max_runtime must be positive");
    if (spec.max_runtime > max_runtime_limit)
        return bad(max_runtime_refusal);
    if (spec.market == market::spot)
        return local_error(errc::not_supported, "the local backend has no spot market: launch on_demand");
    auto uses = [&](std::string_view placeholder) {
        return std::any_of(spec.command.begin(), spec.command.end(),
                           [&](std::string const& a) { return a.find(placeholder) != std::string::npos; });
    };
    if (!spec.dataset && uses("{dataset}"))
        return bad("the command uses {dataset} but the job has no dataset");
    if (!spec.output && uses("{output}"))
        return bad("the command uses {output} but the job has no output");
    return {};
}

// The job an idempotency key was claimed for, if any and if that job still exists.
inline result<std::optional<job_handle>> claimed_job(options const& opts, std::string_view key)
{
    auto key_file = idempotency_key_path(opts.state_dir, key);
    auto id = read_file(key_file, 256);
    if (!id && id.error().is(errc::not_found))
        return std::optional<job_handle>();
    if (!id)
        return id.error();
    job_paths paths(opts.state_dir, *id);
    auto rec = is_job_id(*id) ? load_record(paths) : result<job_record>(local_error(errc::not_found, ""));
    if (!rec && rec.error().is(errc::not_found))
    {
        ::unlink(key_file.c_str()); // the job was deleted: the key is free again
        return std::optional<job_handle>();
    }
    if (!rec)
        return rec.error();
    return std::optional<job_handle>(rec->handle);
}

// Claims `key` for job `id`: link() of a complete file fails when another launch claimed it first.
// Returns the winner's id when that was not us.
inline result<std::optional<std::string>> claim_key(options const& opts, std::string_view key, std::string const& id)
{
    auto key_file = idempotency_key_path(opts.state_dir, key);
    if (auto r = make_directories(key_file.parent_path()); !r)
        return r.error();
    auto staging = key_file.parent_path() / (std::string(temp_prefix) + id);
    if (auto w = write_file_atomically(staging, id); !w)
        return w.error();
    int linked = ::link(staging.c_str(), key_file.c_str());
    int err = errno;
    ::unlink(staging.c_str());
    if (linked == 0)
        return std::optional<std::string>();
    if (err != EEXIST)
        return os_error(errc::io_error, "record the idempotency key in", key_file, err);
    auto winner = read_file(key_file, 256);
    if (!winner)
        return winner.error();
    return std::optional<std::string>(std::move(*winner));
}

// Undoes a launch that did not get its job started: nothing of it stays behind. Disarmed as
// soon as a supervisor exists, since from then on a job may run; `undo` is for a supervisor
// that reported that its workload never started.
struct launch_rollback
{
    std::filesystem::path job_dir;
    std::filesystem::path key_file; // empty unless this launch claimed a key
    bool armed = true;

    void undo()
    {
        std::error_code ec;
        if (!key_file.empty())
            std::filesystem::remove(key_file, ec);
        std::filesystem::remove_all(job_dir, ec);
        armed = false;
    }
    ~launch_rollback()
    {
        if (armed)
            undo();
    }
};

// The middle process of a supervisor start exits at once; reap it even if the launch is
// abandoned while waiting, so no zombie stays in the host program.
struct middle_reaper
{
    pid_t pid;
    ~middle_reaper()
    {
        if (pid > 0)
            reap(pid);
    }
};

inline result<exec_plan> workload_plan(job_spec const& spec, std::string const& id, std::filesystem::path cwd,
                                       std::optional<location> const& dataset, std::optional<location> const& output)
{
    std::map<std::string, std::string> values{{"job_id", id}};
    std::map<std::string, std::string> env_values{{job_id_env, id}};
    if (dataset)
        values["dataset"] = env_values[dataset_env] = dataset->path.string();
    if (output)
        values["output"] = env_values[output_env] = output->path.string();

    exec_plan plan;
    plan.cwd = std::move(cwd);
    plan.env = with_overrides(with_overrides(current_environment(), spec.env), env_values);
    for (auto const& a : spec.command)
        plan.args.push_back(substitute(a, values));
    auto exe = find_executable(plan.args.front(), plan.env, plan.cwd);
    if (!exe)
        return exe.error();
    plan.executable = std::move(*exe);
    return plan;
}

// Starts the supervisor and waits, without blocking the executor, for its word on the workload.
inline task<void> start_job(boost::asio::any_io_executor ex, options const& opts, job_paths const& paths,
                            exec_plan const& plan, job_record const& rec, launch_rollback& rollback)
{
    supervisor_plan sup(paths, plan, std::chrono::duration_cast<std::chrono::milliseconds>(rec.max_runtime),
                        rec.grace);
    auto started = start_supervisor(sup);
    if (!started)
        co_return started.error();
    rollback.armed = false; // a job may run from here on: its state must stay
    {
        middle_reaper middle{started->middle};
        auto deadline = std::chrono::steady_clock::now() + opts.launch_timeout;
        if (!co_await wait_for_exit(ex, middle.pid, deadline, std::chrono::milliseconds(20)))
            ::kill(middle.pid, SIGKILL);
    }

    handshake msg;
    auto got = co_await read_pipe(ex, std::move(started->handshake), &msg, sizeof msg, opts.launch_timeout);
    if (!got && got.error().is(errc::timeout))
        co_return local_error(errc::outcome_unknown, "the supervisor of " + rec.handle.id + " did not confirm the start within " +
                                                         std::to_string(opts.launch_timeout.count()) +
                                                         " ms; the job may still start: ask for its status");
    if (!got)
        co_return got.error();
    if (*got != sizeof msg)
        co_return local_error(errc::io_error, "the supervisor of " + rec.handle.id + " ended before starting the workload");
    if (msg.kind == handshake::started)
        co_return result<void>();
    rollback.undo(); // the supervisor said so: nothing of the workload runs
    co_return start_error(start_failure{msg.step, msg.err}, plan);
}

inline task<job_handle> launch(boost::asio::any_io_executor ex, options const& opts, job_spec const& spec)
{
    if (auto r = check_spec(spec); !r)
        co_return r.error();
    if (!spec.idempotency_key.empty())
    {
        auto earlier = claimed_job(opts, spec.idempotency_key);
        if (!earlier)
            co_return earlier.error();
        if (*earlier)
            co_return std::move(**earlier);
    }

    auto root = open_root(opts.root);
    if (!root)
        co_return root.error();
    std::optional<location> dataset, output;
    if (spec.dataset)
    {
        auto d = locate_for_process(*root, *spec.dataset, "dataset");
        if (!d)
            co_return d.error();
        std::error_code ec;
        if (!std::filesystem::exists(d->path, ec))
            co_return local_error(errc::not_found, "the dataset '" + d->key + "' does not exist in local storage");
        dataset = std::move(*d);
    }
    if (spec.output)
    {
        auto o = locate_for_process(*root, *spec.output, "output");
        if (!o)
            co_return o.error();
        if (auto r = make_directories(o->path.parent_path()); !r)
            co_return r.error();
        output = std::move(*o);
    }

    // A fresh job directory; the id's random part makes a clash unlikely, mkdir makes it harmless.
    if (auto r = make_directories(opts.state_dir); !r)
        co_return r.error();
    job_record rec;
    job_handle& job = rec.handle;
    for (int attempt = 0;; ++attempt)
    {
        // Whole milliseconds, as job.json keeps it: a handle read back equals the one returned.
        job.launched_at = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
        job.id = make_job_id(job.launched_at);
        // Private: the log may show whatever the workload prints.
        if (::mkdir(job_paths(opts.state_dir, job.id).dir.c_str(), 0700) == 0)
            break;
        if (errno != EEXIST || attempt == 8)
            co_return os_error(errc::io_error, "create the job directory in", opts.state_dir, errno);
    }
    job_paths paths(opts.state_dir, job.id);
    launch_rollback rollback{.job_dir = paths.dir, .key_file = {}};

    auto cwd = opts.working_directory.empty() ? paths.work() : opts.working_directory;
    if (auto r = make_directories(cwd); !r)
        co_return r.error();
    auto plan = workload_plan(spec, job.id, cwd, dataset, output);
    if (!plan)
        co_return plan.error();

    job.provider = "local";
    job.name = spec.name;
    job.compute = compute_type{.id = "local", .gpu_count = 0};
    job.output = spec.output;
    rec.idempotency_key = spec.idempotency_key;
    rec.command = spec.command;
    rec.max_runtime = spec.max_runtime;
    rec.grace = opts.terminate_grace;
    if (auto w = write_file_atomically(paths.record(), serialize(rec)); !w)
        co_return w.error();
    if (!unique_fd(::open(paths.log().c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644)))
        co_return os_error(errc::io_error, "create", paths.log(), errno);

    if (!spec.idempotency_key.empty())
    {
        auto winner = claim_key(opts, spec.idempotency_key, job.id);
        if (!winner)
            co_return winner.error();
        if (*winner)
        {
            // Another launch with this key got there first: that one is the job.
            auto other = claimed_job(opts, spec.idempotency_key);
            if (!other)
                co_return other.error();
            if (*other)
                co_return std::move(**other);
            co_return local_error(errc::conflict, "a concurrent launch with the same idempotency key did not finish");
        }
        rollback.key_file = idempotency_key_path(opts.state_dir, spec.idempotency_key);
    }

    if (auto started = co_await start_job(ex, opts, paths, *plan, rec, rollback); !started)
        co_return started.error();
    co_return job;
}

// ---------------------------------------------------------------------------------------------
// Logs

inline result<std::uint64_t> parse_cursor(log_cursor const& c)
{
    if (c.token.empty())
        return std::uint64_t(0);
    std::uint64_t offset = 0;
    auto const* end = c.token.data() + c.token.size();
    auto [p, ec] = std::from_chars(c.token.data(), end, offset);
    if (ec != std::errc() || p != end)
        return local_error(errc::invalid_argument,
                           "malformed log cursor '" + c.token.substr(0, 40) + "' (expected a byte offset)");
    return offset;
}

inline result<log_chunk> read_log_chunk(options const& opts, job_paths const& paths, log_cursor const& from)
{
    auto offset = parse_cursor(from);
    if (!offset)
        return offset.error();
    // Whether the job has ended is decided before reading: an outcome is recorded only after
    // the workload's process group is gone, so nothing is written to the log after that.
    auto rec = load_record(paths);
    if (!rec)
        return rec.error();
    auto phase = observe(opts, paths, *rec);
    if (!phase)
        return phase.error();
    bool ended = phase->kind == job_phase::ended || phase->kind == job_phase::vanished;

    auto fd = open_for_reading(paths.log());
    if (!fd)
        return fd.error();
    struct stat st{};
    if (::fstat(fd->get(), &st) != 0)
        return os_error(errc::io_error, "inspect", paths.log(), errno);
    auto size = static_cast<std::uint64_t>(st.st_size);
    if (*offset > size)
        return local_error(errc::invalid_argument, "log cursor " + from.token + " is past the end of the log (" +
                                                       std::to_string(size) + " bytes)");

    std::string buf(static_cast<std::size_t>(std::min<std::uint64_t>(size - *offset, opts.max_log_chunk_bytes)), '\0');
    std::size_t got = 0;
    while (got < buf.size())
    {
        auto n = ::pread(fd->get(), buf.data() + got, buf.size() - got, static_cast<off_t>(*offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return os_error(errc::io_error, "read", paths.log(), errno);
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    buf.resize(got);

    // Deliver complete lines; a line longer than a whole chunk in pieces; the unterminated last
    // line only when nothing can be appended to it any more.
    auto last_newline = buf.rfind('\n');
    std::size_t take = last_newline == std::string::npos ? 0 : last_newline + 1;
    if (ended && *offset + got == size)
        take = got;
    else if (take == 0 && got == opts.max_log_chunk_bytes)
        take = got;

    log_chunk chunk;
    std::string_view rest(buf.data(), take);
    while (!rest.empty())
    {
        auto nl = rest.find('\n');
        auto line = rest.substr(0, nl);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        chunk.lines.emplace_back(line);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    }
    chunk.next.token = std::to_string(*offset + take);
    chunk.end_of_stream = ended && *offset + take == size;
    return chunk;
}

// ---------------------------------------------------------------------------------------------
// Terminate

inline task<job_status> terminate(boost::asio::any_io_executor ex, options const& opts, job_paths const& paths)
{
    auto rec = load_record(paths);
    if (!rec)
        co_return rec.error();
    auto now = co_await job_status_of(ex, opts, paths);
    boost::asio::steady_timer timer(ex);
    // A job still starting (launched, its supervisor not yet holding the lock) is waited for:
    // answering `pending` would let it start and run on after the caller asked it to stop.
    // Within launch_timeout it runs, ends, or counts as vanished (the steady bound holds even
    // if the wall clock, which dates the launch, jumps back).
    auto const started_by = std::chrono::steady_clock::now() + opts.launch_timeout + std::chrono::seconds(1);
    while (now && now->state == job_state::pending && std::chrono::steady_clock::now() < started_by)
    {
        timer.expires_after(std::min<std::chrono::milliseconds>(opts.poll_interval, std::chrono::milliseconds(20)));
        co_await timer.async_wait(boost::asio::use_awaitable);
        now = co_await job_status_of(ex, opts, paths);
    }
    if (!now || now->state != job_state::running)
        co_return now; // ended already (or never started): its status is the answer

    // The supervisor turns SIGTERM into "stop the group, then kill it after the grace period"
    // and records `cancelled`; we only ask and wait for the record.
    if (pid_t supervisor = lock_holder(paths.lock()); supervisor != 0)
        ::kill(supervisor, SIGTERM);
    auto limit = rec->grace + std::chrono::seconds(5);
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;)
    {
        auto outcome = load_outcome(paths);
        if (!outcome)
            co_return outcome.error();
        if (*outcome || lock_holder(paths.lock()) == 0)
            co_return co_await job_status_of(ex, opts, paths);
        if (std::chrono::steady_clock::now() >= deadline)
            co_return local_error(errc::timeout, "job " + rec->handle.id + " did not stop within " +
                                                     std::to_string(limit.count()) + " ms");
        timer.expires_after(std::min<std::chrono::milliseconds>(opts.poll_interval, std::chrono::milliseconds(50)));
        co_await timer.async_wait(boost::asio::use_awaitable);
    }
}

} // namespace detail

MLCLOUD_DECL training::training(boost::asio::any_io_executor ex, options const& opts)
    : ex_(std::move(ex)), opts_(detail::resolve(opts))
{
}

MLCLOUD_DECL task<job_handle> training::launch(job_spec const& spec)
{
    co_return detail::tagged(co_await detail::launch(ex_, opts_, spec), "launch");
}

MLCLOUD_DECL task<job_status> training::status(job_handle const& job)
{
    auto paths = detail::find_job(opts_, job);
    if (!paths)
        co_return detail::tagged(result<job_status>(paths.error()), "status");
    co_return detail::tagged(co_await detail::job_status_of(ex_, opts_, *paths), "status");
}

MLCLOUD_DECL task<log_chunk> training::read_logs(job_handle const& job, log_cursor const& from)
{
    auto paths = detail::find_job(opts_, job);
    if (!paths)
        co_return detail::tagged(result<log_chunk>(paths.error()), "read_logs");
    co_return detail::tagged(detail::read_log_chunk(opts_, *paths, from), "read_logs");
}

MLCLOUD_DECL task<job_status> training::terminate(job_handle const& job)
{
    auto paths = detail::find_job(opts_, job);
    if (!paths)
        co_return detail::tagged(result<job_status>(paths.error()), "terminate");
    co_return detail::tagged(co_await detail::terminate(ex_, opts_, *paths), "terminate");
}

MLCLOUD_DECL task<std::vector<job_handle>> training::list_jobs()
{
    std::vector<job_handle> jobs;
    std::error_code ec;
    std::filesystem::directory_iterator it(opts_.state_dir, ec);
    if (ec == std::errc::no_such_file_or_directory)
        co_return jobs;
    if (ec)
        co_return detail::tagged(result<std::vector<job_handle>>(detail::os_error(errc::io_error, "list the jobs in",
                                                                                  opts_.state_dir, ec.value())),
                                 "list_jobs");
    for (; it != std::filesystem::directory_iterator(); it.increment(ec))
    {
        auto const id = it->path().filename().string();
        if (!detail::is_job_id(id))
            continue;
        auto record = detail::load_record(detail::job_paths(opts_.state_dir, id));
        if (record && record->handle.id == id)
            jobs.push_back(std::move(record->handle));
    }
    std::sort(jobs.begin(), jobs.end(), [](job_handle const& a, job_handle const& b) { return a.id < b.id; });
    co_return jobs;
}

MLCLOUD_DECL result<std::filesystem::path> training::job_directory(job_handle const& job) const
{
    auto paths = detail::tagged(detail::find_job(opts_, job), "job_directory");
    if (!paths)
        return paths.error();
    return std::move(paths->dir);
}

} // namespace local
} // namespace mlcloud

#endif
