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

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.boto3-version" 2>/dev/null)" != "$BOTO3_VERSION" ]; then
  log "creating $VENV with boto3==$BOTO3_VERSION"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "boto3==$BOTO3_VERSION"
  printf '%s\n' "$BOTO3_VERSION" >"$VENV/.boto3-version"
fi

BIN="${MONBAN_BIN:-target/debug/monban}"
if [ -z "${MONBAN_BIN:-}" ] && [ ! -x "$BIN" ]; then
  log "building monban (cargo build -p monban)"
  cargo build --locked -p monban
fi

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

mkfifo "$WORK/stdout"
"$BIN" sandbox serve --addr 127.0.0.1:0 --state "$WORK/state" \
  >"$WORK/stdout" 2>"$WORK/server.log" &
SERVER_PID=$!
exec 3<"$WORK/stdout"
READY_LINE=""
if ! IFS= read -r -t 30 READY_LINE <&3; then
  log "the sandbox printed no READY line; its log:"
  cat "$WORK/server.log" >&2
  exit 1
fi
case "$READY_LINE" in
  "READY http://"*) ENDPOINT="${READY_LINE#READY }" ;;
  *) log "unexpected first line: $READY_LINE"; exit 1 ;;
esac
cat <&3 >/dev/null &
exec 3<&-
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
