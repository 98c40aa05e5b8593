//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "local_test.hpp"

using namespace local_test;
using mlcloud::job_state;
using mlcloud::storage_uri;
namespace local = mlcloud::local;

static_assert(mlcloud::backend<local::backend>);
static_assert(local::backend::name == "local");
static_assert(mlcloud::supports<local::training, mlcloud::capability::idempotent_launch>);
static_assert(mlcloud::supports<local::training, mlcloud::capability::self_terminating>);
static_assert(mlcloud::supports<local::training, mlcloud::capability::cost_report>);
static_assert(!mlcloud::supports<local::training, mlcloud::capability::spot>);
static_assert(!mlcloud::presigning_storage_provider<local::storage>);

TEST_CASE("local backend: the whole flow through mlcloud::blocking")
{
    temp_dir d;
    std::string const marker(mlcloud::completion_marker);
    mlcloud::blocking<local::backend> c({
        .root = d.path / "root",
        .predictor_command = {"/bin/sh", "-c", R"(m=$(cat "$1"); sed "s/\$/,$m/" "$2" > "$3")", "predictor",
                              "{model}", "{input}", "{output}"},
        .poll_interval = 20ms,
        .terminate_grace = 1s,
    });

    // Upload a dataset.
    write_file(d.path / "iris.csv", "x,y\n1,2\n");
    auto up = c.upload(d.path / "iris.csv", storage_uri::local("datasets/iris.csv"));
    REQUIRE(up.has_value());
    CHECK(c.exists(storage_uri::local("datasets/iris.csv")).value());

    // Train: "the model" is the number of data rows.
    mlcloud::job_spec spec{
        .name = "iris",
        .idempotency_key = "iris-1",
        .command = {"/bin/sh", "-c",
                    "echo 'training on' \"$1\"; tail -n +2 \"$1\" | wc -l | tr -d ' ' > \"$2\"; echo '" + marker + "'",
                    "trainer", "{dataset}", "{output}"},
        .dataset = storage_uri::local("datasets/iris.csv"),
        .output = storage_uri::local("models/iris.model"),
    };
    auto job = c.launch(spec);
    REQUIRE(job.has_value());
    CHECK(c.launch(spec).value().id == job->id);

    mlcloud::job_status s;
    REQUIRE(eventually([&] {
        s = c.status(*job).value();
        return mlcloud::is_terminal(s.state);
    }));
    CHECK(s.state == job_state::succeeded);

    std::vector<std::string> lines;
    mlcloud::log_cursor at;
    REQUIRE(eventually([&] {
        auto chunk = c.read_logs(*job, at).value();
        lines.insert(lines.end(), chunk.lines.begin(), chunk.lines.end());
        at = chunk.next;
        return chunk.end_of_stream;
    }));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "training on " + (d.path / "root/datasets/iris.csv").string());
    CHECK(mlcloud::log_chunk{.lines = lines}.has_completion_marker());
    CHECK(c.terminate(*job).value().state == job_state::succeeded);

    auto models = c.list(storage_uri::local("models/"));
    REQUIRE(models.has_value());
    REQUIRE(models->size() == 1);
    CHECK(models->front().uri.key == "models/iris.model");

    // Predict with the trained model.
    auto p = c.predict({.model = storage_uri::local("models/iris.model"), .input = "x\n3\n"});
    REQUIRE(p.has_value());
    CHECK(p->output == "x,1\n3,1\n");

    CHECK(c.remove(storage_uri::local("models/iris.model")).has_value());
    CHECK(c.list(storage_uri::local("models/")).value().empty());
}

TEST_CASE("local backend: selected by name at run time")
{
    temp_dir d;
    auto r = mlcloud::with_backend<local::backend>("local", [&]<class B>(std::type_identity<B>) {
        mlcloud::blocking<B> c({.root = d.path});
        return c.list(storage_uri::local(""));
    });
    REQUIRE(r.has_value());
    CHECK(r->empty());
}
