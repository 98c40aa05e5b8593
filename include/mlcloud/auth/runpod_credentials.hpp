//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_RUNPOD_CREDENTIALS_HPP
#define MLCLOUD_AUTH_RUNPOD_CREDENTIALS_HPP

#include <mlcloud/config.hpp>
#include <mlcloud/auth/aws_credentials.hpp>
#include <mlcloud/auth/environment.hpp>
#include <mlcloud/auth/secret.hpp>
#include <mlcloud/error.hpp>

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

/// RunPod API key, base URLs and S3 keys (docs/credentials.md).
namespace mlcloud::auth {

/// The default base URLs. REST v2 only: v1 (rest.runpod.io/v1) is retired.
inline constexpr std::string_view runpod_default_rest_url = "https://api.runpod.io/v2";
inline constexpr std::string_view runpod_default_serverless_url = "https://api.runpod.ai/v2";

/// Where `runpod_config::load` looks. A value set here wins over the environment.
///
/// Environment variables:
///  - RUNPOD_API_KEY               the API key, sent as "Authorization: Bearer <key>"
///  - RUNPOD_REST_URL              REST API base, default https://api.runpod.io/v2
///  - RUNPOD_SERVERLESS_URL        serverless base, default https://api.runpod.ai/v2
///                                 (RUNPOD_ENDPOINT_BASE_URL, runpod-python's name, also works)
///  - RUNPOD_S3_ENDPOINT_URL       S3 endpoint for every datacenter; "{datacenter}" in it is
///                                 replaced by the lower-case datacenter id. Default
///                                 https://s3api-{datacenter}.runpod.io
///  - RUNPOD_S3_ACCESS_KEY_ID      the S3 API key ("user_...", from Settings > S3 API Keys)
///  - RUNPOD_S3_SECRET_ACCESS_KEY  its secret ("rps_...")
///
/// Without RUNPOD_API_KEY, the API key is read from RunPod's own configuration file,
/// ~/.runpod/config.toml, as its two tools write it: `api_key` in the `[default]` table
/// (runpod-python's `runpod config`), else a top-level `apikey` (runpodctl).
struct runpod_config_options
{
    environment env = environment::process();
    std::optional<secret_string> api_key;
    /// RunPod's configuration file; unset: ~/.runpod/config.toml (HOME, else USERPROFILE, else
    /// HOMEDRIVE + HOMEPATH), not an error when absent. A path set here must exist.
    std::optional<std::filesystem::path> config_file;
    std::optional<std::string> rest_url;
    std::optional<std::string> serverless_url;
    std::optional<std::string> s3_endpoint_url;
    std::optional<std::string> s3_access_key_id;
    std::optional<secret_string> s3_secret_access_key;
};

/// The RunPod settings of one process, read once. Printing it redacts the keys.
class runpod_config
{
public:
    /// Reads the options and the environment. A base URL that is not an absolute http(s) URL,
    /// or a REST URL that points at the retired v1 API, is errc::invalid_argument. Missing
    /// keys are not an error here: they are reported by the accessor that needs them.
    MLCLOUD_DECL static result<runpod_config> load(runpod_config_options options = {});

    /// The API key. Missing: errc::unauthorized naming RUNPOD_API_KEY and the configuration
    /// file; a configuration file that cannot be read or parsed: errc::invalid_argument.
    MLCLOUD_DECL result<secret_string> api_key() const;

    /// "Bearer <key>", the Authorization value for the REST and serverless APIs.
    MLCLOUD_DECL result<std::string> authorization() const;

    /// REST base URL without a trailing '/', e.g. "https://api.runpod.io/v2".
    std::string const& rest_url() const noexcept { return rest_url_; }

    /// Serverless base URL without a trailing '/', e.g. "https://api.runpod.ai/v2".
    std::string const& serverless_url() const noexcept { return serverless_url_; }

    /// The S3 endpoint of a datacenter ("EU-RO-1" -> "https://s3api-eu-ro-1.runpod.io").
    /// A datacenter id other than letters, digits and '-' is errc::invalid_argument.
    MLCLOUD_DECL result<std::string> s3_endpoint(std::string_view datacenter) const;

    /// The signing region of a datacenter's S3 API: the datacenter id as written ("EU-RO-1").
    static std::string s3_region(std::string_view datacenter) { return std::string(datacenter); }

    /// The S3 API key pair. Missing: errc::unauthorized; only half of it: errc::invalid_argument.
    MLCLOUD_DECL result<aws_credentials> s3_credentials() const;

    friend MLCLOUD_DECL std::ostream& operator<<(std::ostream& os, runpod_config const& c);

private:
    runpod_config() = default;

    /// The API key of RunPod's configuration file, when neither the options nor the
    /// environment give one.
    MLCLOUD_DECL void read_config_file(runpod_config_options const& options);

    std::optional<secret_string> api_key_;
    std::string api_key_source_;
    std::string api_key_tried_;   // where load() looked, for the error of a missing key
    std::string api_key_problem_; // a configuration file that could not be read
    std::string rest_url_;
    std::string serverless_url_;
    std::string s3_endpoint_template_; // empty: the default per-datacenter host
    std::optional<std::string> s3_access_key_id_;
    std::optional<secret_string> s3_secret_;
    std::string s3_source_;
};

/// "runpod_config{api_key=<redacted>, rest_url=..., serverless_url=..., s3_endpoint=...,
/// s3_access_key_id=****ab12, s3_secret_access_key=<redacted>}"
MLCLOUD_DECL std::string to_string(runpod_config const& c);

} // namespace mlcloud::auth

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/auth/impl/runpod_credentials.ipp>
#endif

#endif
