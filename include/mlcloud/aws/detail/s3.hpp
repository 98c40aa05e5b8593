//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_S3_HPP
#define MLCLOUD_AWS_DETAIL_S3_HPP

// S3 request builders and answer parsers: pure functions, unit-tested without a network.

#include <mlcloud/aws/detail/protocol.hpp>
#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/url.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlcloud::aws::detail {

/// True for bucket names that can be a DNS label of a virtual-hosted URL over TLS: 3-63
/// characters of a-z 0-9 '-', starting and ending with a letter or digit (no dots: they break
/// the wildcard certificate).
MLCLOUD_DECL bool is_virtual_host_bucket(std::string_view bucket) noexcept;

/// The URL of an object (or of the bucket when `key` is empty):
/// path style     http://127.0.0.1:5055/bucket/key%20name?uploads=
/// virtual hosted https://bucket.s3.us-east-1.amazonaws.com/key%20name
/// The key is percent-encoded once with '/' kept; errc::invalid_argument for a bad endpoint.
MLCLOUD_DECL result<std::string> object_url(std::string_view endpoint, std::string_view bucket, std::string_view key,
                                            bool path_style, net::query_params const& query = {});

/// One entry of a listing.
struct listed_object
{
    std::string key;
    std::uint64_t size = 0;
    std::string etag; ///< without quotes
    std::chrono::system_clock::time_point last_modified{};
    std::string storage_class;
};

struct list_page
{
    std::vector<listed_object> objects;
    std::vector<std::string> common_prefixes;
    bool truncated = false;
    std::string next_token;
};

/// A ListObjectsV2 answer. With `url_encoded` (the request asked encoding-type=url) keys and
/// prefixes are decoded ('+' is a space, as S3 writes it).
MLCLOUD_DECL result<list_page> parse_list_objects_v2(std::string_view xml, bool url_encoded);

/// The UploadId of an InitiateMultipartUploadResult.
MLCLOUD_DECL result<std::string> parse_initiate_multipart(std::string_view xml);

/// <CompleteMultipartUpload> with the parts in ascending order; ETags as the parts returned them.
MLCLOUD_DECL std::string complete_multipart_body(std::vector<std::pair<std::uint32_t, std::string>> const& parts);

/// What CompleteMultipartUpload answered: the object's ETag, or (inside a 200) an <Error>.
struct complete_outcome
{
    std::string etag;
    std::optional<service_error> failure;
};
MLCLOUD_DECL result<complete_outcome> parse_complete_multipart(std::string_view xml);

/// How a file is cut into parts.
struct part_plan
{
    std::uint64_t part_size = 0;
    std::uint32_t count = 0;
    std::uint64_t offset(std::uint32_t index) const noexcept { return part_size * index; }
    std::uint64_t length(std::uint32_t index, std::uint64_t total) const noexcept
    {
        auto start = offset(index);
        return std::min<std::uint64_t>(part_size, total - start);
    }
};

/// The preferred part size, raised (to a multiple of 1 MiB) when the file would need more
/// than `max_parts` parts, and kept within [min_part, max_part]. errc::payload_too_large when
/// even max_part-sized parts cannot hold the file.
MLCLOUD_DECL result<part_plan> plan_parts(std::uint64_t size, std::uint64_t preferred, std::uint64_t min_part,
                                          std::uint64_t max_part, std::uint32_t max_parts);

/// "bytes 0-9/100" -> {0, 9, 100}; "bytes */100" (an unsatisfiable range) -> total only.
struct content_range
{
    std::optional<std::uint64_t> first;
    std::optional<std::uint64_t> last;
    std::optional<std::uint64_t> total;
};
MLCLOUD_DECL std::optional<content_range> parse_content_range(std::string_view value);

/// An ETag without its quotes (and without a weak "W/" prefix).
MLCLOUD_DECL std::string unquote_etag(std::string_view etag);

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/s3_detail.ipp>
#endif

#endif
