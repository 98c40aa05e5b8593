//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_AWS_CREDENTIALS_HPP
#define MLCLOUD_AUTH_AWS_CREDENTIALS_HPP

#include <mlcloud/config.hpp>
#include <mlcloud/auth/environment.hpp>
#include <mlcloud/auth/secret.hpp>
#include <mlcloud/error.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// AWS credentials, region and endpoints, resolved as the AWS SDKs do (docs/credentials.md).
namespace mlcloud::auth {

/// An access key pair, with a session token for temporary credentials.
///
/// Printing it (`operator<<`, `to_string`) masks the access key id and redacts the secret and
/// the token, so a value can be logged or shown in a test failure safely.
struct aws_credentials
{
    std::string access_key_id;
    secret_string secret_access_key;
    secret_string session_token; ///< empty for long-term keys

    /// When temporary credentials stop working (unknown for keys read from env or files).
    std::optional<std::chrono::system_clock::time_point> expiration;

    /// Where they were found: "environment", "shared credentials file /home/me/.aws/credentials
    /// (profile 'dev')", ... For messages; never holds a secret.
    std::string source;

    bool has_session_token() const noexcept { return !session_token.empty(); }
};

/// "aws_credentials{access_key_id=*******MPLE, secret_access_key=<redacted>,
/// session_token=<none>, source=environment}"
MLCLOUD_DECL std::string to_string(aws_credentials const& c);
MLCLOUD_DECL std::ostream& operator<<(std::ostream& os, aws_credentials const& c);

/// Where `aws_config::load` looks. Every member has a default that follows the SDKs; tests
/// set `env` (and through it HOME) so that nothing reads the real home directory.
struct aws_config_options
{
    /// Environment variables: AWS_* and HOME (USERPROFILE on Windows) for "~/.aws".
    environment env = environment::process();

    /// The profile to use. Default: AWS_DEFAULT_PROFILE, else AWS_PROFILE (the order of
    /// botocore and the AWS SDK for C++), else "default". As in the SDKs, a profile chosen
    /// here in code takes precedence over credentials in the environment variables; one
    /// chosen with an environment variable does not. A profile other than "default" that neither file
    /// has makes credentials(), region() and endpoint_url() fail (errc::invalid_argument).
    std::optional<std::string> profile;

    /// Default: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
    std::optional<std::filesystem::path> credentials_file;

    /// Default: AWS_CONFIG_FILE, else ~/.aws/config.
    std::optional<std::filesystem::path> config_file;
};

class aws_config;

namespace detail {
struct aws_config_access;
} // namespace detail

/// What one link of a credentials chain found.
struct aws_credentials_lookup
{
    /// Set when this source had credentials: the chain stops here.
    std::optional<aws_credentials> credentials;

    /// Otherwise, what was looked at and why nothing was found, for the final message:
    /// "environment (AWS_ACCESS_KEY_ID not set)". Never a secret.
    std::string tried;
};

/// One source of credentials. Returning an error (for malformed credentials) stops the chain,
/// as the SDKs stop on partial credentials; returning a lookup without credentials moves on to
/// the next source. Write your own for a secrets manager, STS, the container or instance
/// metadata endpoints (which mlcloud does not provide), and put it in the chain.
using aws_credentials_provider = std::function<result<aws_credentials_lookup>(aws_config const&)>;

/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (or the older AWS_SECURITY_TOKEN).
MLCLOUD_DECL aws_credentials_provider environment_credentials_provider();

/// aws_access_key_id, aws_secret_access_key, aws_session_token in section [<profile>] of the
/// shared credentials file.
MLCLOUD_DECL aws_credentials_provider shared_credentials_file_provider();

/// The same keys in section [profile <profile>] ([default] for the default profile) of the
/// config file.
MLCLOUD_DECL aws_credentials_provider config_file_credentials_provider();

/// Always the given credentials (for code that has its own settings).
MLCLOUD_DECL aws_credentials_provider static_credentials_provider(aws_credentials credentials);

/// Finds nothing, or stops the chain with errc::not_supported when the SDKs would use a
/// mechanism mlcloud does not perform before the shared files' keys: assume-role (`role_arn`
/// in the profile, in either file), web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` in the
/// environment unless the profile was chosen in code, or `web_identity_token_file` in the
/// profile) or SSO (`sso_account_id` or `sso_role_name` in the profile). The message names
/// the setting and the file, never a value. Put a provider for the mechanism ahead of it.
MLCLOUD_DECL aws_credentials_provider refuse_role_and_sso_provider();

/// The same for `login_session` and `credential_process` in the profile, which the SDKs use
/// after the shared credentials file's keys and before the config file's.
MLCLOUD_DECL aws_credentials_provider refuse_login_and_process_provider();

/// environment, refuse_role_and_sso, shared credentials file, refuse_login_and_process,
/// config file — botocore's order, with the mechanisms mlcloud does not perform refused where
/// botocore would use them, so that mlcloud never signs with keys the AWS CLI would not use.
/// (The SDKs end with the container endpoint and instance metadata; append providers for
/// those you need.)
MLCLOUD_DECL std::vector<aws_credentials_provider> default_aws_credentials_chain();

/// The AWS settings of one process: environment plus the two shared files, read once.
///
/// `load` never fails: a missing file is simply empty, and a file that cannot be read or
/// parsed reports its error when a lookup needs it (so that credentials from the environment
/// still work next to a broken ~/.aws/config). Cheap to copy (shared immutable state).
class aws_config
{
public:
    MLCLOUD_DECL static aws_config load(aws_config_options options = {});

    /// The selected profile name.
    MLCLOUD_DECL std::string const& profile() const noexcept;

    /// True when the profile was chosen in code (aws_config_options::profile).
    MLCLOUD_DECL bool profile_is_explicit() const noexcept;

    /// The file paths used (empty when no override was given and HOME is unknown).
    MLCLOUD_DECL std::filesystem::path const& credentials_file() const noexcept;
    MLCLOUD_DECL std::filesystem::path const& config_file() const noexcept;

    MLCLOUD_DECL environment const& env() const noexcept;

    /// Runs the default chain. Nothing found: errc::unauthorized, with a message that lists
    /// every source tried and why it had nothing. Malformed: errc::invalid_argument. The
    /// profile is set up for assume-role, web identity, SSO, `aws login` or
    /// `credential_process`: errc::not_supported (see refuse_role_and_sso_provider).
    MLCLOUD_DECL result<aws_credentials> credentials() const;

    /// Runs `chain` in order; the first source with credentials wins.
    MLCLOUD_DECL result<aws_credentials> credentials(std::span<aws_credentials_provider const> chain) const;

    /// AWS_REGION, then AWS_DEFAULT_REGION, then `region` in the profile's section of the
    /// shared credentials file (botocore merges it over the config file's), then in the
    /// profile of the config file. None of them: errc::invalid_argument naming what was tried.
    MLCLOUD_DECL result<std::string> region() const;

    /// The configured endpoint URL for a service, or nothing (use the AWS default endpoint).
    /// `service_id` is the SDK service id: "S3", "EC2", "Lambda", "CloudWatch Logs".
    /// Order: AWS_ENDPOINT_URL_<ID> (upper case, spaces and dashes as '_', e.g.
    /// AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), AWS_ENDPOINT_URL, `endpoint_url` of the service's
    /// entry in the profile's `services` section (key: lower case, e.g. cloudwatch_logs), then
    /// the profile's own `endpoint_url`. `ignore_configured_endpoint_urls` turns all of this
    /// off, the environment's endpoints included: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS when set
    /// (`true` or anything else, which is false), else the profile's setting.
    /// A value that is not an absolute http(s) URL gives errc::invalid_argument.
    MLCLOUD_DECL result<std::optional<std::string>> endpoint_url(std::string_view service_id) const;

    /// A setting of the selected profile in the config file (`region`, `endpoint_url`, ...),
    /// or nothing when it is absent. Errors: the config file could not be read or parsed.
    MLCLOUD_DECL result<std::optional<std::string>> profile_setting(std::string_view key) const;

    /// A setting of the selected profile in the shared credentials file.
    MLCLOUD_DECL result<std::optional<std::string>> credentials_file_setting(std::string_view key) const;

private:
    struct state;
    friend struct detail::aws_config_access;

    explicit aws_config(std::shared_ptr<state const> s) noexcept : state_(std::move(s)) {}
    std::shared_ptr<state const> state_;
};

/// Shortcut: `aws_config::load(std::move(options)).credentials()`.
MLCLOUD_DECL result<aws_credentials> load_aws_credentials(aws_config_options options = {});

/// The environment variable for a service-specific endpoint: "CloudWatch Logs" ->
/// "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS".
MLCLOUD_DECL std::string endpoint_env_var(std::string_view service_id);

/// The key of a service in a config-file `services` section: "CloudWatch Logs" ->
/// "cloudwatch_logs".
MLCLOUD_DECL std::string endpoint_config_key(std::string_view service_id);

} // namespace mlcloud::auth

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/auth/impl/aws_credentials.ipp>
#endif

#endif
