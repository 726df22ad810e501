#!/usr/bin/env bash
# Peer suite: boto3, an independent client (botocore's own wire code), drives a realistic
# scenario against `monban sandbox serve` and checks every answer. Run by scripts/test after
# nextest; runnable alone: `bash scripts/peers/boto3.sh`. See docs/reference/sandbox.md,
# "Proof against peers".
#
# Environment:
#   MONBAN_BIN   the monban binary to run (default: target/debug/monban, as the test build makes it)
#   BOTO3_VERSION  the pinned boto3 (default below); the venv is rebuilt when it changes
set -euo pipefail
cd "$(dirname "$0")/../.."

BOTO3_VERSION="${BOTO3_VERSION:-1.44.8}"
VENV=target/peers/venv

log() { printf 'boto3 peer: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash

# 1. The venv, reused across runs; only PyPI is contacted, and only when it is missing.
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.boto3-version" 2>/dev/null)" != "$BOTO3_VERSION" ]; then
  log "creating $VENV with boto3==$BOTO3_VERSION"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "boto3==$BOTO3_VERSION"
  printf '%s\n' "$BOTO3_VERSION" >"$VENV/.boto3-version"
fi

# 2. The binary: target/debug/monban as the test build makes it (peer_ensure_binary,
# scripts/peers/lib/sandbox.bash); never a second, differently feature-unified build.
peer_ensure_binary

# 3. The server, on a free loopback port with its own state dir; always stopped.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-boto3.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

peer_start_sandbox "$WORK" SERVER_PID ENDPOINT
log "sandbox at $ENDPOINT"

# 4. The scenario; its exit status is this script's.
status=0
AWS_ACCESS_KEY_ID=AKIAMONBANSANDBOX000 \
AWS_SECRET_ACCESS_KEY=monban-sandbox-secret \
AWS_REGION=us-east-1 \
AWS_CONFIG_FILE=/dev/null \
AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  "$VENV/bin/python" scripts/peers/boto3_scenario.py "$ENDPOINT" || status=$?
if [ "$status" -ne 0 ]; then
  log "FAILED (exit $status); last lines of the server log:"
  tail -n 20 "$WORK/server.log" >&2
fi
exit "$status"
