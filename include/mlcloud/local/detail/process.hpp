//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_DETAIL_PROCESS_HPP
#define MLCLOUD_LOCAL_DETAIL_PROCESS_HPP

// Child processes without a shell. Everything a child needs (argv, envp, paths) is prepared
// before fork: the parent may have other threads, so between fork and execve the child makes
// async-signal-safe system calls only, and never allocates.

#include <mlcloud/concepts.hpp>
#include <mlcloud/local/detail/files.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace mlcloud {
namespace local {
namespace detail {

/// A program to start: the resolved executable, argv, the complete environment, the directory.
struct exec_plan
{
    std::string executable;
    std::vector<std::string> args; ///< args[0] is the name the user gave
    std::vector<std::string> env;  ///< "NAME=value"
    std::filesystem::path cwd;
};

/// The C arrays execve wants, pointing into an exec_plan that must outlive them.
class exec_arrays
{
public:
    MLCLOUD_DECL explicit exec_arrays(exec_plan const& plan);
    exec_arrays(exec_arrays const&) = delete;
    exec_arrays& operator=(exec_arrays const&) = delete;

    char const* executable;
    char const* cwd;
    char* const* argv() const noexcept { return argv_.data(); }
    char* const* envp() const noexcept { return envp_.data(); }
    int max_fd; ///< highest descriptor to close when close_range is unavailable

private:
    std::vector<char*> argv_;
    std::vector<char*> envp_;
};

/// The environment of this process as "NAME=value" entries.
MLCLOUD_DECL std::vector<std::string> current_environment();

/// `env` with each of `overrides` added or replaced.
MLCLOUD_DECL std::vector<std::string> with_overrides(std::vector<std::string> env,
                                                     std::map<std::string, std::string> const& overrides);

/// Finds a program as execvp would: `name` with a '/' is taken relative to `cwd`; otherwise each
/// directory of PATH in `env` (default "/usr/local/bin:/usr/bin:/bin") is searched. not_found
/// or forbidden (exists but not executable) with a message naming what was searched.
MLCLOUD_DECL result<std::string> find_executable(std::string const& name, std::vector<std::string> const& env,
                                                 std::filesystem::path const& cwd);

/// `text` with every "{name}" of `values` replaced.
MLCLOUD_DECL std::string substitute(std::string text, std::map<std::string, std::string> const& values);

/// Which step of starting a program failed, and errno; written by a child through a pipe.
struct start_failure
{
    enum step_t : std::int32_t
    {
        none = 0,
        chdir = 1,
        exec = 2,
        setup = 3, ///< the supervisor could not prepare (lock, log, pipe, fork)
    };
    std::int32_t step = none;
    std::int32_t err = 0;
};

/// A readable error for a failed start of `plan`.
MLCLOUD_DECL error start_error(start_failure f, exec_plan const& plan);

/// Descriptors that become the child's stdin, stdout and stderr.
struct child_io
{
    int in;
    int out;
    int err;
};

/// Closes every descriptor from `from` on (close_range, or one by one up to `max_fd`).
/// Async-signal-safe.
MLCLOUD_DECL void close_from(int from, int max_fd) noexcept;

/// Default dispositions for every signal and an empty signal mask, so what the parent ignored
/// or blocked (SIGPIPE in a network service, say) does not leak into a child. Async-signal-safe.
MLCLOUD_DECL void reset_signals() noexcept;

/// In a freshly forked child: joins a new process group, installs `io` as 0/1/2, closes every
/// other descriptor but `report` (close-on-exec), restores default signal handling, changes to
/// the working directory and execs. On failure writes a start_failure to `report` and exits
/// with 127. Async-signal-safe; never returns.
[[noreturn]] MLCLOUD_DECL void exec_child(exec_arrays const& a, child_io io, int report) noexcept;

/// fork + exec_child. Returns the child's pid (also its process group id), or -1 with errno.
MLCLOUD_DECL pid_t spawn(exec_arrays const& a, child_io io, int report) noexcept;

/// A pipe whose ends are close-on-exec.
MLCLOUD_DECL result<std::pair<unique_fd, unique_fd>> make_pipe();

/// Reads up to `n` bytes from the pipe `fd` (taking it over) until they all arrived or the
/// writers closed it, without blocking the executor. errc::timeout after `timeout`.
MLCLOUD_DECL task<std::size_t> read_pipe(boost::asio::any_io_executor ex, unique_fd fd, void* buf, std::size_t n,
                                         std::chrono::milliseconds timeout);

/// Waits, polling with growing steps up to `max_step`, until our child `pid` has exited, without
/// reaping it (its zombie keeps the pid and process group id reserved). False on `deadline`.
MLCLOUD_DECL boost::asio::awaitable<bool> wait_for_exit(boost::asio::any_io_executor ex, pid_t pid,
                                                        std::chrono::steady_clock::time_point deadline,
                                                        std::chrono::milliseconds max_step);

/// Reaps our child `pid` (blocking: call after it has exited or was SIGKILLed). The wait
/// status, or nullopt when it was already reaped (SIGCHLD ignored by the host program).
MLCLOUD_DECL std::optional<int> reap(pid_t pid) noexcept;

/// "exited with code 3", "killed by signal 9 (Killed)".
MLCLOUD_DECL std::string describe_wait_status(int status);

/// "killed by signal 9 (Killed)".
MLCLOUD_DECL std::string describe_signal(int sig);

} // namespace detail
} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/process.ipp>
#endif

#endif
