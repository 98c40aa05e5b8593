// A provider that is right in everything but one thing: a read from the cursor at the end of
// a finished job's log gives the last line again (an off-by-one a resumed follower would print
// twice). The conformance suite must fail on it, at the check for that (CMakeLists.txt); it
// once never read past the end, and let such a provider pass.
#include <mlcloud/testing/conformance.hpp>
#include <mlcloud/testing/memory.hpp>

#include "broken_factory.hpp"

namespace memory = mlcloud::testing::memory;
using namespace mlcloud;

namespace {

class at_end_training
{
public:
    static constexpr capability_set capabilities = memory::training::capabilities;
    at_end_training(boost::asio::any_io_executor ex, memory::options const& o) : inner_(ex, o) {}
    task<job_handle> launch(job_spec const& s) { return inner_.launch(s); }
    task<job_status> status(job_handle const& h) { return inner_.status(h); }
    task<job_status> terminate(job_handle const& h) { return inner_.terminate(h); }
    task<log_chunk> read_logs(job_handle const& h, log_cursor const& from)
    {
        auto chunk = co_await inner_.read_logs(h, from);
        if (chunk && !from.token.empty() && chunk->lines.empty() && chunk->end_of_stream)
            chunk->lines.emplace_back("(the last line, again)");
        co_return chunk;
    }

private:
    memory::training inner_;
};

using at_end_factory = broken_factory<at_end_training>;

} // namespace

MLCLOUD_TRAINING_CONFORMANCE(at_end_factory)
