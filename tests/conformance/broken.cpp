// A deliberately broken provider: the conformance suite must fail on it, at the check for
// repeated lines (CMakeLists.txt).
#include <mlcloud/testing/conformance.hpp>
#include <mlcloud/testing/memory.hpp>

#include "broken_factory.hpp"

namespace memory = mlcloud::testing::memory;
using namespace mlcloud;

namespace {

// Ignores the cursor (every read starts over) and invents a running job for unknown ids.
class forgetful_training
{
public:
    static constexpr capability_set capabilities{capability::on_demand};
    forgetful_training(boost::asio::any_io_executor ex, memory::options const& o) : inner_(ex, o) {}
    task<job_handle> launch(job_spec const& s) { return inner_.launch(s); }
    task<job_status> status(job_handle const& h)
    {
        auto s = co_await inner_.status(h);
        if (!s && s.error().is(errc::not_found))
            co_return job_status{.state = job_state::running};
        co_return s;
    }
    task<log_chunk> read_logs(job_handle const& h, log_cursor const&)
    {
        log_cursor from_start; // must outlive the awaited call: coroutine arguments are references
        co_return co_await inner_.read_logs(h, from_start);
    }
    task<job_status> terminate(job_handle const& h) { return inner_.terminate(h); }

private:
    memory::training inner_;
};

using forgetful_factory = broken_factory<forgetful_training>;

} // namespace

MLCLOUD_TRAINING_CONFORMANCE(forgetful_factory)
