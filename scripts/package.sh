#!/usr/bin/env bash
# Builds the Debian package of usaged from a build directory (default
# ./build, built first if needed) and checks it: lintian must report no
# error, and systemd-analyze must accept the unit. Prints the package's path.
# Usage: scripts/package.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
bash scripts/install-deps.sh package >&2
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  USAGED_BUILD_DIR=$build_dir bash scripts/build.sh -DUSAGED_BUILD_TESTS=OFF \
    -DUSAGED_BUILD_BENCH=OFF >&2
fi
# Configure again: `usaged --version` names the commit being packaged.
cmake -S . -B "$build_dir" >&2
cmake --build "$build_dir" --target usaged usaged_package_docs >&2
rm -f "$build_dir"/usaged_*.deb
(cd "$build_dir" && cpack -G DEB >&2)
deb=$(ls "$build_dir"/usaged_*.deb)

# --fail-on error: warnings are reported, errors fail the build.
lintian --fail-on error --tag-display-limit 0 "$deb" >&2

unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
# The unit as systemd reads it, with the unpacked binary standing in for
# /usr/bin/usaged (systemd-analyze checks that its commands exist).
mkdir "$unpacked/check"
sed "s|/usr/bin/usaged|$unpacked/usr/bin/usaged|g" "$unpacked/lib/systemd/system/usaged.service" \
  >"$unpacked/check/usaged.service"
# It reports a misspelt setting only as a message: any message fails.
report=$(systemd-analyze verify --man=no "$unpacked/check/usaged.service" 2>&1) || {
  echo "$report" >&2
  exit 1
}
if [ -n "$report" ]; then
  echo "package.sh: systemd-analyze verify: $report" >&2
  exit 1
fi
realpath "$deb"
