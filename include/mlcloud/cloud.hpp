//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLOUD_HPP
#define MLCLOUD_CLOUD_HPP

#include <mlcloud/concepts.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <concepts>
#include <optional>
#include <tuple>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace mlcloud {

/// A backend bundles the three providers of one cloud and the options they are built from:
///
///     struct backend {
///         static constexpr std::string_view name = "local";
///         using options = ...;      // one aggregate for all three providers
///         using training = ...;     // each constructible from (any_io_executor, options const&)
///         using storage = ...;
///         using prediction = ...;
///     };
template <class B>
concept backend = requires {
    { B::name } -> std::convertible_to<std::string_view>;
    typename B::options;
    typename B::training;
    typename B::storage;
    typename B::prediction;
} && training_provider<typename B::training> && storage_provider<typename B::storage> &&
    prediction_provider<typename B::prediction> &&
    std::constructible_from<typename B::training, boost::asio::any_io_executor, typename B::options const&> &&
    std::constructible_from<typename B::storage, boost::asio::any_io_executor, typename B::options const&> &&
    std::constructible_from<typename B::prediction, boost::asio::any_io_executor, typename B::options const&>;

/// The three providers of one backend, selected at compile time:
///
///     mlcloud::cloud<mlcloud::local::backend> c(ctx.get_executor(), {.root = "/srv/ml"});
///     auto job = co_await c.training().launch(spec);
template <backend B>
class cloud
{
public:
    using backend_type = B;
    using options_type = typename B::options;
    using training_type = typename B::training;
    using storage_type = typename B::storage;
    using prediction_type = typename B::prediction;

    static constexpr std::string_view name = B::name;

    cloud(boost::asio::any_io_executor ex, options_type const& opts)
        : training_(ex, opts), storage_(ex, opts), prediction_(ex, opts)
    {
    }

    training_type& training() noexcept { return training_; }
    storage_type& storage() noexcept { return storage_; }
    prediction_type& prediction() noexcept { return prediction_; }

private:
    training_type training_;
    storage_type storage_;
    prediction_type prediction_;
};

namespace detail {

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<result<T>> : std::true_type {};

// with_backend returns the callable's result<T> as is, and wraps anything else.
template <class R>
using with_backend_result_t = std::conditional_t<is_result<R>::value, R, result<R>>;

template <class B, class F>
using backend_invoke_t = std::invoke_result_t<F, std::type_identity<B>>;

} // namespace detail

/// Runtime name to compile-time backend, once at start-up:
///
///     auto r = mlcloud::with_backend<mlcloud::local::backend, mlcloud::aws::backend>(
///         config.provider, [&]<class B>(std::type_identity<B>) { return run_service<B>(config); });
///
/// Calls `f(std::type_identity<B>{})` for the backend whose `B::name` equals `name`; every
/// instantiation must return the same type. An unknown name yields `errc::invalid_argument`
/// listing the names that are compiled in.
template <backend... Backends, class F>
    requires(sizeof...(Backends) > 0)
auto with_backend(std::string_view name, F&& f)
    -> detail::with_backend_result_t<detail::backend_invoke_t<std::tuple_element_t<0, std::tuple<Backends...>>, F>>
{
    using first = std::tuple_element_t<0, std::tuple<Backends...>>;
    using R = detail::backend_invoke_t<first, F>;
    static_assert((std::is_same_v<R, detail::backend_invoke_t<Backends, F>> && ...),
                  "with_backend: the callable must return the same type for every backend");
    using out_t = detail::with_backend_result_t<R>;

    std::optional<out_t> out;
    auto try_one = [&]<class B>(std::type_identity<B> tag) {
        if (out || name != B::name)
            return;
        if constexpr (std::is_void_v<R>)
        {
            std::forward<F>(f)(tag);
            out.emplace();
        }
        else
            out.emplace(std::forward<F>(f)(tag));
    };
    (try_one(std::type_identity<Backends>{}), ...);
    if (out)
        return std::move(*out);

    std::string known;
    ((known += (known.empty() ? "" : ", ") + std::string(Backends::name)), ...);
    return error(errc::invalid_argument, "unknown provider '" + std::string(name) + "' (known: " + known + ")");
}

} // namespace mlcloud

#endif
