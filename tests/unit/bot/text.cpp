//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Text rules: HTML escaping of what the bot echoes, the 4096-character split, callback data,
// nonces and the outgoing rate limiter (with a fake clock).

#include "bot/rate_limiter.hpp"
#include "bot/text.hpp"
#include "bot/wording.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <set>

using namespace mlcloud_bot;
using namespace std::chrono_literals;

namespace {

/// Checks that a part is balanced HTML: every opened tag is closed, in order, and no tag or
/// entity is cut (a '<' always has its '>', a '&' its ';').
bool balanced(std::string const& html)
{
    std::vector<std::string> stack;
    for (std::size_t i = 0; i < html.size(); ++i)
    {
        if (html[i] == '&')
        {
            auto const semi = html.find(';', i);
            if (semi == std::string::npos || semi - i > 10)
                return false;
        }
        if (html[i] != '<')
            continue;
        auto const close = html.find('>', i);
        if (close == std::string::npos)
            return false;
        auto tag = html.substr(i + 1, close - i - 1);
        if (tag.starts_with('/'))
        {
            if (stack.empty() || stack.back() != tag.substr(1))
                return false;
            stack.pop_back();
        }
        else
            stack.push_back(tag.substr(0, tag.find(' ')));
        i = close;
    }
    return stack.empty();
}

/// The visible text of Telegram HTML (tags dropped, our few entities decoded).
std::string visible(std::string const& html)
{
    std::string out;
    for (std::size_t i = 0; i < html.size(); ++i)
    {
        if (html[i] == '<')
        {
            i = html.find('>', i);
            continue;
        }
        if (html[i] == '&')
        {
            auto const semi = html.find(';', i);
            auto const name = html.substr(i + 1, semi - i - 1);
            out += name == "lt" ? "<" : name == "gt" ? ">" : name == "amp" ? "&" : "\"";
            i = semi;
            continue;
        }
        out += html[i];
    }
    return out;
}

} // namespace

TEST_CASE("visible_length counts what Telegram counts after parsing")
{
    CHECK(visible_length("plain") == 5);
    CHECK(visible_length("<b>bold</b>") == 4);
    CHECK(visible_length("a &lt; b &amp;&amp; c") == 10);
    CHECK(visible_length("<a href=\"https://x.y/?a=1&amp;b=2\">link</a>") == 4);
    CHECK(visible_length("caf\xC3\xA9") == 4);                // é: one UTF-16 unit
    CHECK(visible_length("\xF0\x9F\x9A\x80 go") == 5);         // 🚀 outside the BMP: two units
    CHECK(visible_length("&#128640;") == 1);
    CHECK(visible_length("a < b") == 5); // a stray '<' that is no tag is text
}

TEST_CASE("the bot's own words escape what came from users")
{
    wording w(text_format::html);
    w.text("Dataset: <script>&co").bold("a<b").code("x&y");
    CHECK(std::move(w).str() == "Dataset: &lt;script&gt;&amp;co<b>a&lt;b</b><code>x&amp;y</code>");

    wording p(text_format::plain);
    p.text("<keep> as is").bold("no tags");
    CHECK(std::move(p).str() == "<keep> as is" "no tags");

    wording c(text_format::html);
    c.text("bell\x07 and \x1b[31mred\x1b[0m");
    CHECK(std::move(c).str() == "bell and red"); // control characters and ANSI colours are dropped
}

TEST_CASE("short messages are not split")
{
    auto parts = split_html("<b>hello</b> world");
    REQUIRE(parts.size() == 1);
    CHECK(parts[0] == "<b>hello</b> world");
    CHECK(split_html("").empty());
}

TEST_CASE("long messages split at line breaks, keep their tags balanced and lose no text")
{
    std::string html = "<b>Training logs</b>\n<pre>";
    std::string expected_visible = "Training logs\n";
    for (int i = 0; i < 400; ++i)
    {
        std::string line = "epoch " + std::to_string(i) + " loss=&lt;0." + std::to_string(1000 + i) + "&gt;";
        html += line + "\n";
        expected_visible += visible(line) + "\n";
    }
    html += "</pre>";

    auto const parts = split_html(html, 1000);
    REQUIRE(parts.size() > 1);
    std::string joined;
    for (auto const& p : parts)
    {
        CHECK(visible_length(p) <= 1000);
        CHECK(balanced(p));
        if (&p != &parts.front())
            CHECK(p.starts_with("<pre>")); // the open <pre> is opened again
        if (!joined.empty())
            joined += "\n"; // a cut drops exactly one line break
        joined += visible(p);
    }
    CHECK(joined == expected_visible);
}

TEST_CASE("a part never ends inside an entity or a multi-byte character")
{
    // No line breaks or spaces: the split has to cut between tokens.
    std::string html;
    for (int i = 0; i < 4500; ++i)
        html += (i % 3 == 0) ? "&amp;" : (i % 3 == 1) ? "\xC3\xA9" : "\xF0\x9F\x9A\x80";
    auto const parts = split_html(html, 4096);
    REQUIRE(parts.size() == 2);
    std::string rejoined;
    for (auto const& p : parts)
    {
        CHECK(visible_length(p) <= 4096);
        CHECK(balanced(p));
        rejoined += p;
    }
    CHECK(rejoined == html);
}

TEST_CASE("split prefers a space when there is no line break late enough")
{
    std::string text(3000, 'a');
    text += " ";
    text += std::string(3000, 'b');
    auto const parts = split_html(text, 4096);
    REQUIRE(parts.size() == 2);
    CHECK(parts[0] == std::string(3000, 'a'));
    CHECK(parts[1] == std::string(3000, 'b'));
}

TEST_CASE("random HTML survives splitting with balanced parts within the limit")
{
    std::mt19937 rng(7);
    char const* pieces[] = {"<b>", "</b>", "<i>", "</i>", "word ", "\n", "&lt;", "\xF0\x9F\x8E\x89", "x", "<code>", "</code>"};
    for (int round = 0; round < 50; ++round)
    {
        // Build random but well-formed HTML by tracking what is open.
        std::string html;
        std::vector<std::string> open;
        for (int i = 0; i < 2000; ++i)
        {
            std::string p = pieces[rng() % std::size(pieces)];
            if (p.starts_with("</"))
            {
                if (open.empty() || "</" + open.back() + ">" != p)
                    continue;
                open.pop_back();
            }
            else if (p.starts_with('<'))
            {
                if (open.size() > 2)
                    continue;
                open.push_back(p.substr(1, p.size() - 2));
            }
            html += p;
        }
        while (!open.empty())
        {
            html += "</" + open.back() + ">";
            open.pop_back();
        }
        std::size_t const limit = 100 + rng() % 400;
        std::size_t total_visible = 0;
        auto const parts = split_html(html, limit);
        for (auto const& part : parts)
        {
            REQUIRE(visible_length(part) <= limit);
            REQUIRE(visible_length(part) > 0);
            REQUIRE(balanced(part));
            total_visible += visible_length(part);
        }
        // Only cut characters (one line break or space per cut) may go missing.
        CHECK(total_visible <= visible_length(html));
        CHECK(total_visible + parts.size() >= visible_length(html));
    }
}

TEST_CASE("plain text splits by the same rules")
{
    std::string text;
    for (int i = 0; i < 100; ++i)
        text += "line " + std::to_string(i) + " <not a tag> &amp;\n";
    for (auto const& p : split_plain(text, 200))
        CHECK(p.size() <= 200);
    CHECK(split_plain(text, 200).size() > 1);
}

TEST_CASE("callback data round-trips and stays within 64 bytes")
{
    callback_data d{"1a2b3c4d", "c", "12"};
    auto wire = encode(d);
    REQUIRE(wire);
    CHECK(*wire == "1a2b3c4d:c:12");
    CHECK(decode_callback(*wire) == d);

    CHECK(encode({"1a2b3c4d", "go", ""}) == std::optional<std::string>("1a2b3c4d:go"));
    CHECK(decode_callback("1a2b3c4d:go") == callback_data{"1a2b3c4d", "go", ""});
    // An argument may itself hold ':'.
    CHECK(decode_callback("n:v:a:b") == callback_data{"n", "v", "a:b"});

    CHECK_FALSE(encode({"nonce", "verb", std::string(60, 'x')}));   // 70 bytes
    CHECK(encode({"nonce", "verb", std::string(53, 'x')})->size() == 64);
    CHECK_FALSE(encode({"", "verb", ""}));
    CHECK_FALSE(encode({"a:b", "verb", ""}));
    CHECK_FALSE(encode({"nonce", "", ""}));

    // Untrusted input: anything malformed is refused, never misread.
    CHECK_FALSE(decode_callback(""));
    CHECK_FALSE(decode_callback("nocolon"));
    CHECK_FALSE(decode_callback(":verb"));
    CHECK_FALSE(decode_callback("nonce:"));
    CHECK_FALSE(decode_callback(std::string(65, 'a') + ":v"));
}

TEST_CASE("nonces are 8 hex digits and differ")
{
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i)
    {
        auto n = make_nonce();
        CHECK(n.size() == 8);
        CHECK(n.find_first_not_of("0123456789abcdef") == std::string::npos);
        seen.insert(n);
    }
    CHECK(seen.size() > 95);
}

namespace {

struct fake_clock
{
    rate_limiter::time_point t{std::chrono::hours(1)};
    std::function<rate_limiter::time_point()> fn()
    {
        return [this] { return t; };
    }
};

} // namespace

TEST_CASE("rate limiter: one message per second per chat after a burst")
{
    fake_clock clock;
    rate_limiter rl({.per_chat_per_second = 1.0, .per_chat_burst = 3, .global_per_second = 30, .global_burst = 30},
                    clock.fn());
    auto const t0 = clock.t;
    CHECK(rl.reserve_chat(1) == t0);
    CHECK(rl.reserve_chat(1) == t0);
    CHECK(rl.reserve_chat(1) == t0);
    CHECK(rl.reserve_chat(1) == t0 + 1s); // the burst is spent: one per second from here
    CHECK(rl.reserve_chat(1) == t0 + 2s);
    // Another chat is not held up by the first, nor by the first's future slots.
    CHECK(rl.reserve_chat(2) == t0);
    CHECK(rl.reserve_global() == t0);
    // Time passes: the bucket refills, up to the burst.
    clock.t = t0 + 10s;
    CHECK(rl.reserve_chat(1) == clock.t);
    CHECK(rl.reserve_chat(1) == clock.t);
    CHECK(rl.reserve_chat(1) == clock.t);
    CHECK(rl.reserve_chat(1) == clock.t + 1s);
}

TEST_CASE("rate limiter: thirty messages per second overall")
{
    fake_clock clock;
    rate_limiter rl({.per_chat_per_second = 1.0, .per_chat_burst = 1, .global_per_second = 30, .global_burst = 30},
                    clock.fn());
    auto const t0 = clock.t;
    for (int chat = 0; chat < 30; ++chat)
    {
        CHECK(rl.reserve_chat(chat) == t0);
        CHECK(rl.reserve_global() == t0);
    }
    // The 31st message, to a fresh chat, may go as far as its chat is concerned, but waits
    // for the global bucket: 1/30 s.
    CHECK(rl.reserve_chat(100) == t0);
    auto const next = rl.reserve_global();
    CHECK(next - t0 <= 34ms);
    CHECK(next - t0 >= 33ms);
    CHECK(rl.reserve_global() - next >= 33ms);
    // A second later the bucket is full again.
    clock.t = t0 + 3s;
    for (int i = 0; i < 30; ++i)
        CHECK(rl.reserve_global() == clock.t);
    CHECK(rl.reserve_global() > clock.t);
}

TEST_CASE("rate limiter: a 429 pause holds back the chat, or everyone")
{
    fake_clock clock;
    rate_limiter rl({}, clock.fn());
    auto const t0 = clock.t;
    rl.pause_until(t0 + 35s, 7);
    CHECK(rl.reserve_chat(7) == t0 + 35s);
    CHECK(rl.reserve_chat(8) == t0);
    CHECK(rl.reserve_global() == t0);
    rl.pause_until(t0 + 5s);
    CHECK(rl.reserve_global() == t0 + 5s);
    CHECK(rl.reserve_chat(9) == t0); // the chat's own slot; the global wait comes after it
}
