//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_DETAIL_FILES_HPP
#define MLCLOUD_LOCAL_DETAIL_FILES_HPP

// File machinery of the local backend: owned descriptors, OS errors as mlcloud errors,
// hashes, atomic replacement of files and the chunked copy behind upload and download.

#include <mlcloud/concepts.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

struct stat;
struct evp_md_ctx_st;

namespace mlcloud {
namespace local {
namespace detail {

/// Prefix of the temporary files an atomic write creates beside its destination; storage
/// listings never show names that start with it.
inline constexpr std::string_view temp_prefix = ".mlcloud-tmp-";

/// An owned file descriptor.
class unique_fd
{
public:
    unique_fd() noexcept = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& o) noexcept
    {
        if (this != &o)
            reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~unique_fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    MLCLOUD_DECL void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

/// "cannot <what> '<path>': <OS message>" with the provider set to "local".
MLCLOUD_DECL error os_error(errc code, std::string_view what, std::filesystem::path const& p, int err);

/// The same, choosing not_found for ENOENT/ENOTDIR and io_error otherwise.
MLCLOUD_DECL error file_error(std::string_view what, std::filesystem::path const& p, int err);

/// An error of the local backend, provider set.
MLCLOUD_DECL error local_error(errc code, std::string message);

/// Names the provider and the public operation in an error, as every operation reports them.
template <class T>
result<T> tagged(result<T> r, std::string_view operation)
{
    if (r.has_error())
    {
        error e = r.error();
        e.with_provider("local");
        if (e.operation.empty())
            e.with_operation(operation);
        return e;
    }
    return r;
}

/// `bytes` random bytes from OpenSSL, in lower-case hex.
MLCLOUD_DECL std::string random_hex(std::size_t bytes);

/// SHA-256 of `data` in lower-case hex.
MLCLOUD_DECL std::string sha256_hex(std::string_view data);

/// Incremental MD5 (the ETag of a single-part S3 object), through OpenSSL EVP.
class md5
{
public:
    MLCLOUD_DECL md5();
    MLCLOUD_DECL ~md5();
    md5(md5 const&) = delete;
    md5& operator=(md5 const&) = delete;

    MLCLOUD_DECL void update(void const* data, std::size_t n);
    /// Lower-case hex digest; call once.
    MLCLOUD_DECL std::string hex();

private:
    evp_md_ctx_st* ctx_;
};

/// Modification time of a stat result.
MLCLOUD_DECL std::chrono::system_clock::time_point modified_time(struct stat const& st);

/// Opens a file for reading; not_found / io_error with the OS message.
MLCLOUD_DECL result<unique_fd> open_for_reading(std::filesystem::path const& p);

/// Writes `content` to `p` atomically: temporary file in the same directory, fsync, rename.
MLCLOUD_DECL result<void> write_file_atomically(std::filesystem::path const& p, std::string_view content);

/// Reads a whole file of at most `max_bytes`.
MLCLOUD_DECL result<std::string> read_file(std::filesystem::path const& p, std::size_t max_bytes);

/// Creates `dir` and its parents; io_error with the OS message on failure.
MLCLOUD_DECL result<void> make_directories(std::filesystem::path const& dir);

/// A temporary file beside its destination that is unlinked unless committed, so a failed,
/// thrown-through or abandoned copy leaves nothing behind and the destination untouched.
class staged_file
{
public:
    /// Creates `.mlcloud-tmp-<name>-<random>` in the directory of `destination`.
    MLCLOUD_DECL static result<staged_file> create(std::filesystem::path destination);

    staged_file(staged_file&& o) noexcept
        : fd_(std::move(o.fd_)), temp_(std::exchange(o.temp_, {})), dest_(std::move(o.dest_))
    {
    }
    staged_file& operator=(staged_file&&) = delete;
    MLCLOUD_DECL ~staged_file();

    int fd() const noexcept { return fd_.get(); }
    std::filesystem::path const& temp_path() const noexcept { return temp_; }

    /// Writes all of `data`.
    MLCLOUD_DECL result<void> write(void const* data, std::size_t n);
    /// fsync, close, rename over the destination, fsync the directory.
    MLCLOUD_DECL result<void> commit();

private:
    staged_file(unique_fd fd, std::filesystem::path temp, std::filesystem::path dest)
        : fd_(std::move(fd)), temp_(std::move(temp)), dest_(std::move(dest))
    {
    }
    unique_fd fd_;
    std::filesystem::path temp_;
    std::filesystem::path dest_;
};

/// What a copy produced: the bytes copied and their MD5.
struct copy_summary
{
    std::uint64_t size = 0;
    std::string md5_hex;
};

/// Copies the open file `from` (of `total` bytes, 0 if unknown) to `to` atomically, in steps of
/// `chunk` bytes, reporting progress and yielding to `ex` between steps. A progress callback
/// that throws cancels the copy (errc::cancelled).
MLCLOUD_DECL task<copy_summary> copy_atomically(boost::asio::any_io_executor ex, int from, std::uint64_t total,
                                                std::filesystem::path const& from_name,
                                                std::filesystem::path const& to, std::size_t chunk,
                                                progress_callback const& on_progress);

/// MD5 of an open file, read in steps of `chunk` bytes, yielding between steps.
MLCLOUD_DECL task<std::string> md5_of(boost::asio::any_io_executor ex, int fd,
                                      std::filesystem::path const& name, std::size_t chunk);

/// Yields to the executor: lets other coroutines run between two steps of a long operation.
MLCLOUD_DECL boost::asio::awaitable<void> yield(boost::asio::any_io_executor ex);

} // namespace detail
} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/files.ipp>
#endif

#endif
