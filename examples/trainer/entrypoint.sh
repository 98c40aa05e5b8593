#!/usr/bin/env bash
#
# Copyright (c) 2026 mlcloud developers
# Distributed under the Boost Software License, Version 1.0.
#
# The entrypoint of the mlcloud-trainer image on RunPod (examples/trainer/Dockerfile).
#
# Runs the workload (the pod's args) under MLCLOUD_MAX_RUNTIME_SECONDS, passes its output
# through line by line, and ends the log with one line that mlcloud::runpod::training reads as
# the job's outcome:
#     mlcloud: workload finished: ✅ Model saved successfully!   (the workload printed the marker)
#     mlcloud: workload exited with status N                     (it did not; 124: the max runtime passed)
# The marker means the model was saved, so an error after it does not undo the success
# (docs/architecture.md, the one success rule).
# The verdict comes last because status() reads only the tail of a pod's log, and a workload
# may print more after the marker than that tail holds.
# Then it stops the billing of its own pod when it can (RUNPOD_POD_ID and RUNPOD_API_KEY in
# the pod's environment): after MLCLOUD_SELF_TERMINATE_DELAY seconds (default 120, time for
# the provider to read the last lines and terminate the pod itself), it asks the REST API to
# terminate the pod. A container that simply exited would be started again by RunPod, so
# without a way to terminate itself it waits for the provider (MLCLOUD_AFTER_EXIT=exit makes
# it exit instead, for running the image by hand).
set -uo pipefail

if [ "$#" -eq 0 ]; then
    set -- mlcloud-trainer train
fi

max_runtime="${MLCLOUD_MAX_RUNTIME_SECONDS:-0}"
case "$max_runtime" in
    '' | *[!0-9]*) max_runtime=0 ;;
esac

marker='✅ Model saved successfully!'
transcript="$(mktemp)"
if [ "$max_runtime" -gt 0 ]; then
    timeout --kill-after=30 "$max_runtime" "$@" 2>&1 | tee "$transcript"
    status=${PIPESTATUS[0]}
else
    "$@" 2>&1 | tee "$transcript"
    status=${PIPESTATUS[0]}
fi

if grep -qF "$marker" "$transcript"; then
    echo "mlcloud: workload finished: $marker"
else
    echo "mlcloud: workload exited with status $status"
fi
rm -f "$transcript"

if [ "${MLCLOUD_AFTER_EXIT:-wait}" = exit ]; then
    exit "$status"
fi

if [ -n "${RUNPOD_POD_ID:-}" ] && [ -n "${RUNPOD_API_KEY:-}" ] && [ "${MLCLOUD_SELF_TERMINATE:-1}" = 1 ]; then
    sleep "${MLCLOUD_SELF_TERMINATE_DELAY:-120}"
    curl --silent --show-error --fail --max-time 30 --retry 5 --retry-all-errors \
        -X POST -H "Authorization: Bearer ${RUNPOD_API_KEY}" -H "Content-Type: application/json" \
        -d '{"action":"terminate"}' \
        "${RUNPOD_REST_URL:-https://api.runpod.io/v2}/pods/${RUNPOD_POD_ID}/action" >/dev/null ||
        echo "mlcloud: could not terminate pod ${RUNPOD_POD_ID}; it bills until it is terminated" >&2
fi

exec sleep infinity
