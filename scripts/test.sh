#!/usr/bin/env bash
# Installs what the tests need, builds usaged with its tests once, starts a
# private MariaDB server and runs the whole suite with ctest: every test runs
# on the embedded SQLite store and on MariaDB.
#
# A developer who keeps a server running (scripts/mariadb-test-server.sh) can
# export USAGED_TEST_MARIADB_URL=mariadb://root@127.0.0.1:PORT to reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh test
bash scripts/build.sh -DUSAGED_BUILD_TESTS=ON

if [ -z "${USAGED_TEST_MARIADB_URL:-}" ]; then
  server_dir=$(mktemp -d /tmp/usaged-test-mariadb-XXXXXX)
  cleanup() {
    bash "$root/scripts/mariadb-test-server.sh" stop "$server_dir" || true
    rm -rf "$server_dir"
  }
  trap cleanup EXIT
  bash scripts/mariadb-test-server.sh start "$server_dir"
  eval "$(bash scripts/mariadb-test-server.sh env "$server_dir")"
fi

cd build
ctest --output-on-failure --parallel "$(nproc)" "$@"
