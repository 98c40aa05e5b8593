//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "local_test.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>
#include <vector>

#include <unistd.h>

using namespace local_test;
using mlcloud::errc;
using mlcloud::storage_uri;
namespace local = mlcloud::local;

namespace {

std::vector<std::string> keys_of(std::vector<mlcloud::object_info> const& objects)
{
    std::vector<std::string> keys;
    for (auto const& o : objects)
        keys.push_back(o.uri.key);
    return keys;
}

// Names in a directory (not recursive), to see temporary files that list() would hide.
std::vector<std::string> names_in(fs::path const& dir)
{
    std::vector<std::string> names;
    for (auto const& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

storage_uri uri(std::string text) { return storage_uri::parse(text).value(); }

} // namespace

TEST_CASE("local storage: upload, download and object_info")
{
    fixture f;
    local::storage s(f.ctx.get_executor(), f.opts);
    auto src = f.dir.path / "hello.txt";
    write_file(src, "hello\n");

    auto before = std::chrono::system_clock::now() - 5s;
    auto up = f.run(s.upload(src, uri("greetings/hello.txt")));
    REQUIRE(up.has_value());
    CHECK(up->uri == storage_uri::local("greetings/hello.txt"));
    CHECK(up->size == 6);
    CHECK(up->etag == "b1946ac92492d2347c6235b4d2611184"); // md5("hello\n")
    CHECK(up->last_modified >= before);
    CHECK(read_file(f.root() / "greetings/hello.txt") == "hello\n");

    auto dest = f.dir.path / "out" / "deep" / "copy.txt";
    auto down = f.run(s.download(uri("greetings/hello.txt"), dest));
    REQUIRE(down.has_value());
    CHECK(read_file(dest) == "hello\n");
    CHECK(down->etag == up->etag);
    CHECK(down->size == 6);
    CHECK(down->uri == up->uri);

    // The same object through an absolute path and a file:// URI inside the root.
    auto abs = f.run(s.exists(storage_uri::local((f.root() / "greetings/hello.txt").string())));
    CHECK(abs.value());
    auto file_uri = f.run(s.download(uri("file://" + (f.root() / "greetings/hello.txt").string()), dest));
    REQUIRE(file_uri.has_value());
    CHECK(file_uri->uri.key == "greetings/hello.txt");
    CHECK(f.run(s.exists(uri("./greetings//hello.txt"))).value());

    // A name near NAME_MAX still fits its temporary file's name.
    std::string long_name(250, 'n');
    CHECK(f.run(s.upload(src, storage_uri::local("long/" + long_name))).has_value());
    CHECK(read_file(f.root() / "long" / long_name) == "hello\n");

    // Overwrite replaces the content.
    write_file(src, "bye\n");
    CHECK(f.run(s.upload(src, uri("greetings/hello.txt"))).value().size == 4);
    CHECK(read_file(f.root() / "greetings/hello.txt") == "bye\n");

    // A download over a file replaces its content, not its permissions (0640: neither what a
    // umask of 022 nor of 077 gives a new file), and does not carry a set-user-ID bit over.
    auto const kept = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;
    fs::permissions(dest, kept | fs::perms::set_uid);
    REQUIRE(f.run(s.download(uri("greetings/hello.txt"), dest)).has_value());
    CHECK(read_file(dest) == "bye\n");
    CHECK(fs::status(dest).permissions() == kept);
}

TEST_CASE("local storage: the root comes from MLCLOUD_HOME or HOME and is created on first use")
{
    temp_dir d;
    ::setenv("MLCLOUD_HOME", (d.path / "home-root").c_str(), 1);
    CHECK(local::default_root() == d.path / "home-root");
    boost::asio::io_context ctx;
    local::storage s(ctx.get_executor());
    CHECK(s.settings().root == d.path / "home-root");
    CHECK(s.settings().state_dir == d.path / "home-root/.mlcloud/jobs");
    CHECK_FALSE(fs::exists(d.path / "home-root"));
    CHECK(mlcloud::run_blocking(ctx, s.list(storage_uri::local(""))).value().empty());
    CHECK(fs::is_directory(d.path / "home-root"));

    ::unsetenv("MLCLOUD_HOME");
    CHECK(local::default_root() == fs::path(std::getenv("HOME")) / ".mlcloud/local");
}

TEST_CASE("local storage: keys cannot escape the root")
{
    fixture f;
    local::storage s(f.ctx.get_executor(), f.opts);
    auto outside = f.dir.path / "outside";
    fs::create_directories(outside);
    write_file(outside / "secret.txt", "secret");
    auto src = f.dir.path / "payload.txt";
    write_file(src, "payload");
    fs::create_directories(f.root());

    auto refused = [&](storage_uri const& target, errc code) {
        INFO("key: " << target.str());
        auto up = f.run(s.upload(src, target));
        REQUIRE(up.has_error());
        CHECK(up.error().is(code));
        CHECK(up.error().provider == "local");
        CHECK(up.error().operation == "upload");
        auto down = f.run(s.download(target, f.dir.path / "got.txt"));
        REQUIRE(down.has_error());
        CHECK(down.error().is(code));
        CHECK(f.run(s.exists(target)).has_error());
        CHECK(f.run(s.remove(target)).has_error());
        CHECK_FALSE(fs::exists(f.dir.path / "got.txt"));
        return up.error().message;
    };

    SECTION("'..' segments")
    {
        CHECK_THAT(refused(uri("../outside/secret.txt"), errc::invalid_argument), Catch::Contains("'..'"));
        refused(uri("a/../../outside/x"), errc::invalid_argument);
        refused(uri("a/.."), errc::invalid_argument);
        auto listed = f.run(s.list(uri("../outside/")));
        REQUIRE(listed.has_error());
        CHECK(listed.error().is(errc::invalid_argument));
    }
    SECTION("absolute paths and file:// URIs elsewhere")
    {
        CHECK_THAT(refused(storage_uri::local((outside / "secret.txt").string()), errc::forbidden),
                   Catch::Contains("outside the storage root"));
        refused(uri("file://" + (outside / "secret.txt").string()), errc::forbidden);
        refused(storage_uri::local("/etc/passwd"), errc::forbidden);
        // A sibling directory whose name merely starts with the root's name is outside too.
        fs::create_directories(f.dir.path / "root2");
        refused(storage_uri::local((f.dir.path / "root2/x").string()), errc::forbidden);
    }
    SECTION("symbolic links that lead outside")
    {
        fs::create_directory_symlink(outside, f.root() / "link-dir");
        fs::create_symlink(outside / "secret.txt", f.root() / "link-file");
        CHECK_THAT(refused(uri("link-dir/secret.txt"), errc::forbidden), Catch::Contains("symbolic link"));
        refused(uri("link-dir/new.txt"), errc::forbidden);
        refused(uri("link-file"), errc::forbidden);
        auto listed = f.run(s.list(uri("link-dir/")));
        REQUIRE(listed.has_error());
        CHECK(listed.error().is(errc::forbidden));
        // Nor does a listing of the root show them.
        write_file(f.root() / "inside.txt", "in");
        CHECK(keys_of(f.run(s.list(storage_uri::local(""))).value()) == std::vector<std::string>{"inside.txt"});
    }
    SECTION("NUL bytes")
    {
        CHECK_THAT(refused(storage_uri::local(std::string("a\0b", 3)), errc::invalid_argument),
                   Catch::Contains("NUL"));
    }
    SECTION("other backends' URIs")
    {
        CHECK_THAT(refused(uri("s3://bucket/key.csv"), errc::invalid_argument), Catch::Contains("s3://"));
        CHECK_THAT(refused(uri("runpod://EU-RO-1/vol1/key.csv"), errc::invalid_argument),
                   Catch::Contains("runpod://"));
    }
    SECTION("the reserved job-state directory")
    {
        CHECK_THAT(refused(uri(".mlcloud/jobs/x"), errc::forbidden), Catch::Contains("reserved"));
        fs::create_directories(f.root() / ".mlcloud/jobs");
        fs::create_directory_symlink(f.root() / ".mlcloud", f.root() / "state-link");
        refused(uri("state-link/x"), errc::forbidden);
    }
    SECTION("names of temporary files")
    {
        CHECK_THAT(refused(uri("data/.mlcloud-tmp-x"), errc::forbidden), Catch::Contains("copies in progress"));
        refused(uri(".mlcloud-tmp-dir/x"), errc::forbidden);
    }
    SECTION("the root itself and directory-like keys")
    {
        refused(storage_uri::local(""), errc::invalid_argument);
        refused(storage_uri::local(f.root().string()), errc::invalid_argument);
        refused(uri("dir/"), errc::invalid_argument);
    }

    // Nothing was written outside the root.
    CHECK(names_in(outside) == std::vector<std::string>{"secret.txt"});
    CHECK(read_file(outside / "secret.txt") == "secret");
}

TEST_CASE("local storage: key_of reads a key as the operations do")
{
    fixture f;
    local::storage s(f.ctx.get_executor(), f.opts);
    auto const root = fs::weakly_canonical(f.root()).string();
    CHECK(s.key_of(storage_uri::local("./data//7/x.csv")).value() == "data/7/x.csv");
    CHECK(s.key_of(storage_uri::local("data/7/")).value() == "data/7/");
    CHECK(s.key_of(storage_uri::local(root + "/data/7/x.csv")).value() == "data/7/x.csv");
    CHECK(s.key_of(uri("file://" + root + "/./data/x.csv")).value() == "data/x.csv");
    CHECK(s.key_of(storage_uri::local(root)).value().empty());
    CHECK(s.key_of(storage_uri::local("/etc/passwd")).error().is(errc::forbidden));
    CHECK(s.key_of(storage_uri::local("../x")).has_error());
}

TEST_CASE("local storage: symbolic links inside the root are followed")
{
    fixture f;
    local::storage s(f.ctx.get_executor(), f.opts);
    write_file(f.root() / "real/data.csv", "a,b\n");
    fs::create_directory_symlink(f.root() / "real", f.root() / "alias");
    auto got = f.run(s.download(uri("alias/data.csv"), f.dir.path / "d.csv"));
    REQUIRE(got.has_value());
    CHECK(read_file(f.dir.path / "d.csv") == "a,b\n");
}

TEST_CASE("local storage: list is recursive, sorted by key, filtered by prefix")
{
    fixture f;
    local::storage s(f.ctx.get_executor(), f.opts);
    for (auto key : {"b.txt", "a/z.txt", "a/b.txt", "a.txt", "ab/c", "a/deep/er/x.bin"})
        write_file(f.root() / key, key);
    fs::create_directories(f.root() / "empty-dir");
    write_file(f.root() / ".mlcloud/jobs/local-x/job.json", "{}"); // job state is not storage

    auto all = f.run(s.list(storage_uri::local(""))).value();
    CHECK(keys_of(all) == std::vector<std::string>{"a.txt", "a/b.txt", "a/deep/er/x.bin", "a/z.txt", "ab/c", "b.txt"});
    CHECK(all[0].size == 5);
    CHECK(all[0].etag.size() == 32);

    CHECK(keys_of(f.run(s.list(uri("a/"))).value()) ==
          std::vector<std::string>{"a/b.txt", "a/deep/er/x.bin", "a/z.txt"});
    CHECK(keys_of(f.run(s.list(uri("a"))).value()) ==
          std::vector<std::string>{"a.txt", "a/b.txt", "a/deep/er/x.bin", "a/z.txt", "ab/c"});
    CHECK(keys_of(f.run(s.list(uri("a/d"))).value()) == std::vector<std::string>{"a/deep/er/x.bin"});
    CHECK(keys_of(f.run(s.list(uri("a/z.txt"))).value()) == std::vector<std::string>{"a/z.txt"});
    CHECK(keys_of(f.run(s.list(storage_uri::local((f.root() / "a").string() + "/"))).value()).size() == 3);
    CHECK(f.run(s.list(uri("nothing/here/"))).value().empty());
    CHECK(f.run(s.list(uri("zzz"))).value().empty());

    // A listed ETag is the one the upload reported.
    auto src = f.dir.path / "up.txt";
    write_file(src, "uploaded");
    auto up = f.run(s.upload(src, uri("a/up.txt"))).value();
    auto listed = f.run(s.list(uri("a/up"))).value();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].etag == up.etag);
    CHECK(listed[0].last_modified == up.last_modified);
}

TEST_CASE("local storage: exists and remove")
{
    fixture f;
    local::storage s(f.ctx.get_executor(), f.opts);
    write_file(f.root() / "d/file.txt", "x");

    CHECK(f.run(s.exists(uri("d/file.txt"))).value());
    CHECK_FALSE(f.run(s.exists(uri("d/missing.txt"))).value());
    CHECK_FALSE(f.run(s.exists(uri("d"))).value()); // a directory is not an object
    CHECK_FALSE(f.run(s.exists(uri("d/file.txt/below"))).value());

    CHECK(f.run(s.remove(uri("d/file.txt"))).has_value());
    CHECK_FALSE(fs::exists(f.root() / "d/file.txt"));
    CHECK(f.run(s.remove(uri("d/file.txt"))).has_value()); // missing: still success
    CHECK(f.run(s.remove(uri("never/was.txt"))).has_value());

    auto dir = f.run(s.remove(uri("d")));
    REQUIRE(dir.has_error());
    CHECK(dir.error().is(errc::conflict));
    CHECK(fs::is_directory(f.root() / "d"));
}

TEST_CASE("local storage: missing and unreadable sources")
{
    fixture f;
    local::storage s(f.ctx.get_executor(), f.opts);

    auto missing = f.run(s.upload(f.dir.path / "nope.txt", uri("x.txt")));
    REQUIRE(missing.has_error());
    CHECK(missing.error().is(errc::not_found));
    CHECK_THAT(missing.error().message, Catch::Contains("nope.txt") && Catch::Contains("No such file"));

    auto missing_object = f.run(s.download(uri("nope.txt"), f.dir.path / "d.txt"));
    REQUIRE(missing_object.has_error());
    CHECK(missing_object.error().is(errc::not_found));
    CHECK_THAT(missing_object.error().message, Catch::Contains("nope.txt"));

    fs::create_directories(f.dir.path / "a-directory");
    auto dir = f.run(s.upload(f.dir.path / "a-directory", uri("x.txt")));
    REQUIRE(dir.has_error());
    CHECK(dir.error().is(errc::io_error));
    CHECK_THAT(dir.error().message, Catch::Contains("Is a directory"));

    if (::geteuid() != 0) // root reads anything
    {
        auto locked = f.dir.path / "locked.txt";
        write_file(locked, "x");
        fs::permissions(locked, fs::perms::none);
        auto r = f.run(s.upload(locked, uri("x.txt")));
        REQUIRE(r.has_error());
        CHECK(r.error().is(errc::io_error));
        CHECK_THAT(r.error().message, Catch::Contains("Permission denied"));
    }

    // Downloading onto a directory is refused, not merged.
    write_file(f.root() / "obj.txt", "x");
    auto onto_dir = f.run(s.download(uri("obj.txt"), f.dir.path / "a-directory"));
    REQUIRE(onto_dir.has_error());
    CHECK(onto_dir.error().is(errc::conflict));
}

TEST_CASE("local storage: progress is reported per chunk and the copy yields to other work")
{
    fixture f;
    f.opts.copy_chunk_bytes = 1000;
    local::storage s(f.ctx.get_executor(), f.opts);
    auto src = f.dir.path / "big.bin";
    write_file(src, std::string(4500, 'x'));

    // A second coroutine counts how often it gets to run while the copy is in progress.
    int ticks = 0;
    bool copy_done = false;
    boost::asio::co_spawn(
        f.ctx,
        [&]() -> boost::asio::awaitable<void> {
            while (!copy_done)
            {
                ++ticks;
                co_await boost::asio::post(f.ctx, boost::asio::use_awaitable);
            }
        },
        boost::asio::detached);

    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    std::vector<int> ticks_seen;
    mlcloud::transfer_options progress{.on_progress = [&](std::uint64_t done, std::uint64_t total) {
        calls.emplace_back(done, total);
        ticks_seen.push_back(ticks);
    }};
    auto up = f.run(s.upload(src, uri("big.bin"), progress));
    copy_done = true;
    REQUIRE(up.has_value());
    CHECK(calls == std::vector<std::pair<std::uint64_t, std::uint64_t>>{
                       {0, 4500}, {1000, 4500}, {2000, 4500}, {3000, 4500}, {4000, 4500}, {4500, 4500}});
    // The other coroutine ran between the chunks, not only before or after the copy.
    CHECK(ticks_seen.back() > ticks_seen.front());
    CHECK(std::adjacent_find(ticks_seen.begin() + 1, ticks_seen.end()) == ticks_seen.end());

    calls.clear();
    auto down = f.run(s.download(uri("big.bin"), f.dir.path / "big.copy", progress));
    REQUIRE(down.has_value());
    CHECK(calls.size() == 6);
    CHECK(calls.back() == std::pair<std::uint64_t, std::uint64_t>{4500, 4500});
    CHECK(read_file(f.dir.path / "big.copy") == std::string(4500, 'x'));
}

TEST_CASE("local storage: a failed copy leaves the old object and no partial file")
{
    fixture f;
    f.opts.copy_chunk_bytes = 10;
    local::storage s(f.ctx.get_executor(), f.opts);
    write_file(f.root() / "data/obj.txt", "old content");
    auto src = f.dir.path / "new.txt";
    write_file(src, std::string(100, 'n'));

    mlcloud::transfer_options stop_midway{.on_progress = [](std::uint64_t done, std::uint64_t) {
        if (done >= 30)
            throw std::runtime_error("user pressed cancel");
    }};

    SECTION("upload")
    {
        auto up = f.run(s.upload(src, uri("data/obj.txt"), stop_midway));
        REQUIRE(up.has_error());
        CHECK(up.error().is(errc::cancelled));
        CHECK_THAT(up.error().message, Catch::Contains("user pressed cancel"));
        CHECK(read_file(f.root() / "data/obj.txt") == "old content");
        CHECK(names_in(f.root() / "data") == std::vector<std::string>{"obj.txt"});

        // A new key that failed is not there at all.
        CHECK(f.run(s.upload(src, uri("data/new.txt"), stop_midway)).has_error());
        CHECK(names_in(f.root() / "data") == std::vector<std::string>{"obj.txt"});
    }
    SECTION("download to the caller's path")
    {
        write_file(f.dir.path / "mine/local.txt", "mine");
        write_file(f.root() / "data/big.txt", std::string(100, 'b'));
        auto down = f.run(s.download(uri("data/big.txt"), f.dir.path / "mine/local.txt", stop_midway));
        REQUIRE(down.has_error());
        CHECK(read_file(f.dir.path / "mine/local.txt") == "mine");
        CHECK(names_in(f.dir.path / "mine") == std::vector<std::string>{"local.txt"});
    }
}

TEST_CASE("local storage: an abandoned copy leaves nothing behind, and list never shows temporary files")
{
    fixture f;
    f.opts.copy_chunk_bytes = 16;
    write_file(f.root() / "obj.bin", "old");
    auto src = f.dir.path / "src.bin";
    write_file(src, std::string(16 * 1000, 's'));

    {
        boost::asio::io_context ctx;
        local::storage s(ctx.get_executor(), f.opts);
        std::uint64_t copied = 0;
        mlcloud::transfer_options progress{.on_progress = [&](std::uint64_t done, std::uint64_t) { copied = done; }};
        // Operations take their arguments by reference: they must outlive the coroutine.
        auto const target = uri("obj.bin");
        auto const everything = storage_uri::local("");
        boost::asio::co_spawn(ctx, s.upload(src, target, progress), boost::asio::detached);
        for (int i = 0; i < 20; ++i)
            ctx.run_one();
        REQUIRE(copied > 0);
        REQUIRE(copied < 16 * 1000);

        // Mid-copy: the temporary file exists on disk, but a listing does not show it.
        auto on_disk = names_in(f.root());
        REQUIRE(on_disk.size() == 2);
        CHECK(on_disk[0].starts_with(".mlcloud-tmp-obj.bin-"));
        CHECK(on_disk[1] == "obj.bin");
        std::optional<mlcloud::result<std::vector<mlcloud::object_info>>> listed;
        boost::asio::co_spawn(ctx, s.list(everything), [&](std::exception_ptr, auto r) { listed = std::move(r); });
        while (!listed)
            ctx.run_one();
        CHECK(keys_of(listed->value()) == std::vector<std::string>{"obj.bin"});
        REQUIRE(copied < 16 * 1000);
        // The io_context goes away with the copy suspended: its coroutine frame is destroyed.
    }
    CHECK(names_in(f.root()) == std::vector<std::string>{"obj.bin"});
    CHECK(read_file(f.root() / "obj.bin") == "old");
}
