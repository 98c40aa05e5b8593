//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Helpers shared by the unit_auth tests: temporary directories, files, fixed instants.
#ifndef MLCLOUD_TESTS_UNIT_AUTH_UTIL_HPP
#define MLCLOUD_TESTS_UNIT_AUTH_UTIL_HPP

#include <mlcloud/error.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

namespace auth_test {

/// A fresh directory under the system temporary directory, removed with its content.
class temp_dir
{
public:
    temp_dir()
    {
        std::random_device rd;
        auto const base = std::filesystem::temp_directory_path();
        for (int attempt = 0; attempt < 100; ++attempt)
        {
            auto candidate = base / ("mlcloud-auth-test-" + std::to_string(rd()) + std::to_string(rd()));
            if (std::filesystem::create_directory(candidate))
            {
                path_ = candidate;
                return;
            }
        }
        throw std::runtime_error("cannot create a temporary directory");
    }
    ~temp_dir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;

    std::filesystem::path const& path() const noexcept { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline void write_file(std::filesystem::path const& p, std::string_view content)
{
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out)
        throw std::runtime_error("cannot write " + p.string());
}

inline std::string read_file(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + p.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A UTC instant.
inline std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0)
{
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

} // namespace auth_test

// boost::system::result streams its value and error, and mlcloud::error has no operator<<:
// tell Catch how to show a result in a failed assertion instead.
template <class T>
struct Catch::StringMaker<boost::system::result<T, mlcloud::error>>
{
    static std::string convert(boost::system::result<T, mlcloud::error> const& r)
    {
        return r ? std::string("result{value}") : "result{error: " + r.error().what() + "}";
    }
};

#endif
