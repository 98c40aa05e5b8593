//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_DETAIL_CONNECTION_HPP
#define MLCLOUD_NET_DETAIL_CONNECTION_HPP

// One keep-alive connection (plain TCP or TLS over TCP, possibly through a proxy tunnel)
// and the pool that keeps them. Included only from net/impl: this is where Beast lives.

#include <mlcloud/detail/cancellation.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/client.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mlcloud::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using steady = std::chrono::steady_clock;

inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using mlcloud::detail::cancel_requested; // after waits that end on their own

/// now + d, saturating instead of overflowing for huge durations.
inline steady::time_point after(std::chrono::milliseconds d) noexcept
{
    auto now = steady::now();
    if (d > std::chrono::hours(24 * 365 * 100))
        return steady::time_point::max();
    return now + d;
}

/// A beast::tcp_stream whose reads and writes take a type-erased completion handler.
///
/// TLS runs its handshake, reads and writes on the stream below it, each operation with its
/// own completion handler type; on a tcp_stream (a socket with a deadline timer) every one
/// of those is a full set of Asio operations to compile. Through this stream, tcp_stream's
/// read and write are each compiled once, for TLS and plain connections alike. At run time
/// it costs an indirect call and a small allocation per read or write. A read fills the first
/// buffer of the sequence and a write sends the first two, which the contract of
/// read_some/write_some allows (they may transfer less than everything).
class erased_tcp_stream
{
public:
    using executor_type = beast::tcp_stream::executor_type;
    using lowest_layer_type = beast::tcp_stream::socket_type;
    using io_signature = void(boost::system::error_code, std::size_t);
    /// The one handler type tcp_stream sees: the erased handler, bound to the executor the
    /// original handler was to run on (Boost 1.81's any_completion_executor cannot be used by
    /// tcp_stream, whose operations require blocking.never of the handler's executor).
    using io_handler = asio::executor_binder<asio::any_completion_handler<io_signature>, asio::any_io_executor>;

    explicit erased_tcp_stream(asio::any_io_executor ex) : stream_(std::move(ex)) {}

    beast::tcp_stream& stream() noexcept { return stream_; }
    executor_type get_executor() noexcept { return stream_.get_executor(); }
    lowest_layer_type& lowest_layer() noexcept { return stream_.socket(); }
    lowest_layer_type const& lowest_layer() const noexcept { return stream_.socket(); }

    template <class MutableBufferSequence, class Token>
    auto async_read_some(MutableBufferSequence const& buffers, Token&& token)
    {
        asio::mutable_buffer first;
        if (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers))
            first = *it;
        return asio::async_initiate<Token, io_signature>(initiate_read{this}, token, first);
    }

    template <class ConstBufferSequence, class Token>
    auto async_write_some(ConstBufferSequence const& buffers, Token&& token)
    {
        std::array<asio::const_buffer, 2> first_two;
        auto it = asio::buffer_sequence_begin(buffers);
        auto const end = asio::buffer_sequence_end(buffers);
        for (std::size_t i = 0; i < first_two.size() && it != end; ++i, ++it)
            first_two[i] = *it;
        return asio::async_initiate<Token, io_signature>(initiate_write{this}, token, first_two);
    }

private:
    template <class Handler>
    io_handler erase(Handler&& handler)
    {
        asio::any_io_executor const ex = asio::get_associated_executor(handler, stream_.get_executor());
        asio::any_completion_handler<io_signature> erased(std::forward<Handler>(handler));
        return io_handler(asio::executor_arg, ex, std::move(erased));
    }

    struct initiate_read
    {
        erased_tcp_stream* self;
        template <class Handler>
        void operator()(Handler&& handler, asio::mutable_buffer buffer) const
        {
            self->stream_.async_read_some(buffer, self->erase(std::forward<Handler>(handler)));
        }
    };
    struct initiate_write
    {
        erased_tcp_stream* self;
        template <class Handler>
        void operator()(Handler&& handler, std::array<asio::const_buffer, 2> const& buffers) const
        {
            self->stream_.async_write_some(buffers, self->erase(std::forward<Handler>(handler)));
        }
    };

    beast::tcp_stream stream_;
};

class connection
{
public:
    // Asio's TLS stream rather than beast::ssl_stream: Beast's adds a flat_stream whose two
    // write paths are each a full instantiation of the TLS write (write_all coalesces small
    // writes itself), and its next layer could not be the erased stream.
    using tls_stream = ssl::stream<erased_tcp_stream>;

    connection(asio::any_io_executor ex, std::string key, std::size_t read_size, std::size_t max_buffer)
        : plain_(std::in_place, std::move(ex)), buffer_(max_buffer), key_(std::move(key))
    {
        // Beast reads as much as the buffer's free capacity (at least 512 bytes): without
        // this, a download would be read 512 bytes per system call.
        buffer_.reserve(read_size);
    }

    beast::tcp_stream& tcp() noexcept { return tls_ ? tls_->next_layer().stream() : plain_->stream(); }
    tls_stream& tls() noexcept { return *tls_; }
    bool is_tls() const noexcept { return tls_.has_value(); }

    /// What a read or a write yields: the error and the bytes transferred.
    using io_result = std::tuple<boost::system::error_code, std::size_t>;

    /// One read from the stream the HTTP exchange runs on (TLS or plain TCP).
    ///
    /// These two functions are the engine's only reads and writes: every longer exchange (an
    /// HTTP head, a whole request) is a loop over them in the engine's coroutines. So each
    /// of Asio's and Beast's stream operations is instantiated once per stream type, with one
    /// buffer type and one completion handler, instead of once per call site and composed
    /// operation on top (see "Compile times" in docs/performance.md).
    asio::awaitable<io_result> read_some(asio::mutable_buffer b)
    {
        return tls_ ? tls_->async_read_some(b, use_tuple) : plain_->async_read_some(b, use_tuple);
    }

    /// One write of (a prefix of) `b` to the stream the HTTP exchange runs on.
    asio::awaitable<io_result> write_some(std::array<asio::const_buffer, 2> const& b)
    {
        return tls_ ? tls_->async_write_some(b, use_tuple) : plain_->async_write_some(b, use_tuple);
    }

    /// Wraps the connected TCP stream (after a proxy tunnel, if any) in TLS.
    void start_tls(ssl::context& ctx)
    {
        tls_.emplace(std::move(*plain_), ctx);
        plain_.reset();
    }

    beast::flat_buffer& buffer() noexcept { return buffer_; }
    std::string const& key() const noexcept { return key_; }

    /// True when an idle connection can still be used: the server has neither closed it nor
    /// sent anything unasked. A non-blocking peek costs one system call and catches the
    /// common case of a server that dropped an idle keep-alive connection before we send.
    bool alive_when_idle()
    {
        auto& sock = tcp().socket();
        if (!sock.is_open() || buffer_.size() != 0)
            return false;
        boost::system::error_code ec, ignored;
        sock.non_blocking(true, ec);
        if (ec)
            return false;
        char byte = 0;
        sock.receive(asio::buffer(&byte, 1), tcp::socket::message_peek, ec);
        sock.non_blocking(false, ignored);
        return ec == asio::error::would_block;
    }

    void close() noexcept
    {
        boost::system::error_code ignored;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp().socket().close(ignored);
    }

    steady::time_point idle_since{};
    unsigned requests = 0; ///< requests completed on this connection

private:
    std::optional<erased_tcp_stream> plain_;
    std::optional<tls_stream> tls_;
    beast::flat_buffer buffer_;
    std::string key_;
};

/// Keep-alive connections per pool key (scheme, host, port, proxy), with a cap on open
/// connections per key and on idle ones. Thread-safe. Nothing runs in the background:
/// stale connections are found when a request looks for one.
class connection_pool
{
public:
    explicit connection_pool(pool_options opts) : opts_(opts) {}

    connection_pool(connection_pool const&) = delete;
    connection_pool& operator=(connection_pool const&) = delete;

    ~connection_pool()
    {
        for (auto& [key, host] : hosts_)
            for (auto& c : host.idle)
                c->close();
    }

    /// What acquire() hands out: a pooled connection, or the right to open a new one.
    struct lease
    {
        std::unique_ptr<connection> reused; ///< null: open a new connection (a slot is reserved)
    };

    /// A reused idle connection, or a reserved slot for a new one; waits (until `deadline`)
    /// while the key is at max_connections_per_host. `fresh_only` skips idle connections.
    asio::awaitable<result<lease>> acquire(std::string const& key, steady::time_point deadline, bool fresh_only)
    {
        auto ex = co_await asio::this_coro::executor;
        while (true)
        {
            std::shared_ptr<waiter> w;
            std::vector<std::unique_ptr<connection>> stale;
            {
                std::lock_guard lock(mutex_);
                auto& host = hosts_[key];
                while (!fresh_only && !host.idle.empty())
                {
                    auto c = std::move(host.idle.back());
                    host.idle.pop_back();
                    if (steady::now() - c->idle_since < opts_.idle_timeout && c->alive_when_idle())
                        co_return lease{std::move(c)};
                    --host.open;
                    stale.push_back(std::move(c));
                }
                if (fresh_only && !host.idle.empty() && at_limit(host))
                {
                    // Make room for the fresh connection by closing the oldest idle one.
                    stale.push_back(std::move(host.idle.front()));
                    host.idle.pop_front();
                    --host.open;
                }
                if (!at_limit(host))
                {
                    ++host.open;
                    for (auto& c : stale)
                        c->close();
                    co_return lease{};
                }
                w = std::make_shared<waiter>(ex, deadline);
                host.waiters.push_back(w);
            }
            for (auto& c : stale)
                c->close();
            auto [ec] = co_await w->timer.async_wait(use_tuple);
            std::lock_guard lock(mutex_);
            if (!w->granted)
            {
                auto& waiters = hosts_[key].waiters;
                std::erase(waiters, w);
                if (ec == asio::error::operation_aborted) // not granted: the caller cancelled
                    co_return error(errc::cancelled, "cancelled while waiting for a connection to " + key);
                co_return error(errc::timeout, "no connection to " + key + " became free before the deadline (" +
                                                   std::to_string(opts_.max_connections_per_host) +
                                                   " connections busy)");
            }
        }
    }

    /// Returns a connection after a complete exchange (`reusable`) or after a failure.
    void release(std::unique_ptr<connection> c, bool reusable)
    {
        std::unique_ptr<connection> to_close;
        {
            std::lock_guard lock(mutex_);
            auto& host = hosts_[c->key()];
            if (reusable && host.idle.size() < opts_.max_idle_per_host)
            {
                c->idle_since = steady::now();
                host.idle.push_back(std::move(c));
            }
            else
            {
                --host.open;
                to_close = std::move(c);
            }
            wake_one(host);
        }
        if (to_close)
            to_close->close();
    }

    /// Gives back a slot reserved by acquire() when opening the connection failed.
    void cancel_slot(std::string const& key)
    {
        std::lock_guard lock(mutex_);
        auto& host = hosts_[key];
        --host.open;
        wake_one(host);
    }

    std::size_t idle_count() const
    {
        std::lock_guard lock(mutex_);
        std::size_t n = 0;
        for (auto const& [key, host] : hosts_)
            n += host.idle.size();
        return n;
    }

    void close_idle()
    {
        std::vector<std::unique_ptr<connection>> closing;
        {
            std::lock_guard lock(mutex_);
            for (auto& [key, host] : hosts_)
            {
                host.open -= host.idle.size();
                for (auto& c : host.idle)
                    closing.push_back(std::move(c));
                host.idle.clear();
                wake_one(host);
            }
        }
        for (auto& c : closing)
            c->close();
    }

private:
    struct waiter
    {
        waiter(asio::any_io_executor ex, steady::time_point deadline) : timer(std::move(ex), deadline) {}
        asio::steady_timer timer;
        bool granted = false; // guarded by the pool's mutex
    };

    struct host_entry
    {
        std::deque<std::unique_ptr<connection>> idle; // most recently used at the back
        std::size_t open = 0;                         // idle + busy + being opened
        std::deque<std::shared_ptr<waiter>> waiters;
    };

    bool at_limit(host_entry const& host) const noexcept
    {
        return opts_.max_connections_per_host != 0 && host.open >= opts_.max_connections_per_host;
    }

    // Wakes the longest waiter; it re-checks the pool. The cancel runs on the timer's own
    // executor: timers are not safe to touch from another thread.
    static void wake_one(host_entry& host)
    {
        if (host.waiters.empty())
            return;
        auto w = std::move(host.waiters.front());
        host.waiters.pop_front();
        w->granted = true;
        asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
    }

    pool_options opts_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, host_entry> hosts_;
};

} // namespace mlcloud::net::detail

#endif
