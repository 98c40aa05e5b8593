//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_CONSOLE_CHAT_HPP
#define MLCLOUD_BOT_CONSOLE_CHAT_HPP

// The conversation in a terminal (mlcloud-bot --console): what the user types is a message,
// the path of an existing file is a file sent to the bot, and buttons are numbered choices
// answered by typing the number. Messages are printed as plain text; a log view that is edited
// prints only its new lines; documents are written to a directory and their path printed.

#include "bot/chat_api.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace mlcloud_bot {

class console_chat final : public chat_api
{
public:
    /// Reads lines from `in` on a thread of its own and prints to `out`; the user is
    /// `user_id` in a private chat of the same id. Documents go to `document_dir`.
    console_chat(boost::asio::any_io_executor ex, std::istream& in, std::ostream& out, std::int64_t user_id,
                 std::filesystem::path document_dir);
    ~console_chat() override;

    text_format format() const noexcept override { return text_format::plain; }
    /// Returns errc::cancelled once the input has ended and every line was delivered.
    mlcloud::task<std::vector<tg_update>> get_updates(std::int64_t offset, std::chrono::seconds timeout) override;
    mlcloud::task<std::int64_t> send_message(std::int64_t chat_id, std::string text, keyboard buttons) override;
    mlcloud::task<void> edit_message(std::int64_t chat_id, std::int64_t message_id, std::string text,
                                     keyboard buttons) override;
    mlcloud::task<void> clear_buttons(std::int64_t chat_id, std::int64_t message_id) override;
    mlcloud::task<void> answer_callback(std::string callback_id, std::string notice) override;
    mlcloud::task<std::uint64_t> download_file(tg_document document, std::filesystem::path to,
                                               std::uint64_t max_bytes) override;
    mlcloud::task<std::int64_t> send_document(std::int64_t chat_id, std::filesystem::path file, std::string file_name,
                                              std::string caption) override;

private:
    struct shared; // what the reader thread and the executor share

    tg_update to_update(std::string line);
    void print(std::string const& text);

    boost::asio::any_io_executor ex_;
    std::ostream& out_;
    std::int64_t user_id_;
    std::filesystem::path document_dir_;
    std::shared_ptr<shared> shared_;
    std::thread reader_;

    std::int64_t next_update_ = 1;
    std::int64_t next_message_ = 1;
    std::int64_t next_document_ = 1;
    std::int64_t buttons_message_ = 0; ///< the message whose numbered choices are open
    keyboard buttons_;
    std::map<std::int64_t, std::string> shown_; ///< message id -> text as printed
    std::deque<tg_update> pending_;
};

} // namespace mlcloud_bot

#endif
