#!/usr/bin/env bash
# Starts a local etcd v3 cluster of 1 or 3 members for Slipway's etcd state store (issue #14), on
# loopback only, each member with its own data dir, pid file and log:
#   member k (1-based): client port PORT+2(k-1), peer port PORT+2(k-1)+1
#   $DATA/m<k> (data)   $DATA/m<k>.pid   $DATA/m<k>.log
# Prints the client endpoints (comma-separated, the form `slipway serve --state etcd://...` takes).
# Idempotent: a member already running (its pid alive) is left alone; a stopped member restarts on its
# existing data (it rejoins the cluster it was part of).
#
# Usage: scripts/start-etcd.sh [--members 1|3] [--port PORT] [--data DIR] [--only K] [--tls DIR] [--install]
#        scripts/start-etcd.sh [--members 1|3] [--port PORT] [--data DIR] [--only K] --stop [--wipe]
#   --members N  cluster size, 1 or 3 (default 3)
#   --port P     first client port (default $SLIPWAY_ETCD_PORT or 32379)
#   --data DIR   where data dirs, pid files and logs go (default $SLIPWAY_ETCD_DATA or /tmp/slipway-etcd-PORT)
#   --only K     start (or stop) member K only
#   --no-wait    do not wait for health (a lone member of a 3-member cluster has no quorum)
#   --tls DIR    clients speak TLS and must show a client certificate signed by DIR/ca.pem
#                (etcd's --client-cert-auth): DIR holds ca.pem, server.pem and server-key.pem
#                (etcd's certificate, valid for 127.0.0.1) and client.pem, client-key.pem (used for
#                the health check). Peers stay plain on loopback. Endpoints: etcds://...
#   --install    apt-get install etcd-server etcd-client first (Debian/Ubuntu, as root)
#   --stop       stops the members (SIGTERM, by their pid files) and exits
#   --wipe       with --stop: also removes the data dirs
# Environment: SLIPWAY_ETCD_HEARTBEAT_MS (default 100), SLIPWAY_ETCD_ELECTION_MS (default 1000).
set -euo pipefail

MEMBERS=3
PORT="${SLIPWAY_ETCD_PORT:-32379}"
DATA=""
ONLY=""
INSTALL=0
STOP=0
WIPE=0
WAIT=1
TLS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --members) MEMBERS="${2:-}"; shift 2 ;;
    --port) PORT="${2:-}"; shift 2 ;;
    --data) DATA="${2:-}"; shift 2 ;;
    --only) ONLY="${2:-}"; shift 2 ;;
    --install) INSTALL=1; shift ;;
    --stop) STOP=1; shift ;;
    --wipe) WIPE=1; shift ;;
    --no-wait) WAIT=0; shift ;;
    --tls) TLS="${2:-}"; shift 2 ;;
    *) echo "start-etcd.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$MEMBERS" in 1|3) ;; *) echo "start-etcd.sh: --members must be 1 or 3, got '$MEMBERS'" >&2; exit 2 ;; esac
case "$PORT" in ''|*[!0-9]*) echo "start-etcd.sh: --port must be a port number, got '$PORT'" >&2; exit 2 ;; esac
if [ "$PORT" -lt 1024 ] || [ "$PORT" -gt 65000 ]; then echo "start-etcd.sh: --port must be in 1024..65000, got $PORT" >&2; exit 2; fi
if [ -n "$ONLY" ] && ! { [ "$ONLY" -ge 1 ] 2>/dev/null && [ "$ONLY" -le "$MEMBERS" ]; }; then
  echo "start-etcd.sh: --only must be a member number in 1..$MEMBERS, got '$ONLY'" >&2; exit 2
fi
DATA="${DATA:-${SLIPWAY_ETCD_DATA:-/tmp/slipway-etcd-$PORT}}"
HEARTBEAT="${SLIPWAY_ETCD_HEARTBEAT_MS:-100}"
ELECTION="${SLIPWAY_ETCD_ELECTION_MS:-1000}"

client_port() { echo $((PORT + 2 * ($1 - 1))); }
peer_port() { echo $((PORT + 2 * ($1 - 1) + 1)); }
selected() { if [ -n "$ONLY" ]; then echo "$ONLY"; else seq 1 "$MEMBERS"; fi; }
alive() { [ -f "$DATA/m$1.pid" ] && kill -0 "$(cat "$DATA/m$1.pid")" 2>/dev/null; }

if [ "$STOP" = 1 ]; then
  for k in $(selected); do
    if alive "$k"; then
      pid="$(cat "$DATA/m$k.pid")"
      echo "stopping etcd member m$k (pid $pid)"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$DATA/m$k.pid"
    if [ "$WIPE" = 1 ]; then rm -rf "$DATA/m$k" "$DATA/m$k.log"; fi
  done
  if [ "$WIPE" = 1 ] && [ -z "$ONLY" ]; then rmdir "$DATA" 2>/dev/null || true; fi
  exit 0
fi

if [ "$INSTALL" = 1 ] && { ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; }; then
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else echo "start-etcd.sh: --install needs root" >&2; exit 1; fi
  else
    SUDO=""
  fi
  # The package may start its own etcd service on 2379/2380: the default ports here stay clear of it.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q etcd-server etcd-client
fi
for cmd in etcd etcdctl; do
  command -v "$cmd" >/dev/null || { echo "start-etcd.sh: $cmd not found (run with --install, or install etcd-server and etcd-client)" >&2; exit 1; }
done

SCHEME=http
CTL_TLS=()
ETCD_TLS=()
if [ -n "$TLS" ]; then
  for f in ca.pem server.pem server-key.pem client.pem client-key.pem; do
    [ -r "$TLS/$f" ] || { echo "start-etcd.sh: --tls $TLS: $TLS/$f is missing or unreadable" >&2; exit 2; }
  done
  SCHEME=https
  ETCD_TLS=(--cert-file "$TLS/server.pem" --key-file "$TLS/server-key.pem" --client-cert-auth --trusted-ca-file "$TLS/ca.pem")
  CTL_TLS=(--cacert "$TLS/ca.pem" --cert "$TLS/client.pem" --key "$TLS/client-key.pem")
fi

CLUSTER=""
ENDPOINTS=""
for k in $(seq 1 "$MEMBERS"); do
  CLUSTER="${CLUSTER:+$CLUSTER,}m$k=http://127.0.0.1:$(peer_port "$k")"
  ENDPOINTS="${ENDPOINTS:+$ENDPOINTS,}127.0.0.1:$(client_port "$k")"
done

mkdir -p "$DATA"
start_member() {
  local k="$1" cport pport state
  cport="$(client_port "$k")"
  pport="$(peer_port "$k")"
  state=new
  [ -d "$DATA/m$k/member" ] && state=existing
  echo "starting etcd member m$k on 127.0.0.1:$cport (peer $pport, data $DATA/m$k, log $DATA/m$k.log)"
  # setsid: the member outlives this script; stop it with --stop.
  setsid etcd --name "m$k" --data-dir "$DATA/m$k" \
    --listen-client-urls "$SCHEME://127.0.0.1:$cport" --advertise-client-urls "$SCHEME://127.0.0.1:$cport" ${ETCD_TLS[@]+"${ETCD_TLS[@]}"} \
    --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "$CLUSTER" --initial-cluster-token "slipway-$PORT" --initial-cluster-state "$state" \
    --heartbeat-interval "$HEARTBEAT" --election-timeout "$ELECTION" \
    --logger zap --log-outputs stderr \
    >>"$DATA/m$k.log" 2>&1 </dev/null &
  echo $! >"$DATA/m$k.pid"
}
for k in $(selected); do
  if alive "$k"; then
    echo "etcd member m$k already running (pid $(cat "$DATA/m$k.pid"))"
    continue
  fi
  start_member "$k"
done

# Ready when every selected member answers a linearizable health check (needs quorum).
[ "$WAIT" = 1 ] || { echo "etcd started (not waiting): $ENDPOINTS"; exit 0; }
for k in $(selected); do
  ok=0
  restarted=0
  for _ in $(seq 1 150); do
    if ETCDCTL_API=3 etcdctl --endpoints "$SCHEME://127.0.0.1:$(client_port "$k")" ${CTL_TLS[@]+"${CTL_TLS[@]}"} --dial-timeout 1s --command-timeout 2s \
      endpoint health >/dev/null 2>&1; then ok=1; break; fi
    if ! alive "$k"; then
      # A member restarted right after a SIGKILL can exit while it rejoins (seen once in CI on a
      # loaded machine): start it once more before giving up.
      [ "$restarted" = 0 ] || break
      restarted=1
      echo "start-etcd.sh: etcd member m$k exited while starting; starting it again" >&2
      sleep 1
      start_member "$k"
    fi
    sleep 0.2
  done
  if [ "$ok" != 1 ]; then
    echo "start-etcd.sh: etcd member m$k did not become healthy; last log lines:" >&2
    tail -5 "$DATA/m$k.log" >&2 || true
    exit 1
  fi
done
echo "etcd ready: $ENDPOINTS${TLS:+ (TLS: etcds://)}"
