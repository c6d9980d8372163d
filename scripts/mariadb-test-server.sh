#!/usr/bin/env bash
# Starts and stops a private MariaDB 10.11 server for the test suite. Everything the server owns
# (datadir, socket, pid file, config, error log) lives in DIR, so tests never touch /etc/mysql or
# /run/mysqld and several servers can run side by side.
#
#   mariadb-test-server.sh start DIR [PORT] | stop DIR | restart DIR | kill DIR | status DIR | env DIR
#
# Needs the Debian 12 packages mariadb-server and mariadb-client; installs nothing.
# MARIADB_TEST_EXTRA_CNF may name a file of further server settings that the config includes
# (scripts/galera-test-cluster.sh starts its Galera nodes this way).
set -euo pipefail

die() { echo "mariadb-test-server: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR [PORT] | stop DIR | restart DIR | kill DIR | status DIR | env DIR"; }

(($# >= 2)) || usage
cmd=$1
if [[ ! -d $2 ]]; then  # only start creates DIR; for the others a missing DIR means no server
  case $cmd in
    start) mkdir -p "$2" || die "cannot create $2" ;;
    stop | kill) exit 0 ;;
    status) echo "not running"; exit 1 ;;
    *) die "no such directory: $2" ;;
  esac
fi
DIR=$(cd "$2" && pwd -P)
CNF=$DIR/my.cnf PIDF=$DIR/mariadbd.pid LOG=$DIR/error.log DATA=$DIR/data

# Debian 12 puts mariadbd in /usr/sbin, which a non-root PATH may lack.
find_bin() { command -v "$1" 2>/dev/null || { [[ -x /usr/sbin/$1 ]] && echo "/usr/sbin/$1"; } ||
  die "$1 not found: install the Debian packages mariadb-server and mariadb-client"; }

# A Unix socket path must fit in sun_path (108 bytes). A deep DIR gets a short directory under
# /tmp instead, recorded in DIR/socket-path so every later command finds the same socket.
socket_path() {
  if [[ -s $DIR/socket-path ]]; then cat "$DIR/socket-path"
  elif ((${#DIR} + 14 <= 100)) || [[ $cmd != start ]]; then echo "$DIR/mariadbd.sock"
  else
    local d; d=$(mktemp -d /tmp/usaged-mdb-XXXXXX) || die "cannot create a socket directory in /tmp"
    echo "$d/mariadbd.sock" | tee "$DIR/socket-path"
  fi
}

# One command at a time per DIR, so concurrent start/stop calls cannot race each other.
exec 9>"$DIR/lock"
flock 9 || die "cannot lock $DIR/lock"
SOCK=$(socket_path)

# Alive and not a zombie: a server we just started is our child until it is reaped, and
# `kill -0` succeeds on a zombie, which would make a failed start look like a slow one.
alive() {
  local st
  kill -0 "$1" 2>/dev/null || return 1
  { st=$(<"/proc/$1/status"); } 2>/dev/null || return 1
  [[ ! $st =~ State:[[:space:]]+Z ]]
}

# Prints the pid of the server running for DIR. The command line must name our config file, so a
# pid reused by an unrelated process after a crash is never signalled.
server_pid() {
  local pid; [[ -s $PIDF ]] && pid=$(<"$PIDF") && [[ $pid =~ ^[0-9]+$ ]] || return 1
  alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--defaults-file=$CNF" || return 1
  echo "$pid"
}

ping_server() { mariadb-admin --no-defaults -S "$SOCK" -uroot --connect-timeout=2 ping >/dev/null 2>&1; }

# What a SIGKILL leaves behind; mariadbd refuses nothing here, but a stale pid file would make
# stop/status target a pid that may since have been reused.
clean_stale() { rm -f "$PIDF" "$SOCK" "$SOCK.lock"; }

port_free() {
  if command -v ss >/dev/null; then [[ -z $(ss -Htln "sport = :$1") ]]
  elif (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
}

# Below the kernel's ephemeral range (32768+), so outgoing connections do not take our port.
pick_port() {
  local p i
  for ((i = 0; i < 100; i++)); do
    p=$((10000 + RANDOM % 22000)); port_free "$p" && { echo "$p"; return; }
  done
  die "no free TCP port found"
}

write_cnf() { # PORT NATIVE_AIO(0|1)
  local user=""; ((EUID == 0)) && user="user=root"  # mariadbd refuses to run as root otherwise
  cat >"$CNF" <<EOF
# Written by scripts/mariadb-test-server.sh; rewritten on every start.
[mariadbd]
$user
datadir=$DATA
socket=$SOCK
pid-file=$PIDF
log-error=$LOG
port=$1
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
max_connections=200
skip-log-bin
innodb_buffer_pool_size=256M
# Speed over durability, fine for tests: the log is written to the OS at every commit and flushed
# about once a second, so a killed mariadbd (crash tests) loses nothing; only an OS crash would.
innodb_flush_log_at_trx_commit=2
# 0 when the sandbox blocks io_uring/libaio (the script retries with 0 after such a failure).
innodb_use_native_aio=$2
EOF
  if [[ -n ${MARIADB_TEST_EXTRA_CNF:-} ]]; then
    [[ -r $MARIADB_TEST_EXTRA_CNF ]] || die "cannot read MARIADB_TEST_EXTRA_CNF=$MARIADB_TEST_EXTRA_CNF"
    echo "!include $MARIADB_TEST_EXTRA_CNF" >>"$CNF"
  fi
}

# Initialise into a scratch dir and rename it, so a failed install never looks initialised.
init_datadir() {
  [[ -d $DATA/mysql ]] && return 0
  local inst; inst=$(find_bin mariadb-install-db)
  rm -rf "$DATA.init"
  local args=(--no-defaults "--user=$(id -un)" "--datadir=$DATA.init" --auth-root-authentication-method=normal --skip-test-db)
  if ! "$inst" "${args[@]}" >"$DIR/install.log" 2>&1; then
    rm -rf "$DATA.init"
    "$inst" "${args[@]}" --innodb-use-native-aio=0 >>"$DIR/install.log" 2>&1 ||
      { tail -n 20 "$DIR/install.log" >&2; rm -rf "$DATA.init"; die "mariadb-install-db failed (log: $DIR/install.log)"; }
  fi
  mv "$DATA.init" "$DATA"
}

do_start() { # [PORT]
  local want=${1:-} port aio=1 pid why i off new mariadbd
  [[ -z $want || $want =~ ^[0-9]+$ ]] || die "bad port: $want"
  if pid=$(server_pid) && ping_server; then return 0; fi  # already running: nothing to do
  if pid=$(server_pid); then die "server pid $pid for $DIR runs but does not answer; use stop or kill"; fi
  clean_stale
  mariadbd=$(find_bin mariadbd); find_bin mariadb-admin >/dev/null; find_bin mariadb >/dev/null
  mkdir -p "$(dirname "$SOCK")"
  grep -qx 'innodb_use_native_aio=0' "$CNF" 2>/dev/null && aio=0
  init_datadir
  # An explicit port wins; otherwise reuse the remembered one if it is still free.
  port=$want
  [[ -z $port && -s $DIR/port ]] && port=$(<"$DIR/port") && { port_free "$port" || port=""; }
  [[ -n $port ]] || port=$(pick_port)
  for _ in 1 2 3 4; do
    [[ -n $want ]] && ! port_free "$port" && die "port $port is already in use"
    write_cnf "$port" "$aio"; echo "$port" >"$DIR/port"
    off=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
    # setsid: own session, so the caller's shell, terminal or process group can end without taking
    # the server along. All fds are redirected/closed so $(...) callers and our lock do not hang.
    setsid "$mariadbd" "--defaults-file=$CNF" </dev/null >>"$DIR/console.log" 2>&1 9>&- &
    pid=$!
    for ((i = 0; i < 600; i++)); do
      ping_server && break
      alive "$pid" || break
      sleep 0.1
    done
    if ping_server; then
      mariadb --no-defaults -h127.0.0.1 -P "$port" -uroot -e 'select 1' >/dev/null ||
        { do_stop; die "server answers on $SOCK but root cannot connect over TCP to 127.0.0.1:$port"; }
      return 0
    fi
    new=$({ tail -c +"$((off + 1))" "$LOG"; tail -n 3 "$DIR/console.log"; } 2>/dev/null || true)
    why="exited during startup"
    if alive "$pid"; then why="did not answer within 60 s"; kill -KILL "$pid"; fi
    wait "$pid" 2>/dev/null || true
    clean_stale
    # Two known recoverable failures: a race for an auto-picked port, and blocked io_uring/aio.
    if [[ -z $want ]] && grep -qiE 'address already in use|another .*server running on port' <<<"$new"; then
      port=$(pick_port); continue
    fi
    if ((aio)) && grep -qiE 'io_uring|native aio|aio sub-system|io_setup|libaio' <<<"$new"; then
      aio=0; continue
    fi
    tail -n 20 <<<"$new" >&2
    die "mariadbd $why (log: $LOG)"
  done
  die "mariadbd failed to start after retries (log: $LOG)"
}

wait_gone() { # PID SECONDS
  local i; for ((i = 0; i < $2 * 10; i++)); do alive "$1" || return 0; sleep 0.1; done; return 1
}

do_stop() {
  local pid
  if pid=$(server_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 30; then
      echo "mariadb-test-server: pid $pid ignored SIGTERM for 30 s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true; wait_gone "$pid" 10 || die "pid $pid does not exit"
    fi
  fi
  clean_stale
}

case $cmd in
  start) (($# <= 3)) || usage; do_start "${3:-}" ;;
  stop) do_stop ;;
  restart)
    [[ -s $DIR/port ]] || die "no remembered port in $DIR/port; use start"
    do_stop; do_start "$(<"$DIR/port")" ;;
  kill)  # a crash: SIGKILL, keep the stale pid file and socket
    if pid=$(server_pid); then kill -KILL "$pid"; wait_gone "$pid" 30 || die "pid $pid survives SIGKILL"; fi ;;
  status)
    if pid=$(server_pid) && ping_server; then echo "running pid $pid port $(<"$DIR/port")"
    else echo "not running"; exit 1; fi ;;
  env)
    [[ -s $DIR/port ]] || die "no server was ever started in $DIR"
    printf 'export USAGED_TEST_MARIADB_SOCKET=%q\n' "$SOCK"
    printf 'export USAGED_TEST_MARIADB_PORT=%q\n' "$(<"$DIR/port")"
    printf 'export USAGED_TEST_MARIADB_URL=%q\n' "mariadb://root@127.0.0.1:$(<"$DIR/port")" ;;
  *) usage ;;
esac
