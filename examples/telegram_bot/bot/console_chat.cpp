//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/console_chat.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <istream>
#include <ostream>
#include <sstream>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {

struct console_chat::shared
{
    explicit shared(asio::any_io_executor ex) : ex(ex), wake(ex) {}

    asio::any_io_executor ex;
    asio::steady_timer wake; ///< touched on the executor only
    std::mutex mutex;
    std::deque<std::string> lines;
    bool eof = false;
    bool closed = false; ///< the console_chat is gone: post nothing more
};

namespace {

std::vector<std::string> split_lines(std::string const& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        out.push_back(line);
    return out;
}

} // namespace

console_chat::console_chat(asio::any_io_executor ex, std::istream& in, std::ostream& out, std::int64_t user_id,
                           fs::path document_dir)
    : ex_(ex), out_(out), user_id_(user_id), document_dir_(std::move(document_dir)),
      shared_(std::make_shared<shared>(ex))
{
    // std::getline blocks and cannot be waited for with Asio on every kind of stdin (a regular
    // file is not pollable), so a thread reads and hands the lines to the executor.
    reader_ = std::thread([s = shared_, &in] {
        std::string line;
        bool more = true;
        while (more)
        {
            more = static_cast<bool>(std::getline(in, line));
            std::lock_guard lock(s->mutex);
            if (s->closed)
                return;
            if (more)
                s->lines.push_back(line);
            else
                s->eof = true;
            asio::post(s->ex, [s] { s->wake.cancel(); });
        }
    });
}

console_chat::~console_chat()
{
    {
        std::lock_guard lock(shared_->mutex);
        shared_->closed = true;
    }
    // The reader may be blocked on the terminal; it holds its own reference and exits at the
    // next line without touching anything else.
    reader_.detach();
}

void console_chat::print(std::string const& text)
{
    out_ << text << std::endl;
}

tg_update console_chat::to_update(std::string line)
{
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        line.pop_back();
    tg_update u;
    u.update_id = next_update_++;
    tg_user const me{user_id_, false, "console", "console"};

    // A number answers the open choices.
    std::size_t choice = 0;
    auto const [p, ec] = std::from_chars(line.data(), line.data() + line.size(), choice);
    if (buttons_message_ != 0 && ec == std::errc() && p == line.data() + line.size() && choice >= 1)
    {
        std::size_t k = 0;
        for (auto const& row : buttons_)
            for (auto const& b : row)
                if (++k == choice)
                {
                    tg_callback_query q;
                    q.id = "console-" + std::to_string(u.update_id);
                    q.from = me;
                    q.message = tg_message{buttons_message_, user_id_, "private", me, {}, {}};
                    q.data = b.data;
                    u.callback_query = std::move(q);
                    return u;
                }
    }

    tg_message m;
    m.message_id = next_message_++;
    m.chat_id = user_id_;
    m.chat_type = "private";
    m.from = me;
    std::error_code fec;
    // A command is one word after '/'; anything that names an existing file is that file.
    if (!line.empty() && fs::is_regular_file(line, fec))
    {
        // The path of a file: the user sends that file.
        auto const path = fs::absolute(line, fec);
        auto const size = fs::file_size(path, fec);
        m.document = tg_document{path.string(), path.string(), path.filename().string(), "text/csv",
                                 fec ? std::nullopt : std::optional<std::uint64_t>(size)};
    }
    else
        m.text = line;
    u.message = std::move(m);
    return u;
}

mlcloud::task<std::vector<tg_update>> console_chat::get_updates(std::int64_t offset, std::chrono::seconds timeout)
{
    next_update_ = std::max(next_update_, offset); // ids continue where the database stopped
    while (!pending_.empty() && pending_.front().update_id < offset)
        pending_.pop_front();

    auto const take_lines = [&] {
        std::deque<std::string> lines;
        bool eof = false;
        {
            std::lock_guard lock(shared_->mutex);
            lines.swap(shared_->lines);
            eof = shared_->eof;
        }
        for (auto& l : lines)
            pending_.push_back(to_update(std::move(l)));
        return eof;
    };

    bool eof = take_lines();
    if (pending_.empty() && !eof)
    {
        shared_->wake.expires_after(std::max<std::chrono::steady_clock::duration>(timeout, std::chrono::milliseconds(50)));
        boost::system::error_code ec;
        co_await shared_->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        eof = take_lines();
    }
    if (pending_.empty() && eof)
        co_return error(errc::cancelled, "the console input has ended");
    co_return std::vector<tg_update>(pending_.begin(), pending_.end());
}

mlcloud::task<std::int64_t> console_chat::send_message(std::int64_t, std::string text, keyboard buttons)
{
    co_await asio::post(ex_, asio::use_awaitable);
    auto const id = next_message_++;
    std::string out = text;
    if (!buttons.empty())
    {
        std::size_t k = 0;
        for (auto const& row : buttons)
            for (auto const& b : row)
                out += "\n  " + std::to_string(++k) + ") " + b.text;
        out += "\n(type a number)";
        buttons_message_ = id;
        buttons_ = std::move(buttons);
    }
    print(out + "\n");
    shown_[id] = std::move(text);
    co_return id;
}

mlcloud::task<void> console_chat::edit_message(std::int64_t, std::int64_t message_id, std::string text, keyboard)
{
    co_await asio::post(ex_, asio::use_awaitable);
    // Print what is new: the lines after the last line printed before (a log view grows at
    // the end), or the whole text when it changed otherwise.
    auto const old = split_lines(shown_[message_id]);
    auto const now = split_lines(text);
    std::size_t from = 0;
    if (!old.empty())
    {
        auto const it = std::find(now.rbegin(), now.rend(), old.back());
        from = it == now.rend() ? 0 : static_cast<std::size_t>(now.rend() - it);
    }
    for (std::size_t i = from; i < now.size(); ++i)
        print(now[i]);
    shown_[message_id] = std::move(text);
    co_return mlcloud::result<void>{};
}

mlcloud::task<void> console_chat::clear_buttons(std::int64_t, std::int64_t message_id)
{
    co_await asio::post(ex_, asio::use_awaitable);
    if (message_id == buttons_message_)
    {
        buttons_message_ = 0;
        buttons_.clear();
    }
    co_return mlcloud::result<void>{};
}

mlcloud::task<void> console_chat::answer_callback(std::string, std::string notice)
{
    co_await asio::post(ex_, asio::use_awaitable);
    if (!notice.empty())
        print("(" + notice + ")\n");
    co_return mlcloud::result<void>{};
}

mlcloud::task<std::uint64_t> console_chat::download_file(tg_document document, fs::path to, std::uint64_t max_bytes)
{
    co_await asio::post(ex_, asio::use_awaitable);
    std::error_code ec;
    auto const size = fs::file_size(document.file_id, ec);
    if (ec)
        co_return error(errc::not_found, "cannot read " + document.file_id);
    if (size > max_bytes)
        co_return error(errc::payload_too_large, "the file is larger than the limit");
    fs::copy_file(document.file_id, to, fs::copy_options::overwrite_existing, ec);
    if (ec)
        co_return error(errc::io_error, "cannot copy " + document.file_id + ": " + ec.message());
    co_return size;
}

mlcloud::task<std::int64_t> console_chat::send_document(std::int64_t, fs::path file, std::string file_name,
                                                        std::string caption)
{
    co_await asio::post(ex_, asio::use_awaitable);
    std::error_code ec;
    fs::create_directories(document_dir_, ec);
    auto const stem = fs::path(file_name).stem().string();
    auto const ext = fs::path(file_name).extension().string();
    fs::path dest;
    do
        dest = document_dir_ / (stem + "-" + std::to_string(next_document_++) + ext);
    while (fs::exists(dest, ec));
    fs::copy_file(file, dest, ec);
    if (ec)
        co_return error(errc::io_error, "cannot write " + dest.string() + ": " + ec.message());
    print(caption + "\nSaved to " + dest.string() + "\n");
    co_return next_message_++;
}

} // namespace mlcloud_bot
