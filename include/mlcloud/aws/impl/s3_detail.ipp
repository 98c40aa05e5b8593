//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_S3_DETAIL_IPP
#define MLCLOUD_AWS_IMPL_S3_DETAIL_IPP

#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/aws/detail/s3.hpp>
#include <mlcloud/aws/detail/xml.hpp>

#include <charconv>

namespace mlcloud::aws::detail {
namespace s3_impl {

inline std::optional<std::uint64_t> to_u64(std::string_view s)
{
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

inline result<std::string> decode_listing_text(std::string text, bool url_encoded)
{
    if (!url_encoded)
        return text;
    for (auto& c : text)
        if (c == '+')
            c = ' ';
    return net::percent_decode(text);
}

} // namespace s3_impl

MLCLOUD_DECL bool is_virtual_host_bucket(std::string_view bucket) noexcept
{
    if (bucket.size() < 3 || bucket.size() > 63)
        return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(bucket.front()) || !alnum(bucket.back()))
        return false;
    for (char c : bucket)
        if (!alnum(c) && c != '-')
            return false;
    return true;
}

MLCLOUD_DECL result<std::string> object_url(std::string_view endpoint, std::string_view bucket, std::string_view key,
                                            bool path_style, net::query_params const& query)
{
    auto url = net::parse_url(endpoint);
    if (!url)
        return url.error();
    std::string base_path = url->target;
    if (auto q = base_path.find('?'); q != std::string::npos)
        base_path.resize(q);
    while (!base_path.empty() && base_path.back() == '/')
        base_path.pop_back();
    std::string host = url->authority();
    std::string path = base_path;
    if (path_style)
    {
        path += "/" + net::encode_path_segment(bucket);
        if (!key.empty())
            path += "/" + net::encode_path(key);
    }
    else
    {
        host = std::string(bucket) + "." + host;
        path += "/" + net::encode_path(key);
    }
    if (path.empty())
        path = "/";
    std::string out = url->scheme + "://" + host + path;
    char sep = '?';
    for (auto const& [name, value] : query)
    {
        out += sep;
        sep = '&';
        out += net::encode_query_value(name);
        out += '=';
        out += net::encode_query_value(value);
    }
    return out;
}

MLCLOUD_DECL result<list_page> parse_list_objects_v2(std::string_view body, bool url_encoded)
{
    auto doc = xml::parse(body, "ListObjectsV2");
    if (!doc)
        return doc.error();
    auto const* root = xml::child(*doc, "ListBucketResult");
    if (!root)
        return error(errc::protocol_error, "ListObjectsV2: the answer has no <ListBucketResult>");
    list_page page;
    page.truncated = xml::text(*root, "IsTruncated") == "true";
    page.next_token = xml::text(*root, "NextContinuationToken");
    std::optional<error> failure;
    xml::for_each(*root, "Contents", [&](xml::tree const& c) {
        listed_object o;
        auto key = s3_impl::decode_listing_text(xml::text(c, "Key"), url_encoded);
        if (!key)
        {
            failure = error(errc::protocol_error, "ListObjectsV2: a key is not validly URL-encoded");
            return;
        }
        o.key = std::move(*key);
        auto size = s3_impl::to_u64(xml::text(c, "Size"));
        if (!size)
        {
            failure = error(errc::protocol_error, "ListObjectsV2: an object has no valid <Size>");
            return;
        }
        o.size = *size;
        o.etag = unquote_etag(xml::text(c, "ETag"));
        if (auto t = parse_iso8601(xml::text(c, "LastModified")))
            o.last_modified = *t;
        o.storage_class = xml::text(c, "StorageClass");
        page.objects.push_back(std::move(o));
    });
    xml::for_each(*root, "CommonPrefixes", [&](xml::tree const& c) {
        auto p = s3_impl::decode_listing_text(xml::text(c, "Prefix"), url_encoded);
        if (p)
            page.common_prefixes.push_back(std::move(*p));
    });
    if (failure)
        return *failure;
    return page;
}

MLCLOUD_DECL result<std::string> parse_initiate_multipart(std::string_view body)
{
    auto doc = xml::parse(body, "CreateMultipartUpload");
    if (!doc)
        return doc.error();
    auto const* root = xml::child(*doc, "InitiateMultipartUploadResult");
    std::string id = root ? xml::text(*root, "UploadId") : std::string();
    if (id.empty())
        return error(errc::protocol_error, "CreateMultipartUpload: the answer has no <UploadId>");
    return id;
}

MLCLOUD_DECL std::string complete_multipart_body(std::vector<std::pair<std::uint32_t, std::string>> const& parts)
{
    // ETags are hex digits in quotes; escape the quotes for XML all the same.
    auto escape = [](std::string_view s) {
        std::string out;
        for (char c : s)
        {
            switch (c)
            {
            case '"': out += "&quot;"; break;
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            default: out += c;
            }
        }
        return out;
    };
    std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
    for (auto const& [number, etag] : parts)
        out += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + escape(etag) + "</ETag></Part>";
    out += "</CompleteMultipartUpload>";
    return out;
}

MLCLOUD_DECL result<complete_outcome> parse_complete_multipart(std::string_view body)
{
    // The root is CompleteMultipartUploadResult on AWS (moto: ...Response); S3 may also send
    // an <Error> inside a 200 after it has started answering.
    if (auto e = parse_xml_error(body))
        return complete_outcome{{}, std::move(*e)};
    auto doc = xml::parse(body, "CompleteMultipartUpload");
    if (!doc)
        return doc.error();
    for (auto const& [name, node] : *doc)
    {
        auto etag = xml::text(node, "ETag");
        if (!etag.empty())
            return complete_outcome{unquote_etag(etag), std::nullopt};
    }
    return error(errc::protocol_error, "CompleteMultipartUpload: the answer has neither an <ETag> nor an <Error>");
}

MLCLOUD_DECL result<part_plan> plan_parts(std::uint64_t size, std::uint64_t preferred, std::uint64_t min_part,
                                          std::uint64_t max_part, std::uint32_t max_parts)
{
    constexpr std::uint64_t mib = 1024 * 1024;
    std::uint64_t part = std::clamp(preferred, min_part, max_part);
    if (max_parts == 0)
        return error(errc::invalid_argument, "the part limit is zero");
    std::uint64_t needed = (size + max_parts - 1) / max_parts;
    if (part < needed)
        part = ((needed + mib - 1) / mib) * mib;
    if (part > max_part)
        return error(errc::payload_too_large, "the file is too large: " + std::to_string(max_parts) + " parts of at most " +
                                                  std::to_string(max_part) + " bytes cannot hold " +
                                                  std::to_string(size) + " bytes");
    part_plan plan;
    plan.part_size = part;
    plan.count = static_cast<std::uint32_t>(size == 0 ? 1 : (size + part - 1) / part);
    return plan;
}

MLCLOUD_DECL std::optional<content_range> parse_content_range(std::string_view value)
{
    constexpr std::string_view unit = "bytes ";
    if (!value.starts_with(unit))
        return std::nullopt;
    value.remove_prefix(unit.size());
    auto slash = value.find('/');
    if (slash == std::string_view::npos)
        return std::nullopt;
    content_range r;
    auto range = value.substr(0, slash);
    auto total = value.substr(slash + 1);
    if (total != "*")
    {
        r.total = s3_impl::to_u64(total);
        if (!r.total)
            return std::nullopt;
    }
    if (range != "*")
    {
        auto dash = range.find('-');
        if (dash == std::string_view::npos)
            return std::nullopt;
        r.first = s3_impl::to_u64(range.substr(0, dash));
        r.last = s3_impl::to_u64(range.substr(dash + 1));
        if (!r.first || !r.last || *r.last < *r.first)
            return std::nullopt;
    }
    return r;
}

MLCLOUD_DECL std::string unquote_etag(std::string_view etag)
{
    if (etag.starts_with("W/"))
        etag.remove_prefix(2);
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
        etag = etag.substr(1, etag.size() - 2);
    return std::string(etag);
}

} // namespace mlcloud::aws::detail

#endif
