#!/usr/bin/env bash
# Installs the Debian 12 packages usaged needs to build and test.
# Usage: scripts/install-deps.sh [build|test|package]
#   build  compiler toolchain and libraries (default)
#   test   build packages plus the servers the test suite starts (MariaDB, a two-node
#          Galera cluster, SMTP sink), promtool (which checks /metrics) and the npm
#          CloudStack client the API tests drive (tests/node)
#   package  build packages plus lintian and help2man (scripts/package.sh)
# Packages already present are skipped, so a warm machine does no apt work at all.
# No service of an installed package is started (see the policy below).
set -euo pipefail

profile=${1:-build}
build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  libsqlite3-dev libmariadb-dev libssl-dev libcurl4-openssl-dev
  libfmt-dev libspdlog-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev
  libboost-dev  # Boost.Beast/Asio: the API server's HTTP transport
  libhowardhinnant-date-dev tzdata
  libsystemd-dev  # sd_notify for the systemd unit
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  sqlite3 mariadb-server mariadb-client python3 python3-aiosmtpd curl openssl
  galera-4 mariadb-backup socat  # scripts/galera-test-cluster.sh (state transfer by mariabackup)
  prometheus  # only for /usr/bin/promtool; its server must not run (see below)
)
package_pkgs=(lintian help2man)  # scripts/package.sh: the package's man page and its check

wanted=("${build_pkgs[@]}")
case "$profile" in
  build) ;;
  test) wanted+=("${test_pkgs[@]}" "${package_pkgs[@]}") ;;
  package) wanted+=("${package_pkgs[@]}") ;;
  *) echo "install-deps.sh: unknown profile '$profile' (expected build, test or package)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

# Node.js and npm for the API client tests: any installed node will do (a
# machine may carry a newer one than Debian's); otherwise Debian's packages.
if [ "$profile" = test ] && ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps.sh: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q

  # The tests start private servers, so the services these packages bring
  # (mariadb, prometheus) must not start: a policy-rc.d that answers 101
  # ("action forbidden") makes invoke-rc.d and deb-systemd-invoke skip them,
  # and also keeps a container without an init system from failing the
  # install. A policy already in place is put back afterwards.
  policy=/usr/sbin/policy-rc.d
  saved_policy=$policy.usaged-install-deps
  restore_policy() {
    if [ -e "$saved_policy" ]; then
      "${sudo_cmd[@]}" mv -f "$saved_policy" "$policy"
    else
      "${sudo_cmd[@]}" rm -f "$policy"
    fi
  }
  # A saved policy left by an interrupted run is the machine's own: keep it.
  if [ -e "$policy" ] && [ ! -e "$saved_policy" ]; then
    "${sudo_cmd[@]}" mv -f "$policy" "$saved_policy"
  fi
  trap restore_policy EXIT
  trap 'exit 1' INT TERM HUP  # exiting runs the EXIT trap, which signals alone do not
  printf '#!/bin/sh\n# scripts/install-deps.sh: start no service while it installs.\nexit 101\n' |
    "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  restore_policy
  trap - EXIT INT TERM HUP

  # Under systemd the package also enables prometheus.service for the next
  # boot; promtool alone is wanted.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
    "${sudo_cmd[@]}" systemctl disable --quiet prometheus.service || true
  fi
fi

# npm packages pinned by tests/node/package-lock.json; reinstalled only when
# the lock file changed since the last install (npm records it in
# node_modules/.package-lock.json).
if [ "$profile" = test ]; then
  node_dir="$(dirname "$0")/../tests/node"
  if [ ! -f "$node_dir/node_modules/.package-lock.json" ] ||
     [ "$node_dir/package-lock.json" -nt "$node_dir/node_modules/.package-lock.json" ]; then
    echo "install-deps.sh: installing the npm test clients (tests/node)" >&2
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
