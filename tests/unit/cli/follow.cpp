//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "follow.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace std::chrono_literals;

namespace {

/// A cloud whose job prints without pause: every read brings `per_read` new lines (a RunPod
/// read collects a live window of events), and the log ends after `total` lines.
struct chatty_cloud
{
    int per_read = 3;
    int total = 1'000'000'000;
    int printed = 0;
    int reads = 0;

    mlcloud::result<mlcloud::log_chunk> read_logs(mlcloud::job_handle const&, mlcloud::log_cursor const&)
    {
        ++reads;
        std::this_thread::sleep_for(1ms);
        mlcloud::log_chunk c;
        for (int i = 0; i < per_read && printed < total; ++i)
            c.lines.push_back("line " + std::to_string(printed++));
        c.next.token = std::to_string(printed);
        c.end_of_stream = printed >= total;
        return c;
    }

    mlcloud::result<mlcloud::job_status> status(mlcloud::job_handle const&)
    {
        mlcloud::job_status s;
        s.state = printed >= total ? mlcloud::job_state::succeeded : mlcloud::job_state::running;
        return s;
    }
};

} // namespace

TEST_CASE("logs without --follow stop when a running job never pauses")
{
    chatty_cloud cloud;
    std::ostringstream out, err;
    std::istringstream in;
    mlcloud_cli::io io{out, err, in};
    auto const s = mlcloud_cli::follow_logs(cloud, mlcloud::job_handle{}, io, 10ms, false, 200ms);
    REQUIRE(s.has_value());
    CHECK(s->state == mlcloud::job_state::running);
    CHECK(cloud.reads > 1); // it read on while lines came
    CHECK(cloud.printed == cloud.reads * cloud.per_read);
    CHECK(out.str().find("line 0\nline 1\n") == 0);
    CHECK(err.str().find("--follow reads to the end") != std::string::npos); // the cut is said
}

TEST_CASE("logs without --follow print a finished log whole")
{
    chatty_cloud cloud;
    cloud.total = 50;
    std::ostringstream out, err;
    std::istringstream in;
    mlcloud_cli::io io{out, err, in};
    auto const s = mlcloud_cli::follow_logs(cloud, mlcloud::job_handle{}, io, 10ms, false);
    REQUIRE(s.has_value());
    CHECK(s->state == mlcloud::job_state::succeeded);
    CHECK(out.str().find("line 49\n") != std::string::npos);
    CHECK(err.str().empty());
}
