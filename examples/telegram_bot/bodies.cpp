//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// The one translation unit of mlcloud-bot that compiles the heavy bodies: Asio, Asio SSL,
// Beast and mlcloud (the bot's library is built in their separate-compilation modes).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#include <mlcloud/src.hpp>
