//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_SIGV4_HPP
#define MLCLOUD_AUTH_SIGV4_HPP

#include <mlcloud/config.hpp>
#include <mlcloud/auth/aws_credentials.hpp>
#include <mlcloud/auth/detail/crypto.hpp>
#include <mlcloud/error.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// AWS Signature Version 4 (docs/sigv4.md).
///
/// The signer works on its own plain description of a request (`sigv4::request`) and knows
/// nothing of the HTTP transport: the transport (or a backend) describes each attempt, calls
/// `signer::sign` right before sending it (every retry needs a fresh X-Amz-Date) and sets the
/// headers it gets back. `signer::presign` builds query-string-authenticated URLs instead.
namespace mlcloud::auth::sigv4 {

/// Lower-case hex SHA-256 of the empty string: the payload hash of a request without a body.
inline constexpr std::string_view empty_payload_hash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The payload hash of a request whose body is not signed (S3 streamed uploads, presigned URLs).
inline constexpr std::string_view unsigned_payload = "UNSIGNED-PAYLOAD";

/// The longest lifetime of a presigned URL AWS accepts: 7 days.
inline constexpr std::chrono::seconds max_presign_expiry{604800};

/// One header. Names are case-insensitive; a name may repeat (the values are then signed
/// joined by ',' in the order given, as HTTP combines them).
struct header
{
    std::string name;
    std::string value;

    friend bool operator==(header const&, header const&) = default;
};

/// One query parameter, NOT percent-encoded ("prefix" = "my dir/"). A name may repeat and a
/// value may be empty (`?uploads` is {"uploads", ""}).
struct query_param
{
    std::string name;
    std::string value;

    friend bool operator==(query_param const&, query_param const&) = default;
};

/// The request to sign, described independently of any HTTP library.
struct request
{
    /// "GET", "PUT", ... (upper-cased by the signer).
    std::string method = "GET";

    /// "https" or "http": decides the default port left out of Host, and the scheme of a
    /// presigned URL.
    std::string scheme = "https";

    /// The authority the request goes to: "examplebucket.s3.amazonaws.com", "127.0.0.1:5055",
    /// "[::1]:9000". It is lower-cased and a default port (":443" for https, ":80" for http) is
    /// dropped to form the signed Host header, unless `headers` already holds a Host header.
    std::string host;

    /// The path, NOT percent-encoded ("/my-bucket/data set/ü.csv"); the signer encodes each
    /// byte outside A-Z a-z 0-9 - . _ ~ and '/' once to form the path sent on the wire
    /// (`wire_path()`). Empty means "/".
    std::string path = "/";

    /// True when `path` is already exactly what goes on the wire (percent-encoded by the
    /// caller); it is then used verbatim instead of being encoded.
    bool path_is_encoded = false;

    /// Query parameters, unencoded; they are signed sorted by encoded name then value.
    std::vector<query_param> query;

    /// The headers to sign. Send every one of them unchanged. Hop-by-hop and client headers
    /// (connection, expect, keep-alive, proxy-*, te, trailer, transfer-encoding, upgrade,
    /// user-agent, x-amzn-trace-id) are skipped, as botocore does; Authorization and
    /// X-Amz-Date are replaced by the signer's own. Recommended set: Content-Type,
    /// Content-MD5, Range, every x-amz-* header of the operation.
    std::vector<header> headers;

    /// The body to hash, when `payload_hash` is empty. A view: it must stay valid during the
    /// call to `sign`. Empty body and empty hash sign the empty payload.
    std::string_view body;

    /// An explicit payload hash: lower-case hex SHA-256 of the body (see `payload_hasher` for
    /// bodies read from files), `unsigned_payload`, or a STREAMING-* value. Takes precedence
    /// over `body`.
    std::string payload_hash;
};

/// How one AWS service wants its requests canonicalised. `standard()` fits EC2, Lambda,
/// CloudWatch Logs and nearly all services; `s3()` fits S3 and S3-compatible stores
/// (RunPod network volumes, MinIO, moto).
struct signing_rules
{
    /// Remove "." and ".." segments and empty segments ("//") from the path before signing.
    bool normalize_path = true;

    /// Canonical URI = the wire path percent-encoded once more ("double encoding").
    /// False: the canonical URI is the wire path itself (S3).
    bool encode_path_again = true;

    /// Send and sign x-amz-content-sha256 (with the payload hash) on header-signed requests.
    /// S3 requires it. In a presigned URL it is signed as a header only when
    /// `unsigned_presign_payload` is false.
    bool content_sha256_header = false;

    /// Presigned URLs sign "UNSIGNED-PAYLOAD" instead of the hash of the body (S3).
    bool unsigned_presign_payload = false;

    /// Add X-Amz-Security-Token after signing instead of signing it (a few legacy services;
    /// the v4 test suite's `omit_session_token`). Never needed for S3, EC2, Lambda, Logs.
    bool omit_session_token = false;

    static constexpr signing_rules standard() noexcept { return {}; }

    static constexpr signing_rules s3() noexcept
    {
        signing_rules r;
        r.normalize_path = false;
        r.encode_path_again = false;
        r.content_sha256_header = true;
        r.unsigned_presign_payload = true;
        return r;
    }

    /// `s3()` for the signing names "s3" and "s3-object-lambda", `standard()` otherwise.
    MLCLOUD_DECL static signing_rules for_service(std::string_view signing_name) noexcept;

    friend bool operator==(signing_rules const&, signing_rules const&) = default;
};

struct signer_options
{
    /// The signing region: "us-east-1", or a RunPod datacenter id ("EU-RO-1") for its S3 API.
    std::string region;

    /// The signing name of the service: "s3", "ec2", "lambda", "logs".
    std::string service;

    /// Default: `signing_rules::for_service(service)`.
    std::optional<signing_rules> rules;
};

/// One header to set, as `signer::sign` returns it: views into the `header_signature` that
/// holds it (names are string literals).
struct signed_header
{
    std::string_view name;
    std::string_view value;

    friend bool operator==(signed_header const&, signed_header const&) = default;
    friend bool operator==(signed_header const& a, header const& b) noexcept
    {
        return a.name == b.name && a.value == b.value;
    }
};

/// The headers of a signature, at most five, held in place (no allocation). A read-only
/// sequence: `begin`/`end`, `size`, `empty`, `operator[]`, `front`, `back`.
class signed_headers
{
public:
    static constexpr std::size_t capacity = 5;
    using value_type = signed_header;
    using size_type = std::size_t;
    using const_iterator = signed_header const*;
    using iterator = const_iterator;

    const_iterator begin() const noexcept { return items_.data(); }
    const_iterator end() const noexcept { return items_.data() + size_; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    signed_header const& operator[](std::size_t i) const noexcept { return items_[i]; }
    signed_header const& front() const noexcept { return items_[0]; }
    signed_header const& back() const noexcept { return items_[size_ - 1]; }

    friend bool operator==(signed_headers const& a, signed_headers const& b) noexcept
    {
        return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    friend struct header_signature;
    friend class signer;

    std::array<signed_header, capacity> items_{};
    std::size_t size_ = 0;
};

/// The result of signing a request in the Authorization header.
///
/// Everything it holds is one buffer: `headers`' values, `canonical_request` and
/// `string_to_sign` are views into it, so a fresh result costs one allocation and a reused one
/// (`signer::sign_into`) none. The views stay valid as long as this object does and is not
/// assigned or signed into again; copies and moves carry their own.
struct header_signature
{
    /// The headers to set on the request (replacing any of the same name), in this order:
    /// Host (only when the request had none), X-Amz-Date, X-Amz-Security-Token (with session
    /// credentials), X-Amz-Content-SHA256 (when the rules ask for it), Authorization (last).
    signed_headers headers;

    /// The intermediate strings, for tests and for comparing with the <CanonicalRequest> and
    /// <StringToSign> that S3 returns in a SignatureDoesNotMatch error.
    std::string_view canonical_request;
    std::string_view string_to_sign;

    header_signature() = default;
    header_signature(header_signature const& other) : text_(other.text_) { take_views(other); }
    header_signature(header_signature&& other) noexcept : text_(std::move(other.text_)) { take_views(other); }
    header_signature& operator=(header_signature const& other)
    {
        if (this != &other)
        {
            text_ = other.text_;
            take_views(other);
        }
        return *this;
    }
    header_signature& operator=(header_signature&& other) noexcept
    {
        if (this != &other)
        {
            text_ = std::move(other.text_);
            take_views(other);
        }
        return *this;
    }

    /// The Authorization value.
    std::string_view authorization() const noexcept
    {
        return headers.empty() ? std::string_view() : headers.back().value;
    }
    /// The signature, lower-case hex.
    std::string_view signature() const noexcept { return tail(authorization(), '='); }
    /// "host;x-amz-content-sha256;x-amz-date"
    std::string_view signed_header_names() const noexcept { return line_before_last(canonical_request); }
    /// The last line of the canonical request.
    std::string_view payload_hash() const noexcept { return tail(canonical_request, '\n'); }
    /// "20150830T123600Z"
    std::string_view amz_date() const noexcept { return line(string_to_sign, 1); }
    /// "20150830/us-east-1/service/aws4_request"
    std::string_view credential_scope() const noexcept { return line(string_to_sign, 2); }

    static std::string_view tail(std::string_view s, char sep) noexcept
    {
        auto const at = s.rfind(sep);
        return at == std::string_view::npos ? std::string_view() : s.substr(at + 1);
    }
    static std::string_view line_before_last(std::string_view s) noexcept
    {
        auto const last = s.rfind('\n');
        if (last == std::string_view::npos)
            return {};
        s = s.substr(0, last);
        return s.substr(s.rfind('\n') + 1); // npos + 1 == 0
    }
    static std::string_view line(std::string_view s, std::size_t index) noexcept
    {
        for (; index > 0; --index)
        {
            auto const at = s.find('\n');
            if (at == std::string_view::npos)
                return {};
            s.remove_prefix(at + 1);
        }
        return s.substr(0, s.find('\n'));
    }

private:
    friend class signer;

    // The views of `other` (whose buffer `text_` now holds a copy of, or took over), pointed
    // into `text_`; views outside other's buffer (the names: literals) are kept as they are.
    void take_views(header_signature const& other) noexcept
    {
        auto const from = reinterpret_cast<std::uintptr_t>(other.text_data_);
        auto const size = other.text_size_;
        auto const move = [&](std::string_view v) noexcept {
            auto const at = reinterpret_cast<std::uintptr_t>(v.data());
            if (v.empty() || at < from || at > from + size)
                return v;
            return std::string_view(text_.data() + (at - from), v.size());
        };
        headers = other.headers;
        for (std::size_t i = 0; i < headers.size_; ++i)
        {
            headers.items_[i].name = move(headers.items_[i].name);
            headers.items_[i].value = move(headers.items_[i].value);
        }
        canonical_request = move(other.canonical_request);
        string_to_sign = move(other.string_to_sign);
        text_data_ = text_.data();
        text_size_ = text_.size();
    }

    std::string text_;
    char const* text_data_ = nullptr; // where the views point: text_.data() when they were set
    std::size_t text_size_ = 0;
};

/// The result of presigning: a URL anyone can use until it expires.
struct presigned_url
{
    /// "https://host/path?...&X-Amz-Signature=..." (the signature comes last, unless the
    /// rules add X-Amz-Security-Token after signing).
    std::string url;

    /// The request target: the wire path and the query ("/path?...").
    std::string target;

    /// The signed headers the user of the URL must send with exactly these values (at least
    /// Host; also any header you chose to sign, e.g. Content-Type for an S3 PUT).
    std::vector<header> headers;

    std::chrono::system_clock::time_point expires_at;

    std::string canonical_request;
    std::string string_to_sign;

    /// The signature, lower-case hex.
    std::string_view signature() const noexcept
    {
        std::string_view const key = "X-Amz-Signature=";
        auto const at = std::string_view(target).find(key);
        if (at == std::string_view::npos)
            return {};
        auto const v = std::string_view(target).substr(at + key.size());
        return v.substr(0, v.find('&'));
    }
    std::string_view signed_header_names() const noexcept
    {
        return header_signature::line_before_last(canonical_request);
    }
    std::string_view payload_hash() const noexcept { return header_signature::tail(canonical_request, '\n'); }
    std::string_view amz_date() const noexcept { return header_signature::line(string_to_sign, 1); }
    std::string_view credential_scope() const noexcept { return header_signature::line(string_to_sign, 2); }
};

/// Signs requests for one (region, service).
///
/// Thread safety: `sign` and `presign` are const and may be called concurrently from any
/// number of threads on the same signer. The derived signing key is cached per (secret
/// access key, date, region, service) in a small mutex-protected cache shared by copies of
/// the signer; keep one signer per region and service to benefit from it.
///
/// Errors (`errc::invalid_argument`, or `errc::unauthorized` for unusable credentials) name
/// the offending field; they never contain the secret key, the session token or a signature.
class signer
{
public:
    MLCLOUD_DECL explicit signer(signer_options options);

    /// Signs `req` with an Authorization header, as of `now`.
    MLCLOUD_DECL result<header_signature> sign(
        request const& req,
        aws_credentials const& credentials,
        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    /// The same, into `out`, reusing its strings: once they have grown, signing allocates
    /// nothing. For a transport that re-signs every attempt of a request (or every request of
    /// a connection) with one `header_signature`. On error `out` holds unspecified values.
    MLCLOUD_DECL result<void> sign_into(
        request const& req,
        aws_credentials const& credentials,
        header_signature& out,
        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    /// Builds a presigned URL for `req`, valid `expires` (1 s to 7 days) from `now`.
    MLCLOUD_DECL result<presigned_url> presign(
        request const& req,
        aws_credentials const& credentials,
        std::chrono::seconds expires,
        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    std::string const& region() const noexcept { return region_; }
    std::string const& service() const noexcept { return service_; }
    signing_rules const& rules() const noexcept { return rules_; }

private:
    struct key_cache;

    std::string region_;
    std::string service_;
    signing_rules rules_;
    std::shared_ptr<key_cache> cache_;
};

/// The path sent on the wire for `req`: `req.path` percent-encoded once (or verbatim when
/// `path_is_encoded`); "/" for an empty path. Does not validate: `sign` reports a bad path.
MLCLOUD_DECL std::string wire_path(request const& req);

/// The request target for the request line: `wire_path(req)`, then '?' and the query
/// parameters in the order given, each name and value encoded as the signer encodes them
/// (`uri_encode(x, false)`: space is %20, never '+'). Send this rather than a query encoded
/// another way, so that the server sees exactly the parameters that were signed.
MLCLOUD_DECL std::string request_target(request const& req);

/// The Host header value for an authority: lower-cased, default port for `scheme` removed.
/// "Example.com:443" + "https" -> "example.com"; "127.0.0.1:5055" stays as is.
MLCLOUD_DECL result<std::string> host_header(std::string_view scheme, std::string_view authority);

/// Removes "." and ".." segments and empty segments ("//") from a path, keeping a trailing
/// '/', as AWS services (all but S3) canonicalise it: "/a/./b/../c//" -> "/a/c/".
MLCLOUD_DECL std::string normalize_path(std::string_view path);

/// SigV4 URI encoding (RFC 3986 unreserved characters kept, upper-case hex, space as %20):
/// `keep_slash` for paths, not for query names and values.
MLCLOUD_DECL std::string uri_encode(std::string_view s, bool keep_slash);

/// The signing key (kSigning), derived with four HMAC-SHA256 steps. Exposed for tests and
/// for chunked-upload signing; `signer` caches it.
MLCLOUD_DECL detail::sha256_digest derive_signing_key(
    secret_string const& secret_access_key,
    std::string_view date8,
    std::string_view region,
    std::string_view service);

/// Lower-case hex SHA-256 of a body held in memory.
MLCLOUD_DECL std::string hash_payload(std::string_view body);

/// SHA-256 of a body fed in pieces (a file read in chunks), for `request::payload_hash`.
class payload_hasher
{
public:
    payload_hasher() = default;
    void update(std::string_view piece) { stream_.update(piece.data(), piece.size()); }
    void update(void const* data, std::size_t size) { stream_.update(data, size); }
    /// The lower-case hex digest of everything fed so far; the hasher starts over.
    std::string finish() { return detail::to_hex(stream_.finish()); }

private:
    detail::sha256_stream stream_;
};

/// "YYYYMMDDTHHMMSSZ" (UTC) for a time point.
MLCLOUD_DECL std::string format_amz_date(std::chrono::system_clock::time_point t);

} // namespace mlcloud::auth::sigv4

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/auth/impl/sigv4.ipp>
#endif

#endif
