#!/usr/bin/env bash
# Tessera's Galera test bed: three MariaDB nodes on 127.0.0.1, each with its own data dir under
# $GALERA_DIR (default: a folder in the temp dir), for the suite in test/galera/.
#
#   scripts/galera/cluster.sh up        start all three (installs galera-4 and rsync when missing)
#   scripts/galera/cluster.sh down      stop all three cleanly (the last one stopped may bootstrap next time)
#   scripts/galera/cluster.sh status    one line per node; exits 0 only when all three serve (wsrep_ready=ON, size 3)
#   scripts/galera/cluster.sh kill N    SIGKILL node N (the fault test)
#   scripts/galera/cluster.sh start N   start node N again and wait until it is Synced
#   scripts/galera/cluster.sh reset     down, then remove the data dirs
#
# Node N listens for SQL on 331N, for group traffic on 457N, IST on 456N and rsync SST on 458N.
# Tessera connects as tessera/tessera to the database `tessera` (GALERA_URLS in test/support/galera.ts).
set -uo pipefail
DIR=${GALERA_DIR:-${TMPDIR:-/tmp}/tessera-galera}
PROVIDER=/usr/lib/galera/libgalera_smm.so
WAIT_S=${GALERA_WAIT_SECONDS:-120}

node_dir() { echo "$DIR/node$1"; }
sql() { mariadb --no-defaults -uroot --socket="$(node_dir "$1")/sock" -Nse "$2" 2>/dev/null; }
var() { sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" | cut -f2; }
pid() { local f; f="$(node_dir "$1")/pid"; [ -s "$f" ] && cat "$f"; }
running() { local p; p=$(pid "$1") && kill -0 "$p" 2>/dev/null; }

ensure_packages() {
  local missing=()
  command -v mariadbd >/dev/null || missing+=(mariadb-server)
  [ -f "$PROVIDER" ] || missing+=(galera-4)
  command -v rsync >/dev/null || missing+=(rsync)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The settings Galera needs, plus small buffers so three nodes fit next to everything else on a CI machine.
write_config() {
  local n=$1 d
  d=$(node_dir "$n")
  mkdir -p "$d"
  cat >"$d/my.cnf" <<EOF
[mysqld]
user = mysql
datadir = $d/data
socket = $d/sock
pid-file = $d/pid
log-error = $d/error.log
port = 331$n
bind-address = 127.0.0.1
skip-name-resolve
# Galera: row-based replication, InnoDB only, interleaved auto-increment locks
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = tessera-testbed
wsrep_cluster_address = gcomm://127.0.0.1:4571,127.0.0.1:4572,127.0.0.1:4573
wsrep_node_name = node$n
wsrep_node_address = 127.0.0.1:457$n
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:458$n
# Short failure detection (a dead peer is evicted after ~3 s instead of the default ~15 s) and a small gcache.
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:457$n; ist.recv_addr=127.0.0.1:456$n; gcache.size=32M; evs.keepalive_period=PT0.5S; evs.suspect_timeout=PT2S; evs.inactive_timeout=PT3S; evs.inactive_check_period=PT0.5S"
# Test bed only: small memory
innodb_buffer_pool_size = 64M
innodb_log_file_size = 32M
innodb_flush_log_at_trx_commit = 2
performance_schema = OFF
key_buffer_size = 1M
aria_pagecache_buffer_size = 8M
query_cache_size = 0
max_connections = 100
table_open_cache = 200
tmp_table_size = 8M
max_heap_table_size = 8M
EOF
  if [ ! -d "$d/data/mysql" ]; then
    mariadb-install-db --no-defaults --user=mysql --datadir="$d/data" --skip-test-db >"$d/install.log" 2>&1 ||
      { echo "node$n: mariadb-install-db failed, see $d/install.log"; return 1; }
  fi
  chmod 755 "$DIR" "$d"
  chown -R mysql:mysql "$d"
}

# Waits (bounded) until node N is Synced, or fails with the end of its error log.
wait_synced() {
  local n=$1 launched=$2 i
  for ((i = 0; i < WAIT_S * 4; i++)); do
    [ "$(var "$n" wsrep_local_state_comment)" = Synced ] && return 0
    if ! kill -0 "$launched" 2>/dev/null; then
      echo "node$n exited while starting; end of $(node_dir "$n")/error.log:"
      tail -15 "$(node_dir "$n")/error.log"
      return 1
    fi
    sleep 0.25
  done
  echo "node$n not Synced after ${WAIT_S}s; end of its error log:"
  tail -15 "$(node_dir "$n")/error.log"
  return 1
}

start_node() {
  local n=$1 d t0 position=""
  shift
  d=$(node_dir "$n")
  running "$n" && return 0
  write_config "$n" || return 1
  # A node killed with SIGKILL has no saved position (seqno -1). Without one it would rejoin with a full copy
  # (SST); recovering the position from InnoDB first lets it catch up with the missed writes only (IST).
  if grep -q 'seqno: *-1' "$d/data/grastate.dat" 2>/dev/null; then
    /usr/sbin/mariadbd --defaults-file="$d/my.cnf" --wsrep-recover --disable-log-error 2>"$d/recover.log"
    position=$(sed -n 's/.*WSREP: Recovered position: *//p' "$d/recover.log" | tail -1)
  fi
  rm -f "$d/pid"
  t0=$(date +%s%N)
  setsid /usr/sbin/mariadbd --defaults-file="$d/my.cnf" ${position:+--wsrep-start-position=$position} "$@" \
    >>"$d/stdout.log" 2>&1 </dev/null &
  local launched=$!
  wait_synced "$n" "$launched" || return 1
  echo "node$n Synced in $(((($(date +%s%N) - t0) / 1000000)))ms${position:+ (recovered position $position)}"
}

stop_node() {
  local n=$1 p i
  p=$(pid "$n") && kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p"
  for ((i = 0; i < WAIT_S * 10; i++)); do kill -0 "$p" 2>/dev/null || { echo "node$n stopped"; return 0; }; sleep 0.1; done
  echo "node$n did not stop within ${WAIT_S}s"; return 1
}

# The node a cluster that is entirely down starts from: the one Galera marked safe (stopped last, cleanly);
# after a crash of all nodes none is, and the test bed takes node 1 (a real cluster would compare positions).
bootstrap_node() {
  local n
  for n in 1 2 3; do
    grep -q 'safe_to_bootstrap: 1' "$(node_dir "$n")/data/grastate.dat" 2>/dev/null && { echo "$n"; return; }
  done
  [ -f "$(node_dir 1)/data/grastate.dat" ] && sed -i 's/safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$(node_dir 1)/data/grastate.dat"
  echo 1
}

status() {
  local n ok=0
  for n in 1 2 3; do
    if running "$n"; then
      local ready size state
      ready=$(var "$n" wsrep_ready) size=$(var "$n" wsrep_cluster_size) state=$(var "$n" wsrep_local_state_comment)
      echo "node$n pid $(pid "$n") port 331$n: ready=${ready:-?} state=${state:-?} cluster_size=${size:-?} rss=$(($(ps -o rss= -p "$(pid "$n")") / 1024))MB"
      [ "$ready" = ON ] && [ "$size" = 3 ] && ok=$((ok + 1))
    else
      echo "node$n down"
    fi
  done
  [ $ok -eq 3 ]
}

case "${1:-}" in
  up)
    ensure_packages || exit 1
    t0=$(date +%s%N)
    if ! running 1 && ! running 2 && ! running 3; then
      first=$(bootstrap_node)
      echo "bootstrapping a new cluster from node$first"
      start_node "$first" --wsrep-new-cluster || exit 1
    fi
    for n in 1 2 3; do start_node "$n" || exit 1; done
    for n in 1 2 3; do running "$n" && break; done
    sql "$n" "CREATE DATABASE IF NOT EXISTS tessera;
      CREATE USER IF NOT EXISTS 'tessera'@'127.0.0.1' IDENTIFIED BY 'tessera';
      GRANT ALL ON *.* TO 'tessera'@'127.0.0.1'" || { echo "could not create the tessera user"; exit 1; }
    echo "cluster up in $((($(date +%s%N) - t0) / 1000000))ms"
    status ;;
  down) for n in 3 2 1; do stop_node "$n" || exit 1; done ;;
  status) status ;;
  kill) p=$(pid "${2:?node number}") && kill -KILL "$p" && echo "node$2 (pid $p) killed" ;;
  start) start_node "${2:?node number}" ;;
  reset) "$0" down && rm -rf "$(node_dir 1)" "$(node_dir 2)" "$(node_dir 3)" ;;
  *) sed -n '4,10p' "$0"; exit 2 ;;
esac
