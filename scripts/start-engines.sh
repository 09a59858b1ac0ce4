#!/usr/bin/env bash
# Starts N local Docker engines for Slipway's live backends (default 2), each with its own socket,
# data root, exec root and pid file, and imports the busybox test image into each:
#   /run/slipway/e<k>.sock   /var/lib/slipway/e<k>-<driver>   /run/slipway/e<k>-exec   /run/slipway/e<k>.pid
# Idempotent: an engine already answering on its socket is left alone.
#
# Usage: scripts/start-engines.sh [--count N] [--install] [--stop]
#   --install  apt-get install docker.io runc busybox-static first (Debian/Ubuntu, as root)
#   --stop     stops the engines this script started (by their pid files) and exits
# Environment: SLIPWAY_ENGINE_DIR (default /run/slipway), SLIPWAY_ENGINE_DATA (default /var/lib/slipway),
#   SLIPWAY_STORAGE_DRIVER (default: overlay2, falling back to vfs where the kernel refuses overlay).
set -euo pipefail

ARGS=("$@")
COUNT=2
INSTALL=0
STOP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --install) INSTALL=1; shift ;;
    --stop) STOP=1; shift ;;
    *) echo "start-engines.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then exec sudo -E "$0" "${ARGS[@]}"; fi
  echo "start-engines.sh: dockerd and apt-get need root; run as root or install sudo" >&2
  exit 1
fi

RUN_DIR="${SLIPWAY_ENGINE_DIR:-/run/slipway}"
DATA_DIR="${SLIPWAY_ENGINE_DATA:-/var/lib/slipway}"
DRIVER="${SLIPWAY_STORAGE_DRIVER:-overlay2}"
IMAGE="slipway/busybox:test"

if [ "$STOP" = 1 ]; then
  for k in $(seq 1 "$COUNT"); do
    pidfile="$RUN_DIR/e$k.pid"
    if [ -f "$pidfile" ]; then
      pid="$(cat "$pidfile")"
      if kill -0 "$pid" 2>/dev/null; then
        echo "stopping engine e$k (pid $pid)"
        kill "$pid"
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
    fi
  done
  exit 0
fi

if [ "$INSTALL" = 1 ]; then
  if ! command -v dockerd >/dev/null || ! command -v runc >/dev/null || [ ! -x /bin/busybox ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q docker.io runc busybox-static
  fi
fi

for cmd in dockerd docker runc; do
  command -v "$cmd" >/dev/null || { echo "start-engines.sh: $cmd not found (run with --install, or install docker.io and runc)" >&2; exit 1; }
done
BUSYBOX="$(command -v busybox || true)"
[ -n "$BUSYBOX" ] || { echo "start-engines.sh: busybox not found (install busybox-static)" >&2; exit 1; }

mkdir -p "$RUN_DIR" "$DATA_DIR"

# The test image's root filesystem: static busybox and its applets (sh, sleep, ...).
ROOTFS="$DATA_DIR/rootfs"
if [ ! -x "$ROOTFS/bin/busybox" ]; then
  rm -rf "$ROOTFS.tmp"
  mkdir -p "$ROOTFS.tmp/bin" "$ROOTFS.tmp/tmp" "$ROOTFS.tmp/etc" "$ROOTFS.tmp/proc" "$ROOTFS.tmp/sys" "$ROOTFS.tmp/dev"
  cp "$BUSYBOX" "$ROOTFS.tmp/bin/busybox"
  for app in $("$ROOTFS.tmp/bin/busybox" --list); do
    [ "$app" = busybox ] || ln -sf busybox "$ROOTFS.tmp/bin/$app"
  done
  echo "root:x:0:0:root:/:/bin/sh" > "$ROOTFS.tmp/etc/passwd"
  echo "root:x:0:" > "$ROOTFS.tmp/etc/group"
  mv "$ROOTFS.tmp" "$ROOTFS"
fi

for k in $(seq 1 "$COUNT"); do
  sock="$RUN_DIR/e$k.sock"
  host="unix://$sock"
  if docker -H "$host" version >/dev/null 2>&1; then
    echo "engine e$k already answers on $sock"
  else
    log="$RUN_DIR/e$k.log"
    started=0
    for driver in "$DRIVER" vfs; do
      echo "starting engine e$k on $sock (storage driver $driver, log $log)"
      # setsid: the engine outlives this script; stop it with --stop.
      setsid dockerd -H "$host" \
        --data-root "$DATA_DIR/e$k-$driver" --exec-root "$RUN_DIR/e$k-exec" --pidfile "$RUN_DIR/e$k.pid" \
        --bridge=none --iptables=false --ip-masq=false --storage-driver="$driver" \
        >"$log" 2>&1 < /dev/null &
      pid=$!
      for _ in $(seq 1 300); do
        docker -H "$host" version >/dev/null 2>&1 && { started=1; break; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      [ "$started" = 1 ] && break
      kill "$pid" 2>/dev/null || true
      echo "engine e$k did not start with $driver; last log lines:" >&2
      tail -5 "$log" >&2
      [ "$driver" = vfs ] && break
    done
    [ "$started" = 1 ] || { echo "start-engines.sh: engine e$k did not start" >&2; exit 1; }
  fi
  if ! docker -H "$host" image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "importing $IMAGE into e$k"
    tar -C "$ROOTFS" -c . | docker -H "$host" import - "$IMAGE" >/dev/null
  fi
done
echo "engines ready: $(for k in $(seq 1 "$COUNT"); do printf 'unix://%s/e%s.sock ' "$RUN_DIR" "$k"; done)"
