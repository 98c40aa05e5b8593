//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// bench_s3_transfer: one mlcloud S3 transfer against an endpoint, for transfer_bench.py, which
// times it and reads its peak RSS from the kernel (wait4), as it does for aws s3 cp and curl.
//
//     bench_s3_transfer upload   <endpoint> <file> <bucket> <key>
//     bench_s3_transfer download <endpoint> <bucket> <key> <file>
//
// Defaults are s3_client's (8 MiB parts, 8 in flight, payload signed, 8 MiB ranges, 4 in
// flight); MLCLOUD_BENCH_PART_MB, MLCLOUD_BENCH_CONCURRENCY (parts),
// MLCLOUD_BENCH_DOWNLOAD_CONCURRENCY (ranges) and MLCLOUD_BENCH_UNSIGNED=1 change them;
// MLCLOUD_BENCH_BUFFERED=1 reads parts through the transport's buffer instead of sendfile.
// Prints "<bytes> <seconds> <etag>" on success.

#include <mlcloud/aws/s3_client.hpp>
#include <mlcloud/blocking.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

std::uint64_t env_or(char const* name, std::uint64_t fallback)
{
    char const* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

int usage()
{
    std::cerr << "usage: bench_s3_transfer upload <endpoint> <file> <bucket> <key>\n"
                 "       bench_s3_transfer download <endpoint> <bucket> <key> <file>\n";
    return 64;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 6)
        return usage();
    std::string const mode = argv[1];
    boost::asio::io_context ctx;

    mlcloud::auth::aws_credentials keys;
    keys.access_key_id = "AKIDBENCHMARK";
    keys.secret_access_key = mlcloud::auth::secret_string("benchmark-secret");
    mlcloud::aws::s3_client_options opts;
    opts.endpoint = argv[2];
    opts.credentials = mlcloud::aws::static_credentials(keys);
    opts.addressing = mlcloud::aws::s3_addressing::path_style;
    opts.part_size = env_or("MLCLOUD_BENCH_PART_MB", 8) << 20;
    opts.concurrency = env_or("MLCLOUD_BENCH_CONCURRENCY", opts.concurrency);
    opts.download_concurrency = env_or("MLCLOUD_BENCH_DOWNLOAD_CONCURRENCY", opts.download_concurrency);
    opts.download_chunk_size = opts.part_size;
    opts.sign_payload = env_or("MLCLOUD_BENCH_UNSIGNED", 0) == 0;
    auto http = mlcloud::aws::default_http_options();
    http.zero_copy_file_bodies = env_or("MLCLOUD_BENCH_BUFFERED", 0) == 0;
    mlcloud::aws::s3_client s3(ctx.get_executor(), opts, http);

    auto const start = std::chrono::steady_clock::now();
    mlcloud::result<mlcloud::aws::s3_object> r;
    if (mode == "upload")
    {
        std::filesystem::path const file = argv[3];
        std::string const bucket = argv[4], key = argv[5];
        r = mlcloud::run_blocking(ctx, s3.upload_file(file, bucket, key));
    }
    else if (mode == "download")
    {
        std::string const bucket = argv[3], key = argv[4];
        std::filesystem::path const file = argv[5];
        r = mlcloud::run_blocking(ctx, s3.download_file(bucket, key, file));
    }
    else
        return usage();
    double const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!r)
    {
        std::cerr << "bench_s3_transfer: " << r.error().what() << "\n";
        return 1;
    }
    std::cout << r->size << " " << seconds << " " << r->etag << "\n";
    return 0;
}
