//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_S3_CLIENT_IPP
#define MLCLOUD_AWS_IMPL_S3_CLIENT_IPP

#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/aws/detail/files.hpp>
#include <mlcloud/aws/detail/protocol.hpp>
#include <mlcloud/aws/s3_client.hpp>
#include <mlcloud/auth/sigv4.hpp>
#include <mlcloud/detail/cancellation.hpp>
#include <mlcloud/detail/permissions.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace mlcloud::aws {
namespace s3_impl {

inline error decorate(error e, std::string_view provider, std::string_view op)
{
    if (e.provider.empty())
        e.with_provider(provider);
    if (e.operation.empty())
        e.with_operation(op);
    return e;
}

inline error cancelled_transfer(std::string_view provider, std::string_view op)
{
    return error(errc::cancelled, std::string(op) + " cancelled").with_provider(provider).with_operation(op);
}

using mlcloud::detail::cancelled_now;
using mlcloud::detail::uncancellable;
using mlcloud::detail::without_cancellation_throws;

inline std::uint64_t header_u64(net::response const& r, std::string_view name)
{
    auto v = r.headers.value_or(name, "");
    std::uint64_t out = 0;
    std::from_chars(v.data(), v.data() + v.size(), out);
    return out;
}

inline s3_object object_from_headers(std::string const& key, net::response const& r)
{
    s3_object o;
    o.key = key;
    o.size = header_u64(r, "Content-Length");
    o.etag = detail::unquote_etag(r.headers.value_or("ETag", ""));
    if (auto t = detail::parse_http_date(r.headers.value_or("Last-Modified", "")))
        o.last_modified = *t;
    else
        o.last_modified = std::chrono::system_clock::now();
    o.storage_class = std::string(r.headers.value_or("x-amz-storage-class", ""));
    return o;
}

// The shared state of the part workers of one multipart upload.
struct multipart_state
{
    std::filesystem::path file;
    std::string bucket;
    std::string key;
    std::string upload_id;
    detail::part_plan plan;
    std::uint64_t size = 0;
    progress_callback on_progress;

    std::atomic<std::uint32_t> next{0};
    std::atomic<bool> failed{false};
    std::atomic<std::uint64_t> done{0};
    std::vector<std::string> etags; // one slot per part, written by the worker that sent it
    std::mutex mutex;
    std::optional<error> failure;

    void fail(error e)
    {
        std::lock_guard lock(mutex);
        if (!failure)
            failure = std::move(e);
        failed = true;
    }

    /// The next part nobody has taken yet; none once all are taken or the upload failed.
    std::optional<std::uint32_t> claim()
    {
        if (failed)
            return std::nullopt;
        std::uint32_t const index = next++;
        if (index >= plan.count)
            return std::nullopt;
        return index;
    }

    net::file_body part(std::uint32_t index) const { return {file, plan.offset(index), plan.length(index, size)}; }
};

// Where upload parts are hashed and downloaded ranges written: the caller's
// s3_client_options::hash_executor, or the threads of hash_threads, started on first use (a
// client that never uploads a signed file nor downloads more than one range starts none).
class file_workers
{
public:
    file_workers(boost::asio::any_io_executor given, std::size_t threads) : given_(std::move(given)), threads_(threads)
    {
    }

    /// False: hash and write on the caller's executor.
    bool enabled() const noexcept { return given_ || threads_ > 0; }

    boost::asio::any_io_executor executor()
    {
        if (given_)
            return given_;
        std::call_once(started_, [this] { pool_.emplace(threads_); });
        return pool_->get_executor();
    }

private:
    boost::asio::any_io_executor given_;
    std::size_t threads_;
    std::once_flag started_;
    std::optional<boost::asio::thread_pool> pool_;
};

// The hashing coroutine owns copies of its arguments: it may outlive the frame that started it.
inline task<std::string> hash_file_range(std::filesystem::path file, std::uint64_t offset,
                                         std::optional<std::uint64_t> length)
{
    co_return detail::hash_file_range(file, offset, length);
}

// A hash running on the hashing threads; the coroutine that started it reads it on its own
// executor. (A timer and a callback rather than a parallel_group: the group's machinery cost
// 2.5 s of every header-only compile.)
struct pending_hash
{
    explicit pending_hash(boost::asio::any_io_executor ex) : ready(std::move(ex), boost::asio::steady_timer::time_point::max())
    {
    }
    std::optional<result<std::string>> value;
    std::exception_ptr failure;
    boost::asio::steady_timer ready; // cancelled when the hash is done
};

// The hashing coroutine's completion, run on the starter's executor.
struct hash_done
{
    std::shared_ptr<pending_hash> p;

    void operator()(std::exception_ptr e, result<std::string> r) const
    {
        if (e)
            p->failure = e;
        else
            p->value = std::move(r);
        p->ready.cancel();
    }
};

// The workers of a transfer (parts, ranges), run side by side on the caller's executor, which
// must run them one at a time (one thread or a strand, as for the whole client). The join
// returns when every worker has finished, since they share state with the caller, and yields
// the first exception any of them threw. Cancelling the caller cancels every worker; a caller
// cancelled already starts none.
// (Not Asio's experimental parallel_group: this join compiles 0.6 s faster header-only.)
struct worker_join
{
    worker_join(boost::asio::any_io_executor ex, std::size_t workers)
        : left(workers), signals(workers), done(std::move(ex), boost::asio::steady_timer::time_point::max())
    {
    }
    std::size_t left;
    std::exception_ptr first_failure;
    std::vector<boost::asio::cancellation_signal> signals; // one per worker
    boost::asio::steady_timer done;                         // cancelled when the last one ends
};

struct worker_done
{
    std::shared_ptr<worker_join> join;

    void operator()(std::exception_ptr e) const
    {
        if (e && !join->first_failure)
            join->first_failure = e;
        if (--join->left == 0)
            join->done.cancel();
    }
};

struct cancel_workers
{
    std::shared_ptr<worker_join> join;

    void operator()(boost::asio::cancellation_type type) const
    {
        for (auto& signal : join->signals)
            signal.emit(type);
    }
};

inline boost::asio::awaitable<std::exception_ptr> run_workers(std::vector<boost::asio::awaitable<void>> workers)
{
    namespace asio = boost::asio;
    auto ex = co_await asio::this_coro::executor;
    if (co_await cancelled_now())
        co_return nullptr;
    auto join = std::make_shared<worker_join>(ex, workers.size());
    for (std::size_t i = 0; i < workers.size(); ++i)
        asio::co_spawn(ex, std::move(workers[i]), asio::bind_cancellation_slot(join->signals[i].slot(), worker_done{join}));
    // The caller's cancellation goes to the workers; the wait itself is not cancelled (awaiting
    // again after a cancellation would throw, and the workers would outlive the join).
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    auto slot = state.slot();
    if (slot.is_connected())
        slot.assign(cancel_workers{join});
    while (join->left > 0)
        co_await join->done.async_wait(uncancellable(asio::as_tuple(asio::use_awaitable)));
    if (slot.is_connected())
        slot.clear();
    co_return join->first_failure;
}

// One ranged GET of a download: bytes [first, first + chunk), pinned to `etag` when known.
inline net::request range_request(std::string const& url, std::uint64_t first, std::uint64_t chunk,
                                  std::string const& etag)
{
    net::request req;
    req.method = net::method::get;
    req.url = url;
    req.headers.set("Range", "bytes=" + std::to_string(first) + "-" + std::to_string(first + chunk - 1));
    if (!etag.empty())
        req.headers.set("If-Match", "\"" + etag + "\"");
    req.max_body_size = chunk + 1024;
    return req;
}

// The partial file of a download, written at offsets (ranges arrive in any order).
class partial_file
{
public:
    partial_file() = default;
    partial_file(partial_file const&) = delete;
    partial_file& operator=(partial_file const&) = delete;
    ~partial_file() { close(); }

    result<void> open(std::filesystem::path const& path)
    {
        if (fd_ >= 0)
            return {};
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0)
            return error(errc::io_error, "cannot write " + path.string() + ": " + std::strerror(errno));
        path_ = path;
        return {};
    }
    void close() noexcept
    {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    // All of `bytes` at `offset` (pwrite may write less than asked).
    result<void> write_at(std::uint64_t offset, std::string_view bytes) const
    {
        while (!bytes.empty())
        {
            auto const n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(offset));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return error(errc::io_error, "cannot write " + path_.string() + ": " + std::strerror(errno));
            bytes.remove_prefix(static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
        }
        return {};
    }
    result<void> truncate(std::uint64_t size) const
    {
        if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
            return error(errc::io_error, "cannot write " + path_.string() + ": " + std::strerror(errno));
        return {};
    }

private:
    int fd_ = -1;
    std::filesystem::path path_;
};

// The record beside a partial download: the object's ETag, then the length of the prefix of
// the partial file known to be complete (ranges after it may have been written, with holes
// between). A record without the length (an older one) means the whole file.
inline std::string download_record(std::string const& etag, std::uint64_t prefix)
{
    return etag + "\n" + std::to_string(prefix);
}

inline std::pair<std::string, std::optional<std::uint64_t>> parse_download_record(std::string text)
{
    auto const nl = text.find('\n');
    if (nl == std::string::npos)
        return {std::move(text), std::nullopt};
    std::uint64_t prefix = 0;
    auto const digits = std::string_view(text).substr(nl + 1);
    auto const [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    text.resize(nl);
    if (ec != std::errc{} || end != digits.data() + digits.size())
        return {std::string(), std::nullopt}; // unreadable: start over
    return {std::move(text), prefix};
}

// Forgets a partial download (the object changed since it began): it starts over.
inline void discard_partial(partial_file& file, std::filesystem::path const& partial,
                            std::filesystem::path const& record, std::uint64_t& offset, std::string& etag)
{
    std::error_code ec;
    file.close();
    std::filesystem::remove(partial, ec);
    std::filesystem::remove(record, ec);
    offset = 0;
    etag.clear();
}

// The ranges of a download after the first answer, fetched by `download_concurrency` workers in a
// sliding window: each worker takes the next range as soon as it has written its last one, so
// a slow range holds up one worker, not a batch. Memory: one range per worker.
struct download_window
{
    std::string url;
    std::string etag;
    std::string body_hash; // of the empty body, for every GET
    std::uint64_t start = 0; // where the window begins (the partial file is complete before it)
    std::uint64_t total = 0;
    std::uint64_t chunk = 0;
    std::uint64_t count = 0; // ranges
    partial_file const* file = nullptr;
    boost::asio::any_io_executor file_threads; // where ranges are written; none: in place
    std::filesystem::path record_file;
    std::string provider;
    progress_callback on_progress;

    std::mutex mutex;
    std::uint64_t next = 0;         // the next range to fetch
    std::vector<bool> written;      // per range
    std::uint64_t complete = 0;     // ranges [0, complete) are all written
    std::uint64_t done = 0;         // bytes written by the window
    bool changed = false;           // 412: the object changed since the download began
    bool stopped = false;
    std::optional<error> failure;

    std::uint64_t first_of(std::uint64_t index) const noexcept { return start + index * chunk; }
    std::uint64_t length_of(std::uint64_t index) const noexcept
    {
        return std::min(chunk, total - first_of(index));
    }

    // The next range to fetch, or nothing when all are taken or the window stopped.
    std::optional<std::uint64_t> take()
    {
        std::lock_guard lock(mutex);
        if (stopped || next >= count)
            return std::nullopt;
        return next++;
    }
    void fail(error e, bool object_changed = false)
    {
        std::lock_guard lock(mutex);
        if (!failure)
        {
            failure = std::move(e);
            changed = object_changed;
        }
        stopped = true;
    }
    // Range `index` is on disk: the prefix may grow (and is recorded for a resume), progress.
    result<void> written_range(std::uint64_t index)
    {
        std::lock_guard lock(mutex);
        written[index] = true;
        done += length_of(index);
        std::uint64_t const before = complete;
        while (complete < count && written[complete])
            ++complete;
        if (complete != before)
        {
            std::uint64_t const prefix = complete == count ? total : first_of(complete);
            if (auto w = detail::write_file_atomically(record_file, download_record(etag, prefix)); !w)
                return w.error();
        }
        if (on_progress)
            on_progress(start + done, total);
        return {};
    }
};

// Writes a range on the file threads. It owns the bytes, which the worker hands over.
inline boost::asio::awaitable<result<void>> write_range(partial_file const* file, std::uint64_t offset, std::string bytes)
{
    co_return file->write_at(offset, bytes);
}

inline boost::asio::awaitable<void> range_worker(aws::client& c, std::shared_ptr<download_window> w)
{
    // A cancellation stops the range in flight (errc::cancelled) and is looked for before the
    // next one, instead of being thrown at the next co_await.
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    while (auto index = w->take())
    {
        if (co_await cancelled_now())
        {
            w->fail(cancelled_transfer(w->provider, "GetObject"));
            co_return;
        }
        std::uint64_t const first = w->first_of(*index);
        std::uint64_t const length = w->length_of(*index);
        auto req = range_request(w->url, first, length, w->etag);
        auto hash = w->body_hash;
        auto r = co_await c.send(s3_service, std::move(req), std::move(hash));
        if (!r)
        {
            w->fail(decorate(r.error(), w->provider, "GetObject"));
            co_return;
        }
        if (r->status == 412)
        {
            w->fail(detail::make_error(*r, w->provider, "GetObject"), true);
            co_return;
        }
        if (!r->ok())
        {
            w->fail(detail::make_error(*r, w->provider, "GetObject").with_retry_safe());
            co_return;
        }
        auto range = detail::parse_content_range(r->headers.value_or("Content-Range", ""));
        if (r->status != 206 || !range || range->first != first || range->total != w->total ||
            r->body.size() != length)
        {
            w->fail(error(errc::protocol_error, "GetObject: the answer does not match the requested range")
                        .with_provider(w->provider)
                        .with_operation("GetObject")
                        .with_http(r->status, r->request_id()));
            co_return;
        }
        // Written on the file threads while this thread receives the other workers' ranges.
        result<void> written;
        if (w->file_threads)
        {
            auto write = write_range(w->file, first, std::move(r->body));
            // Not cancellable: a write is short, and the bytes must not go before it is done.
            written = co_await boost::asio::co_spawn(w->file_threads, std::move(write),
                                                     uncancellable(boost::asio::use_awaitable));
        }
        else
            written = w->file->write_at(first, r->body);
        if (!written)
        {
            w->fail(decorate(written.error(), w->provider, "GetObject"));
            co_return;
        }
        if (auto d = w->written_range(*index); !d)
        {
            w->fail(decorate(d.error(), w->provider, "GetObject"));
            co_return;
        }
    }
}

// Query parameters built outside the coroutines (GCC 12 mishandles initializer lists inside).
inline net::query_params params(std::string name, std::string value)
{
    net::query_params q;
    q.emplace_back(std::move(name), std::move(value));
    return q;
}

inline net::query_params params(std::string n1, std::string v1, std::string n2, std::string v2)
{
    auto q = params(std::move(n1), std::move(v1));
    q.emplace_back(std::move(n2), std::move(v2));
    return q;
}

inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
    boost::system::error_code ec;
    co_await t.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

} // namespace s3_impl

MLCLOUD_DECL s3_client::s3_client(boost::asio::any_io_executor ex, s3_client_options options, net::client_options http)
    : s3_client(std::make_shared<net::http_client>(std::move(ex), std::move(http)), std::move(options))
{
}

MLCLOUD_DECL s3_client::s3_client(std::shared_ptr<net::http_client> http, s3_client_options options)
    : options_(std::move(options)),
      client_(std::move(http), [&] {
          session s;
          s.region = options_.region;
          s.credentials = options_.credentials;
          s.provider = options_.provider;
          if (!options_.endpoint.empty())
              s.endpoints.emplace(std::string(s3_service.id), options_.endpoint);
          return s;
      }())
{
    options_.concurrency = std::max<std::size_t>(1, options_.concurrency);
    options_.download_concurrency = std::max<std::size_t>(1, options_.download_concurrency);
    files_ = std::make_shared<s3_impl::file_workers>(options_.hash_executor, options_.hash_threads);
    options_.download_chunk_size = std::max<std::uint64_t>(64 * 1024, options_.download_chunk_size);
}

MLCLOUD_DECL bool s3_client::uses_path_style(std::string_view bucket) const noexcept
{
    switch (options_.addressing)
    {
    case s3_addressing::path_style: return true;
    case s3_addressing::virtual_hosted: return false;
    case s3_addressing::automatic: break;
    }
    return !options_.endpoint.empty() || !detail::is_virtual_host_bucket(bucket);
}

MLCLOUD_DECL result<std::string> s3_client::url(std::string_view bucket, std::string_view key, net::query_params const& query) const
{
    if (bucket.empty())
        return error(errc::invalid_argument, "no bucket given").with_provider(options_.provider);
    return detail::object_url(client_.endpoint(s3_service), bucket, key, uses_path_style(bucket), query);
}

MLCLOUD_DECL std::string s3_client::body_hash(std::string_view text) const
{
    return options_.sign_payload ? auth::sigv4::hash_payload(text) : std::string(auth::sigv4::unsigned_payload);
}

// One of `concurrency` workers of a multipart upload. It takes the next part and sends it while
// the hashing threads hash the part it will send after, so that its connection does not wait
// for a hash between parts (with no hashing threads, or UNSIGNED-PAYLOAD, one after the other).
MLCLOUD_DECL boost::asio::awaitable<void> s3_client::part_worker(std::shared_ptr<s3_impl::multipart_state> st)
{
    // As range_worker: a cancellation stops the part in flight and is looked for before the next.
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    auto ex = co_await boost::asio::this_coro::executor;
    bool const hash_ahead = options_.sign_payload && files_->enabled();
    auto index = st->claim();
    result<std::string> hash;
    if (index)
    {
        auto const first = st->part(*index);
        hash = co_await payload_hash(first);
    }
    while (index)
    {
        if (co_await s3_impl::cancelled_now())
        {
            st->fail(s3_impl::cancelled_transfer(options_.provider, "UploadPart"));
            co_return;
        }
        if (!hash)
        {
            st->fail(s3_impl::decorate(hash.error(), options_.provider, "UploadPart"));
            co_return;
        }
        auto const next = st->claim();
        std::shared_ptr<s3_impl::pending_hash> ahead;
        if (next && hash_ahead)
            ahead = start_hash(ex, st->part(*next));
        // Hashed once, before the part's first attempt; the transport's retries reuse it.
        // (Named arguments: GCC 12 destroys brace-initialised temporaries of a co_await twice.)
        auto part = st->part(*index);
        auto sha256 = std::move(*hash);
        auto etag = co_await upload_part(st->bucket, st->key, st->upload_id, *index + 1, std::move(part),
                                         std::move(sha256));
        if (ahead)
            hash = co_await wait_hash(ahead);
        else if (next)
        {
            auto const next_part = st->part(*next);
            hash = co_await payload_hash(next_part);
        }
        if (!etag)
        {
            st->fail(etag.error());
            co_return;
        }
        st->etags[*index] = std::move(*etag);
        auto const done = st->done += st->plan.length(*index, st->size);
        if (st->on_progress)
            st->on_progress(done, st->size);
        index = next;
    }
}

// A file body's x-amz-content-sha256: UNSIGNED-PAYLOAD, or its hex SHA-256, read and hashed on
// the hashing threads (when there are any) while the caller's executor goes on.
MLCLOUD_DECL task<std::string> s3_client::payload_hash(net::file_body const& body)
{
    if (!options_.sign_payload)
        co_return std::string(auth::sigv4::unsigned_payload);
    if (!files_->enabled())
        co_return detail::hash_file_range(body.path, body.offset, body.length);
    auto ex = co_await boost::asio::this_coro::executor;
    auto pending = start_hash(ex, body);
    co_return co_await wait_hash(pending);
}

MLCLOUD_DECL std::shared_ptr<s3_impl::pending_hash> s3_client::start_hash(boost::asio::any_io_executor ex,
                                                                        net::file_body const& body)
{
    auto pending = std::make_shared<s3_impl::pending_hash>(ex);
    boost::asio::co_spawn(files_->executor(), s3_impl::hash_file_range(body.path, body.offset, body.length),
                          boost::asio::bind_executor(ex, s3_impl::hash_done{pending}));
    return pending;
}

MLCLOUD_DECL task<std::string> s3_client::wait_hash(std::shared_ptr<s3_impl::pending_hash> pending)
{
    // Not cancellable (a hash takes milliseconds): the value must be there when it returns.
    if (!pending->value && !pending->failure)
        co_await pending->ready.async_wait(s3_impl::uncancellable(boost::asio::as_tuple(boost::asio::use_awaitable)));
    if (pending->failure)
        std::rethrow_exception(pending->failure);
    co_return std::move(*pending->value);
}

MLCLOUD_DECL task<s3_object> s3_client::upload_file(std::filesystem::path const& from, std::string const& bucket,
                                                    std::string const& key, transfer_options const& opts)
{
    std::error_code ec;
    auto const size = std::filesystem::file_size(from, ec);
    if (ec)
        co_return error(ec == std::errc::no_such_file_or_directory ? errc::not_found : errc::io_error,
                        "cannot read " + from.string() + ": " + ec.message())
            .with_provider(options_.provider)
            .with_operation("upload");
    if (size > options_.limits.max_object_size)
        co_return error(errc::payload_too_large, from.string() + " is larger than the store's object limit")
            .with_provider(options_.provider)
            .with_operation("upload");
    bool const multipart = size > options_.multipart_threshold || size > options_.limits.max_single_put;
    auto transfer = multipart ? upload_multipart(from, bucket, key, size, opts)
                              : put_file(from, bucket, key, size, opts);
    co_return co_await s3_impl::without_cancellation_throws(std::move(transfer));
}

// A file small enough for one PutObject (run under without_cancellation_throws, as the
// multipart upload: a cancellation during its hash ends it with `cancelled`).
MLCLOUD_DECL task<s3_object> s3_client::put_file(std::filesystem::path const& from, std::string const& bucket,
                                                 std::string const& key, std::uint64_t size,
                                                 transfer_options const& opts)
{
    auto target = url(bucket, key);
    if (!target)
        co_return target.error();
    net::file_body const body{from, 0, size};
    auto hash = co_await payload_hash(body);
    if (!hash)
        co_return s3_impl::decorate(hash.error(), options_.provider, "PutObject");
    if (co_await s3_impl::cancelled_now())
        co_return s3_impl::cancelled_transfer(options_.provider, "PutObject");
    net::request req;
    req.method = net::method::put;
    req.url = std::move(*target);
    req.headers.set("Content-Type", "application/octet-stream");
    req.body = body;
    if (opts.on_progress)
        req.on_upload_progress = opts.on_progress;
    auto r = co_await client_.send(s3_service, std::move(req), std::move(*hash));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "PutObject");
    if (!r->ok())
        co_return detail::make_error(*r, options_.provider, "PutObject").with_retry_safe();
    if (opts.on_progress)
        opts.on_progress(size, size);
    s3_object o;
    o.key = key;
    o.size = size;
    o.etag = detail::unquote_etag(r->headers.value_or("ETag", ""));
    o.last_modified = std::chrono::system_clock::now();
    co_return o;
}

MLCLOUD_DECL task<s3_object> s3_client::upload_multipart(std::filesystem::path const& from, std::string const& bucket,
                                            std::string const& key, std::uint64_t size, transfer_options const& opts)
{
    auto plan = detail::plan_parts(size, options_.part_size, options_.limits.min_part_size,
                                   options_.limits.max_part_size, options_.limits.max_parts);
    if (!plan)
        co_return s3_impl::decorate(plan.error(), options_.provider, "upload");
    if (co_await s3_impl::cancelled_now())
        co_return s3_impl::cancelled_transfer(options_.provider, "upload");
    auto upload_id = co_await create_multipart_upload(bucket, key);
    if (!upload_id)
        co_return upload_id.error();

    auto st = std::make_shared<s3_impl::multipart_state>();
    st->file = from;
    st->bucket = bucket;
    st->key = key;
    st->upload_id = *upload_id;
    st->plan = *plan;
    st->size = size;
    st->on_progress = opts.on_progress;
    st->etags.resize(plan->count);

    std::vector<boost::asio::awaitable<void>> workers;
    std::size_t const n = std::min<std::size_t>(options_.concurrency, plan->count);
    for (std::size_t i = 0; i < n; ++i)
        workers.push_back(part_worker(st));
    auto thrown = co_await s3_impl::run_workers(std::move(workers));
    // The parts are settled. A cancelled upload is aborted, so that no parts are left costing
    // storage (this frame runs under without_cancellation_throws, so it can still send that).
    if (co_await s3_impl::cancelled_now())
        st->fail(s3_impl::cancelled_transfer(options_.provider, "upload"));
    if (thrown)
    {
        co_await abort_after_failure(bucket, key, *upload_id);
        std::rethrow_exception(thrown);
    }
    if (st->failure)
    {
        // Abort so the parts stop costing storage; the upload's own error is what matters.
        co_await abort_after_failure(bucket, key, *upload_id);
        co_return std::move(*st->failure);
    }
    std::vector<std::pair<std::uint32_t, std::string>> parts;
    parts.reserve(plan->count);
    for (std::uint32_t i = 0; i < plan->count; ++i)
        parts.emplace_back(i + 1, std::move(st->etags[i]));
    auto done = co_await complete_multipart_upload(bucket, key, *upload_id, std::move(parts));
    if (!done)
    {
        co_await abort_after_failure(bucket, key, *upload_id);
        co_return done.error();
    }
    done->size = size;
    co_return std::move(*done);
}

MLCLOUD_DECL task<s3_object> s3_client::put_object(std::string const& bucket, std::string const& key,
                                                   std::string bytes, std::string const& content_type)
{
    auto target = url(bucket, key);
    if (!target)
        co_return target.error();
    std::uint64_t const size = bytes.size();
    auto hash = body_hash(bytes);
    net::request req;
    req.method = net::method::put;
    req.url = std::move(*target);
    req.headers.set("Content-Type", content_type);
    req.body = std::move(bytes);
    auto r = co_await client_.send(s3_service, std::move(req), std::move(hash));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "PutObject");
    if (!r->ok())
        co_return detail::make_error(*r, options_.provider, "PutObject").with_retry_safe();
    s3_object o;
    o.key = key;
    o.size = size;
    o.etag = detail::unquote_etag(r->headers.value_or("ETag", ""));
    o.last_modified = std::chrono::system_clock::now();
    co_return o;
}

MLCLOUD_DECL task<std::string> s3_client::create_multipart_upload(std::string const& bucket, std::string const& key)
{
    auto target = url(bucket, key, s3_impl::params("uploads", ""));
    if (!target)
        co_return target.error();
    net::request req;
    req.method = net::method::post;
    req.url = std::move(*target);
    req.headers.set("Content-Type", "application/octet-stream");
    // A repeated initiation only leaves an unused upload id behind (aborted by lifecycle
    // rules); losing the answer would fail the whole upload, so it may be retried.
    req.idempotent = true;
    auto r = co_await client_.send(s3_service, std::move(req), body_hash({}));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "CreateMultipartUpload");
    if (!r->ok())
        co_return detail::make_error(*r, options_.provider, "CreateMultipartUpload").with_retry_safe();
    auto id = detail::parse_initiate_multipart(r->body);
    if (!id)
        co_return s3_impl::decorate(id.error(), options_.provider, "CreateMultipartUpload");
    co_return std::move(*id);
}

MLCLOUD_DECL task<std::string> s3_client::upload_part(std::string const& bucket, std::string const& key,
                                                      std::string const& upload_id, std::uint32_t number,
                                                      net::file_body part, std::string sha256)
{
    auto target = url(bucket, key, s3_impl::params("partNumber", std::to_string(number), "uploadId", upload_id));
    if (!target)
        co_return target.error();
    if (sha256.empty())
    {
        auto h = co_await payload_hash(part);
        if (!h)
            co_return s3_impl::decorate(h.error(), options_.provider, "UploadPart");
        sha256 = std::move(*h);
    }
    net::request req;
    req.method = net::method::put;
    req.url = std::move(*target);
    req.body = std::move(part);
    auto r = co_await client_.send(s3_service, std::move(req), std::move(sha256));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "UploadPart");
    if (!r->ok())
        co_return detail::make_error(*r, options_.provider, "UploadPart").with_retry_safe();
    auto etag = r->headers.get("ETag");
    if (!etag || etag->empty())
        co_return error(errc::protocol_error, "UploadPart: the answer has no ETag")
            .with_provider(options_.provider)
            .with_operation("UploadPart")
            .with_http(r->status, r->request_id());
    co_return std::string(*etag);
}

MLCLOUD_DECL task<s3_object> s3_client::complete_multipart_upload(
    std::string const& bucket, std::string const& key, std::string const& upload_id,
    std::vector<std::pair<std::uint32_t, std::string>> parts)
{
    auto target = url(bucket, key, s3_impl::params("uploadId", upload_id));
    if (!target)
        co_return target.error();
    std::string const body = detail::complete_multipart_body(parts);
    unsigned const attempts = std::max(1u, options_.complete_attempts);
    for (unsigned attempt = 1;; ++attempt)
    {
        net::request req;
        req.method = net::method::post;
        req.url = *target;
        req.headers.set("Content-Type", "application/xml");
        req.body = body;
        req.idempotent = true; // completing the same parts again yields the same object
        auto r = co_await client_.send(s3_service, std::move(req), body_hash(body));
        if (!r)
            co_return s3_impl::decorate(r.error(), options_.provider, "CompleteMultipartUpload");
        if (!r->ok())
            co_return detail::make_error(*r, options_.provider, "CompleteMultipartUpload").with_retry_safe();
        auto outcome = detail::parse_complete_multipart(r->body);
        if (!outcome)
            co_return s3_impl::decorate(outcome.error(), options_.provider, "CompleteMultipartUpload")
                .with_http(r->status, r->request_id());
        if (outcome->failure)
        {
            // S3 answered 200 and then reported a failure in the body (it had started the
            // response while assembling the parts). Transient codes are tried again.
            auto& f = *outcome->failure;
            if (f.request_id.empty())
                f.request_id = std::string(r->request_id());
            bool again = detail::is_transient_code(f.code) || detail::is_throttling_code(f.code);
            if (again && attempt < attempts)
            {
                co_await s3_impl::sleep_for(std::chrono::milliseconds(200 * attempt));
                continue;
            }
            co_return detail::make_error(f, r->status, options_.provider, "CompleteMultipartUpload").with_retry_safe();
        }
        s3_object o;
        o.key = key;
        o.etag = std::move(outcome->etag);
        o.last_modified = std::chrono::system_clock::now();
        co_return o;
    }
}

MLCLOUD_DECL task<void> s3_client::abort_multipart_upload(std::string const& bucket, std::string const& key,
                                                          std::string const& upload_id)
{
    auto target = url(bucket, key, s3_impl::params("uploadId", upload_id));
    if (!target)
        co_return target.error();
    net::request req;
    req.method = net::method::delete_;
    req.url = std::move(*target);
    auto r = co_await client_.send(s3_service, std::move(req), body_hash({}));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "AbortMultipartUpload");
    if (!r->ok() && r->status != 404)
        co_return detail::make_error(*r, options_.provider, "AbortMultipartUpload").with_retry_safe();
    co_return result<void>();
}

// The abort of a failed or cancelled upload, where no cancellation reaches it: a second
// cancellation (a timeout around the call that was cancelled first) would otherwise leave the
// parts stored and billed. The request still ends within the client's own timeouts.
MLCLOUD_DECL task<void> s3_client::abort_after_failure(std::string const& bucket, std::string const& key,
                                                       std::string const& upload_id)
{
    auto abort = abort_multipart_upload(bucket, key, upload_id);
    return mlcloud::detail::shielded(std::move(abort));
}

MLCLOUD_DECL task<s3_object> s3_client::download_file(std::string const& bucket, std::string const& key,
                                                      std::filesystem::path const& to, transfer_options const& opts)
{
    auto transfer = download_ranges(bucket, key, to, opts);
    co_return co_await s3_impl::without_cancellation_throws(std::move(transfer));
}

MLCLOUD_DECL task<s3_object> s3_client::download_ranges(std::string const& bucket, std::string const& key,
                                                        std::filesystem::path const& to, transfer_options const& opts)
{
    auto target = url(bucket, key);
    if (!target)
        co_return target.error();
    auto partial = to;
    partial += ".mlcloud-download";
    auto etag_file = partial;
    etag_file += ".etag";

    // A partial download to resume: its record gives the ETag and how much of the file is
    // complete (ranges written after that, out of order, are fetched again).
    std::error_code ec;
    std::uint64_t offset = 0;
    std::string etag;
    if (std::filesystem::exists(partial, ec) && std::filesystem::exists(etag_file, ec))
    {
        auto saved = detail::read_small_file(etag_file, 4096);
        auto size = std::filesystem::file_size(partial, ec);
        if (saved && !ec)
        {
            auto [saved_etag, prefix] = s3_impl::parse_download_record(std::move(*saved));
            if (!saved_etag.empty())
            {
                etag = std::move(saved_etag);
                offset = std::min(size, prefix.value_or(size));
                if (offset < size)
                    std::filesystem::resize_file(partial, offset, ec);
                if (ec)
                {
                    etag.clear();
                    offset = 0;
                }
            }
        }
    }
    if (etag.empty())
    {
        std::filesystem::remove(partial, ec);
        std::filesystem::remove(etag_file, ec);
    }

    std::uint64_t total = 0;
    std::string last_modified;
    int restarts = 0;
    std::uint64_t const chunk = options_.download_chunk_size;
    s3_impl::partial_file file;
    for (;;)
    {
        if (co_await s3_impl::cancelled_now()) // e.g. before starting over after a 412
            co_return s3_impl::cancelled_transfer(options_.provider, "GetObject");
        // One range at `offset` first: it gives the object's size and ETag (or settles an
        // empty or already complete object); the rest then goes in a sliding window.
        auto req = s3_impl::range_request(*target, offset, chunk, etag);
        if (opts.on_progress)
        {
            auto report = opts.on_progress;
            std::uint64_t const base = offset;
            // (The object's size is not known before this answer: 0.)
            req.on_download_progress = [report, base](std::uint64_t got, std::uint64_t) { report(base + got, 0); };
        }
        auto hash = body_hash({});
        auto r = co_await client_.send(s3_service, std::move(req), std::move(hash));
        if (!r)
            co_return s3_impl::decorate(r.error(), options_.provider, "GetObject");
        if (r->status == 412 && restarts++ < 2)
        {
            // The object changed since the partial download began: start over.
            s3_impl::discard_partial(file, partial, etag_file, offset, etag);
            continue;
        }
        if (r->status == 416)
        {
            // Nothing at or after `offset`: the object is empty, or the partial file already
            // holds all of it. HEAD tells which.
            auto head = co_await head_object(bucket, key);
            if (!head)
                co_return head.error();
            if (head->size == offset && (etag.empty() || head->etag == etag))
            {
                total = offset;
                etag = head->etag;
                if (auto o = file.open(partial); !o)
                    co_return s3_impl::decorate(o.error(), options_.provider, "GetObject");
                break;
            }
            if (restarts++ < 2)
            {
                s3_impl::discard_partial(file, partial, etag_file, offset, etag);
                continue;
            }
        }
        if (!r->ok())
            co_return detail::make_error(*r, options_.provider, "GetObject").with_retry_safe();

        if (auto o = file.open(partial); !o)
            co_return s3_impl::decorate(o.error(), options_.provider, "GetObject");
        if (r->status == 200)
        {
            // The whole object (the store ignored the range): it replaces any partial bytes.
            offset = 0;
            total = r->body.size();
            if (auto t = file.truncate(0); !t)
                co_return s3_impl::decorate(t.error(), options_.provider, "GetObject");
        }
        else
        {
            auto range = detail::parse_content_range(r->headers.value_or("Content-Range", ""));
            if (!range || !range->first || !range->total || *range->first != offset)
                co_return error(errc::protocol_error, "GetObject: the answer's Content-Range does not match the request")
                    .with_provider(options_.provider)
                    .with_operation("GetObject")
                    .with_http(r->status, r->request_id());
            total = *range->total;
        }
        if (etag.empty())
            etag = detail::unquote_etag(r->headers.value_or("ETag", ""));
        last_modified = std::string(r->headers.value_or("Last-Modified", ""));
        if (auto a = file.write_at(offset, r->body); !a)
            co_return s3_impl::decorate(a.error(), options_.provider, "GetObject");
        offset += r->body.size();
        if (auto w = detail::write_file_atomically(etag_file, s3_impl::download_record(etag, offset)); !w)
            co_return s3_impl::decorate(w.error(), options_.provider, "GetObject");
        if (opts.on_progress)
            opts.on_progress(offset, total);
        if (offset >= total)
            break;
        if (r->body.empty() || etag.empty())
            co_return error(errc::protocol_error, r->body.empty()
                                                      ? "GetObject: an empty range before the end of the object"
                                                      : "GetObject: a partial answer without an ETag")
                .with_provider(options_.provider)
                .with_operation("GetObject");

        // The rest: `download_concurrency` workers, each fetching the next range as soon as its last
        // one is written (at its offset). Progress is reported per range written.
        auto window = std::make_shared<s3_impl::download_window>();
        window->url = *target;
        window->etag = etag;
        window->body_hash = body_hash({});
        window->start = offset;
        window->total = total;
        window->chunk = chunk;
        window->count = (total - offset + chunk - 1) / chunk;
        window->file = &file;
        if (files_->enabled())
            window->file_threads = files_->executor();
        window->record_file = etag_file;
        window->provider = options_.provider;
        window->on_progress = opts.on_progress;
        window->written.assign(window->count, false);

        std::vector<boost::asio::awaitable<void>> workers;
        std::size_t const n = static_cast<std::size_t>(std::min<std::uint64_t>(options_.download_concurrency, window->count));
        for (std::size_t i = 0; i < n; ++i)
            workers.push_back(s3_impl::range_worker(client_, window));
        if (auto thrown = co_await s3_impl::run_workers(std::move(workers)))
            std::rethrow_exception(thrown);
        if (co_await s3_impl::cancelled_now())
            window->fail(s3_impl::cancelled_transfer(options_.provider, "GetObject"));
        if (window->failure)
        {
            if (window->changed && restarts++ < 2)
            {
                s3_impl::discard_partial(file, partial, etag_file, offset, etag);
                continue;
            }
            // The record says how far the file is complete: the next call resumes there.
            co_return std::move(*window->failure);
        }
        offset = total;
        break;
    }
    file.close();
    mlcloud::detail::keep_permissions(to, partial);
    std::filesystem::rename(partial, to, ec);
    if (ec)
        co_return s3_impl::decorate(error(errc::io_error, "cannot write " + to.string() + ": " + ec.message()),
                                    options_.provider, "GetObject");
    std::filesystem::remove(etag_file, ec);
    s3_object o;
    o.key = key;
    o.size = total;
    o.etag = etag;
    o.last_modified = detail::parse_http_date(last_modified).value_or(std::chrono::system_clock::now());
    co_return o;
}

MLCLOUD_DECL task<std::string> s3_client::get_object(std::string const& bucket, std::string const& key,
                                                     std::uint64_t max_size)
{
    auto target = url(bucket, key);
    if (!target)
        co_return target.error();
    net::request req;
    req.method = net::method::get;
    req.url = std::move(*target);
    req.max_body_size = max_size;
    auto r = co_await client_.send(s3_service, std::move(req), body_hash({}));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "GetObject");
    if (!r->ok())
        co_return detail::make_error(*r, options_.provider, "GetObject").with_retry_safe();
    co_return std::move(r->body);
}

MLCLOUD_DECL task<std::string> s3_client::get_range(std::string const& bucket, std::string const& key,
                                                    std::uint64_t first, std::uint64_t last)
{
    auto target = url(bucket, key);
    if (!target)
        co_return target.error();
    net::request req;
    req.method = net::method::get;
    req.url = std::move(*target);
    req.headers.set("Range", "bytes=" + std::to_string(first) + "-" + std::to_string(last));
    auto r = co_await client_.send(s3_service, std::move(req), body_hash({}));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "GetObject");
    if (!r->ok())
        co_return detail::make_error(*r, options_.provider, "GetObject").with_retry_safe();
    if (r->status == 200 && r->body.size() > last - first + 1)
        co_return r->body.substr(static_cast<std::size_t>(first), static_cast<std::size_t>(last - first + 1));
    co_return std::move(r->body);
}

MLCLOUD_DECL task<s3_object> s3_client::head_object(std::string const& bucket, std::string const& key)
{
    auto target = url(bucket, key);
    if (!target)
        co_return target.error();
    net::request req;
    req.method = net::method::head;
    req.url = std::move(*target);
    auto r = co_await client_.send(s3_service, std::move(req), body_hash({}));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "HeadObject");
    if (!r->ok())
    {
        auto e = detail::make_error(*r, options_.provider, "HeadObject").with_retry_safe();
        if (r->status == 404)
            e.message = "NotFound: no object " + key + " in bucket " + bucket;
        co_return e;
    }
    co_return s3_impl::object_from_headers(key, *r);
}

MLCLOUD_DECL task<detail::list_page> s3_client::list_objects(std::string const& bucket, s3_list_request const& lr)
{
    auto q = s3_impl::params("list-type", "2", "encoding-type", "url");
    if (!lr.prefix.empty())
        q.emplace_back("prefix", lr.prefix);
    if (!lr.delimiter.empty())
        q.emplace_back("delimiter", lr.delimiter);
    if (!lr.continuation_token.empty())
        q.emplace_back("continuation-token", lr.continuation_token);
    if (!lr.start_after.empty())
        q.emplace_back("start-after", lr.start_after);
    q.emplace_back("max-keys", std::to_string(std::clamp(lr.max_keys, 1, 1000)));
    auto target = url(bucket, {}, q);
    if (!target)
        co_return target.error();
    net::request req;
    req.method = net::method::get;
    req.url = std::move(*target);
    auto r = co_await client_.send(s3_service, std::move(req), body_hash({}));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "ListObjectsV2");
    if (!r->ok())
        co_return detail::make_error(*r, options_.provider, "ListObjectsV2").with_retry_safe();
    auto page = detail::parse_list_objects_v2(r->body, true);
    if (!page)
        co_return s3_impl::decorate(page.error(), options_.provider, "ListObjectsV2").with_http(r->status, r->request_id());
    co_return std::move(*page);
}

MLCLOUD_DECL task<std::vector<s3_object>> s3_client::list_all(std::string const& bucket, std::string const& prefix)
{
    std::vector<s3_object> out;
    std::set<std::string> seen_tokens;
    s3_list_request lr;
    lr.prefix = prefix;
    lr.max_keys = options_.list_page_size;
    for (std::size_t page_no = 0;; ++page_no)
    {
        if (page_no >= options_.max_list_pages)
            co_return error(errc::protocol_error, "ListObjectsV2: more than " + std::to_string(options_.max_list_pages) +
                                                      " pages; stopped (raise s3_client_options::max_list_pages)")
                .with_provider(options_.provider)
                .with_operation("ListObjectsV2");
        auto page = co_await list_objects(bucket, lr);
        if (!page)
            co_return page.error();
        for (auto& o : page->objects)
            out.push_back(std::move(o));
        if (!page->truncated)
            break;
        if (page->next_token.empty() || !seen_tokens.insert(page->next_token).second)
            co_return error(errc::protocol_error,
                            page->next_token.empty()
                                ? "ListObjectsV2: a truncated page without a continuation token"
                                : "ListObjectsV2: the store repeated a continuation token; stopped to avoid a loop")
                .with_provider(options_.provider)
                .with_operation("ListObjectsV2");
        lr.continuation_token = page->next_token;
    }
    std::sort(out.begin(), out.end(), [](s3_object const& a, s3_object const& b) { return a.key < b.key; });
    co_return out;
}

MLCLOUD_DECL task<void> s3_client::delete_object(std::string const& bucket, std::string const& key)
{
    auto target = url(bucket, key);
    if (!target)
        co_return target.error();
    net::request req;
    req.method = net::method::delete_;
    req.url = std::move(*target);
    auto r = co_await client_.send(s3_service, std::move(req), body_hash({}));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "DeleteObject");
    if (!r->ok())
    {
        auto e = detail::parse_error(*r);
        if (e.code == "NoSuchKey")
            co_return result<void>();
        co_return detail::make_error(e, r->status, options_.provider, "DeleteObject").with_retry_safe();
    }
    co_return result<void>();
}

MLCLOUD_DECL result<std::string> s3_client::presign(std::string const& bucket, std::string const& key,
                                                    presign_method method, std::chrono::seconds expires) const
{
    auto fail = [&](errc c, std::string msg) {
        return error(c, std::move(msg)).with_provider(options_.provider).with_operation("presign");
    };
    if (!options_.limits.presign)
        return fail(errc::not_supported, "this store does not honour presigned URLs");
    if (expires < std::chrono::seconds(1) || expires > options_.limits.max_presign_expiry)
        return fail(errc::invalid_argument, "a presigned URL must expire after 1 s to " +
                                                std::to_string(options_.limits.max_presign_expiry.count()) + " s");
    if (!options_.credentials)
        return fail(errc::unauthorized, "no credentials configured");
    auto creds = options_.credentials();
    if (!creds)
        return creds.error();
    auto target = url(bucket, key);
    if (!target)
        return target.error();
    auto parts = net::parse_url(*target);
    if (!parts)
        return parts.error();
    auth::sigv4::request s;
    s.method = method == presign_method::put ? "PUT" : "GET";
    s.scheme = parts->scheme;
    s.host = parts->authority();
    s.path = parts->target;
    s.path_is_encoded = true;
    auth::sigv4::signer signer({.region = options_.region, .service = "s3", .rules = auth::sigv4::signing_rules::s3()});
    auto signed_url = signer.presign(s, *creds, expires);
    if (!signed_url)
        return signed_url.error();
    return std::move(signed_url->url);
}

MLCLOUD_DECL task<bool> s3_client::bucket_exists(std::string const& bucket)
{
    auto target = url(bucket, {});
    if (!target)
        co_return target.error();
    net::request req;
    req.method = net::method::head;
    req.url = std::move(*target);
    auto r = co_await client_.send(s3_service, std::move(req), body_hash({}));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "HeadBucket");
    if (r->ok())
        co_return true;
    if (r->status == 404)
        co_return false;
    auto e = detail::make_error(*r, options_.provider, "HeadBucket").with_retry_safe();
    if (r->status == 403)
        e.message = "Forbidden: bucket " + bucket + " exists but these credentials may not use it";
    else if (r->status == 301)
        e.message = "PermanentRedirect: bucket " + bucket + " is in another region than " + options_.region;
    co_return e;
}

MLCLOUD_DECL task<void> s3_client::create_bucket(std::string const& bucket)
{
    auto target = url(bucket, {});
    if (!target)
        co_return target.error();
    std::string body;
    if (options_.region != "us-east-1")
        body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
               options_.region + "</LocationConstraint></CreateBucketConfiguration>";
    auto hash = body_hash(body);
    net::request req;
    req.method = net::method::put;
    req.url = std::move(*target);
    if (!body.empty())
        req.headers.set("Content-Type", "application/xml");
    req.body = std::move(body);
    auto r = co_await client_.send(s3_service, std::move(req), std::move(hash));
    if (!r)
        co_return s3_impl::decorate(r.error(), options_.provider, "CreateBucket");
    if (!r->ok())
        co_return detail::make_error(*r, options_.provider, "CreateBucket").with_retry_safe();
    co_return result<void>();
}

} // namespace mlcloud::aws

#endif
