//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_DETAIL_SEND_FILE_HPP
#define MLCLOUD_NET_DETAIL_SEND_FILE_HPP

// A file range sent from the page cache to a plain TCP socket with sendfile(2), so an upload
// part is never copied through user space (Linux; elsewhere the transport reads the file
// through its buffer). Included only from net/detail/client_impl.hpp.

#include <mlcloud/net/detail/connection.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

#if defined(__linux__)
#include <csignal>
#include <ctime>
#include <pthread.h>
#include <sys/sendfile.h>
#define MLCLOUD_NET_HAS_SENDFILE 1
#else
#define MLCLOUD_NET_HAS_SENDFILE 0
#endif

namespace mlcloud::net::detail {

/// Bytes this process sent with sendfile: the tests check with it that the zero-copy path,
/// not its fallback, carried a body.
inline std::atomic<std::uint64_t> bytes_sent_with_sendfile{0};

/// What one sendfile call did: bytes sent, or the errno of a failure (EAGAIN: the socket's
/// send buffer is full).
struct send_file_step
{
    std::size_t sent = 0;
    int error = 0;
};

#if MLCLOUD_NET_HAS_SENDFILE

// sendfile has no MSG_NOSIGNAL: writing to a connection the peer reset raises SIGPIPE, whose
// default action ends the process. A library must not change the process's handlers, so the
// signal is blocked in this thread around the call and, when the call caused it, taken off
// the thread's pending set before the old mask returns.
class sigpipe_blocker
{
public:
    sigpipe_blocker() noexcept
    {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
        was_pending_ = pending();
    }
    sigpipe_blocker(sigpipe_blocker const&) = delete;
    sigpipe_blocker& operator=(sigpipe_blocker const&) = delete;

    /// Call after a write failed with EPIPE.
    void consume_own_signal() noexcept
    {
        if (was_pending_ || !pending())
            return;
        timespec const now{0, 0};
        while (sigtimedwait(&pipe_, nullptr, &now) == -1 && errno == EINTR)
            ;
    }

    ~sigpipe_blocker() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

private:
    bool pending() const noexcept
    {
        sigset_t set;
        sigemptyset(&set);
        return sigpending(&set) == 0 && sigismember(&set, SIGPIPE) == 1;
    }

    sigset_t pipe_{};
    sigset_t old_{};
    bool was_pending_ = false;
};

/// One non-blocking sendfile of up to `count` bytes of `file` at `offset` to `socket`.
inline send_file_step send_file_some(int socket, int file, std::uint64_t offset, std::size_t count) noexcept
{
    sigpipe_blocker guard;
    auto off = static_cast<off_t>(offset);
    for (;;)
    {
        ssize_t n = ::sendfile(socket, file, &off, count);
        if (n >= 0)
        {
            bytes_sent_with_sendfile.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
            return {static_cast<std::size_t>(n), 0};
        }
        int const err = errno;
        if (err == EINTR)
            continue;
        if (err == EPIPE)
            guard.consume_own_signal();
        return {0, err};
    }
}

#else

inline send_file_step send_file_some(int, int, std::uint64_t, std::size_t) noexcept { return {0, ENOSYS}; }

#endif

/// Waits until `socket` can take more bytes, at most until `until`: beast::error::timeout then.
///
/// The socket belongs to a beast::tcp_stream, whose timer covers only the stream's own reads
/// and writes; this wait has its own, on the socket's executor as Beast's is. Its handler
/// cancels the socket only while this wait is still pending (under a mutex, since the
/// coroutine may resume on another executor): a late handler never cancels the next wait.
inline boost::asio::awaitable<boost::system::error_code> wait_writable(boost::asio::ip::tcp::socket& socket,
                                                                      std::chrono::steady_clock::time_point until)
{
    namespace asio = boost::asio;
    struct watch
    {
        watch(asio::any_io_executor ex, std::chrono::steady_clock::time_point until) : timer(std::move(ex), until) {}
        asio::steady_timer timer;
        std::mutex mutex;
        bool waiting = true;
        bool expired = false;
    };
    auto w = std::make_shared<watch>(socket.get_executor(), until);
    w->timer.async_wait([w, &socket](boost::system::error_code ec) {
        std::lock_guard lock(w->mutex);
        if (!ec && w->waiting)
        {
            w->expired = true;
            boost::system::error_code ignored;
            socket.cancel(ignored);
        }
    });
    auto [ec] = co_await socket.async_wait(asio::ip::tcp::socket::wait_write, use_tuple);
    bool expired = false;
    {
        std::lock_guard lock(w->mutex);
        w->waiting = false;
        expired = w->expired;
    }
    w->timer.cancel();
    if (ec == asio::error::operation_aborted && expired)
        co_return boost::beast::error::timeout;
    co_return ec;
}

} // namespace mlcloud::net::detail

#endif
