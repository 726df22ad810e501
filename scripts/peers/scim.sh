#!/usr/bin/env bash
# Peer suite: scim2-tester (an independent SCIM 2.0 checker from PyPI, built on scim2-client
# and scim2-models) runs its conformance checks against the sandbox's SCIM endpoint, found
# with `monban sandbox scim-token`. The checks that fail must be exactly those IAM Identity
# Center's documented SCIM limitations make fail — listed, each with its AWS doc, in
# scripts/peers/scim_check.py; an unexpected failure or an unexpected pass fails the suite.
# Then a joiner and a leaver go through SCIM and boto3's identitystore client must see them
# (ENABLED, then DISABLED, then gone).
# Run by scripts/test after nextest; runnable alone: `bash scripts/peers/scim.sh`.
#
# Environment:
#   MONBAN_BIN            the monban binary to run (default: target/debug/monban, as the test build makes it)
#   SCIM2_TESTER_VERSION  the pinned scim2-tester (default below); the venv is rebuilt when it changes
#   BOTO3_VERSION         the pinned boto3 (as scripts/peers/boto3.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."

SCIM2_TESTER_VERSION="${SCIM2_TESTER_VERSION:-0.5.2}"
BOTO3_VERSION="${BOTO3_VERSION:-1.44.8}"
PINS="scim2-tester[httpx2]==$SCIM2_TESTER_VERSION boto3==$BOTO3_VERSION"
VENV=target/peers/scim-venv

log() { printf 'scim peer: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash

# 1. The venv, reused across runs; only PyPI is contacted, and only when it is missing.
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$PINS" ]; then
  log "creating $VENV with $PINS"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086 # PINS is a list of requirement specifiers
  "$VENV/bin/pip" install --quiet $PINS
  printf '%s\n' "$PINS" >"$VENV/.pins"
fi

# 2. The binary, as the test build makes it (peer_ensure_binary).
peer_ensure_binary

# 3. The server, on a free loopback port with its own state dir; always stopped.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-scim.XXXXXX")"
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

# 4. The endpoint and token as an admin gets them (the token is the last stdout line; it
# stays in this process, never printed).
"$BIN" sandbox scim-token --endpoint-url "$ENDPOINT" >"$WORK/scim" 2>/dev/null
SCIM_URL="$(head -n 1 "$WORK/scim")"
SCIM_TOKEN="$(tail -n 1 "$WORK/scim")"
case "$SCIM_URL" in
  "$ENDPOINT"/*/scim/v2) log "SCIM endpoint $SCIM_URL" ;;
  *) log "unexpected SCIM endpoint line: $SCIM_URL"; exit 1 ;;
esac

# 5. The checker; its exit status is this script's.
status=0
AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  "$VENV/bin/python" scripts/peers/scim_check.py "$ENDPOINT" "$SCIM_URL" "$SCIM_TOKEN" || status=$?
if [ "$status" -ne 0 ]; then
  log "FAILED (exit $status); last lines of the server log:"
  tail -n 20 "$WORK/server.log" >&2
fi
exit "$status"
