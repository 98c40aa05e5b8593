//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// s3_sink: a fast S3-compatible sink for the transfer benchmarks (tests/bench/s3).
//
//     s3_sink [--port P] [--port-file F] [--no-md5]
//     s3_sink --self-test
//
// Speaks just enough of S3 (path style, http) for uploads and downloads: PutObject,
// CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload,
// HeadObject, GetObject (with Range), DeleteObject, HeadBucket. Bodies are not stored: an
// upload is streamed through MD5 (so the ETags are S3's: the hex MD5 of a PutObject's body, and
// for a multipart object the MD5 of the parts' binary MD5s followed by "-<parts>"), and only
// size and ETag are kept. GetObject serves a deterministic generated stream of the object's
// size (byte i is pattern[i mod 65521]); an object that was never uploaded is 404, except keys
// under "generated/<size>" which exist with that size. Signatures are not checked.
//
// One thread per connection, blocking Beast for heads and small bodies. An upload's body (sent
// with Content-Length) bypasses the parser: what the head's read left in the buffer, then
// reads of up to 1 MiB straight from the socket into the hashing buffer. Beast's parser read
// such a body 512 bytes per recv() (the kernel's per-call cost was half the sink's CPU) and
// copied it once more; now receiving costs about 0.2 CPU-s per GiB. MD5 is the rest. It has no
// hardware path, and one message runs at about 760 MB/s on a core here (OpenSSL's assembly), so
// bodies are hashed by one engine thread on eight AVX2 lanes at once (md5_engine.hpp: as MinIO
// computes ETags), a body alone on it through the one-message MD5.
// --no-md5 skips hashing (every ETag is then the MD5 of nothing) to measure how fast the
// clients themselves can send; --self-test checks the engine against OpenSSL and exits.

#include "md5_engine.hpp"
#include "md5_self_test.hpp"

#include <boost/algorithm/hex.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t pattern_period = 65521; // prime: no alignment with part or range sizes
constexpr std::size_t write_chunk = 1 << 20;
constexpr std::size_t read_chunk = 1 << 20;

// The generated stream: pattern()[i] for i < period + write_chunk, periodic with `period`, so
// any offset's next `write_chunk` bytes are one contiguous slice.
std::vector<char> const& pattern()
{
    static std::vector<char> const p = [] {
        std::vector<char> v(pattern_period + write_chunk);
        std::uint32_t x = 2463534242u;
        for (std::size_t i = 0; i < pattern_period; ++i)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            v[i] = static_cast<char>(x >> 24);
        }
        for (std::size_t i = pattern_period; i < v.size(); ++i)
            v[i] = v[i - pattern_period];
        return v;
    }();
    return p;
}


std::string hex(std::string_view bin)
{
    std::string out;
    boost::algorithm::hex_lower(bin.begin(), bin.end(), std::back_inserter(out));
    return out;
}

struct object
{
    std::uint64_t size = 0;
    std::string etag; // without quotes
};

struct upload
{
    std::string bucket, key;
    std::map<std::uint32_t, std::pair<std::string, std::uint64_t>> parts; // number -> (binary md5, size)
};

md5_engine* the_engine = nullptr; // main's: every body and the multipart ETags are hashed on it

class store
{
public:
    void put(std::string const& path, object o)
    {
        std::lock_guard lock(mutex_);
        objects_[path] = std::move(o);
    }
    std::optional<object> find(std::string const& path)
    {
        std::lock_guard lock(mutex_);
        if (auto it = objects_.find(path); it != objects_.end())
            return it->second;
        // "/bucket/generated/<size>..." exists with that size.
        auto pos = path.find("/generated/");
        if (pos == std::string::npos)
            return std::nullopt;
        std::uint64_t size = 0;
        auto digits = std::string_view(path).substr(pos + 11);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
        if (ec != std::errc{})
            return std::nullopt;
        return object{size, "generated-" + std::to_string(size)};
    }
    void erase(std::string const& path)
    {
        std::lock_guard lock(mutex_);
        objects_.erase(path);
    }
    std::string begin_upload(std::string const& path)
    {
        std::lock_guard lock(mutex_);
        auto id = "upload-" + std::to_string(++next_id_);
        uploads_[id].key = path;
        return id;
    }
    bool add_part(std::string const& id, std::uint32_t number, std::string md5, std::uint64_t size)
    {
        std::lock_guard lock(mutex_);
        auto it = uploads_.find(id);
        if (it == uploads_.end())
            return false;
        it->second.parts[number] = {std::move(md5), size};
        return true;
    }
    // The multipart ETag of the parts received, in part-number order; nullopt for an unknown id.
    std::optional<object> complete(std::string const& id, std::string const& path)
    {
        std::lock_guard lock(mutex_);
        auto it = uploads_.find(id);
        if (it == uploads_.end() || it->second.key != path)
            return std::nullopt;
        md5_engine::message h;
        object o;
        for (auto const& [number, part] : it->second.parts)
        {
            the_engine->update(h, part.first.data(), part.first.size());
            o.size += part.second;
        }
        o.etag = hex(the_engine->finish(h)) + "-" + std::to_string(it->second.parts.size());
        objects_[path] = o;
        uploads_.erase(it);
        return o;
    }
    void abort(std::string const& id)
    {
        std::lock_guard lock(mutex_);
        uploads_.erase(id);
    }

private:
    std::mutex mutex_;
    std::map<std::string, object> objects_;
    std::map<std::string, upload> uploads_;
    std::uint64_t next_id_ = 0;
};

store the_store;
bool hash_uploads = true;
std::atomic<std::uint64_t> request_counter{0};

using request_parser = http::request_parser<http::buffer_body>;

void write_simple(tcp::socket& sock, request_parser const& p, http::status status, std::string body,
                  std::string_view etag = {}, std::string_view content_type = "application/xml")
{
    http::response<http::string_body> res{status, 11};
    res.set(http::field::server, "mlcloud-s3-sink");
    res.set("x-amz-request-id", std::to_string(++request_counter));
    if (!etag.empty())
        res.set(http::field::etag, "\"" + std::string(etag) + "\"");
    if (!body.empty())
        res.set(http::field::content_type, content_type);
    res.keep_alive(p.get().keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    http::write(sock, res);
}

void write_error(tcp::socket& sock, request_parser const& p, http::status status, std::string_view code)
{
    auto body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + std::string(code) +
                "</Code><Message>" + std::string(code) + "</Message></Error>";
    write_simple(sock, p, status, std::move(body));
}

// Reads the rest of the body into the reused `chunk`, handing each piece to `take`.
template <class Take>
void read_body(tcp::socket& sock, beast::flat_buffer& buf, request_parser& p, std::vector<char>& chunk, Take take)
{
    while (!p.is_done())
    {
        p.get().body().data = chunk.data();
        p.get().body().size = chunk.size();
        beast::error_code ec;
        http::read(sock, buf, p, ec);
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            throw beast::system_error(ec);
        take(chunk.data(), chunk.size() - p.get().body().size);
    }
}

// The next piece of a body (at most `left` bytes): what the head's read left in `buf`, else
// one read straight from the socket into `out`, hashed while it is still in the cache.
std::size_t read_piece(tcp::socket& sock, beast::flat_buffer& buf, std::vector<char>& out, std::uint64_t left)
{
    std::size_t const want = static_cast<std::size_t>(std::min<std::uint64_t>(left, out.size()));
    if (buf.size() > 0)
    {
        std::size_t const n = asio::buffer_copy(asio::buffer(out.data(), want), buf.data());
        buf.consume(n);
        return n;
    }
    return sock.read_some(asio::buffer(out.data(), want));
}

// A body of `length` bytes through MD5: (binary md5, bytes). Pieces alternate between two
// buffers: one is read from the socket while the engine hashes the other.
std::pair<std::string, std::uint64_t> hash_length_body(tcp::socket& sock, beast::flat_buffer& buf,
                                                       std::uint64_t length, std::vector<char>& chunk,
                                                       std::vector<char>& spare)
{
    md5_engine::message h;
    try
    {
        for (std::uint64_t left = length; left > 0;)
        {
            std::size_t const n = read_piece(sock, buf, chunk, left);
            if (hash_uploads)
                the_engine->update(h, chunk.data(), n);
            left -= n;
            std::swap(chunk, spare);
        }
    }
    catch (...)
    {
        the_engine->settle(h);
        throw;
    }
    return {the_engine->finish(h), length};
}

// The body through MD5: (binary md5, bytes). A body with Content-Length is read past the
// parser; a chunked one (no client here sends one) through it.
std::pair<std::string, std::uint64_t> hash_body(tcp::socket& sock, beast::flat_buffer& buf, request_parser& p,
                                                std::vector<char>& chunk, std::vector<char>& spare)
{
    if (!p.chunked() && p.content_length())
        return hash_length_body(sock, buf, *p.content_length(), chunk, spare);
    md5_engine::message h;
    std::uint64_t total = 0;
    read_body(sock, buf, p, chunk, [&](char const* data, std::size_t n) {
        if (hash_uploads)
        {
            the_engine->update(h, data, n);
            the_engine->settle(h); // the parser reads the next piece into the same buffer
        }
        total += n;
    });
    return {the_engine->finish(h), total};
}

std::string read_small_body(tcp::socket& sock, beast::flat_buffer& buf, request_parser& p, std::vector<char>& chunk)
{
    std::string out;
    read_body(sock, buf, p, chunk, [&](char const* data, std::size_t n) {
        out.append(data, n);
        if (out.size() > (16u << 20))
            throw std::runtime_error("request body too large");
    });
    return out;
}

// "bytes=a-b" / "bytes=a-" / "bytes=-n" against `size`: [first, last], or nullopt when unsatisfiable.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(std::string_view v, std::uint64_t size)
{
    if (!v.starts_with("bytes=") || size == 0)
        return std::nullopt;
    v.remove_prefix(6);
    auto dash = v.find('-');
    if (dash == std::string_view::npos)
        return std::nullopt;
    auto number = [](std::string_view s, std::uint64_t& out) {
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
    };
    std::uint64_t first = 0, last = size - 1;
    if (dash == 0)
    {
        std::uint64_t n = 0;
        if (!number(v.substr(1), n) || n == 0)
            return std::nullopt;
        first = n >= size ? 0 : size - n;
    }
    else
    {
        if (!number(v.substr(0, dash), first))
            return std::nullopt;
        if (dash + 1 < v.size() && !number(v.substr(dash + 1), last))
            return std::nullopt;
        last = std::min(last, size - 1);
    }
    if (first >= size || first > last)
        return std::nullopt;
    return std::pair{first, last};
}

void serve_get(tcp::socket& sock, request_parser const& p, object const& o, bool head)
{
    auto const& req = p.get();
    std::uint64_t first = 0, length = o.size;
    http::status status = http::status::ok;
    std::string content_range;
    if (auto r = req.find(http::field::range); r != req.end())
    {
        auto range = parse_range(r->value(), o.size);
        if (!range)
            return write_error(sock, p, http::status::range_not_satisfiable, "InvalidRange");
        first = range->first;
        length = range->second - range->first + 1;
        status = http::status::partial_content;
        content_range = "bytes " + std::to_string(range->first) + "-" + std::to_string(range->second) + "/" +
                        std::to_string(o.size);
    }
    http::response<http::empty_body> res{status, 11};
    res.set(http::field::server, "mlcloud-s3-sink");
    res.set("x-amz-request-id", std::to_string(++request_counter));
    res.set(http::field::etag, "\"" + o.etag + "\"");
    res.set(http::field::last_modified, "Sat, 28 Nov 2026 00:00:00 GMT");
    res.set(http::field::accept_ranges, "bytes");
    res.set(http::field::content_type, "application/octet-stream");
    if (!content_range.empty())
        res.set(http::field::content_range, content_range);
    res.content_length(length);
    res.keep_alive(req.keep_alive());
    http::response_serializer<http::empty_body> sr{res};
    http::write_header(sock, sr);
    if (head)
        return;
    auto const& pat = pattern();
    std::uint64_t offset = first;
    std::uint64_t left = length;
    while (left > 0)
    {
        std::size_t const n = static_cast<std::size_t>(std::min<std::uint64_t>(left, write_chunk));
        asio::write(sock, asio::buffer(pat.data() + offset % pattern_period, n));
        offset += n;
        left -= n;
    }
}

std::string xml_text(std::string_view s)
{
    std::string out;
    for (char c : s)
        switch (c)
        {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        default: out += c;
        }
    return out;
}

void handle(tcp::socket& sock, beast::flat_buffer& buf, request_parser& p, std::vector<char>& chunk,
            std::vector<char>& spare)
{
    auto const& req = p.get();
    auto target = boost::urls::parse_origin_form(req.target());
    if (!target)
        return write_error(sock, p, http::status::bad_request, "InvalidURI");
    std::string const path = target->path(); // decoded "/bucket/key"
    auto params = target->params();
    auto param = [&](std::string_view name) -> std::optional<std::string> {
        auto it = params.find(name);
        if (it == params.end())
            return std::nullopt;
        return std::string((*it).value);
    };
    auto slash = path.find('/', 1);
    bool const bucket_only = slash == std::string::npos || slash + 1 == path.size();

    switch (req.method())
    {
    case http::verb::put: {
        auto [digest, size] = hash_body(sock, buf, p, chunk, spare);
        auto upload_id = param("uploadId");
        auto part = param("partNumber");
        if (upload_id && part)
        {
            std::uint32_t number = 0;
            std::from_chars(part->data(), part->data() + part->size(), number);
            if (!the_store.add_part(*upload_id, number, digest, size))
                return write_error(sock, p, http::status::not_found, "NoSuchUpload");
            return write_simple(sock, p, http::status::ok, {}, hex(digest));
        }
        if (bucket_only)
            return write_simple(sock, p, http::status::ok, {});
        the_store.put(path, object{size, hex(digest)});
        return write_simple(sock, p, http::status::ok, {}, hex(digest));
    }
    case http::verb::post: {
        auto body = read_small_body(sock, buf, p, chunk);
        auto const bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
        auto const key = slash == std::string::npos ? std::string() : path.substr(slash + 1);
        if (params.contains("uploads"))
        {
            auto id = the_store.begin_upload(path);
            return write_simple(sock, p, http::status::ok,
                                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult "
                                "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>" +
                                    xml_text(bucket) + "</Bucket><Key>" + xml_text(key) + "</Key><UploadId>" + id +
                                    "</UploadId></InitiateMultipartUploadResult>");
        }
        if (auto id = param("uploadId"))
        {
            auto o = the_store.complete(*id, path);
            if (!o)
                return write_error(sock, p, http::status::not_found, "NoSuchUpload");
            return write_simple(sock, p, http::status::ok,
                                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult "
                                "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Location>http://sink" +
                                    xml_text(path) + "</Location><Bucket>" + xml_text(bucket) + "</Bucket><Key>" +
                                    xml_text(key) + "</Key><ETag>&quot;" + o->etag +
                                    "&quot;</ETag></CompleteMultipartUploadResult>");
        }
        return write_error(sock, p, http::status::bad_request, "InvalidRequest");
    }
    case http::verb::delete_: {
        read_small_body(sock, buf, p, chunk);
        if (auto id = param("uploadId"))
            the_store.abort(*id);
        else
            the_store.erase(path);
        return write_simple(sock, p, http::status::no_content, {});
    }
    case http::verb::head:
    case http::verb::get: {
        read_small_body(sock, buf, p, chunk);
        if (bucket_only)
            return write_simple(sock, p, http::status::ok, {});
        auto o = the_store.find(path);
        if (!o)
            return write_error(sock, p, http::status::not_found, "NoSuchKey");
        return serve_get(sock, p, *o, req.method() == http::verb::head);
    }
    default: return write_error(sock, p, http::status::method_not_allowed, "MethodNotAllowed");
    }
}

void session(tcp::socket sock)
{
    beast::flat_buffer buf(64 * 1024);
    std::vector<char> chunk(read_chunk), spare(read_chunk);
    try
    {
        sock.set_option(tcp::no_delay(true));
        for (;;)
        {
            request_parser p;
            p.body_limit(boost::none);
            p.header_limit(64 * 1024);
            beast::error_code ec;
            http::read_header(sock, buf, p, ec);
            if (ec)
                return; // closed, or garbage: drop the connection
            auto const& req = p.get();
            if (auto e = req.find(http::field::expect);
                e != req.end() && beast::iequals(e->value(), "100-continue"))
            {
                http::response<http::empty_body> cont{http::status::continue_, 11};
                http::write(sock, cont);
            }
            handle(sock, buf, p, chunk, spare);
            if (!req.keep_alive())
                return;
        }
    }
    catch (std::exception const&)
    {
        // A client that went away mid-request; nothing to clean up.
    }
}

// The engine against OpenSSL (md5_self_test.hpp).
bool self_test()
{
    int const wrong = md5_self_test::wrong_digests(*the_engine, 12, 40);
    std::cout << "md5 self-test: " << 12 * 40 << " messages, " << wrong << " wrong (lanes: "
              << md5_lanes::x8_name() << ")\n";
    return wrong == 0;
}

} // namespace

int main(int argc, char** argv)
{
    md5_engine engine;
    the_engine = &engine;
    unsigned short port = 0;
    std::string port_file;
    for (int i = 1; i < argc; i += 2)
    {
        std::string_view a = argv[i];
        if (a == "--no-md5")
        {
            hash_uploads = false;
            --i;
        }
        else if (a == "--self-test")
            return self_test() ? 0 : 1;
        else if (i + 1 == argc)
        {
            std::cerr << "usage: s3_sink [--port P] [--port-file F] [--no-md5] | --self-test\n";
            return 64;
        }
        else if (a == "--port")
            port = static_cast<unsigned short>(std::stoi(argv[i + 1]));
        else if (a == "--port-file")
            port_file = argv[i + 1];
        else
        {
            std::cerr << "usage: s3_sink [--port P] [--port-file F] [--no-md5] | --self-test\n";
            return 64;
        }
    }
    (void)pattern();
    asio::io_context ctx;
    tcp::acceptor acceptor(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    port = acceptor.local_endpoint().port();
    if (!port_file.empty())
    {
        std::ofstream(port_file + ".tmp") << port << "\n";
        std::rename((port_file + ".tmp").c_str(), port_file.c_str());
    }
    std::cout << port << std::endl;
    for (;;)
    {
        tcp::socket sock(ctx);
        acceptor.accept(sock);
        std::thread(session, std::move(sock)).detach();
    }
}
