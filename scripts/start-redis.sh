#!/usr/bin/env bash
# Starts a Redis server for Slipway's work queue (slipway compare/fuzz/experiment --queue,
# slipway worker) and its live tests: Debian's redis-server on loopback only, its own port, data
# folder and pid file:
#   --port P (default $SLIPWAY_REDIS_PORT or 26379)
#   data and log in /tmp/slipway-redis-P/, pid in /tmp/slipway-redis-P/redis.pid
# Persistence: an append-only file (appendonly yes, fsync every second), no RDB snapshots. A Redis
# stopped and started again with this script on the same port reloads it: the queued runs, the
# finished rows and the sweeps' specs survive, so a sweep resumes (its submitter, or the same
# command submitted again, collects the rows). A crash (kill -9, power) loses at most the last
# second of writes: those runs run again and give the same rows. Without it a restart empties the
# queue: a waiting submitter enqueues its missing runs again, a stopped one starts from zero.
# Idempotent: a server already answering PING on the port is left alone.
#
# Usage: scripts/start-redis.sh [--port P] [--install] [--stop]
#   --install  apt-get install redis-server first when redis-server is missing (Debian/Ubuntu, as root)
#   --stop     stops the server this script started on that port (by its pid file) and exits
# The live queue test (test/sweep/queue.test.ts) uses redis://127.0.0.1:26379/0;
# SLIPWAY_REDIS_URL=redis://127.0.0.1:P/DB points it elsewhere.
set -euo pipefail

PORT="${SLIPWAY_REDIS_PORT:-26379}"
INSTALL=0
STOP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --install) INSTALL=1; shift ;;
    --stop) STOP=1; shift ;;
    *) echo "start-redis.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$PORT" in ''|*[!0-9]*) echo "start-redis.sh: --port: expected a number, got \"$PORT\"" >&2; exit 2 ;; esac

DIR="/tmp/slipway-redis-$PORT"
PIDFILE="$DIR/redis.pid"

if [ "$STOP" = 1 ]; then
  if [ -f "$PIDFILE" ]; then
    pid="$(cat "$PIDFILE")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$PIDFILE"
    echo "redis on 127.0.0.1:$PORT stopped"
  fi
  exit 0
fi

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$INSTALL" = 1 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
  else
    echo "start-redis.sh: redis-server is not installed (apt-get install redis-server, or pass --install)" >&2
    exit 1
  fi
fi

ping() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; }
if ping; then
  echo "redis already answering on 127.0.0.1:$PORT"
  exit 0
fi

mkdir -p "$DIR"
# Loopback only, an append-only file in $DIR (no RDB snapshots); BullMQ wants noeviction.
redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --daemonize yes --pidfile "$PIDFILE" \
  --logfile "$DIR/redis.log" --save '' --appendonly yes --appendfsync everysec --maxmemory-policy noeviction
for _ in $(seq 1 100); do
  if ping; then echo "redis on 127.0.0.1:$PORT (data and log in $DIR)"; exit 0; fi
  sleep 0.1
done
echo "start-redis.sh: redis did not answer on 127.0.0.1:$PORT; see $DIR/redis.log" >&2
exit 1
