//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_BOOTSTRAP_IPP
#define MLCLOUD_AWS_IMPL_BOOTSTRAP_IPP

#include <mlcloud/aws/detail/bootstrap.hpp>

#include <algorithm>

namespace mlcloud::aws::detail {
namespace bootstrap_impl {

// The fixed part of the script. It reads only the variables of the header.
inline constexpr std::string_view body = R"BASH(
# ---- Everything below is fixed text; the job enters only through the variables above.
echo "mlcloud: job $JOB_NAME (key $JOB_KEY) starting"
WORK_DIR="${MLCLOUD_WORK_DIR:-/var/lib/mlcloud}"
export AWS_DEFAULT_REGION="$REGION"
INSTANCE_ID=""
RESULT="failed"
EXIT_CODE=-1

# shellcheck disable=SC2317 # called from the EXIT trap
power_off() {
    sync
    shutdown -h now || poweroff
}

# A line in the job's log stream from the host. Only constant texts and numbers are passed.
log_line() {
    echo "mlcloud: $1"
    [ -n "$INSTANCE_ID" ] || return 0
    aws logs put-log-events --log-group-name "$LOG_GROUP" --log-stream-name "$INSTANCE_ID" \
        --log-events "[{\"timestamp\":$(date +%s%3N),\"message\":\"mlcloud: $1\"}]" >/dev/null || true
}

# Runs on every exit, also after an error: the result tag, then power-off (which terminates
# the instance, as it was launched with InstanceInitiatedShutdownBehavior=terminate).
# shellcheck disable=SC2317 # the EXIT trap
finish() {
    if [ -n "$INSTANCE_ID" ]; then
        aws ec2 create-tags --resources "$INSTANCE_ID" --tags "Key=mlcloud:result,Value=$RESULT" \
            "Key=mlcloud:exit-code,Value=$EXIT_CODE" "Key=mlcloud:finished-at,Value=$(date +%s)" || true
    fi
    power_off
}
trap finish EXIT
trap 'exit 143' TERM INT HUP

# The watchdog: a scheduled power-off that does not depend on this script staying alive.
if ! shutdown -h "+$WATCHDOG_MINUTES"; then
    (sleep "$((WATCHDOG_MINUTES * 60))" && poweroff) &
fi

imds() {
    local token
    token=$(curl -sf --retry 5 --retry-connrefused -X PUT "http://169.254.169.254/latest/api/token" \
        -H "X-aws-ec2-metadata-token-ttl-seconds: 300") || return 1
    curl -sf --retry 5 --retry-connrefused -H "X-aws-ec2-metadata-token: $token" \
        "http://169.254.169.254/latest/meta-data/$1"
}
INSTANCE_ID=$(imds instance-id) || INSTANCE_ID=""
if [ -z "$INSTANCE_ID" ]; then
    echo "mlcloud: cannot read the instance id from the instance metadata service"
    exit 1
fi
aws logs create-log-stream --log-group-name "$LOG_GROUP" --log-stream-name "$INSTANCE_ID" 2>/dev/null || true

mkdir -p "$WORK_DIR/input" "$WORK_DIR/output"
DATASET_PATH=""
if [ -n "$DATASET_URI" ]; then
    if [ -n "$DATASET_FILE" ]; then
        aws s3 cp --only-show-errors "$DATASET_URI" "$WORK_DIR/input/$DATASET_FILE"
    else
        aws s3 cp --only-show-errors --recursive "$DATASET_URI" "$WORK_DIR/input/"
    fi || {
        log_line "the dataset could not be downloaded"
        exit 1
    }
    DATASET_PATH="/mlcloud/input/$DATASET_FILE"
fi
OUTPUT_PATH="/mlcloud/output/$OUTPUT_FILE"

case "$IMAGE" in
    *.dkr.ecr.*.amazonaws.com/*)
        aws ecr get-login-password | docker login --username AWS --password-stdin "${IMAGE%%/*}" >/dev/null ||
            log_line "docker login to the image registry failed"
        ;;
esac

gpu_args=()
if [ "$USE_GPUS" = 1 ]; then
    gpu_args=(--gpus all)
fi
env_args=()
for assignment in ${JOB_ENV[@]+"${JOB_ENV[@]}"}; do
    env_args+=(--env "$assignment")
done

STARTED=$(date +%s)
timeout --signal=TERM --kill-after=60 "$MAX_RUNTIME" \
    docker run --rm --name mlcloud-job \
    --log-driver awslogs --log-opt "awslogs-region=$REGION" --log-opt "awslogs-group=$LOG_GROUP" \
    --log-opt "awslogs-stream=$INSTANCE_ID" \
    ${gpu_args[@]+"${gpu_args[@]}"} \
    --volume "$WORK_DIR/input:/mlcloud/input:ro" --volume "$WORK_DIR/output:/mlcloud/output" \
    ${env_args[@]+"${env_args[@]}"} \
    --env "MLCLOUD_JOB_ID=$INSTANCE_ID" --env "MLCLOUD_DATASET=$DATASET_PATH" --env "MLCLOUD_OUTPUT=$OUTPUT_PATH" \
    "$IMAGE" ${WORKLOAD[@]+"${WORKLOAD[@]}"}
EXIT_CODE=$?

ELAPSED=$(($(date +%s) - STARTED))
TIMED_OUT=0
if [ "$EXIT_CODE" -eq 124 ] || { [ "$EXIT_CODE" -eq 137 ] && [ "$ELAPSED" -ge "$MAX_RUNTIME" ]; }; then
    docker kill mlcloud-job >/dev/null 2>&1 || true
    TIMED_OUT=1
fi

# One success rule on every backend: the workload succeeded when it printed the completion
# marker, whatever its exit status after it. Its output went to CloudWatch Logs (awslogs
# delivers it before the container exits); ask a few times, as search lags ingestion.
MARKER='✅ Model saved successfully!'
SAW_MARKER=0
for attempt in 1 2 3; do
    messages=$(aws logs filter-log-events --log-group-name "$LOG_GROUP" --log-stream-names "$INSTANCE_ID" \
        --filter-pattern '"Model saved successfully"' --query 'events[].message' --output text 2>/dev/null) ||
        messages=""
    case "$messages" in
        *"$MARKER"*) SAW_MARKER=1 && break ;;
    esac
    [ "$attempt" = 3 ] || sleep "${MLCLOUD_MARKER_WAIT:-3}"
done
if [ "$SAW_MARKER" != 1 ]; then
    if [ "$TIMED_OUT" = 1 ]; then
        RESULT="timed_out"
        log_line "the job ran longer than its limit of $MAX_RUNTIME s and was stopped"
    elif [ "$EXIT_CODE" -eq 0 ]; then
        log_line "the workload exited with status 0 but never printed the completion marker"
    else
        log_line "the workload exited with status $EXIT_CODE"
    fi
    exit 0
fi

if [ -n "$OUTPUT_URI" ]; then
    if [ -n "$OUTPUT_FILE" ] && [ ! -f "$WORK_DIR/output/$OUTPUT_FILE" ]; then
        log_line "the workload exited with status 0 but wrote no model at MLCLOUD_OUTPUT"
        exit 0
    fi
    if [ -n "$OUTPUT_FILE" ]; then
        aws s3 cp --only-show-errors "$WORK_DIR/output/$OUTPUT_FILE" "$OUTPUT_URI"
    else
        aws s3 cp --only-show-errors --recursive "$WORK_DIR/output/" "$OUTPUT_URI"
    fi || {
        log_line "the model could not be uploaded"
        exit 0
    }
fi
RESULT="succeeded"
exit 0
)BASH";

inline bool is_identifier(std::string_view s)
{
    if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    return true;
}

inline bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// A safe local file name for an object: its last key segment, unless that is empty or a
// path trick.
inline std::string local_name(storage_uri const& u, std::string_view fallback)
{
    std::string name(u.filename());
    if (name.empty() || name == "." || name == "..")
        return std::string(fallback);
    return name;
}

inline std::string s3_text(storage_uri const& u)
{
    return "s3://" + u.bucket + "/" + u.key;
}

} // namespace bootstrap_impl

MLCLOUD_DECL std::string shell_quote(std::string_view s)
{
    std::string out = "'";
    for (char c : s)
    {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += "'";
    return out;
}

MLCLOUD_DECL result<std::string> render_bootstrap(bootstrap_input const& in)
{
    using namespace bootstrap_impl;
    auto invalid = [](std::string msg) { return error(errc::invalid_argument, std::move(msg)); };
    if (in.image.empty())
        return invalid("the job has no container image (job_spec::image)");
    if (in.image.front() == '-' || in.image.find_first_of(" \t\r\n") != std::string::npos || has_nul(in.image))
        return invalid("the container image name is not valid: " + in.image);
    if (in.max_runtime.count() <= 0)
        return invalid("max_runtime must be positive");
    if (in.max_runtime > max_runtime_limit)
        return invalid(max_runtime_refusal);
    for (auto const& a : in.command)
        if (has_nul(a))
            return invalid("a command argument contains a NUL byte");
    for (auto const& [k, v] : in.env)
    {
        if (!is_identifier(k))
            return invalid("the environment variable name '" + k + "' is not a shell identifier");
        if (has_nul(v))
            return invalid("the value of " + k + " contains a NUL byte");
    }
    for (auto const* u : {&in.dataset, &in.output})
        if (*u && (!(*u)->is_s3() || (*u)->bucket.empty()))
            return invalid("the AWS backend reads datasets from and writes models to s3:// locations, not " + (*u)->str());
    if (has_nul(in.log_group) || has_nul(in.region) || has_nul(in.job_name) || has_nul(in.job_key))
        return invalid("a job setting contains a NUL byte");

    std::string dataset_uri, dataset_file, output_uri, output_file = "model";
    if (in.dataset)
    {
        dataset_uri = s3_text(*in.dataset);
        // A key ending in '/' is a prefix: copied recursively into the input directory.
        if (!in.dataset->key.empty() && in.dataset->key.back() != '/')
            dataset_file = local_name(*in.dataset, "dataset");
    }
    if (in.output)
    {
        output_uri = s3_text(*in.output);
        output_file = (in.output->key.empty() || in.output->key.back() == '/') ? std::string()
                                                                               : local_name(*in.output, "model");
    }
    auto const grace = std::max<long long>(60, in.shutdown_grace.count());
    auto const watchdog_minutes = (in.max_runtime.count() + grace + 59) / 60;

    std::string s;
    s += "#!/bin/bash\n";
    // The job's values are literal text on purpose: a '$(...)' in a name must stay text.
    s += "# shellcheck disable=SC2016 # job values are single-quoted literals, never expanded\n";
    s += "# mlcloud bootstrap (generated; docs/aws.md). Runs once as root when the instance boots.\n";
    s += "set -u -o pipefail\n\n";
    s += "# ---- The job.\n";
    s += "JOB_NAME=" + shell_quote(in.job_name) + "\n";
    s += "JOB_KEY=" + shell_quote(in.job_key) + "\n";
    s += "REGION=" + shell_quote(in.region) + "\n";
    s += "LOG_GROUP=" + shell_quote(in.log_group) + "\n";
    s += "IMAGE=" + shell_quote(in.image) + "\n";
    s += "DATASET_URI=" + shell_quote(dataset_uri) + "\n";
    s += "DATASET_FILE=" + shell_quote(dataset_file) + "\n";
    s += "OUTPUT_URI=" + shell_quote(output_uri) + "\n";
    s += "OUTPUT_FILE=" + shell_quote(output_file) + "\n";
    s += "MAX_RUNTIME=" + std::to_string(in.max_runtime.count()) + "\n";
    s += "WATCHDOG_MINUTES=" + std::to_string(watchdog_minutes) + "\n";
    s += std::string("USE_GPUS=") + (in.gpus ? "1" : "0") + "\n";
    s += "WORKLOAD=(";
    for (std::size_t i = 0; i < in.command.size(); ++i)
        s += (i ? " " : "") + shell_quote(in.command[i]);
    s += ")\n";
    s += "JOB_ENV=(";
    bool first = true;
    for (auto const& [k, v] : in.env)
    {
        if (k == "MLCLOUD_JOB_ID" || k == "MLCLOUD_DATASET" || k == "MLCLOUD_OUTPUT")
            continue; // set by the bootstrap itself
        s += (first ? "" : " ") + shell_quote(k + "=" + v);
        first = false;
    }
    s += ")\n";
    s += body;
    if (s.size() > max_user_data)
        return invalid("the bootstrap script for this job is " + std::to_string(s.size()) +
                       " bytes, above EC2's user-data limit of 16384: shorten the command or the environment");
    return s;
}

} // namespace mlcloud::aws::detail

#endif
