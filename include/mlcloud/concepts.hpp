//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CONCEPTS_HPP
#define MLCLOUD_CONCEPTS_HPP

#include <mlcloud/capabilities.hpp>
#include <mlcloud/types.hpp>

#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <filesystem>
#include <vector>

namespace mlcloud {

/// Every operation is a coroutine on Asio that yields a value or an `mlcloud::error`.
template <class T>
using task = boost::asio::awaitable<result<T>>;

namespace detail {

// Each requirement is its own concept so that a compiler's diagnostic, and the
// check_*() helpers below, name exactly the member that is missing.

template <class P>
concept declares_capabilities = requires {
    { P::capabilities } -> std::convertible_to<capability_set>;
};

template <class P>
concept has_launch = requires(P& p, job_spec const& spec) {
    { p.launch(spec) } -> std::same_as<task<job_handle>>;
};
template <class P>
concept has_status = requires(P& p, job_handle const& h) {
    { p.status(h) } -> std::same_as<task<job_status>>;
};
template <class P>
concept has_read_logs = requires(P& p, job_handle const& h, log_cursor const& c) {
    { p.read_logs(h, c) } -> std::same_as<task<log_chunk>>;
};
template <class P>
concept has_terminate = requires(P& p, job_handle const& h) {
    { p.terminate(h) } -> std::same_as<task<job_status>>;
};

template <class P>
concept has_upload = requires(P& p, std::filesystem::path const& f, storage_uri const& u, transfer_options const& o) {
    { p.upload(f, u, o) } -> std::same_as<task<object_info>>;
};
template <class P>
concept has_download = requires(P& p, storage_uri const& u, std::filesystem::path const& f, transfer_options const& o) {
    { p.download(u, f, o) } -> std::same_as<task<object_info>>;
};
template <class P>
concept has_list = requires(P& p, storage_uri const& prefix) {
    { p.list(prefix) } -> std::same_as<task<std::vector<object_info>>>;
};
template <class P>
concept has_exists = requires(P& p, storage_uri const& u) {
    { p.exists(u) } -> std::same_as<task<bool>>;
};
template <class P>
concept has_remove = requires(P& p, storage_uri const& u) {
    { p.remove(u) } -> std::same_as<task<void>>;
};
template <class P>
concept has_presign = requires(P const& p, storage_uri const& u, presign_method m, std::chrono::seconds s) {
    { p.presign(u, m, s) } -> std::same_as<result<std::string>>;
};

template <class P>
concept has_predict = requires(P& p, prediction_request const& r) {
    { p.predict(r) } -> std::same_as<task<prediction_result>>;
};

} // namespace detail

/// Launches training jobs, reports their status and logs, and stops them.
///
///     task<job_handle> launch(job_spec const&);
///     task<job_status> status(job_handle const&);
///     task<log_chunk>  read_logs(job_handle const&, log_cursor const&);
///     task<job_status> terminate(job_handle const&);   // idempotent; reports the final cost
///     static constexpr capability_set capabilities;
template <class P>
concept training_provider = detail::declares_capabilities<P> && detail::has_launch<P> &&
                            detail::has_status<P> && detail::has_read_logs<P> && detail::has_terminate<P>;

/// Keeps datasets and models.
///
///     task<object_info> upload(path const& from, storage_uri const& to, transfer_options const&);
///     task<object_info> download(storage_uri const& from, path const& to, transfer_options const&);
///     task<std::vector<object_info>> list(storage_uri const& prefix);
///     task<bool> exists(storage_uri const&);
///     task<void> remove(storage_uri const&);              // removing a missing object succeeds
///     static constexpr capability_set capabilities;
template <class P>
concept storage_provider = detail::declares_capabilities<P> && detail::has_upload<P> &&
                           detail::has_download<P> && detail::has_list<P> && detail::has_exists<P> &&
                           detail::has_remove<P>;

/// Applies a saved model to input rows.
///
///     task<prediction_result> predict(prediction_request const&);
///     static constexpr capability_set capabilities;
template <class P>
concept prediction_provider = detail::declares_capabilities<P> && detail::has_predict<P>;

/// True when `P` declares capability `C`.
template <class P, capability C>
concept supports = detail::declares_capabilities<P> && (P::capabilities.contains(C));

/// Storage that can also hand out presigned URLs:
///     result<std::string> presign(storage_uri const&, presign_method, std::chrono::seconds expires) const;
template <class P>
concept presigning_storage_provider = storage_provider<P> && supports<P, capability::presign> && detail::has_presign<P>;

// Readable diagnostics for people writing their own provider:
//     static_assert(mlcloud::check_training_provider<my_provider>());
// fails with one message per missing member instead of a wall of template text.

template <class P>
consteval bool check_training_provider()
{
    static_assert(detail::declares_capabilities<P>,
                  "missing: static constexpr mlcloud::capability_set capabilities");
    static_assert(detail::has_launch<P>, "missing: mlcloud::task<job_handle> launch(job_spec const&)");
    static_assert(detail::has_status<P>, "missing: mlcloud::task<job_status> status(job_handle const&)");
    static_assert(detail::has_read_logs<P>,
                  "missing: mlcloud::task<log_chunk> read_logs(job_handle const&, log_cursor const&)");
    static_assert(detail::has_terminate<P>, "missing: mlcloud::task<job_status> terminate(job_handle const&)");
    return training_provider<P>;
}

template <class P>
consteval bool check_storage_provider()
{
    static_assert(detail::declares_capabilities<P>,
                  "missing: static constexpr mlcloud::capability_set capabilities");
    static_assert(detail::has_upload<P>,
                  "missing: mlcloud::task<object_info> upload(path const&, storage_uri const&, transfer_options const&)");
    static_assert(detail::has_download<P>,
                  "missing: mlcloud::task<object_info> download(storage_uri const&, path const&, transfer_options const&)");
    static_assert(detail::has_list<P>, "missing: mlcloud::task<std::vector<object_info>> list(storage_uri const&)");
    static_assert(detail::has_exists<P>, "missing: mlcloud::task<bool> exists(storage_uri const&)");
    static_assert(detail::has_remove<P>, "missing: mlcloud::task<void> remove(storage_uri const&)");
    return storage_provider<P>;
}

template <class P>
consteval bool check_prediction_provider()
{
    static_assert(detail::declares_capabilities<P>,
                  "missing: static constexpr mlcloud::capability_set capabilities");
    static_assert(detail::has_predict<P>,
                  "missing: mlcloud::task<prediction_result> predict(prediction_request const&)");
    return prediction_provider<P>;
}

} // namespace mlcloud

#endif
