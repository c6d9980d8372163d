#!/usr/bin/env bash
# Installs what the tests need, builds usaged with its tests once (and its
# Debian package, scripts/package.sh), starts a
# private MariaDB server and a private two-node Galera cluster, and runs the
# whole suite with ctest: every test runs on the embedded SQLite store and on
# MariaDB; the cluster tests also run usaged nodes on both Galera nodes.
#
# Then the API tests (the Api* suites, which drive the HTTP server and the
# usaged binary) run once more, on both engines, built in ./build-asan with
# AddressSanitizer and UndefinedBehaviorSanitizer (the tests start that
# build's usaged). Any sanitizer report fails the run. USAGED_TEST_SANITIZERS=0
# leaves this part out; extra arguments go to both ctest runs.
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
sanitize=${USAGED_TEST_SANITIZERS:-1}
if [ "$sanitize" != 0 ]; then
  # -O1 -g1 (and no NDEBUG, so assertions hold too): fast enough to build and
  # run, with line numbers in the reports.
  USAGED_BUILD_DIR=build-asan bash scripts/build.sh -DUSAGED_BUILD_TESTS=ON \
    -DUSAGED_SANITIZE=ON -DUSAGED_API_TESTS_ONLY=ON -DUSAGED_BUILD_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
fi

server_dirs=()
cleanup() {
  for dir in "${server_dirs[@]}"; do
    case $dir in
      *galera*) bash "$root/scripts/galera-test-cluster.sh" stop "$dir" || true ;;
      *sanitizers*) ;;
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

# The Debian package, built from ./build and checked by lintian and
# systemd-analyze; tests/package_test.cc installs it into a scratch root.
USAGED_TEST_DEB=$(bash scripts/package.sh build)
export USAGED_TEST_DEB

status=0
(cd build && ctest --output-on-failure --parallel "$(nproc)" "$@") || status=1

if [ "$sanitize" != 0 ]; then
  # Reports go to files, so that one from a usaged process a test started
  # (whose exit status the test may not look at) is not lost either.
  reports=$(mktemp -d /tmp/usaged-test-sanitizers-XXXXXX)
  server_dirs+=("$reports")
  export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:log_path=$reports/asan"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
  # build-asan's usaged_tests holds the API tests only (USAGED_API_TESTS_ONLY),
  # so finding none is an error, unless arguments chose other tests.
  no_tests=error
  [ $# -eq 0 ] || no_tests=ignore
  (cd build-asan &&
     ctest --output-on-failure --no-tests="$no_tests" --parallel "$(nproc)" "$@") || status=1
  if [ -n "$(ls -A "$reports")" ]; then
    echo "test.sh: sanitizer reports:" >&2
    for report in "$reports"/*; do
      echo "==> $report" >&2
      cat "$report" >&2
    done
    status=1
  fi
fi
exit "$status"
