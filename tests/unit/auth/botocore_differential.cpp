//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Differential test: seeded random requests signed by mlcloud and by botocore
// (botocore_oracle.py) must give identical signatures.
//
// botocore's own quirks are avoided in the generator, never by loosening the comparison:
//  - presigning drops a "content-type: application/x-www-form-urlencoded; charset=utf-8"
//    header (SigV4QueryAuth) -> that exact value is only generated for header signing;
//  - presigning parses the query into a dict (repeated names collapse to one) and moves a body
//    into the query -> presigned requests have unique query names and no body;
//  - a Date header makes botocore sign Date instead of X-Amz-Date -> no Date header;
//  - S3SigV4Auth recomputes x-amz-content-sha256, and the presigners keep (and sign) a
//    caller's X-Amz-Security-Token, X-Amz-Date and Authorization headers -> none of these
//    is generated where that applies;
//  - urllib decodes the query as UTF-8 -> paths and query strings are valid UTF-8.
#include <mlcloud/auth/sigv4.hpp>

#include <catch2/catch.hpp>

#include "auth_test_util.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <iostream>
#include <random>

using namespace mlcloud::auth;
using namespace mlcloud::auth::sigv4;

namespace {

enum class mode
{
    header,
    presign
};

struct generated
{
    signer_options options;
    request req;
    std::string body; // req.body views this
    aws_credentials creds;
    std::chrono::system_clock::time_point when;
    std::chrono::seconds expires{0};
    bool s3 = false;
    bool unsigned_payload = false;
};

std::string hex(std::string_view s)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s)
    {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

class generator
{
public:
    explicit generator(std::uint64_t seed) : rng_(seed) {}

    generated make(mode m, int index)
    {
        generated g;
        g.s3 = coin(0.5);
        g.options.service = g.s3 ? "s3" : pick({"ec2", "lambda", "logs", "service", "execute-api", "sts"});
        g.options.region = pick({"us-east-1", "eu-west-3", "ap-southeast-2", "EU-RO-1", "us-gov-west-1"});

        request& r = g.req;
        r.method = pick({"GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "get", "Post"});
        r.scheme = coin(0.8) ? "https" : "http";
        r.host = make_host(r.scheme);
        r.path = make_path();
        make_query(r, m);
        make_headers(g, m, index);

        if (m == mode::header && coin(0.4))
        {
            std::size_t const n = uniform(1, 200);
            for (std::size_t i = 0; i < n; ++i)
                g.body += static_cast<char>(uniform(0, 255));
        }
        r.body = g.body;
        if (m == mode::header && g.s3)
        {
            if (coin(0.3))
            {
                g.unsigned_payload = true;
                r.payload_hash = std::string(unsigned_payload);
            }
            else if (coin(0.3))
            {
                r.payload_hash = hash_payload(g.body);
            }
        }

        g.creds.access_key_id = "AKIA" + random_string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
        g.creds.secret_access_key = secret_string(random_string(base64_chars, 40));
        if (coin(0.3))
            g.creds.session_token = secret_string(random_string(base64_chars, uniform(20, 400)));
        g.when = auth_test::utc(static_cast<int>(uniform(2000, 2099)), static_cast<unsigned>(uniform(1, 12)),
                                static_cast<unsigned>(uniform(1, 28)), static_cast<int>(uniform(0, 23)),
                                static_cast<int>(uniform(0, 59)), static_cast<int>(uniform(0, 59)));
        if (m == mode::presign)
            g.expires = std::chrono::seconds(coin(0.1) ? 604800 : uniform(1, 604800));
        return g;
    }

private:
    static constexpr std::string_view base64_chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

    std::size_t uniform(std::size_t lo, std::size_t hi)
    {
        return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_);
    }
    bool coin(double p) { return std::bernoulli_distribution(p)(rng_); }
    std::string pick(std::initializer_list<char const*> options)
    {
        return *(options.begin() + uniform(0, options.size() - 1));
    }
    std::string random_string(std::string_view alphabet, std::size_t n)
    {
        std::string s;
        for (std::size_t i = 0; i < n; ++i)
            s += alphabet[uniform(0, alphabet.size() - 1)];
        return s;
    }

    // Printable text with the characters that encoding gets wrong most often.
    std::string text(std::size_t max_pieces)
    {
        static constexpr char const* pieces[] = {
            "a", "Z", "0", "-", "_", ".", "~", " ", "  ", "+", "%", "%20", "!", "$", "&", "'", "(", ")", "*",
            ",", ";", "=", ":", "@", "[", "]", "#", "?", "\"", "<", ">", "^", "`", "{", "|", "}", "\\",
            "é", "ü", "ß", "ሴ", "日本", "😀", "data", "file.csv", "x=y", "a&b",
        };
        std::string s;
        std::size_t const n = uniform(0, max_pieces);
        for (std::size_t i = 0; i < n; ++i)
            s += pieces[uniform(0, std::size(pieces) - 1)];
        return s;
    }

    std::string make_host(std::string const& scheme)
    {
        std::string host = pick({"examplebucket.s3.amazonaws.com", "s3.us-east-1.amazonaws.com",
                                 "Example.AmazonAWS.com", "lambda.eu-west-3.amazonaws.com", "127.0.0.1",
                                 "localhost", "[::1]", "s3api-eu-ro-1.runpod.io"});
        switch (uniform(0, 3))
        {
        case 0: host += scheme == "https" ? ":443" : ":80"; break;
        case 1: host += pick({":5055", ":9000", ":8443", ":80", ":443"}); break;
        default: break;
        }
        return host;
    }

    std::string make_path()
    {
        std::string p;
        std::size_t const segments = uniform(0, 5);
        for (std::size_t i = 0; i < segments; ++i)
        {
            p += '/';
            switch (uniform(0, 9))
            {
            case 0: p += "."; break;
            case 1: p += ".."; break;
            case 2: break; // empty segment: "//"
            default: p += text(4); break;
            }
        }
        if (p.empty() || coin(0.2))
            p += '/';
        return p;
    }

    void make_query(request& r, mode m)
    {
        static constexpr char const* names[] = {
            "prefix", "max-keys", "list-type", "uploads", "partNumber", "uploadId", "X-Custom",
            "a b", "ü", "", "key+plus", "Action", "Version", "continuation-token", "delimiter",
        };
        std::size_t const n = uniform(0, 5);
        std::vector<std::string> used;
        for (std::size_t i = 0; i < n; ++i)
        {
            std::string name = names[uniform(0, std::size(names) - 1)];
            if (m == mode::header && coin(0.1))
                name = text(3);
            bool const repeated = std::find(used.begin(), used.end(), name) != used.end();
            if (m == mode::presign && (repeated || name.empty()))
                continue; // botocore's presigner keeps one value per name
            used.push_back(name);
            r.query.push_back({name, coin(0.3) ? std::string() : text(5)});
        }
    }

    std::string header_value()
    {
        static constexpr char const* pieces[] = {
            "value", "a", "b", " ", "   ", "\t", " \t ", "x=y", "bytes=0-99", "text/plain", ";", "\"quoted\"",
            ",", "1", "UPPER", "/", "+",
        };
        std::string v;
        std::size_t const n = uniform(0, 6);
        for (std::size_t i = 0; i < n; ++i)
            v += pieces[uniform(0, std::size(pieces) - 1)];
        return v;
    }

    std::string random_case(std::string name)
    {
        for (char& c : name)
            if (coin(0.3))
                c = static_cast<char>(std::islower(static_cast<unsigned char>(c)) ? std::toupper(static_cast<unsigned char>(c))
                                                                                   : std::tolower(static_cast<unsigned char>(c)));
        return name;
    }

    void make_headers(generated& g, mode m, int index)
    {
        request& r = g.req;
        std::size_t const n = uniform(0, 6);
        for (std::size_t i = 0; i < n; ++i)
        {
            switch (uniform(0, 13))
            {
            case 0:
                if (m == mode::header && coin(0.5))
                    r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
                else
                    r.headers.push_back({"Content-Type", pick({"application/json", "text/csv; charset=utf-8",
                                                               "application/x-www-form-urlencoded"})});
                break;
            case 1: r.headers.push_back({"Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="}); break;
            case 2: r.headers.push_back({"Range", "bytes=" + std::to_string(uniform(0, 99)) + "-"}); break;
            case 3: r.headers.push_back({"x-amz-meta-" + random_case("job"), header_value()}); break;
            case 4: r.headers.push_back({"X-Amz-Storage-Class", "STANDARD"}); break;
            case 5: r.headers.push_back({"My-Header", header_value()}); break;
            case 6: r.headers.push_back({"X-Amz-Target", "Logs_20140328.GetLogEvents"}); break;
            case 7: r.headers.push_back({pick({"User-Agent", "Expect", "X-Amzn-Trace-Id", "Connection"}), header_value()}); break;
            case 8: // stale, replaced by both when signing headers
                if (m == mode::header)
                    r.headers.push_back({"X-Amz-Date", "19990101T000000Z"});
                break;
            case 9:
                if (m == mode::header)
                    r.headers.push_back({"Authorization", "stale"});
                break;
            case 10:
                // The same name again, in another case: a multi-value header.
                if (!r.headers.empty())
                {
                    std::string name = r.headers[uniform(0, r.headers.size() - 1)].name;
                    if (name != "Host") // a second Host header is refused (and botocore would join them)
                        r.headers.push_back({random_case(std::move(name)), header_value()});
                }
                break;
            case 11:
                if (!g.s3)
                    r.headers.push_back({"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"});
                break;
            case 12:
                if (m == mode::header && coin(0.5))
                    r.headers.push_back({"X-Amz-Security-Token", "stale"});
                break;
            default:
                if (index % 20 == 0 && std::none_of(r.headers.begin(), r.headers.end(),
                                                    [](header const& x) { return x.name == "Host"; }))
                {
                    auto h = host_header(r.scheme, r.host);
                    r.headers.push_back({"Host", "  " + *h + " "});
                }
                break;
            }
        }
        for (auto& h : r.headers)
            h.name = random_case(h.name);
    }

    std::mt19937_64 rng_;
};

boost::json::object to_json(generated const& g, mode m, int id)
{
    boost::json::object o;
    o["id"] = id;
    o["mode"] = m == mode::header ? "header" : "presign";
    o["service"] = g.options.service;
    o["region"] = g.options.region;
    o["s3"] = g.s3;
    o["method"] = g.req.method;
    o["scheme"] = g.req.scheme;
    o["host"] = g.req.host;
    o["path_hex"] = hex(g.req.path);
    boost::json::array q;
    for (auto const& p : g.req.query)
        q.push_back(boost::json::array{hex(p.name), hex(p.value)});
    o["query"] = std::move(q);
    boost::json::array h;
    for (auto const& x : g.req.headers)
        h.push_back(boost::json::array{x.name, x.value});
    o["headers"] = std::move(h);
    o["body_hex"] = hex(g.body);
    o["unsigned_payload"] = g.unsigned_payload;
    o["access_key"] = g.creds.access_key_id;
    o["secret_key"] = std::string(g.creds.secret_access_key.reveal());
    if (g.creds.has_session_token())
        o["token"] = std::string(g.creds.session_token.reveal());
    else
        o["token"] = nullptr;
    o["timestamp"] = format_amz_date(g.when);
    o["expires"] = g.expires.count();
    return o;
}

std::string env_or(char const* name, std::string fallback)
{
    if (char const* v = std::getenv(name); v && *v)
        return v;
    return fallback;
}

std::string quoted(std::string const& s) { return "'" + s + "'"; }

// Runs the oracle; nothing when the test must be skipped.
std::optional<boost::json::array> run_oracle(boost::json::array cases, auth_test::temp_dir const& dir)
{
    std::string const python = env_or("MLCLOUD_PYTHON", MLCLOUD_PYTHON_EXECUTABLE);
    std::string const oracle = env_or("MLCLOUD_BOTOCORE_ORACLE", MLCLOUD_BOTOCORE_ORACLE);
    auto const in = dir / "requests.json";
    auto const out = dir / "results.json";
    auto const log = dir / "oracle.log";
    boost::json::object doc;
    doc["cases"] = std::move(cases);
    auth_test::write_file(in, boost::json::serialize(doc));

    std::string const cmd = quoted(python) + " " + quoted(oracle) + " " + quoted(in.string()) + " " +
                            quoted(out.string()) + " > " + quoted(log.string()) + " 2>&1";
    int const status = std::system(cmd.c_str());
    std::string const output = std::filesystem::exists(log) ? auth_test::read_file(log) : std::string();
    if (output.find("MLCLOUD_SKIP:") != std::string::npos)
    {
        std::cout << output << '\n';
        return std::nullopt;
    }
    INFO("oracle command: " << cmd << "\noutput:\n" << output);
    REQUIRE(status == 0);
    return boost::json::parse(auth_test::read_file(out)).as_array();
}

std::vector<std::string> query_pairs(std::string_view url)
{
    std::vector<std::string> pairs;
    auto const q = url.find('?');
    if (q == std::string_view::npos)
        return pairs;
    std::string_view rest = url.substr(q + 1);
    while (!rest.empty())
    {
        auto const amp = rest.find('&');
        pairs.emplace_back(rest.substr(0, amp));
        if (amp == std::string_view::npos)
            break;
        rest.remove_prefix(amp + 1);
    }
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

std::string_view url_path(std::string_view url)
{
    auto const scheme = url.find("://");
    auto const path_at = url.find('/', scheme + 3);
    return url.substr(path_at, url.find('?') - path_at);
}

std::string header_of(boost::json::object const& result, std::string_view name)
{
    for (auto const& h : result.at("headers").as_array())
    {
        auto const& pair = h.as_array();
        std::string const n(pair.at(0).as_string());
        if (n.size() == name.size() &&
            std::equal(n.begin(), n.end(), name.begin(),
                       [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                   std::tolower(static_cast<unsigned char>(b)); }))
            return std::string(pair.at(1).as_string());
    }
    return "<absent>";
}

void run_differential(mode m, std::uint64_t default_seed)
{
    auto const seed = static_cast<std::uint64_t>(std::stoull(env_or("MLCLOUD_DIFFERENTIAL_SEED", std::to_string(default_seed))));
    int const count = std::stoi(env_or("MLCLOUD_DIFFERENTIAL_COUNT", "1000"));
    std::cout << "botocore differential (" << (m == mode::header ? "header" : "presign") << "): " << count
              << " requests, seed " << seed << " (MLCLOUD_DIFFERENTIAL_SEED / _COUNT)\n";

    generator gen(seed);
    std::vector<generated> cases;
    cases.reserve(static_cast<std::size_t>(count));
    boost::json::array json;
    for (int i = 0; i < count; ++i)
    {
        cases.push_back(gen.make(m, i));
        cases.back().req.body = cases.back().body; // re-point the view after the move
        json.push_back(to_json(cases.back(), m, i));
    }

    auth_test::temp_dir dir;
    auto results = run_oracle(std::move(json), dir);
    if (!results)
        return;
    REQUIRE(results->size() == cases.size());

    int agreed = 0;
    for (std::size_t i = 0; i < cases.size(); ++i)
    {
        auto const& g = cases[i];
        auto const& expected = results->at(i).as_object();
        signer const s(g.options);
        std::string const botocore_creq(expected.at("canonical_request").as_string());
        INFO("case " << i << " (seed " << seed << "): " << g.req.method << ' ' << g.req.scheme << "://" << g.req.host
                     << " path=" << hex(g.req.path) << " s3=" << g.s3 << " service=" << g.options.service);
        if (m == mode::header)
        {
            auto sig = s.sign(g.req, g.creds, g.when);
            REQUIRE(sig);
            INFO("mlcloud canonical request:\n" << sig->canonical_request << "\nbotocore canonical request:\n"
                                                << botocore_creq);
            std::string const authorization(expected.at("authorization").as_string());
            CHECK(sig->authorization() == authorization);
            CHECK(sig->canonical_request == botocore_creq);
            CHECK(header_of(expected, "X-Amz-Date") == format_amz_date(g.when));
            if (g.s3)
            {
                std::string mine = "<absent>";
                for (auto const& h : sig->headers)
                    if (h.name == "X-Amz-Content-SHA256")
                        mine = h.value;
                CHECK(header_of(expected, "X-Amz-Content-SHA256") == mine);
            }
            if (sig->authorization() == authorization)
                ++agreed;
        }
        else
        {
            auto url = s.presign(g.req, g.creds, g.expires, g.when);
            REQUIRE(url);
            INFO("mlcloud canonical request:\n" << url->canonical_request << "\nbotocore canonical request:\n"
                                                << botocore_creq);
            std::string const botocore_url(expected.at("url").as_string());
            INFO("mlcloud URL:  " << url->url << "\nbotocore URL: " << botocore_url);
            CHECK(url->canonical_request == botocore_creq);
            CHECK(url_path(url->url) == url_path(botocore_url));
            CHECK(query_pairs(url->url) == query_pairs(botocore_url));
            bool const same = query_pairs(url->url) == query_pairs(botocore_url);
            if (same)
                ++agreed;
        }
    }
    std::cout << "botocore agreed on " << agreed << " of " << cases.size() << " requests\n";
    CHECK(agreed == count);
}

} // namespace

TEST_CASE("sigv4 differential: header signatures agree with botocore", "[.][differential][header]")
{
    run_differential(mode::header, 20260101);
}

TEST_CASE("sigv4 differential: presigned URLs agree with botocore", "[.][differential][presign]")
{
    run_differential(mode::presign, 20260102);
}
