//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_S3_CLIENT_HPP
#define MLCLOUD_AWS_S3_CLIENT_HPP

// A reusable S3 client for AWS and S3-compatible stores (RunPod network volumes, MinIO,
// moto): addressed by bucket and key, configured by endpoint, region, credentials,
// addressing style, transfer sizes and the store's limits. aws::storage and RunPod's storage
// both stand on it.

#include <mlcloud/aws/client.hpp>
#include <mlcloud/aws/detail/s3.hpp>
#include <mlcloud/concepts.hpp>
#include <mlcloud/config.hpp>
#include <mlcloud/types.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud::aws {

namespace s3_impl {
class file_workers;
struct multipart_state;
struct pending_hash;
} // namespace s3_impl

/// One object: key, size, ETag (without quotes), last modification, storage class.
using s3_object = detail::listed_object;

/// How bucket names go into URLs.
enum class s3_addressing
{
    automatic,      ///< path style with an endpoint override or a bucket name that is no DNS label, else virtual hosted
    path_style,     ///< http://endpoint/bucket/key (emulators, most S3-compatible stores)
    virtual_hosted, ///< https://bucket.s3.region.amazonaws.com/key
};

/// What the store accepts. The defaults are AWS S3's; S3-compatible stores set theirs.
struct s3_limits
{
    std::uint64_t min_part_size = 5ull << 20;     ///< every part but the last
    std::uint64_t max_part_size = 5ull << 30;
    std::uint32_t max_parts = 10000;
    std::uint64_t max_single_put = 5ull << 30;    ///< larger files always go multipart
    std::uint64_t max_object_size = 5ull << 40;   ///< 5 TiB
    std::chrono::seconds max_presign_expiry{604800}; ///< 7 days
    bool presign = true;                          ///< the store honours presigned URLs
};

struct s3_client_options
{
    std::string region = "us-east-1"; ///< the signing region (RunPod: the datacenter id, e.g. "EU-RO-1")
    std::string endpoint;             ///< empty: https://s3.<region>.amazonaws.com
    credentials_function credentials;
    s3_addressing addressing = s3_addressing::automatic;
    std::string provider = "aws"; ///< the name errors carry

    /// Files up to this size go up in one PutObject; larger ones in parts.
    std::uint64_t multipart_threshold = 16ull << 20;
    /// Preferred part size; raised when a file would need more than `limits.max_parts`.
    std::uint64_t part_size = 8ull << 20;
    /// Parts of an upload in flight at once, on the transport's keep-alive pool. Memory does
    /// not grow with it: parts stream from the file through the transport's fixed buffers.
    std::size_t concurrency = 8;
    /// Ranges of a download in flight at once. Unlike parts, each range is held in memory
    /// until written: download_concurrency × download_chunk_size (32 MiB by default).
    std::size_t download_concurrency = 4;
    /// Bytes per ranged GET of a download. A broken download resumes after the complete
    /// prefix of what it wrote; up to `download_concurrency` ranges are held in memory at a
    /// time (one per worker of the sliding window, each written at its offset).
    std::uint64_t download_chunk_size = 8ull << 20;
    /// SHA-256 every body (each part hashed once, before its first attempt). False sends
    /// UNSIGNED-PAYLOAD, which saves a read of the file; use it over https only.
    bool sign_payload = true;
    /// The client's file threads: they read and hash upload parts for sign_payload and write
    /// downloaded ranges, so that this file work (milliseconds of CPU and file I/O per part)
    /// neither holds up the caller's executor nor waits for it: one part is hashed or written
    /// while others travel. Started by the first signed file upload or ranged download, joined
    /// when the last copy of the client is destroyed. 0 does that work on the caller's executor.
    std::size_t hash_threads = 2;
    /// Where to do that work instead, e.g. a thread pool the program already runs for blocking
    /// work; when set, hash_threads is not used.
    boost::asio::any_io_executor hash_executor;
    /// Listing safeguards: at most this many pages, and a repeated continuation token stops
    /// the listing with errc::protocol_error instead of looping forever.
    std::size_t max_list_pages = 10000;
    /// Keys per ListObjectsV2 page of list_all (1 to 1000).
    int list_page_size = 1000;
    /// Attempts of a CompleteMultipartUpload that answered 200 with an <Error> body.
    unsigned complete_attempts = 3;

    s3_limits limits;
};

/// One page of ListObjectsV2.
struct s3_list_request
{
    std::string prefix;
    std::string delimiter;
    std::string continuation_token;
    std::string start_after;
    int max_keys = 1000;
};

/// S3 operations by bucket and key.
///
///     aws::s3_client s3(ex, {.region = "EU-RO-1", .endpoint = "https://s3api-eu-ro-1.runpod.io",
///                            .credentials = aws::static_credentials(keys), .provider = "runpod",
///                            .limits = {.presign = false}});
///     auto info = co_await s3.upload_file("data.csv", "volume-id", "datasets/data.csv");
///
/// Errors carry the S3 error code and message ("NoSuchKey: The specified key does not
/// exist."), the HTTP status and the x-amz-request-id; NoSuchKey/NoSuchBucket map to
/// errc::not_found, AccessDenied to errc::forbidden, SlowDown to errc::throttled (after
/// the transport's retries), and so on (docs/aws.md).
class s3_client
{
public:
    MLCLOUD_DECL s3_client(boost::asio::any_io_executor ex, s3_client_options options,
                           net::client_options http = default_http_options());
    MLCLOUD_DECL s3_client(std::shared_ptr<net::http_client> http, s3_client_options options);

    /// Uploads a file: one PutObject up to `multipart_threshold`, else a multipart upload
    /// with `concurrency` parts in flight, each part streamed from the file (offset + length)
    /// and hashed once; a failed multipart upload is aborted. Progress reports bytes of
    /// completed requests/parts.
    MLCLOUD_DECL task<s3_object> upload_file(std::filesystem::path const& from, std::string const& bucket,
                                             std::string const& key, transfer_options const& opts);
    task<s3_object> upload_file(std::filesystem::path const& from, std::string const& bucket, std::string const& key)
    {
        return upload_file(from, bucket, key, default_transfer_options());
    }

    /// One PutObject of in-memory bytes.
    MLCLOUD_DECL task<s3_object> put_object(std::string const& bucket, std::string const& key, std::string bytes,
                                            std::string const& content_type = "application/octet-stream");

    /// Downloads an object into a file with ranged GETs of `download_chunk_size`: after the
    /// first answer gave the size and ETag, a sliding window of `download_concurrency` ranges in
    /// flight, each written at its offset. Bytes arrive in `<to>.mlcloud-download` (the
    /// object's ETag and the length of the complete prefix beside it); the file appears at
    /// `to` only when complete. A download that broke resumes after that prefix on the next
    /// call, as long as the object's ETag is unchanged (If-Match); otherwise it starts over.
    MLCLOUD_DECL task<s3_object> download_file(std::string const& bucket, std::string const& key,
                                               std::filesystem::path const& to, transfer_options const& opts);
    task<s3_object> download_file(std::string const& bucket, std::string const& key, std::filesystem::path const& to)
    {
        return download_file(bucket, key, to, default_transfer_options());
    }

    /// A whole (small) object in memory; errc::payload_too_large above `max_size`.
    MLCLOUD_DECL task<std::string> get_object(std::string const& bucket, std::string const& key,
                                              std::uint64_t max_size = 64ull << 20);

    /// Bytes [first, last] of an object (GetObject with Range).
    MLCLOUD_DECL task<std::string> get_range(std::string const& bucket, std::string const& key, std::uint64_t first,
                                             std::uint64_t last);

    /// The object's size, ETag and time; errc::not_found when it does not exist.
    MLCLOUD_DECL task<s3_object> head_object(std::string const& bucket, std::string const& key);

    /// One page of ListObjectsV2 (keys decoded from encoding-type=url).
    MLCLOUD_DECL task<detail::list_page> list_objects(std::string const& bucket, s3_list_request const& req);

    /// Every object under `prefix`, sorted by key, following continuation tokens (with the
    /// safeguards of s3_client_options).
    MLCLOUD_DECL task<std::vector<s3_object>> list_all(std::string const& bucket, std::string const& prefix);

    /// DeleteObject; deleting a missing key succeeds.
    MLCLOUD_DECL task<void> delete_object(std::string const& bucket, std::string const& key);

    /// A presigned GET or PUT URL valid for `expires` (1 s up to limits.max_presign_expiry);
    /// errc::invalid_argument outside that range, errc::not_supported when the store does
    /// not honour presigned URLs.
    MLCLOUD_DECL result<std::string> presign(std::string const& bucket, std::string const& key, presign_method method,
                                             std::chrono::seconds expires) const;

    /// HeadBucket: true when the bucket exists and is ours to use, false when it does not
    /// exist; errc::forbidden when it exists but belongs to someone else.
    MLCLOUD_DECL task<bool> bucket_exists(std::string const& bucket);

    /// CreateBucket in the client's region (no LocationConstraint in us-east-1).
    MLCLOUD_DECL task<void> create_bucket(std::string const& bucket);

    // The multipart primitives, for callers that manage parts themselves.
    MLCLOUD_DECL task<std::string> create_multipart_upload(std::string const& bucket, std::string const& key);
    /// Uploads bytes [offset, offset+length) of `file` as part `number` (1-based); returns the
    /// part's ETag. `sha256` is the part's hex SHA-256 (empty: computed here, or
    /// UNSIGNED-PAYLOAD when sign_payload is off).
    MLCLOUD_DECL task<std::string> upload_part(std::string const& bucket, std::string const& key,
                                               std::string const& upload_id, std::uint32_t number,
                                               net::file_body part, std::string sha256);
    MLCLOUD_DECL task<s3_object> complete_multipart_upload(std::string const& bucket, std::string const& key,
                                                           std::string const& upload_id,
                                                           std::vector<std::pair<std::uint32_t, std::string>> parts);
    MLCLOUD_DECL task<void> abort_multipart_upload(std::string const& bucket, std::string const& key,
                                                   std::string const& upload_id);

    /// True when requests for `bucket` use path-style URLs.
    MLCLOUD_DECL bool uses_path_style(std::string_view bucket) const noexcept;

    s3_client_options const& options() const noexcept { return options_; }
    aws::client& raw() noexcept { return client_; }

private:
    MLCLOUD_DECL result<std::string> url(std::string_view bucket, std::string_view key,
                                         net::query_params const& query = {}) const;
    MLCLOUD_DECL task<s3_object> upload_multipart(std::filesystem::path const& from, std::string const& bucket,
                                                  std::string const& key, std::uint64_t size,
                                                  transfer_options const& opts);
    MLCLOUD_DECL task<s3_object> put_file(std::filesystem::path const& from, std::string const& bucket,
                                          std::string const& key, std::uint64_t size, transfer_options const& opts);
    MLCLOUD_DECL task<void> abort_after_failure(std::string const& bucket, std::string const& key,
                                                std::string const& upload_id);
    MLCLOUD_DECL task<s3_object> download_ranges(std::string const& bucket, std::string const& key,
                                                 std::filesystem::path const& to, transfer_options const& opts);
    MLCLOUD_DECL std::string body_hash(std::string_view text) const;
    MLCLOUD_DECL task<std::string> payload_hash(net::file_body const& body);
    MLCLOUD_DECL std::shared_ptr<s3_impl::pending_hash> start_hash(boost::asio::any_io_executor ex,
                                                                 net::file_body const& body);
    MLCLOUD_DECL task<std::string> wait_hash(std::shared_ptr<s3_impl::pending_hash> pending);
    MLCLOUD_DECL boost::asio::awaitable<void> part_worker(std::shared_ptr<s3_impl::multipart_state> st);

    s3_client_options options_;
    aws::client client_;
    std::shared_ptr<s3_impl::file_workers> files_; // shared by copies of the client
};

} // namespace mlcloud::aws

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/s3_client.ipp>
#endif

#endif
