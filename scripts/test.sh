#!/usr/bin/env bash
# Installs what the tests need, builds usaged with its tests once, starts a
# private MariaDB server and a private two-node Galera cluster, and runs the
# whole suite with ctest: every test runs on the embedded SQLite store and on
# MariaDB; the cluster tests also run usaged nodes on both Galera nodes.
#
# A developer who keeps servers running can reuse them by exporting their
# URLs: USAGED_TEST_MARIADB_URL=mariadb://root@127.0.0.1:PORT (see
# scripts/mariadb-test-server.sh), and USAGED_TEST_GALERA_URL1/URL2 (printed
# by `scripts/galera-test-cluster.sh env DIR`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh test
bash scripts/build.sh -DUSAGED_BUILD_TESTS=ON

server_dirs=()
cleanup() {
  for dir in "${server_dirs[@]}"; do
    case $dir in
      *galera*) bash "$root/scripts/galera-test-cluster.sh" stop "$dir" || true ;;
      *) bash "$root/scripts/mariadb-test-server.sh" stop "$dir" || true ;;
    esac
    rm -rf "$dir"
  done
}
trap cleanup EXIT

# The Galera cluster starts in the background while the MariaDB server does.
galera_pid=""
if [ -z "${USAGED_TEST_GALERA_URL1:-}" ] || [ -z "${USAGED_TEST_GALERA_URL2:-}" ]; then
  galera_dir=$(mktemp -d /tmp/usaged-test-galera-XXXXXX)
  server_dirs+=("$galera_dir")
  bash scripts/galera-test-cluster.sh start "$galera_dir" &
  galera_pid=$!
fi
if [ -z "${USAGED_TEST_MARIADB_URL:-}" ]; then
  server_dir=$(mktemp -d /tmp/usaged-test-mariadb-XXXXXX)
  server_dirs+=("$server_dir")
  bash scripts/mariadb-test-server.sh start "$server_dir"
  eval "$(bash scripts/mariadb-test-server.sh env "$server_dir")"
fi
if [ -n "$galera_pid" ]; then
  wait "$galera_pid"
  eval "$(bash scripts/galera-test-cluster.sh env "$galera_dir")"
fi

cd build
ctest --output-on-failure --parallel "$(nproc)" "$@"
