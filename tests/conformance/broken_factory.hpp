// The factory of the deliberately broken training providers (broken.cpp, repeats_at_end.cpp):
// each wraps the memory kit's provider and breaks one rule.
#ifndef MLCLOUD_TESTS_CONFORMANCE_BROKEN_FACTORY_HPP
#define MLCLOUD_TESTS_CONFORMANCE_BROKEN_FACTORY_HPP

#include <mlcloud/testing/memory.hpp>

#include <chrono>

/// Makes a `Broken` from an executor and the memory world's options, with short jobs.
template <class Broken>
struct broken_factory
{
    mlcloud::testing::memory::options opts;
    Broken make(boost::asio::any_io_executor ex) { return {ex, opts}; }
    mlcloud::job_spec succeeding_job() { return {.name = "ok", .command = {"a", "b", "c", "d", "e", "f"}}; }
    mlcloud::job_spec failing_job() { return {.name = "bad", .command = {"@fail"}}; }
    mlcloud::job_spec long_running_job() { return {.name = "long", .command = {"@hang"}}; }
    std::chrono::seconds deadline() { return std::chrono::seconds(5); }
    std::chrono::milliseconds poll_interval() { return std::chrono::milliseconds(5); }
};

#endif
