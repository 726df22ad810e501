#!/usr/bin/env bash
# Peer suite: moto, a second AWS emulator written by others. Records, as data, where moto
# departs from documented AWS behaviour and checks that the sandbox does not; then computes
# the same monban plan against both and compares; then applies a repo to a fresh moto and
# checks the result with boto3. Run by scripts/test after nextest;
# runnable alone: `bash scripts/peers/moto.sh`. See docs/reference/peers-moto.md.
#
# Environment:
#   MONBAN_BIN     the monban binary to run (default: target/debug/monban, as the test build makes it)
#   MOTO_VERSION   the pinned moto (default below); reinstalled into the venv when it changes
#   BOTO3_VERSION  the pinned boto3, shared with scripts/peers/boto3.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

BOTO3_VERSION="${BOTO3_VERSION:-1.44.8}"
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
VENV=target/peers/venv

log() { printf 'moto peer: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash
started=$SECONDS

# 1. The venv shared with the boto3 suite (created the same way when missing), plus moto.
# boto3/botocore stay pinned in the same install so that moto's requirements cannot move
# them (boto3.sh rebuilds the venv, dropping moto, when its pin changes).
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.boto3-version" 2>/dev/null)" != "$BOTO3_VERSION" ]; then
  log "creating $VENV with boto3==$BOTO3_VERSION"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "boto3==$BOTO3_VERSION"
  printf '%s\n' "$BOTO3_VERSION" >"$VENV/.boto3-version"
fi
if [ ! -x "$VENV/bin/moto_server" ] || [ "$(cat "$VENV/.moto-version" 2>/dev/null)" != "$MOTO_VERSION" ]; then
  log "installing moto[server]==$MOTO_VERSION into $VENV"
  "$VENV/bin/pip" install --quiet "moto[server]==$MOTO_VERSION" "boto3==$BOTO3_VERSION" "botocore==$BOTO3_VERSION"
  printf '%s\n' "$MOTO_VERSION" >"$VENV/.moto-version"
fi

# 2. The binary, as the test build makes it (peer_ensure_binary).
peer_ensure_binary
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# 3. Both servers on free loopback ports; always stopped, whatever happens.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-moto.XXXXXX")"
SANDBOX_PID=""
MOTO_PID=""
STEP_PID=""
stop() {
  local pid="$1"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$STEP_PID"
  stop "$SANDBOX_PID"
  stop "$MOTO_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MOTO_PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
MOTO_URL="http://127.0.0.1:$MOTO_PORT"

peer_start_sandbox "$WORK" SANDBOX_PID SANDBOX_URL

# moto has no ready line: poll its management API (about 2 s on 2 cores).
for _ in $(seq 1 150); do
  if "$VENV/bin/python" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
      "$MOTO_URL/moto-api/data.json" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then
    log "moto_server exited; its log:"
    cat "$WORK/moto.log" >&2
    exit 1
  fi
  sleep 0.2
done
log "sandbox at $SANDBOX_URL, moto $MOTO_VERSION at $MOTO_URL ($((SECONDS - started)) s)"

# 4. The departures, then the plan comparison; both always run, either failing fails. Each
# runs in the background and is waited for, so that an INT or TERM is handled at once
# (bash defers traps until a foreground command ends) and the cleanup stops it too.
run_step() {
  "$@" &
  STEP_PID=$!
  wait "$STEP_PID"
}
status=0
export AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
run_step "$VENV/bin/python" scripts/peers/moto_departures.py check "$SANDBOX_URL" "$MOTO_URL" || status=1
mkdir -p "$WORK/plans"
run_step "$VENV/bin/python" scripts/peers/moto_plan.py "$SANDBOX_URL" "$MOTO_URL" "$BIN" "$WORK/plans" || status=1
# Last, because it resets moto: monban apply against a fresh moto, checked with boto3.
run_step "$VENV/bin/python" scripts/peers/moto_apply.py "$MOTO_URL" "$BIN" "$WORK/plans" || status=1
if [ "$status" -ne 0 ]; then
  log "FAILED; last lines of the sandbox log:"
  tail -n 20 "$WORK/server.log" >&2
fi
log "done in $((SECONDS - started)) s"
exit "$status"
