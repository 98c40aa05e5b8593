//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Updates, the outbox and the work the conversation asks for. Jobs are in jobs.cpp.

#include "bot/app.hpp"

#include "bot/detail.hpp"
#include "bot/log.hpp"
#include "bot/text.hpp"
#include "bot/wording.hpp"

#include "csv.hpp" // examples/trainer: the same CSV reader the workload uses

#include <mlcloud/messages/cost.hpp>
#include <mlcloud/messages/recommend.hpp>
#include <mlcloud/messages/templates.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>

namespace asio = boost::asio;
namespace msg = mlcloud::messages;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {

namespace {

using detail::overloaded;

bool is_message(action const& a)
{
    return std::holds_alternative<send_action>(a) || std::holds_alternative<clear_buttons_action>(a) ||
           std::holds_alternative<answer_action>(a) || std::holds_alternative<document_action>(a);
}

bool same_place(mlcloud::storage_uri const& a, mlcloud::storage_uri const& b)
{
    return a.scheme == b.scheme && a.bucket == b.bucket && a.datacenter == b.datacenter;
}

/// Whether `uri` lies in one of the bot's own folders (`area`) in the folder of a user other
/// than `user` (`<area>/<user id>/…`): the bot's credentials can read every user's datasets,
/// inputs and models. A file the operator put in the area itself is no one's and may be read.
/// Both are keys as the storage reads them (backend_runtime::stored_key).
bool another_users_object(mlcloud::storage_uri const& uri, mlcloud::storage_uri const& area, std::int64_t user)
{
    if (!same_place(uri, area))
        return false;
    auto const& key = uri.key;
    auto base = area.key;
    if (!base.empty() && base.back() != '/')
        base += '/';
    if (!key.starts_with(base))
        return false;
    auto const rest = std::string_view(key).substr(base.size());
    auto const slash = rest.find('/');
    if (slash == std::string_view::npos)
        return false;
    auto const folder = rest.substr(0, slash);
    bool const is_user_folder = !folder.empty() && std::all_of(folder.begin(), folder.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    return is_user_folder && folder != std::to_string(user);
}

/// Whether `stored` (a key as the storage reads it) is in another user's folder of one of the
/// bot's areas, read the same way: the local backend also takes absolute paths below its root,
/// which name the same files as the bot's relative folders.
bool in_another_users_folder(target& tgt, mlcloud::storage_uri const& stored, std::int64_t user)
{
    auto const& areas = tgt.config.storage;
    for (auto const* area : {&areas.datasets, &areas.inputs, &areas.models})
        if (another_users_object(stored, tgt.runtime->stored_key(*area), user))
            return true;
    return false;
}

/// A storage URI a user typed, before anything is downloaded from it: not another user's
/// object, and not larger than `max_bytes` (a 10 GB object would fill the work directory,
/// which shares its disk with the database). When the storage refuses a listing (a policy
/// with s3:GetObject only), the size is checked after the download instead, as before.
mlcloud::task<void> vet_typed_uri(target& tgt, mlcloud::storage_uri const& uri, std::int64_t user,
                                  std::uint64_t max_bytes)
{
    auto const stored = tgt.runtime->stored_key(uri);
    if (in_another_users_folder(tgt, stored, user))
        co_return error(errc::invalid_argument, "that object is in another user's folder");
    auto listed = co_await tgt.runtime->list(uri);
    if (!listed)
        co_return mlcloud::result<void>{};
    for (auto const& o : *listed)
        if (same_place(o.uri, stored) && tgt.runtime->stored_key(o.uri).key == stored.key && o.size > max_bytes)
            co_return error(errc::invalid_argument, "that object is " + msg::format_bytes(o.size) + "; the limit is " +
                                                        msg::format_bytes(max_bytes));
    co_return mlcloud::result<void>{};
}

/// A file name the user's client reported, made safe for a storage key: letters, digits,
/// '.', '-' and '_' only, no leading dot, at most 64 bytes.
std::string safe_name(std::string_view name)
{
    std::string out;
    for (char c : name)
        out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
    while (!out.empty() && out.front() == '.')
        out.erase(out.begin());
    if (out.size() > 64)
        out.erase(0, out.size() - 64);
    return out.empty() ? std::string("data.csv") : out;
}

mlcloud::result<std::string> read_file(std::filesystem::path const& p, std::uint64_t max_bytes)
{
    std::error_code ec;
    auto const size = std::filesystem::file_size(p, ec);
    if (ec)
        return error(errc::io_error, "cannot read the downloaded file");
    if (size > max_bytes)
        return error(errc::payload_too_large, "the file is " + msg::format_bytes(size) + "; the limit is " +
                                                  msg::format_bytes(max_bytes));
    std::ifstream in(p, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof())
        return error(errc::io_error, "cannot read the downloaded file");
    return text;
}

} // namespace

bot_app::bot_app(asio::any_io_executor ex, bot_config config, store& db, chat_api& chat,
                 std::map<std::string, target, std::less<>> targets, msg::pricing_table pricing, clock_fn now)
    : ex_(std::move(ex)), config_(std::move(config)), db_(db), chat_(chat), targets_(std::move(targets)),
      pricing_(std::move(pricing)), now_(std::move(now))
{
    settings_.format = chat_.format();
    settings_.cloud_provider = config_.cloud.provider;
    settings_.offer_local = config_.local.has_value() && targets_.count(std::string(local_target)) != 0;
    settings_.pricing = &pricing_;
    settings_.market = config_.cloud.trainer.market;
    settings_.expected_runtime = config_.cloud.trainer.expected_runtime;
    settings_.conversation_timeout = config_.limits.conversation_timeout;
    settings_.max_concurrent_jobs = config_.limits.max_concurrent_jobs_per_user;
    settings_.max_job_cost_usd = config_.limits.max_job_cost_usd;
    settings_.max_job_runtime = config_.limits.max_job_runtime;
    settings_.max_file_bytes = config_.limits.max_file_bytes;
}

bot_app::~bot_app() = default;

// ---------------------------------------------------------------------------------------------
// machinery

void bot_app::spawn(asio::awaitable<void> task)
{
    ++tasks_;
    asio::co_spawn(ex_, guarded(std::move(task)), asio::detached);
}

asio::awaitable<void> bot_app::guarded(asio::awaitable<void> task)
{
    try
    {
        co_await std::move(task);
    }
    catch (mlcloud::system_error const& e)
    {
        // The database failed: without its records the bot must not go on.
        log(log_level::error, e.diagnostics().what());
        if (!fatal_)
            fatal_ = e.diagnostics();
        stop();
    }
    catch (std::exception const& e)
    {
        log(log_level::error, std::string("unexpected: ") + e.what());
        if (!fatal_)
            fatal_ = error(errc::provider_error, e.what());
        stop();
    }
    --tasks_;
}

asio::awaitable<void> bot_app::sleep(std::chrono::steady_clock::duration d)
{
    co_await pauses_.pause(d);
}

void bot_app::stop()
{
    stopping_ = true;
    chat_.stop_waiting();
    pauses_.interrupt();
}

target* bot_app::find_target(std::string_view name)
{
    auto it = targets_.find(name);
    return it == targets_.end() ? nullptr : &it->second;
}

std::filesystem::path bot_app::scratch(std::string_view name) const
{
    auto dir = config_.effective_work_dir();
    std::filesystem::create_directories(dir);
    return dir / std::string(name);
}

// ---------------------------------------------------------------------------------------------
// run

asio::awaitable<mlcloud::result<void>> bot_app::run()
{
    // A stop() before run() (a signal during the start-up check) holds: run() finishes at once.
    reconcile();
    for (auto const& job : db_.jobs_in_phase(job_phase::running))
        if (followers_.insert(job.id).second)
            spawn(follow(job.id));
    kick();
    spawn(reconcile_orphans());
    spawn(sweep_loop());
    spawn(poll_loop());

    // Wait for every task, including the ones started while waiting.
    while (tasks_ > 0)
    {
        asio::steady_timer t(ex_, std::chrono::milliseconds(20));
        co_await t.async_wait(asio::use_awaitable);
    }
    if (fatal_)
        co_return *fatal_;
    co_return mlcloud::result<void>{};
}

asio::awaitable<void> bot_app::poll_loop()
{
    auto backoff = std::chrono::seconds(1);
    while (!stopping_)
    {
        auto const asked = std::chrono::steady_clock::now();
        // Offset 0 asks for every unconfirmed update, whatever its id.
        auto const offset = update_ids_may_have_restarted() ? 0 : db_.update_offset();
        auto updates = co_await chat_.get_updates(offset, config_.telegram.poll_timeout);
        if (!updates)
        {
            auto const& e = updates.error();
            if (e.is(errc::conflict))
            {
                log(log_level::error, "another bot instance is polling with this token (Telegram answered 409 "
                                      "Conflict); stop the other one, or remove its webhook. Exiting.");
                fatal_ = e;
                stop();
                break;
            }
            if (e.is(errc::cancelled))
            {
                // The console's input ended: finish what is under way (a training run, the
                // messages about it), then stop.
                while (!stopping_ && busy())
                    co_await sleep(std::chrono::milliseconds(100));
                stop();
                break;
            }
            if (e.is(errc::unauthorized))
            {
                log(log_level::error, "the bot token was rejected (401): check it with @BotFather. Exiting.");
                fatal_ = e;
                stop();
                break;
            }
            log(log_level::warning, "getUpdates failed: " + e.what() + "; retrying");
            co_await sleep(backoff);
            backoff = std::min(backoff * 2, std::chrono::seconds(60));
            continue;
        }
        backoff = std::chrono::seconds(1);
        for (auto const& u : *updates)
            handle_update(u);
        kick();
        // A server that answers a long poll at once with nothing (telegram-test-api does) would
        // otherwise be asked again in a busy loop.
        if (updates->empty() && config_.telegram.poll_timeout.count() > 0 &&
            std::chrono::steady_clock::now() - asked < std::chrono::milliseconds(100))
            co_await sleep(std::chrono::milliseconds(200));
    }
}

bool bot_app::busy()
{
    return !db_.outbox().empty() || !rows_in_work_.empty() || !launching_.empty() || !followers_.empty() ||
           !chat_workers_.empty() || !db_.jobs_in_phase(job_phase::pending).empty() ||
           !db_.jobs_in_phase(job_phase::launch_sent).empty() || !db_.jobs_in_phase(job_phase::running).empty();
}

asio::awaitable<void> bot_app::sweep_loop()
{
    auto const every = std::clamp<std::chrono::steady_clock::duration>(config_.limits.conversation_timeout / 4,
                                                                       std::chrono::milliseconds(100),
                                                                       std::chrono::seconds(30));
    while (!stopping_)
    {
        co_await sleep(every);
        if (stopping_)
            break;
        bool any = false;
        for (auto const& s : db_.sessions_idle_since(now_() - config_.limits.conversation_timeout))
        {
            store::transaction t(db_);
            apply_event(s.chat_id, s.user_id, timeout_event{});
            t.commit();
            any = true;
        }
        if (any)
            kick();
    }
}

// ---------------------------------------------------------------------------------------------
// updates

void bot_app::handle_update(tg_update const& u)
{
    store::transaction t(db_);
    if (u.update_id < db_.update_offset() && !update_ids_may_have_restarted())
        return; // already processed: Telegram delivers again what was not confirmed yet

    std::optional<tg_user> from;
    std::int64_t chat_id = 0;
    std::string chat_type;
    std::optional<event> e;
    if (u.message)
    {
        from = u.message->from;
        chat_id = u.message->chat_id;
        chat_type = u.message->chat_type;
        e = event_from_message(*u.message);
    }
    else if (u.callback_query)
    {
        auto const& q = *u.callback_query;
        from = q.from;
        // Without the message the chat is unknown; in a private chat its id is the user's.
        chat_id = q.message ? q.message->chat_id : q.from.id;
        chat_type = q.message ? q.message->chat_type : "private";
        e = button_event{q.id, q.message ? q.message->message_id : 0, q.data};
    }

    if (!e || !from)
        log(log_level::info, "update " + std::to_string(u.update_id) + ": a kind the bot does not handle; skipped");
    else if (!config_.allowed(from->id))
        // Deny by default and say nothing: a reply would confirm the bot exists. Ids only, no content.
        log(log_level::info, "update " + std::to_string(u.update_id) + " from user " + std::to_string(from->id) +
                                 " ignored: not in access.allowed_user_ids");
    else if (chat_type != "private")
        log(log_level::info, "update " + std::to_string(u.update_id) + " ignored: not a private chat");
    else
        apply_event(chat_id, from->id, *e);

    db_.set_update_offset(u.update_id + 1, now_());
    t.commit();
}

// Telegram numbers updates one after another, but after a week without updates the next id
// is chosen at random, and may be lower than the offset. An update comes again only while
// Telegram still holds it unconfirmed, at most 24 hours after it was made; and the bot handled
// the last update at most 24 hours after Telegram made it. So, counted from when the bot
// handled it, repeats end within a day and random ids start no sooner than six days: three
// days sits between the two with a day's margin or more on either side.
bool bot_app::update_ids_may_have_restarted()
{
    auto const last = db_.last_update_at(); // empty only before the first update
    return last && now_() - *last >= std::chrono::days(3);
}

void bot_app::apply_event(std::int64_t chat_id, std::int64_t user_id, event const& e)
{
    auto current = db_.load_session(chat_id, user_id);
    if (!current)
    {
        current.emplace();
        current->chat_id = chat_id;
        current->user_id = user_id;
    }
    context ctx;
    ctx.now = now_();
    ctx.fresh_nonce = make_nonce();
    ctx.models = db_.models(user_id);
    ctx.active_jobs = db_.count_active_jobs(user_id);
    auto tr = handle(settings_, *current, e, ctx);
    db_.save_session(tr.next);
    for (auto const& a : tr.actions)
    {
        if (auto const* l = std::get_if<launch_action>(&a))
            record_launch(chat_id, user_id, *l);
        else
            db_.add_action(chat_id, user_id, a);
    }
}

// ---------------------------------------------------------------------------------------------
// outbox

void bot_app::kick()
{
    if (stopping_)
        return;
    // co_spawn runs a task inline up to its first suspension, and some work (/status, /cancel
    // with nothing running) finishes there, removing its row and calling kick() again. A nested
    // pass would start rows that this pass then finds in its older snapshot of the outbox, no
    // longer in rows_in_work_, and starts again: the same /status answered twice (found by the
    // soak). So one pass at a time, and a kick during a pass asks for another pass.
    if (kicking_)
    {
        kick_again_ = true;
        return;
    }
    kicking_ = true;
    do
    {
        kick_again_ = false;
        for (auto const& row : db_.outbox())
        {
            if (is_message(row.what))
            {
                if (chat_workers_.insert(row.chat_id).second)
                    spawn(chat_worker(row.chat_id));
            }
            else if (rows_in_work_.insert(row.id).second)
                spawn(do_work(row));
        }
        for (auto const& job : db_.jobs_in_phase(job_phase::pending))
            if (launching_.insert(job.id).second)
                spawn(launch_job(job.id));
    } while (kick_again_ && !stopping_);
    kicking_ = false;
}

asio::awaitable<void> bot_app::chat_worker(std::int64_t chat_id)
{
    auto backoff = std::chrono::seconds(1);
    while (!stopping_)
    {
        std::optional<outbox_row> next;
        for (auto& row : db_.outbox())
            if (row.chat_id == chat_id && is_message(row.what))
            {
                next = std::move(row);
                break;
            }
        if (!next)
            break;
        auto r = co_await deliver(*next);
        if (!r && !detail::permanent_send_error(r.error()))
        {
            log(log_level::warning, "chat " + std::to_string(chat_id) + ": " + r.error().what() + "; retrying");
            co_await sleep(backoff);
            backoff = std::min(backoff * 2, std::chrono::seconds(60));
            continue;
        }
        backoff = std::chrono::seconds(1);
        if (!r)
        {
            log(log_level::warning, "chat " + std::to_string(chat_id) + ": dropped a message: " + r.error().what());
            auto const* d = std::get_if<document_action>(&next->what);
            if (d && std::filesystem::exists(d->path)) // gone: sent before a restart
            {
                // The user waits for this file (a prediction): say why it does not come.
                auto w = wording(format());
                w.raw(msg::error_message(to_messages_format(format()), r.error())).line();
                w.text("The file " + d->file_name + " could not be sent.");
                finish_work(*next, {send_action{std::move(w).str(), {}}});
                std::error_code ec;
                std::filesystem::remove(d->path, ec);
                continue;
            }
        }
        db_.remove_action(next->id);
    }
    chat_workers_.erase(chat_id);
}

asio::awaitable<mlcloud::result<void>> bot_app::deliver(outbox_row const& row)
{
    auto const chat = row.chat_id;
    if (auto const* s = std::get_if<send_action>(&row.what))
    {
        auto const parts = chat_.message_parts(s->text);
        if (parts.empty()) // nothing to split: the chat decides what an empty text is
        {
            auto r = co_await chat_.send_message(chat, s->text, s->buttons);
            if (!r)
                co_return r.error();
            co_return mlcloud::result<void>{};
        }
        // A long text goes out as several messages; each one delivered is recorded, so a
        // failure of a later one does not send the earlier ones twice.
        keyboard const no_buttons;
        for (auto i = static_cast<std::size_t>(std::max<std::int64_t>(s->parts_sent, 0)); i < parts.size(); ++i)
        {
            bool const last = i + 1 == parts.size();
            keyboard const& buttons = last ? s->buttons : no_buttons;
            auto r = co_await chat_.send_message(chat, parts[i], buttons);
            if (!r)
                co_return r.error();
            if (!last)
            {
                auto progressed = *s;
                progressed.parts_sent = static_cast<std::int64_t>(i + 1);
                db_.update_action(row.id, progressed);
            }
        }
        co_return mlcloud::result<void>{};
    }
    if (auto const* c = std::get_if<clear_buttons_action>(&row.what))
        co_return co_await chat_.clear_buttons(chat, c->message_id);
    if (auto const* a = std::get_if<answer_action>(&row.what))
        co_return co_await chat_.answer_callback(a->callback_id, a->notice);
    if (auto const* d = std::get_if<document_action>(&row.what))
    {
        if (!std::filesystem::exists(d->path))
            co_return error(errc::not_found, "the file to send is gone (sent before a restart?)");
        auto r = co_await chat_.send_document(chat, d->path, d->file_name, d->caption);
        if (!r)
            co_return r.error();
        std::error_code ec;
        std::filesystem::remove(d->path, ec);
        co_return mlcloud::result<void>{};
    }
    co_return error(errc::invalid_argument, "not a message");
}

void bot_app::finish_work(outbox_row const& row, std::vector<action> const& messages)
{
    store::transaction t(db_);
    db_.remove_action(row.id);
    for (auto const& m : messages)
        db_.add_action(row.chat_id, row.user_id, m);
    t.commit();
}

asio::awaitable<void> bot_app::do_work(outbox_row row)
{
    co_await std::visit(overloaded{
                            [&](fetch_dataset_action const& a) { return fetch_dataset(row, a); },
                            [&](predict_action const& a) { return predict(row, a); },
                            [&](cancel_jobs_action const& a) { return cancel_jobs(row, a); },
                            [&](status_action const&) { return report_status(row); },
                            [&](auto const&) -> asio::awaitable<void> { co_return; },
                        },
                        row.what);
    rows_in_work_.erase(row.id);
    kick();
}

// ---------------------------------------------------------------------------------------------
// work: datasets

mlcloud::task<std::uint64_t> bot_app::fetch_document(tg_document const& document, std::filesystem::path const& to)
{
    // The transport already tried each call three times; a Telegram hiccup that outlasts
    // that is given two more chances, seconds apart, before the user is asked to resend.
    constexpr int tries = 3;
    auto backoff = std::chrono::seconds(1);
    for (int attempt = 1;; ++attempt)
    {
        auto got = co_await chat_.download_file(document, to, config_.limits.max_file_bytes);
        if (got || attempt == tries || stopping_ || !detail::transient_fetch_error(got.error()))
            co_return got;
        log(log_level::warning, "fetching a file: " + got.error().what() + "; retrying");
        co_await sleep(backoff);
        backoff *= 2;
    }
}

asio::awaitable<void> bot_app::fetch_dataset(outbox_row const& row, fetch_dataset_action const& a)
{
    auto const tmp = scratch("dataset-" + std::to_string(row.id) + ".csv");
    auto result = co_await [&]() -> mlcloud::task<dataset_ready_event> {
        auto* tgt = find_target(a.target);
        if (!tgt)
            co_return error(errc::invalid_argument, "this bot does not train on '" + a.target + "' any more");
        dataset_ready_event ready;
        ready.nonce = a.nonce;
        if (a.document)
        {
            auto got = co_await fetch_document(*a.document, tmp);
            if (!got)
                co_return got.error();
            auto const dest = tgt->config.storage.datasets.child(
                std::to_string(row.user_id) + "/" + safe_name(a.document->file_unique_id) + "-" +
                safe_name(a.document->file_name));
            auto up = co_await tgt->runtime->upload(tmp, dest);
            if (!up)
                co_return up.error();
            ready.uri = dest.str();
            ready.label = a.document->file_name.empty() ? std::string("the file") : a.document->file_name;
        }
        else
        {
            auto uri = mlcloud::storage_uri::parse(a.uri);
            if (!uri)
                co_return uri.error();
            if (auto vetted = co_await vet_typed_uri(*tgt, *uri, row.user_id, config_.limits.max_file_bytes); !vetted)
                co_return vetted.error();
            auto down = co_await tgt->runtime->download(*uri, tmp);
            if (!down)
                co_return down.error();
            ready.uri = uri->str();
            // Named like an uploaded file: by its last path segment.
            ready.label = uri->filename().empty() ? a.uri : std::string(uri->filename());
        }
        auto text = read_file(tmp, config_.limits.max_file_bytes);
        if (!text)
            co_return text.error();
        mlcloud_trainer::csv_error why;
        auto table = mlcloud_trainer::parse_csv(*text, why);
        if (!table)
            co_return error(errc::invalid_argument, "not a CSV file I can read: " + why.what());
        // Column names become buttons and are stored as JSON: they must be plain text (the
        // trainer has refused bytes that are not UTF-8; control characters and terminal escapes
        // are left). They are refused, not cleaned: the trainer looks the target up by its
        // exact name.
        for (auto const& name : table->header)
            if (msg::clean_text(name) != name)
                co_return error(errc::invalid_argument,
                                "the column name \"" + msg::clean_text(name) +
                                    "\" holds control characters: rename the column and send the file again");
        ready.columns = table->header;
        ready.rows = table->rows.size();
        ready.bytes = text->size();
        co_return ready;
    }();
    std::error_code ec;
    std::filesystem::remove(tmp, ec);

    store::transaction t(db_);
    db_.remove_action(row.id);
    if (result)
        apply_event(row.chat_id, row.user_id, *result);
    else
        apply_event(row.chat_id, row.user_id, dataset_failed_event{a.nonce, result.error()});
    t.commit();
}

// ---------------------------------------------------------------------------------------------
// work: predictions

asio::awaitable<void> bot_app::predict(outbox_row const& row, predict_action const& a)
{
    auto const tmp = scratch("input-" + std::to_string(row.id) + ".csv");
    auto const out = scratch("prediction-" + std::to_string(row.id) + ".csv");
    auto result = co_await [&]() -> mlcloud::task<std::vector<action>> {
        auto const model = db_.model(row.user_id, a.model_id);
        if (!model)
            co_return error(errc::not_found, "that model is not in your list any more");
        auto* tgt = find_target(model->target);
        if (!tgt)
            co_return error(errc::not_supported, "the model was trained on '" + model->target +
                                                    "', which this bot no longer offers");
        mlcloud::prediction_request req;
        auto model_uri = mlcloud::storage_uri::parse(model->uri);
        if (!model_uri)
            co_return model_uri.error();
        req.model = *model_uri;
        req.idempotency_key = "mlcloud-bot-predict-" + std::to_string(row.id);
        if (a.document)
        {
            auto got = co_await fetch_document(*a.document, tmp);
            if (!got)
                co_return got.error();
            // Small inputs travel with the request; larger ones go to storage first.
            if (*got <= 1024 * 1024)
            {
                auto text = read_file(tmp, config_.limits.max_file_bytes);
                if (!text)
                    co_return text.error();
                req.input = std::move(*text);
            }
            else
            {
                auto const dest = tgt->config.storage.inputs.child(std::to_string(row.user_id) + "/" +
                                                                   safe_name(a.document->file_unique_id) + "-" +
                                                                   safe_name(a.document->file_name));
                auto up = co_await tgt->runtime->upload(tmp, dest);
                if (!up)
                    co_return up.error();
                req.input_uri = dest;
            }
        }
        else
        {
            auto uri = mlcloud::storage_uri::parse(a.uri);
            if (!uri)
                co_return uri.error();
            // The prediction reads it on the provider's side: only whose it is matters here.
            if (in_another_users_folder(*tgt, tgt->runtime->stored_key(*uri), row.user_id))
                co_return error(errc::invalid_argument, "that object is in another user's folder");
            req.input_uri = *uri;
        }
        auto r = co_await tgt->runtime->predict(req);
        if (!r)
            co_return r.error();
        {
            std::ofstream f(out, std::ios::binary | std::ios::trunc);
            f << r->output;
            if (!f.flush())
                co_return error(errc::io_error, "cannot write the prediction file");
        }
        auto const lines = static_cast<std::size_t>(std::count(r->output.begin(), r->output.end(), '\n'));
        auto const rows = lines > 0 ? lines - 1 : 0; // the header
        log(log_level::info, "prediction " + r->request_id + " for user " + std::to_string(row.user_id) + ": " +
                                 std::to_string(rows) + " rows, " + msg::format_cost(r->cost));
        co_return std::vector<action>{
            document_action{out.string(), "predictions.csv", msg::prediction_ready(to_messages_format(format()), *r, rows)}};
    }();
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    if (!result)
    {
        std::filesystem::remove(out, ec);
        finish_work(row, {send_action{msg::error_message(to_messages_format(format()), result.error()), {}}});
    }
    else
        finish_work(row, *result);
}

// ---------------------------------------------------------------------------------------------
// work: /cancel and /status

asio::awaitable<void> bot_app::cancel_jobs(outbox_row const& row, cancel_jobs_action const& a)
{
    std::vector<action> out;
    auto const say = [&](wording const& w) { out.push_back(send_action{w.str(), {}}); };
    auto const jobs = db_.user_jobs(row.user_id, true);
    if (jobs.empty() && !a.quiet_if_none)
        say(wording(format()).text("Nothing to cancel: no conversation and no running job."));

    for (auto const& job : jobs)
    {
        auto w = wording(format());
        auto const label = job.dataset_label + " \xE2\x86\x92 " + job.column;
        if (job.phase == job_phase::pending || job.phase == job_phase::launch_sent)
        {
            store::transaction t(db_);
            auto fresh = db_.job(job.id);
            if (fresh && fresh->phase == job_phase::pending)
            {
                fresh->phase = job_phase::finished;
                fresh->outcome = "cancelled";
                fresh->finished = now_();
                db_.update_job(*fresh);
                say(w.text("\xF0\x9F\x9B\x91 ").bold(label).text(" was cancelled before it started; it cost nothing."));
            }
            else if (fresh && fresh->phase == job_phase::launch_sent)
            {
                fresh->outcome = "cancel_requested";
                db_.update_job(*fresh);
                say(w.text("\xF0\x9F\x9B\x91 ").bold(label).text(" is being launched right now; it will be stopped as soon "
                                                                 "as the provider answers."));
            }
            t.commit();
            continue;
        }
        auto* tgt = find_target(job.target);
        if (!tgt || !job.handle)
            continue;
        // Tell the job's follower that the end it is about to see is this cancel: whichever of
        // the two records the end first reports it, once, in these words.
        auto const mark = [&](std::string_view from, std::string_view to) {
            store::transaction t(db_);
            auto fresh = db_.job(job.id);
            if (fresh && fresh->phase == job_phase::running && fresh->outcome == from)
            {
                fresh->outcome = std::string(to);
                db_.update_job(*fresh);
            }
            t.commit();
        };
        mark("", "cancel_requested");
        auto st = co_await tgt->runtime->terminate(*job.handle);
        if (!st)
        {
            mark("cancel_requested", "");
            say(w.raw(msg::error_message(to_messages_format(format()), st.error())));
            continue;
        }
        store::transaction t(db_);
        auto fresh = db_.job(job.id);
        if (fresh && fresh->phase == job_phase::running)
        {
            fresh->phase = job_phase::finished;
            fresh->outcome = "cancelled";
            fresh->cost = st->cost_so_far;
            fresh->finished = now_();
            db_.update_job(*fresh);
            out.push_back(send_action{stopped_text(*fresh), {}});
        }
        t.commit();
    }
    finish_work(row, out);
}

asio::awaitable<void> bot_app::report_status(outbox_row const& row)
{
    auto w = wording(format());
    auto const s = db_.load_session(row.chat_id, row.user_id);
    w.text("\xF0\x9F\x93\x8A ").bold("Status").line();
    if (s && s->at != step::idle)
        w.text("Conversation: waiting for your answer (" + std::string(to_string(s->at)) + ").").line();
    auto const jobs = db_.user_jobs(row.user_id, false, 5);
    if (jobs.empty())
        w.text("No jobs yet. /train starts one.");
    for (auto const& job : jobs)
    {
        w.line().text("\xE2\x80\xA2 ").bold(job.dataset_label + " \xE2\x86\x92 " + job.column);
        w.text(" on " + msg::provider_title(job.provider) + ": ");
        auto cost = job.cost;
        if (job.phase == job_phase::running && job.handle)
        {
            if (auto* tgt = find_target(job.target))
                if (auto st = co_await tgt->runtime->status(*job.handle))
                    cost = st->cost_so_far;
            w.text("running, " + std::to_string(job.log_total) + " log lines, ");
        }
        else if (job.phase == job_phase::finished)
            w.text(job.outcome + ", ");
        else
            w.text(std::string(to_string(job.phase)) + ", ");
        w.text("cost " + msg::format_cost(cost));
        if (job.handle)
            w.text(" (" + std::string(msg::job_id_label(job.provider)) + " ").code(job.handle->id).text(")");
    }
    finish_work(row, {send_action{std::move(w).str(), {}}});
}

} // namespace mlcloud_bot
