//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLI_BACKENDS_HPP
#define MLCLOUD_CLI_BACKENDS_HPP

// The backends compiled into the `mlcloud` command, and what the CLI needs to know about each:
//
//   template <> struct cli_backend<B> {
//       static mlcloud::result<typename B::options> options_from_environment();
//       static mlcloud::storage_uri default_prefix(typename B::options const&); // datasets/ and models/ go below
//       static constexpr std::string_view pricing_provider;  // rows of the pricing table; "" = free
//       static int setup(typename B::options const&, args const&, std::ostream&); // `mlcloud setup`
//   };
//
// A backend adds itself by specialising cli_backend and appending itself to compiled_backends.

#include "args.hpp"
#include "backend_aws.hpp"
#include "backend_runpod.hpp"

#include <mlcloud/local.hpp>

#include <cstdlib>
#include <ostream>

namespace mlcloud_cli {

template <class B>
struct cli_backend;

template <>
struct cli_backend<mlcloud::local::backend>
{
    static mlcloud::result<mlcloud::local::options> options_from_environment()
    {
        mlcloud::local::options o;
        o.root = mlcloud::local::default_root();
        if (char const* trainer = std::getenv("MLCLOUD_TRAINER"); trainer && *trainer)
            o.predictor_command.front() = trainer;
        return o;
    }

    static mlcloud::storage_uri default_prefix(mlcloud::local::options const&) { return mlcloud::storage_uri::local(""); }

    static constexpr std::string_view pricing_provider = "";

    static int setup(mlcloud::local::options const& o, args const& a, std::ostream& out)
    {
        a.allow_only({"provider"});
        std::error_code ec;
        bool existed = std::filesystem::exists(o.root, ec);
        std::filesystem::create_directories(o.root, ec);
        if (ec)
        {
            out << "cannot create " << o.root.string() << ": " << ec.message() << "\n";
            return 1;
        }
        out << (existed ? "found " : "created ") << "the local storage root " << o.root.string()
            << "\nnothing else is needed: the local backend runs jobs as processes on this machine\n";
        return 0;
    }
};

template <class... B>
struct backend_list
{
};

using compiled_backends = backend_list<mlcloud::local::backend, mlcloud::aws::backend, mlcloud::runpod::backend>;

} // namespace mlcloud_cli

#endif
