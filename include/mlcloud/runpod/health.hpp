//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_HEALTH_HPP
#define MLCLOUD_RUNPOD_HEALTH_HPP

#include <string>

namespace mlcloud {
namespace runpod {

/// GET /health of a serverless endpoint: its workers and its queue.
struct endpoint_health
{
    int idle = 0;
    int running = 0;
    int initializing = 0;
    int unhealthy = 0; ///< crash-looping workers: a job can then wait IN_QUEUE forever
    int throttled = 0;
    int in_queue = 0;
    int in_progress = 0;
    int completed = 0;
    int failed = 0;
    int retried = 0;

    /// "workers: 0 idle, 0 running, 2 unhealthy; jobs: 3 in queue, 0 in progress, 5 failed"
    std::string summary() const
    {
        std::string out = "workers: " + std::to_string(idle) + " idle, " + std::to_string(running) + " running";
        if (initializing)
            out += ", " + std::to_string(initializing) + " initializing";
        if (unhealthy)
            out += ", " + std::to_string(unhealthy) + " unhealthy";
        if (throttled)
            out += ", " + std::to_string(throttled) + " throttled";
        out += "; jobs: " + std::to_string(in_queue) + " in queue, " + std::to_string(in_progress) +
               " in progress, " + std::to_string(failed) + " failed";
        return out;
    }
};

} // namespace runpod
} // namespace mlcloud

#endif
