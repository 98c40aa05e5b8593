// The conformance suite on the in-memory providers of the test kit.
#include <mlcloud/testing/conformance.hpp>
#include <mlcloud/testing/memory.hpp>

namespace memory = mlcloud::testing::memory;

namespace {

struct memory_training_factory
{
    memory::options opts;
    memory::training make(boost::asio::any_io_executor ex) { return {ex, opts}; }
    mlcloud::job_spec succeeding_job()
    {
        return {.name = "ok", .command = {"loading data", "epoch 1/3", "epoch 2/3", "epoch 3/3", "metrics: acc=0.97"}};
    }
    mlcloud::job_spec failing_job() { return {.name = "bad", .command = {"loading data", "@fail"}}; }
    mlcloud::job_spec long_running_job() { return {.name = "long", .command = {"starting", "@hang"}}; }
    std::chrono::milliseconds poll_interval() { return std::chrono::milliseconds(5); }
};

struct memory_storage_factory
{
    memory::options opts;
    memory::storage make(boost::asio::any_io_executor ex) { return {ex, opts}; }
    mlcloud::storage_uri scratch() { return mlcloud::storage_uri::local("scratch"); }
};

struct memory_prediction_factory
{
    memory::options opts;
    memory_prediction_factory() { opts.shared_world->put_object("models/m.json", "setosa\n"); }
    memory::prediction make(boost::asio::any_io_executor ex) { return {ex, opts}; }
    mlcloud::prediction_request request()
    {
        return {.model = mlcloud::storage_uri::local("models/m.json"), .input = "a,b\n1,2\n3,4\n5,6\n"};
    }
    std::size_t expected_rows() { return 3; }
    mlcloud::storage_uri missing_model() { return mlcloud::storage_uri::local("models/none.json"); }
};

} // namespace

MLCLOUD_TRAINING_CONFORMANCE(memory_training_factory)
MLCLOUD_STORAGE_CONFORMANCE(memory_storage_factory)
MLCLOUD_PREDICTION_CONFORMANCE(memory_prediction_factory)
