//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The fault matrix: every provider operation (launch, status, logs, terminate, upload,
// download, list, remove, predict) through every fault tests/fakes/fault_proxy.py injects
// (resets before and after the answer's head, 500, 503 / SlowDown, 429 with Retry-After, a
// timeout, a truncated body, a malformed body, an expired credential, 500 on every attempt),
// for AWS against moto and for RunPod against its contract fake. The providers reach the
// servers through the proxy (net::proxy_options::http_proxy), unchanged otherwise.
//
// Each cell ends either in success, with the result checked against what the server holds, or
// in the error code the table below expects; a launch cell counts the machines the provider
// holds for the job afterwards, and when the launch reported an error, launches again with the
// same idempotency key, as a caller would: there must never be a second machine.
// The matrix is printed and written to <build>/fixtures/fault_matrix_<provider>.md
// (docs/reliability.md shows it). MLCLOUD_FAULT_MATRIX_ONLY=launch (or launch:timeout) runs a
// part of it.

#include "../aws/aws_test.hpp"
#include "../runpod/runpod_test.hpp"
#include "faults_test.hpp"

#include <mlcloud/aws/backend.hpp>
#include <mlcloud/runpod/backend.hpp>
#include <mlcloud/runpod/detail/wire.hpp>

#include <thread>

using namespace faults_test;
using mlcloud::job_state;
using mlcloud::storage_uri;

namespace {

std::string token(std::string const& what)
{
    static int n = 0;
    return what + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
}

/// Made-up answers a real server gives before acting (throttling, an expired credential) are
/// not forwarded; a 500 on a launch is forwarded: the worst case is a machine created and the
/// answer lost, which is exactly what must not lead to a second one.
bool forward_for(operation op, fault f)
{
    switch (f)
    {
    case fault::status_503:
    case fault::status_429:
    case fault::expired:
        return false;
    case fault::status_500:
    case fault::status_500_always:
        return op == operation::launch;
    default:
        return true;
    }
}

std::string content(std::size_t n, char seed)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed)) % 251);
    return s;
}

std::string slurp(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(std::filesystem::path const& p, std::string const& bytes)
{
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
}

/// Empty when the request after the 429 came at least the Retry-After (1 s, proxy::inject)
/// after the refused one, by the proxy's clock; else what went wrong.
std::string retry_after_not_honoured(json::array const& requests)
{
    for (std::size_t i = 0; i + 1 < requests.size(); ++i)
    {
        if (requests[i].at("fault").is_null())
            continue;
        auto const gap = requests[i + 1].at("time").to_number<double>() - requests[i].at("time").to_number<double>();
        if (gap < 1.0)
            return "retried " + std::to_string(static_cast<int>(gap * 1000)) + " ms after the 429, before its Retry-After: 1";
        return {};
    }
    return {};
}

/// Runs the cells of one provider and checks each against `expect`.
template <class Cell, class Expect>
void run_matrix(matrix& m, proxy const& px, std::map<operation, std::string> const& faulted_operation, Cell&& cell,
                Expect&& expect, std::set<operation> const& not_here = {})
{
    for (auto op : all_operations)
        for (auto f : all_faults)
        {
            if (!selected(op, f) || not_here.count(op))
                continue;
            auto const scope = token(std::string(name(op)));
            observed o = cell(op, f, scope);
            auto requests = px.requests(faulted_operation.at(op), o.faulted_text.empty() ? scope : o.faulted_text);
            o.attempts = requests.size();
            o.note = proxy::note_of(requests);
            // A launch whose one request met a fault and still succeeded: the answer was lost or
            // unreadable, and the provider found the machine it had started (by name or tag)
            // instead of sending the launch again.
            if (op == operation::launch && !o.failure && o.wrong.empty() && o.attempts == 1 &&
                !requests.at(0).at("fault").is_null() && o.note.empty())
                o.note = "found, not relaunched";
            if (f == fault::status_429 && o.wrong.empty())
                o.wrong = retry_after_not_honoured(requests);
            auto const e = expect(op, f);
            m.record(op, f, o, e);
            INFO(name(op) << " x " << title(f) << ": " << cell_text(o, e)
                          << (o.failure ? " — " + o.failure->what() : std::string()) << (o.wrong.empty() ? "" : " — " + o.wrong));
            CHECK(matches(o, e));
            if (o.machines)
                CHECK(*o.machines == 1);
        }
    m.publish();
}

template <class T>
void take(observed& o, mlcloud::result<T> const& r)
{
    if (!r)
        o.failure = r.error();
}

/// Arms the cell's fault for the requests of its operation naming `contains` (and keeps the
/// text, to count the attempts by).
template <class World>
auto injector(observed& o, World& w, std::map<operation, std::string> const& operations, operation op, fault f)
{
    return [&o, &w, faulted = operations.at(op), op, f](std::string const& contains) {
        o.faulted_text = contains;
        w.px.inject(f, faulted, contains, forward_for(op, f));
    };
}

/// Launches through the proxy; after an error, launches again with the same spec and without
/// the proxy, as a caller would. The handle of the machine that was kept, if any.
template <class B, class World>
mlcloud::result<mlcloud::job_handle> launch_cell(observed& o, mlcloud::blocking<B>& c, World& w,
                                                 mlcloud::job_spec const& spec)
{
    auto h = c.launch(spec);
    take(o, h);
    if (h)
        return h;
    mlcloud::blocking<B> again(w.direct);
    auto second = again.launch(spec);
    if (!second)
        o.wrong = "the relaunch failed: " + second.error().what();
    return second;
}

/// A status or terminate result: taken, and its state checked when it succeeded.
void check_state(observed& o, mlcloud::result<mlcloud::job_status> const& s, std::initializer_list<job_state> allowed)
{
    take(o, s);
    if (s && std::find(allowed.begin(), allowed.end(), s->state) == allowed.end())
        o.wrong = "state " + std::string(to_string(s->state));
}

bool is_storage(operation op)
{
    return op == operation::upload || op == operation::download || op == operation::list || op == operation::remove;
}

/// The storage cells, alike on every provider: `store` puts, reads and addresses objects
/// directly (not through the proxy), the cell's objects are below `<root>/<scope>/`, and
/// `inject` arms the fault for requests naming `scope` (in a key, or a listing's prefix).
template <class Cloud, class Inject, class Store>
void storage_cell(observed& o, Cloud& c, operation op, std::string const& root, std::string const& scope,
                  Inject&& inject, Store& store)
{
    auto const prefix = root + "/" + scope + "/";
    switch (op)
    {
    case operation::upload:
    {
        aws_test::temp_file file("up");
        auto bytes = content(100 * 1024, 'u');
        spit(file.path, bytes);
        inject(scope);
        auto r = c.upload(file.path, store.at(prefix + "up.bin"));
        take(o, r);
        if (r && store.get(prefix + "up.bin") != bytes)
            o.wrong = "the stored object differs";
        break;
    }
    case operation::download:
    {
        auto bytes = content(100 * 1024, 'd');
        store.put(prefix + "down.bin", bytes);
        aws_test::temp_file file("down");
        inject(scope);
        auto r = c.download(store.at(prefix + "down.bin"), file.path);
        take(o, r);
        if (r && slurp(file.path) != bytes)
            o.wrong = "the downloaded file differs";
        break;
    }
    case operation::list:
    {
        std::set<std::string> keys;
        for (auto n : {"a.csv", "b.csv", "c/d.csv"})
        {
            keys.insert(prefix + n);
            store.put(prefix + n, n);
        }
        inject(scope);
        auto r = c.list(store.at(prefix));
        take(o, r);
        if (r)
        {
            std::set<std::string> got;
            for (auto const& i : *r)
                got.insert(i.uri.key);
            if (got != keys)
                o.wrong = "listed " + std::to_string(got.size()) + " keys";
        }
        break;
    }
    case operation::remove:
    {
        store.put(prefix + "gone.bin", "bytes");
        inject(scope);
        auto r = c.remove(store.at(prefix + "gone.bin"));
        take(o, r);
        if (r && store.get(prefix + "gone.bin"))
            o.wrong = "the object is still there";
        break;
    }
    default:
        FAIL("not a storage operation");
    }
}

/// The predict cell: the model stored (directly) under the cell's key, rows in, the expected
/// rows out.
template <class Cloud, class Inject, class Store>
void predict_cell(observed& o, Cloud& c, std::string const& scope, Inject&& inject, Store& store,
                  std::string const& model, std::string const& input, std::string const& output)
{
    auto const key = "models/" + scope + "/model.json";
    store.put(key, model);
    mlcloud::prediction_request req;
    req.model = store.at(key);
    req.input = input;
    req.idempotency_key = scope;
    req.timeout = std::chrono::seconds(60);
    inject(scope);
    auto r = c.predict(req);
    take(o, r);
    if (r && r->output != output)
        o.wrong = "output " + r->output;
}

// ---------------------------------------------------------------------------------------------
// AWS against moto

namespace aws = mlcloud::aws;

/// A moto of our own (fixture faults_moto): its Lambda answer queue is nobody else's.
std::string faults_moto_url() { return mlcloud_test::fixture_url("faults_moto"); }

struct aws_world
{
    proxy px;
    boost::asio::io_context ctx;
    aws::options direct = aws_test::options_for(faults_moto_url());
    aws_test::raw_calls raw{ctx, faults_moto_url()};
    std::string bucket = aws_test::unique_name("faults");
    std::string const lambda_answer = R"({"output": "x,prediction\n1,2\n", "rows": 1})";

    aws_world()
    {
        direct.bucket = bucket;
        direct.log_group = "/mlcloud/faults-" + aws_test::unique_name("jobs");
        direct.check_model_before_invoke = true;
        raw.ensure_log_group(direct.log_group);
        mlcloud::blocking<aws::backend> c(direct);
        REQUIRE(c.run(c.async().storage().s3().value()->create_bucket(bucket)));
        make_function();
        queue_lambda_answers(60);
    }

    aws::options proxied() const
    {
        auto o = direct;
        o.http = px.client_options(o.http);
        return o;
    }

    /// A Lambda function in moto's simple mode: Invoke answers with what was queued.
    void make_function()
    {
        net::http_client http(ctx.get_executor(), aws_test::fast_http());
        net::request config;
        config.method = net::method::post;
        config.url = faults_moto_url() + "/moto-api/config";
        config.headers.set("Content-Type", "application/json");
        config.body = R"({"lambda":{"use_docker":false}})";
        REQUIRE(mlcloud::run_blocking(ctx, http.send(std::move(config))).value().ok());
        constexpr aws::service iam{"IAM", "iam", "iam"};
        std::string const role = aws_test::unique_name("role");
        net::query_params role_params{{"RoleName", role},
                                      {"AssumeRolePolicyDocument",
                                       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
                                       R"({"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})"}};
        REQUIRE(mlcloud::run_blocking(ctx, raw.client.query(iam, "CreateRole", "2010-05-08", std::move(role_params))));
        direct.lambda_function = aws_test::unique_name("fn");
        json::object fn{{"FunctionName", direct.lambda_function},
                        {"Runtime", "provided.al2023"},
                        {"Role", "arn:aws:iam::123456789012:role/" + role},
                        {"Handler", "bootstrap"},
                        {"MemorySize", 512},
                        {"Code", json::object{{"ZipFile", "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}}};
        net::request made;
        made.method = net::method::post;
        made.url = faults_moto_url() + "/2015-03-31/functions";
        made.headers.set("Content-Type", "application/json");
        made.body = json::serialize(fn);
        auto r = mlcloud::run_blocking(ctx, raw.client.send(aws::lambda_service, std::move(made)));
        REQUIRE(r);
        REQUIRE(r->status == 201);
    }

    /// Every answer is the same, so answers left over by a cell do no harm to the next one.
    void queue_lambda_answers(int n)
    {
        net::http_client http(ctx.get_executor(), aws_test::fast_http());
        for (int i = 0; i < n; ++i)
        {
            json::object doc{{"results", json::array{json::value(lambda_answer)}}, {"region", "us-east-1"}};
            net::request q;
            q.method = net::method::post;
            q.url = faults_moto_url() + "/moto-api/static/lambda-simple/response";
            q.headers.set("Content-Type", "application/json");
            q.body = json::serialize(doc);
            REQUIRE(mlcloud::run_blocking(ctx, http.send(std::move(q))).value().ok());
        }
    }

    mlcloud::job_spec job(std::string const& key) const
    {
        mlcloud::job_spec s;
        s.name = key;
        s.idempotency_key = key;
        s.image = "ghcr.io/acme/trainer:1";
        s.command = {"mlcloud-trainer", "train", "--target", "species"};
        s.dataset = storage_uri::s3(bucket, "datasets/iris.csv");
        s.compute = {{"g5.xlarge", 1}};
        s.max_runtime = std::chrono::hours(1);
        return s;
    }

    mlcloud::job_handle launch_direct(std::string const& key)
    {
        mlcloud::blocking<aws::backend> c(direct);
        return c.launch(job(key)).value();
    }

    std::vector<aws::detail::ec2_instance> machines_of(std::string const& key)
    {
        return raw.describe_tagged("mlcloud:job", key);
    }

    void put(std::string const& key, std::string const& bytes)
    {
        mlcloud::blocking<aws::backend> c(direct);
        REQUIRE(c.run(c.async().storage().s3().value()->put_object(bucket, key, bytes)));
    }

    storage_uri at(std::string const& key) const { return storage_uri::s3(bucket, key); }

    std::optional<std::string> get(std::string const& key)
    {
        mlcloud::blocking<aws::backend> c(direct);
        auto r = c.run(c.async().storage().s3().value()->get_object(bucket, key));
        if (!r)
            return std::nullopt;
        return *r;
    }
};

std::map<operation, std::string> const aws_operations{
    {operation::launch, "RunInstances"},     {operation::status, "DescribeInstances"},
    {operation::logs, "GetLogEvents"},       {operation::terminate, "TerminateInstances"},
    {operation::upload, "PutObject"},        {operation::download, "GetObject"},
    {operation::list, "ListObjectsV2"},      {operation::remove, "DeleteObject"},
    {operation::predict, "Invoke"}};

/// What each AWS cell must end in.
expected aws_expected(operation op, fault f)
{
    switch (f)
    {
    case fault::expired:
        return expected::error(errc::unauthorized);
    case fault::status_500_always:
        // EC2 started the instance at the first attempt (the retries carry its ClientToken):
        // after the last 500 the launch finds it by its mlcloud:job tag.
        return op == operation::launch ? expected::ok() : expected::error(errc::provider_error);
    case fault::malformed:
        switch (op)
        {
        case operation::upload:    // PutObject's answer is its head (ETag); a body is ignored
        case operation::terminate: // the instance's state is read again afterwards
        case operation::remove:    // 204: no body to spoil
            return expected::ok();
        default:
            return expected::error(errc::protocol_error);
        }
    default:
        return expected::ok(); // every transient fault is retried: AWS calls are idempotent or carry a ClientToken
    }
}

/// The cells that are not storage cells.
template <class Inject>
void aws_cell(observed& o, mlcloud::blocking<aws::backend>& c, Inject&& inject, aws_world& w, operation op, fault f,
             std::string const& scope)
{
    switch (op)
    {
    case operation::launch:
    {
        auto spec = w.job(scope);
        inject(scope);
        auto h = launch_cell(o, c, w, spec);
        auto machines = w.machines_of(scope);
        o.machines = machines.size();
        if (h && machines.size() == 1 && machines[0].id != h->id)
            o.wrong = "the handle names another instance";
        for (auto const& i : machines)
            w.raw.terminate(i.id);
        break;
    }
    case operation::status:
    {
        auto h = w.launch_direct(scope);
        inject(h.id);
        check_state(o, c.status(mlcloud::job_handle{.provider = "aws", .id = h.id}),
                    {job_state::running, job_state::provisioning});
        w.raw.terminate(h.id);
        break;
    }
    case operation::logs:
    {
        auto h = w.launch_direct(scope);
        std::vector<std::string> lines{"loading " + scope, "epoch 1/2", "epoch 2/2"};
        w.raw.put_lines(w.direct.log_group, h.id, lines);
        inject(h.id);
        auto chunk = c.read_logs(h);
        take(o, chunk);
        if (chunk && chunk->lines != lines)
            o.wrong = std::to_string(chunk->lines.size()) + " lines, not the 3 written";
        w.raw.terminate(h.id);
        break;
    }
    case operation::terminate:
    {
        auto h = w.launch_direct(scope);
        inject(h.id);
        auto s = c.terminate(h);
        check_state(o, s, {job_state::cancelled});
        auto after = w.machines_of(scope);
        if (s && (after.size() != 1 || (after[0].state != "terminated" && after[0].state != "shutting-down")))
            o.wrong = "the instance still runs";
        w.raw.terminate(h.id);
        break;
    }
    case operation::predict:
        // moto's simple Lambda mode answers what was queued (aws_world::queue_lambda_answers).
        predict_cell(o, c, scope, inject, w, "{}", "x\n1\n", "x,prediction\n1,2\n");
        break;
    default:
        FAIL("not a training or prediction operation");
    }
}

// ---------------------------------------------------------------------------------------------
// RunPod against its contract fake

namespace rp = mlcloud::runpod;

struct runpod_world
{
    proxy px;
    rp::options direct = runpod_test::fake_options();

    rp::options proxied() const
    {
        auto o = direct;
        o.http = px.client_options(o.http);
        return o;
    }

    static mlcloud::job_spec job(std::string const& name, std::vector<std::string> script)
    {
        return pod_job(name, name + "-key", std::move(script));
    }

    mlcloud::job_handle launch_direct(std::string const& name, std::vector<std::string> script)
    {
        mlcloud::blocking<rp::backend> c(direct);
        return c.launch(job(name, std::move(script))).value();
    }

    static std::size_t pods_of(mlcloud::job_spec const& s)
    {
        return runpod_test::pods_named(rp::detail::pod_name(s.name, s.idempotency_key)).size();
    }

    static std::string pod_status(std::string const& id)
    {
        auto pods = runpod_test::pods_named("");
        for (auto const& p : pods)
            if (p.at("id").as_string() == id)
                return std::string(p.at("status").as_string());
        return "missing";
    }

    void stop(mlcloud::job_handle const& h)
    {
        mlcloud::blocking<rp::backend> c(direct);
        (void)c.terminate(h);
    }

    static storage_uri at(std::string const& key)
    {
        return storage_uri::runpod_volume(runpod_test::datacenter, runpod_test::volume, key);
    }

    static void put(std::string const& key, std::string const& bytes) { spit(runpod_test::volume_dir() / key, bytes); }

    static std::optional<std::string> get(std::string const& key)
    {
        auto path = runpod_test::volume_dir() / key;
        if (!std::filesystem::exists(path))
            return std::nullopt;
        return slurp(path);
    }
};

std::map<operation, std::string> const runpod_operations{
    {operation::launch, "CreatePod"},    {operation::status, "GetPod"},         {operation::logs, "PodLogs"},
    {operation::terminate, "PodAction"}, {operation::upload, "PutObject"},      {operation::download, "GetObject"},
    {operation::list, "ListObjectsV2"},  {operation::remove, "DeleteObject"},   {operation::predict, "RunSync"}};

/// What each RunPod cell must end in.
expected runpod_expected(operation op, fault f)
{
    // The log stream's first request is retried like every other request (5xx, 429 with its
    // Retry-After, a timeout); an event whose data is not JSON is a plain line, not an error.
    if (op == operation::logs && f == fault::malformed)
        return expected::ok();
    switch (f)
    {
    case fault::expired:
        return expected::error(errc::unauthorized);
    case fault::status_500_always:
        switch (op)
        {
        case operation::launch:
            return expected::ok(); // the pod was created every time: the first one is adopted
        default:
            return expected::error(errc::provider_error);
        }
    case fault::malformed:
        switch (op)
        {
        case operation::launch:    // an unreadable 201 leaves the outcome open: the pod is adopted
        case operation::terminate: // 204: no body
        case operation::upload:    // PutObject's answer is its head
        case operation::remove:    // 204: no body
            return expected::ok();
        default:
            return expected::error(errc::protocol_error);
        }
    default:
        return expected::ok();
    }
}

/// The cells that are not storage cells.
template <class Inject>
void runpod_cell(observed& o, mlcloud::blocking<rp::backend>& c, Inject&& inject, runpod_world& w, operation op, fault f,
             std::string const& scope)
{
    switch (op)
    {
    case operation::launch:
    {
        auto spec = runpod_world::job(scope, {"@hang"});
        inject(scope);
        auto h = launch_cell(o, c, w, spec);
        o.machines = runpod_world::pods_of(spec);
        if (h)
            w.stop(*h);
        break;
    }
    case operation::status:
    {
        auto h = w.launch_direct(scope, {"@lines=2", "@hang"});
        inject(h.id);
        check_state(o, c.status(mlcloud::job_handle{.provider = "runpod", .id = h.id}),
                    {job_state::running, job_state::provisioning});
        w.stop(h);
        break;
    }
    case operation::logs:
    {
        auto h = w.launch_direct(scope, {"@lines=5", "@hang"});
        inject(h.id);
        std::vector<std::string> lines;
        mlcloud::log_cursor cursor;
        for (int i = 0; i < 40 && lines.size() < (f == fault::malformed ? 6u : 5u); ++i)
        {
            auto chunk = c.read_logs(h, cursor);
            if (!chunk)
            {
                o.failure = chunk.error();
                break;
            }
            lines.insert(lines.end(), chunk->lines.begin(), chunk->lines.end());
            cursor = chunk->next;
        }
        std::vector<std::string> want{"line 1/5", "line 2/5", "line 3/5", "line 4/5", "line 5/5"};
        if (f == fault::malformed) // RunPod's log data may be plain text: what does not parse is a line
            want.insert(want.begin(), "{this is not JSON");
        if (!o.failure && lines != want)
            o.wrong = std::to_string(lines.size()) + " lines, not lines 1 to 5 once each";
        w.stop(h);
        break;
    }
    case operation::terminate:
    {
        auto h = w.launch_direct(scope, {"@hang"});
        inject(h.id);
        auto s = c.terminate(h);
        check_state(o, s, {job_state::cancelled});
        if (s && runpod_world::pod_status(h.id) != "TERMINATED")
            o.wrong = "the pod is " + runpod_world::pod_status(h.id);
        w.stop(h);
        break;
    }
    case operation::predict:
        // y = 1 + 2x, in the trainer's model format (docs/trainer.md).
        predict_cell(o, c, scope, inject, w,
                     R"({"format":"mlcloud-trainer/1","task":"regression","target":"y",)"
                     R"("features":[{"name":"x","mean":0,"scale":1}],"weights":[[2]],"intercepts":[1]})",
                     "x\n1\n3\n", "x,prediction\n1,3\n3,7\n");
        break;
    default:
        FAIL("not a training or prediction operation");
    }
}

/// One cell: a provider behind the proxy, the fault armed by `inject`; the storage cells are
/// alike on every provider (below `<root>/<scope>/`), the others are the provider's own.
template <class B, class World, class Own>
observed run_cell(World& w, std::map<operation, std::string> const& operations, operation op, fault f,
                  std::string const& scope, std::string const& root, Own&& own)
{
    observed o;
    auto inject = injector(o, w, operations, op, f);
    mlcloud::blocking<B> c(w.proxied());
    if (is_storage(op))
        storage_cell(o, c, op, root, scope, inject, w);
    else
        own(o, c, inject);
    return o;
}

} // namespace

TEST_CASE("fault matrix: AWS against moto", "[faults][aws]")
{
    aws_world w;
    matrix m("aws");
    auto cell = [&](operation op, fault f, std::string const& scope) {
        return run_cell<aws::backend>(w, aws_operations, op, f, scope, "cells",
                                      [&](observed& o, auto& c, auto& inject) { aws_cell(o, c, inject, w, op, f, scope); });
    };
    run_matrix(m, w.px, aws_operations, cell, aws_expected);
}

TEST_CASE("fault matrix: RunPod against its contract fake", "[faults][runpod]")
{
    runpod_world w;
    matrix m("runpod");
    std::set<operation> not_here;
#ifndef MLCLOUD_TEST_TRAINER
    not_here.insert(operation::predict); // the fake's serverless worker runs the trainer
#endif
    auto cell = [&](operation op, fault f, std::string const& scope) {
        return run_cell<rp::backend>(w, runpod_operations, op, f, scope, "faults", [&](observed& o, auto& c, auto& inject) {
            runpod_cell(o, c, inject, w, op, f, scope);
        });
    };
    run_matrix(m, w.px, runpod_operations, cell, runpod_expected, not_here);
}
