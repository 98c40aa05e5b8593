//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_IMPL_TEMPLATES_IPP
#define MLCLOUD_MESSAGES_IMPL_TEMPLATES_IPP

#include <mlcloud/detail/utf8.hpp>
#include <mlcloud/messages/cost.hpp>
#include <mlcloud/messages/detail/words.hpp>
#include <mlcloud/messages/templates.hpp>

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace mlcloud {
namespace messages {
namespace detail {

/// Builds one message in either format, so each template is written once. `text` is for
/// anything (it is cleaned and, in HTML, escaped); markup is added only by the tag helpers.
class text_builder
{
public:
    explicit text_builder(format f) : html_(f == format::html) {}

    text_builder& text(std::string_view s)
    {
        out_ += html_ ? escape_html(clean_text(s)) : clean_text(s);
        return *this;
    }
    text_builder& bold(std::string_view s) { return tagged("b", s); }
    text_builder& italic(std::string_view s) { return tagged("i", s); }
    text_builder& code(std::string_view s) { return tagged("code", s); }
    text_builder& line()
    {
        out_ += '\n';
        return *this;
    }
    /// "Label: value" on its own line.
    text_builder& field(std::string_view label, std::string_view value)
    {
        return text(label).text(": ").text(value).line();
    }
    text_builder& code_field(std::string_view label, std::string_view value)
    {
        return text(label).text(": ").code(value).line();
    }
    std::string str() && { return std::move(out_); }

private:
    text_builder& tagged(std::string_view tag, std::string_view s)
    {
        if (html_)
            out_.append("<").append(tag).append(">");
        text(s);
        if (html_)
            out_.append("</").append(tag).append(">");
        return *this;
    }

    bool html_;
    std::string out_;
};

/// Skips an ANSI escape sequence starting at s[i] == ESC; returns the index after it.
inline std::size_t skip_escape(std::string_view s, std::size_t i) noexcept
{
    if (i + 1 >= s.size())
        return s.size();
    if (s[i + 1] != '[') // a two-byte escape
        return i + 2;
    std::size_t k = i + 2;
    while (k < s.size() && !(s[k] >= 0x40 && s[k] <= 0x7E)) // CSI: parameters, then a final byte
        ++k;
    return std::min(k + 1, s.size());
}

inline bool iequals_at(std::string_view s, std::size_t i, std::string_view word) noexcept
{
    if (i + word.size() > s.size())
        return false;
    for (std::size_t k = 0; k < word.size(); ++k)
        if (std::tolower(static_cast<unsigned char>(s[i + k])) != word[k])
            return false;
    return true;
}

inline bool is_token_char(char c) noexcept
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~' ||
           c == '+' || c == '/' || c == '=' || c == '%';
}

inline std::size_t run_of(std::string_view s, std::size_t i, bool (*accept)(char) noexcept) noexcept
{
    std::size_t k = i;
    while (k < s.size() && accept(s[k]))
        ++k;
    return k - i;
}

inline bool is_upper_alnum(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
inline bool is_alnum(char c) noexcept
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
inline bool is_alpha(char c) noexcept
{
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
inline bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}
inline bool is_bot_token_char(char c) noexcept
{
    return is_alnum(c) || c == '_' || c == '-';
}
inline bool is_value_char(char c) noexcept
{
    return !(std::isspace(static_cast<unsigned char>(c)) || c == '&' || c == ',' || c == ';' || c == '"' ||
             c == '\'' || c == '<' || c == '>');
}
inline bool is_word_boundary(std::string_view s, std::size_t i) noexcept
{
    return i == 0 || !is_alnum(s[i - 1]);
}

inline constexpr std::string_view redacted = "<redacted>";

/// Whether the word after "Bearer" is a credential rather than prose ("missing bearer token",
/// RunPod's own 401 detail): long, or holding a digit or punctuation.
inline bool looks_like_token(std::string_view word) noexcept
{
    return word.size() >= 16 || std::any_of(word.begin(), word.end(), [](char c) noexcept { return !is_alpha(c); });
}

/// If a secret starts at s[i], the number of bytes to mask (and whether to keep a prefix).
struct secret_match
{
    std::size_t keep = 0;   ///< bytes of s[i..] kept as they are (e.g. "Bearer ")
    std::size_t length = 0; ///< bytes masked after them
};

/// A secret of a shape that is not key=value (a bearer token, an Authorization header, an AWS
/// access key id, a RunPod key, a Telegram bot token) starting at s[i].
inline secret_match match_shape(std::string_view s, std::size_t i) noexcept
{
    // A Bot API URL puts the token right after "bot" (".../bot123456:AAH.../sendMessage"):
    // there the digits that start it are not at a word boundary, yet they are a secret.
    bool const after_bot = i >= 3 && iequals_at(s, i - 3, "bot") && is_digit(s[i]);
    if (!is_word_boundary(s, i) && !after_bot)
        return {};
    // ':' is taken into the token too: "Bearer bot123456:AAH..." holds a Telegram token.
    // "Bearer Bearer <token>": the second "Bearer" is the one followed by the token.
    if (iequals_at(s, i, "bearer ") && !iequals_at(s, i + 7, "bearer "))
        if (auto n = run_of(s, i + 7, [](char c) noexcept { return is_token_char(c) || c == ':'; });
            n > 0 && looks_like_token(s.substr(i + 7, n)))
            return {7, n};
    if (iequals_at(s, i, "authorization:"))
    {
        auto const end = s.find_first_of("\r\n", i);
        auto const stop = end == std::string_view::npos ? s.size() : end;
        if (stop > i + 14)
            return {14, stop - (i + 14)};
    }
    if ((s.substr(i, 4) == "AKIA" || s.substr(i, 4) == "ASIA") &&
        run_of(s, i, [](char c) noexcept { return is_upper_alnum(c); }) == 20)
        return {0, 20};
    if (s.substr(i, 4) == "rpa_" || s.substr(i, 4) == "rps_")
        if (auto n = run_of(s, i + 4, [](char c) noexcept { return is_alnum(c); }); n >= 8)
            return {0, 4 + n};
    if (auto digits = run_of(s, i, [](char c) noexcept { return is_digit(c); });
        digits >= 5 && i + digits < s.size() && s[i + digits] == ':')
        if (auto n = run_of(s, i + digits + 1, [](char c) noexcept { return is_bot_token_char(c); }); n >= 30)
            return {0, digits + 1 + n};
    return {};
}

/// Where a secret's value starts, and the quote it is in ('\0': none).
struct value_start
{
    std::size_t at = 0;
    char quote = '\0';
};

/// When a secret's key starts at s[i], in any of the spellings a log or an error holds:
/// `signature=`, `token: `, `password="…"`, `"api_key": "…"` (JSON), `aws_secret_access_key = `
/// (the shared credentials file): where its value starts.
inline std::optional<value_start> key_value_start(std::string_view s, std::size_t i) noexcept
{
    if (!is_word_boundary(s, i))
        return std::nullopt;
    auto const is_quote = [&](std::size_t k) { return k < s.size() && (s[k] == '"' || s[k] == '\''); };
    auto const skip_spaces = [&](std::size_t k) {
        while (k < s.size() && s[k] == ' ')
            ++k;
        return k;
    };
    for (std::string_view key : {"x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature",
                                 "credential", "api_key", "apikey", "access_token", "token", "secret",
                                 "password", "aws_secret_access_key", "aws_session_token"})
    {
        if (!iequals_at(s, i, key))
            continue;
        auto k = i + key.size();
        if (is_quote(k))
            ++k; // the end of a JSON member's name
        k = skip_spaces(k);
        if (k < s.size() && (s[k] == '=' || s[k] == ':'))
        {
            k = skip_spaces(k + 1);
            if (is_quote(k))
                return value_start{k + 1, s[k]};
            return value_start{k, '\0'};
        }
    }
    return std::nullopt;
}

// Whether s[at] follows an odd run of backslashes that starts at or after `from`.
inline bool escaped(std::string_view s, std::size_t from, std::size_t at) noexcept
{
    std::size_t backslashes = 0;
    while (at > from + backslashes && s[at - backslashes - 1] == '\\')
        ++backslashes;
    return backslashes % 2 == 1;
}

inline secret_match match_secret(std::string_view s, std::size_t i) noexcept
{
    if (auto const m = match_shape(s, i); m.length > 0)
        return m;
    auto value = key_value_start(s, i);
    if (!value)
        return {};
    // The value may be more keys and then a secret of another shape ("signature=token= Bearer
    // <token>"): mask what that shape masks, not just its first word. Each key moves forward,
    // so the walk ends.
    while (auto const next = key_value_start(s, value->at))
        value = next;
    if (value->quote != '\0')
    {
        // A quoted value is masked to its closing quote, spaces and all; a quote escaped with
        // a backslash (JSON's \") is part of the value.
        auto close = s.find(value->quote, value->at);
        while (close != std::string_view::npos && escaped(s, value->at, close))
            close = s.find(value->quote, close + 1);
        auto const end = close == std::string_view::npos ? s.size() : close;
        if (end > value->at)
            return {value->at - i, end - value->at};
        return {};
    }
    if (auto const inner = match_shape(s, value->at); inner.length > 0)
        return {value->at - i + inner.keep, inner.length};
    if (auto n = run_of(s, value->at, [](char c) noexcept { return is_value_char(c); }); n > 0)
        return {value->at - i, n};
    return {};
}

/// "24 GB" or "4 x 24 GB".
inline std::string memory_words(gpu_offer const& o)
{
    auto const per = std::to_string(o.vram_gb) + " GB";
    return o.gpu_count > 1 ? std::to_string(o.gpu_count) + " x " + per : per;
}

inline std::string cloud_product(std::string_view provider)
{
    if (provider == "runpod")
        return "RunPod GPU Pods";
    if (provider == "aws")
        return "AWS EC2 GPU instances";
    return provider_title(provider) + " GPUs";
}

/// The billing rule of a provider's offers (they share one), or per second when unknown.
inline billing_rule provider_billing(pricing_table const& t, std::string_view provider)
{
    auto const offers = t.offers(provider);
    return offers.empty() ? per_second_billing : offers.front()->billing;
}

/// The last `budget` bytes' worth of `line` as rendered, cut on a UTF-8 boundary.
inline std::string tail_that_fits(std::string_view line, std::size_t budget, bool html)
{
    std::size_t used = 0;
    std::size_t start = line.size();
    while (start > 0)
    {
        char const c = line[start - 1];
        std::size_t const cost = html ? escape_html(std::string_view(&c, 1)).size() : 1;
        if (used + cost > budget)
            break;
        used += cost;
        --start;
    }
    while (start < line.size() && (static_cast<unsigned char>(line[start]) & 0xC0) == 0x80)
        ++start; // not inside a character
    return std::string(line.substr(start));
}

inline std::string render(std::string_view s, bool html)
{
    return html ? escape_html(s) : std::string(s);
}

} // namespace detail

// ---------------------------------------------------------------------------------------------

MLCLOUD_DECL std::string escape_html(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text)
    {
        switch (c)
        {
        case '&':  out += "&amp;"; break;
        case '<':  out += "&lt;"; break;
        case '>':  out += "&gt;"; break;
        case '"':  out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default:   out += c;
        }
    }
    return out;
}

MLCLOUD_DECL std::string clean_text(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size())
    {
        auto const c = static_cast<unsigned char>(text[i]);
        if (c == 0x1B)
        {
            i = detail::skip_escape(text, i);
            continue;
        }
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
        {
            ++i;
            continue;
        }
        auto const n = mlcloud::detail::utf8_sequence(text, i);
        if (n == 0)
        {
            out += "\xEF\xBF\xBD"; // U+FFFD for a byte that is not UTF-8
            ++i;
            continue;
        }
        out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

MLCLOUD_DECL std::string redact_secrets(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size())
    {
        auto const m = detail::match_secret(text, i);
        if (m.length == 0)
        {
            out += text[i++];
            continue;
        }
        out.append(text.substr(i, m.keep));
        out += detail::redacted;
        i += m.keep + m.length;
    }
    return out;
}

MLCLOUD_DECL std::string_view job_id_label(std::string_view provider) noexcept
{
    if (provider == "runpod")
        return "Pod ID";
    if (provider == "aws")
        return "Instance ID";
    return "Job ID";
}

MLCLOUD_DECL std::string_view machine_noun(std::string_view provider) noexcept
{
    if (provider == "runpod")
        return "pod";
    if (provider == "aws")
        return "instance";
    return "job";
}

MLCLOUD_DECL std::string provider_title(std::string_view provider)
{
    if (provider == "runpod")
        return "RunPod";
    if (provider == "aws")
        return "AWS";
    if (provider == "local")
        return "this machine";
    return std::string(provider);
}

MLCLOUD_DECL std::string choose_cloud_or_local(format f, pricing_table const& table, std::string_view provider)
{
    detail::text_builder b(f);
    b.text("\xE2\x98\x81\xEF\xB8\x8F ").bold("Where should the model train?").line().line();
    b.text("\xF0\x9F\x96\xA5 ").bold("Local").text(": on this machine's CPU. Free, no account needed; best for small datasets.").line();
    b.text("\xF0\x9F\x9A\x80 ").bold("Cloud").text(": " + detail::cloud_product(provider) + ". ");
    if (auto const r = table.range(provider))
        b.text(format_usd(r->low) + " - " + format_usd(r->high) + " per hour (" +
               describe(detail::provider_billing(table, provider)) + ").");
    else
        b.text("no prices are known for this provider.");
    b.line().line().text("Choose Cloud or Local.");
    return std::move(b).str();
}

MLCLOUD_DECL std::string gpu_selection(format f, recommendation const& recommended,
                                       std::vector<gpu_offer const*> const& options)
{
    auto const& r = recommended.offer;
    detail::text_builder b(f);
    b.text("\xF0\x9F\x8E\xAF ").bold("Recommended GPU: " + r.display_name).line();
    b.text(detail::memory_words(r) + " VRAM, " + format_usd_per_hour(r.on_demand_usd_per_hour) + " (" +
           describe(r.billing) + ")")
        .line();
    b.text("Why: ").italic(recommended.reason).line().line();
    b.bold("All options").line();
    for (auto const* o : options)
    {
        b.text("\xE2\x80\xA2 " + o->display_name + ": " + detail::memory_words(*o) + ", " +
               format_usd_per_hour(o->on_demand_usd_per_hour));
        if (o->provider == r.provider && o->id == r.id)
            b.text(" \xE2\xAD\x90 recommended");
        b.line();
    }
    b.line().text("Accept the recommendation or choose another GPU.");
    return std::move(b).str();
}

MLCLOUD_DECL std::string launch_confirmation(format f, launch_summary const& launch)
{
    auto const& o = launch.offer;
    auto const noun = machine_noun(o.provider);
    auto const estimate = compute_cost(o, launch.expected_runtime, launch.market, launch.gpu_count);

    detail::text_builder b(f);
    b.text("\xF0\x9F\x9A\x80 ").bold("Confirm the launch").line().line();
    std::string gpu = o.display_name + ", " + detail::memory_words(o) + " VRAM";
    if (launch.gpu_count > 1)
        gpu = std::to_string(launch.gpu_count) + " x " + gpu;
    b.field("GPU", gpu + ", on " + provider_title(o.provider) + " (" +
                       std::string(detail::market_words(o.provider, launch.market)) + ")");
    if (!launch.dataset.empty())
        b.field("Dataset", launch.dataset);
    // A row prices one GPU (RunPod) or one instance (AWS): the price shown is the launch's.
    auto const each = o.usd_per_hour(launch.market);
    auto price = format_usd_per_hour(each * launch.gpu_count);
    if (launch.gpu_count > 1)
        price += " for " + std::to_string(launch.gpu_count) + " (" + format_usd_per_hour(each) +
                 (o.provider == "aws" ? " each)" : " per GPU)");
    price += ", " + describe(o.billing);
    if (launch.market == market::spot && !o.spot_usd_per_hour)
        price += " (the on-demand price; the spot price is lower and changes)";
    b.field("Price", price);
    b.field("Estimated cost", format_usd(estimate.usd) + " for about " + format_duration(launch.expected_runtime));
    if (launch.market == market::spot)
    {
        b.line();
        if (o.provider == "runpod")
            b.text("\xE2\x9A\xA0\xEF\xB8\x8F Community cloud: RunPod may reclaim GPU at any time; the pod then stops and "
                   "the run is lost.");
        else
            b.text("\xE2\x9A\xA0\xEF\xB8\x8F Spot " + std::string(noun) + ": " + provider_title(o.provider) +
                   " can interrupt it at any time (AWS gives a two-minute warning); the run is then lost.");
        b.line();
    }
    b.line().text("Launch the " + std::string(noun) + "?");
    return std::move(b).str();
}

MLCLOUD_DECL std::string training_launched(format f, job_handle const& job)
{
    auto const noun = std::string(machine_noun(job.provider));
    detail::text_builder b(f);
    b.text("\xE2\x9C\x85 ").bold("Training launched!").line().line();
    b.code_field(job_id_label(job.provider), job.id);
    if (job.provider != "local" && !job.compute.id.empty())
    {
        auto gpu = job.compute.id;
        // An AWS instance type names all its GPUs ("g5.12xlarge" has 4); a RunPod id names one.
        if (job.compute.gpu_count > 1)
            gpu = job.provider == "aws" ? gpu + " (" + std::to_string(job.compute.gpu_count) + " GPUs)"
                                        : std::to_string(job.compute.gpu_count) + " x " + gpu;
        b.field(job.provider == "aws" ? "Instance type" : "GPU", gpu);
    }
    if (job.price_per_hour > 0.0)
        b.field("Price", format_usd_per_hour(job.price_per_hour) + " (" +
                             std::string(detail::market_words(job.provider, job.market)) + ")");
    if (job.provider == "local" || job.provider.empty())
        b.text("The job is starting on this machine; its logs will follow here.");
    else
        b.text("The " + noun + " is starting; training logs will follow here.");
    return std::move(b).str();
}

MLCLOUD_DECL std::string log_view(format f, std::span<std::string const> lines, log_view_options const& options)
{
    bool const html = f == format::html;
    auto const total = std::to_string(lines.size());
    auto const header_with = [&](std::string const& count) {
        detail::text_builder h(f);
        h.text("\xF0\x9F\x93\x8B ").bold(options.title).text(" (" + count + ")");
        return std::move(h).str();
    };
    auto const header = [&](std::size_t shown) {
        if (shown == lines.size())
            return header_with(total + (lines.size() == 1 ? " line" : " lines"));
        return header_with("last " + std::to_string(shown) + " of " + total + " lines");
    };
    if (lines.empty())
    {
        detail::text_builder b(f);
        b.text("\xF0\x9F\x93\x8B ").bold(options.title).line().text("No log lines yet.");
        return std::move(b).str();
    }

    std::string_view const open = html ? "\n<pre>" : "\n";
    std::string_view const close = html ? "</pre>" : "";
    std::string_view const ellipsis = "\xE2\x80\xA6";
    // The longest header ("last N of N lines") bounds the real one.
    std::size_t const overhead = header_with("last " + total + " of " + total + " lines").size() + open.size() + close.size();
    std::size_t const room = options.budget > overhead ? options.budget - overhead : 0;

    std::vector<std::string> shown; // newest first
    std::size_t used = 0;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    {
        std::string_view raw = *it;
        if (auto const cr = raw.find_last_of('\r'); cr != std::string_view::npos && cr + 1 < raw.size())
            raw = raw.substr(cr + 1); // what a terminal shows after a progress bar's carriage return
        auto const clean = clean_text(raw);
        auto rendered = detail::render(clean, html);
        std::size_t const separator = shown.empty() ? 0 : 1;
        if (used + separator + rendered.size() <= room)
        {
            used += separator + rendered.size();
            shown.push_back(std::move(rendered));
            continue;
        }
        if (shown.empty() && room > ellipsis.size())
        {
            // Not even the newest line fits: show its end, which is where the news is.
            auto const tail = detail::tail_that_fits(clean, room - ellipsis.size(), html);
            shown.push_back(std::string(ellipsis) + detail::render(tail, html));
        }
        break;
    }

    std::string out = header(shown.size());
    out += open;
    for (auto it = shown.rbegin(); it != shown.rend(); ++it)
    {
        if (it != shown.rbegin())
            out += '\n';
        out += *it;
    }
    out += close;
    return out;
}

MLCLOUD_DECL std::string training_completed(format f, completion_summary const& done)
{
    detail::text_builder b(f);
    b.text("\xF0\x9F\x8E\x89 ").bold("Training complete!").line().line();
    b.code_field(job_id_label(done.job.provider), done.job.id);
    if (done.duration.count() > 0)
        b.field("Duration", format_duration(done.duration));
    b.text("Cost: ").bold(format_cost(done.cost));
    if (!done.cost.basis.empty())
        b.text(" (" + done.cost.basis + ")");
    b.line();
    if (done.model)
        b.code_field("Model", done.model->str());
    if (!done.metrics.empty())
    {
        std::string metrics;
        for (auto const& [name, value] : done.metrics)
            metrics += (metrics.empty() ? "" : ", ") + name + " " + value;
        b.field("Metrics", metrics);
    }
    // Telegram users send a file; terminal users run the CLI.
    if (f == format::html)
        b.line().text("Send a CSV file to get predictions from this model.");
    else if (done.model)
        b.line().text("Predict with: mlcloud predict --model " + done.model->str() + " --input FILE.csv");
    return std::move(b).str();
}

MLCLOUD_DECL std::string prediction_ready(format f, prediction_result const& result, std::size_t rows)
{
    detail::text_builder b(f);
    b.text("\xF0\x9F\x94\xAE ").bold("Predictions ready").line().line();
    b.code_field("Request ID", result.request_id);
    b.field("Rows", std::to_string(rows));
    b.text("Cost: ").bold(format_cost(result.cost));
    if (!result.cost.basis.empty())
        b.text(" (" + result.cost.basis + ")");
    b.line();
    if (result.duration.count() > 0)
        b.field("Time", detail::fixed(static_cast<double>(result.duration.count()) / 1000.0, 1) + " s");
    return std::move(b).str();
}

MLCLOUD_DECL std::string gpu_price_list(format f, pricing_table const& table, std::string_view provider)
{
    auto const offers = table.offers(provider);
    std::vector<std::string> providers;
    for (auto const* o : offers)
        if (std::find(providers.begin(), providers.end(), o->provider) == providers.end())
            providers.push_back(o->provider);

    std::string oldest, newest;
    bool uncertain = false;
    for (auto const* o : offers)
    {
        if (!o->as_of.empty() && (oldest.empty() || o->as_of < oldest))
            oldest = o->as_of;
        newest = std::max(newest, o->as_of);
        uncertain = uncertain || o->confidence == confidence::low;
    }
    auto const spot_words = [](std::string_view p) { return p == "runpod" ? "community" : "spot"; };
    auto const price = [](gpu_offer const& o, std::optional<double> usd) {
        if (!usd)
            return std::string("-");
        return format_usd_per_hour(*usd) + (o.confidence == confidence::low ? "*" : "");
    };

    if (f == format::plain)
    {
        // An aligned table for terminals.
        std::vector<std::vector<std::string>> cells{{"PROVIDER", "ID", "GPU", "VRAM", "ON-DEMAND", "SPOT/COMMUNITY", "AS OF"}};
        for (auto const* o : offers)
            cells.push_back({clean_text(o->provider), clean_text(o->id), clean_text(o->gpu), detail::memory_words(*o),
                             price(*o, o->on_demand_usd_per_hour), price(*o, o->spot_usd_per_hour),
                             clean_text(o->as_of)});
        std::vector<std::size_t> width(cells.front().size(), 0);
        for (auto const& row : cells)
            for (std::size_t c = 0; c < row.size(); ++c)
                width[c] = std::max(width[c], row[c].size());
        std::string out = "GPU prices, USD per hour\n\n";
        for (auto const& row : cells)
        {
            std::string line;
            for (std::size_t c = 0; c < row.size(); ++c)
            {
                line += row[c];
                if (c + 1 < row.size())
                    line += std::string(width[c] - row[c].size() + 2, ' ');
            }
            out += line + "\n";
        }
        out += "\n";
        for (auto const& p : providers)
            out += provider_title(p) + ": " + describe(detail::provider_billing(table, p)) + ".\n";
        if (uncertain)
            out += "* uncertain price.\n";
        out += "Prices as of " + oldest + " to " + newest + "; they change. Sources: docs/pricing.md.\n";
        return out;
    }

    detail::text_builder b(f);
    b.text("\xF0\x9F\x92\xB2 ").bold("GPU prices").text(" (USD per hour)").line();
    for (auto const& p : providers)
    {
        b.line().bold(provider_title(p)).text(" (" + describe(detail::provider_billing(table, p)) + ")").line();
        for (auto const* o : offers)
        {
            if (o->provider != p)
                continue;
            b.text("\xE2\x80\xA2 " + o->display_name + ", " + detail::memory_words(*o) + ": " +
                   price(*o, o->on_demand_usd_per_hour));
            if (o->spot_usd_per_hour)
                b.text(" (" + std::string(spot_words(p)) + " " + price(*o, o->spot_usd_per_hour) + ")");
            b.line();
        }
    }
    b.line();
    if (uncertain)
        b.text("* uncertain price. ");
    b.italic("Prices as of " + oldest + " to " + newest + "; they change.");
    return std::move(b).str();
}

MLCLOUD_DECL std::string error_message(format f, error const& e)
{
    struct words
    {
        std::string_view headline;
        std::string_view hint;
    };
    auto const say = [&]() -> words {
        if (e.code.category() != error_category())
            return {"Something went wrong.", ""};
        switch (static_cast<errc>(e.code.value()))
        {
        case errc::invalid_argument: return {"The request was not valid.", "Check what you entered and try again."};
        case errc::not_found: return {"Not found.", "It may have been deleted or never existed."};
        case errc::already_exists: return {"It already exists.", ""};
        case errc::unauthorized: return {"The cloud provider rejected the credentials.", "Check the API key or AWS credentials in the environment this program runs in."};
        case errc::forbidden: return {"The credentials are not allowed to do this.", "Check the key's permissions."};
        case errc::quota: return {"The balance, spend limit or quota is exhausted.", "Top up or raise the limit, then try again."};
        case errc::capacity: return {"No GPU of this type is available right now.", "Choose another GPU or try again in a few minutes."};
        case errc::throttled: return {"The provider is rate limiting requests.", "Wait a minute and try again."};
        case errc::timeout: return {"The operation timed out.", "Try again; if it keeps happening, the provider may be having trouble."};
        case errc::outcome_unknown: return {"The request was sent but no answer came back: it may have taken effect.", "Check the job's status before launching again."};
        case errc::not_supported: return {"This provider cannot do that.", ""};
        case errc::conflict: return {"The resource is in a state that does not allow this.", ""};
        case errc::payload_too_large: return {"The data is too large for this provider.", "Use a smaller file or upload it to storage first."};
        case errc::expired: return {"The result has expired.", "Run it again."};
        case errc::provider_error: return {"The cloud provider reported an error.", ""};
        case errc::protocol_error: return {"The cloud provider's answer could not be understood.", ""};
        case errc::network_error: return {"The cloud provider could not be reached.", "Check the network and try again."};
        case errc::io_error: return {"A local file could not be read or written.", ""};
        case errc::job_failed: return {"The training job failed.", "Look at the last log lines for the reason."};
        case errc::cancelled: return {"Cancelled.", ""};
        }
        return {"Something went wrong.", ""};
    }();

    detail::text_builder b(f);
    b.text("\xE2\x9D\x8C ").bold(say.headline).line();
    if (!say.hint.empty())
        b.text(say.hint).line();
    b.line().italic(redact_secrets(e.what()));
    return std::move(b).str();
}

MLCLOUD_DECL std::string budget_notice(format f, budget_status const& budget)
{
    detail::text_builder b(f);
    auto const spent = format_usd(budget.spent_usd) + " of your " + format_usd(budget.limit_usd) + " limit for " +
                       budget.period + " is spent";
    if (budget.spent_usd < budget.limit_usd)
    {
        double const percent = budget.limit_usd > 0 ? budget.spent_usd / budget.limit_usd * 100.0 : 0.0;
        b.text("\xF0\x9F\x92\xB0 ").bold("Budget notice").line();
        b.text(spent + " (" + detail::fixed(percent, 0) + "%).");
        return std::move(b).str();
    }
    b.text("\xE2\x9B\x94 ").bold("Budget limit reached").line();
    b.text(spent + ". New launches are blocked until the limit is raised or the period ends.");
    if (budget.jobs_stopped)
        b.line().text("Running jobs were stopped to stay within it.");
    return std::move(b).str();
}

MLCLOUD_DECL std::string runtime_limit_notice(format f, job_handle const& job, std::chrono::seconds limit)
{
    detail::text_builder b(f);
    auto const noun = std::string(machine_noun(job.provider));
    b.text("\xE2\x8F\xB1 ").bold("Time limit reached").line();
    b.text("The " + noun + " ").code(job.id).text(" ran for its maximum of " + format_duration(limit) +
                                                  " and was stopped; nothing more is billed for it.");
    return std::move(b).str();
}

} // namespace messages
} // namespace mlcloud

#endif
