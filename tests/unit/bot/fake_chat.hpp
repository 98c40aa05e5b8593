//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_TEST_FAKE_CHAT_HPP
#define MLCLOUD_BOT_TEST_FAKE_CHAT_HPP

// A chat_api in memory for driving the bot in-process: the test plays the user (commands,
// text, files, button presses) and reads what the bot sent, with edits applied. Updates follow
// Telegram's offset rule: an update stays until a getUpdates call with a higher offset.

#include "bot/chat_api.hpp"
#include "bot/text.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace mlcloud_bot_test {

using namespace mlcloud_bot;

struct bot_message
{
    std::int64_t id = 0;
    std::int64_t chat_id = 0;
    std::string text;
    keyboard buttons;
    std::string document_name;    ///< set for documents
    std::string document_content; ///< the uploaded bytes
    int edits = 0;
};

class fake_chat : public chat_api
{
public:
    explicit fake_chat(boost::asio::any_io_executor ex, text_format f = text_format::html) : ex_(ex), format_(f) {}

    /// A restarted bot talks to the same chat through a new io_context.
    void rebind(boost::asio::any_io_executor ex) { ex_ = std::move(ex); }

    // -- the user's side -------------------------------------------------------------------

    std::int64_t user_id = 42;
    std::int64_t chat_id = 42;
    std::string chat_type = "private";

    void send_text(std::string text, std::int64_t from = 0)
    {
        tg_update u;
        u.update_id = next_update_++;
        tg_message m;
        m.message_id = next_message_++;
        m.chat_id = from ? from : chat_id;
        m.chat_type = chat_type;
        m.from = tg_user{from ? from : user_id, false, "Alice", "alice"};
        m.text = std::move(text);
        u.message = std::move(m);
        updates_.push_back(std::move(u));
    }

    void send_file(std::string name, std::string content, std::optional<std::uint64_t> declared_size = {})
    {
        auto const id = "file-" + std::to_string(next_file_++);
        files_[id] = content;
        tg_update u;
        u.update_id = next_update_++;
        tg_message m;
        m.message_id = next_message_++;
        m.chat_id = chat_id;
        m.chat_type = chat_type;
        m.from = tg_user{user_id, false, "Alice", "alice"};
        m.document = tg_document{id, "u" + id, std::move(name), "text/csv",
                                 declared_size ? declared_size : std::optional<std::uint64_t>(content.size())};
        u.message = std::move(m);
        updates_.push_back(std::move(u));
    }

    /// The ids of the next updates start again at `next`, as Telegram's do after a week
    /// without updates (at a random id, which may be lower than the bot's offset).
    void restart_update_ids(std::int64_t next) { next_update_ = next; }

    /// Presses the button whose label contains `label` on the newest message that has one.
    bool press(std::string_view label, std::int64_t from = 0)
    {
        for (auto it = messages_.rbegin(); it != messages_.rend(); ++it)
            for (auto const& row : it->buttons)
                for (auto const& b : row)
                    if (b.text.find(label) != std::string::npos)
                    {
                        press_data(b.data, it->id, from);
                        return true;
                    }
        return false;
    }

    void press_data(std::string data, std::int64_t message_id, std::int64_t from = 0)
    {
        tg_update u;
        u.update_id = next_update_++;
        tg_callback_query q;
        q.id = "cb-" + std::to_string(u.update_id);
        q.from = tg_user{from ? from : user_id, false, "Alice", "alice"};
        tg_message m;
        m.message_id = message_id;
        m.chat_id = from ? from : chat_id;
        m.chat_type = chat_type;
        q.message = std::move(m);
        q.data = std::move(data);
        u.callback_query = std::move(q);
        updates_.push_back(std::move(u));
    }

    // -- what the bot did ------------------------------------------------------------------

    std::vector<bot_message> const& messages() const { return messages_; }
    std::vector<std::string> const& answers() const { return answers_; }
    int get_updates_calls = 0;
    std::vector<std::int64_t> offsets; ///< the offset of every getUpdates call

    bot_message const* find(std::string_view needle) const
    {
        for (auto const& m : messages_)
            if (m.text.find(needle) != std::string::npos)
                return &m;
        return nullptr;
    }
    bot_message const* find_last(std::string_view needle) const
    {
        for (auto it = messages_.rbegin(); it != messages_.rend(); ++it)
            if (it->text.find(needle) != std::string::npos)
                return &*it;
        return nullptr;
    }
    int count(std::string_view needle) const
    {
        int n = 0;
        for (auto const& m : messages_)
            n += m.text.find(needle) != std::string::npos;
        return n;
    }
    std::size_t pending_updates() const { return updates_.size(); }

    // -- chat_api ----------------------------------------------------------------------------

    text_format format() const noexcept override { return format_; }

    mlcloud::task<std::vector<tg_update>> get_updates(std::int64_t offset, std::chrono::seconds) override
    {
        ++get_updates_calls;
        offsets.push_back(offset);
        auto const confirm = [&] {
            if (offset > 0) // 0: no offset, every update not confirmed yet
                while (!updates_.empty() && updates_.front().update_id < offset)
                    updates_.pop_front();
        };
        confirm();
        if (updates_.empty())
        {
            // A short poll: the test's io_context keeps turning.
            boost::asio::steady_timer t(ex_, std::chrono::milliseconds(5));
            co_await t.async_wait(boost::asio::use_awaitable);
            confirm(); // what arrived meanwhile: never an id below the offset
        }
        if (closed)
            co_return mlcloud::error(mlcloud::errc::cancelled, "input closed");
        co_return std::vector<tg_update>(updates_.begin(), updates_.end());
    }

    mlcloud::task<std::int64_t> send_message(std::int64_t chat, std::string text, keyboard buttons) override
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        if (fail_sends > 0)
        {
            --fail_sends;
            co_return mlcloud::error(mlcloud::errc::network_error, "injected");
        }
        // A long text goes out part by part, as the Telegram client sends it: a failing part
        // leaves the earlier ones delivered.
        auto parts = message_parts(text);
        std::int64_t last = 0;
        for (std::size_t i = 0; i < parts.size(); ++i)
        {
            if (fail_sends_with.hits(parts[i]))
                co_return mlcloud::error(mlcloud::errc::network_error, "injected");
            if (visible_length(parts[i]) > max_message_chars && format_ == text_format::html)
                co_return mlcloud::error(mlcloud::errc::invalid_argument, "Bad Request: message is too long");
            bot_message m{next_message_++, chat, std::move(parts[i]), i + 1 == parts.size() ? buttons : keyboard{},
                          {}, {}, 0};
            messages_.push_back(m);
            last = m.id;
        }
        co_return last;
    }

    /// Whole lines, at most `split_at` bytes a part (split_at 0: one part), as Telegram's
    /// client splits at 4096.
    std::vector<std::string> message_parts(std::string const& text) const override
    {
        if (split_at == 0 || text.size() <= split_at)
            return {text};
        std::vector<std::string> parts(1);
        std::size_t pos = 0;
        while (pos < text.size())
        {
            auto nl = text.find('\n', pos);
            auto line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl + 1 - pos);
            pos = nl == std::string::npos ? text.size() : nl + 1;
            if (!parts.back().empty() && parts.back().size() + line.size() > split_at)
                parts.emplace_back();
            parts.back() += line;
        }
        return parts;
    }

    mlcloud::task<void> edit_message(std::int64_t, std::int64_t message_id, std::string text, keyboard buttons) override
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        if (fail_edits_with.hits(text))
            co_return mlcloud::error(mlcloud::errc::network_error, "injected");
        for (auto& m : messages_)
            if (m.id == message_id)
            {
                m.text = std::move(text);
                m.buttons = std::move(buttons);
                ++m.edits;
                co_return mlcloud::result<void>{};
            }
        co_return mlcloud::error(mlcloud::errc::invalid_argument, "message to edit not found");
    }

    mlcloud::task<void> clear_buttons(std::int64_t, std::int64_t message_id) override
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        for (auto& m : messages_)
            if (m.id == message_id)
                m.buttons.clear();
        co_return mlcloud::result<void>{};
    }

    mlcloud::task<void> answer_callback(std::string id, std::string notice) override
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        answers_.push_back(id + (notice.empty() ? "" : ": " + notice));
        co_return mlcloud::result<void>{};
    }

    mlcloud::task<std::uint64_t> download_file(tg_document d, std::filesystem::path to, std::uint64_t max_bytes) override
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto it = files_.find(d.file_id);
        if (it == files_.end())
            co_return mlcloud::error(mlcloud::errc::not_found, "invalid file_id");
        if (it->second.size() > max_bytes)
            co_return mlcloud::error(mlcloud::errc::payload_too_large, "file is too big");
        std::ofstream(to, std::ios::binary) << it->second;
        co_return it->second.size();
    }

    mlcloud::task<std::int64_t> send_document(std::int64_t chat, std::filesystem::path file, std::string name,
                                              std::string caption) override
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        if (refuse_documents > 0)
        {
            --refuse_documents;
            co_return mlcloud::error(mlcloud::errc::payload_too_large, "Request Entity Too Large");
        }
        std::ifstream in(file, std::ios::binary);
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        bot_message m{next_message_++, chat, std::move(caption), {}, std::move(name), std::move(content), 0};
        messages_.push_back(m);
        co_return m.id;
    }

    int fail_sends = 0;  ///< the next sends fail with a network error
    int refuse_documents = 0; ///< the next documents are refused for good (too large)
    std::size_t split_at = 0; ///< message_parts' limit; 0: texts are never split

    /// The next `count` calls whose text contains `needle` fail with a network error.
    struct failure_rule
    {
        std::string needle;
        int count = 0;
        bool hits(std::string const& text)
        {
            if (count <= 0 || text.find(needle) == std::string::npos)
                return false;
            --count;
            return true;
        }
    };
    failure_rule fail_sends_with;
    failure_rule fail_edits_with;
    bool closed = false; ///< getUpdates reports the end of input

private:
    boost::asio::any_io_executor ex_;
    text_format format_;
    std::deque<tg_update> updates_;
    std::vector<bot_message> messages_;
    std::vector<std::string> answers_;
    std::map<std::string, std::string> files_;
    std::int64_t next_update_ = 1000;
    std::int64_t next_message_ = 1;
    int next_file_ = 1;
};

} // namespace mlcloud_bot_test

#endif
