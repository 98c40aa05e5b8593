//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/conversation.hpp"

#include "bot/detail.hpp"
#include "bot/text.hpp"
#include "bot/wording.hpp"

#include <mlcloud/messages/cost.hpp>
#include <mlcloud/messages/recommend.hpp>
#include <mlcloud/messages/templates.hpp>
#include <mlcloud/storage_uri.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mlcloud_bot {

namespace msg = mlcloud::messages;

std::string_view to_string(step s) noexcept
{
    switch (s)
    {
    case step::idle:            return "idle";
    case step::choose_target:   return "choose_target";
    case step::wait_dataset:    return "wait_dataset";
    case step::reading_dataset: return "reading_dataset";
    case step::choose_column:   return "choose_column";
    case step::choose_gpu:      return "choose_gpu";
    case step::confirm:         return "confirm";
    case step::choose_model:    return "choose_model";
    case step::wait_input:      return "wait_input";
    }
    return "idle";
}

std::optional<step> step_from_string(std::string_view s) noexcept
{
    for (auto candidate : {step::idle, step::choose_target, step::wait_dataset, step::reading_dataset,
                           step::choose_column, step::choose_gpu, step::confirm, step::choose_model, step::wait_input})
        if (to_string(candidate) == s)
            return candidate;
    return std::nullopt;
}

bool expires(step s) noexcept
{
    return s != step::idle;
}

event event_from_message(tg_message const& m)
{
    if (m.document)
        return document_event{*m.document};
    std::string_view text = m.text;
    if (text.starts_with('/'))
    {
        auto const end = text.find_first_of(" \n\t");
        auto word = text.substr(1, end == std::string_view::npos ? std::string_view::npos : end - 1);
        if (auto const at = word.find('@'); at != std::string_view::npos)
            word = word.substr(0, at); // "/train@my_bot"
        std::string name(word);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string args;
        if (end != std::string_view::npos)
        {
            auto rest = text.substr(end);
            auto const first = rest.find_first_not_of(" \n\t");
            if (first != std::string_view::npos)
                args = std::string(rest.substr(first));
        }
        return command_event{std::move(name), std::move(args)};
    }
    return text_event{m.text};
}

std::string provider_of(conversation_settings const& settings, std::string_view target)
{
    return target == local_target ? std::string("local") : settings.cloud_provider;
}

std::vector<msg::gpu_offer const*> gpu_choices(conversation_settings const& settings, std::string_view target)
{
    if (!settings.pricing || target != cloud_target)
        return {};
    return settings.pricing->offers(settings.cloud_provider);
}

namespace {

using detail::overloaded;

/// The first `max_bytes` bytes of `s`, cut between code points, with "…" when shortened.
std::string shorten(std::string_view s, std::size_t max_bytes)
{
    if (s.size() <= max_bytes)
        return std::string(s);
    std::size_t n = max_bytes - 3;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return std::string(s.substr(0, n)) + "\xE2\x80\xA6";
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::optional<std::size_t> parse_index(std::string_view s)
{
    std::size_t n = 0;
    auto const [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return n;
}

bool looks_like_uri(std::string_view text)
{
    return text.find("://") != std::string_view::npos && text.find_first_of(" \n\t") == std::string_view::npos;
}

class machine
{
public:
    machine(conversation_settings const& settings, session const& current, context const& ctx)
        : settings_(settings), ctx_(ctx), t_{current, {}}
    {
    }

    transition run(event const& e) &&
    {
        // What the user does keeps the conversation alive; the bot's own reports do not.
        if (std::holds_alternative<command_event>(e) || std::holds_alternative<text_event>(e) ||
            std::holds_alternative<document_event>(e) || std::holds_alternative<button_event>(e))
            s().last_activity = ctx_.now;
        std::visit(overloaded{
                       [&](command_event const& c) { on_command(c); },
                       [&](text_event const& x) { on_text(x.text); },
                       [&](document_event const& d) { on_document(d.document); },
                       [&](button_event const& b) { on_button(b); },
                       [&](dataset_ready_event const& r) { on_dataset_ready(r); },
                       [&](dataset_failed_event const& f) { on_dataset_failed(f); },
                       [&](timeout_event const&) { on_timeout(); },
                   },
                   e);
        return std::move(t_);
    }

private:
    session& s() { return t_.next; }
    text_format fmt() const { return settings_.format; }
    msg::format mfmt() const { return to_messages_format(settings_.format); }
    wording words() const { return wording(settings_.format); }

    void say(std::string text, keyboard kb = {}) { t_.actions.push_back(send_action{std::move(text), std::move(kb)}); }

    button make_button(std::string text, std::string_view verb, std::string arg = {}) const
    {
        // The nonce is 8 characters and verbs and arguments are short, so this always fits in
        // 64 bytes; the check guards against a future long argument.
        auto data = encode({s_nonce(), std::string(verb), std::move(arg)});
        return {std::move(text), data.value_or(s_nonce() + ":x")};
    }
    std::string const& s_nonce() const { return t_.next.nonce; }

    /// Starts a conversation in `at`: a fresh nonce, nothing left from an earlier one.
    void begin(step at)
    {
        session fresh;
        fresh.chat_id = s().chat_id;
        fresh.user_id = s().user_id;
        fresh.last_activity = s().last_activity;
        fresh.at = at;
        fresh.nonce = ctx_.fresh_nonce;
        s() = std::move(fresh);
    }

    /// Ends the conversation: its buttons are stale from now on.
    void finish()
    {
        session idle;
        idle.chat_id = s().chat_id;
        idle.user_id = s().user_id;
        idle.last_activity = s().last_activity;
        s() = std::move(idle);
    }

    // -- commands ----------------------------------------------------------------------------

    void on_command(command_event const& c)
    {
        if (c.name == "start" || c.name == "help")
            return say(help_text());
        if (c.name == "train")
            return start_train();
        if (c.name == "predict")
            return start_predict();
        if (c.name == "cancel")
            return cancel();
        if (c.name == "status")
            return t_.actions.push_back(status_action{});
        if (c.name == "models")
            return say(models_text());
        if (c.name == "gpus")
            return say(gpus_text());
        say(words().text("Unknown command /" + shorten(c.name, 32) + ". /help lists what I can do.").str());
    }

    std::string help_text() const
    {
        auto w = words();
        w.text("\xF0\x9F\xA4\x96 ").bold("mlcloud bot").line();
        w.text("I train machine-learning models on " + msg::provider_title(settings_.cloud_provider));
        if (settings_.offer_local)
            w.text(" or on this machine");
        w.text(" and make predictions with them.").line().line();
        w.text("/train - train a model on a CSV dataset").line();
        w.text("/predict - predict with one of your models").line();
        w.text("/status - your jobs and what they cost so far").line();
        w.text("/cancel - stop the conversation, or the running job").line();
        w.text("/models - your trained models").line();
        w.text("/gpus - GPU prices").line();
        w.text("/help - this message");
        return std::move(w).str();
    }

    std::string models_text() const
    {
        auto w = words();
        if (ctx_.models.empty())
            return std::move(w.text("You have no models yet. Train one with /train.")).str();
        w.text("\xF0\x9F\x93\xA6 ").bold("Your models").line();
        for (auto const& m : ctx_.models)
        {
            w.text("\xE2\x80\xA2 ").bold(m.name).text(" (" + msg::provider_title(m.provider) + "): ").code(m.uri).line();
        }
        w.line().text("Predict with one: /predict");
        return std::move(w).str();
    }

    std::string gpus_text() const
    {
        if (!settings_.pricing || settings_.pricing->offers(settings_.cloud_provider).empty())
        {
            auto w = words();
            w.text("There is no GPU price table for " + msg::provider_title(settings_.cloud_provider) + ".");
            if (settings_.pricing && !settings_.pricing->offers().empty())
                w.line().line().raw(msg::gpu_price_list(mfmt(), *settings_.pricing));
            return std::move(w).str();
        }
        return msg::gpu_price_list(mfmt(), *settings_.pricing, settings_.cloud_provider);
    }

    void cancel()
    {
        if (s().at != step::idle)
        {
            finish();
            auto w = words();
            w.text("\xE2\x9C\x96 Cancelled.");
            if (ctx_.active_jobs > 0)
                w.text(" Your running job continues; send /cancel again to stop it.");
            return say(std::move(w).str());
        }
        t_.actions.push_back(cancel_jobs_action{false});
    }

    // -- /train ------------------------------------------------------------------------------

    void start_train()
    {
        if (settings_.offer_local)
        {
            begin(step::choose_target);
            static msg::pricing_table const no_prices;
            auto const& table = settings_.pricing ? *settings_.pricing : no_prices;
            keyboard kb{{make_button("\xE2\x98\x81\xEF\xB8\x8F Cloud (" + msg::provider_title(settings_.cloud_provider) + ")",
                                     "t", std::string(cloud_target)),
                         make_button("\xF0\x9F\x96\xA5 Local", "t", std::string(local_target))}};
            return say(msg::choose_cloud_or_local(mfmt(), table, settings_.cloud_provider), std::move(kb));
        }
        begin(step::wait_dataset);
        s().target = cloud_target;
        say(dataset_prompt());
    }

    std::string dataset_prompt() const
    {
        auto w = words();
        w.text("\xF0\x9F\x93\x82 Training on ").bold(msg::provider_title(provider_of(settings_, t_.next.target))).text(".").line().line();
        w.text("Send the dataset as a CSV file (up to " + msg::format_bytes(settings_.max_file_bytes) +
               "), or the URI of a stored CSV file, such as ")
            .code("s3://bucket/data.csv")
            .text(" or ")
            .code("runpod://EU-RO-1/volume/data.csv")
            .text(". The first row must name the columns.");
        return std::move(w).str();
    }

    void pick_target(std::string_view target)
    {
        s().target = std::string(target);
        s().at = step::wait_dataset;
        say(dataset_prompt());
    }

    void dataset_given(std::optional<tg_document> document, std::string uri, std::string label)
    {
        s().at = step::reading_dataset;
        t_.actions.push_back(fetch_dataset_action{s().nonce, s().target, std::move(document), std::move(uri)});
        say(words().text("\xE2\x8F\xB3 Reading ").bold(label).text("\xE2\x80\xA6").str());
    }

    /// A file the user sent, when it is small enough; else explains and returns false.
    bool acceptable(tg_document const& d)
    {
        if (d.file_size && *d.file_size > settings_.max_file_bytes)
        {
            say(words()
                    .text("That file is " + msg::format_bytes(*d.file_size) + "; the limit is " +
                          msg::format_bytes(settings_.max_file_bytes) +
                          ". Put it in storage and send its URI instead.")
                    .str());
            return false;
        }
        return true;
    }

    /// A storage URI the user typed, parsed; else explains and returns nullopt.
    std::optional<std::string> typed_uri(std::string_view text)
    {
        auto uri = mlcloud::storage_uri::parse(text);
        if (!uri)
        {
            say(words().text("That is not a storage URI I can read: " + uri.error().message).str());
            return std::nullopt;
        }
        return uri->str();
    }

    void on_dataset_ready(dataset_ready_event const& r)
    {
        if (r.nonce != s().nonce || s().at != step::reading_dataset)
            return; // a late answer for a conversation that has moved on
        s().last_activity = ctx_.now;
        s().dataset_uri = r.uri;
        s().dataset_label = r.label;
        s().dataset_bytes = r.bytes;
        s().dataset_rows = r.rows;
        s().columns = r.columns;
        if (r.columns.size() < 2)
        {
            s().at = step::wait_dataset;
            return say(words()
                           .text("The dataset needs at least two columns: the features and the column to predict. "
                                 "Send another file or URI, or /cancel.")
                           .str());
        }
        s().at = step::choose_column;
        ask_column();
    }

    void on_dataset_failed(dataset_failed_event const& f)
    {
        if (f.nonce != s().nonce || s().at != step::reading_dataset)
            return;
        s().last_activity = ctx_.now;
        s().at = step::wait_dataset;
        say(words()
                .raw(msg::error_message(mfmt(), f.reason))
                .line()
                .line()
                .text("Send another file or URI, or /cancel.")
                .str());
    }

    msg::dataset_profile profile() const
    {
        return {t_.next.dataset_bytes, t_.next.dataset_rows, t_.next.columns.size()};
    }

    void ask_column()
    {
        auto w = words();
        w.text("\xF0\x9F\x93\x8A ").bold(s().dataset_label).text(": " + msg::describe(profile())).line().line();
        keyboard kb;
        if (s().columns.size() > settings_.max_column_buttons)
        {
            w.text("Which column should the model predict? Type its name.");
            return say(std::move(w).str());
        }
        w.text("Which column should the model predict?");
        for (std::size_t i = 0; i < s().columns.size(); ++i)
        {
            if (i % 2 == 0)
                kb.emplace_back();
            kb.back().push_back(make_button(shorten(s().columns[i], 40), "c", std::to_string(i)));
        }
        say(std::move(w).str(), std::move(kb));
    }

    void pick_column(std::size_t i)
    {
        s().target_column = s().columns[i];
        auto const choices = gpu_choices(settings_, s().target);
        if (!choices.empty())
        {
            auto rec = msg::recommend_gpu(*settings_.pricing, settings_.cloud_provider, profile(), msg::model_family::tabular);
            if (rec)
            {
                s().at = step::choose_gpu;
                keyboard kb;
                auto const rec_index = std::find_if(choices.begin(), choices.end(), [&](auto const* o) {
                    return o->id == rec->offer.id;
                }) - choices.begin();
                kb.push_back({make_button("\xE2\x9C\x85 Use " + shorten(rec->offer.display_name, 40), "g",
                                          std::to_string(rec_index))});
                for (std::size_t k = 0; k < choices.size(); ++k)
                {
                    if (k % 2 == 0)
                        kb.emplace_back();
                    kb.back().push_back(make_button(shorten(choices[k]->display_name, 30) + " " +
                                                        msg::format_usd_per_hour(choices[k]->usd_per_hour(settings_.market)),
                                                    "g", std::to_string(k)));
                }
                auto w = words();
                w.text("\xF0\x9F\x8E\xAF Target column: ").bold(s().target_column).line().line();
                w.raw(msg::gpu_selection(mfmt(), *rec, choices));
                return say(std::move(w).str(), std::move(kb));
            }
        }
        s().at = step::confirm;
        ask_confirmation();
    }

    void pick_gpu(std::size_t i)
    {
        s().gpu = gpu_choices(settings_, s().target)[i]->id;
        s().at = step::confirm;
        ask_confirmation();
    }

    std::string limits_line() const
    {
        auto w = words();
        w.text("The job is stopped ");
        if (settings_.max_job_cost_usd)
            w.text("when its cost reaches " + msg::format_usd(*settings_.max_job_cost_usd) + " or ");
        w.text("after " + msg::format_duration(settings_.max_job_runtime) + ".");
        return std::move(w).str();
    }

    void ask_confirmation()
    {
        auto const provider = provider_of(settings_, s().target);
        auto w = words();
        w.text("\xF0\x9F\x8E\xAF Target column: ").bold(s().target_column).line().line();
        msg::gpu_offer const* offer = settings_.pricing && !s().gpu.empty()
                                          ? settings_.pricing->find(provider, s().gpu)
                                          : nullptr;
        if (offer)
        {
            msg::launch_summary summary;
            summary.offer = *offer;
            summary.market = settings_.market;
            summary.expected_runtime = settings_.expected_runtime;
            summary.dataset = s().dataset_label;
            w.raw(msg::launch_confirmation(mfmt(), summary));
        }
        else
        {
            w.text("\xF0\x9F\x9A\x80 ").bold("Confirm the launch").line().line();
            w.text("Where: " + msg::provider_title(provider)).line();
            w.text("Dataset: " + s().dataset_label).line();
            if (provider == "local")
                w.text("Cost: free (it runs on this machine)").line();
            else
                w.text("Cost: not in the price table for " + msg::provider_title(provider)).line();
            w.line().text("Launch the " + std::string(msg::machine_noun(provider)) + "?");
        }
        w.line().line().raw(limits_line());
        say(std::move(w).str(), confirm_buttons());
    }

    keyboard confirm_buttons() const
    {
        return {{make_button("\xF0\x9F\x9A\x80 Launch", "go"), make_button("\xE2\x9C\x96 Cancel", "no")}};
    }

    void launch()
    {
        if (ctx_.active_jobs >= settings_.max_concurrent_jobs)
        {
            auto const n = std::to_string(ctx_.active_jobs);
            return say(words()
                           .text("\xE2\x9B\x94 You have " + n + (ctx_.active_jobs == 1 ? " job" : " jobs") +
                                 " running; the limit is " + std::to_string(settings_.max_concurrent_jobs) +
                                 ". Press Launch again once it has finished, or stop it with /cancel.")
                           .str(),
                       confirm_buttons());
        }
        t_.actions.push_back(launch_action{s().target, s().dataset_uri, s().dataset_label, s().target_column, s().gpu});
        say(words().text("\xE2\x8F\xB3 Launching on " + msg::provider_title(provider_of(settings_, s().target)) +
                         "\xE2\x80\xA6").str());
        finish();
    }

    // -- /predict ----------------------------------------------------------------------------

    void start_predict()
    {
        if (ctx_.models.empty())
            return say(words().text("You have no models yet. Train one with /train.").str());
        begin(step::choose_model);
        keyboard kb;
        std::size_t const shown = std::min<std::size_t>(ctx_.models.size(), 10);
        for (std::size_t i = 0; i < shown; ++i)
            kb.push_back({make_button(shorten(ctx_.models[i].name, 48), "m", std::to_string(ctx_.models[i].id))});
        auto w = words();
        w.text("\xF0\x9F\x94\xAE ").bold("Which model should predict?");
        if (ctx_.models.size() > shown)
            w.line().text("(the " + std::to_string(shown) + " newest of " + std::to_string(ctx_.models.size()) + ")");
        say(std::move(w).str(), std::move(kb));
    }

    void pick_model(model_summary const& m)
    {
        s().model_id = m.id;
        s().at = step::wait_input;
        say(words()
                .text("Model: ")
                .bold(m.name)
                .line()
                .line()
                .text("Send the input as a CSV file (the training columns, without the one to predict), or the "
                      "URI of a stored CSV file.")
                .str());
    }

    void input_given(std::optional<tg_document> document, std::string uri)
    {
        t_.actions.push_back(predict_action{s().model_id, std::move(document), std::move(uri)});
        say(words().text("\xE2\x8F\xB3 Running the prediction\xE2\x80\xA6").str());
        finish();
    }

    // -- buttons -----------------------------------------------------------------------------

    void stale(button_event const& b)
    {
        t_.actions.push_back(answer_action{b.callback_id, "This button is no longer active."});
        if (b.message_id != 0)
            t_.actions.push_back(clear_buttons_action{b.message_id});
    }

    void accepted(button_event const& b)
    {
        t_.actions.push_back(answer_action{b.callback_id, {}});
        if (b.message_id != 0)
            t_.actions.push_back(clear_buttons_action{b.message_id});
    }

    void on_button(button_event const& b)
    {
        auto const d = decode_callback(b.data);
        if (!d || s().nonce.empty() || d->nonce != s().nonce)
            return stale(b);
        switch (s().at)
        {
        case step::choose_target:
            if (d->verb == "t" && (d->arg == cloud_target || d->arg == local_target))
            {
                accepted(b);
                return pick_target(d->arg);
            }
            break;
        case step::choose_column:
            if (auto i = parse_index(d->arg); d->verb == "c" && i && *i < s().columns.size())
            {
                accepted(b);
                return pick_column(*i);
            }
            break;
        case step::choose_gpu:
            if (auto i = parse_index(d->arg); d->verb == "g" && i && *i < gpu_choices(settings_, s().target).size())
            {
                accepted(b);
                return pick_gpu(*i);
            }
            break;
        case step::confirm:
            if (d->verb == "go")
            {
                accepted(b);
                return launch();
            }
            if (d->verb == "no")
            {
                accepted(b);
                finish();
                return say(words().text("\xE2\x9C\x96 Cancelled; nothing was launched.").str());
            }
            break;
        case step::choose_model:
            if (d->verb != "m")
                break;
            for (auto const& m : ctx_.models)
                if (std::to_string(m.id) == d->arg)
                {
                    accepted(b);
                    return pick_model(m);
                }
            break;
        default:
            break;
        }
        stale(b);
    }

    // -- free text and files -----------------------------------------------------------------

    void on_text(std::string const& text)
    {
        switch (s().at)
        {
        case step::idle:
            return say(words().text("I did not understand that. /help lists what I can do.").str());
        case step::choose_target:
            if (auto const t = lower(text); t == cloud_target || t == local_target)
                return pick_target(t);
            return say(words()
                           .text("Please choose where to train with the buttons above (Cloud or Local), or /cancel.")
                           .str());
        case step::wait_dataset:
            if (looks_like_uri(text))
            {
                if (auto uri = typed_uri(text))
                    dataset_given(std::nullopt, *uri, text);
                return;
            }
            return say(words()
                           .text("Please send the dataset as a CSV file, or the URI of a stored CSV file "
                                 "(s3://… or runpod://DC/volume/key). /cancel stops.")
                           .str());
        case step::reading_dataset:
            return say(words().text("Still reading the dataset; one moment.").str());
        case step::choose_column:
            for (std::size_t i = 0; i < s().columns.size(); ++i)
                if (s().columns[i] == text)
                    return pick_column(i);
            return say(words()
                           .text("There is no column called \xE2\x80\x9C" + shorten(text, 64) +
                                 "\xE2\x80\x9D. Press the button of the column to predict, or type its name exactly.")
                           .str());
        case step::choose_gpu:
            return say(words().text("Please pick a GPU with the buttons above, or /cancel.").str());
        case step::confirm:
            return say(words().text("Press \xF0\x9F\x9A\x80 Launch to start, or \xE2\x9C\x96 Cancel.").str());
        case step::choose_model:
            return say(words().text("Please pick a model with the buttons above, or /cancel.").str());
        case step::wait_input:
            if (looks_like_uri(text))
            {
                if (auto uri = typed_uri(text))
                    input_given(std::nullopt, *uri);
                return;
            }
            return say(words()
                           .text("Please send the input as a CSV file, or the URI of a stored CSV file. /cancel stops.")
                           .str());
        }
    }

    void on_document(tg_document const& d)
    {
        switch (s().at)
        {
        case step::wait_dataset:
            if (acceptable(d))
                dataset_given(d, {}, d.file_name.empty() ? std::string("the file") : d.file_name);
            return;
        case step::wait_input:
            if (acceptable(d))
                input_given(d, {});
            return;
        case step::idle:
            return say(words().text("To train on this file, start with /train; to predict with it, /predict.").str());
        default:
            return say(words().text("I was not expecting a file here. Please answer the question above, or /cancel.").str());
        }
    }

    void on_timeout()
    {
        if (s().at == step::idle)
            return;
        finish();
        say(words()
                .text("\xE2\x8C\x9B This conversation ended after " +
                      msg::format_duration(settings_.conversation_timeout) +
                      " without an answer. Start again with /train or /predict.")
                .str());
    }

    conversation_settings const& settings_;
    context const& ctx_;
    transition t_;
};

} // namespace

transition handle(conversation_settings const& settings, session const& current, event const& e, context const& ctx)
{
    return machine(settings, current, ctx).run(e);
}

} // namespace mlcloud_bot
