//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_STORAGE_IPP
#define MLCLOUD_LOCAL_IMPL_STORAGE_IPP

#include <mlcloud/local/storage.hpp>

#include <mlcloud/local/detail/files.hpp>
#include <mlcloud/local/detail/root.hpp>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

#include <sys/stat.h>
#include <unistd.h>

namespace mlcloud {
namespace local {
namespace detail {

inline result<location> locate_object(options const& opts, storage_uri const& uri)
{
    auto root = open_root(opts.root);
    if (!root)
        return root.error();
    return locate(*root, uri, key_use::object);
}

inline result<struct stat> stat_of(int fd, std::filesystem::path const& name)
{
    struct stat st{};
    if (::fstat(fd, &st) != 0)
        return os_error(errc::io_error, "inspect", name, errno);
    return st;
}

// Opens an object for reading: it must exist and be a regular file.
inline result<unique_fd> open_object(location const& loc)
{
    auto fd = open_for_reading(loc.path);
    if (!fd)
    {
        if (fd.error().is(errc::not_found))
            return local_error(errc::not_found, "no object '" + loc.key + "' in local storage");
        return fd.error();
    }
    auto st = stat_of(fd->get(), loc.path);
    if (!st)
        return st.error();
    if (!S_ISREG(st->st_mode))
        return local_error(errc::not_found, "'" + loc.key + "' is a directory, not an object");
    return fd;
}

inline object_info describe(std::string key, struct stat const& st, std::string etag)
{
    return object_info{
        .uri = storage_uri::local(std::move(key)),
        .size = static_cast<std::uint64_t>(st.st_size),
        .etag = std::move(etag),
        .last_modified = modified_time(st),
    };
}

// The destination of a copy must not be a directory.
inline result<void> check_not_directory(std::filesystem::path const& p, std::string_view shown)
{
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec))
        return local_error(errc::conflict, "'" + std::string(shown) + "' is a directory");
    return {};
}

inline task<object_info> upload(boost::asio::any_io_executor ex, options const& opts, std::filesystem::path const& from,
                                storage_uri const& to, transfer_options const& topts)
{
    auto dest = locate_object(opts, to);
    if (!dest)
        co_return dest.error();
    auto src = open_for_reading(from);
    if (!src)
        co_return src.error();
    auto src_stat = stat_of(src->get(), from);
    if (!src_stat)
        co_return src_stat.error();
    if (S_ISDIR(src_stat->st_mode))
        co_return os_error(errc::io_error, "read", from, EISDIR);
    if (auto r = check_not_directory(dest->path, dest->key); !r)
        co_return r.error();
    if (auto r = make_directories(dest->path.parent_path()); !r)
        co_return r.error();

    auto copied = co_await copy_atomically(ex, src->get(), static_cast<std::uint64_t>(src_stat->st_size), from,
                                           dest->path, opts.copy_chunk_bytes, topts.on_progress);
    if (!copied)
        co_return copied.error();
    struct stat st{};
    if (::stat(dest->path.c_str(), &st) != 0)
        co_return os_error(errc::io_error, "inspect", dest->path, errno);
    co_return describe(dest->key, st, std::move(copied->md5_hex));
}

inline task<object_info> download(boost::asio::any_io_executor ex, options const& opts, storage_uri const& from,
                                  std::filesystem::path const& to, transfer_options const& topts)
{
    auto src = locate_object(opts, from);
    if (!src)
        co_return src.error();
    auto fd = open_object(*src);
    if (!fd)
        co_return fd.error();
    auto st = stat_of(fd->get(), src->path);
    if (!st)
        co_return st.error();
    if (to.empty())
        co_return local_error(errc::invalid_argument, "the download destination is empty");
    auto dest = std::filesystem::absolute(to);
    if (auto r = check_not_directory(dest, to.string()); !r)
        co_return r.error();
    if (auto r = make_directories(dest.parent_path()); !r)
        co_return r.error();

    auto copied = co_await copy_atomically(ex, fd->get(), static_cast<std::uint64_t>(st->st_size), src->path, dest,
                                           opts.copy_chunk_bytes, topts.on_progress);
    if (!copied)
        co_return copied.error();
    st->st_size = static_cast<off_t>(copied->size);
    co_return describe(src->key, *st, std::move(copied->md5_hex));
}

// The keys below `root` that start with `prefix`, sorted. Walks only the directory the prefix
// points into; skips the reserved directory, temporary files of copies in progress, and symbolic
// links that lead outside the root.
inline result<std::vector<std::pair<std::string, std::filesystem::path>>> matching_files(
    std::filesystem::path const& root, std::string const& prefix)
{
    namespace fs = std::filesystem;
    std::vector<std::pair<std::string, fs::path>> found;
    auto slash = prefix.rfind('/');
    auto walk = root / (slash == std::string::npos ? std::string() : prefix.substr(0, slash + 1));

    std::error_code ec;
    if (!fs::is_directory(walk, ec))
        return found;
    fs::recursive_directory_iterator it(walk, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    {
        auto const& entry = *it;
        auto key = entry.path().lexically_relative(root).generic_string();
        auto name = entry.path().filename().string();
        std::error_code ignored; // an entry that vanishes or cannot be inspected is not listed
        bool is_link = entry.is_symlink(ignored);
        bool is_dir = !is_link && entry.is_directory(ignored);
        bool skip = !key.starts_with(prefix) || name.starts_with(temp_prefix) ||
                    key == reserved_dir;
        if (skip)
        {
            // Nothing below a directory that does not match can match: the prefix ends in the
            // part of the key this directory's name occupies.
            if (is_dir)
                it.disable_recursion_pending();
            continue;
        }
        if (is_dir || !entry.is_regular_file(ignored))
            continue;
        if (is_link && !check_confined(entry.path(), root, key))
            continue;
        found.emplace_back(std::move(key), entry.path());
    }
    if (ec)
        return os_error(errc::io_error, "list", walk, ec.value());
    std::sort(found.begin(), found.end());
    return found;
}

inline task<std::vector<object_info>> list(boost::asio::any_io_executor ex, options const& opts,
                                           storage_uri const& prefix)
{
    auto root = open_root(opts.root);
    if (!root)
        co_return root.error();
    auto loc = locate(*root, prefix, key_use::prefix);
    if (!loc)
        co_return loc.error();
    auto files = matching_files(*root, loc->key);
    if (!files)
        co_return files.error();

    std::vector<object_info> out;
    out.reserve(files->size());
    for (auto& [key, path] : *files)
    {
        auto fd = open_for_reading(path);
        if (!fd && fd.error().is(errc::not_found))
            continue; // removed while we were listing
        if (!fd)
            co_return fd.error();
        auto st = stat_of(fd->get(), path);
        if (!st)
            co_return st.error();
        auto etag = co_await md5_of(ex, fd->get(), path, opts.copy_chunk_bytes);
        if (!etag)
            co_return etag.error();
        out.push_back(describe(std::move(key), *st, std::move(*etag)));
    }
    co_return out;
}

inline result<bool> exists(options const& opts, storage_uri const& uri)
{
    auto loc = locate_object(opts, uri);
    if (!loc)
        return loc.error();
    struct stat st{};
    if (::stat(loc->path.c_str(), &st) == 0)
        return S_ISREG(st.st_mode);
    if (errno == ENOENT || errno == ENOTDIR)
        return false;
    return os_error(errc::io_error, "inspect", loc->path, errno);
}

inline result<void> remove(options const& opts, storage_uri const& uri)
{
    auto loc = locate_object(opts, uri);
    if (!loc)
        return loc.error();
    if (::unlink(loc->path.c_str()) == 0 || errno == ENOENT || errno == ENOTDIR)
        return {};
    if (errno == EISDIR || errno == EPERM)
    {
        std::error_code ec;
        if (std::filesystem::is_directory(loc->path, ec))
            return local_error(errc::conflict,
                               "'" + loc->key + "' is a directory; remove deletes one object at a time");
    }
    return os_error(errc::io_error, "remove", loc->path, errno);
}

} // namespace detail

MLCLOUD_DECL storage::storage(boost::asio::any_io_executor ex, options const& opts)
    : ex_(std::move(ex)), opts_(detail::resolve(opts))
{
}

MLCLOUD_DECL task<object_info> storage::upload(std::filesystem::path const& from, storage_uri const& to,
                                               transfer_options const& opts)
{
    co_return detail::tagged(co_await detail::upload(ex_, opts_, from, to, opts), "upload");
}

MLCLOUD_DECL task<object_info> storage::download(storage_uri const& from, std::filesystem::path const& to,
                                                 transfer_options const& opts)
{
    co_return detail::tagged(co_await detail::download(ex_, opts_, from, to, opts), "download");
}

MLCLOUD_DECL task<std::vector<object_info>> storage::list(storage_uri const& prefix)
{
    co_return detail::tagged(co_await detail::list(ex_, opts_, prefix), "list");
}

MLCLOUD_DECL task<bool> storage::exists(storage_uri const& uri)
{
    co_return detail::tagged(detail::exists(opts_, uri), "exists");
}

MLCLOUD_DECL task<void> storage::remove(storage_uri const& uri)
{
    co_return detail::tagged(detail::remove(opts_, uri), "remove");
}

MLCLOUD_DECL result<std::filesystem::path> storage::path_of(storage_uri const& uri) const
{
    auto loc = detail::tagged(detail::locate_object(opts_, uri), "path_of");
    if (!loc)
        return loc.error();
    return std::move(loc->path);
}

MLCLOUD_DECL result<std::string> storage::key_of(storage_uri const& uri) const
{
    auto root = detail::open_root(opts_.root);
    if (!root)
        return detail::tagged(result<std::string>(root.error()), "key_of");
    auto loc = detail::locate(*root, uri, detail::key_use::prefix);
    if (!loc)
        return detail::tagged(result<std::string>(loc.error()), "key_of");
    return std::move(loc->key);
}

} // namespace local
} // namespace mlcloud

#endif
