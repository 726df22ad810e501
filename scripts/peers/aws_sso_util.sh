#!/usr/bin/env bash
# Peer suite: aws-sso-util (a third-party tool on boto3) runs `admin assignments` against
# `monban sandbox serve` and must list exactly the assignments that exist, with the names it
# resolves. Run by scripts/test after nextest; runnable alone:
# `bash scripts/peers/aws_sso_util.sh`. See docs/reference/sandbox.md, "Proof against peers".
#
# Environment:
#   MONBAN_BIN            the monban binary to run (default: target/debug/monban, as the test build makes it)
#   AWS_SSO_UTIL_VERSION  the pinned aws-sso-util (default below); reinstalled when it changes
#   BOTO3_VERSION         the pinned boto3, shared with scripts/peers/boto3.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

BOTO3_VERSION="${BOTO3_VERSION:-1.44.8}"
AWS_SSO_UTIL_VERSION="${AWS_SSO_UTIL_VERSION:-4.33.0}"
VENV=target/peers/venv

log() { printf 'aws-sso-util peer: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash

# 1. The venv shared with the boto3 suite (created the same way when missing), plus
# aws-sso-util; boto3/botocore stay pinned in the same install so that its requirements
# cannot move them (boto3.sh rebuilds the venv, dropping it, when its pin changes).
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.boto3-version" 2>/dev/null)" != "$BOTO3_VERSION" ]; then
  log "creating $VENV with boto3==$BOTO3_VERSION"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "boto3==$BOTO3_VERSION"
  printf '%s\n' "$BOTO3_VERSION" >"$VENV/.boto3-version"
fi
if [ ! -x "$VENV/bin/aws-sso-util" ] || [ "$(cat "$VENV/.aws-sso-util-version" 2>/dev/null)" != "$AWS_SSO_UTIL_VERSION" ]; then
  log "installing aws-sso-util==$AWS_SSO_UTIL_VERSION into $VENV"
  "$VENV/bin/pip" install --quiet "aws-sso-util==$AWS_SSO_UTIL_VERSION" "boto3==$BOTO3_VERSION" "botocore==$BOTO3_VERSION"
  printf '%s\n' "$AWS_SSO_UTIL_VERSION" >"$VENV/.aws-sso-util-version"
fi

# 2. The binary: target/debug/monban as the test build makes it (peer_ensure_binary,
# scripts/peers/lib/sandbox.bash); never a second, differently feature-unified build.
peer_ensure_binary

# 3. The server, on a free loopback port with its own state dir; always stopped.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-aws-sso-util.XXXXXX")"
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

# 4. The scenario; its exit status is this script's. aws-sso-util gets a HOME of its own
# (it reads ~/.aws) and no endpoint but the ones the driver gives it.
mkdir -p "$WORK/home"
status=0
HOME="$WORK/home" \
AWS_ACCESS_KEY_ID=AKIAMONBANSANDBOX000 \
AWS_SECRET_ACCESS_KEY=monban-sandbox-secret \
AWS_REGION=us-east-1 \
AWS_CONFIG_FILE=/dev/null \
AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  "$VENV/bin/python" scripts/peers/aws_sso_util_scenario.py "$ENDPOINT" "$PWD/$VENV/bin/aws-sso-util" || status=$?
if [ "$status" -ne 0 ]; then
  log "FAILED (exit $status); last lines of the server log:"
  tail -n 20 "$WORK/server.log" >&2
fi
exit "$status"
