//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_FILES_IPP
#define MLCLOUD_AWS_IMPL_FILES_IPP

#include <mlcloud/aws/detail/files.hpp>
#include <mlcloud/auth/sigv4.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace mlcloud::aws::detail {
namespace files_impl {

struct file_closer
{
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

inline error io_error(std::string_view what, std::filesystem::path const& p, int err)
{
    return error(errc::io_error, std::string(what) + " " + p.string() + ": " + std::strerror(err));
}

} // namespace files_impl

MLCLOUD_DECL result<std::string> hash_file_range(std::filesystem::path const& path, std::uint64_t offset,
                                                 std::optional<std::uint64_t> length)
{
    files_impl::file_ptr f(std::fopen(path.c_str(), "rb"));
    if (!f)
        return files_impl::io_error("cannot read", path, errno);
    if (fseeko(f.get(), static_cast<off_t>(offset), SEEK_SET) != 0)
        return files_impl::io_error("cannot seek in", path, errno);
    auth::sigv4::payload_hasher hasher;
    std::vector<char> buffer(64 * 1024);
    std::uint64_t left = length.value_or(UINT64_MAX);
    while (left > 0)
    {
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
        std::size_t got = std::fread(buffer.data(), 1, want, f.get());
        if (got > 0)
            hasher.update(buffer.data(), got);
        left -= got;
        if (got < want)
        {
            if (std::ferror(f.get()))
                return files_impl::io_error("cannot read", path, errno);
            if (length)
                return error(errc::io_error, path.string() + " is shorter than expected (did it change during the upload?)");
            break;
        }
    }
    return hasher.finish();
}

MLCLOUD_DECL result<void> append_to_file(std::filesystem::path const& path, std::string_view bytes)
{
    files_impl::file_ptr f(std::fopen(path.c_str(), "ab"));
    if (!f)
        return files_impl::io_error("cannot write", path, errno);
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
        return files_impl::io_error("cannot write", path, errno);
    if (std::fflush(f.get()) != 0)
        return files_impl::io_error("cannot write", path, errno);
    return {};
}

MLCLOUD_DECL result<std::string> read_small_file(std::filesystem::path const& path, std::uint64_t max_size)
{
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (ec)
        return error(ec == std::errc::no_such_file_or_directory ? errc::not_found : errc::io_error,
                     "cannot read " + path.string() + ": " + ec.message());
    if (size > max_size)
        return error(errc::io_error, path.string() + " is larger than expected");
    files_impl::file_ptr f(std::fopen(path.c_str(), "rb"));
    if (!f)
        return files_impl::io_error("cannot read", path, errno);
    std::string out(static_cast<std::size_t>(size), '\0');
    if (size > 0 && std::fread(out.data(), 1, out.size(), f.get()) != out.size())
        return files_impl::io_error("cannot read", path, errno);
    return out;
}

MLCLOUD_DECL result<void> write_file_atomically(std::filesystem::path const& path, std::string_view bytes)
{
    auto temp = path;
    temp += ".mlcloud-tmp";
    {
        files_impl::file_ptr f(std::fopen(temp.c_str(), "wb"));
        if (!f)
            return files_impl::io_error("cannot write", temp, errno);
        if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size())
            return files_impl::io_error("cannot write", temp, errno);
        if (std::fflush(f.get()) != 0)
            return files_impl::io_error("cannot write", temp, errno);
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec)
    {
        std::filesystem::remove(temp, ec);
        return error(errc::io_error, "cannot write " + path.string());
    }
    return {};
}

} // namespace mlcloud::aws::detail

#endif
