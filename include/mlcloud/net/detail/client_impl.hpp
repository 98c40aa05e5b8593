//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_DETAIL_CLIENT_IMPL_HPP
#define MLCLOUD_NET_DETAIL_CLIENT_IMPL_HPP

// The engine behind net::http_client. One attempt is: take a connection from the pool (or
// open one: resolve, connect, CONNECT tunnel, TLS), write the request, read the head, read
// the body into memory or a file. send() wraps attempts in the retry policy. Every wait has
// a deadline enforced by the stream's own timer, so the same code is bounded on the
// coroutine path and under run_blocking.

#include <mlcloud/net/detail/connection.hpp>
#include <mlcloud/net/detail/send_file.hpp>
#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/url.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/file.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/version.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

namespace mlcloud::net::detail {

namespace http = boost::beast::http;
using parser_type = http::response_parser<http::buffer_body>;

/// The capacity a new connection's read buffer starts with; chunked bodies grow it.
inline constexpr std::size_t initial_read_size = 4096;

// ---------------------------------------------------------------------------------------
// Small helpers

inline std::string format_duration(std::chrono::milliseconds d)
{
    if (d >= std::chrono::minutes(2) && d % std::chrono::minutes(1) == std::chrono::milliseconds(0))
        return std::to_string(std::chrono::duration_cast<std::chrono::minutes>(d).count()) + " min";
    auto tenths = d.count() / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

inline std::string base64(std::string_view in)
{
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<unsigned char const*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

inline bool is_tchar(char c) noexcept
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Header names must be tokens and values must not hold CR, LF or NUL: otherwise a value
// taken from user input could add headers or a second request (response splitting).
inline std::optional<error> validate_headers(fields const& headers)
{
    for (auto const& [name, value] : headers)
    {
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_tchar))
            return error(errc::invalid_argument, "the header name '" + redact_text(name.substr(0, 64)) +
                                                     "' is not a valid HTTP token");
        if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
            return error(errc::invalid_argument, "the value of header '" + name + "' contains CR, LF or NUL");
    }
    return std::nullopt;
}

inline bool is_ip_literal(std::string const& host)
{
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

// ---------------------------------------------------------------------------------------
// Where a request goes

struct route
{
    url_parts url;
    std::optional<url_parts> proxy;
    std::string proxy_authorization; // "Basic ..." when the proxy URL has credentials
    std::string pool_key;            // "https://host:443" or "https://host:443 via proxy:3128"
    std::string request_target;      // origin-form, or absolute-form through an HTTP proxy

    std::string where() const { return url.authority(true); }
    std::string first_hop() const { return proxy ? proxy->authority(true) : url.authority(true); }
};

// ---------------------------------------------------------------------------------------
// How an attempt failed

enum class stage
{
    nothing_sent,     // no byte of the request can have reached the server
    request_sent,     // some or all of the request went out, no byte of a response came back
    response_started, // part of a response arrived
};

struct failure
{
    error err;
    retry_class cls = retry_class::none;
    stage at = stage::nothing_sent;
    bool connection_lost = false; // EOF or reset: what a stale keep-alive connection looks like
    int status = 0;               // when the response head had arrived
    std::string request_id;       // idem
};

inline failure failure_from(error e, retry_class cls, stage at, bool lost = false)
{
    failure f;
    f.err = std::move(e);
    f.cls = cls;
    f.at = at;
    f.connection_lost = lost;
    return f;
}

inline failure make_failure(errc code, std::string const& message, retry_class cls, stage at, bool lost = false)
{
    return failure_from(error(code, redact_text(message)), cls, at, lost);
}

inline bool is_connection_lost(boost::system::error_code const& ec)
{
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated ||
           ec == http::error::end_of_stream || ec == http::error::partial_message;
}

// The deadline of one phase: its own timeout, or the attempt's deadline when that is sooner.
struct phase
{
    steady::time_point until;
    bool attempt_deadline; // true when the attempt's deadline is the binding one
};

inline phase phase_until(std::chrono::milliseconds timeout, steady::time_point deadline)
{
    auto own = after(timeout);
    return own < deadline ? phase{own, false} : phase{deadline, true};
}

// The caller cancelled the operation (asio cancellation): never retried.
inline failure cancelled_failure(std::string const& what, stage at)
{
    return make_failure(errc::cancelled, what + ": cancelled", retry_class::none, at);
}

inline failure timeout_failure(phase const& ph, std::string const& what, std::chrono::milliseconds phase_timeout,
                               std::string const& phase_name, std::chrono::milliseconds request_timeout, stage at)
{
    std::string msg = ph.attempt_deadline
                          ? what + ": the attempt took longer than " + format_duration(request_timeout) + " (request timeout)"
                          : what + ": no progress for " + format_duration(phase_timeout) + " (" + phase_name + " timeout)";
    return make_failure(errc::timeout, msg, retry_class::timeout, at);
}

// ---------------------------------------------------------------------------------------
// HTTP reads and writes over connection::read_some / write_some

// Beast before 1.86 asserts (boostorg/beast#2861) when a chunked body's last chunk "0\r\n"
// arrived alone and the next put() brings fewer than two more bytes: a Debug build aborts on
// a server that sends its trailer in small pieces. Every complete chunked body still holds at
// least the 5 bytes of "0\r\n\r\n" from the start of the chunk header the parser is waiting
// on, so waiting for 5 bytes there never waits for a byte that will not come.
inline bool wait_for_chunk_terminator(http::basic_parser<false> const& p, std::size_t buffered)
{
#if BOOST_VERSION < 108600
    return p.is_header_done() && p.chunked() && buffered < 5;
#else
    (void)p;
    (void)buffered;
    return false;
#endif
}

// What Beast's http::async_read_some does, over connection::read_some: parse what the
// connection's buffer holds, read more while the parser needs more. need_buffer (a
// buffer_body is full) and the end of the stream come back as Beast reports them. Written
// once for every parser: basic_parser<false> is the part that does not depend on the body.
inline asio::awaitable<boost::system::error_code> read_http_some(connection& c, http::basic_parser<false>& p)
{
    auto& buffer = c.buffer();
    boost::system::error_code ec;
    for (bool parse = buffer.size() != 0;; parse = true)
    {
        if (parse && !(ec == http::error::need_more && wait_for_chunk_terminator(p, buffer.size())))
        {
            buffer.consume(p.put(buffer.data(), ec));
            if (ec != http::error::need_more)
                co_return ec;
        }
        auto const size = beast::read_size(buffer, 65536);
        if (size == 0)
            co_return http::error::buffer_overflow;
        // Named, not a temporary in the co_await: GCC 12 mishandles those.
        asio::mutable_buffer const space = buffer.prepare(size);
        auto [read_ec, n] = co_await c.read_some(space);
        buffer.commit(n);
        if (read_ec == asio::error::eof)
        {
            if (!p.got_some())
                co_return http::error::end_of_stream;
            ec = {};
            p.put_eof(ec); // a body delimited by the end of the connection ends here
            co_return ec;
        }
        if (read_ec)
            co_return read_ec;
    }
}

// asio::async_write over connection::write_some: everything in `buffers`, at most 64 KiB
// per write (Asio's transfer_all), so a small head goes out with the first body bytes. TLS
// writes one buffer per record, so there a head and a body of 16 KiB or less together are
// copied into one record first, as beast::ssl_stream does.
inline asio::awaitable<connection::io_result> write_all(connection& c, std::array<asio::const_buffer, 2> buffers)
{
    constexpr std::size_t max_write = 65536;
    constexpr std::size_t max_coalesced = 16 * 1024;
    std::string coalesced;
    if (c.is_tls() && buffers[0].size() > 0 && buffers[1].size() > 0 &&
        buffers[0].size() + buffers[1].size() <= max_coalesced)
    {
        coalesced.resize(buffers[0].size() + buffers[1].size());
        asio::buffer_copy(asio::buffer(coalesced), buffers);
        buffers = {asio::buffer(coalesced), asio::const_buffer()};
    }
    std::size_t total = 0;
    while (buffers[0].size() + buffers[1].size() > 0)
    {
        auto prefix = buffers;
        prefix[0] = asio::buffer(prefix[0], max_write);
        prefix[1] = asio::buffer(prefix[1], max_write - prefix[0].size());
        auto [ec, n] = co_await c.write_some(prefix);
        total += n;
        for (auto& b : buffers)
        {
            auto const k = std::min(n, b.size());
            b += k;
            n -= k;
        }
        if (ec)
            co_return connection::io_result{ec, total};
    }
    co_return connection::io_result{boost::system::error_code{}, total};
}

// ---------------------------------------------------------------------------------------
// Request bodies that are not in memory, opened once per attempt

class body_source
{
public:
    static result<body_source> open(request_body const& body)
    {
        body_source s;
        if (auto const* f = body.file())
        {
            boost::system::error_code ec;
            s.file_.open(f->path.c_str(), beast::file_mode::read, ec);
            if (!ec)
                s.file_.seek(f->offset, ec);
            s.offset_ = f->offset;
            if (ec)
                return error(errc::io_error, "cannot read the request body from " + f->path.string() + ": " + ec.message());
            s.kind_ = kind::file;
            s.name_ = f->path.string();
        }
        else if (auto const* g = body.generator())
        {
            if (!g->open)
                return error(errc::invalid_argument, "generator_body without an open function");
            s.generate_ = g->open();
            if (!s.generate_)
                return error(errc::invalid_argument, "generator_body::open returned an empty function");
            s.kind_ = kind::generator;
            s.name_ = "the body generator";
        }
        return s;
    }

    /// The file's descriptor when the body is a file range (for sendfile), else -1.
    int file_descriptor() const noexcept
    {
#if MLCLOUD_NET_HAS_SENDFILE
        return kind_ == kind::file ? file_.native_handle() : -1;
#else
        return -1;
#endif
    }

    /// Checks that the file still holds the range's `length` bytes (a file body only).
    result<void> holds(std::uint64_t length) const
    {
        boost::system::error_code ec;
        auto const size = file_.size(ec);
        if (ec)
            return error(errc::io_error, "cannot read the size of " + name_ + ": " + ec.message());
        if (size < offset_ || size - offset_ < length)
            return error(errc::io_error, name_ + " ended before the declared body length");
        return {};
    }

    /// Where the next read starts, after `sent` bytes went out another way (sendfile).
    result<void> skip_to(std::uint64_t offset)
    {
        boost::system::error_code ec;
        file_.seek(offset, ec);
        if (ec)
            return error(errc::io_error, "cannot seek in " + name_ + ": " + ec.message());
        return {};
    }

    std::string const& name() const noexcept { return name_; }
    /// Where the file range starts in the file.
    std::uint64_t file_offset() const noexcept { return offset_; }

    /// Up to `cap` next bytes; an error or an early end is errc::io_error.
    result<std::size_t> read(char* out, std::size_t cap)
    {
        std::size_t n = 0;
        if (kind_ == kind::file)
        {
            boost::system::error_code ec;
            n = file_.read(out, cap, ec);
            if (ec)
                return error(errc::io_error, "reading " + name_ + " failed: " + ec.message());
        }
        else if (kind_ == kind::generator)
        {
            auto r = generate_(std::span<char>(out, cap));
            if (!r)
                return r.error();
            n = std::min(*r, cap);
        }
        if (n == 0)
            return error(errc::io_error, name_ + " ended before the declared body length");
        return n;
    }

private:
    enum class kind { none, file, generator };
    kind kind_ = kind::none;
    beast::file file_;
    std::uint64_t offset_ = 0;
    body_chunk_source generate_;
    std::string name_;
};

// Removes a temporary download file unless the download was committed.
class partial_file
{
public:
    partial_file() = default;
    partial_file(partial_file const&) = delete;
    partial_file& operator=(partial_file const&) = delete;
    ~partial_file()
    {
        if (file_.is_open())
        {
            boost::system::error_code ec;
            file_.close(ec);
        }
        if (!temp_.empty())
        {
            std::error_code ec;
            std::filesystem::remove(temp_, ec);
        }
    }

    result<void> open(std::filesystem::path const& final_path)
    {
        final_ = final_path;
        temp_ = final_path;
        temp_ += ".mlcloud-partial";
        boost::system::error_code ec;
        file_.open(temp_.c_str(), beast::file_mode::write, ec);
        if (ec)
        {
            temp_.clear();
            return error(errc::io_error, "cannot write " + final_.string() + ": " + ec.message());
        }
        return {};
    }

    result<void> write(char const* data, std::size_t size)
    {
        boost::system::error_code ec;
        while (size > 0 && !ec)
        {
            auto n = file_.write(data, size, ec);
            data += n;
            size -= n;
        }
        if (ec)
            return error(errc::io_error, "writing " + final_.string() + " failed: " + ec.message());
        return {};
    }

    result<void> commit()
    {
        boost::system::error_code ec;
        file_.close(ec);
        std::error_code rename_ec;
        if (!ec)
            std::filesystem::rename(temp_, final_, rename_ec);
        if (ec || rename_ec)
            return error(errc::io_error, "cannot complete " + final_.string() + ": " + (ec ? ec.message() : rename_ec.message()));
        temp_.clear();
        return {};
    }

private:
    beast::file file_;
    std::filesystem::path final_;
    std::filesystem::path temp_;
};

// State of one DNS lookup, shared with its completion handler (see client_impl::resolve).
struct dns_lookup
{
    dns_lookup(asio::any_io_executor resolver_ex, asio::any_io_executor timer_ex, steady::time_point until)
        : resolver(std::move(resolver_ex)), timer(std::move(timer_ex), until)
    {
    }
    tcp::resolver resolver;
    asio::steady_timer timer;
    std::mutex mutex;
    bool done = false;
    boost::system::error_code ec;
    std::vector<tcp::endpoint> endpoints;
};

class client_impl;

// A reserved pool slot or a connection taken from the pool, given back on every path (also
// when a cancelled coroutine unwinds), so the per-host count never leaks.
class pool_slot
{
public:
    pool_slot(connection_pool& pool, std::string key, std::unique_ptr<connection> reused)
        : pool_(&pool), key_(std::move(key)), conn_(std::move(reused))
    {
    }
    pool_slot(pool_slot const&) = delete;
    pool_slot& operator=(pool_slot const&) = delete;
    ~pool_slot()
    {
        if (conn_)
            pool_->release(std::move(conn_), false);
        else if (pool_)
            pool_->cancel_slot(key_);
    }

    connection* get() const noexcept { return conn_.get(); }
    void adopt(std::unique_ptr<connection> c) { conn_ = std::move(c); }

    /// Gives the connection back: to the idle list when `reusable`, else closed.
    void release(bool reusable)
    {
        pool_->release(std::move(conn_), reusable);
        pool_ = nullptr;
    }

    /// Hands the connection over (to a body_stream, which releases it itself).
    std::unique_ptr<connection> take()
    {
        pool_ = nullptr;
        return std::move(conn_);
    }

private:
    connection_pool* pool_;
    std::string key_;
    std::unique_ptr<connection> conn_;
};

// ---------------------------------------------------------------------------------------
// A response whose body is read piece by piece (the server-sent events reader)

class body_stream
{
public:
    body_stream(std::shared_ptr<client_impl> owner, std::unique_ptr<connection> conn, std::unique_ptr<parser_type> parser,
                std::string where, std::chrono::milliseconds idle)
        : owner_(std::move(owner)), conn_(std::move(conn)), parser_(std::move(parser)), where_(std::move(where)), idle_(idle)
    {
    }
    body_stream(body_stream const&) = delete;
    body_stream& operator=(body_stream const&) = delete;
    inline ~body_stream();

    struct chunk
    {
        std::size_t size = 0;
        bool complete = false;       // the response ended normally
        bool window_closed = false;  // the caller's deadline passed (not a failure)
    };

    /// Reads up to `cap` body bytes, waiting until `deadline` at most (and no longer than the
    /// idle timeout without a byte).
    inline asio::awaitable<result<chunk>> read_some(char* out, std::size_t cap, steady::time_point deadline);

private:
    std::shared_ptr<client_impl> owner_;
    std::unique_ptr<connection> conn_;
    std::unique_ptr<parser_type> parser_;
    std::string where_;
    std::chrono::milliseconds idle_;
    std::optional<error> lost_; // reported by the read after the one that delivered the last bytes
};

// ---------------------------------------------------------------------------------------

class client_impl : public std::enable_shared_from_this<client_impl>
{
public:
    client_impl(asio::any_io_executor ex, client_options opts)
        : ex_(std::move(ex)),
          opts_(std::move(opts)),
          proxy_(opts_.proxy ? *opts_.proxy : proxy_options::from_environment()),
          retry_(opts_.retry),
          pool_(opts_.pool)
    {
        if (opts_.buffer_size < 1024)
            opts_.buffer_size = 1024;
    }

    asio::any_io_executor const& executor() const noexcept { return ex_; }
    client_options const& options() const noexcept { return opts_; }
    connection_pool& pool() noexcept { return pool_; }
    retry_policy& retry() noexcept { return retry_; }

    /// The whole send: attempts under the retry policy.
    static asio::awaitable<result<response>> send(std::shared_ptr<client_impl> self, request req)
    {
        co_return co_await self->send_impl(req);
    }

    /// What open_stream() yields: the response, and the body stream when it is a 2xx.
    struct opened
    {
        response head;
        std::unique_ptr<body_stream> stream;
    };

    /// One attempt (plus the free retry on a stale connection) that stops after the response
    /// head of a 2xx and hands over the body; other statuses come back complete.
    asio::awaitable<result<opened>> open_stream(request& req, steady::time_point deadline);

private:
    struct attempt_result
    {
        std::optional<response> resp;
        std::optional<failure> fail;
        bool reused = false;
        std::unique_ptr<body_stream> stream;
    };

    struct write_result
    {
        std::optional<failure> fail;
        std::uint64_t bytes_written = 0;
    };

    struct dial_result
    {
        std::unique_ptr<connection> conn;
        std::optional<failure> fail;
    };

    // The TLS context is made on first use: loading the system CA store parses a hundred
    // certificates, which a client that only talks plain HTTP to loopback never needs.
    result<ssl::context*> tls_context()
    {
        std::lock_guard lock(tls_mutex_);
        if (tls_error_)
            return *tls_error_;
        if (ssl_)
            return &*ssl_;
        ssl::context ctx(ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
        ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
        boost::system::error_code ec;
        if (opts_.tls.use_system_store)
        {
            ctx.set_default_verify_paths(ec);
            if (ec)
                tls_error_ = error(errc::invalid_argument, "cannot load the system CA store: " + ec.message());
        }
        if (!opts_.tls.ca_file.empty() && !tls_error_)
        {
            ctx.load_verify_file(opts_.tls.ca_file, ec);
            if (ec)
                tls_error_ = error(errc::invalid_argument,
                                   "cannot load the CA file '" + opts_.tls.ca_file + "': " + ec.message());
        }
        if (tls_error_)
            return *tls_error_;
        ctx.set_verify_mode(opts_.tls.verify_peer ? ssl::verify_peer : ssl::verify_none);
        ssl_.emplace(std::move(ctx));
        return &*ssl_;
    }

    result<route> make_route(std::string const& url_text) const
    {
        auto u = parse_url(url_text);
        if (!u)
            return u.error();
        route r;
        r.url = std::move(*u);
        std::string proxy(proxy_.select(r.url.scheme, r.url.host, r.url.port));
        if (!proxy.empty())
        {
            if (proxy.find("://") == std::string::npos)
                proxy = "http://" + proxy;
            auto p = parse_url(proxy);
            if (!p)
                return error(errc::invalid_argument, "bad proxy URL '" + redact_url(proxy) + "'");
            if (p->scheme != "http")
                return error(errc::invalid_argument, "bad proxy URL '" + redact_url(proxy) +
                                                         "': only http:// proxies are supported");
            if (!p->user.empty() || !p->password.empty())
                r.proxy_authorization = "Basic " + base64(p->user + ":" + p->password);
            r.proxy = std::move(*p);
        }
        r.pool_key = r.url.scheme + "://" + r.url.authority(true);
        if (r.proxy)
            r.pool_key += " via " + r.proxy->authority(true);
        r.request_target = (r.proxy && !r.url.is_tls())
                               ? r.url.scheme + "://" + r.url.authority() + r.url.target // absolute-form
                               : r.url.target;
        return r;
    }

    // Restores nothing (the caller does), adds the transport's headers, runs the hook.
    result<route> prepare_attempt(request& req, unsigned attempt, std::uint64_t body_length) const
    {
        auto u = parse_url(req.url);
        if (!u)
            return u.error();
        if (!req.headers.contains("host"))
            req.headers.set("Host", u->authority());
        if (!opts_.user_agent.empty() && !req.headers.contains("user-agent"))
            req.headers.set("User-Agent", opts_.user_agent);
        req.headers.erase("content-length");
        req.headers.erase("transfer-encoding");
        if (body_length > 0 || req.method == method::post || req.method == method::put || req.method == method::patch)
            req.headers.set("Content-Length", std::to_string(body_length));
        if (!opts_.idempotency_header.empty() && !req.idempotency_key.empty() &&
            !req.headers.contains(opts_.idempotency_header))
            req.headers.set(opts_.idempotency_header, req.idempotency_key);
        if (req.prepare)
        {
            auto hooked = req.prepare(req, attempt);
            if (!hooked)
                return hooked.error();
        }
        if (auto bad = validate_headers(req.headers))
            return *bad;
        return make_route(req.url);
    }

    static std::string serialize_head(request const& req, route const& rt)
    {
        std::string head;
        head.reserve(256);
        head.append(to_string(req.method)).append(" ").append(rt.request_target).append(" HTTP/1.1\r\n");
        for (auto const& [name, value] : req.headers)
            head.append(name).append(": ").append(value).append("\r\n");
        if (rt.proxy && !rt.url.is_tls() && !rt.proxy_authorization.empty())
            head.append("Proxy-Authorization: ").append(rt.proxy_authorization).append("\r\n");
        head.append("\r\n");
        return head;
    }

    // The back-off before attempt `next`; the error to end with when the caller cancelled
    // meanwhile (no further attempt).
    asio::awaitable<std::optional<error>> back_off(std::chrono::milliseconds d, unsigned next)
    {
        if (d > std::chrono::milliseconds(0))
        {
            asio::steady_timer timer(ex_, d);
            co_await timer.async_wait(use_tuple);
        }
        auto const state = co_await asio::this_coro::cancellation_state;
        if (cancel_requested(state))
            co_return error(errc::cancelled, "cancelled before attempt " + std::to_string(next));
        co_return std::nullopt;
    }

    void log_attempt(request const& req, unsigned attempt, steady::time_point start, attempt_result const& ar) const
    {
        if (!opts_.on_log)
            return;
        std::string url = redact_url(req.url);
        log_event ev;
        ev.method = to_string(req.method);
        ev.url = url;
        ev.status = ar.resp ? ar.resp->status : 0;
        ev.duration = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - start);
        ev.attempt = attempt;
        ev.reused_connection = ar.reused;
        if (ar.fail)
            ev.error = ar.fail->err.message; // built through redact_text
        try
        {
            opts_.on_log(ev);
        }
        catch (...)
        {
            // A logger must not change the outcome of a request.
        }
    }

    asio::awaitable<result<response>> send_impl(request& req);
    asio::awaitable<attempt_result> run_attempt(request& req, route const& rt, timeouts const& to,
                                                std::uint64_t body_length, steady::time_point deadline, bool stream_mode);
    asio::awaitable<result<std::vector<tcp::endpoint>>> resolve(route const& rt, timeouts const& to,
                                                                steady::time_point deadline, failure& fail);
    asio::awaitable<dial_result> dial(route const& rt, timeouts const& to, steady::time_point deadline);
    asio::awaitable<std::optional<failure>> tunnel(connection& c, route const& rt, timeouts const& to,
                                                   steady::time_point deadline);
    asio::awaitable<std::optional<failure>> handshake(connection& c, route const& rt, timeouts const& to,
                                                      steady::time_point deadline);
    asio::awaitable<write_result> write_request(connection& c, std::string const& head, request const& req,
                                                body_source& src, std::uint64_t body_length, route const& rt,
                                                timeouts const& to, steady::time_point deadline);
    // Sends the rest of a file body with sendfile; false when the file cannot be sent that
    // way (nothing failed: the caller reads the rest through its buffer).
    asio::awaitable<bool> send_file_directly(connection& c, request const& req, body_source& src,
                                             std::uint64_t& sent, std::uint64_t body_length, route const& rt,
                                             timeouts const& to, steady::time_point deadline, write_result& out);
    static failure write_failure(boost::system::error_code ec, phase const& ph, route const& rt, timeouts const& to);
    asio::awaitable<std::optional<failure>> read_head(connection& c, std::unique_ptr<parser_type>& p, request const& req,
                                                      route const& rt, timeouts const& to, steady::time_point deadline);
    asio::awaitable<std::optional<failure>> read_body(connection& c, parser_type& p, response& r, request const& req,
                                                      route const& rt, timeouts const& to, steady::time_point deadline);
    failure read_failure(boost::system::error_code const& ec, parser_type const& p, std::uint64_t body_received,
                         route const& rt, phase const& ph, timeouts const& to) const;

    asio::any_io_executor ex_;
    client_options opts_;
    proxy_options proxy_;
    retry_policy retry_;
    connection_pool pool_;
    std::mutex tls_mutex_;
    std::optional<ssl::context> ssl_;
    std::optional<error> tls_error_;
};

// ---------------------------------------------------------------------------------------
// send: the retry loop

inline asio::awaitable<result<response>> client_impl::send_impl(request& req)
{
    std::string const operation = std::string(to_string(req.method)) + " " + redact_url(req.url);
    auto decorate = [&](error e) {
        if (e.operation.empty())
            e.operation = operation;
        return e;
    };
    auto body_length = req.body.size();
    if (!body_length)
        co_return decorate(body_length.error());

    timeouts const to = req.timeouts.apply_to(opts_.timeouts);
    fields const original_headers = req.headers;
    std::string const original_url = req.url;
    unsigned last_retry_cost = 0;
    for (unsigned attempt = 1;; ++attempt)
    {
        req.headers = original_headers;
        req.url = original_url;
        auto rt = prepare_attempt(req, attempt, *body_length);
        if (!rt)
            co_return decorate(rt.error());

        auto const start = steady::now();
        attempt_result ar = co_await run_attempt(req, *rt, to, *body_length, after(to.request), false);
        log_attempt(req, attempt, start, ar);

        if (ar.resp)
        {
            response& r = *ar.resp;
            r.attempts = attempt;
            retry_class cls = r.ok() ? retry_class::none : retry_.classify(r);
            if (cls != retry_class::none && req.is_replayable())
            {
                auto d = retry_.on_failure(cls, attempt, retry_.retry_after(r), req.max_attempts);
                if (d.retry)
                {
                    last_retry_cost = d.cost;
                    if (auto stop = co_await back_off(d.delay, attempt + 1))
                        co_return decorate(std::move(*stop));
                    continue;
                }
            }
            if (r.ok())
                retry_.on_success(last_retry_cost);
            co_return std::move(r);
        }

        failure& f = *ar.fail;
        // Nothing can be duplicated when nothing was sent; otherwise only a replayable request
        // (idempotent, or deduplicated by its key) may go out again.
        bool may_resend = f.at == stage::nothing_sent || req.is_replayable();
        if (!may_resend)
        {
            // The connection was lost (or timed out, or the caller gave up) after the request
            // went out: its outcome is unknown. Other failures (an oversized or malformed
            // answer, a file that cannot be written) keep their code: the server answered.
            bool lost = f.err.is(errc::network_error) || f.err.is(errc::timeout) || f.err.is(errc::cancelled);
            std::string why = "the request was sent and may have taken effect, so it is not repeated (" +
                              std::string(to_string(req.method)) + " is not idempotent and has no idempotency key)";
            error e = lost ? error(errc::outcome_unknown, f.err.message + "; " + why) : std::move(f.err);
            if (!lost)
                e.message += "; " + why;
            e.with_retry_safe(false);
            if (f.status != 0)
                e.with_http(f.status, f.request_id);
            co_return decorate(std::move(e));
        }
        // A timeout after sending means the server may still be at work on it (see
        // request::retry_timeouts).
        bool const timed_out_at_server = f.cls == retry_class::timeout && f.at != stage::nothing_sent;
        auto d = timed_out_at_server && !req.retry_timeouts
                     ? retry_decision{.reason = "the request asks not to be sent again after a timeout"}
                     : retry_.on_failure(f.cls, attempt, std::nullopt, req.max_attempts);
        if (d.retry)
        {
            last_retry_cost = d.cost;
            if (auto stop = co_await back_off(d.delay, attempt + 1))
                co_return decorate(std::move(*stop));
            continue;
        }
        error e = std::move(f.err);
        if (attempt > 1)
            e.message += " (after " + std::to_string(attempt) + " attempts)";
        if (f.cls != retry_class::none && attempt < req.max_attempts.value_or(retry_.options().max_attempts))
            e.message += " (not retried: " + d.reason + ")";
        e.with_retry_safe(true);
        if (f.status != 0)
            e.with_http(f.status, f.request_id);
        co_return decorate(std::move(e));
    }
}

// ---------------------------------------------------------------------------------------
// One attempt

inline asio::awaitable<client_impl::attempt_result> client_impl::run_attempt(request& req, route const& rt,
                                                                               timeouts const& to,
                                                                               std::uint64_t body_length,
                                                                               steady::time_point deadline,
                                                                               bool stream_mode)
{
    attempt_result out;
    std::string const head = serialize_head(req, rt);
    // Pass 0 may use a pooled connection. Pass 1 runs only when that connection turned out
    // to be dead in a way that proves, or (for a replayable request) makes it safe to
    // assume, that the server did not process the request: see docs/transport.md.
    for (int pass = 0; pass < 2; ++pass)
    {
        auto src = body_source::open(req.body);
        if (!src)
        {
            out.fail = failure_from(src.error(), retry_class::none, stage::nothing_sent);
            co_return out;
        }
        auto lease = co_await pool_.acquire(rt.pool_key, deadline, pass > 0);
        if (!lease)
        {
            out.fail = failure_from(lease.error(), lease.error().is(errc::cancelled) ? retry_class::none : retry_class::timeout,
                                    stage::nothing_sent);
            co_return out;
        }
        bool const reused = lease->reused != nullptr;
        pool_slot slot(pool_, rt.pool_key, std::move(lease->reused));
        out.reused = reused;
        if (!reused)
        {
            auto dialed = co_await dial(rt, to, deadline);
            if (dialed.fail)
            {
                out.fail = std::move(dialed.fail);
                co_return out;
            }
            slot.adopt(std::move(dialed.conn));
        }
        connection& conn = *slot.get();

        auto written = co_await write_request(conn, head, req, *src, body_length, rt, to, deadline);
        if (written.fail)
        {
            slot.release(false);
            bool stale = reused && pass == 0 &&
                         (written.bytes_written == 0 || (written.fail->connection_lost && req.is_replayable()));
            if (stale)
                continue;
            if (written.bytes_written == 0)
                written.fail->at = stage::nothing_sent;
            out.fail = std::move(written.fail);
            co_return out;
        }

        std::unique_ptr<parser_type> parser;
        if (auto f = co_await read_head(conn, parser, req, rt, to, deadline))
        {
            slot.release(false);
            if (reused && pass == 0 && f->at == stage::request_sent && f->connection_lost && req.is_replayable())
                continue;
            out.fail = std::move(f);
            co_return out;
        }

        response r;
        auto const& msg = parser->get();
        r.status = msg.result_int();
        r.reason = msg.reason();
        for (auto const& field : msg)
            r.headers.add(field.name_string(), field.value());

        if (stream_mode && r.ok() && !parser->is_done())
        {
            out.stream = std::make_unique<body_stream>(shared_from_this(), slot.take(), std::move(parser), rt.where(),
                                                       to.idle);
            out.resp = std::move(r);
            co_return out;
        }

        if (auto f = co_await read_body(conn, *parser, r, req, rt, to, deadline))
        {
            slot.release(false);
            f->status = r.status;
            f->request_id = r.request_id();
            out.fail = std::move(f);
            co_return out;
        }
        bool keep_alive = parser->keep_alive() && conn.buffer().size() == 0;
        ++conn.requests;
        slot.release(keep_alive);
        out.resp = std::move(r);
        co_return out;
    }
    // Unreachable: pass 1 always returns.
    out.fail = make_failure(errc::network_error, "no usable connection to " + rt.where(), retry_class::transient,
                            stage::nothing_sent);
    co_return out;
}

// ---------------------------------------------------------------------------------------
// Opening connections

inline asio::awaitable<result<std::vector<tcp::endpoint>>> client_impl::resolve(route const& rt, timeouts const& to,
                                                                               steady::time_point deadline,
                                                                               failure& fail)
{
    url_parts const& hop = rt.proxy ? *rt.proxy : rt.url;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(hop.host, ec);
    if (!ec)
        co_return std::vector<tcp::endpoint>{tcp::endpoint(address, hop.port)};

    // The lookup runs detached with its own state: getaddrinfo cannot be interrupted, and
    // waiting for it to notice a cancellation would make the resolve timeout a suggestion.
    // When the timer wins, the late answer lands in the shared state and is dropped.
    auto ph = phase_until(to.resolve, deadline);
    auto state = std::make_shared<dns_lookup>(ex_, co_await asio::this_coro::executor, ph.until);
    state->resolver.async_resolve(hop.host, std::to_string(hop.port),
                                  [state](boost::system::error_code ec, tcp::resolver::results_type results) {
                                      {
                                          std::lock_guard lock(state->mutex);
                                          state->done = true;
                                          state->ec = ec;
                                          for (auto const& entry : results)
                                              state->endpoints.push_back(entry.endpoint());
                                      }
                                      asio::post(state->timer.get_executor(), [state] { state->timer.cancel(); });
                                  });
    co_await state->timer.async_wait(use_tuple);
    auto const cancellation = co_await asio::this_coro::cancellation_state;
    bool const cancelled = cancel_requested(cancellation);
    std::lock_guard lock(state->mutex);
    if (!state->done && cancelled)
    {
        fail = cancelled_failure("resolving " + hop.host, stage::nothing_sent);
        co_return error(errc::cancelled);
    }
    if (!state->done)
    {
        fail = timeout_failure(ph, "resolving " + hop.host, to.resolve, "resolve", to.request, stage::nothing_sent);
        co_return error(errc::timeout);
    }
    if (state->ec)
    {
        // "Host not found" is final; a temporary DNS failure is worth another try.
        bool temporary = state->ec == asio::error::host_not_found_try_again;
        fail = make_failure(errc::network_error, "cannot resolve " + hop.host + ": " + state->ec.message(),
                            temporary ? retry_class::transient : retry_class::none, stage::nothing_sent);
        co_return error(errc::network_error);
    }
    if (state->endpoints.empty())
    {
        fail = make_failure(errc::network_error, "cannot resolve " + hop.host + ": no address", retry_class::none,
                            stage::nothing_sent);
        co_return error(errc::network_error);
    }
    co_return std::move(state->endpoints);
}

inline asio::awaitable<client_impl::dial_result> client_impl::dial(route const& rt, timeouts const& to,
                                                                     steady::time_point deadline)
{
    dial_result out;
    if (rt.url.is_tls())
        if (auto context = tls_context(); !context)
        {
            out.fail = failure_from(context.error(), retry_class::none, stage::nothing_sent);
            co_return out;
        }
    failure fail;
    auto endpoints = co_await resolve(rt, to, deadline, fail);
    if (!endpoints)
    {
        out.fail = std::move(fail);
        co_return out;
    }
    // The read buffer starts small (heads, SSE events): an idle or streaming connection is
    // then a few KiB, which is what lets one thread follow a thousand logs. Bodies of known
    // length bypass it; a chunked body grows it to buffer_size when its reading begins.
    auto conn = std::make_unique<connection>(ex_, rt.pool_key, std::min<std::size_t>(opts_.buffer_size, initial_read_size),
                                             std::max<std::size_t>(opts_.buffer_size, 64 * 1024) + 64 * 1024);
    auto ph = phase_until(to.connect, deadline);
    conn->tcp().expires_at(ph.until);
    // The addresses one after the other under one deadline, as asio::async_connect on the
    // range would do (a loop here instead: its range operation is one more set of Asio
    // operations to compile next to the single connect).
    boost::system::error_code ec;
    for (std::size_t i = 0; i < endpoints->size(); ++i)
    {
        if (i > 0)
        {
            boost::system::error_code ignored;
            conn->tcp().socket().close(ignored);
        }
        tcp::endpoint const& endpoint = (*endpoints)[i];
        std::tie(ec) = co_await conn->tcp().async_connect(endpoint, use_tuple);
        if (!ec || ec == asio::error::operation_aborted || ec == beast::error::timeout)
            break;
    }
    if (ec)
    {
        std::string what = "connecting to " + rt.first_hop() + (rt.proxy ? " (proxy)" : "");
        if (ec == asio::error::operation_aborted)
            out.fail = cancelled_failure(what, stage::nothing_sent);
        else if (ec == beast::error::timeout)
            out.fail = timeout_failure(ph, what, to.connect, "connect", to.request, stage::nothing_sent);
        else
            out.fail = make_failure(errc::network_error, what + " failed: " + ec.message(), retry_class::transient,
                                    stage::nothing_sent);
        co_return out;
    }
    boost::system::error_code ignored;
    conn->tcp().socket().set_option(tcp::no_delay(true), ignored);

    if (rt.proxy && rt.url.is_tls())
        if (auto f = co_await tunnel(*conn, rt, to, deadline))
        {
            out.fail = std::move(f);
            co_return out;
        }
    if (rt.url.is_tls())
        if (auto f = co_await handshake(*conn, rt, to, deadline))
        {
            out.fail = std::move(f);
            co_return out;
        }
    conn->tcp().expires_never();
    out.conn = std::move(conn);
    co_return out;
}

// CONNECT host:port through an HTTP proxy; TLS to the origin follows inside the tunnel.
inline asio::awaitable<std::optional<failure>> client_impl::tunnel(connection& c, route const& rt, timeouts const& to,
                                                                   steady::time_point deadline)
{
    std::string const target = rt.url.authority(true);
    std::string head = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n";
    if (!rt.proxy_authorization.empty())
        head += "Proxy-Authorization: " + rt.proxy_authorization + "\r\n";
    if (!opts_.user_agent.empty())
        head += "User-Agent: " + opts_.user_agent + "\r\n";
    head += "\r\n";
    std::string const what = "CONNECT to " + target + " through the proxy " + rt.first_hop();

    auto ph = phase_until(to.tls_handshake, deadline);
    c.tcp().expires_at(ph.until);
    std::array<asio::const_buffer, 2> const request{asio::buffer(head), asio::const_buffer()};
    auto [wec, written] = co_await write_all(c, request);
    (void)written;
    http::response_parser<http::empty_body> p;
    p.skip(true); // a 2xx answer to CONNECT has no body: the tunnel starts right after the head
    boost::system::error_code ec = wec;
    while (!ec && !p.is_header_done())
        ec = co_await read_http_some(c, p);
    if (ec)
    {
        if (ec == asio::error::operation_aborted)
            co_return cancelled_failure(what, stage::nothing_sent);
        if (ec == beast::error::timeout)
            co_return timeout_failure(ph, what, to.tls_handshake, "TLS handshake", to.request, stage::nothing_sent);
        co_return make_failure(errc::network_error, what + " failed: " + ec.message(), retry_class::transient,
                               stage::nothing_sent);
    }
    int status = p.get().result_int();
    if (status < 200 || status >= 300)
    {
        // 407 means our credentials are wrong: retrying cannot help. 5xx may be the proxy's
        // own trouble reaching the origin.
        auto cls = status >= 500 ? retry_class::transient : retry_class::none;
        co_return make_failure(errc::network_error,
                               what + " was refused: HTTP " + std::to_string(status) + " " + std::string(p.get().reason()),
                               cls, stage::nothing_sent);
    }
    c.buffer().clear();
    co_return std::nullopt;
}

inline asio::awaitable<std::optional<failure>> client_impl::handshake(connection& c, route const& rt,
                                                                      timeouts const& to, steady::time_point deadline)
{
    auto context = tls_context();
    if (!context)
        co_return failure_from(context.error(), retry_class::none, stage::nothing_sent);
    c.start_tls(**context);
    SSL* ssl = c.tls().native_handle();
    std::string const& host = rt.url.host;
    bool const ip = is_ip_literal(host);
    // SNI carries names only (RFC 6066 §3); the name or address is then checked against the
    // certificate by OpenSSL during the handshake.
    if (!ip)
        SSL_set_tlsext_host_name(ssl, host.c_str());
    if (opts_.tls.verify_peer)
    {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                    : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
        if (ok != 1)
            co_return make_failure(errc::invalid_argument, "cannot verify the host name '" + host + "'",
                                   retry_class::none, stage::nothing_sent);
    }
    auto ph = phase_until(to.tls_handshake, deadline);
    c.tcp().expires_at(ph.until);
    auto [ec] = co_await c.tls().async_handshake(ssl::stream_base::client, use_tuple);
    if (!ec)
        co_return std::nullopt;
    std::string const what = "TLS handshake with " + rt.where();
    if (ec == asio::error::operation_aborted)
        co_return cancelled_failure(what, stage::nothing_sent);
    if (ec == beast::error::timeout)
        co_return timeout_failure(ph, what, to.tls_handshake, "TLS handshake", to.request, stage::nothing_sent);
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK)
        co_return make_failure(errc::network_error,
                               what + " failed: certificate verify failed: " +
                                   X509_verify_cert_error_string(verify),
                               retry_class::none, stage::nothing_sent);
    bool lost = is_connection_lost(ec);
    co_return make_failure(errc::network_error, what + " failed: " + ec.message(),
                           lost ? retry_class::transient : retry_class::none, stage::nothing_sent, lost);
}

// ---------------------------------------------------------------------------------------
// Writing the request

inline failure client_impl::write_failure(boost::system::error_code ec, phase const& ph, route const& rt,
                                          timeouts const& to)
{
    std::string what = "sending the request to " + rt.where();
    if (ec == asio::error::operation_aborted)
        return cancelled_failure(what, stage::request_sent);
    if (ec == beast::error::timeout)
        return timeout_failure(ph, what, to.idle, "idle", to.request, stage::request_sent);
    return make_failure(errc::network_error, what + " failed: " + ec.message(), retry_class::transient,
                        stage::request_sent, is_connection_lost(ec));
}

inline asio::awaitable<client_impl::write_result> client_impl::write_request(connection& c, std::string const& head,
                                                                               request const& req, body_source& src,
                                                                               std::uint64_t body_length,
                                                                               route const& rt, timeouts const& to,
                                                                               steady::time_point deadline)
{
    write_result out;
    std::string const* text = req.body.text();
    // A file range over plain TCP goes out with sendfile once the head is written. The head
    // then leaves before any of the file is read, so a file already too short fails here,
    // with nothing sent, as it does on the buffered path.
    bool direct = opts_.zero_copy_file_bodies && !c.is_tls() && src.file_descriptor() >= 0 && body_length > 0;
    if (direct)
        if (auto whole = src.holds(body_length); !whole)
        {
            out.fail = failure_from(whole.error(), retry_class::none, stage::nothing_sent);
            co_return out;
        }
    std::vector<char> buffer;
    if (!text && !direct && body_length > 0)
        buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(opts_.buffer_size, body_length)));
    std::uint64_t sent = 0;
    bool head_pending = true;
    while (head_pending || sent < body_length)
    {
        if (direct && !head_pending)
        {
            direct = co_await send_file_directly(c, req, src, sent, body_length, rt, to, deadline, out);
            if (out.fail || sent == body_length)
                co_return out;
            // sendfile cannot read this file (e.g. a FUSE mount without splice): the rest
            // goes through the buffer, from where sendfile stopped.
            if (auto skipped = src.skip_to(src.file_offset() + sent); !skipped)
            {
                out.fail = failure_from(skipped.error(), retry_class::none, stage::request_sent);
                co_return out;
            }
            buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(opts_.buffer_size, body_length - sent)));
        }
        // The head goes out together with the first piece of the body: one write for a
        // small request (alone before a body sent from its file).
        std::string_view piece;
        if (sent < body_length && !direct)
        {
            auto want = static_cast<std::size_t>(std::min<std::uint64_t>(opts_.buffer_size, body_length - sent));
            if (text)
                piece = std::string_view(*text).substr(static_cast<std::size_t>(sent), want);
            else
            {
                auto n = src.read(buffer.data(), want);
                if (!n)
                {
                    out.fail = failure_from(n.error(), retry_class::none,
                                            out.bytes_written ? stage::request_sent : stage::nothing_sent);
                    co_return out;
                }
                piece = std::string_view(buffer.data(), *n);
            }
        }
        std::array<asio::const_buffer, 2> buffers{head_pending ? asio::buffer(head) : asio::const_buffer(),
                                                  asio::buffer(piece.data(), piece.size())};
        auto ph = phase_until(to.idle, deadline);
        c.tcp().expires_at(ph.until);
        auto [ec, n] = co_await write_all(c, buffers);
        out.bytes_written += n;
        if (ec)
        {
            out.fail = write_failure(ec, ph, rt, to);
            co_return out;
        }
        head_pending = false;
        if (!piece.empty())
        {
            sent += piece.size();
            if (req.on_upload_progress)
                req.on_upload_progress(sent, body_length);
        }
    }
    co_return out;
}

// Errors of sendfile that come from the connection; the others come from reading the file.
inline bool is_socket_errno(int e) noexcept
{
    return e == EPIPE || e == ECONNRESET || e == ECONNABORTED || e == ETIMEDOUT || e == ENETDOWN || e == ENETUNREACH ||
           e == EHOSTUNREACH || e == ENOTCONN || e == ENOBUFS;
}

inline asio::awaitable<bool> client_impl::send_file_directly(connection& c, request const& req, body_source& src,
                                                             std::uint64_t& sent, std::uint64_t body_length,
                                                             route const& rt, timeouts const& to,
                                                             steady::time_point deadline, write_result& out)
{
    // At most 1 MiB per call, then a turn for the executor's other work: a peer that keeps
    // up (loopback) would otherwise never make this coroutine wait, and nothing else on its
    // thread would run until the whole part was sent.
    constexpr std::uint64_t max_step = 1u << 20;
    auto const ex = co_await asio::this_coro::executor;
    auto& socket = c.tcp().socket();
    // Asio made the descriptor non-blocking for its own operations; say so explicitly, since
    // a blocking sendfile would hold this thread with no timeout.
    boost::system::error_code nb;
    socket.non_blocking(true, nb);
    if (nb)
        co_return false;
    int const fd = socket.native_handle();
    while (sent < body_length)
    {
        auto const want = static_cast<std::size_t>(std::min(max_step, body_length - sent));
        auto const step = send_file_some(fd, src.file_descriptor(), src.file_offset() + sent, want);
        if (step.sent > 0)
        {
            sent += step.sent;
            out.bytes_written += step.sent;
            if (req.on_upload_progress)
                req.on_upload_progress(sent, body_length);
            if (steady::now() >= deadline)
            {
                out.fail = write_failure(beast::error::timeout, phase{deadline, true}, rt, to);
                co_return true;
            }
            co_await asio::post(ex, asio::use_awaitable);
            auto const cancellation = co_await asio::this_coro::cancellation_state;
            if (cancel_requested(cancellation))
            {
                out.fail = write_failure(asio::error::operation_aborted, phase{deadline, true}, rt, to);
                co_return true;
            }
            continue;
        }
        if (step.error == 0)
        {
            out.fail = make_failure(errc::io_error, src.name() + " ended before the declared body length",
                                    retry_class::none, stage::request_sent);
            co_return true;
        }
        if (step.error == EAGAIN || step.error == EWOULDBLOCK)
        {
            auto ph = phase_until(to.idle, deadline);
            if (auto ec = co_await wait_writable(socket, ph.until))
            {
                out.fail = write_failure(ec, ph, rt, to);
                co_return true;
            }
            continue;
        }
        if (step.error == EINVAL || step.error == ENOSYS || step.error == EOPNOTSUPP)
            co_return false; // this file cannot be spliced: the caller reads it instead
        boost::system::error_code const ec(step.error, boost::system::system_category());
        if (is_socket_errno(step.error))
            out.fail = write_failure(ec, phase_until(to.idle, deadline), rt, to);
        else
            out.fail = make_failure(errc::io_error, "reading " + src.name() + " failed: " + ec.message(),
                                    retry_class::none, stage::request_sent);
        co_return true;
    }
    co_return true;
}

// ---------------------------------------------------------------------------------------
// Reading the response

inline failure client_impl::read_failure(boost::system::error_code const& ec, parser_type const& p,
                                         std::uint64_t body_received, route const& rt, phase const& ph,
                                         timeouts const& to) const
{
    stage at = p.got_some() ? stage::response_started : stage::request_sent;
    std::string const where = rt.where();
    if (ec == beast::error::timeout)
        return timeout_failure(ph, "waiting for " + where + (p.got_some() ? " to send the rest of the response" : " to respond"),
                               to.idle, "idle", to.request, at);
    if (ec == http::error::end_of_stream || (!p.got_some() && is_connection_lost(ec)))
        return make_failure(errc::network_error, where + " closed the connection before responding (" + ec.message() + ")",
                            retry_class::transient, at, true);
    if (ec == http::error::partial_message || is_connection_lost(ec))
    {
        std::string detail = "the connection to " + where + " was lost in the middle of the response";
        if (p.is_header_done())
        {
            detail += " after " + std::to_string(body_received);
            if (auto cl = p.content_length())
                detail += " of " + std::to_string(*cl);
            detail += " body bytes";
        }
        return make_failure(errc::network_error, detail + " (" + ec.message() + ")", retry_class::transient, at, true);
    }
    if (ec == asio::error::operation_aborted)
        return cancelled_failure("the request to " + where, at);
    if (ec.category() == http::make_error_code(http::error::bad_version).category())
        return make_failure(errc::protocol_error, "malformed response from " + where + ": " + ec.message(),
                            retry_class::none, at);
    return make_failure(errc::network_error, "reading the response from " + where + " failed: " + ec.message(),
                        retry_class::transient, at, false);
}

inline asio::awaitable<std::optional<failure>> client_impl::read_head(connection& c, std::unique_ptr<parser_type>& p,
                                                                      request const& req, route const& rt,
                                                                      timeouts const& to, steady::time_point deadline)
{
    while (true)
    {
        p = std::make_unique<parser_type>();
        p->header_limit(64 * 1024);
        p->body_limit(boost::none); // limits are ours: memory and file limits differ
        if (req.method == method::head)
            p->skip(true);
        while (!p->is_header_done())
        {
            auto ph = phase_until(to.idle, deadline);
            c.tcp().expires_at(ph.until);
            auto ec = co_await read_http_some(c, *p);
            if (ec == http::error::need_buffer)
                ec = {};
            if (ec)
                co_return read_failure(ec, *p, 0, rt, ph, to);
        }
        int status = p->get().result_int();
        // Beast takes any three digits; a status below 100 ("010") is no HTTP status at all
        // (RFC 9110 §15) and would otherwise reach the caller as a "response".
        if (status < 100)
            co_return make_failure(errc::protocol_error,
                                   "malformed response from " + rt.where() + ": status " + std::to_string(status) +
                                       " is not an HTTP status",
                                   retry_class::none, stage::response_started);
        // An interim 1xx answer (other than 101) is followed by the real one.
        if (status >= 100 && status < 200 && status != 101)
            continue;
        co_return std::nullopt;
    }
}

inline asio::awaitable<std::optional<failure>> client_impl::read_body(connection& c, parser_type& p, response& r,
                                                                      request const& req, route const& rt,
                                                                      timeouts const& to, steady::time_point deadline)
{
    bool const to_file = !req.response_file.empty() && r.ok();
    std::uint64_t const limit = to_file ? req.max_body_size.value_or(opts_.max_file_body_size)
                                        : std::min(req.max_body_size.value_or(opts_.max_body_size),
                                                   req.response_file.empty() ? ~std::uint64_t(0) : opts_.max_body_size);
    auto too_large = [&](std::string const& size) {
        return make_failure(errc::payload_too_large,
                            "the response body from " + rt.where() + " (" + size + " bytes) is larger than the limit of " +
                                std::to_string(limit) + " bytes",
                            retry_class::none, stage::response_started);
    };
    auto const declared = p.content_length();
    if (declared && *declared > limit)
        co_return too_large(std::to_string(*declared));

    partial_file file;
    std::vector<char> buffer;
    if (to_file)
    {
        if (auto opened = file.open(req.response_file); !opened)
            co_return failure_from(opened.error(), retry_class::none, stage::response_started);
        buffer.resize(opts_.buffer_size);
    }
    else if (declared)
        r.body.reserve(static_cast<std::size_t>(*declared));

    // Where the next bytes go: straight into the response body, or into the file's buffer.
    std::size_t body_mark = 0;
    auto prepare = [&](std::size_t cap) -> char* {
        if (to_file)
            return buffer.data();
        body_mark = r.body.size();
        r.body.resize(body_mark + cap);
        return r.body.data() + body_mark;
    };
    std::uint64_t total = 0;
    auto commit = [&](char* dest, std::size_t got) -> std::optional<failure> {
        if (!to_file)
            r.body.resize(body_mark + got);
        total += got;
        if (total > limit)
            return too_large("more than " + std::to_string(limit));
        if (to_file && got > 0)
            if (auto w = file.write(dest, got); !w)
                return failure_from(w.error(), retry_class::none, stage::response_started);
        if (got > 0 && req.on_download_progress)
            req.on_download_progress(total, declared.value_or(0));
        return std::nullopt;
    };

    if (declared && !p.is_done())
    {
        // A body of known length is read straight from the stream into its destination: the
        // parser has left every byte after the head in the connection's buffer (it had no
        // body buffer yet), and it is not needed to find the end.
        auto& pending = c.buffer();
        while (total < *declared)
        {
            auto const want = static_cast<std::size_t>(std::min<std::uint64_t>(opts_.buffer_size, *declared - total));
            char* dest = prepare(want);
            std::size_t got = 0;
            boost::system::error_code ec;
            auto ph = phase_until(to.idle, deadline);
            if (pending.size() > 0)
            {
                got = asio::buffer_copy(asio::buffer(dest, want), pending.data());
                pending.consume(got);
            }
            else
            {
                c.tcp().expires_at(ph.until);
                asio::mutable_buffer const space(dest, want);
                std::tie(ec, got) = co_await c.read_some(space);
            }
            if (auto f = commit(dest, got))
                co_return f;
            if (ec)
                co_return read_failure(ec, p, total, rt, ph, to);
        }
    }
    else
    {
        // Chunked, or delimited by the end of the connection: the parser finds the end. It
        // reads through the connection's buffer, as much as that has room for per system call.
        c.buffer().reserve(opts_.buffer_size);
        while (!p.is_done())
        {
            std::size_t const cap = opts_.buffer_size;
            char* dest = prepare(cap);
            p.get().body().data = dest;
            p.get().body().size = cap;
            auto ph = phase_until(to.idle, deadline);
            c.tcp().expires_at(ph.until);
            auto ec = co_await read_http_some(c, p);
            if (ec == http::error::need_buffer)
                ec = {};
            if (auto f = commit(dest, cap - p.get().body().size))
                co_return f;
            if (ec == asio::ssl::error::stream_truncated && p.need_eof())
            {
                // A body delimited by the end of the connection, closed without TLS
                // close_notify: many servers do that, and the length is not in doubt.
                p.put_eof(ec);
            }
            if (ec)
                co_return read_failure(ec, p, total, rt, ph, to);
        }
    }
    r.body_size = total;
    if (to_file)
    {
        if (auto done = file.commit(); !done)
            co_return failure_from(done.error(), retry_class::none, stage::response_started);
        r.body_file = req.response_file;
    }
    co_return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Streams

inline asio::awaitable<result<client_impl::opened>> client_impl::open_stream(request& req, steady::time_point deadline)
{
    std::string const operation = std::string(to_string(req.method)) + " " + redact_url(req.url);
    auto decorate = [&](error e) {
        if (e.operation.empty())
            e.operation = operation;
        return e;
    };
    auto body_length = req.body.size();
    if (!body_length)
        co_return decorate(body_length.error());
    timeouts const to = req.timeouts.apply_to(opts_.timeouts);
    auto rt = prepare_attempt(req, 1, *body_length);
    if (!rt)
        co_return decorate(rt.error());
    auto const start = steady::now();
    auto ar = co_await run_attempt(req, *rt, to, *body_length, std::min(deadline, after(to.request)), true);
    log_attempt(req, 1, start, ar);
    if (ar.fail)
    {
        error e = std::move(ar.fail->err);
        e.with_retry_safe(ar.fail->at == stage::nothing_sent || req.is_replayable());
        co_return decorate(std::move(e));
    }
    co_return opened{std::move(*ar.resp), std::move(ar.stream)};
}

inline body_stream::~body_stream()
{
    if (conn_)
    {
        bool reusable = parser_ && parser_->is_done() && parser_->keep_alive() && conn_->buffer().size() == 0;
        owner_->pool().release(std::move(conn_), reusable);
    }
}

inline asio::awaitable<result<body_stream::chunk>> body_stream::read_some(char* out, std::size_t cap,
                                                                          steady::time_point deadline)
{
    chunk result_chunk;
    if (lost_)
        co_return *std::exchange(lost_, std::nullopt);
    if (!conn_ || parser_->is_done())
    {
        result_chunk.complete = true;
        co_return result_chunk;
    }
    parser_->get().body().data = out;
    parser_->get().body().size = cap;
    auto own = after(idle_);
    bool const window_bound = deadline <= own;
    conn_->tcp().expires_at(window_bound ? deadline : own);
    auto ec = co_await read_http_some(*conn_, *parser_);
    if (ec == http::error::need_buffer)
        ec = {};
    result_chunk.size = cap - parser_->get().body().size;
    if (ec == asio::ssl::error::stream_truncated && parser_->need_eof())
        parser_->put_eof(ec);
    if (ec)
    {
        // The timer closed the socket: the connection is gone either way.
        owner_->pool().release(std::move(conn_), false);
        if (ec == beast::error::timeout && window_bound)
        {
            result_chunk.window_closed = true;
            co_return result_chunk;
        }
        std::string msg = ec == beast::error::timeout
                              ? "no data from " + where_ + " for " + format_duration(idle_) + " (idle timeout)"
                              : "the stream from " + where_ + " was cut: " + ec.message();
        error lost(ec == beast::error::timeout ? errc::timeout : errc::network_error, redact_text(msg));
        if (result_chunk.size > 0)
        {
            lost_ = std::move(lost); // deliver what arrived; the next read reports the loss
            co_return result_chunk;
        }
        co_return lost;
    }
    result_chunk.complete = parser_->is_done();
    co_return result_chunk;
}

} // namespace mlcloud::net::detail

#endif
