//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BLOCKING_HPP
#define MLCLOUD_BLOCKING_HPP

#include <mlcloud/cloud.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>

namespace mlcloud {

/// Runs one coroutine to completion on the calling thread, driving `ctx` only until that
/// coroutine is done (other work queued on `ctx`, such as idle-connection timers, does not
/// keep it waiting). Exceptions escaping the coroutine are rethrown. Timeouts are enforced
/// by the operations themselves, so this never waits forever on the network.
///
/// `cancel` (optional) is bound to the coroutine as its cancellation slot: a terminal
/// cancellation emitted on its signal, e.g. from a signal handler running on `ctx`, ends the
/// operation the way each provider documents for a cancelled call.
template <class T>
T run_blocking(boost::asio::io_context& ctx, boost::asio::awaitable<T> op,
               boost::asio::cancellation_slot cancel = {})
{
    std::optional<T> value;
    std::exception_ptr failure;
    bool done = false;
    boost::asio::co_spawn(ctx, std::move(op), boost::asio::bind_cancellation_slot(cancel, [&](std::exception_ptr e, T v) {
                              failure = e;
                              if (!e)
                                  value.emplace(std::move(v));
                              done = true;
                          }));
    if (ctx.stopped())
        ctx.restart();
    while (!done && ctx.run_one() != 0)
        ;
    if (failure)
        std::rethrow_exception(failure);
    if (!done)
        return T(error(errc::cancelled, "the io_context was stopped before the operation finished"));
    return std::move(*value);
}

/// The same operations as `cloud<B>`, for code without coroutines: each call runs the
/// coroutine implementation to completion on the calling thread. One implementation, two faces.
///
///     mlcloud::blocking<mlcloud::local::backend> c({.root = "/srv/ml"});
///     mlcloud::job_handle job = c.launch(spec).value();   // throws mlcloud::system_error
///
/// Not thread-safe: use one object per thread.
template <backend B>
class blocking
{
public:
    explicit blocking(typename B::options const& opts = {}) : cloud_(ctx_.get_executor(), opts) {}

    blocking(blocking const&) = delete;
    blocking& operator=(blocking const&) = delete;

    result<job_handle> launch(job_spec const& spec) { return run(cloud_.training().launch(spec)); }
    result<job_status> status(job_handle const& h) { return run(cloud_.training().status(h)); }
    result<log_chunk> read_logs(job_handle const& h, log_cursor const& c = {})
    {
        return run(cloud_.training().read_logs(h, c));
    }
    result<job_status> terminate(job_handle const& h) { return run(cloud_.training().terminate(h)); }

    result<object_info> upload(std::filesystem::path const& from, storage_uri const& to, transfer_options const& o = {})
    {
        return run(cloud_.storage().upload(from, to, o));
    }
    result<object_info> download(storage_uri const& from, std::filesystem::path const& to, transfer_options const& o = {})
    {
        return run(cloud_.storage().download(from, to, o));
    }
    result<std::vector<object_info>> list(storage_uri const& prefix) { return run(cloud_.storage().list(prefix)); }
    result<bool> exists(storage_uri const& u) { return run(cloud_.storage().exists(u)); }
    result<void> remove(storage_uri const& u) { return run(cloud_.storage().remove(u)); }

    result<prediction_result> predict(prediction_request const& r) { return run(cloud_.prediction().predict(r)); }

    /// Runs any other coroutine, e.g. a backend-specific operation, on this object's context.
    /// After `interrupt` nothing more runs: the result is errc::cancelled.
    template <class T>
    T run(boost::asio::awaitable<T> op)
    {
        if (interrupted_)
            return interrupted_result<T>();
        try
        {
            return run_blocking(ctx_, std::move(op), interrupt_.slot());
        }
        catch (boost::system::system_error const& e)
        {
            // Asio throws operation_aborted at a cancelled coroutine's next co_await; the
            // operations that clean up after themselves switch that off, the others end here.
            if (!interrupted_ || e.code() != boost::asio::error::operation_aborted)
                throw;
            return interrupted_result<T>();
        }
    }

    /// Cancels the operation running on this object (a terminal cancellation: each provider
    /// documents what a cancelled call leaves behind) and makes every later call return
    /// errc::cancelled at once. Call it from a handler running on this object's context, e.g. a
    /// `boost::asio::signal_set` on `get_executor()` for Ctrl-C: such a handler runs while an
    /// operation (or any coroutine given to `run`, such as a wait) runs, and one whose signal
    /// came between calls runs in the next.
    void interrupt()
    {
        interrupted_ = true;
        interrupt_.emit(boost::asio::cancellation_type::terminal);
    }

    /// The executor of this object's context, for I/O objects that should run beside its
    /// operations (a signal_set calling `interrupt`).
    boost::asio::io_context::executor_type get_executor() noexcept { return ctx_.get_executor(); }

    /// Whether `interrupt` was called.
    bool interrupted() const noexcept { return interrupted_; }

    /// The asynchronous providers underneath.
    cloud<B>& async() noexcept { return cloud_; }

private:
    template <class T>
    static T interrupted_result()
    {
        return T(error(errc::cancelled, "interrupted"));
    }

    boost::asio::io_context ctx_{1};
    cloud<B> cloud_;
    boost::asio::cancellation_signal interrupt_;
    bool interrupted_ = false;
};

} // namespace mlcloud

#endif
