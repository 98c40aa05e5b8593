#!/usr/bin/env bash
# Runs every mlcloud test under AddressSanitizer and UndefinedBehaviorSanitizer: installs what
# is missing, configures, builds with two jobs, runs ctest. README points here and CI calls it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
.ci/install-deps
cmake --workflow --preset test
