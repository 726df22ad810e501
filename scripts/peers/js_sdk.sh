#!/usr/bin/env bash
# Peer suite: the AWS SDK for JavaScript v3 (npm; Smithy-TypeScript generated, a code
# generator and HTTP stack of its own) runs scripts/peers/js/scenario.mjs against
# `monban sandbox serve`. Run by scripts/test after nextest; runnable alone:
# `bash scripts/peers/js_sdk.sh`. See docs/reference/sandbox.md, "Proof against peers".
#
# Environment:
#   MONBAN_BIN  the monban binary to run (default: target/debug/monban, as the test build makes it)
# The SDK versions are pinned by scripts/peers/js/package.json and package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

INSTALL=target/peers/js

log() { printf 'js-sdk peer: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash

# 1. node and npm (Debian's packages when missing and apt-get can install them), then the
# pinned SDK under target/peers/js (npm ci, only when the lock file changed; the npm
# registry is the only host contacted). Nothing is installed under scripts/.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing node and npm (apt-get install nodejs npm)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    log "node and npm are needed (Debian: apt-get install nodejs npm)"
    exit 1
  fi
fi
mkdir -p "$INSTALL"
if [ ! -d "$INSTALL/node_modules" ] || ! cmp -s scripts/peers/js/package-lock.json "$INSTALL/package-lock.json"; then
  log "installing the pinned SDK into $INSTALL (npm ci)"
  cp scripts/peers/js/package.json scripts/peers/js/package-lock.json "$INSTALL/"
  (cd "$INSTALL" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The scenario runs from beside node_modules so that its imports resolve there.
cp scripts/peers/js/scenario.mjs "$INSTALL/scenario.mjs"

# 2. The binary: target/debug/monban as the test build makes it (peer_ensure_binary,
# scripts/peers/lib/sandbox.bash); never a second, differently feature-unified build.
peer_ensure_binary

# 3. The server, on a free loopback port with its own state dir; always stopped.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-js-sdk.XXXXXX")"
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

# 4. The scenario; its exit status is this script's. No AWS_* variable of the caller's
# reaches the SDK (the scenario passes endpoint, region and keys itself). The SDK's notice
# that its releases after January 2027 need node >= 22 is silenced (the pinned one runs on
# Debian's node 20; docs/reference/sandbox.md says so).
status=0
env -u AWS_PROFILE -u AWS_ENDPOINT_URL AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
  node "$INSTALL/scenario.mjs" "$ENDPOINT" || status=$?
if [ "$status" -ne 0 ]; then
  log "FAILED (exit $status); last lines of the server log:"
  tail -n 20 "$WORK/server.log" >&2
fi
exit "$status"
