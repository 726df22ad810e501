#!/usr/bin/env bash
# Peer suite: the inventory of `monban audit` against aws-sso-util's `admin assignments`
# on the same sandbox. The example organization (examples/holding) is applied, a
# console-made assignment and a deleted user's assignment are planted, and then:
#   - the audit's `assignments` rows of type GROUP equal aws-sso-util's GROUP rows, row for
#     row (principal id and name, permission set ARN and name, account id and name); the
#     USER rows too (the deleted user's included);
#   - the audit's expanded `inventory` rows equal a brute-force expansion computed here in
#     Python from aws-sso-util's rows and boto3's Identity Store reads (ListUsers,
#     ListGroups, ListGroupMemberships).
# Run by scripts/test after nextest; runnable alone: `bash scripts/peers/audit_inventory.sh`.
# See docs/guides/access-reviews.md.
#
# Environment: MONBAN_BIN, AWS_SSO_UTIL_VERSION, BOTO3_VERSION as in aws_sso_util.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

BOTO3_VERSION="${BOTO3_VERSION:-1.44.8}"
AWS_SSO_UTIL_VERSION="${AWS_SSO_UTIL_VERSION:-4.33.0}"
VENV=target/peers/venv

log() { printf 'audit inventory peer: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash

# 1. The venv shared with the boto3 and aws-sso-util suites (made the same way when missing).
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

# 2. The binary, as the test build makes it (peer_ensure_binary).
peer_ensure_binary

# 3. The sandbox: the example's customer managed policies deployed in every account (its
# baseline), fast asynchronous operations.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-audit-inventory.XXXXXX")"
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

peer_start_sandbox "$WORK" SERVER_PID ENDPOINT \
  --async-duration 0.05 \
  --baseline-policy tessera-developer-guardrails:/tessera/ \
  --baseline-policy tessera-developer-workloads:/tessera/ \
  --baseline-policy tessera-sandbox-boundary:/tessera/boundaries/
log "sandbox at $ENDPOINT"

# 4. The scenario; its exit status is this script's.
mkdir -p "$WORK/home"
status=0
HOME="$WORK/home" \
AWS_ACCESS_KEY_ID=AKIAMONBANSANDBOX000 \
AWS_SECRET_ACCESS_KEY=monban-sandbox-secret \
AWS_REGION=us-east-1 \
AWS_CONFIG_FILE=/dev/null \
AWS_SHARED_CREDENTIALS_FILE=/dev/null \
MONBAN_TODAY=2026-11-29 \
  "$VENV/bin/python" scripts/peers/audit_inventory.py "$ENDPOINT" "$PWD/$VENV/bin/aws-sso-util" \
    "$PWD/$BIN" "$WORK" || status=$?
if [ "$status" -ne 0 ]; then
  log "FAILED (exit $status); last lines of the server log:"
  tail -n 20 "$WORK/server.log" >&2
fi
exit "$status"
