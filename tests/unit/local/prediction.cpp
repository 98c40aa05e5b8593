//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "local_test.hpp"

#include <vector>

using namespace local_test;
using mlcloud::errc;
using mlcloud::prediction_request;
using mlcloud::storage_uri;
namespace local = mlcloud::local;

namespace {

// A predictor written as a shell script (the predictor's own choice): $1 model, $2 input,
// $3 output, as the placeholders in the command say.
std::vector<std::string> sh_predictor(std::string script)
{
    return {"/bin/sh", "-c", std::move(script), "predictor", "{model}", "{input}", "{output}"};
}

// Appends ",<model content>" to every input row.
std::string const append_model = R"(m=$(cat "$1"); sed "s/\$/,$m/" "$2" > "$3")";

} // namespace

TEST_CASE("local prediction: runs the predictor on inline rows and returns its output")
{
    fixture f;
    f.opts.predictor_command = sh_predictor(append_model);
    write_file(f.root() / "models/m.txt", "7");
    local::prediction p(f.ctx.get_executor(), f.opts);

    auto r = f.run(p.predict(prediction_request{.model = storage_uri::local("models/m.txt"), .input = "a,b\n1,2\n"}));
    REQUIRE(r.has_value());
    CHECK(r->output == "a,b,7\n1,2,7\n");
    CHECK(r->request_id.starts_with("local-"));
    CHECK(r->request_id.size() == 6 + 16);
    CHECK(r->cost.usd == 0.0);
    CHECK(r->cost.basis == "local");
    CHECK(r->duration >= 0ms);

    auto again = f.run(p.predict(prediction_request{.model = storage_uri::local("models/m.txt"), .input = "x\n"}));
    CHECK(again.value().request_id != r->request_id);
}

TEST_CASE("local prediction: input from storage, paths with spaces, no shell in between")
{
    fixture f;
    // Prints each argument on its own line into the output: what arrived, exactly.
    f.opts.predictor_command = {"/bin/sh", "-c", R"(for a in "$@"; do printf '%s\n' "$a"; done > "$3"; pwd >> "$3")",
                                "predictor", "{model}", "{input}", "{output}", "$(echo not run)", "{input}x"};
    write_file(f.root() / "my models/model one.txt", "m");
    write_file(f.root() / "inputs/rows.csv", "a\n1\n");
    local::prediction p(f.ctx.get_executor(), f.opts);

    auto r = f.run(p.predict(prediction_request{.model = storage_uri::local("my models/model one.txt"),
                                                .input_uri = storage_uri::local("inputs/rows.csv")}));
    REQUIRE(r.has_value());
    std::vector<std::string> lines;
    std::istringstream in(r->output);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    REQUIRE(lines.size() == 6);
    CHECK(lines[0] == (f.root() / "my models/model one.txt").string());
    CHECK(lines[1] == (f.root() / "inputs/rows.csv").string());
    CHECK(lines[3] == "$(echo not run)");
    CHECK(lines[4] == (f.root() / "inputs/rows.csv").string() + "x");
    // The predictor ran in a scratch directory that is gone afterwards.
    CHECK(fs::path(lines[2]).parent_path() == fs::path(lines[5]));
    CHECK_FALSE(fs::exists(lines[5]));
}

TEST_CASE("local prediction: missing model, bad input and a missing predictor")
{
    fixture f;
    f.opts.predictor_command = sh_predictor(append_model);
    write_file(f.root() / "m.txt", "7");
    local::prediction p(f.ctx.get_executor(), f.opts);
    auto fails = [&](prediction_request const& req, errc code) {
        auto r = f.run(p.predict(req));
        REQUIRE(r.has_error());
        CHECK(r.error().is(code));
        CHECK(r.error().operation == "predict");
        return r.error().message;
    };

    CHECK_THAT(fails({.model = storage_uri::local("nope.bin"), .input = "a\n"}, errc::not_found),
               Catch::Contains("nope.bin"));
    fails({.model = storage_uri::s3("bucket", "m.txt"), .input = "a\n"}, errc::not_supported);
    fails({.model = storage_uri::local("../m.txt"), .input = "a\n"}, errc::invalid_argument);
    fails({.model = storage_uri::local("m.txt"), .input_uri = storage_uri::local("missing.csv")}, errc::not_found);
    fails({.model = storage_uri::local("m.txt")}, errc::invalid_argument);
    fails({.model = storage_uri::local("m.txt"), .input = "a\n", .input_uri = storage_uri::local("m.txt")},
          errc::invalid_argument);

    f.opts.predictor_command = {"mlcloud-no-such-predictor", "{model}"};
    local::prediction missing(f.ctx.get_executor(), f.opts);
    auto r = f.run(missing.predict({.model = storage_uri::local("m.txt"), .input = "a\n"}));
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::not_found));
    CHECK_THAT(r.error().message, Catch::Contains("predictor_command") && Catch::Contains("mlcloud-no-such-predictor"));
}

TEST_CASE("local prediction: a failing predictor is job_failed with its last stderr lines")
{
    fixture f;
    write_file(f.root() / "m.txt", "7");

    SECTION("non-zero exit")
    {
        f.opts.predictor_command =
            sh_predictor("i=1; while [ $i -le 30 ]; do echo \"noise $i\" >&2; i=$((i+1)); done; "
                         "echo 'model format not understood' >&2; exit 4");
        local::prediction p(f.ctx.get_executor(), f.opts);
        auto r = f.run(p.predict({.model = storage_uri::local("m.txt"), .input = "a\n"}));
        REQUIRE(r.has_error());
        CHECK(r.error().is(errc::job_failed));
        CHECK_THAT(r.error().message, Catch::Contains("exited with code 4") &&
                                          Catch::Contains("model format not understood") &&
                                          Catch::Contains("noise 30") && !Catch::Contains("noise 3\n"));
    }
    SECTION("success without an output file")
    {
        f.opts.predictor_command = sh_predictor("echo 'all good'");
        local::prediction p(f.ctx.get_executor(), f.opts);
        auto r = f.run(p.predict({.model = storage_uri::local("m.txt"), .input = "a\n"}));
        REQUIRE(r.has_error());
        CHECK(r.error().is(errc::job_failed));
        CHECK_THAT(r.error().message, Catch::Contains("no output"));
    }
    SECTION("a predictor that cannot be executed")
    {
        auto script = write_script(f.dir.path / "bad.sh", "#!/nonexistent/interpreter\n");
        f.opts.predictor_command = {script.string(), "{model}"};
        local::prediction p(f.ctx.get_executor(), f.opts);
        auto r = f.run(p.predict({.model = storage_uri::local("m.txt"), .input = "a\n"}));
        REQUIRE(r.has_error());
        CHECK(r.error().is(errc::not_found));
        CHECK_THAT(r.error().message, Catch::Contains("interpreter"));
    }
}

TEST_CASE("local prediction: the timeout stops the predictor's whole process group")
{
    fixture f;
    write_file(f.root() / "m.txt", "7");
    auto pids = f.dir.path / "pids";
    fs::create_directories(pids);
    f.opts.predictor_command = sh_predictor("sleep 1000 & echo $! > '" + (pids / "child").string() + "'; echo $$ > '" +
                                            (pids / "self").string() + "'; wait");
    local::prediction p(f.ctx.get_executor(), f.opts);

    auto r = f.run(p.predict({.model = storage_uri::local("m.txt"), .input = "a\n", .timeout = 1s}));
    REQUIRE(r.has_error());
    CHECK(r.error().is(errc::timeout));
    CHECK_THAT(r.error().message, Catch::Contains("1 s"));
    auto self = read_pid(pids / "self");
    auto child = read_pid(pids / "child");
    CHECK(process_gone(self));
    CHECK(process_gone(child));
}
