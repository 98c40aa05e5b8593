//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_TESTING_MEMORY_HPP
#define MLCLOUD_TESTING_MEMORY_HPP

// In-memory providers with deterministic behaviour and fault-injection knobs, for testing code
// that uses mlcloud (the Telegram bot's state machine, a user's service) without processes,
// files or network. The three providers of one backend share a `memory::world`.
//
// A job's "workload" is its command: every argv element is printed as one log line, one line
// per `line_interval`, after `provisioning_delay`. Two elements are instructions instead:
//   "@fail"  the job fails there (exit code 1);
//   "@hang"  the job keeps running until terminated or until max_runtime passes.
// A job that reaches the end prints the completion marker and succeeds.
// Every job of the world carries mlcloud's mark: training::list_jobs lists them all, so
// reconciliation (mlcloud/reconcile.hpp) can be tested against it; `forget` plays a machine the
// provider no longer knows.
// Prediction: the model object's content (first line) is the prediction for every input row.

#include <mlcloud/cloud.hpp>
#include <mlcloud/concepts.hpp>
#include <mlcloud/reconcile.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <chrono>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace mlcloud::testing::memory {

/// The operations faults can be injected into.
enum class operation
{
    launch,
    status,
    read_logs,
    terminate,
    upload,
    download,
    list,
    exists,
    remove,
    predict,
    list_jobs,
};

/// Shared, thread-safe state of one in-memory cloud, plus the knobs tests turn.
class world
{
public:
    using clock = std::chrono::steady_clock;

    std::chrono::milliseconds provisioning_delay{20};
    std::chrono::milliseconds line_interval{5};
    /// USD per hour for every compute type not in `prices`. A NaN price plays a machine the
    /// provider cannot price: its handle's price is 0 and its cost is not `known`.
    double price_per_hour = 0.5;
    std::map<std::string, double> prices;

    /// The next `count` calls of `op` fail with `e` (after any faults queued before).
    void inject(operation op, error e, int count = 1)
    {
        std::lock_guard lock(mutex_);
        faults_[op].insert(faults_[op].end(), static_cast<std::size_t>(std::max(count, 0)), e);
    }

    /// The next `count` calls of `op` that take effect fail with `e` after it, as when the
    /// provider acted but its answer was lost (a timeout, a reset connection): a launch starts
    /// its job, a terminate stops it, an upload stores, a remove deletes. A call that fails, or
    /// a launch that finds its job by the idempotency key, leaves the lost answer for the next.
    /// For testing retries and idempotency keys. Only launch, terminate, upload and
    /// remove act; any other `op` throws std::invalid_argument.
    void lose_answer(operation op, error e, int count = 1)
    {
        if (op != operation::launch && op != operation::terminate && op != operation::upload &&
            op != operation::remove)
            throw std::invalid_argument("memory::world::lose_answer: only launch, terminate, upload and remove act");
        std::lock_guard lock(mutex_);
        lost_answers_[op].insert(lost_answers_[op].end(), static_cast<std::size_t>(std::max(count, 0)), e);
    }

    /// Calls of `op` succeed `n` more times, then every later call fails with `e`
    /// (the Beast fail_count model).
    void fail_after(operation op, int n, error e)
    {
        std::lock_guard lock(mutex_);
        fail_after_[op] = {n, std::move(e)};
    }

    /// Launches on this compute id fail with errc::capacity until cleared.
    void set_capacity_unavailable(std::string compute_id, bool unavailable = true)
    {
        std::lock_guard lock(mutex_);
        if (unavailable)
            no_capacity_[compute_id] = true;
        else
            no_capacity_.erase(compute_id);
    }

    /// The provider reclaims a running job, as a spot interruption does.
    void preempt(std::string const& job_id)
    {
        std::lock_guard lock(mutex_);
        if (auto it = jobs_.find(job_id); it != jobs_.end() && !is_terminal(state_of(it->second)))
            finish(it->second, job_state::preempted, "spot interruption (memory::world::preempt)");
    }

    /// The provider no longer knows the job (it was deleted behind mlcloud's back): status,
    /// logs and terminate answer not_found and list_jobs leaves it out.
    void forget(std::string const& job_id)
    {
        std::lock_guard lock(mutex_);
        jobs_.erase(job_id);
        std::erase_if(jobs_by_key_, [&](auto const& entry) { return entry.second == job_id; });
    }

    /// How many times `op` was called (including failed calls).
    int calls(operation op) const
    {
        std::lock_guard lock(mutex_);
        auto it = calls_.find(op);
        return it == calls_.end() ? 0 : it->second;
    }

    /// Number of jobs ever launched: a retried launch must not raise it twice.
    std::size_t jobs_launched() const
    {
        std::lock_guard lock(mutex_);
        return jobs_.size();
    }

    /// Direct access to stored objects, for arranging and checking tests.
    void put_object(std::string const& key, std::string content)
    {
        std::lock_guard lock(mutex_);
        objects_[key] = {std::move(content), std::chrono::system_clock::now()};
    }
    std::optional<std::string> get_object(std::string const& key) const
    {
        std::lock_guard lock(mutex_);
        auto it = objects_.find(key);
        if (it == objects_.end())
            return std::nullopt;
        return it->second.content;
    }

private:
    friend class training;
    friend class storage;
    friend class prediction;

    struct job
    {
        job_spec spec;
        job_handle handle;
        clock::time_point started;
        bool priced = true; // false: the provider cannot price this machine
        std::optional<job_state> final_state; // set once the job ended by itself or was ended
        std::string final_detail;
        clock::time_point ended;
    };

    struct object
    {
        std::string content;
        std::chrono::system_clock::time_point modified;
    };

    // The first error queued for `op`, taken off its queue.
    static std::optional<error> pop_front(std::map<operation, std::deque<error>>& queues, operation op)
    {
        auto it = queues.find(op);
        if (it == queues.end() || it->second.empty())
            return std::nullopt;
        error e = std::move(it->second.front());
        it->second.pop_front();
        return e;
    }

    // Called with the mutex held, after the call took effect: the lost answer to report, if any.
    std::optional<error> take_lost_answer(operation op) { return pop_front(lost_answers_, op); }

    // Called with the mutex held: the fault to report for this call, if any.
    std::optional<error> take_fault(operation op)
    {
        ++calls_[op];
        if (auto e = pop_front(faults_, op))
            return e;
        if (auto it = fail_after_.find(op); it != fail_after_.end())
        {
            if (it->second.first <= 0)
                return it->second.second;
            --it->second.first;
        }
        return std::nullopt;
    }

    // Index of the first script element not yet reached, given the elapsed time.
    std::size_t steps_done(job const& j, clock::time_point now) const
    {
        auto end = j.final_state ? j.ended : now;
        auto running = end - j.started - provisioning_delay;
        if (running < clock::duration::zero())
            return 0;
        auto interval = std::max(line_interval, std::chrono::milliseconds(1));
        return static_cast<std::size_t>(running / interval) + 1;
    }

    // Advances a job to what its script says by now; returns its state.
    job_state state_of(job& j, clock::time_point now = clock::now())
    {
        if (j.final_state)
            return *j.final_state;
        if (now - j.started < provisioning_delay)
            return job_state::provisioning;
        if (now - j.started >= j.spec.max_runtime)
        {
            finish(j, job_state::timed_out, "max runtime reached", now);
            return job_state::timed_out;
        }
        auto const& script = j.spec.command;
        auto done = steps_done(j, now);
        for (std::size_t i = 0; i < std::min(done, script.size()); ++i)
        {
            if (script[i] == "@fail")
            {
                finish(j, job_state::failed, "the workload exited with code 1", now);
                return job_state::failed;
            }
            if (script[i] == "@hang")
                return job_state::running;
        }
        if (done > script.size())
        {
            finish(j, job_state::succeeded, "the workload printed the completion marker", now);
            return job_state::succeeded;
        }
        return job_state::running;
    }

    void finish(job& j, job_state s, std::string detail, clock::time_point now = clock::now())
    {
        j.final_state = s;
        j.final_detail = std::move(detail);
        j.ended = now;
    }

    // The log lines a job has printed by `now`. The state is advanced to the same instant
    // first, so a caller that also reports end_of_stream sees one consistent moment.
    std::vector<std::string> lines_of(job& j, clock::time_point now)
    {
        state_of(j, now);
        std::vector<std::string> out;
        auto done = steps_done(j, now);
        auto const& script = j.spec.command;
        for (std::size_t i = 0; i < std::min(done, script.size()); ++i)
        {
            if (script[i] == "@hang")
                break;
            if (script[i] == "@fail")
            {
                out.push_back("error: the workload failed (@fail)");
                return out;
            }
            out.push_back(script[i]);
        }
        if (j.final_state == job_state::succeeded)
            out.emplace_back(completion_marker);
        return out;
    }

    mlcloud::cost cost_of(job const& j) const
    {
        auto end = j.final_state ? j.ended : clock::now();
        auto secs = std::chrono::duration_cast<std::chrono::seconds>(end - j.started);
        if (!j.priced)
            return {0.0, secs, "no price is known for " + j.handle.compute.id, false};
        double usd = j.handle.price_per_hour * std::chrono::duration<double>(end - j.started).count() / 3600.0;
        return {usd, secs, "memory: per second"};
    }

    mutable std::mutex mutex_;
    std::map<operation, std::deque<error>> faults_;
    std::map<operation, std::deque<error>> lost_answers_;
    std::map<operation, std::pair<int, error>> fail_after_;
    std::map<operation, int> calls_;
    std::map<std::string, bool> no_capacity_;
    std::map<std::string, job> jobs_;
    std::map<std::string, std::string> jobs_by_key_;
    std::map<std::string, object> objects_;
    std::uint64_t next_id_ = 1;
};

/// Options of the memory backend: the world the three providers share.
struct options
{
    std::shared_ptr<world> shared_world = std::make_shared<world>();
};

namespace detail {

inline error decorate(error e, char const* op)
{
    if (e.provider.empty())
        e.provider = "memory";
    if (e.operation.empty())
        e.operation = op;
    return e;
}

// Storage keys: the memory backend keeps local-style URIs only ("models/m.json").
inline result<std::string> key_of(storage_uri const& u)
{
    if (!u.is_local())
        return error(errc::invalid_argument, "the memory backend stores local-style keys, not " + u.str());
    return u.key;
}

} // namespace detail

class training
{
public:
    static constexpr capability_set capabilities{capability::on_demand, capability::spot,
                                                 capability::idempotent_launch, capability::cost_report};

    training(boost::asio::any_io_executor ex, options const& o) : ex_(std::move(ex)), world_(o.shared_world) {}

    task<job_handle> launch(job_spec const& spec)
    {
        co_await yield();
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::launch))
            co_return detail::decorate(*f, "launch");
        if (!spec.idempotency_key.empty())
            if (auto it = world_->jobs_by_key_.find(spec.idempotency_key); it != world_->jobs_by_key_.end())
                co_return world_->jobs_.at(it->second).handle;
        if (spec.command.empty())
            co_return detail::decorate(error(errc::invalid_argument, "the job has no command"), "launch");
        if (spec.max_runtime > max_runtime_limit) // as every backend: it would overflow the clocks
            co_return detail::decorate(error(errc::invalid_argument, max_runtime_refusal), "launch");
        if (spec.dataset)
        {
            auto key = detail::key_of(*spec.dataset);
            if (!key)
                co_return detail::decorate(key.error(), "launch");
            if (!world_->objects_.count(*key))
                co_return detail::decorate(error(errc::not_found, "dataset " + spec.dataset->str() + " does not exist"),
                                           "launch");
        }
        compute_type chosen{"memory-cpu", 1};
        if (!spec.compute.empty())
        {
            auto it = std::find_if(spec.compute.begin(), spec.compute.end(),
                                   [&](compute_type const& c) { return !world_->no_capacity_.count(c.id); });
            if (it == spec.compute.end())
                co_return detail::decorate(error(errc::capacity, "no capacity for any of the requested compute types"),
                                           "launch");
            chosen = *it;
        }
        world::job j;
        j.spec = spec;
        j.started = world::clock::now();
        j.handle.provider = "memory";
        j.handle.id = "mem-" + std::to_string(world_->next_id_++);
        j.handle.name = spec.name;
        j.handle.compute = chosen;
        j.handle.market = spec.market;
        auto price = world_->prices.find(chosen.id);
        double const usd_per_hour = price == world_->prices.end() ? world_->price_per_hour : price->second;
        j.priced = !std::isnan(usd_per_hour);
        j.handle.price_per_hour = j.priced ? usd_per_hour : 0.0;
        j.handle.launched_at = std::chrono::system_clock::now();
        j.handle.output = spec.output;
        auto handle = j.handle;
        if (!spec.idempotency_key.empty())
            world_->jobs_by_key_[spec.idempotency_key] = handle.id;
        world_->jobs_.emplace(handle.id, std::move(j));
        if (auto lost = world_->take_lost_answer(operation::launch))
            co_return detail::decorate(*lost, "launch");
        co_return handle;
    }

    task<job_status> status(job_handle const& h)
    {
        co_await yield();
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::status))
            co_return detail::decorate(*f, "status");
        auto j = find(h);
        if (!j)
            co_return j.error();
        co_return status_of(**j);
    }

    task<log_chunk> read_logs(job_handle const& h, log_cursor const& cursor)
    {
        co_await yield();
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::read_logs))
            co_return detail::decorate(*f, "read_logs");
        auto j = find(h);
        if (!j)
            co_return j.error();
        std::size_t from = 0;
        if (!cursor.token.empty())
        {
            auto [ptr, ec] = std::from_chars(cursor.token.data(), cursor.token.data() + cursor.token.size(), from);
            if (ec != std::errc() || ptr != cursor.token.data() + cursor.token.size())
                co_return detail::decorate(error(errc::invalid_argument, "malformed log cursor"), "read_logs");
        }
        auto const now = world::clock::now();
        auto lines = world_->lines_of(**j, now);
        log_chunk chunk;
        for (auto i = std::min(from, lines.size()); i < lines.size(); ++i)
            chunk.lines.push_back(lines[i]);
        chunk.next.token = std::to_string(std::max(from, lines.size()));
        chunk.end_of_stream = is_terminal(world_->state_of(**j, now));
        co_return chunk;
    }

    task<job_status> terminate(job_handle const& h)
    {
        co_await yield();
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::terminate))
            co_return detail::decorate(*f, "terminate");
        auto j = find(h);
        if (!j)
            co_return j.error();
        if (!is_terminal(world_->state_of(**j)))
            world_->finish(**j, job_state::cancelled, "terminated on request");
        if (auto lost = world_->take_lost_answer(operation::terminate))
            co_return detail::decorate(*lost, "terminate");
        co_return status_of(**j);
    }

    /// Every job the world holds, ended or not, in launch order (each carries mlcloud's mark,
    /// as an AWS instance tagged mlcloud:job does).
    task<std::vector<job_handle>> list_jobs()
    {
        co_await yield();
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::list_jobs))
            co_return detail::decorate(*f, "list_jobs");
        std::vector<std::pair<std::uint64_t, job_handle>> numbered;
        for (auto const& [id, j] : world_->jobs_)
            numbered.emplace_back(std::stoull(id.substr(4)), j.handle); // "mem-<n>"
        std::sort(numbered.begin(), numbered.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
        std::vector<job_handle> out;
        for (auto& n : numbered)
            out.push_back(std::move(n.second));
        co_return out;
    }

private:
    // Lets other coroutines run between steps, as a real provider's I/O would.
    boost::asio::awaitable<void> yield() { co_await boost::asio::post(ex_, boost::asio::use_awaitable); }

    result<world::job*> find(job_handle const& h)
    {
        auto it = world_->jobs_.find(h.id);
        if (it == world_->jobs_.end())
            return detail::decorate(error(errc::not_found, "no job with id '" + h.id + "'"), "find job");
        return &it->second;
    }

    job_status status_of(world::job& j)
    {
        job_status s;
        s.state = world_->state_of(j);
        s.detail = j.final_state ? j.final_detail : std::string(to_string(s.state));
        if (s.state == job_state::succeeded)
            s.exit_code = 0;
        else if (s.state == job_state::failed)
            s.exit_code = 1;
        s.cost_so_far = world_->cost_of(j);
        return s;
    }

    boost::asio::any_io_executor ex_;
    std::shared_ptr<world> world_;
};

class storage
{
public:
    static constexpr capability_set capabilities{capability::presign};

    storage(boost::asio::any_io_executor ex, options const& o) : ex_(std::move(ex)), world_(o.shared_world) {}

    task<object_info> upload(std::filesystem::path const& from, storage_uri const& to, transfer_options const& opts)
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto key = detail::key_of(to);
        if (!key)
            co_return detail::decorate(key.error(), "upload");
        std::ifstream in(from, std::ios::binary);
        if (!in)
            co_return detail::decorate(error(errc::not_found, "cannot open " + from.string()), "upload");
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto const size = content.size();
        object_info stored;
        {
            std::lock_guard lock(world_->mutex_);
            if (auto f = world_->take_fault(operation::upload))
                co_return detail::decorate(*f, "upload");
            auto& obj = world_->objects_[*key];
            obj = {std::move(content), std::chrono::system_clock::now()};
            stored = info(to, obj);
            if (auto lost = world_->take_lost_answer(operation::upload))
                co_return detail::decorate(*lost, "upload");
        }
        // Outside the world's lock: the callback may look into the world.
        if (opts.on_progress)
            opts.on_progress(size, size);
        co_return stored;
    }

    task<object_info> download(storage_uri const& from, std::filesystem::path const& to, transfer_options const& opts)
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto key = detail::key_of(from);
        if (!key)
            co_return detail::decorate(key.error(), "download");
        std::string content;
        object_info found;
        {
            std::lock_guard lock(world_->mutex_);
            if (auto f = world_->take_fault(operation::download))
                co_return detail::decorate(*f, "download");
            auto it = world_->objects_.find(*key);
            if (it == world_->objects_.end())
                co_return detail::decorate(error(errc::not_found, "no object " + from.str()), "download");
            content = it->second.content;
            found = info(from, it->second);
        }
        std::ofstream out(to, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out.flush())
            co_return detail::decorate(error(errc::io_error, "cannot write " + to.string()), "download");
        // Outside the world's lock: the callback may look into the world.
        if (opts.on_progress)
            opts.on_progress(content.size(), content.size());
        co_return found;
    }

    task<std::vector<object_info>> list(storage_uri const& prefix)
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto key = detail::key_of(prefix);
        if (!key)
            co_return detail::decorate(key.error(), "list");
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::list))
            co_return detail::decorate(*f, "list");
        std::vector<object_info> out;
        for (auto it = world_->objects_.lower_bound(*key); it != world_->objects_.end() && it->first.starts_with(*key); ++it)
            out.push_back(info(storage_uri::local(it->first), it->second));
        co_return out;
    }

    task<bool> exists(storage_uri const& u)
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto key = detail::key_of(u);
        if (!key)
            co_return detail::decorate(key.error(), "exists");
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::exists))
            co_return detail::decorate(*f, "exists");
        co_return world_->objects_.count(*key) != 0;
    }

    task<void> remove(storage_uri const& u)
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto key = detail::key_of(u);
        if (!key)
            co_return detail::decorate(key.error(), "remove");
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::remove))
            co_return detail::decorate(*f, "remove");
        world_->objects_.erase(*key);
        if (auto lost = world_->take_lost_answer(operation::remove))
            co_return detail::decorate(*lost, "remove");
        co_return result<void>{};
    }

    result<std::string> presign(storage_uri const& u, presign_method m, std::chrono::seconds expires) const
    {
        if (expires <= std::chrono::seconds(0) || expires > std::chrono::hours(24 * 7))
            return detail::decorate(error(errc::invalid_argument, "expiry must be between 1 s and 7 days"), "presign");
        auto key = detail::key_of(u);
        if (!key)
            return key.error();
        return "memory://" + *key + "?method=" + (m == presign_method::get ? "GET" : "PUT") +
               "&expires=" + std::to_string(expires.count());
    }

private:
    static object_info info(storage_uri const& u, world::object const& o)
    {
        return {u, o.content.size(), std::to_string(std::hash<std::string>{}(o.content)), o.modified};
    }

    boost::asio::any_io_executor ex_;
    std::shared_ptr<world> world_;
};

class prediction
{
public:
    static constexpr capability_set capabilities{capability::cost_report};

    prediction(boost::asio::any_io_executor ex, options const& o) : ex_(std::move(ex)), world_(o.shared_world) {}

    task<prediction_result> predict(prediction_request const& r)
    {
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        std::lock_guard lock(world_->mutex_);
        if (auto f = world_->take_fault(operation::predict))
            co_return detail::decorate(*f, "predict");
        auto key = detail::key_of(r.model);
        if (!key)
            co_return detail::decorate(key.error(), "predict");
        auto model = world_->objects_.find(*key);
        if (model == world_->objects_.end())
            co_return detail::decorate(error(errc::not_found, "no model at " + r.model.str()), "predict");
        std::string input = r.input;
        if (r.input_uri)
        {
            auto in_key = detail::key_of(*r.input_uri);
            if (!in_key)
                co_return detail::decorate(in_key.error(), "predict");
            auto it = world_->objects_.find(*in_key);
            if (it == world_->objects_.end())
                co_return detail::decorate(error(errc::not_found, "no input at " + r.input_uri->str()), "predict");
            input = it->second.content;
        }
        auto const& content = model->second.content;
        std::string value = content.substr(0, content.find('\n'));
        prediction_result out;
        out.request_id = "memory-" + std::to_string(++predictions_);
        std::istringstream rows(input);
        std::string line;
        bool header = true;
        while (std::getline(rows, line))
        {
            if (line.empty())
                continue;
            out.output += line + "," + (header ? std::string("prediction") : value) + "\n";
            header = false;
        }
        out.cost = {0.0001, std::chrono::seconds(1), "memory: flat per request"};
        out.duration = std::chrono::milliseconds(1);
        co_return out;
    }

private:
    boost::asio::any_io_executor ex_;
    std::shared_ptr<world> world_;
    std::uint64_t predictions_ = 0;
};

/// The in-memory backend: mlcloud::cloud<mlcloud::testing::memory::backend>.
struct backend
{
    static constexpr std::string_view name = "memory";
    using options = memory::options;
    using training = memory::training;
    using storage = memory::storage;
    using prediction = memory::prediction;
};

static_assert(training_provider<training>);
static_assert(job_listing_provider<training>);
static_assert(storage_provider<storage>);
static_assert(presigning_storage_provider<storage>);
static_assert(prediction_provider<prediction>);
static_assert(mlcloud::backend<backend>);

} // namespace mlcloud::testing::memory

#endif
