//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_SETUP_HPP
#define MLCLOUD_RUNPOD_SETUP_HPP

#include <mlcloud/concepts.hpp>
#include <mlcloud/runpod/health.hpp>
#include <mlcloud/runpod/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mlcloud {
namespace runpod {

struct setup_options
{
    /// The volume looked for (by name, in options::datacenter) when options::network_volume_id
    /// is empty, and created when missing.
    std::string volume_name = "mlcloud";
    int volume_size_gb = 20; ///< 10 to 4096; a network volume never shrinks
    bool create_volume = true;
};

/// What `setup` found, created and checked; `lines` says it for people.
struct setup_report
{
    std::string datacenter;
    std::string volume_id;
    std::string volume_name;
    bool volume_created = false;
    bool api_key_ok = false; ///< GET /v2/network-volumes answered
    bool s3_keys_ok = false; ///< HeadBucket on the volume answered with the S3 API key
    std::optional<endpoint_health> endpoint; ///< when options::endpoint_id is set and answered
    std::vector<std::string> lines;    ///< found / created / checked, one fact a line
    std::vector<std::string> problems; ///< what still needs doing; empty when all is ready

    bool ready() const noexcept { return problems.empty(); }
};

/// Gets an account ready for mlcloud: checks the API key with one harmless call (listing the
/// network volumes), finds the network volume (options::network_volume_id, else the one named
/// `volume_name` in options::datacenter) or creates it, checks the S3 API key with a HeadBucket
/// on it, and reads the serverless endpoint's health when one is configured. Idempotent: a
/// second run finds what the first created and changes nothing.
///
/// Errors: a refused API key (errc::unauthorized), a volume id that does not exist
/// (errc::not_found), no datacenter to create the volume in (errc::invalid_argument). Problems
/// with the S3 keys or the endpoint do not stop it: they are listed in `problems`.
MLCLOUD_DECL task<setup_report> setup(boost::asio::any_io_executor ex, options const& opts, setup_options so = {});

} // namespace runpod
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/runpod/impl/setup.ipp>
#endif

#endif
