//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace mlcloud_trainer {
namespace {

std::string quoted(std::filesystem::path const& p)
{
    return "'" + p.string() + "'";
}

/// Closes a descriptor on every path out of a scope.
class file_descriptor
{
public:
    explicit file_descriptor(int fd) noexcept : fd_(fd) {}
    file_descriptor(file_descriptor const&) = delete;
    file_descriptor& operator=(file_descriptor const&) = delete;
    ~file_descriptor()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    /// Closes now, reporting the error close() may carry (delayed write errors on some file systems).
    int close() noexcept
    {
        int const rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

void write_all(int fd, std::string_view data)
{
    while (!data.empty())
    {
        auto const n = ::write(fd, data.data(), data.size());
        if (n < 0)
        {
            if (errno == EINTR)
                continue;
            throw std::system_error(errno, std::generic_category());
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void sync_directory(std::filesystem::path const& dir)
{
    // Makes the rename itself durable. Some file systems refuse fsync on a directory; the
    // rename has happened anyway, so that is not an error worth failing the run for.
    int const fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
    {
        (void)::fsync(fd);
        ::close(fd);
    }
}

} // namespace

std::string read_file(std::filesystem::path const& path, std::string_view what)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw failure(std::string(what) + " " + quoted(path) + " is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw failure("cannot open " + std::string(what) + " " + quoted(path) + ": " + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw failure("cannot read " + std::string(what) + " " + quoted(path));
    return std::move(buffer).str();
}

void write_file_atomically(std::filesystem::path const& path, std::string_view content)
{
    auto const parent = path.parent_path();
    std::error_code ec;
    if (!parent.empty())
    {
        std::filesystem::create_directories(parent, ec);
        if (ec)
            throw failure("cannot create directory " + quoted(parent) + ": " + ec.message());
    }

    auto temporary = path;
    temporary += ".tmp-" + std::to_string(::getpid());
    try
    {
        file_descriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (fd.get() < 0)
            throw std::system_error(errno, std::generic_category());
        write_all(fd.get(), content);
        if (::fsync(fd.get()) != 0 || fd.close() != 0)
            throw std::system_error(errno, std::generic_category());
        if (::rename(temporary.c_str(), path.c_str()) != 0)
            throw std::system_error(errno, std::generic_category());
    }
    catch (std::system_error const& e)
    {
        ::unlink(temporary.c_str());
        throw failure("cannot write " + quoted(path) + ": " + e.code().message());
    }
    sync_directory(parent);
}

std::filesystem::path model_file_path(std::string const& path)
{
    std::error_code ec;
    if ((!path.empty() && path.back() == '/') || std::filesystem::is_directory(path, ec))
        return std::filesystem::path(path) / "model.json";
    return path;
}

} // namespace mlcloud_trainer
