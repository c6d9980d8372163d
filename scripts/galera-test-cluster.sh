#!/usr/bin/env bash
# Starts and stops a private two-node MariaDB Galera cluster on this machine for the test suite
# (the cluster tests run usaged nodes against different DB nodes). Each node is a private server
# of scripts/mariadb-test-server.sh in DIR/node1 and DIR/node2, with the Galera settings of
# DIR/nodeN.galera.cnf included; the group, IST and SST ports are picked free and remembered in
# DIR/galera-ports. Node 1 founds the cluster, node 2 joins it by a mariabackup state transfer.
#
#   galera-test-cluster.sh start DIR | stop DIR | status DIR | env DIR
#
# `env` prints USAGED_TEST_GALERA_URL1 and USAGED_TEST_GALERA_URL2 (one URL per DB node).
# GALERA_SYNC_TIMEOUT (seconds, default 120) bounds the wait for both nodes to be Synced.
# Needs the Debian 12 packages mariadb-server, galera-4, mariadb-backup and socat; installs nothing.
set -euo pipefail

die() { echo "galera-test-cluster: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR | stop DIR | status DIR | env DIR"; }

(($# == 2)) || usage
cmd=$1
if [[ ! -d $2 ]]; then
  case $cmd in
    start) mkdir -p "$2" || die "cannot create $2" ;;
    stop) exit 0 ;;
    status) echo "not running"; exit 1 ;;
    *) die "no such directory: $2" ;;
  esac
fi
DIR=$(cd "$2" && pwd -P)
SERVER="$(cd "$(dirname "$0")" && pwd -P)/mariadb-test-server.sh"
PROVIDER=/usr/lib/galera/libgalera_smm.so
SYNC_TIMEOUT=${GALERA_SYNC_TIMEOUT:-120}

exec 9>"$DIR/lock"
flock 9 || die "cannot lock $DIR/lock"

# Runs mariadb-test-server.sh for node N without our lock fd (a server it starts must not hold it).
server() { # COMMAND N
  MARIADB_TEST_EXTRA_CNF="$DIR/node$2.galera.cnf" bash "$SERVER" "$1" "$DIR/node$2" 9>&-
}

node_var() { # N NAME: a variable of `mariadb-test-server.sh env` for node N
  local line
  line=$(bash "$SERVER" env "$DIR/node$1" 9>&- 2>/dev/null | grep "^export $2=") || return 1
  eval "${line#export }"; echo "${!2}"
}

wsrep_status() { # N NAME: a wsrep status value of node N ("" when it does not answer)
  local sock; sock=$(node_var "$1" USAGED_TEST_MARIADB_SOCKET) || return 0
  mariadb --no-defaults -S "$sock" -uroot --connect-timeout=2 -N -B \
    -e "SHOW STATUS LIKE '$2'" 2>/dev/null | cut -f2 || true
}

synced() { # N: node N is Synced in a primary component of two nodes
  [[ $(wsrep_status "$1" wsrep_local_state_comment) == Synced &&
     $(wsrep_status "$1" wsrep_cluster_status) == Primary &&
     $(wsrep_status "$1" wsrep_cluster_size) == 2 ]]
}

port_free() {
  if command -v ss >/dev/null; then [[ -z $(ss -Htln "sport = :$1") ]]
  elif (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 1; fi
}

# Six distinct free ports (group, IST, SST for each node), below the ephemeral range. Remembered
# ones are kept while they are free, so a restarted node finds its peer where it was.
pick_ports() {
  local ports=() p i
  if [[ -s $DIR/galera-ports ]]; then
    read -r -a ports <"$DIR/galera-ports"
    for p in "${ports[@]}"; do port_free "$p" || { ports=(); break; }; done
  fi
  for ((i = 0; ${#ports[@]} < 6 && i < 600; i++)); do
    p=$((10000 + RANDOM % 22000))
    [[ " ${ports[*]} " == *" $p "* ]] || ! port_free "$p" || ports+=("$p")
  done
  ((${#ports[@]} == 6)) || die "no free TCP ports found for the Galera group"
  echo "${ports[*]}" >"$DIR/galera-ports"
}

write_galera_cnf() { # N BOOTSTRAP(0|1)
  local g1 i1 s1 g2 i2 s2 g i s address
  read -r g1 i1 s1 g2 i2 s2 <"$DIR/galera-ports"
  if (($1 == 1)); then g=$g1 i=$i1 s=$s1; else g=$g2 i=$i2 s=$s2; fi
  address="gcomm://127.0.0.1:$g1,127.0.0.1:$g2"
  (($2)) && address="gcomm://"  # an empty address founds a new cluster
  cat >"$DIR/node$1.galera.cnf" <<EOF
# Written by scripts/galera-test-cluster.sh; rewritten on every start.
[mariadbd]
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=usaged_test_$(cksum <<<"$DIR" | cut -d' ' -f1)
wsrep_cluster_address=$address
wsrep_node_address=127.0.0.1
wsrep_node_name=node$1
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$g;ist.recv_addr=127.0.0.1:$i;gcache.size=64M"
wsrep_sst_receive_address=127.0.0.1:$s
wsrep_sst_method=mariabackup
wsrep_sst_auth=root:
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
EOF
}

# A node killed while it was the last one is refused as a founder unless its state file allows
# it; for a test cluster the latest node 1 state is good enough.
allow_bootstrap() {
  local state="$DIR/node1/data/grastate.dat"
  [[ -f $state ]] && sed -i 's/^safe_to_bootstrap: *0/safe_to_bootstrap: 1/' "$state"
  return 0
}

wait_synced() {
  local i
  for ((i = 0; i < SYNC_TIMEOUT * 2; i++)); do
    synced 1 && synced 2 && return 0
    sleep 0.5
  done
  for n in 1 2; do
    echo "node $n: state '$(wsrep_status $n wsrep_local_state_comment)', cluster" \
         "'$(wsrep_status $n wsrep_cluster_status)' of size '$(wsrep_status $n wsrep_cluster_size)';" \
         "last lines of $DIR/node$n/error.log:" >&2
    tail -n 8 "$DIR/node$n/error.log" >&2 2>/dev/null || true
  done
  die "the two Galera nodes were not Synced within $SYNC_TIMEOUT s (GALERA_SYNC_TIMEOUT)"
}

do_start() {
  [[ -r $PROVIDER ]] || die "$PROVIDER not found: install the Debian package galera-4"
  command -v mariabackup >/dev/null || die "mariabackup not found: install mariadb-backup"
  command -v socat >/dev/null || die "socat not found: install socat"
  if synced 1 && synced 2; then return 0; fi
  if ! synced 1 && [[ $(wsrep_status 1 wsrep_cluster_status) != Primary ]]; then
    # No healthy founder: start over from node 1 (its data is kept).
    server stop 2; server stop 1
    pick_ports
    write_galera_cnf 1 1; write_galera_cnf 2 0
    allow_bootstrap
    server start 1
  fi
  server stop 2
  write_galera_cnf 2 0
  server start 2
  wait_synced
}

case $cmd in
  start) do_start ;;
  stop) server stop 2; server stop 1 ;;  # node 1 last: it founds the next start
  status)
    for n in 1 2; do
      echo "node $n: $(bash "$SERVER" status "$DIR/node$n" 9>&- || true)," \
           "wsrep $(wsrep_status $n wsrep_local_state_comment)"
    done
    synced 1 && synced 2 ;;
  env)
    for n in 1 2; do
      url=$(node_var $n USAGED_TEST_MARIADB_URL) || die "no Galera cluster was ever started in $DIR"
      printf 'export USAGED_TEST_GALERA_URL%d=%q\n' "$n" "$url"
    done ;;
  *) usage ;;
esac
