//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include <mlcloud/messages/templates.hpp>

#include <catch2/catch.hpp>

#include <regex>

using namespace mlcloud::messages;
using namespace std::chrono_literals;
using Catch::Contains;
using Catch::StartsWith;

namespace {

constexpr std::string_view hostile = R"(<script>alert("x")</script> & 'q' &amp;)";
constexpr std::string_view hostile_escaped =
    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; &amp;amp;";

/// True when every '<' in `html` opens one of the tags Telegram accepts from us and every '&'
/// starts an entity: i.e. nothing user-supplied slipped through unescaped.
bool only_safe_markup(std::string const& html)
{
    static std::regex const tag(R"(<(/?)(b|i|code|pre)>)");
    auto const without_tags = std::regex_replace(html, tag, "");
    if (without_tags.find_first_of("<>\"'") != std::string::npos)
        return false;
    static std::regex const entity(R"(&(amp|lt|gt|quot|#39);)");
    return std::regex_replace(without_tags, entity, "").find('&') == std::string::npos;
}

mlcloud::job_handle job(std::string provider, std::string id)
{
    mlcloud::job_handle h;
    h.provider = std::move(provider);
    h.id = std::move(id);
    h.compute = {"NVIDIA RTX A5000", 1};
    h.price_per_hour = 0.27;
    return h;
}

} // namespace

TEST_CASE("escape_html, clean_text and redact_secrets")
{
    CHECK(escape_html(hostile) == hostile_escaped);
    CHECK(escape_html("plain") == "plain");

    CHECK(clean_text("\x1b[32mgreen\x1b[0m done") == "green done");
    CHECK(clean_text("a\tb\nc\x07\x7f d") == "a\tb\nc d");
    CHECK(clean_text("caf\xC3\xA9 \xE2\x9C\x85") == "caf\xC3\xA9 \xE2\x9C\x85");
    CHECK(clean_text("bad \xFF\xC3 end") == "bad \xEF\xBF\xBD\xEF\xBF\xBD end");
    CHECK(clean_text("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // a UTF-16 surrogate is not UTF-8
    CHECK(clean_text("\x1b") == "");

    CHECK(redact_secrets("Authorization: Bearer abc.DEF-123") == "Authorization:<redacted>");
    CHECK(redact_secrets("sent bearer abc.DEF-123 then") == "sent bearer <redacted> then");
    CHECK(redact_secrets("key AKIAIOSFODNN7EXAMPLE used") == "key <redacted> used");
    CHECK(redact_secrets("ASIAIOSFODNN7EXAMPLEX") == "ASIAIOSFODNN7EXAMPLEX"); // 21 chars: not a key id
    CHECK(redact_secrets("rpa_0123456789ABCDEF and rps_abcdefgh12") == "<redacted> and <redacted>");
    // Right after "bot" (a Bot API URL path) the token is masked too (tests/fuzz found it left).
    CHECK(redact_secrets("bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/getMe") == "bot<redacted>/getMe");
    CHECK(redact_secrets("/bot 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0/getMe") == "/bot <redacted>/getMe");
    CHECK(redact_secrets("https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F20260101&X-Amz-Signature=deadbeef") ==
          "https://b.s3.amazonaws.com/k?X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>");
    CHECK(redact_secrets("password: hunter2, user: bob") == "password: <redacted>, user: bob");
    // Quoted values, JSON members and the shared credentials file's spelling.
    CHECK(redact_secrets(R"(password="hunter 2" user=bob)") == R"(password="<redacted>" user=bob)");
    CHECK(redact_secrets("api_key='abc123'") == "api_key='<redacted>'");
    CHECK(redact_secrets(R"({"token": "abc", "user": "bob"})") == R"({"token": "<redacted>", "user": "bob"})");
    // An escaped quote is part of the value, not its end.
    CHECK(redact_secrets(R"({"password": "ab\"cdSECRET", "user": "bob"})") ==
          R"({"password": "<redacted>", "user": "bob"})");
    CHECK(redact_secrets(R"({"password": "ab\\", "user": "bob"})") == R"({"password": "<redacted>", "user": "bob"})");
    CHECK(redact_secrets("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG") == "aws_secret_access_key = <redacted>");
    CHECK(redact_secrets(R"("password":"")") == R"("password":"")"); // nothing to mask
    // RunPod's own 401 detail is prose, not a token.
    CHECK(redact_secrets("missing bearer token") == "missing bearer token");
    CHECK(redact_secrets("Bearer abcdefghijklmnopqrstuvwxyz") == "Bearer <redacted>");
    CHECK(redact_secrets("no secrets here: 42 GPUs") == "no secrets here: 42 GPUs");
}

TEST_CASE("choose_cloud_or_local shows the provider's price range and billing")
{
    auto const t = pricing_table::builtin();
    auto const html = choose_cloud_or_local(format::html, t, "runpod");
    CHECK_THAT(html, Contains("<b>Cloud</b>: RunPod GPU Pods. $0.27 - $3.99 per hour (billed per second)."));
    CHECK_THAT(html, Contains("<b>Local</b>"));
    CHECK(only_safe_markup(html));

    auto const plain = choose_cloud_or_local(format::plain, t, "aws");
    CHECK_THAT(plain, Contains("Cloud: AWS EC2 GPU instances. $0.53 - $32.77 per hour (billed per second, 1 minute minimum)."));
    CHECK(plain.find('<') == std::string::npos);

    CHECK_THAT(choose_cloud_or_local(format::plain, t, "gcp"), Contains("no prices are known"));
}

TEST_CASE("gpu_selection shows the recommendation, its reason and every option")
{
    auto const t = pricing_table::builtin();
    recommendation rec{*t.find("runpod", "NVIDIA RTX A5000"), 2, std::string("tiny ") + std::string(hostile)};
    auto const options = t.offers("runpod");

    auto const html = gpu_selection(format::html, rec, options);
    CHECK_THAT(html, StartsWith("\xF0\x9F\x8E\xAF <b>Recommended GPU: RTX A5000</b>\n24 GB VRAM, $0.27/h (billed per second)"));
    CHECK_THAT(html, Contains("Why: <i>tiny " + std::string(hostile_escaped) + "</i>"));
    CHECK_THAT(html, Contains("\xE2\x80\xA2 RTX A5000: 24 GB, $0.27/h \xE2\xAD\x90 recommended\n"));
    CHECK_THAT(html, Contains("\xE2\x80\xA2 H100 SXM: 80 GB, $3.99/h\n"));
    CHECK_THAT(html, Contains("Accept the recommendation or choose another GPU."));
    CHECK(only_safe_markup(html));

    auto const plain = gpu_selection(format::plain, rec, options);
    CHECK_THAT(plain, Contains("Why: tiny " + std::string(hostile)));
    CHECK(std::count(plain.begin(), plain.end(), '\n') >= static_cast<long>(options.size()) + 4);
}

TEST_CASE("launch_confirmation: GPU, estimate, and each provider's interruption warning")
{
    auto const t = pricing_table::builtin();
    launch_summary runpod{*t.find("runpod", "NVIDIA RTX A5000"), mlcloud::market::on_demand, 1h, "iris.csv"};
    auto const on_demand = launch_confirmation(format::plain, runpod);
    CHECK_THAT(on_demand, Contains("GPU: RTX A5000, 24 GB VRAM, on RunPod (secure cloud)"));
    CHECK_THAT(on_demand, Contains("Dataset: iris.csv"));
    CHECK_THAT(on_demand, Contains("Estimated cost: $0.27 for about 1h 00m"));
    CHECK_THAT(on_demand, Contains("Launch the pod?"));
    CHECK(on_demand.find("reclaim") == std::string::npos);

    runpod.market = mlcloud::market::spot;
    runpod.dataset = hostile;
    auto const community = launch_confirmation(format::html, runpod);
    CHECK_THAT(community, Contains("(community cloud)"));
    CHECK_THAT(community, Contains("Price: $0.16/h, billed per second"));
    CHECK_THAT(community, Contains("RunPod may reclaim GPU"));
    CHECK_THAT(community, Contains("Dataset: " + std::string(hostile_escaped)));
    CHECK(only_safe_markup(community));

    launch_summary aws{*t.find("aws", "g5.xlarge"), mlcloud::market::spot, 30s, "s3://b/iris.csv"};
    auto const spot = launch_confirmation(format::plain, aws);
    CHECK_THAT(spot, Contains("GPU: g5.xlarge (A10G), 24 GB VRAM, on AWS (spot)"));
    CHECK_THAT(spot, Contains("Estimated cost: $0.02 for about 30s")); // the 60 s minimum
    CHECK_THAT(spot, Contains("the spot price is lower"));
    CHECK_THAT(spot, Contains("Spot instance: AWS can interrupt it"));
    CHECK_THAT(spot, Contains("Launch the instance?"));

    launch_summary two{*t.find("runpod", "NVIDIA A40"), mlcloud::market::on_demand, 1h, "d.csv", 2};
    CHECK_THAT(launch_confirmation(format::plain, two), Contains("GPU: 2 x A40, 48 GB VRAM"));
    CHECK_THAT(launch_confirmation(format::plain, two), Contains("Estimated cost: $0.88"));
    CHECK_THAT(launch_confirmation(format::plain, two), Contains("Price: $0.88/h for 2 ($0.44/h per GPU)"));
}

TEST_CASE("training_launched uses each provider's own words")
{
    auto const rp = training_launched(format::html, job("runpod", "abc123xyz"));
    CHECK_THAT(rp, Contains("Pod ID: <code>abc123xyz</code>"));
    CHECK_THAT(rp, Contains("GPU: NVIDIA RTX A5000"));
    CHECK_THAT(rp, Contains("Price: $0.27/h (secure cloud)"));
    CHECK_THAT(rp, Contains("The pod is starting"));

    auto aws_job = job("aws", "i-0abc");
    aws_job.compute = {"g5.xlarge", 1};
    aws_job.market = mlcloud::market::spot;
    auto const aws = training_launched(format::plain, aws_job);
    CHECK_THAT(aws, Contains("Instance ID: i-0abc"));
    CHECK_THAT(aws, Contains("Instance type: g5.xlarge"));
    CHECK_THAT(aws, Contains("(spot)"));
    CHECK_THAT(aws, Contains("The instance is starting"));
    aws_job.compute = {"g5.12xlarge", 4};
    CHECK_THAT(training_launched(format::plain, aws_job), Contains("Instance type: g5.12xlarge (4 GPUs)"));

    auto local = job("local", std::string(hostile));
    local.price_per_hour = 0;
    auto const l = training_launched(format::html, local);
    CHECK_THAT(l, Contains("Job ID: <code>" + std::string(hostile_escaped) + "</code>"));
    CHECK(l.find("GPU") == std::string::npos);
    CHECK_THAT(l, Contains("on this machine"));
    CHECK(only_safe_markup(l));
}

TEST_CASE("log_view keeps the newest lines within the budget")
{
    std::vector<std::string> lines;
    for (int i = 1; i <= 500; ++i)
        lines.push_back("epoch " + std::to_string(i) + "/500 loss=0.1234 <val>");

    for (auto f : {format::html, format::plain})
    {
        for (std::size_t budget : {100u, 300u, 1000u, 3500u})
        {
            CAPTURE(f == format::html, budget);
            auto const view = log_view(f, lines, {.budget = budget});
            CHECK(view.size() <= budget);
            auto const newest = f == format::html ? "epoch 500/500 loss=0.1234 &lt;val&gt;" : "epoch 500/500 loss=0.1234 <val>";
            CHECK_THAT(view, Contains(newest));
            CHECK_THAT(view, Contains("(last "));
            CHECK(view.find("epoch 1/500") == std::string::npos);
            if (f == format::html)
            {
                CHECK_THAT(view, Catch::EndsWith("</pre>"));
                CHECK(only_safe_markup(view));
            }
        }
    }
    // The lines shown are consecutive and end with the last one.
    auto const view = log_view(format::plain, lines, {.budget = 400});
    auto const shown = std::count(view.begin(), view.end(), '\n');
    CHECK_THAT(view, Contains("(last " + std::to_string(shown) + " of 500 lines)"));
    CHECK_THAT(view, Contains("epoch " + std::to_string(500 - shown + 1) + "/500"));
}

TEST_CASE("log_view: everything that fits, progress bars, ANSI colours, one huge line, no lines")
{
    std::vector<std::string> const few{"starting", "10%\r55%\r100%", "\x1b[32m\xE2\x9C\x85 Model saved successfully!\x1b[0m"};
    auto const html = log_view(format::html, few);
    CHECK(html == "\xF0\x9F\x93\x8B <b>Training logs</b> (3 lines)\n<pre>starting\n100%\n"
                  "\xE2\x9C\x85 Model saved successfully!</pre>");
    auto const plain = log_view(format::plain, few, {.title = "Logs"});
    CHECK(plain == "\xF0\x9F\x93\x8B Logs (3 lines)\nstarting\n100%\n\xE2\x9C\x85 Model saved successfully!");

    // A single line longer than the budget: its end is shown, cut on a character boundary.
    std::string huge;
    for (int i = 0; i < 400; ++i)
        huge += "\xC3\xA9<&";
    huge += "END";
    std::vector<std::string> const one{huge};
    for (auto f : {format::html, format::plain})
    {
        auto const view = log_view(f, one, {.budget = 200});
        CHECK(view.size() <= 200);
        CHECK_THAT(view, Contains("\xE2\x80\xA6"));
        CHECK_THAT(view, Contains("END"));
        CHECK(clean_text(view) == view); // still valid UTF-8
        if (f == format::html)
            CHECK(only_safe_markup(view));
    }

    CHECK(log_view(format::plain, {}) == "\xF0\x9F\x93\x8B Training logs\nNo log lines yet.");
    CHECK(log_view(format::html, std::vector<std::string>{"<script>"}) ==
          "\xF0\x9F\x93\x8B <b>Training logs</b> (1 line)\n<pre>&lt;script&gt;</pre>");
}

TEST_CASE("training_completed: cost summary, model location and metrics")
{
    completion_summary done;
    done.job = job("runpod", "pod-1");
    done.cost = {0.0189, 252s, "252 s at $0.27/h secure cloud, billed per second"};
    done.duration = 252s;
    done.model = mlcloud::storage_uri::runpod_volume("EU-RO-1", "vol1", "models/<m>.json");
    done.metrics = {{"val_accuracy", "0.9667"}, {"val_loss", "0.1702"}};

    auto const html = training_completed(format::html, done);
    CHECK_THAT(html, Contains("<b>Training complete!</b>"));
    CHECK_THAT(html, Contains("Pod ID: <code>pod-1</code>"));
    CHECK_THAT(html, Contains("Duration: 4m 12s"));
    CHECK_THAT(html, Contains("Cost: <b>$0.02</b> (252 s at $0.27/h secure cloud, billed per second)"));
    CHECK_THAT(html, Contains("Model: <code>runpod://EU-RO-1/vol1/models/&lt;m&gt;.json</code>"));
    CHECK_THAT(html, Contains("Metrics: val_accuracy 0.9667, val_loss 0.1702"));
    CHECK(only_safe_markup(html));

    done.model.reset();
    done.metrics.clear();
    auto const plain = training_completed(format::plain, done);
    CHECK_THAT(plain, Contains("Cost: $0.02 (252 s"));
    CHECK(plain.find("Model:") == std::string::npos);
    CHECK(plain.find('<') == std::string::npos);

    done.cost = {0.0, 0s, "no price is known for GPU NVIDIA B300", false};
    CHECK_THAT(training_completed(format::plain, done), Contains("Cost: unknown (no price is known for GPU NVIDIA B300)"));
}

TEST_CASE("prediction_ready: request id, rows, cost")
{
    mlcloud::prediction_result r;
    r.request_id = "runpod-<1>";
    r.cost = {0.0000174, 2s, "2 s at $0.00019/s (AMPERE_24 flex workers), rounded up to the second"};
    r.duration = 1234ms;
    auto const html = prediction_ready(format::html, r, 9);
    CHECK_THAT(html, Contains("Request ID: <code>runpod-&lt;1&gt;</code>"));
    CHECK_THAT(html, Contains("Rows: 9"));
    CHECK_THAT(html, Contains("Cost: <b>$0.000017</b> (2 s at $0.00019/s"));
    CHECK_THAT(html, Contains("Time: 1.2 s"));
    CHECK(only_safe_markup(html));
    CHECK_THAT(prediction_ready(format::plain, r, 9), Contains("Request ID: runpod-<1>"));

    r.cost = {0.0, 0s, "no serverless rate for pool BLACKWELL_180", false};
    CHECK_THAT(prediction_ready(format::plain, r, 9), Contains("Cost: unknown (no serverless rate for pool BLACKWELL_180)"));
}

TEST_CASE("gpu_price_list: /gpus in HTML and an aligned table for the terminal")
{
    auto t = pricing_table::builtin();
    auto const html = gpu_price_list(format::html, t);
    CHECK_THAT(html, Contains("<b>RunPod</b> (billed per second)"));
    CHECK_THAT(html, Contains("\xE2\x80\xA2 RTX A5000, 24 GB: $0.27/h (community $0.16/h)"));
    CHECK_THAT(html, Contains("<b>AWS</b> (billed per second, 1 minute minimum)"));
    CHECK_THAT(html, Contains("\xE2\x80\xA2 p4d.24xlarge (8x A100 40GB), 8 x 40 GB: $32.7726/h*"));
    CHECK_THAT(html, Contains("* uncertain price."));
    CHECK(html.find("$0.29") == std::string::npos); // reference rows are not offered
    CHECK(only_safe_markup(html));

    auto const runpod_only = gpu_price_list(format::html, t, "runpod");
    CHECK(runpod_only.find("AWS") == std::string::npos);

    auto const plain = gpu_price_list(format::plain, t, "aws");
    CHECK_THAT(plain, Contains("PROVIDER  ID            GPU"));
    // Columns line up: every data row has its on-demand price at the header's column.
    auto const header_at = plain.find("PROVIDER");
    auto const header_end = plain.find('\n', header_at);
    auto const price_col = plain.substr(header_at, header_end - header_at).find("ON-DEMAND");
    auto const g5 = plain.find("aws       g5.xlarge");
    REQUIRE(g5 != std::string::npos);
    CHECK(plain.substr(g5 + price_col, 9) == "$1.006/h ");
    CHECK_THAT(plain, Contains("AWS: billed per second, 1 minute minimum."));
    CHECK_THAT(plain, Contains("Prices as of 2025-06-01 to 2025-06-01"));

    // Rows from an override file are escaped like anything else.
    REQUIRE(t.apply_overrides(R"({"rows": [{"provider": "runpod", "id": "<x>", "display_name": "<script>",
                                            "vram_gb": 1, "on_demand_usd_per_hour": 9}]})")
                .has_value());
    auto const overridden = gpu_price_list(format::html, t, "runpod");
    CHECK_THAT(overridden, Contains("&lt;script&gt;, 1 GB: $9.00/h"));
    CHECK(only_safe_markup(overridden));
}

TEST_CASE("error_message: people's words per code, provider details escaped, credentials masked")
{
    mlcloud::error e(mlcloud::errc::capacity, "no instances <available> for key rpa_SECRETSECRET123");
    e.with_provider("runpod").with_operation("POST /v2/pods").with_http(400, "req-9");
    auto const html = error_message(format::html, e);
    CHECK_THAT(html, StartsWith("\xE2\x9D\x8C <b>No GPU of this type is available right now.</b>\n"
                                "Choose another GPU or try again in a few minutes.\n\n"));
    CHECK_THAT(html, Contains("<i>runpod POST /v2/pods: no instances &lt;available&gt; for key &lt;redacted&gt; "
                              "(no capacity available; HTTP 400; request id req-9)</i>"));
    CHECK(html.find("SECRET") == std::string::npos);
    CHECK(only_safe_markup(html));

    mlcloud::error auth(mlcloud::errc::unauthorized, "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/x, Signature=abc");
    auto const plain = error_message(format::plain, auth);
    CHECK_THAT(plain, StartsWith("\xE2\x9D\x8C The cloud provider rejected the credentials.\n"));
    CHECK(plain.find("AKIA") == std::string::npos);
    CHECK(plain.find("abc") == std::string::npos);

    for (int code = 1; code <= static_cast<int>(mlcloud::errc::cancelled); ++code)
    {
        auto const m = error_message(format::plain, mlcloud::error(static_cast<mlcloud::errc>(code)));
        CAPTURE(code, m);
        CHECK(m.find("Something went wrong") == std::string::npos); // every code has its own words
    }
    auto const foreign = error_message(format::plain, mlcloud::error(make_error_code(boost::system::errc::io_error)));
    CHECK_THAT(foreign, StartsWith("\xE2\x9D\x8C Something went wrong."));
}

TEST_CASE("budget and limit notices")
{
    auto const warn = budget_notice(format::plain, {.spent_usd = 4.2, .limit_usd = 5.0});
    CHECK(warn == "\xF0\x9F\x92\xB0 Budget notice\n$4.20 of your $5.00 limit for this month is spent (84%).");

    auto const reached = budget_notice(format::html, {.spent_usd = 5.2, .limit_usd = 5.0, .period = "<today>", .jobs_stopped = true});
    CHECK_THAT(reached, StartsWith("\xE2\x9B\x94 <b>Budget limit reached</b>\n$5.20 of your $5.00 limit for &lt;today&gt; is spent."));
    CHECK_THAT(reached, Contains("New launches are blocked"));
    CHECK_THAT(reached, Contains("Running jobs were stopped"));
    CHECK(only_safe_markup(reached));

    auto const limit = runtime_limit_notice(format::html, job("aws", "i-1"), 4h);
    CHECK_THAT(limit, Contains("The instance <code>i-1</code> ran for its maximum of 4h 00m and was stopped"));
    CHECK_THAT(runtime_limit_notice(format::plain, job("runpod", "p"), 90s), Contains("The pod p ran for its maximum of 1m 30s"));
}

TEST_CASE("provider words")
{
    CHECK(job_id_label("runpod") == "Pod ID");
    CHECK(job_id_label("aws") == "Instance ID");
    CHECK(job_id_label("local") == "Job ID");
    CHECK(job_id_label("mine") == "Job ID");
    CHECK(machine_noun("aws") == "instance");
    CHECK(provider_title("runpod") == "RunPod");
    CHECK(provider_title("mine") == "mine");
}

// Found by tests/fuzz (redact): a token inside a Bot API URL (".../bot<token>/...") was left
// as it was, because its digits follow "bot" and are not at a word boundary.
TEST_CASE("fuzz regression: redact_secrets masks a Telegram token inside a Bot API URL", "[messages][fuzz]")
{
    std::string const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    auto const out = redact_secrets("POST https://api.telegram.org/bot" + token + "/sendMessage failed");
    CHECK(out.find("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") == std::string::npos);
    CHECK(out.find("https://api.telegram.org/bot") != std::string::npos);
    CHECK(redact_secrets("robot 12345 ran") == "robot 12345 ran");
}

// Found by tests/fuzz (redact): shapes whose secret redact_secrets left in place.
TEST_CASE("fuzz regressions: redact_secrets on tangled input", "[messages][fuzz]")
{
    std::string const secret = "FUZZSECRET-9f8e7d6c5b4a_3210fedcba98";
    CHECK(redact_secrets("x Bearer Bearer " + secret + " y").find(secret) == std::string::npos);
    CHECK(redact_secrets("Bearer bot987654321:" + secret).find(secret) == std::string::npos);
    CHECK(redact_secrets(";-Amz-Signature= Bearer " + secret).find(secret) == std::string::npos);
    CHECK(redact_secrets("Bearer abc.def") == "Bearer <redacted>");
    // Keys before a secret of another shape are walked through, however many (only one was,
    // and "Bearer" alone was masked, not the token after it).
    CHECK(redact_secrets("-Signature=token= Bearer abc.DEF-123 x") == "-Signature=token= Bearer <redacted> x");
    CHECK(redact_secrets("signature=token=secret=abc") == "signature=token=secret=<redacted>");
}
