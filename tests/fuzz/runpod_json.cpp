//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// RunPod's JSON answers: pods and pod lists, the GPU catalog (applied to the pricing table as
// a refresh does), network volumes, serverless jobs and their errors, endpoint health, error
// bodies (problem+json and the rest), pod log events, and the RateLimit header. The first
// byte chooses the parser, the rest is the body.

#include "fuzz.hpp"

#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/net/redact.hpp>
#include <mlcloud/runpod/detail/wire.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    namespace rp = mlcloud::runpod::detail;
    using mlcloud::errc;
    mlcloud_fuzz::input in(data, size);
    auto const first = in.byte();
    auto const which = first % 11;
    auto const body = in.rest();
    auto protocol_error = [](auto const& r) { return r || r.error().is(errc::protocol_error); };
    switch (which)
    {
    case 0:
        if (auto pod = rp::parse_pod(body))
        {
            (void)rp::state_of(pod->status);
            (void)rp::has_ended(pod->status);
        }
        else
            mlcloud_fuzz::check(protocol_error(pod), "a bad pod is a protocol_error");
        break;
    case 1:
        mlcloud_fuzz::check(protocol_error(rp::parse_pod_list(body)), "a bad pod list is a protocol_error");
        break;
    case 2:
        if (auto gpus = rp::parse_catalog(body))
        {
            static auto const builtin = mlcloud::messages::pricing_table::builtin();
            auto table = builtin;
            (void)rp::apply_catalog(table, *gpus, "2026-01-01");
            (void)table.range("runpod");
        }
        break;
    case 3:
        (void)rp::parse_volume(body);
        break;
    case 4:
        (void)rp::parse_volume_list(body);
        break;
    case 5:
        if (auto job = rp::parse_job(body))
        {
            (void)rp::is_final(job->status);
            auto e = rp::decode_job_error(job->error);
            mlcloud_fuzz::check(mlcloud::net::redact_text(e.message) == e.message, "a job error is redacted");
        }
        break;
    case 6:
    {
        auto e = rp::decode_job_error(body);
        mlcloud_fuzz::check(static_cast<bool>(e.code), "a job error has a code");
        mlcloud_fuzz::check(mlcloud::net::redact_text(e.message) == e.message, "a job error is redacted");
        break;
    }
    case 7:
        (void)rp::parse_health(body);
        break;
    case 8:
    {
        auto const status = 400 + first / 11 * 7; // 400 ... 561
        auto text = rp::describe(rp::parse_problem(body, status));
        mlcloud_fuzz::check(text.find('\n') == std::string::npos, "a described problem is one line");
        mlcloud_fuzz::check(mlcloud::net::redact_text(text) == text, "a described problem is redacted");
        break;
    }
    case 9:
    {
        auto event = rp::parse_log_event(body);
        rp::log_outcome outcome;
        rp::observe_line(outcome, event.line);
        (void)rp::parse_rfc3339(event.ts);
        break;
    }
    default:
        (void)rp::rate_limit_reset(body);
        (void)rp::parse_rfc3339(body);
        break;
    }
    return 0;
}
