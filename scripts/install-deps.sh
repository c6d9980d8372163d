#!/usr/bin/env bash
# Installs the Debian 12 packages usaged needs to build and test.
# Usage: scripts/install-deps.sh [build|test]
#   build  compiler toolchain and libraries (default)
#   test   build packages plus the servers the test suite starts (MariaDB, SMTP sink)
# Packages already present are skipped, so a warm machine does no apt work at all.
set -euo pipefail

profile=${1:-build}
build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  libsqlite3-dev libmariadb-dev libssl-dev libcurl4-openssl-dev
  libfmt-dev libspdlog-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev
  libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  sqlite3 mariadb-server mariadb-client python3 python3-aiosmtpd curl openssl
)

wanted=("${build_pkgs[@]}")
case "$profile" in
  build) ;;
  test) wanted+=("${test_pkgs[@]}") ;;
  *) echo "install-deps.sh: unknown profile '$profile' (expected build or test)" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps.sh: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
