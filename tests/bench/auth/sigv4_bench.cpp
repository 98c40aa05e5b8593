//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// SigV4 header signatures per second for a typical S3 PUT (streamed body, UNSIGNED-PAYLOAD,
// four headers), mlcloud against botocore's S3SigV4Auth.add_auth in the same run.
//
//   bench_sigv4 [seconds-per-loop=1] [loops=5]
//
// Both sides first sign the request at a fixed instant and must produce the same
// Authorization value; then each is timed in `loops` loops of about `seconds` of thread CPU
// time, signing with the current time (as a retry does), and the best and median rates are
// printed, per second of CPU time.
#include <mlcloud/auth/sigv4.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <time.h>

using namespace mlcloud::auth;

namespace {

sigv4::request s3_put()
{
    sigv4::request r;
    r.method = "PUT";
    r.host = "my-bucket.s3.us-east-1.amazonaws.com";
    r.path = "/datasets/train set/part-0001.csv";
    r.headers = {{"Content-Type", "text/csv"},
                 {"Content-Length", "1048576"},
                 {"x-amz-storage-class", "STANDARD"},
                 {"x-amz-meta-job", "job-1234"}};
    r.payload_hash = std::string(sigv4::unsigned_payload);
    return r;
}

aws_credentials example_credentials()
{
    aws_credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = secret_string("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    return c;
}

// CPU time of this thread: the machines these run on are shared, and time spent descheduled
// is not time spent signing. On an idle machine it equals wall-clock time.
double thread_cpu_seconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <class F>
double rate(F&& f, double seconds)
{
    std::size_t n = 0;
    double const start = thread_cpu_seconds();
    std::size_t sink = 0;
    while (true)
    {
        for (int i = 0; i < 1000; ++i)
            sink += f();
        n += 1000;
        double const now = thread_cpu_seconds();
        if (now - start >= seconds)
        {
            if (sink == 0)
                std::cerr << "";
            return static_cast<double>(n) / (now - start);
        }
    }
}

struct rates
{
    double best = 0;
    double median = 0;
};

template <class F>
rates measure(F&& f, double seconds, int loops)
{
    std::vector<double> r;
    for (int i = 0; i < loops; ++i)
        r.push_back(rate(f, seconds));
    std::sort(r.begin(), r.end());
    return {r.back(), r[r.size() / 2]};
}

std::string run_botocore(double seconds, int loops)
{
    std::string const cmd = std::string("'") + MLCLOUD_PYTHON_EXECUTABLE + "' '" + MLCLOUD_BOTOCORE_BENCH + "' " +
                            std::to_string(seconds) + " " + std::to_string(loops);
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe)
        return {};
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get()))
        out.append(buf.data(), n);
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    double const seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
    int const loops = argc > 2 ? std::atoi(argv[2]) : 5;

    sigv4::signer const signer({.region = "us-east-1", .service = "s3"});
    auto const creds = example_credentials();
    auto const req = s3_put();

    using namespace std::chrono;
    auto const fixed = sys_days{year{2015} / 8 / 30} + hours{12} + minutes{36};
    auto const reference = signer.sign(req, creds, fixed);
    if (!reference)
    {
        std::cerr << "signing failed: " << reference.error().what() << '\n';
        return 1;
    }

    rates const header = measure([&] { return signer.sign(req, creds)->headers.size(); }, seconds, loops);
    sigv4::header_signature reused;
    rates const header_into = measure(
        [&] {
            (void)signer.sign_into(req, creds, reused);
            return reused.headers.size();
        },
        seconds, loops);
    rates const presign = measure(
        [&] { return signer.presign(req, creds, std::chrono::hours(1))->url.size(); }, seconds, loops);

    std::cout << "SigV4, typical S3 PUT (UNSIGNED-PAYLOAD, 4 headers), " << loops << " loops of " << seconds
              << " CPU-s, best / median per CPU-second:\n";
    std::printf("  mlcloud  header signing : %10.0f / %10.0f signatures/s  (%.2f us each)\n", header.best,
                header.median, 1e6 / header.median);
    std::printf("  mlcloud  sign_into      : %10.0f / %10.0f signatures/s  (%.2f us each; buffers reused)\n",
                header_into.best, header_into.median, 1e6 / header_into.median);
    std::printf("  mlcloud  presigning     : %10.0f / %10.0f URLs/s\n", presign.best, presign.median);

    std::string const py = run_botocore(seconds, loops);
    boost::system::error_code ec;
    auto const parsed = boost::json::parse(py, ec);
    if (ec || !parsed.is_object())
    {
        std::cout << "  botocore: not measured (could not run " << MLCLOUD_BOTOCORE_BENCH << ")\n";
        return 0;
    }
    auto const& o = parsed.as_object();
    bool const same = std::string_view(o.at("authorization_fixed").as_string()) == reference->authorization();
    double const b_header = o.at("header_median").to_number<double>();
    double const b_presign = o.at("presign_median").to_number<double>();
    std::printf("  botocore header signing : %10.0f / %10.0f signatures/s  (%.2f us each; botocore %s, Python %s)\n",
                o.at("header_best").to_number<double>(), b_header, 1e6 / b_header,
                std::string(o.at("botocore").as_string()).c_str(), std::string(o.at("python").as_string()).c_str());
    std::printf("  botocore presigning     : %10.0f / %10.0f URLs/s (includes building the AWSRequest it rewrites)\n",
                o.at("presign_best").to_number<double>(), b_presign);
    std::printf("  same Authorization at a fixed instant: %s\n", same ? "yes" : "NO");
    std::printf("  ratio (medians): header signing %.1fx (sign), %.1fx (sign_into); presigning %.1fx\n",
                header.median / b_header, header_into.median / b_header, presign.median / b_presign);
    // For tests/bench/run.sh's table.
    std::printf("RESULT|SigV4 header signatures/s, S3 PUT (sign)|%.0f|%.0f|%.1fx|>= 50x\n", header.median, b_header,
                header.median / b_header);
    std::printf("RESULT|SigV4 header signatures/s, S3 PUT (sign_into, buffers reused)|%.0f|%.0f|%.1fx|>= 50x\n",
                header_into.median, b_header, header_into.median / b_header);
    return same ? 0 : 2;
}
