//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The conformance suite on the local backend: real child processes under a root in a scratch
// directory. Workloads are small POSIX shell scripts (their own choice of interpreter).
#include <mlcloud/local.hpp>
#include <mlcloud/testing/conformance.hpp>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <filesystem>
#include <string>

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace local = mlcloud::local;

// A root of its own for each factory, removed afterwards.
struct scratch_root
{
    fs::path dir;
    scratch_root()
    {
        std::string pattern = (fs::temp_directory_path() / "mlcloud-conformance-local-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error("cannot create a scratch directory");
        dir = pattern;
    }
    ~scratch_root()
    {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
    local::options options() const
    {
        local::options o;
        o.root = dir / "root";
        o.poll_interval = 20ms;
        o.terminate_grace = 2s;
        return o;
    }
};

mlcloud::job_spec sh_job(std::string name, std::string script)
{
    return {.name = std::move(name), .command = {"/bin/sh", "-c", std::move(script)}};
}

struct local_training_factory
{
    scratch_root root;
    local::training make(boost::asio::any_io_executor ex) { return local::training(ex, root.options()); }
    mlcloud::job_spec succeeding_job()
    {
        return sh_job("ok", "echo 'loading data'; for e in 1 2 3; do echo \"epoch $e/3\"; done; "
                            "echo 'metrics: acc=0.97'; echo '" +
                                std::string(mlcloud::completion_marker) + "'");
    }
    mlcloud::job_spec failing_job() { return sh_job("bad", "echo 'loading data'; echo 'no such column' >&2; exit 2"); }
    mlcloud::job_spec long_running_job() { return sh_job("long", "echo starting; sleep 600"); }
    mlcloud::job_handle unknown_job() { return {.provider = "local", .id = "local-20000101T000000-00000000"}; }
    std::chrono::seconds deadline() { return 30s; }
    std::chrono::milliseconds poll_interval() { return 20ms; }
};

struct local_storage_factory
{
    scratch_root root;
    local::storage make(boost::asio::any_io_executor ex)
    {
        auto o = root.options();
        o.copy_chunk_bytes = 64 * 1024; // the large object is copied in several steps
        return local::storage(ex, o);
    }
    mlcloud::storage_uri scratch() { return mlcloud::storage_uri::local("scratch"); }
    std::uint64_t large_object_bytes() { return 300 * 1024 + 7; }
};

// The predictor echoes its input: one output row per input row.
struct local_prediction_factory
{
    scratch_root root;
    local_prediction_factory()
    {
        fs::create_directories(root.dir / "root/models");
        std::ofstream(root.dir / "root/models/m.txt") << "model\n";
    }
    local::prediction make(boost::asio::any_io_executor ex)
    {
        auto o = root.options();
        o.predictor_command = {"/bin/sh", "-c", "cp \"$2\" \"$3\"", "predictor", "{model}", "{input}", "{output}"};
        return local::prediction(ex, o);
    }
    mlcloud::prediction_request request()
    {
        return {.model = mlcloud::storage_uri::local("models/m.txt"), .input = "a,b\n1,2\n3,4\n5,6\n"};
    }
    std::size_t expected_rows() { return 3; }
    mlcloud::storage_uri missing_model() { return mlcloud::storage_uri::local("models/none.txt"); }
};

} // namespace

MLCLOUD_TRAINING_CONFORMANCE(local_training_factory)
MLCLOUD_STORAGE_CONFORMANCE(local_storage_factory)
MLCLOUD_PREDICTION_CONFORMANCE(local_prediction_factory)
