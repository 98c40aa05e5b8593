//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The conformance suite on the RunPod providers, against the contract fake (fixture
// runpod_fake, tests/fakes/runpod): scripted pods, the real worker for predictions.
#include "../integration/runpod/runpod_test.hpp"

#include <mlcloud/runpod/prediction.hpp>
#include <mlcloud/runpod/storage.hpp>
#include <mlcloud/runpod/training.hpp>
#include <mlcloud/testing/conformance.hpp>

#include <memory>

namespace rp = mlcloud::runpod;
using namespace runpod_test;

namespace {

struct runpod_training_factory
{
    std::unique_ptr<rp::training> make(boost::asio::any_io_executor ex)
    {
        return std::make_unique<rp::training>(ex, fake_options());
    }

    static mlcloud::job_spec job(std::string const& what, std::vector<std::string> script)
    {
        mlcloud::job_spec s;
        s.name = unique(what);
        s.idempotency_key = s.name;
        s.command = std::move(script);
        s.compute = {{"NVIDIA RTX A5000", 1}};
        return s;
    }

    mlcloud::job_spec succeeding_job()
    {
        return job("conf-ok", {"loading data", "epoch 1/3", "epoch 2/3", "epoch 3/3", "@marker"});
    }
    mlcloud::job_spec failing_job() { return job("conf-fail", {"loading data", "error: bad row", "@exit=1"}); }
    mlcloud::job_spec long_running_job() { return job("conf-long", {"starting", "@hang"}); }
    mlcloud::job_handle unknown_job() { return {.provider = "runpod", .id = "nosuchpod" + unique("x").substr(0, 8)}; }
    std::chrono::milliseconds poll_interval() { return std::chrono::milliseconds(50); }
};

#ifdef MLCLOUD_TEST_TRAINER
struct runpod_prediction_factory
{
    std::unique_ptr<rp::prediction> make(boost::asio::any_io_executor ex)
    {
        return std::make_unique<rp::prediction>(ex, fake_options());
    }

    mlcloud::prediction_request request()
    {
        auto key = "models/conformance/model.json";
        write_file(volume_dir() / key,
                   R"({"format":"mlcloud-trainer/1","task":"regression","target":"y","features":[{"name":"x","mean":0,"scale":1}],"weights":[[2]],"intercepts":[1]})");
        mlcloud::prediction_request r;
        r.model = mlcloud::storage_uri::runpod_volume(datacenter, volume, key);
        r.input = "x\n1\n2\n3\n";
        r.idempotency_key = unique("conf-predict");
        return r;
    }
    std::size_t expected_rows() { return 3; }
    mlcloud::storage_uri missing_model()
    {
        return mlcloud::storage_uri::runpod_volume(datacenter, volume, "models/conformance/missing.json");
    }
};
#endif

} // namespace

MLCLOUD_TRAINING_CONFORMANCE(runpod_training_factory)
#ifdef MLCLOUD_TEST_TRAINER
MLCLOUD_PREDICTION_CONFORMANCE(runpod_prediction_factory)
#endif

namespace {

struct runpod_storage_factory
{
    std::unique_ptr<rp::storage> make(boost::asio::any_io_executor ex)
    {
        auto o = fake_options();
        // The suite's 100 kB object goes up as a multipart upload of one part (parts are at
        // least 5 MiB, as on S3); the large object in three parts and comes down in four ranges.
        o.storage.multipart_threshold = 64 * 1024;
        o.storage.part_size = 5ull << 20;
        o.storage.download_chunk_size = 3ull << 20;
        return std::make_unique<rp::storage>(ex, o);
    }
    mlcloud::storage_uri scratch() { return mlcloud::storage_uri::runpod_volume(datacenter, volume, "conformance"); }
    std::uint64_t large_object_bytes() { return (11ull << 20) + 7; }
};

} // namespace

MLCLOUD_STORAGE_CONFORMANCE(runpod_storage_factory)
