//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Compile-time benchmark: a TU that only names the API (concepts and types), as a service's
// headers that pass jobs around do. Compared with asio_only.cpp.
#include <mlcloud/concepts.hpp>
#include <mlcloud/types.hpp>

#include <string>

template <mlcloud::training_provider T>
mlcloud::task<mlcloud::job_handle> start(T& provider, mlcloud::job_spec const& spec)
{
    return provider.launch(spec);
}

std::string describe(mlcloud::job_status const& s)
{
    return std::string(to_string(s.state));
}
