//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Drives the built mlcloud-trainer binary (MLCLOUD_TRAINER_EXE) as a workload runner would:
// argv only, environment variables, stdout read live, stderr and the exit status checked.

#include "csv.hpp"

#include <mlcloud/types.hpp>

#include <boost/json.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace fs = std::filesystem;

namespace {

std::string const data_dir = MLCLOUD_EXAMPLE_DATA;

struct run_result
{
    int exit_code = -1;
    std::vector<std::string> out; ///< stdout lines
    std::string err;
    /// For the first stdout line holding the completion marker: did the model file exist and
    /// parse as JSON at the moment that line was read?
    std::optional<bool> model_complete_at_marker;
};

/// A scratch directory, removed afterwards.
struct scratch
{
    fs::path dir;
    scratch()
    {
        static int counter = 0;
        dir = fs::temp_directory_path() /
              ("mlcloud-trainer-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~scratch() { fs::remove_all(dir); }
    std::string path(std::string const& name) const { return (dir / name).string(); }
    std::string write(std::string const& name, std::string const& content) const
    {
        std::ofstream(dir / name, std::ios::binary) << content;
        return path(name);
    }
    /// Every file in the directory tree (to catch leftover temporary files).
    std::vector<std::string> files() const
    {
        std::vector<std::string> out;
        for (auto const& e : fs::recursive_directory_iterator(dir))
            if (e.is_regular_file())
                out.push_back(fs::relative(e.path(), dir).string());
        std::sort(out.begin(), out.end());
        return out;
    }
};

bool json_file_complete(std::string const& path)
{
    std::ifstream in(path);
    if (!in)
        return false;
    std::stringstream s;
    s << in.rdbuf();
    boost::system::error_code ec;
    auto const v = boost::json::parse(s.str(), ec);
    return !ec && v.is_object();
}

/// Runs the trainer with `args`; `env` entries are set, and the workload variables are cleared
/// unless given. `model_path` (if any) is checked the moment the completion marker is read.
run_result run(std::vector<std::string> const& args, std::map<std::string, std::string> const& env = {},
               std::string const& model_path = {})
{
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
    {
        std::string_view const entry = *e;
        if (!entry.starts_with("MLCLOUD_"))
            env_strings.emplace_back(entry);
    }
    for (auto const& [k, v] : env)
        env_strings.push_back(k + "=" + v);

    std::vector<char*> argv{const_cast<char*>(MLCLOUD_TRAINER_EXE)};
    for (auto const& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_strings)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    int out_pipe[2];
    REQUIRE(::pipe(out_pipe) == 0);
    auto const err_file = fs::temp_directory_path() / ("mlcloud-trainer-stderr-" + std::to_string(::getpid()));

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
    posix_spawn_file_actions_addclose(&actions, out_pipe[1]);
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    int const spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    REQUIRE(spawned == 0);

    run_result r;
    std::string pending;
    char buffer[4096];
    for (;;)
    {
        auto const n = ::read(out_pipe[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pending.append(buffer, static_cast<std::size_t>(n));
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n'))
        {
            r.out.push_back(pending.substr(0, nl));
            pending.erase(0, nl + 1);
            if (!r.model_complete_at_marker && r.out.back() == mlcloud::completion_marker && !model_path.empty())
                r.model_complete_at_marker = json_file_complete(model_path);
        }
    }
    if (!pending.empty())
        r.out.push_back(pending);
    ::close(out_pipe[0]);

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR)
    {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::ifstream in(err_file);
    std::stringstream s;
    s << in.rdbuf();
    r.err = s.str();
    fs::remove(err_file);
    return r;
}

boost::json::object read_model(std::string const& path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return boost::json::parse(s.str()).as_object();
}

double metric(boost::json::object const& model, std::string_view name)
{
    return model.at("metrics").as_object().at(name).to_number<double>();
}

mlcloud_trainer::csv_table read_csv(std::string const& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    mlcloud_trainer::csv_error error;
    auto t = mlcloud_trainer::parse_csv(s.str(), error);
    INFO(error.what());
    REQUIRE(t.has_value());
    return *t;
}

std::string iris() { return data_dir + "/iris.csv"; }
std::string diabetes() { return data_dir + "/diabetes.csv"; }

} // namespace

TEST_CASE("trainer: iris trains to a good validation accuracy, the marker comes last, after the model")
{
    scratch s;
    auto const model = s.path("out/nested/iris-model.json"); // parent directories are created
    auto const r = run({"train", "--data", iris(), "--target", "species", "--model", model}, {}, model);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    REQUIRE_FALSE(r.out.empty());
    CHECK(r.out.back() == mlcloud::completion_marker);
    CHECK(std::count(r.out.begin(), r.out.end(), std::string(mlcloud::completion_marker)) == 1);
    REQUIRE(r.model_complete_at_marker.has_value());
    CHECK(*r.model_complete_at_marker);

    // Progress: one line per epoch, in the documented shape.
    auto const epochs = std::count_if(r.out.begin(), r.out.end(), [](auto const& l) { return l.starts_with("epoch "); });
    CHECK(epochs == 200);
    CHECK_THAT(r.out, Catch::VectorContains(std::string("split: 120 training rows, 30 validation rows (seed 42)")));
    auto const last_epoch = *std::find_if(r.out.rbegin(), r.out.rend(), [](auto const& l) { return l.starts_with("epoch "); });
    CHECK_THAT(last_epoch, Catch::Matches(R"(epoch 200/200 loss=\d+\.\d{4} val_loss=\d+\.\d{4} val_accuracy=\d\.\d{4})"));

    auto const m = read_model(model);
    CHECK(m.at("format") == "mlcloud-trainer/1");
    CHECK(m.at("task") == "classification");
    CHECK(m.at("classes").as_array().size() == 3);
    CHECK(metric(m, "val_accuracy") >= 0.85);
    CHECK(metric(m, "train_accuracy") >= 0.85);
    CHECK(s.files() == std::vector<std::string>{"out/nested/iris-model.json"}); // no temporary left
}

TEST_CASE("trainer: the diabetes regression explains some variance (R² > 0)")
{
    scratch s;
    auto const model = s.path("diabetes.json");
    auto const r = run({"train", "--data", diabetes(), "--target", "progression", "--model", model,
                        "--learning-rate", "0.1", "--epochs", "300"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.back() == mlcloud::completion_marker);
    auto const m = read_model(model);
    CHECK(m.at("task") == "regression");
    CHECK(m.at("weights").as_array().size() == 1);
    CHECK(metric(m, "val_r2") > 0.0);
    CHECK(metric(m, "train_r2") > 0.0);
    CHECK(metric(m, "val_rmse") > 0.0);
    auto const final_line = *std::find_if(r.out.begin(), r.out.end(), [](auto const& l) { return l.starts_with("final:"); });
    CHECK_THAT(final_line, Catch::Contains("val_r2="));
}

TEST_CASE("trainer: the workload environment supplies data, output and target, the seed fixes the result")
{
    scratch s;
    auto const a = s.path("a.json");
    auto const r = run({"train"}, {{"MLCLOUD_DATASET", iris()}, {"MLCLOUD_OUTPUT", a}, {"MLCLOUD_TARGET", "species"}});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_model(a).at("target") == "species");

    // Same seed, same model, byte for byte; another seed, another split.
    auto const b = s.path("b.json");
    REQUIRE(run({"train", "--data", iris(), "--target", "species", "--model", b}).exit_code == 0);
    CHECK(read_model(a) == read_model(b));
    auto const c = s.path("c.json");
    REQUIRE(run({"train", "--data", iris(), "--target", "species", "--model", c, "--seed", "7"}).exit_code == 0);
    CHECK(read_model(a).at("weights") != read_model(c).at("weights"));

    // MLCLOUD_OUTPUT naming a directory puts model.json in it; no target means the last column.
    fs::create_directories(s.dir / "models");
    auto const d = run({"train", "--data", iris()}, {{"MLCLOUD_OUTPUT", s.path("models")}});
    REQUIRE(d.exit_code == 0);
    CHECK(read_model(s.path("models/model.json")).at("target") == "species");
    CHECK_THAT(d.out.front(), Catch::Contains("using the last column 'species'"));

    // --task classification on a numeric target; --validation-split 0 reports training metrics.
    auto const e = s.path("e.json");
    auto const csv = s.write("binary.csv", "x,y\n1,0\n2,0\n3,0\n4,1\n5,1\n6,1\n");
    auto const er = run({"train", "--data", csv, "--target", "y", "--model", e, "--task", "classification",
                         "--validation-split", "0"});
    INFO(er.err);
    REQUIRE(er.exit_code == 0);
    CHECK(read_model(e).at("classes") == boost::json::array{"0", "1"});
    CHECK(metric(read_model(e), "train_accuracy") == 1.0);
    CHECK_FALSE(read_model(e).at("metrics").as_object().contains("val_accuracy"));
}

TEST_CASE("trainer: predict writes the input columns plus one prediction per row")
{
    scratch s;
    auto const model = s.path("iris.json");
    REQUIRE(run({"train", "--data", iris(), "--target", "species", "--model", model}).exit_code == 0);

    auto const out = s.path("predictions/iris.csv");
    auto const r = run({"predict", "--model", model, "--input", data_dir + "/iris-predict.csv", "--output", out});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto const input = read_csv(data_dir + "/iris-predict.csv");
    auto const output = read_csv(out);
    auto expected_header = input.header;
    expected_header.push_back("prediction");
    CHECK(output.header == expected_header);
    REQUIRE(output.rows.size() == input.rows.size());
    for (std::size_t i = 0; i < input.rows.size(); ++i)
        CHECK(std::equal(input.rows[i].begin(), input.rows[i].end(), output.rows[i].begin()));
    CHECK(output.rows.front().back() == "setosa");  // iris row 1
    CHECK(output.rows.back().back() == "virginica"); // iris row 145

    // Columns are matched by name: reordered columns and an extra one give the same answers,
    // and a target column in the input is simply carried along.
    auto const reordered = s.write("reordered.csv", "id,petal_width,petal_length,sepal_width,sepal_length\n"
                                                    "r1,0.2,1.4,3.5,5.1\nr2,2.5,5.7,3.3,6.7\n");
    auto const out2 = s.path("reordered-out.csv");
    REQUIRE(run({"predict", "--model", model, "--input", reordered, "--output", out2}).exit_code == 0);
    auto const t2 = read_csv(out2);
    CHECK(t2.rows == std::vector<std::vector<std::string>>{{"r1", "0.2", "1.4", "3.5", "5.1", "setosa"},
                                                           {"r2", "2.5", "5.7", "3.3", "6.7", "virginica"}});

    auto const out3 = s.path("full.csv");
    REQUIRE(run({"predict", "--model", model, "--input", iris(), "--output", out3}).exit_code == 0);
    auto const full = read_csv(out3);
    REQUIRE(full.rows.size() == 150);
    auto const correct = std::count_if(full.rows.begin(), full.rows.end(), [](auto const& row) { return row[4] == row[5]; });
    CHECK(correct >= 135);

    // Regression predictions are numbers.
    auto const reg = s.path("diabetes.json");
    REQUIRE(run({"train", "--data", diabetes(), "--target", "progression", "--model", reg, "--learning-rate", "0.1"}).exit_code == 0);
    auto const out4 = s.path("diabetes-out.csv");
    REQUIRE(run({"predict", "--model", reg, "--input", data_dir + "/diabetes-predict.csv", "--output", out4}).exit_code == 0);
    auto const d = read_csv(out4);
    REQUIRE(d.rows.size() == 6);
    for (auto const& row : d.rows)
        CHECK(std::stod(row.back()) > 0.0);
}

TEST_CASE("trainer: bad input fails with one error line, a non-zero exit and no model file")
{
    scratch s;
    auto const numbers = s.write("numbers.csv", "a,b,label\n1,2,x\n3,oops,y\n");
    struct bad_case
    {
        std::string name;
        std::vector<std::string> args;
        std::string expected;
    };
    auto const model = s.path("model.json");
    auto train = [&](std::string const& data, std::string const& target = "label") {
        return std::vector<std::string>{"train", "--data", data, "--target", target, "--model", model};
    };
    std::vector<bad_case> const cases{
        {"missing file", train(s.path("nope.csv")), "cannot open dataset"},
        {"empty file", train(s.write("empty.csv", "")), "no header row (the file is empty)"},
        {"header only", train(s.write("header.csv", "a,b,label\r\n")), "has a header but no data rows"},
        {"unknown target", train(iris(), "colour"), "the dataset has no column 'colour'"},
        {"non-numeric feature", train(numbers), "row 2 (line 3), column 'b': 'oops' is not a number"},
        {"missing feature value", train(s.write("hole.csv", "a,label\n1,x\n,y\n")), "row 2 (line 3), column 'a': missing value"},
        {"ragged rows", train(s.write("ragged.csv", "a,b,label\n1,2,x\n3,4\n")), "line 3: expected 3 fields, found 2"},
        {"unterminated quote", train(s.write("quote.csv", "a,label\n\"1,x\n")), "quoted field is never closed"},
        {"one class", train(s.write("one.csv", "a,label\n1,x\n2,x\n")), "has only one class"},
        {"no features", train(s.write("target-only.csv", "label\nx\ny\n")), "no feature column"},
        {"duplicate column", train(s.write("dup.csv", "a,a,label\n1,2,x\n3,4,y\n")), "two columns named 'a'"},
        {"text target as regression", {"train", "--data", iris(), "--target", "species", "--model", model, "--task", "regression"}, "needs a numeric target"},
        {"dataset is a directory", train(s.dir.string()), "is a directory"},
        {"no dataset", {"train", "--model", model}, "no --data given and $MLCLOUD_DATASET is not set"},
        {"no model path", {"train", "--data", iris()}, "no --model given and $MLCLOUD_OUTPUT is not set"},
        {"bad epochs", {"train", "--data", iris(), "--model", model, "--epochs", "ten"}, "--epochs must be a number"},
        {"bad split", {"train", "--data", iris(), "--model", model, "--validation-split", "1"}, "--validation-split must be a number"},
        {"unknown option", {"train", "--data", iris(), "--model", model, "--colour", "red"}, "unknown option '--colour'"},
        {"missing option value", {"train", "--data"}, "option '--data' needs a value"},
        {"unknown command", {"fly"}, "unknown command 'fly'"},
        {"no command", {}, "no command given"},
    };
    for (auto const& c : cases)
    {
        SECTION(c.name)
        {
            auto const r = run(c.args);
            CHECK(r.exit_code != 0);
            CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
            CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::Contains(c.expected));
            CHECK(std::find(r.out.begin(), r.out.end(), std::string(mlcloud::completion_marker)) == r.out.end());
            CHECK_FALSE(fs::exists(model));
            for (auto const& f : s.files())
                CHECK_THAT(f, !Catch::Contains("model.json"));
        }
    }
}

TEST_CASE("trainer: a failed run leaves an earlier model untouched")
{
    scratch s;
    auto const model = s.path("model.json");
    REQUIRE(run({"train", "--data", iris(), "--target", "species", "--model", model}).exit_code == 0);
    auto const before = read_model(model);
    auto const r = run({"train", "--data", s.write("bad.csv", "a,b\n1,x\n2,\n"), "--target", "b", "--model", model});
    CHECK(r.exit_code != 0);
    CHECK(read_model(model) == before);
    CHECK(s.files() == std::vector<std::string>{"bad.csv", "model.json"});
}

TEST_CASE("trainer: predict rejects a bad model or input with one error line and no output")
{
    scratch s;
    auto const model = s.path("iris.json");
    REQUIRE(run({"train", "--data", iris(), "--target", "species", "--model", model}).exit_code == 0);
    auto const good_model = read_model(model);
    auto const out = s.path("out.csv");
    auto const input = data_dir + "/iris-predict.csv";

    auto broken = [&](std::string const& name, auto edit) {
        auto m = good_model;
        edit(m);
        return s.write(name, boost::json::serialize(m));
    };
    struct bad_case
    {
        std::string name;
        std::vector<std::string> args;
        std::string expected;
    };
    std::vector<bad_case> const cases{
        {"model missing", {"predict", "--model", s.path("none.json"), "--input", input, "--output", out}, "cannot open model file"},
        {"model not JSON", {"predict", "--model", s.write("text.json", "{nope"), "--input", input, "--output", out}, "invalid model file: not JSON"},
        {"model wrong format", {"predict", "--model", broken("f.json", [](auto& m) { m["format"] = "other/2"; }), "--input", input, "--output", out}, "'format' is 'other/2'"},
        {"model missing weights", {"predict", "--model", broken("w.json", [](auto& m) { m.erase("weights"); }), "--input", input, "--output", out}, "missing field 'weights'"},
        {"model short weights", {"predict", "--model", broken("s.json", [](auto& m) { m["weights"].as_array()[1].as_array().pop_back(); }), "--input", input, "--output", out}, "'weights[1]' must hold 4 numbers, not 3"},
        {"model zero scale", {"predict", "--model", broken("z.json", [](auto& m) { m["features"].as_array()[0].as_object()["scale"] = 0; }), "--input", input, "--output", out}, "'features[0].scale' must be positive"},
        {"model bad task", {"predict", "--model", broken("t.json", [](auto& m) { m["task"] = "clustering"; }), "--input", input, "--output", out}, "'task' must be"},
        {"input lacks a feature", {"predict", "--model", model, "--input", s.write("lack.csv", "sepal_length,sepal_width\n1,2\n"), "--output", out}, "the input has no column 'petal_length'"},
        {"input non-numeric", {"predict", "--model", model, "--input", s.write("nn.csv", "sepal_length,sepal_width,petal_length,petal_width\n1,2,3,four\n"), "--output", out}, "row 1 (line 2), column 'petal_width': 'four' is not a number"},
        {"input header only", {"predict", "--model", model, "--input", s.write("ho.csv", "sepal_length\n"), "--output", out}, "has a header but no data rows"},
        {"input has prediction", {"predict", "--model", model, "--input", s.write("p.csv", "prediction,x\n1,2\n"), "--output", out}, "already has a column named 'prediction'"},
        {"missing --output", {"predict", "--model", model, "--input", input}, "option '--output' is required"},
    };
    for (auto const& c : cases)
    {
        SECTION(c.name)
        {
            auto const r = run(c.args);
            CHECK(r.exit_code != 0);
            CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
            CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::Contains(c.expected));
            CHECK_FALSE(fs::exists(out));
        }
    }
}

TEST_CASE("trainer: --help prints the usage and succeeds")
{
    auto const r = run({"--help"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out.front(), Catch::StartsWith("usage:"));
    CHECK(r.err.empty());
}
