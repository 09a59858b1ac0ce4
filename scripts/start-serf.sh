#!/usr/bin/env bash
# Starts HashiCorp Serf agents on loopback for `cluster.membership: serf`: one agent for the control
# plane (Slipway reads membership from its RPC port) and one per node, tagged slipway-node=<name>,
# all joined into one cluster. Serf runs memberlist (SWIM + Lifeguard) with its LAN defaults.
#
#   control plane:  gossip 127.0.0.1:<base>      rpc 127.0.0.1:<rpc-base>        (name slipway-control-plane)
#   node k (1..N):  gossip 127.0.0.1:<base+k>    rpc 127.0.0.1:<rpc-base+k>      (name = the node's name)
#   files:          <dir>/<name>.pid  <dir>/<name>.log
#
# Usage: scripts/start-serf.sh [--nodes a,b,...] [--dir DIR] [--base-port P] [--rpc-base-port P]
#                              [--install] [--stop] [--restart NAME]
#   --nodes       node names (default engine-1,engine-2)
#   --dir         pid and log files (default $SLIPWAY_SERF_DIR or /tmp/slipway-serf)
#   --base-port   gossip port of the control plane's agent (default 7946); nodes use the next ones
#   --rpc-base-port  RPC port of the control plane's agent (default 7373); nodes use the next ones
#   --install     apt-get install serf first (Debian/Ubuntu; needs root or sudo)
#   --stop        stops every agent with a pid file in --dir and exits
#   --restart NAME  starts that one agent again (after a kill) and joins it to the control plane's
# Idempotent: an agent whose pid is alive is left alone.
set -euo pipefail

NODES="engine-1,engine-2"
DIR="${SLIPWAY_SERF_DIR:-/tmp/slipway-serf}"
BASE=7946
RPC_BASE=7373
INSTALL=0
STOP=0
RESTART=""
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --base-port) BASE="$2"; shift 2 ;;
    --rpc-base-port) RPC_BASE="$2"; shift 2 ;;
    --install) INSTALL=1; shift ;;
    --stop) STOP=1; shift ;;
    --restart) RESTART="$2"; shift 2 ;;
    *) echo "start-serf.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
for p in "$BASE" "$RPC_BASE"; do
  case "$p" in ''|*[!0-9]*) echo "start-serf.sh: port must be a number, got '$p'" >&2; exit 2 ;; esac
done

if [ "$INSTALL" = 1 ] && ! command -v serf >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q serf
fi

mkdir -p "$DIR"

if [ "$STOP" = 1 ]; then
  for pidfile in "$DIR"/*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -CONT "$pid" 2>/dev/null || true
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  exit 0
fi

command -v serf >/dev/null || { echo "start-serf.sh: serf is not installed (apt-get install serf, or pass --install)" >&2; exit 1; }

IFS=',' read -r -a NAMES <<< "$NODES"
CP=slipway-control-plane

# start NAME GOSSIP_PORT RPC_PORT [TAG_VALUE]
start() {
  local name="$1" port="$2" rpc="$3" tag="${4:-}"
  local pidfile="$DIR/$name.pid"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "serf agent $name already running (pid $(cat "$pidfile"))"
    return
  fi
  local args=(agent "-node=$name" "-bind=127.0.0.1:$port" "-rpc-addr=127.0.0.1:$rpc" -log-level=info)
  [ -n "$tag" ] && args+=(-tag "slipway-node=$tag")
  [ "$name" != "$CP" ] && args+=("-join=127.0.0.1:$BASE")
  nohup serf "${args[@]}" >>"$DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 100); do
    if serf members "-rpc-addr=127.0.0.1:$rpc" >/dev/null 2>&1; then
      echo "serf agent $name: gossip 127.0.0.1:$port, rpc 127.0.0.1:$rpc, pid $(cat "$pidfile")"
      return
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.1
  done
  echo "start-serf.sh: agent $name did not start; last lines of $DIR/$name.log:" >&2
  tail -5 "$DIR/$name.log" >&2
  exit 1
}

# members_alive NAME...: waits until the control plane's agent lists every NAME as alive. An
# agent's RPC port answers before its join has necessarily reached the control plane's agent, and
# whoever starts Slipway right after this script expects every node to be a member already.
members_alive() {
  local alive missing
  for _ in $(seq 1 100); do
    alive="$(serf members "-rpc-addr=127.0.0.1:$RPC_BASE" -status=alive 2>/dev/null | awk '{print $1}')"
    missing=""
    for n in "$@"; do grep -qxF "$n" <<<"$alive" || missing="$missing $n"; done
    [ -z "$missing" ] && return 0
    sleep 0.1
  done
  echo "start-serf.sh: not alive in the control plane's view after 10 s:$missing" >&2
  exit 1
}

if [ -n "$RESTART" ]; then
  if [ "$RESTART" = "$CP" ]; then start "$CP" "$BASE" "$RPC_BASE"; exit 0; fi
  for k in "${!NAMES[@]}"; do
    if [ "${NAMES[$k]}" = "$RESTART" ]; then
      start "$RESTART" $((BASE + k + 1)) $((RPC_BASE + k + 1)) "$RESTART"
      members_alive "$RESTART"
      exit 0
    fi
  done
  echo "start-serf.sh: --restart $RESTART is not one of --nodes $NODES" >&2
  exit 2
fi

start "$CP" "$BASE" "$RPC_BASE"
for k in "${!NAMES[@]}"; do
  start "${NAMES[$k]}" $((BASE + k + 1)) $((RPC_BASE + k + 1)) "${NAMES[$k]}"
done
members_alive "${NAMES[@]}"
