//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_PROCESS_IPP
#define MLCLOUD_LOCAL_IMPL_PROCESS_IPP

#include <mlcloud/local/detail/process.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mlcloud {
namespace local {
namespace detail {

MLCLOUD_DECL exec_arrays::exec_arrays(exec_plan const& plan)
    : executable(plan.executable.c_str()), cwd(plan.cwd.empty() ? nullptr : plan.cwd.c_str()), max_fd(1024)
{
    for (auto const& a : plan.args)
        argv_.push_back(const_cast<char*>(a.c_str()));
    argv_.push_back(nullptr);
    for (auto const& e : plan.env)
        envp_.push_back(const_cast<char*>(e.c_str()));
    envp_.push_back(nullptr);
    struct rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        max_fd = static_cast<int>(std::min<rlim_t>(rl.rlim_cur, 65536));
}

MLCLOUD_DECL std::vector<std::string> current_environment()
{
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e)
        out.emplace_back(*e);
    return out;
}

MLCLOUD_DECL std::vector<std::string> with_overrides(std::vector<std::string> env,
                                                     std::map<std::string, std::string> const& overrides)
{
    for (auto const& setting : overrides)
    {
        auto const& name = setting.first; // not a structured binding: lambdas capture it below
        auto entry = name + "=" + setting.second;
        auto same = std::find_if(env.begin(), env.end(), [&](std::string const& e) {
            return e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=';
        });
        if (same != env.end())
            *same = std::move(entry);
        else
            env.push_back(std::move(entry));
    }
    return env;
}

inline std::string path_variable(std::vector<std::string> const& env)
{
    for (auto const& e : env)
        if (e.starts_with("PATH="))
            return e.substr(5);
    return "/usr/local/bin:/usr/bin:/bin";
}

// 0 when `p` is an executable regular file, else the reason (ENOENT, EACCES).
inline int executable_problem(std::filesystem::path const& p)
{
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return ENOENT;
    return ::access(p.c_str(), X_OK) == 0 ? 0 : EACCES;
}

MLCLOUD_DECL result<std::string> find_executable(std::string const& name, std::vector<std::string> const& env,
                                                 std::filesystem::path const& cwd)
{
    if (name.empty())
        return local_error(errc::invalid_argument, "the command is empty");
    if (name.find('/') != std::string::npos)
    {
        auto p = cwd / name; // an absolute name replaces cwd
        if (int e = executable_problem(p); e != 0)
            return os_error(e == EACCES ? errc::forbidden : errc::not_found, "run", p, e);
        return p.string();
    }

    auto path = path_variable(env);
    bool found_unexecutable = false;
    for (std::string_view rest = path;;)
    {
        auto colon = rest.find(':');
        std::filesystem::path dir(rest.substr(0, colon));
        auto candidate = cwd / dir / name; // an empty PATH entry means the working directory
        int e = executable_problem(candidate);
        if (e == 0)
            return candidate.lexically_normal().string();
        found_unexecutable = found_unexecutable || e == EACCES;
        if (colon == std::string_view::npos)
            break;
        rest.remove_prefix(colon + 1);
    }
    if (found_unexecutable)
        return local_error(errc::forbidden, "'" + name + "' was found in PATH but is not executable");
    return local_error(errc::not_found, "the command '" + name + "' was not found in PATH (" + path + ")");
}

MLCLOUD_DECL std::string substitute(std::string text, std::map<std::string, std::string> const& values)
{
    // One pass from left to right, so a value that itself holds "{...}" is not expanded again.
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size())
    {
        auto open = text.find('{', pos);
        auto close = open == std::string::npos ? open : text.find('}', open);
        if (close == std::string::npos)
            break;
        auto it = values.find(text.substr(open + 1, close - open - 1));
        out.append(text, pos, open - pos);
        if (it != values.end())
        {
            out += it->second;
            pos = close + 1;
        }
        else
        {
            out += '{';
            pos = open + 1;
        }
    }
    out.append(text, pos);
    return out;
}

MLCLOUD_DECL error start_error(start_failure f, exec_plan const& plan)
{
    switch (f.step)
    {
    case start_failure::chdir:
        return os_error(f.err == ENOENT ? errc::not_found : errc::io_error, "enter the working directory", plan.cwd,
                        f.err);
    case start_failure::exec:
    {
        auto code = f.err == ENOENT ? errc::not_found
                  : f.err == EACCES ? errc::forbidden
                  : f.err == ENOEXEC ? errc::invalid_argument
                                      : errc::io_error;
        auto e = os_error(code, "start", plan.executable, f.err);
        if (f.err == ENOENT)
            e.message += " (is the interpreter named on its #! line installed?)";
        if (f.err == ENOEXEC)
            e.message += " (not a program this system can run)";
        return e;
    }
    default:
        return local_error(errc::io_error,
                           "could not prepare the process: " + std::generic_category().message(f.err));
    }
}

MLCLOUD_DECL void close_from(int from, int max_fd) noexcept
{
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, static_cast<unsigned>(from), ~0u, 0u) == 0)
        return;
#endif
    for (int fd = from; fd <= max_fd; ++fd)
        ::close(fd);
}

MLCLOUD_DECL void reset_signals() noexcept
{
    struct sigaction sa{};
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s < NSIG; ++s)
        ::sigaction(s, &sa, nullptr); // fails harmlessly for SIGKILL, SIGSTOP and reserved ones
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[noreturn]] MLCLOUD_DECL void exec_child(exec_arrays const& a, child_io io, int report) noexcept
{
    int report_fd = report;
    auto fail = [&](std::int32_t step, int err) {
        start_failure f{step, err};
        if (report_fd >= 0)
            (void)!::write(report_fd, &f, sizeof f);
        ::_exit(127);
    };

    ::setpgid(0, 0);
    // Lift everything we keep above 2 first, so installing 0/1/2 cannot clobber any of it.
    int in = ::fcntl(io.in, F_DUPFD, 10);
    int out = ::fcntl(io.out, F_DUPFD, 10);
    int err = ::fcntl(io.err, F_DUPFD, 10);
    int rep = report >= 0 ? ::fcntl(report, F_DUPFD, 10) : -1;
    if (in < 0 || out < 0 || err < 0 || (report >= 0 && rep < 0))
        fail(start_failure::setup, errno);
    if (rep >= 0)
    {
        if (::dup2(rep, 3) < 0 || ::fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
            fail(start_failure::setup, errno);
        report_fd = 3;
    }
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0)
        fail(start_failure::setup, errno);
    close_from(report_fd >= 0 ? 4 : 3, a.max_fd);
    reset_signals();
    if (a.cwd && ::chdir(a.cwd) != 0)
        fail(start_failure::chdir, errno);
    ::execve(a.executable, a.argv(), a.envp());
    fail(start_failure::exec, errno);
    ::_exit(127); // not reached: fail() exits
}

MLCLOUD_DECL pid_t spawn(exec_arrays const& a, child_io io, int report) noexcept
{
    pid_t pid = ::fork();
    if (pid == 0)
        exec_child(a, io, report);
    if (pid > 0)
        ::setpgid(pid, pid); // also here, so the group exists before anyone signals it
    return pid;
}

MLCLOUD_DECL result<std::pair<unique_fd, unique_fd>> make_pipe()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return local_error(errc::io_error, "cannot create a pipe: " + std::generic_category().message(errno));
    return std::pair<unique_fd, unique_fd>(unique_fd(fds[0]), unique_fd(fds[1]));
}

MLCLOUD_DECL task<std::size_t> read_pipe(boost::asio::any_io_executor ex, unique_fd fd, void* buf, std::size_t n,
                                         std::chrono::milliseconds timeout)
{
    using namespace boost::asio::experimental::awaitable_operators;
    namespace asio = boost::asio;
    asio::posix::stream_descriptor pipe(ex, fd.release());
    asio::steady_timer timer(ex, timeout);
    auto done = co_await (asio::async_read(pipe, asio::buffer(buf, n), asio::as_tuple(asio::use_awaitable)) ||
                          timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (done.index() == 1)
        co_return local_error(errc::timeout, "no answer from the child process within " +
                                                 std::to_string(timeout.count()) + " ms");
    auto [ec, got] = std::get<0>(done);
    if (ec && ec != asio::error::eof)
        co_return local_error(errc::io_error, "cannot read from a child process: " + ec.message());
    co_return got;
}

MLCLOUD_DECL boost::asio::awaitable<bool> wait_for_exit(boost::asio::any_io_executor ex, pid_t pid,
                                                        std::chrono::steady_clock::time_point deadline,
                                                        std::chrono::milliseconds max_step)
{
    using namespace std::chrono;
    boost::asio::steady_timer timer(ex);
    nanoseconds step = milliseconds(1);
    for (;;)
    {
        siginfo_t info{};
        int r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
        if (r == 0 && info.si_pid == pid)
            co_return true;
        if (r < 0 && errno != EINTR)
            co_return true; // ECHILD: reaped already, by a host that ignores SIGCHLD
        auto now = steady_clock::now();
        if (now >= deadline)
            co_return false;
        timer.expires_after(std::min<nanoseconds>({step, max_step, deadline - now}));
        co_await timer.async_wait(boost::asio::use_awaitable);
        step = std::min<nanoseconds>(step * 2, max_step);
    }
}

MLCLOUD_DECL std::optional<int> reap(pid_t pid) noexcept
{
    for (;;)
    {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, 0);
        if (r == pid)
            return status;
        if (r < 0 && errno == EINTR)
            continue;
        return std::nullopt;
    }
}

MLCLOUD_DECL std::string describe_wait_status(int status)
{
    if (WIFEXITED(status))
        return "exited with code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return describe_signal(WTERMSIG(status));
    return "ended with wait status " + std::to_string(status);
}

MLCLOUD_DECL std::string describe_signal(int sig)
{
    return "killed by signal " + std::to_string(sig) + " (" + ::strsignal(sig) + ")";
}

} // namespace detail
} // namespace local
} // namespace mlcloud

#endif
