//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_SUPERVISOR_IPP
#define MLCLOUD_LOCAL_IMPL_SUPERVISOR_IPP

#include <mlcloud/local/detail/supervisor.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <limits>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mlcloud {
namespace local {
namespace detail {

inline long long clamp_ns(std::chrono::milliseconds d)
{
    // A century is "no limit" for practical purposes and cannot overflow the arithmetic below.
    constexpr long long century_ms = 100ll * 365 * 24 * 3600 * 1000;
    return std::clamp<long long>(d.count(), 0, century_ms) * 1'000'000;
}

MLCLOUD_DECL supervisor_plan::supervisor_plan(job_paths const& paths, exec_plan const& workload_plan,
                                              std::chrono::milliseconds max_runtime, std::chrono::milliseconds grace)
    : log(paths.log().string())
    , lock_staging(paths.lock_staging().string())
    , lock(paths.lock().string())
    , result_staging(paths.result_staging().string())
    , result(paths.result().string())
    , workload(workload_plan)
    , max_runtime_ns(clamp_ns(max_runtime))
    , grace_ns(clamp_ns(grace))
{
}

// ---------------------------------------------------------------------------------------------
// Everything from here to start_supervisor runs in the supervisor: async-signal-safe only.

inline volatile std::sig_atomic_t supervisor_stop_requested = 0;

inline void on_stop_request(int) noexcept { supervisor_stop_requested = 1; }

// SIGCHLD only needs to interrupt nanosleep, so a finished workload is noticed at once.
inline void on_child_event(int) noexcept {}

inline void set_handler(int sig, void (*handler)(int)) noexcept
{
    struct sigaction sa{};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    ::sigaction(sig, &sa, nullptr);
}

inline long long clock_ns(clockid_t clock) noexcept
{
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<long long>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline void sleep_ns(long long ns) noexcept
{
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    ::nanosleep(&ts, nullptr); // a signal cuts it short, which is what we want
}

inline void write_outcome(supervisor_plan const& plan, job_outcome::kind_t kind, int wait_status, int step,
                          int err) noexcept
{
    char buf[256];
    auto n = format_job_outcome(buf, sizeof buf, kind, wait_status, step, err, clock_ns(CLOCK_REALTIME) / 1'000'000);
    int fd = ::open(plan.result_staging.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    bool ok = ::write(fd, buf, n) == static_cast<ssize_t>(n) && ::fsync(fd) == 0;
    ::close(fd);
    if (ok)
        ::rename(plan.result_staging.c_str(), plan.result.c_str());
}

inline void send(handshake msg) noexcept
{
    // Fd 3 is the handshake pipe; SIGPIPE is ignored, so a launcher that died costs nothing.
    (void)!::write(3, &msg, sizeof msg);
}

[[noreturn]] inline void give_up(supervisor_plan const& plan, int step, int err) noexcept
{
    write_outcome(plan, job_outcome::start_failed, 0, step, err);
    send({handshake::failed, step, err, 0});
    ::_exit(1);
}

// Own session, default signals but for the two we handle, nothing inherited but the handshake.
inline void detach(int handshake_fd, int max_fd) noexcept
{
    ::setsid();
    reset_signals();
    set_handler(SIGTERM, on_stop_request);
    set_handler(SIGCHLD, on_child_event);
    set_handler(SIGPIPE, SIG_IGN);

    int hs = ::fcntl(handshake_fd, F_DUPFD, 10);
    ::dup2(hs, 3);
    ::fcntl(3, F_SETFD, FD_CLOEXEC);
    int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0)
        for (int fd = 0; fd <= 2; ++fd)
            ::dup2(null_fd, fd); // never keep the launcher's terminal or pipes open
    close_from(4, max_fd);
    (void)!::chdir("/");
}

// Takes the job's lock under a staging name and renames it into place, so whoever sees
// supervisor.lock sees it locked for as long as this process lives.
inline int take_lock(supervisor_plan const& plan) noexcept
{
    int fd = ::open(plan.lock_staging.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno;
    struct flock lk{};
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &lk) != 0 || ::rename(plan.lock_staging.c_str(), plan.lock.c_str()) != 0)
        return errno;
    return 0; // fd stays open (and locked) until _exit
}

// Starts the workload; its pid, or -1 after give_up.
inline pid_t start_workload(supervisor_plan const& plan) noexcept
{
    int log = ::open(plan.log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log < 0)
        give_up(plan, start_failure::setup, errno);
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0)
        give_up(plan, start_failure::setup, errno);
    pid_t child = spawn(plan.workload, child_io{0, log, log}, report[1]);
    if (child < 0)
        give_up(plan, start_failure::setup, errno);
    ::close(report[1]);
    ::close(log);

    // EOF: execve succeeded and closed the child's end. A record: it failed before that.
    start_failure f{};
    ssize_t n;
    do
        n = ::read(report[0], &f, sizeof f);
    while (n < 0 && errno == EINTR);
    ::close(report[0]);
    if (n == static_cast<ssize_t>(sizeof f))
    {
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
        give_up(plan, f.step, f.err);
    }
    return child;
}

// Waits for the workload; stops its group on request or after max_runtime (SIGTERM, then
// SIGKILL after the grace period). Returns with the workload exited but not reaped.
inline job_outcome::kind_t supervise(supervisor_plan const& plan, pid_t child) noexcept
{
    constexpr long long max_nap = 100'000'000; // bounds how late a deadline can be noticed
    long long const deadline = clock_ns(CLOCK_MONOTONIC) + plan.max_runtime_ns;
    auto outcome = job_outcome::exited;
    long long kill_at = 0;
    bool stopping = false, killed = false;
    for (;;)
    {
        siginfo_t info{};
        int r = ::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG | WNOWAIT);
        if ((r == 0 && info.si_pid == child) || (r < 0 && errno != EINTR))
            return outcome;
        long long now = clock_ns(CLOCK_MONOTONIC);
        if (!stopping && (supervisor_stop_requested || now >= deadline))
        {
            outcome = supervisor_stop_requested ? job_outcome::cancelled : job_outcome::timed_out;
            ::kill(-child, SIGTERM);
            stopping = true;
            kill_at = now + plan.grace_ns;
        }
        else if (stopping && !killed && now >= kill_at)
        {
            ::kill(-child, SIGKILL);
            killed = true;
        }
        long long next = stopping ? (killed ? max_nap : kill_at - now) : deadline - now;
        sleep_ns(std::clamp(next, 1'000'000ll, max_nap));
    }
}

[[noreturn]] inline void run_supervisor(supervisor_plan const& plan, int handshake_fd) noexcept
{
    detach(handshake_fd, plan.workload.max_fd);
    if (int err = take_lock(plan); err != 0)
        give_up(plan, start_failure::setup, err);
    pid_t child = start_workload(plan);
    send({handshake::started, 0, 0, static_cast<std::int32_t>(child)});
    ::close(3);

    auto outcome = supervise(plan, child);
    // The workload's zombie still reserves its process group id: whatever it left running in
    // the group is ours to end, and cannot be someone else's by now.
    ::kill(-child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    write_outcome(plan, outcome, status, 0, 0);
    ::_exit(0);
}

// ---------------------------------------------------------------------------------------------

MLCLOUD_DECL result<supervisor_start> start_supervisor(supervisor_plan const& plan)
{
    auto pipe = make_pipe();
    if (!pipe)
        return pipe.error();
    pid_t middle = ::fork();
    if (middle == 0)
    {
        pid_t supervisor = ::fork();
        if (supervisor == 0)
            run_supervisor(plan, pipe->second.get());
        ::_exit(supervisor < 0 ? 1 : 0);
    }
    if (middle < 0)
        return local_error(errc::io_error, "cannot fork the job supervisor: " + std::generic_category().message(errno));
    pipe->second.reset(); // the supervisor's copy is the only writer left
    return supervisor_start{std::move(pipe->first), middle};
}

} // namespace detail
} // namespace local
} // namespace mlcloud

#endif
