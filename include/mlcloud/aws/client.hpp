//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_CLIENT_HPP
#define MLCLOUD_AWS_CLIENT_HPP

// Signed requests to AWS services (and S3-compatible stores): where each service lives, the
// credentials to sign with, SigV4 on every attempt, and AWS error bodies turned into
// mlcloud::error values. No AWS SDK: the transport is net::http_client, the signer
// auth::sigv4. Beast and OpenSSL stay out of this header.

#include <mlcloud/auth/aws_credentials.hpp>
#include <mlcloud/concepts.hpp>
#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/client.hpp>
#include <mlcloud/net/url.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mlcloud::aws {

/// An AWS service as a client addresses and signs it.
struct service
{
    std::string_view id;              ///< the SDK service id: "S3", "EC2", "Lambda", "CloudWatch Logs", "STS"
    std::string_view endpoint_prefix; ///< "s3" in https://s3.us-east-1.amazonaws.com
    std::string_view signing_name;    ///< the SigV4 service name
};

inline constexpr service s3_service{"S3", "s3", "s3"};
inline constexpr service ec2_service{"EC2", "ec2", "ec2"};
inline constexpr service lambda_service{"Lambda", "lambda", "lambda"};
inline constexpr service logs_service{"CloudWatch Logs", "logs", "logs"};
inline constexpr service sts_service{"STS", "sts", "sts"};

/// Where signing credentials come from: called once per request, so a function that
/// refreshes temporary credentials takes effect on the next request.
using credentials_function = std::function<result<auth::aws_credentials>()>;

/// Always the same credentials.
MLCLOUD_DECL credentials_function static_credentials(auth::aws_credentials credentials);

/// Region, credentials and endpoints: what every signed request needs.
struct session
{
    std::string region;
    credentials_function credentials;

    /// Endpoint URLs by SDK service id ("S3" -> "http://127.0.0.1:5055"). A service without
    /// an entry uses AWS's regional endpoint.
    std::map<std::string, std::string, std::less<>> endpoints;

    /// The name errors carry in `mlcloud::error::provider` ("aws"; "runpod" for its S3 API).
    std::string provider = "aws";

    /// The endpoint of `s`: the override, or https://<prefix>.<region>.amazonaws.com
    /// (amazonaws.com.cn in the China regions).
    MLCLOUD_DECL std::string endpoint(service const& s) const;

    bool has_endpoint_override(service const& s) const { return endpoints.find(s.id) != endpoints.end(); }

    /// Region, credentials and the endpoints of S3, EC2, Lambda, CloudWatch Logs and STS from
    /// the AWS configuration chain (auth::aws_config: AWS_* variables, profiles,
    /// AWS_ENDPOINT_URL[_<SERVICE>]). `region` overrides the chain's region when not empty.
    MLCLOUD_DECL static result<session> from_config(auth::aws_config const& config, std::string_view region = {});
};

/// The transport settings AWS clients use by default: net defaults plus the AWS retry
/// classifier (throttling and transient error codes found in bodies, e.g. a 400
/// ThrottlingException of CloudWatch Logs).
MLCLOUD_DECL net::client_options default_http_options();

/// How one call of the Query or JSON protocol may be repeated.
struct call_options
{
    /// Repeating the call has no further effect (Describe*, TerminateInstances, CreateTags).
    bool idempotent = true;
    /// A key the service deduplicates by (RunInstances' ClientToken): lets the transport
    /// repeat a non-idempotent call after a lost answer.
    std::string idempotency_key;
    net::timeout_overrides timeouts;
};

/// Signs and sends requests to AWS services.
///
///     aws::client c(ex, *aws::session::from_config(auth::aws_config::load()));
///     auto xml = co_await c.query(aws::ec2_service, "DescribeInstances", "2016-11-15", {});
///
/// Every attempt is signed afresh (SigV4, Authorization header) in the transport's prepare
/// hook. Thread-safe as the transport is.
class client
{
public:
    /// A client with its own transport.
    MLCLOUD_DECL client(boost::asio::any_io_executor ex, session s, net::client_options http = default_http_options());

    /// A client on a shared transport (one keep-alive pool for several clients).
    MLCLOUD_DECL client(std::shared_ptr<net::http_client> http, session s);

    // (The shorter overloads are plain functions rather than default arguments: GCC 12
    // mis-destroys class-type default arguments of coroutines awaited in coroutines.)

    /// Signs `req` for `svc` and sends it; every HTTP status is a response. `payload_hash` is
    /// the hex SHA-256 of the body or "UNSIGNED-PAYLOAD"; empty: the hash of an in-memory
    /// body, or of a file body read once here.
    MLCLOUD_DECL task<net::response> send(service const& svc, net::request req, std::string payload_hash);
    task<net::response> send(service const& svc, net::request req)
    {
        return send(svc, std::move(req), std::string());
    }

    /// A Query-protocol call (EC2, STS): the 2xx body, or the service's error.
    MLCLOUD_DECL task<std::string> query(service const& svc, std::string_view action, std::string_view version,
                                         net::query_params params, call_options opts);
    task<std::string> query(service const& svc, std::string_view action, std::string_view version,
                            net::query_params params)
    {
        return query(svc, action, version, std::move(params), call_options());
    }

    /// An AWS JSON 1.1 call (CloudWatch Logs): `target` is "Logs_20140328.GetLogEvents"; the
    /// 2xx body, or the service's error.
    MLCLOUD_DECL task<std::string> json(service const& svc, std::string_view target, std::string body,
                                        call_options opts);
    task<std::string> json(service const& svc, std::string_view target, std::string body)
    {
        return json(svc, target, std::move(body), call_options());
    }

    /// "https://ec2.us-east-1.amazonaws.com" without a trailing slash.
    MLCLOUD_DECL std::string endpoint(service const& svc) const;

    session const& settings() const noexcept { return session_; }
    net::http_client& http() const noexcept { return *http_; }
    std::shared_ptr<net::http_client> const& shared_http() const noexcept { return http_; }
    boost::asio::any_io_executor get_executor() const noexcept { return http_->get_executor(); }

private:
    std::shared_ptr<net::http_client> http_;
    session session_;
};

} // namespace mlcloud::aws

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/client.ipp>
#endif

#endif
