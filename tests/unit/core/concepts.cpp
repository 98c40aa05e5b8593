#include <mlcloud/concepts.hpp>

#include <catch2/catch.hpp>

namespace {

using namespace mlcloud;

struct complete_training
{
    static constexpr capability_set capabilities{capability::on_demand, capability::spot};
    task<job_handle> launch(job_spec const&);
    task<job_status> status(job_handle const&);
    task<log_chunk> read_logs(job_handle const&, log_cursor const&);
    task<job_status> terminate(job_handle const&);
};

struct no_capabilities
{
    task<job_handle> launch(job_spec const&);
    task<job_status> status(job_handle const&);
    task<log_chunk> read_logs(job_handle const&, log_cursor const&);
    task<job_status> terminate(job_handle const&);
};

struct wrong_return_type
{
    static constexpr capability_set capabilities{};
    job_handle launch(job_spec const&); // blocking, not a task
    task<job_status> status(job_handle const&);
    task<log_chunk> read_logs(job_handle const&, log_cursor const&);
    task<job_status> terminate(job_handle const&);
};

struct storage_without_presign
{
    static constexpr capability_set capabilities{capability::multipart};
    task<object_info> upload(std::filesystem::path const&, storage_uri const&, transfer_options const&);
    task<object_info> download(storage_uri const&, std::filesystem::path const&, transfer_options const&);
    task<std::vector<object_info>> list(storage_uri const&);
    task<bool> exists(storage_uri const&);
    task<void> remove(storage_uri const&);
};

struct storage_claims_presign_but_lacks_it : storage_without_presign
{
    static constexpr capability_set capabilities{capability::presign};
};

struct presigning_storage : storage_without_presign
{
    static constexpr capability_set capabilities{capability::presign};
    result<std::string> presign(storage_uri const&, presign_method, std::chrono::seconds) const;
};

struct storage_missing_remove
{
    static constexpr capability_set capabilities{};
    task<object_info> upload(std::filesystem::path const&, storage_uri const&, transfer_options const&);
    task<object_info> download(storage_uri const&, std::filesystem::path const&, transfer_options const&);
    task<std::vector<object_info>> list(storage_uri const&);
    task<bool> exists(storage_uri const&);
};

struct predictor
{
    static constexpr capability_set capabilities{capability::cost_report};
    task<prediction_result> predict(prediction_request const&);
};

// Positive cases.
static_assert(training_provider<complete_training>);
static_assert(check_training_provider<complete_training>());
static_assert(storage_provider<storage_without_presign>);
static_assert(check_storage_provider<storage_without_presign>());
static_assert(prediction_provider<predictor>);
static_assert(check_prediction_provider<predictor>());
static_assert(presigning_storage_provider<presigning_storage>);
static_assert(supports<complete_training, capability::spot>);

// A type missing a required member, or with the wrong signature, does not model the concept.
static_assert(!training_provider<no_capabilities>);
static_assert(!training_provider<wrong_return_type>);
static_assert(!training_provider<predictor>);
static_assert(!storage_provider<storage_missing_remove>);
static_assert(!prediction_provider<complete_training>);
static_assert(!supports<complete_training, capability::presign>);
static_assert(!presigning_storage_provider<storage_without_presign>);      // no capability
static_assert(!presigning_storage_provider<storage_claims_presign_but_lacks_it>); // no member

} // namespace

TEST_CASE("capability_set is a small constexpr set")
{
    constexpr capability_set a{capability::spot, capability::presign};
    constexpr capability_set b{capability::presign, capability::multipart};
    STATIC_REQUIRE(a.contains(capability::spot));
    STATIC_REQUIRE(!a.contains(capability::multipart));
    STATIC_REQUIRE((a & b) == capability_set{capability::presign});
    STATIC_REQUIRE((a | b).contains(capability::multipart));
    STATIC_REQUIRE(capability_set{}.empty());
    CHECK(to_string(capability::idempotent_launch) == "idempotent_launch");
}

TEST_CASE("job states know which are terminal")
{
    CHECK(is_terminal(job_state::succeeded));
    CHECK(is_terminal(job_state::preempted));
    CHECK_FALSE(is_terminal(job_state::running));
    CHECK_FALSE(is_terminal(job_state::unknown));
    CHECK(to_string(job_state::timed_out) == "timed_out");
}

TEST_CASE("log_chunk finds the completion marker")
{
    log_chunk c;
    c.lines = {"epoch 1/10 loss=0.5", "\xE2\x9C\x85 Model saved successfully!"};
    CHECK(c.has_completion_marker());
    c.lines.pop_back();
    CHECK_FALSE(c.has_completion_marker());
}
