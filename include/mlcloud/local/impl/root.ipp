//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_ROOT_IPP
#define MLCLOUD_LOCAL_IMPL_ROOT_IPP

#include <mlcloud/local/detail/files.hpp>
#include <mlcloud/local/detail/root.hpp>

#include <algorithm>
#include <optional>
#include <system_error>
#include <vector>

namespace mlcloud {
namespace local {
namespace detail {

inline std::filesystem::path absolute_normal(std::filesystem::path const& p)
{
    return p.empty() ? p : std::filesystem::absolute(p).lexically_normal();
}

MLCLOUD_DECL options resolve(options o)
{
    if (o.root.empty())
        o.root = default_root();
    o.root = absolute_normal(o.root);
    if (o.state_dir.empty() && !o.root.empty())
        o.state_dir = o.root / reserved_dir / "jobs";
    o.state_dir = absolute_normal(o.state_dir);
    o.working_directory = absolute_normal(o.working_directory);
    return o;
}

MLCLOUD_DECL result<std::filesystem::path> open_root(std::filesystem::path const& root)
{
    if (root.empty())
        return local_error(errc::invalid_argument,
                      "no storage root: set local::options::root or $MLCLOUD_HOME (and $HOME is not set)");
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    if (!ec)
    {
        auto canonical = std::filesystem::canonical(root, ec);
        if (!ec)
            return canonical;
    }
    return local_error(errc::io_error, "cannot open the storage root '" + root.string() + "': " + ec.message());
}

MLCLOUD_DECL bool is_within(std::filesystem::path const& p, std::filesystem::path const& root)
{
    auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
    return r == root.end();
}

// A key as error messages show it: quoted, at most 200 bytes, so a message stays one line.
inline std::string shown_key(std::string_view text)
{
    std::string out = "'" + std::string(text.substr(0, 200)) + (text.size() > 200 ? "...'" : "'");
    std::replace_if(out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\0'; }, '?');
    return out;
}

MLCLOUD_DECL result<void> check_confined(std::filesystem::path const& p, std::filesystem::path const& root,
                                         std::string_view shown)
{
    std::error_code ec;
    auto real = std::filesystem::weakly_canonical(p, ec);
    if (ec)
        return local_error(errc::io_error, "cannot resolve " + shown_key(shown) + ": " + ec.message());
    if (!is_within(real, root) || *real.lexically_relative(root).begin() == reserved_dir)
        return local_error(errc::forbidden, shown_key(shown) + " leads outside the storage root through a symbolic link");
    return {};
}

// The segments of a '/'-separated path without empty and "." segments; nullopt when one is "..".
inline std::optional<std::vector<std::string>> segments_of(std::string_view text)
{
    std::vector<std::string> out;
    while (!text.empty())
    {
        auto slash = text.find('/');
        auto seg = text.substr(0, slash);
        text = slash == std::string_view::npos ? std::string_view{} : text.substr(slash + 1);
        if (seg == "..")
            return std::nullopt;
        if (!seg.empty() && seg != ".")
            out.emplace_back(seg);
    }
    return out;
}

inline std::string join(std::vector<std::string> const& segs, std::size_t from)
{
    std::string out;
    for (auto i = from; i < segs.size(); ++i)
        out += (out.empty() ? "" : "/") + segs[i];
    return out;
}

// An absolute path as a key below `root`: spelled with the root's own path, or with a path
// that resolves to it through symbolic links (e.g. /tmp -> /private/tmp).
inline result<std::string> key_of_absolute(std::filesystem::path const& root, std::vector<std::string> const& segs,
                                           std::string_view text)
{
    auto root_segs = *segments_of(root.string());
    if (segs.size() >= root_segs.size() && std::equal(root_segs.begin(), root_segs.end(), segs.begin()))
        return join(segs, root_segs.size());

    std::error_code ec;
    auto real = std::filesystem::weakly_canonical(std::filesystem::path("/") / join(segs, 0), ec);
    if (!ec && is_within(real, root))
        return real.lexically_relative(root).generic_string();
    return local_error(errc::forbidden, shown_key(text) + " is outside the storage root '" + root.string() + "'");
}

MLCLOUD_DECL result<location> locate(std::filesystem::path const& root, storage_uri const& uri, key_use use)
{
    if (!uri.is_local())
        return local_error(errc::invalid_argument,
                           "the local backend only stores files below its root and cannot reach " + shown_key(uri.str()) +
                               " (" + (uri.is_s3() ? "s3" : "runpod") + ":// belongs to another backend)");
    std::string_view text = uri.key;
    if (text.find('\0') != std::string_view::npos)
        return local_error(errc::invalid_argument, "the key " + shown_key(text) + " contains a NUL byte");
    auto segs = segments_of(text);
    if (!segs)
        return local_error(errc::invalid_argument,
                           "the key " + shown_key(text) + " contains '..': keys must stay below the storage root");

    std::string key;
    if (!text.empty() && text.front() == '/')
    {
        auto k = key_of_absolute(root, *segs, text);
        if (!k)
            return k.error();
        key = std::move(*k);
    }
    else
        key = join(*segs, 0);

    if (use == key_use::object && key.empty())
        return local_error(errc::invalid_argument, shown_key(text) + " names the storage root itself, not an object");
    if (use == key_use::object && text.back() == '/')
        return local_error(errc::invalid_argument, "the key " + shown_key(text) + " ends with '/' (a directory)");
    if (use == key_use::prefix && !key.empty() && text.back() == '/')
        key += '/';

    for (auto const& seg : *segs)
        if (seg.starts_with(temp_prefix))
            return local_error(errc::forbidden, shown_key(text) + " uses the prefix '" + std::string(temp_prefix) +
                                                    "', which is reserved for copies in progress");
    if (key == reserved_dir || key.starts_with(std::string(reserved_dir) + "/"))
        return local_error(errc::forbidden, shown_key(key) + " is inside '" + std::string(reserved_dir) +
                                                "/', which is reserved for job state");
    if (auto r = check_confined(root / key, root, key); !r)
        return r.error();
    return location{key, root / key};
}

MLCLOUD_DECL result<location> locate_for_process(std::filesystem::path const& root, storage_uri const& uri,
                                                 std::string_view role)
{
    if (!uri.is_local())
        return local_error(errc::not_supported,
                           "the local backend cannot use " + uri.str() + " as the " + std::string(role) +
                               ": copy it to local storage first (download it, then give its local key)");
    return locate(root, uri, key_use::object);
}

} // namespace detail
} // namespace local
} // namespace mlcloud

#endif
