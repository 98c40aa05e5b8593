//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_HPP
#define MLCLOUD_MESSAGES_HPP

// The messages module: GPU pricing table, cost estimates, GPU recommendation and the message
// templates shared by the bot and the CLI (docs/pricing.md).

#include <mlcloud/messages/cost.hpp>
#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/messages/recommend.hpp>
#include <mlcloud/messages/templates.hpp>

#endif
