// Must NOT compile: the provider below forgot read_logs. The test checks that the compiler's
// message names the missing member.
#include <mlcloud/concepts.hpp>

struct forgetful_provider
{
    static constexpr mlcloud::capability_set capabilities{};
    mlcloud::task<mlcloud::job_handle> launch(mlcloud::job_spec const&);
    mlcloud::task<mlcloud::job_status> status(mlcloud::job_handle const&);
    mlcloud::task<mlcloud::job_status> terminate(mlcloud::job_handle const&);
};

static_assert(mlcloud::check_training_provider<forgetful_provider>());
