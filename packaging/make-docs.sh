#!/usr/bin/env bash
# Makes the package's man page (from the command's own --help, every
# subcommand included) and its changelog (a native package's).
# Usage: make-docs.sh USAGED_BINARY VERSION OUT_DIR MAINTAINER
set -euo pipefail
binary=$1 version=$2 out=$3 maintainer=$4
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The subcommands, as `usaged --help` lists them.
commands=$("$binary" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}')
{
  echo "[COMMANDS]"
  for command in $commands; do
    echo ".SS \"usaged $command\""
    echo ".nf"
    # help2man's include is roff: keep the help text literal.
    "$binary" "$command" --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
    echo ".fi"
  done
  echo "[FILES]"
  echo ".TP"
  echo "/etc/usaged/usaged.conf"
  echo "Options of the service (global ones at the top, a command's own in its [section])."
  echo ".TP"
  echo "/etc/cloudstack/usage/db.properties"
  echo "CloudStack's database settings, used when no database is configured."
  echo ".TP"
  echo "/var/log/usaged"
  echo "usaged.log, healing.log and sanity.log of the service."
  echo "[SEE ALSO]"
  echo "/usr/share/doc/usaged/install.md, /usr/share/doc/usaged/migration.md"
} >"$work/include"

help2man --no-info --no-discard-stderr --section 1 \
  --name "usage server for Apache CloudStack" \
  --version-string "$version" --include "$work/include" \
  --output "$work/usaged.1" "$binary"
# help2man names the binary by the path it was given.
sed -i "s|$(dirname "$binary")/||g" "$work/usaged.1"
gzip -9n -c "$work/usaged.1" >"$out/usaged.1.gz"

# The date of the commit built, so that the same tree gives the same package.
when=$(git -C "$(dirname "$0")" log -1 --format=%cD 2>/dev/null || date -R)
cat >"$work/changelog" <<CHANGELOG
usaged ($version) unstable; urgency=medium

  * Built from the usaged source tree; see README.md for what it does.

 -- $maintainer  $when
CHANGELOG
gzip -9n -c "$work/changelog" >"$out/changelog.gz"
