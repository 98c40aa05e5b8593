#!/usr/bin/env bash
# Installs what is missing, builds the demo in Release, and runs it: the bundled iris dataset
# trained with the example trainer on the local backend, logs streaming, then predictions on
# sample rows and the cost. No cloud account is needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
.ci/install-deps
cmake --preset release >/dev/null
cmake --build --preset release --target mlcloud-demo mlcloud-trainer mlcloud_cli
exec build/release/examples/demo/mlcloud-demo "$@"
