//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_PREDICTION_IPP
#define MLCLOUD_LOCAL_IMPL_PREDICTION_IPP

#include <mlcloud/local/prediction.hpp>

#include <mlcloud/local/detail/files.hpp>
#include <mlcloud/local/detail/process.hpp>
#include <mlcloud/local/detail/root.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mlcloud {
namespace local {
namespace detail {

// A private directory for one prediction, removed with everything in it.
struct scratch_dir
{
    std::filesystem::path path;

    static result<scratch_dir> create()
    {
        std::error_code ec;
        auto base = std::filesystem::temp_directory_path(ec);
        if (ec)
            base = "/tmp";
        std::string pattern = (base / "mlcloud-predict-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            return os_error(errc::io_error, "create a scratch directory in", base, errno);
        return scratch_dir{pattern};
    }

    scratch_dir(std::filesystem::path p) : path(std::move(p)) {}
    scratch_dir(scratch_dir&& o) noexcept : path(std::exchange(o.path, {})) {}
    scratch_dir& operator=(scratch_dir&&) = delete;
    ~scratch_dir()
    {
        std::error_code ec;
        if (!path.empty())
            std::filesystem::remove_all(path, ec);
    }
};

// Our child and its process group: killed and reaped if we leave before it is done with, so an
// abandoned prediction (timeout, cancelled coroutine, exception) leaves no process behind.
struct child_guard
{
    pid_t pid = -1;
    ~child_guard()
    {
        if (pid > 0)
        {
            ::kill(-pid, SIGKILL);
            reap(pid);
        }
    }
    std::optional<int> finish() noexcept
    {
        ::kill(-pid, SIGKILL); // whatever the predictor left running in its group
        auto status = reap(pid);
        pid = -1;
        return status;
    }
};

// The last `max_lines` lines of a small file's tail, for error messages.
inline std::string tail_of(std::filesystem::path const& p, std::size_t max_lines = 10)
{
    constexpr std::size_t max_bytes = 4096;
    unique_fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st{};
    if (!fd || ::fstat(fd.get(), &st) != 0)
        return {};
    auto size = static_cast<std::size_t>(st.st_size);
    auto from = size > max_bytes ? size - max_bytes : 0;
    std::string text(size - from, '\0');
    auto n = ::pread(fd.get(), text.data(), text.size(), static_cast<off_t>(from));
    text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    std::size_t start = text.size(), lines = 0;
    while (start > 0 && lines < max_lines)
    {
        auto nl = text.rfind('\n', start - 1);
        ++lines;
        start = nl == std::string::npos ? 0 : nl;
    }
    if (start > 0)
        ++start; // skip the newline before the first kept line
    return text.substr(start);
}

inline result<location> existing_object(std::filesystem::path const& root, storage_uri const& uri,
                                        std::string_view role)
{
    auto loc = locate_for_process(root, uri, role);
    if (!loc)
        return loc.error();
    struct stat st{};
    if (::stat(loc->path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return local_error(errc::not_found, "no " + std::string(role) + " '" + loc->key + "' in local storage");
    return loc;
}

inline result<unique_fd> open_for_child(std::filesystem::path const& p, int flags)
{
    unique_fd fd(::open(p.c_str(), flags | O_CLOEXEC, 0644));
    if (!fd)
        return os_error(errc::io_error, "open", p, errno);
    return fd;
}

// Runs the prepared predictor and returns its wait status; errors for start failures and timeouts.
inline task<int> run_predictor(boost::asio::any_io_executor ex, options const& opts, exec_plan const& plan,
                               std::chrono::steady_clock::time_point deadline, std::chrono::seconds timeout)
{
    auto in = open_for_child("/dev/null", O_RDONLY);
    auto out = open_for_child(plan.cwd / "stdout.log", O_WRONLY | O_CREAT | O_TRUNC);
    auto err = open_for_child(plan.cwd / "stderr.log", O_WRONLY | O_CREAT | O_TRUNC);
    auto report = make_pipe();
    if (!in || !out || !err || !report)
        co_return !in ? in.error() : !out ? out.error() : !err ? err.error() : report.error();

    exec_arrays arrays(plan);
    child_guard child{spawn(arrays, child_io{in->get(), out->get(), err->get()}, report->second.get())};
    if (child.pid < 0)
        co_return local_error(errc::io_error, "cannot fork the predictor: " + std::generic_category().message(errno));
    report->second.reset();

    start_failure failure;
    auto got = co_await read_pipe(ex, std::move(report->first), &failure, sizeof failure, opts.launch_timeout);
    if (!got)
        co_return got.error();
    if (*got == sizeof failure)
        co_return start_error(failure, plan);

    if (!co_await wait_for_exit(ex, child.pid, deadline, opts.poll_interval))
    {
        ::kill(-child.pid, SIGTERM);
        auto grace_end = std::chrono::steady_clock::now() + opts.terminate_grace;
        co_await wait_for_exit(ex, child.pid, grace_end, opts.poll_interval);
        child.finish();
        co_return local_error(errc::timeout,
                              "the predictor did not finish within " + std::to_string(timeout.count()) + " s");
    }
    auto status = child.finish();
    if (!status)
        co_return local_error(errc::job_failed, "the predictor's exit status was lost (this program ignores SIGCHLD)");
    co_return *status;
}

inline task<prediction_result> predict(boost::asio::any_io_executor ex, options const& opts,
                                       prediction_request const& req)
{
    auto started = std::chrono::steady_clock::now();
    if (req.timeout <= std::chrono::seconds(0))
        co_return local_error(errc::invalid_argument, "the prediction timeout must be positive");
    if (req.input_uri && !req.input.empty())
        co_return local_error(errc::invalid_argument, "give the input rows inline or as input_uri, not both");
    if (!req.input_uri && req.input.empty())
        co_return local_error(errc::invalid_argument, "the prediction has no input rows");
    if (opts.predictor_command.empty())
        co_return local_error(errc::invalid_argument, "local::options::predictor_command is empty");

    auto root = open_root(opts.root);
    if (!root)
        co_return root.error();
    auto model = existing_object(*root, req.model, "model");
    if (!model)
        co_return model.error();
    auto scratch = scratch_dir::create();
    if (!scratch)
        co_return scratch.error();

    std::filesystem::path input;
    if (req.input_uri)
    {
        auto in = existing_object(*root, *req.input_uri, "input");
        if (!in)
            co_return in.error();
        input = in->path;
    }
    else
    {
        input = scratch->path / "input.csv";
        if (auto w = write_file_atomically(input, req.input); !w)
            co_return w.error();
    }
    auto output = scratch->path / "predictions.csv";

    exec_plan plan;
    plan.cwd = scratch->path;
    plan.env = current_environment();
    std::map<std::string, std::string> values{
        {"model", model->path.string()}, {"input", input.string()}, {"output", output.string()}};
    for (auto const& a : opts.predictor_command)
        plan.args.push_back(substitute(a, values));
    auto exe = find_executable(plan.args.front(), plan.env, plan.cwd);
    if (!exe)
    {
        error e = exe.error();
        e.message = "cannot run the predictor: " + e.message + " (see local::options::predictor_command)";
        co_return e;
    }
    plan.executable = std::move(*exe);

    auto status = co_await run_predictor(ex, opts, plan, started + req.timeout, req.timeout);
    if (!status)
        co_return status.error();
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0)
    {
        auto said = tail_of(plan.cwd / "stderr.log");
        if (said.empty())
            said = tail_of(plan.cwd / "stdout.log");
        co_return local_error(errc::job_failed, "the predictor " + describe_wait_status(*status) +
                                                    (said.empty() ? std::string(" and printed nothing")
                                                                  : ":\n" + said));
    }
    auto text = read_file(output, opts.max_prediction_output_bytes);
    if (!text && text.error().is(errc::not_found))
        co_return local_error(errc::job_failed, "the predictor exited with code 0 but wrote no output file");
    if (!text)
        co_return text.error();

    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    co_return prediction_result{
        .request_id = "local-" + random_hex(8),
        .output = std::move(*text),
        .cost = mlcloud::cost{.usd = 0.0,
                              .billed = std::chrono::duration_cast<std::chrono::seconds>(took),
                              .basis = "local"},
        .duration = took,
    };
}

} // namespace detail

MLCLOUD_DECL prediction::prediction(boost::asio::any_io_executor ex, options const& opts)
    : ex_(std::move(ex)), opts_(detail::resolve(opts))
{
}

MLCLOUD_DECL task<prediction_result> prediction::predict(prediction_request const& request)
{
    co_return detail::tagged(co_await detail::predict(ex_, opts_, request), "predict");
}

} // namespace local
} // namespace mlcloud

#endif
