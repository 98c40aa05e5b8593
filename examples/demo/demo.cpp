//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The end-to-end demo, on the local backend (no account needed), through the library's
// coroutine API: upload the bundled dataset, train the example model with its logs streaming,
// predict on sample rows, and show what the same run would cost on a rented GPU.
//
//     mlcloud-demo [--data DIR] [--trainer PATH] [--root DIR]

#include <mlcloud/cloud.hpp>
#include <mlcloud/local.hpp>
#include <mlcloud/messages.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace msg = mlcloud::messages;
using namespace std::chrono_literals;

namespace {

struct demo_options
{
    fs::path data = MLCLOUD_DEMO_DATA_DIR;
    fs::path trainer = MLCLOUD_DEMO_TRAINER;
    fs::path root = fs::temp_directory_path() / "mlcloud-demo";
};

// Fails the demo with the error's own words (no credential can be in them).
template <class T>
T need(mlcloud::result<T> r, char const* what)
{
    if (!r)
        throw std::runtime_error(std::string(what) + ": " + r.error().what());
    return std::move(*r);
}

void need(mlcloud::result<void> r, char const* what)
{
    if (!r)
        throw std::runtime_error(std::string(what) + ": " + r.error().what());
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

std::string read_file(fs::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

asio::awaitable<void> run_demo(demo_options o)
{
    constexpr auto plain = msg::format::plain;
    mlcloud::local::options opts;
    opts.root = o.root;
    opts.predictor_command.front() = o.trainer.string();
    mlcloud::cloud<mlcloud::local::backend> cloud(co_await asio::this_coro::executor, opts);

    std::cout << "== 1. Upload the dataset (" << (o.data / "iris.csv").string() << ")\n";
    auto dataset = mlcloud::storage_uri::local("datasets/iris.csv");
    auto const iris = o.data / "iris.csv"; // a named argument: see docs/architecture.md on GCC 12
    auto uploaded = need(co_await cloud.storage().upload(iris, dataset), "upload");
    std::cout << "stored " << uploaded.size << " bytes as " << uploaded.uri.str() << " under " << o.root.string() << "\n\n";

    std::cout << "== 2. Train: the job runs as a child process, its log streams here\n";
    mlcloud::job_spec spec;
    spec.name = "demo-iris";
    spec.command = {o.trainer.string(), "train", "--target", "species", "--epochs", "60"};
    spec.dataset = dataset;
    spec.output = mlcloud::storage_uri::local("models/demo-iris/model.json");
    spec.max_runtime = 5min;
    auto job = need(co_await cloud.training().launch(spec), "launch");
    std::cout << msg::training_launched(plain, job) << "\n";

    auto started = std::chrono::steady_clock::now();
    mlcloud::log_cursor cursor;
    for (;;)
    {
        auto chunk = need(co_await cloud.training().read_logs(job, cursor), "read_logs");
        for (auto const& line : chunk.lines)
            std::cout << "  | " << line << "\n";
        cursor = chunk.next;
        if (chunk.end_of_stream)
            break;
        if (chunk.lines.empty())
            co_await sleep_for(100ms);
    }
    auto status = need(co_await cloud.training().status(job), "status");
    if (status.state != mlcloud::job_state::succeeded)
        throw std::runtime_error("training " + std::string(to_string(status.state)) + ": " + status.detail);
    auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
    std::cout << "\n"
              << msg::training_completed(plain, {job, status.cost_so_far, took, spec.output, {}}) << "\n";

    std::cout << "== 3. Predict on sample rows (" << (o.data / "iris-predict.csv").string() << ")\n";
    mlcloud::prediction_request request;
    request.model = *spec.output;
    request.input = read_file(o.data / "iris-predict.csv");
    auto predicted = need(co_await cloud.prediction().predict(request), "predict");
    std::cout << predicted.output << "\n";
    auto rows = static_cast<std::size_t>(std::count(predicted.output.begin(), predicted.output.end(), '\n')) - 1;
    std::cout << msg::prediction_ready(plain, predicted, rows) << "\n";

    std::cout << "== 4. The cost\n"
              << "On this machine the run cost " << msg::format_cost(status.cost_so_far)
              << ". The same run on a rented GPU, billed by each provider's rule:\n";
    auto table = msg::pricing_table::builtin();
    auto runtime = std::chrono::duration_cast<std::chrono::milliseconds>(std::max(took, std::chrono::seconds(1)));
    for (auto [provider, id] : {std::pair{"runpod", "NVIDIA RTX A5000"}, {"aws", "g5.xlarge"}})
        if (auto const* offer = table.find(provider, id))
        {
            auto c = msg::compute_cost(*offer, runtime);
            std::cout << "  " << msg::provider_title(provider) << " " << offer->display_name << ": "
                      << msg::format_usd(c.usd) << " (" << c.basis << ")\n";
        }
    std::cout << "\nNext: `mlcloud --help`, docs/bot.md (the Telegram bot, or `mlcloud-bot --console`).\n";
}

demo_options parse(int argc, char** argv)
{
    demo_options o;
    for (int i = 1; i + 1 < argc; i += 2)
    {
        std::string_view flag = argv[i];
        if (flag == "--data")
            o.data = argv[i + 1];
        else if (flag == "--trainer")
            o.trainer = argv[i + 1];
        else if (flag == "--root")
            o.root = argv[i + 1];
        else
            throw std::runtime_error("unknown option " + std::string(flag));
    }
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    try
    {
        auto o = parse(argc, argv);
        asio::io_context ctx;
        std::exception_ptr failure;
        asio::co_spawn(ctx, run_demo(o), [&](std::exception_ptr e) { failure = e; });
        ctx.run();
        if (failure)
            std::rethrow_exception(failure);
        return 0;
    }
    catch (std::exception const& e)
    {
        std::cerr << "demo failed: " << e.what() << "\n";
        return 1;
    }
}
