#!/usr/bin/env bash
# Installs what usaged needs, builds it and runs the demo on the embedded
# SQLite store: a small simulated cloud, the daily usage job for each simulated
# day, and the resulting cloud_usage records.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh build
bash scripts/build.sh -DUSAGED_BUILD_TESTS=OFF >/dev/null
data=${USAGED_DEMO_DIR:-$(mktemp -d /tmp/usaged-demo-XXXXXX)}
echo "usaged demo (database: sqlite:$data)"
./build/usaged --db "sqlite:$data" --log-level warn demo "$@"
