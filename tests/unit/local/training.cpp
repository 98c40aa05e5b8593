//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "local_test.hpp"

#include <mlcloud/local/detail/job_store.hpp>

#include <boost/asio/co_spawn.hpp>

#include <csignal>
#include <optional>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace local_test;
using mlcloud::errc;
using mlcloud::job_handle;
using mlcloud::job_spec;
using mlcloud::job_state;
using mlcloud::job_status;
using mlcloud::log_cursor;
using mlcloud::storage_uri;
namespace local = mlcloud::local;

namespace {

std::string const marker(mlcloud::completion_marker);

// A workload written as a POSIX shell script: the job's command is {"/bin/sh", "-c", script,
// "sh", args...}. The shell is the workload's own choice; mlcloud never runs one.
job_spec sh_job(std::string script, std::vector<std::string> args = {})
{
    job_spec spec;
    spec.name = "test job";
    spec.command = {"/bin/sh", "-c", std::move(script), "sh"};
    spec.command.insert(spec.command.end(), args.begin(), args.end());
    return spec;
}

job_status wait_until_done(fixture& f, local::training& t, job_handle const& h, std::chrono::milliseconds limit = 20s)
{
    job_status s;
    REQUIRE(eventually(
        [&] {
            auto r = f.run(t.status(h));
            REQUIRE(r.has_value());
            s = *r;
            return mlcloud::is_terminal(s.state);
        },
        limit));
    return s;
}

// Reads the whole log from `from` until end_of_stream; every chunk goes through `on_chunk`.
template <class OnChunk>
std::vector<std::string> read_all_logs(fixture& f, local::training& t, job_handle const& h, log_cursor from,
                                       OnChunk on_chunk)
{
    std::vector<std::string> lines;
    REQUIRE(eventually([&] {
        auto chunk = f.run(t.read_logs(h, from));
        REQUIRE(chunk.has_value());
        on_chunk(*chunk);
        lines.insert(lines.end(), chunk->lines.begin(), chunk->lines.end());
        from = chunk->next;
        return chunk->end_of_stream;
    }));
    return lines;
}

std::vector<std::string> read_all_logs(fixture& f, local::training& t, job_handle const& h)
{
    return read_all_logs(f, t, h, {}, [](auto const&) {});
}

fs::path work_dir(local::training& t, job_handle const& h) { return t.job_directory(h).value() / "work"; }

std::size_t job_directories(fs::path const& state_dir)
{
    std::size_t n = 0;
    if (fs::exists(state_dir))
        for (auto const& e : fs::directory_iterator(state_dir))
            n += local::detail::is_job_id(e.path().filename().string());
    return n;
}

} // namespace

TEST_CASE("local training: the command runs from an argv vector, never through a shell")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    auto pwned = f.dir.path / "pwned";
    std::string evil = "$(touch " + pwned.string() + "); echo x";
    auto spec = sh_job("for a in \"$@\"; do printf '%s\\n' \"$a\"; done; echo '" + marker + "'",
                       {evil, "two  words", "'quoted' \"double\"", "*", "a;b|c&d", "{job_id}"});

    auto h = f.run(t.launch(spec));
    REQUIRE(h.has_value());
    CHECK(h->provider == "local");
    CHECK(local::detail::is_job_id(h->id));
    CHECK(h->name == "test job");
    CHECK(h->price_per_hour == 0.0);

    auto s = wait_until_done(f, t, *h);
    CHECK(s.state == job_state::succeeded);
    CHECK(s.exit_code == 0);
    CHECK(read_all_logs(f, t, *h) == std::vector<std::string>{evil, "two  words", "'quoted' \"double\"", "*",
                                                               "a;b|c&d", h->id, marker});
    CHECK_FALSE(fs::exists(pwned));
}

TEST_CASE("local training: environment, placeholders, dataset, output and working directory")
{
    fixture f;
    ::setenv("MLCLOUD_TEST_INHERITED", "from the parent", 1);
    ::setenv("MLCLOUD_TEST_OVERRIDDEN", "parent value", 1);
    write_file(f.root() / "data/iris.csv", "sepal,petal\n1,2\n");

    auto spec = sh_job(R"sh(
        printf 'dataset=%s\n' "$MLCLOUD_DATASET"
        printf 'output=%s\n' "$MLCLOUD_OUTPUT"
        printf 'job=%s\n' "$MLCLOUD_JOB_ID"
        printf 'inherited=%s\n' "$MLCLOUD_TEST_INHERITED"
        printf 'overridden=%s\n' "$MLCLOUD_TEST_OVERRIDDEN"
        printf 'mine=%s\n' "$MY_VAR"
        printf 'cwd=%s\n' "$(pwd)"
        printf 'args=%s|%s|%s\n' "$1" "$2" "$3"
        cp "$MLCLOUD_DATASET" "$MLCLOUD_OUTPUT" && echo ')sh" + marker + "'",
                       {"{dataset}", "--out={output}", "{job_id}-{unknown}"});
    spec.dataset = storage_uri::local("data/iris.csv");
    spec.output = storage_uri::local("models/iris/model.txt");
    spec.env = {{"MY_VAR", "my value"}, {"MLCLOUD_TEST_OVERRIDDEN", "job value"}};

    SECTION("default working directory: the job's own work/ directory")
    {
        local::training t(f.ctx.get_executor(), f.opts);
        auto h = f.run(t.launch(spec)).value();
        CHECK(h.output == spec.output);
        CHECK(wait_until_done(f, t, h).state == job_state::succeeded);
        auto dataset = (f.root() / "data/iris.csv").string();
        auto output = (f.root() / "models/iris/model.txt").string();
        CHECK(read_all_logs(f, t, h) == std::vector<std::string>{
                                            "dataset=" + dataset,
                                            "output=" + output,
                                            "job=" + h.id,
                                            "inherited=from the parent",
                                            "overridden=job value",
                                            "mine=my value",
                                            "cwd=" + work_dir(t, h).string(),
                                            "args=" + dataset + "|--out=" + output + "|" + h.id + "-{unknown}",
                                            marker,
                                        });
        CHECK(read_file(output) == "sepal,petal\n1,2\n");
    }
    SECTION("a configured working directory")
    {
        f.opts.working_directory = f.dir.path / "scratch";
        local::training t(f.ctx.get_executor(), f.opts);
        auto h = f.run(t.launch(spec)).value();
        CHECK(wait_until_done(f, t, h).state == job_state::succeeded);
        auto lines = read_all_logs(f, t, h);
        CHECK(std::find(lines.begin(), lines.end(), "cwd=" + (f.dir.path / "scratch").string()) != lines.end());
    }
}

TEST_CASE("local training: exit status and completion marker decide the final state")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    auto finish = [&](std::string script) {
        auto h = f.run(t.launch(sh_job(std::move(script)))).value();
        return wait_until_done(f, t, h);
    };

    auto ok = finish("echo training; echo '" + marker + "'; echo trailing output");
    CHECK(ok.state == job_state::succeeded);
    CHECK(ok.cost_so_far.usd == 0.0);
    CHECK(ok.cost_so_far.basis == "local");

    // The marker straddles two of the 64 KiB steps in which the log is searched (backwards).
    auto straddling = finish("echo '" + marker + "'; printf '%065530d\\n' 0");
    CHECK(straddling.state == job_state::succeeded);

    auto no_marker = finish("echo 'trained, but forgot to save'");
    CHECK(no_marker.state == job_state::failed);
    CHECK(no_marker.exit_code == 0);
    CHECK_THAT(no_marker.detail, Catch::Contains("completion marker"));

    auto exit3 = finish("echo training; exit 3");
    CHECK(exit3.state == job_state::failed);
    CHECK(exit3.exit_code == 3);
    CHECK(exit3.detail == "exited with code 3");

    // The marker means the model is stored: a non-zero exit afterwards does not undo success.
    auto late_exit = finish("echo '" + marker + "'; exit 3");
    CHECK(late_exit.state == job_state::succeeded);
    CHECK(late_exit.exit_code == 3);
    CHECK_THAT(late_exit.detail, Catch::Contains("then exited with code 3"));

    auto killed = finish("kill -9 $$");
    CHECK(killed.state == job_state::failed);
    CHECK_FALSE(killed.exit_code.has_value());
    CHECK_THAT(killed.detail, Catch::Contains("signal 9"));
}

TEST_CASE("local training: the job's state directory holds what docs/local.md describes")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    auto h = f.run(t.launch(sh_job("echo '" + marker + "'"))).value();
    wait_until_done(f, t, h);
    auto dir = t.job_directory(h).value();
    CHECK(dir == f.root() / ".mlcloud/jobs" / h.id);
    for (auto name : {"job.json", "output.log", "result.json", "supervisor.lock"})
        CHECK(fs::is_regular_file(dir / name));
    CHECK(fs::is_directory(dir / "work"));
    CHECK((fs::status(dir).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    auto outcome = local::detail::parse_job_outcome(read_file(dir / "result.json")).value();
    CHECK(outcome.kind == local::detail::job_outcome::exited);
    CHECK(outcome.exit_code == 0);
    CHECK(local::detail::parse_job_record(read_file(dir / "job.json")).value().handle.id == h.id);
}

TEST_CASE("local training: terminate stops the whole process group")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);

    SECTION("the workload and a grandchild it started")
    {
        auto h = f.run(t.launch(sh_job("sleep 1000 & echo $! > grandchild.pid; echo $$ > self.pid; wait"))).value();
        auto self = read_pid(work_dir(t, h) / "self.pid");
        auto grandchild = read_pid(work_dir(t, h) / "grandchild.pid");
        CHECK(f.run(t.status(h)).value().state == job_state::running);

        auto stopped = f.run(t.terminate(h));
        REQUIRE(stopped.has_value());
        CHECK(stopped->state == job_state::cancelled);
        CHECK(eventually([&] { return process_gone(self) && process_gone(grandchild); }, 5s));

        // Idempotent, and the status stays.
        CHECK(f.run(t.terminate(h)).value().state == job_state::cancelled);
        CHECK(f.run(t.status(h)).value().state == job_state::cancelled);
        read_all_logs(f, t, h); // reaches end_of_stream
    }
    SECTION("a workload that ignores SIGTERM is killed after the grace period")
    {
        auto h = f.run(t.launch(sh_job("trap '' TERM; echo $$ > self.pid; while :; do sleep 0.1; done"))).value();
        auto self = read_pid(work_dir(t, h) / "self.pid");
        auto stopped = f.run(t.terminate(h));
        REQUIRE(stopped.has_value());
        CHECK(stopped->state == job_state::cancelled);
        CHECK(eventually([&] { return process_gone(self); }, 5s));
    }
    SECTION("terminating a finished job returns its final status")
    {
        auto h = f.run(t.launch(sh_job("echo '" + marker + "'"))).value();
        wait_until_done(f, t, h);
        CHECK(f.run(t.terminate(h)).value().state == job_state::succeeded);
    }
}

TEST_CASE("local training: a terminate while the job is starting stops it once it starts")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    std::optional<mlcloud::result<job_handle>> launched;
    auto const spec = sh_job("echo $$ > self.pid; exec sleep 1000"); // outlives the launch
    boost::asio::co_spawn(f.ctx, t.launch(spec),
                          [&](std::exception_ptr e, mlcloud::result<job_handle> r) {
                              REQUIRE_FALSE(e);
                              launched = std::move(r);
                          });
    // The launch runs until it waits for its supervisor: the job directory holds the record by
    // then, and the terminate below (as from another process) may well find the job starting.
    auto const jobs = f.opts.root / ".mlcloud" / "jobs";
    auto const recorded = [&]() -> std::optional<std::string> {
        std::error_code ec;
        for (auto const& d : fs::directory_iterator(jobs, ec))
            if (fs::exists(d.path() / "job.json"))
                return d.path().filename().string();
        return std::nullopt;
    };
    while (!recorded() && !launched)
        f.ctx.run_one();
    REQUIRE(recorded());
    job_handle h{.provider = "local", .id = *recorded()};

    auto stopped = f.run(t.terminate(h));
    REQUIRE(stopped.has_value());
    CHECK(stopped->state == job_state::cancelled); // not `pending`, with the job running on after
    while (!launched)
        f.ctx.run_one();
    REQUIRE(launched->has_value());
    CHECK(f.run(t.status(h)).value().state == job_state::cancelled);
    // Stopped right after its exec, the workload may not have written its pid.
    if (auto const pid_file = work_dir(t, h) / "self.pid"; fs::exists(pid_file) && fs::file_size(pid_file) > 0)
    {
        auto self = read_pid(pid_file);
        CHECK(eventually([&] { return process_gone(self); }, 5s));
    }
}

TEST_CASE("local training: the supervisor enforces max_runtime")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    auto spec = sh_job("echo $$ > self.pid; sleep 1000 & echo $! > grandchild.pid; wait");
    spec.max_runtime = 1s;
    auto h = f.run(t.launch(spec)).value();
    auto self = read_pid(work_dir(t, h) / "self.pid");
    auto grandchild = read_pid(work_dir(t, h) / "grandchild.pid");
    auto s = wait_until_done(f, t, h);
    CHECK(s.state == job_state::timed_out);
    CHECK_THAT(s.detail, Catch::Contains("max_runtime"));
    CHECK(eventually([&] { return process_gone(self) && process_gone(grandchild); }, 5s));
}

TEST_CASE("local training: a job survives the process that launched it")
{
    fixture f;
    auto spec = sh_job("echo started; while [ ! -e go ]; do sleep 0.05; done; echo '" + marker + "'");

    // Launch from a separate process that exits as soon as launch returned.
    int ids[2];
    REQUIRE(::pipe(ids) == 0);
    pid_t launcher = ::fork();
    REQUIRE(launcher >= 0);
    if (launcher == 0)
    {
        ::close(ids[0]);
        boost::asio::io_context ctx;
        local::training t(ctx.get_executor(), f.opts);
        auto h = mlcloud::run_blocking(ctx, t.launch(spec));
        std::string id = h ? h->id : "launch failed: " + h.error().what();
        (void)!::write(ids[1], id.data(), id.size());
        ::_exit(h ? 0 : 1);
    }
    ::close(ids[1]);
    std::string id;
    char buf[256];
    for (ssize_t n; (n = ::read(ids[0], buf, sizeof buf)) > 0;)
        id.append(buf, static_cast<std::size_t>(n));
    ::close(ids[0]);
    int status = 0;
    REQUIRE(::waitpid(launcher, &status, 0) == launcher);
    INFO(id);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);

    // A new provider, in this process, addresses the job from provider + id alone.
    local::training t(f.ctx.get_executor(), f.opts);
    job_handle h{.provider = "local", .id = id};
    CHECK(f.run(t.status(h)).value().state == job_state::running);
    write_file(work_dir(t, h) / "go", "");
    CHECK(wait_until_done(f, t, h).state == job_state::succeeded);
    CHECK(read_all_logs(f, t, h) == std::vector<std::string>{"started", marker});
}

TEST_CASE("local training: a new provider instance resumes a job and its log cursor")
{
    fixture f;
    f.opts.max_log_chunk_bytes = 64;
    auto spec = sh_job(R"(i=1; while [ $i -le 300 ]; do echo "line $i"; if [ $((i % 60)) -eq 0 ]; then sleep 0.1; fi; i=$((i+1)); done; echo ')" +
                       marker + "'");
    std::vector<std::string> expected;
    for (int i = 1; i <= 300; ++i)
        expected.push_back("line " + std::to_string(i));
    expected.push_back(marker);

    std::vector<std::string> lines;
    std::string saved_token;
    std::string id;
    {
        boost::asio::io_context ctx;
        local::training first(ctx.get_executor(), f.opts);
        auto h = mlcloud::run_blocking(ctx, first.launch(spec)).value();
        id = h.id;
        log_cursor at;
        for (int i = 0; i < 8 || lines.empty(); ++i)
        {
            auto chunk = mlcloud::run_blocking(ctx, first.read_logs(h, at)).value();
            std::size_t bytes = 0;
            for (auto const& l : chunk.lines)
                bytes += l.size() + 1;
            CHECK(bytes <= 64); // never more than the configured bytes per call
            lines.insert(lines.end(), chunk.lines.begin(), chunk.lines.end());
            at = chunk.next;
        }
        saved_token = at.token; // e.g. stored in a database by a bot that then restarts
    }
    CHECK(std::stoull(saved_token) > 0);

    local::training second(f.ctx.get_executor(), f.opts);
    job_handle h{.provider = "local", .id = id};
    auto rest = read_all_logs(f, second, h, log_cursor{saved_token}, [](auto const&) {});
    lines.insert(lines.end(), rest.begin(), rest.end());
    CHECK(lines == expected);
    CHECK(f.run(second.status(h)).value().state == job_state::succeeded);

    // Reading again from the end gives nothing new, and says so.
    auto end = f.run(second.read_logs(h, log_cursor{std::to_string(fs::file_size(second.job_directory(h).value() /
                                                                                 "output.log"))}))
                   .value();
    CHECK(end.lines.empty());
    CHECK(end.end_of_stream);
}

TEST_CASE("local training: read_logs delivers whole lines")
{
    fixture f;
    f.opts.max_log_chunk_bytes = 100;
    local::training t(f.ctx.get_executor(), f.opts);
    auto h = f.run(t.launch(sh_job(
                        "printf 'first\\npart'; while [ ! -e go ]; do sleep 0.05; done; printf 'ial\\n'; "
                        "printf '%0250d\\n' 0; printf 'tail without newline'")))
                 .value();

    // While the job runs, the unterminated "part" is held back.
    log_cursor at;
    std::vector<std::string> lines;
    REQUIRE(eventually([&] {
        auto chunk = f.run(t.read_logs(h, at)).value();
        CHECK_FALSE(chunk.end_of_stream);
        lines.insert(lines.end(), chunk.lines.begin(), chunk.lines.end());
        at = chunk.next;
        return !lines.empty();
    }));
    CHECK(lines == std::vector<std::string>{"first"});
    auto again = f.run(t.read_logs(h, at)).value();
    CHECK(again.lines.empty());
    CHECK(again.next == at);
    CHECK_FALSE(again.end_of_stream);

    write_file(work_dir(t, h) / "go", "");
    wait_until_done(f, t, h);
    auto rest = read_all_logs(f, t, h, at, [](auto const&) {});
    // A line longer than the chunk limit arrives in pieces; the last, unterminated line arrives
    // once the job has ended.
    CHECK(rest == std::vector<std::string>{"partial", std::string(100, '0'), std::string(100, '0'),
                                           std::string(50, '0'), "tail without newline"});
}

TEST_CASE("local training: malformed and impossible log cursors")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    auto h = f.run(t.launch(sh_job("echo hello; echo '" + marker + "'"))).value();
    wait_until_done(f, t, h);
    for (auto token : {"abc", "-1", "12x", " 1", "+3", "0x10", "99999999"})
    {
        INFO(token);
        auto r = f.run(t.read_logs(h, log_cursor{token}));
        REQUIRE(r.has_error());
        CHECK(r.error().is(errc::invalid_argument));
        CHECK(r.error().operation == "read_logs");
    }
    auto from_6 = f.run(t.read_logs(h, log_cursor{"6"})).value();
    CHECK(from_6.lines == std::vector<std::string>{marker});
    CHECK(from_6.end_of_stream);
}

TEST_CASE("local training: commands that cannot start are launch errors and leave nothing behind")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    auto fails = [&](std::vector<std::string> command, errc code) {
        job_spec spec;
        spec.command = std::move(command);
        auto r = f.run(t.launch(spec));
        REQUIRE(r.has_error());
        CHECK(r.error().is(code));
        CHECK(r.error().operation == "launch");
        return r.error().message;
    };

    CHECK_THAT(fails({"mlcloud-no-such-command-xyz", "arg"}, errc::not_found),
               Catch::Contains("mlcloud-no-such-command-xyz") && Catch::Contains("PATH"));
    fails({"/nonexistent/dir/program"}, errc::not_found);
    fails({}, errc::invalid_argument);

    auto not_executable = f.dir.path / "not-executable.sh";
    write_file(not_executable, "#!/bin/sh\necho hi\n");
    fs::permissions(not_executable, fs::perms::owner_read | fs::perms::owner_write);
    fails({not_executable.string()}, errc::forbidden);

    // This one passes every check before fork and fails in execve, inside the supervisor.
    auto bad_interpreter = write_script(f.dir.path / "bad-interpreter.sh", "#!/nonexistent/interpreter\necho hi\n");
    CHECK_THAT(fails({bad_interpreter.string()}, errc::not_found), Catch::Contains("interpreter"));

    CHECK(job_directories(t.settings().state_dir) == 0);
}

TEST_CASE("local training: launching twice with one idempotency key gives one job")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    auto runs = f.dir.path / "runs.txt";
    auto spec = sh_job("echo run >> '" + runs.string() + "'; echo '" + marker + "'");
    spec.idempotency_key = "user-42-train-1";
    spec.output = storage_uri::local("models/idem.bin");

    auto a = f.run(t.launch(spec)).value();
    auto b = f.run(t.launch(spec)).value();
    // The second handle is read back from the job's record: the same handle in every field.
    CHECK(a.id == b.id);
    CHECK(a.provider == b.provider);
    CHECK(a.name == b.name);
    CHECK(a.compute == b.compute);
    CHECK(a.launched_at == b.launched_at);
    CHECK(a.output == b.output);

    // Also from a new provider instance, and from two launches racing in one io_context.
    local::training other(f.ctx.get_executor(), f.opts);
    CHECK(f.run(other.launch(spec)).value().id == a.id);

    spec.idempotency_key = "user-42-train-2";
    std::optional<mlcloud::result<job_handle>> r1, r2;
    boost::asio::co_spawn(f.ctx, t.launch(spec), [&](std::exception_ptr, auto r) { r1 = std::move(r); });
    boost::asio::co_spawn(f.ctx, other.launch(spec), [&](std::exception_ptr, auto r) { r2 = std::move(r); });
    f.ctx.restart(); // the last run_blocking left it stopped
    while (!r1 || !r2)
        REQUIRE(f.ctx.run_one() == 1);
    REQUIRE(r1->has_value());
    REQUIRE(r2->has_value());
    CHECK((*r1)->id == (*r2)->id);
    CHECK((*r1)->id != a.id);

    wait_until_done(f, t, a);
    wait_until_done(f, t, **r1);
    CHECK(read_file(runs) == "run\nrun\n"); // one run per key
    CHECK(job_directories(t.settings().state_dir) == 2);

    spec.idempotency_key.clear();
    CHECK(f.run(t.launch(spec)).value().id != a.id);
}

TEST_CASE("local training: bad specs are refused before anything starts")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    write_file(f.root() / "data.csv", "a\n1\n");
    auto refused = [&](job_spec spec, errc code) {
        auto r = f.run(t.launch(spec));
        REQUIRE(r.has_error());
        CHECK(r.error().is(code));
        return r.error().message;
    };
    auto base = sh_job("echo '" + marker + "'");

    auto s3 = base;
    s3.dataset = storage_uri::s3("bucket", "data.csv");
    CHECK_THAT(refused(s3, errc::not_supported), Catch::Contains("copy it to local storage"));
    auto missing = base;
    missing.dataset = storage_uri::local("missing.csv");
    refused(missing, errc::not_found);
    auto escape = base;
    escape.dataset = storage_uri::local("../data.csv");
    refused(escape, errc::invalid_argument);
    auto out_escape = base;
    out_escape.output = storage_uri::local("/etc/model.bin");
    refused(out_escape, errc::forbidden);
    refused(sh_job("cat \"$1\"", {"{dataset}"}), errc::invalid_argument);
    refused(sh_job("true", {"{output}"}), errc::invalid_argument);
    auto spot = base;
    spot.market = mlcloud::market::spot;
    refused(spot, errc::not_supported);
    auto no_time = base;
    no_time.max_runtime = 0s;
    refused(no_time, errc::invalid_argument);
    auto forever = base; // meant as "no limit", it overflowed into a job killed at once
    forever.max_runtime = std::chrono::seconds::max();
    CHECK_THAT(refused(forever, errc::invalid_argument), Catch::Contains("366 days"));
    auto bad_env = base;
    bad_env.env = {{"A=B", "x"}};
    refused(bad_env, errc::invalid_argument);
    CHECK(job_directories(t.settings().state_dir) == 0);
}

TEST_CASE("local training: unknown, foreign and malformed handles")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    job_handle unknown{.provider = "local", .id = "local-20261128T171000-1a2b3c4d"};
    for (auto r : {f.run(t.status(unknown)), f.run(t.terminate(unknown))})
    {
        REQUIRE(r.has_error());
        CHECK(r.error().is(errc::not_found));
    }
    CHECK(f.run(t.read_logs(unknown, {})).error().is(errc::not_found));

    job_handle escape{.provider = "local", .id = "../../etc"};
    CHECK(f.run(t.status(escape)).error().is(errc::invalid_argument));
    job_handle foreign{.provider = "aws", .id = "i-0123456789abcdef0"};
    CHECK_THAT(f.run(t.status(foreign)).error().message, Catch::Contains("aws"));
}

TEST_CASE("local training: a vanished supervisor is reported, not mistaken for a running job")
{
    fixture f;
    local::training t(f.ctx.get_executor(), f.opts);
    auto h = f.run(t.launch(sh_job("echo $$ > self.pid; exec sleep 1000"))).value();
    auto self = read_pid(work_dir(t, h) / "self.pid");
    auto supervisor = local::detail::lock_holder(t.job_directory(h).value() / "supervisor.lock");
    REQUIRE(supervisor > 0);
    ::kill(supervisor, SIGKILL);

    job_status s;
    CHECK(eventually([&] {
        s = f.run(t.status(h)).value();
        return s.state != job_state::running;
    }));
    CHECK(s.state == job_state::failed);
    CHECK_THAT(s.detail, Catch::Contains("supervisor vanished"));
    // A failed job's log ends, so whoever follows it stops.
    CHECK(read_all_logs(f, t, h).empty());
    ::kill(self, SIGKILL); // the orphaned workload is ours to clean up here
}
