#!/usr/bin/env bash
# Installs what the tests need, builds usaged with its tests once and runs the
# whole suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
bash scripts/build.sh -DUSAGED_BUILD_TESTS=ON
cd build
ctest --output-on-failure --parallel "$(nproc)" "$@"
