//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_FILES_IPP
#define MLCLOUD_LOCAL_IMPL_FILES_IPP

#include <mlcloud/local/detail/files.hpp>

#include <mlcloud/auth/detail/crypto.hpp>
#include <mlcloud/detail/permissions.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <exception>
#include <random>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mlcloud {
namespace local {
namespace detail {

MLCLOUD_DECL void unique_fd::reset(int fd) noexcept
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = fd;
}

MLCLOUD_DECL error os_error(errc code, std::string_view what, std::filesystem::path const& p, int err)
{
    return local_error(code, "cannot " + std::string(what) + " '" + p.string() + "': " +
                                 std::generic_category().message(err));
}

MLCLOUD_DECL error local_error(errc code, std::string message)
{
    error e(code, std::move(message));
    e.with_provider("local");
    return e;
}

MLCLOUD_DECL error file_error(std::string_view what, std::filesystem::path const& p, int err)
{
    return os_error(err == ENOENT || err == ENOTDIR ? errc::not_found : errc::io_error, what, p, err);
}

// Retries a system call interrupted by a signal.
template <class F>
auto retry_on_eintr(F f)
{
    for (;;)
    {
        auto r = f();
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

MLCLOUD_DECL std::string random_hex(std::size_t bytes)
{
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
    {
        // Only when OpenSSL cannot seed itself; these names need uniqueness, not secrecy.
        std::random_device rd;
        for (auto& b : buf)
            b = static_cast<unsigned char>(rd());
    }
    std::string out;
    auth::detail::append_hex(out, buf.data(), buf.size());
    return out;
}

MLCLOUD_DECL std::string sha256_hex(std::string_view data)
{
    return auth::detail::to_hex(auth::detail::sha256(data));
}

MLCLOUD_DECL md5::md5() : ctx_(EVP_MD_CTX_new())
{
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr) != 1)
    {
        EVP_MD_CTX_free(ctx_);
        throw std::runtime_error("MD5 is not available in this OpenSSL configuration");
    }
}

MLCLOUD_DECL md5::~md5() { EVP_MD_CTX_free(ctx_); }

MLCLOUD_DECL void md5::update(void const* data, std::size_t n) { EVP_DigestUpdate(ctx_, data, n); }

MLCLOUD_DECL std::string md5::hex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, digest, &n);
    std::string out;
    auth::detail::append_hex(out, digest, n);
    return out;
}

MLCLOUD_DECL std::chrono::system_clock::time_point modified_time(struct stat const& st)
{
    auto since_epoch = std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch));
}

MLCLOUD_DECL result<unique_fd> open_for_reading(std::filesystem::path const& p)
{
    unique_fd fd(retry_on_eintr([&] { return ::open(p.c_str(), O_RDONLY | O_CLOEXEC); }));
    if (!fd)
        return file_error("open", p, errno);
    return fd;
}

MLCLOUD_DECL result<void> make_directories(std::filesystem::path const& dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return os_error(errc::io_error, "create directory", dir, ec.value());
    return {};
}

MLCLOUD_DECL result<staged_file> staged_file::create(std::filesystem::path destination)
{
    auto dir = destination.parent_path();
    for (int attempt = 0;; ++attempt)
    {
        // At most 100 bytes of the name, so prefix and suffix cannot push it over NAME_MAX.
        auto name = destination.filename().string().substr(0, 100);
        auto temp = dir / (std::string(temp_prefix) + name + "-" + random_hex(6));
        int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
        {
            mlcloud::detail::keep_permissions(destination, temp);
            return staged_file(unique_fd(fd), std::move(temp), std::move(destination));
        }
        if (errno != EEXIST || attempt == 8)
            return os_error(errc::io_error, "create a temporary file in", dir, errno);
    }
}

MLCLOUD_DECL staged_file::~staged_file()
{
    if (!temp_.empty())
    {
        fd_.reset();
        ::unlink(temp_.c_str());
    }
}

MLCLOUD_DECL result<void> staged_file::write(void const* data, std::size_t n)
{
    auto p = static_cast<char const*>(data);
    while (n > 0)
    {
        auto w = retry_on_eintr([&] { return ::write(fd_.get(), p, n); });
        if (w < 0)
            return os_error(errc::io_error, "write", temp_, errno);
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return {};
}

MLCLOUD_DECL result<void> staged_file::commit()
{
    if (::fsync(fd_.get()) != 0)
        return os_error(errc::io_error, "flush", temp_, errno);
    if (::close(fd_.release()) != 0)
        return os_error(errc::io_error, "close", temp_, errno);
    if (::rename(temp_.c_str(), dest_.c_str()) != 0)
        return os_error(errc::io_error, "replace", dest_, errno);
    temp_.clear();
    // Make the rename itself durable; a failure here loses nothing already visible.
    unique_fd dir(::open(dest_.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir)
        ::fsync(dir.get());
    return {};
}

MLCLOUD_DECL result<void> write_file_atomically(std::filesystem::path const& p, std::string_view content)
{
    auto staged = staged_file::create(p);
    if (!staged)
        return staged.error();
    if (auto w = staged->write(content.data(), content.size()); !w)
        return w.error();
    return staged->commit();
}

MLCLOUD_DECL result<std::string> read_file(std::filesystem::path const& p, std::size_t max_bytes)
{
    auto fd = open_for_reading(p);
    if (!fd)
        return fd.error();
    std::string out;
    char buf[16 * 1024];
    for (;;)
    {
        auto n = retry_on_eintr([&] { return ::read(fd->get(), buf, sizeof buf); });
        if (n < 0)
            return os_error(errc::io_error, "read", p, errno);
        if (n == 0)
            return out;
        if (out.size() + static_cast<std::size_t>(n) > max_bytes)
        {
            return local_error(errc::payload_too_large,
                               "'" + p.string() + "' is larger than " + std::to_string(max_bytes) + " bytes");
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

MLCLOUD_DECL boost::asio::awaitable<void> yield(boost::asio::any_io_executor ex)
{
    co_await boost::asio::post(ex, boost::asio::use_awaitable);
}

// Calls the user's progress callback; an exception from it cancels the transfer.
inline result<void> report_progress(progress_callback const& on_progress, std::uint64_t done, std::uint64_t total)
{
    if (!on_progress)
        return {};
    try
    {
        on_progress(done, total);
        return {};
    }
    catch (std::exception const& e)
    {
        return local_error(errc::cancelled, std::string("the progress callback stopped the transfer: ") + e.what());
    }
    catch (...)
    {
        return local_error(errc::cancelled, "the progress callback stopped the transfer");
    }
}

MLCLOUD_DECL task<copy_summary> copy_atomically(boost::asio::any_io_executor ex, int from, std::uint64_t total,
                                                std::filesystem::path const& from_name,
                                                std::filesystem::path const& to, std::size_t chunk,
                                                progress_callback const& on_progress)
{
    auto staged = staged_file::create(to);
    if (!staged)
        co_return staged.error();

    copy_summary out;
    md5 hash;
    std::vector<char> buf(chunk == 0 ? 1 : chunk);
    if (auto r = report_progress(on_progress, 0, total); !r)
        co_return r.error();
    for (;;)
    {
        auto n = retry_on_eintr([&] { return ::read(from, buf.data(), buf.size()); });
        if (n < 0)
            co_return os_error(errc::io_error, "read", from_name, errno);
        if (n == 0)
            break;
        auto bytes = static_cast<std::size_t>(n);
        hash.update(buf.data(), bytes);
        if (auto w = staged->write(buf.data(), bytes); !w)
            co_return w.error();
        out.size += bytes;
        if (auto r = report_progress(on_progress, out.size, total); !r)
            co_return r.error();
        co_await yield(ex);
    }
    if (auto c = staged->commit(); !c)
        co_return c.error();
    out.md5_hex = hash.hex();
    co_return out;
}

MLCLOUD_DECL task<std::string> md5_of(boost::asio::any_io_executor ex, int fd, std::filesystem::path const& name,
                                      std::size_t chunk)
{
    md5 hash;
    std::vector<char> buf(chunk == 0 ? 1 : chunk);
    for (;;)
    {
        auto n = retry_on_eintr([&] { return ::read(fd, buf.data(), buf.size()); });
        if (n < 0)
            co_return os_error(errc::io_error, "read", name, errno);
        if (n == 0)
            co_return hash.hex();
        hash.update(buf.data(), static_cast<std::size_t>(n));
        co_await yield(ex);
    }
}

} // namespace detail
} // namespace local
} // namespace mlcloud

#endif
