#!/usr/bin/env bash
# Peer check: boto3 (botocore's own awsQuery serializer and XML/error parsers) against the
# sandbox's STS and IAM — scripts/peers/boto3_iam.py. Runnable alone:
# `bash scripts/peers/boto3_iam.sh`. Same venv and binary handling as scripts/peers/boto3.sh.
#
# Environment:
#   MONBAN_BIN     the monban binary to run (default: target/debug/monban, built if missing)
#   BOTO3_VERSION  the pinned boto3 (default below); the venv is rebuilt when it changes
set -euo pipefail
cd "$(dirname "$0")/../.."

BOTO3_VERSION="${BOTO3_VERSION:-1.44.8}"
VENV=target/peers/venv
log() { printf 'boto3 iam peer: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.boto3-version" 2>/dev/null)" != "$BOTO3_VERSION" ]; then
  log "creating $VENV with boto3==$BOTO3_VERSION"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "boto3==$BOTO3_VERSION"
  printf '%s\n' "$BOTO3_VERSION" >"$VENV/.boto3-version"
fi

peer_ensure_binary

WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-boto3-iam.XXXXXX")"
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

status=0
AWS_ACCESS_KEY_ID=AKIAMONBANSANDBOX000 \
AWS_SECRET_ACCESS_KEY=monban-sandbox-secret \
AWS_CONFIG_FILE=/dev/null \
AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  "$VENV/bin/python" scripts/peers/boto3_iam.py "$ENDPOINT" || status=$?
if [ "$status" -ne 0 ]; then
  log "FAILED (exit $status); last lines of the server log:"
  tail -n 20 "$WORK/server.log" >&2
fi
exit "$status"
