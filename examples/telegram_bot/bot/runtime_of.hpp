//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_RUNTIME_OF_HPP
#define MLCLOUD_BOT_RUNTIME_OF_HPP

// backend_runtime for one backend: every member forwards to mlcloud::cloud<B>. make_runtime
// picks B by name; tests build one directly to keep a handle on the backend's options.

#include "bot/runtime.hpp"

#include <mlcloud/cloud.hpp>
#include <mlcloud/reconcile.hpp>

namespace mlcloud_bot {

template <mlcloud::backend B>
class runtime_of final : public backend_runtime
{
public:
    runtime_of(boost::asio::any_io_executor ex, typename B::options const& opts) : cloud_(std::move(ex), opts) {}

    std::string_view provider() const noexcept override { return B::name; }
    mlcloud::capability_set training_capabilities() const noexcept override { return B::training::capabilities; }

    mlcloud::task<mlcloud::job_handle> launch(mlcloud::job_spec const& spec) override
    {
        co_return co_await cloud_.training().launch(spec);
    }
    mlcloud::task<mlcloud::job_status> status(mlcloud::job_handle const& job) override
    {
        co_return co_await cloud_.training().status(job);
    }
    mlcloud::task<mlcloud::log_chunk> read_logs(mlcloud::job_handle const& job, mlcloud::log_cursor const& from) override
    {
        co_return co_await cloud_.training().read_logs(job, from);
    }
    mlcloud::task<mlcloud::job_status> terminate(mlcloud::job_handle const& job) override
    {
        co_return co_await cloud_.training().terminate(job);
    }
    mlcloud::task<mlcloud::object_info> upload(std::filesystem::path const& from, mlcloud::storage_uri const& to) override
    {
        mlcloud::transfer_options const defaults; // named: GCC 12 mishandles prvalue arguments of awaited calls
        co_return co_await cloud_.storage().upload(from, to, defaults);
    }
    mlcloud::task<mlcloud::object_info> download(mlcloud::storage_uri const& from, std::filesystem::path const& to) override
    {
        mlcloud::transfer_options const defaults; // named: GCC 12 mishandles prvalue arguments of awaited calls
        co_return co_await cloud_.storage().download(from, to, defaults);
    }
    mlcloud::task<std::vector<mlcloud::object_info>> list(mlcloud::storage_uri const& prefix) override
    {
        co_return co_await cloud_.storage().list(prefix);
    }
    mlcloud::storage_uri stored_key(mlcloud::storage_uri const& uri) override
    {
        // A storage that keeps objects below a root directory (the local backend) says itself
        // which key a path names, absolute paths below the root included.
        if constexpr (requires(typename B::storage& s) { s.key_of(uri); })
        {
            if (uri.is_local())
                if (auto key = cloud_.storage().key_of(uri))
                    return mlcloud::storage_uri::local(std::move(*key));
        }
        return backend_runtime::stored_key(uri);
    }
    mlcloud::task<mlcloud::prediction_result> predict(mlcloud::prediction_request const& request) override
    {
        co_return co_await cloud_.prediction().predict(request);
    }
    bool can_list_jobs() const noexcept override { return mlcloud::job_listing_provider<typename B::training>; }
    mlcloud::task<std::vector<mlcloud::job_handle>> list_jobs() override
    {
        if constexpr (mlcloud::job_listing_provider<typename B::training>)
            co_return co_await cloud_.training().list_jobs();
        else
            co_return co_await backend_runtime::list_jobs();
    }

private:
    mlcloud::cloud<B> cloud_;
};

} // namespace mlcloud_bot

#endif
