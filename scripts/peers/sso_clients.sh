#!/usr/bin/env bash
# Peer suite: independent clients use what `monban login` and `monban profiles sync` wrote.
# Against `monban sandbox serve` with a small organization applied by monban:
#   1. `monban login --use-device-code` (the sign-in form posted by sso_sign_in.py, as a
#      person would) writes the token cache; `monban profiles sync` writes the profiles into
#      a HOME whose ~/.aws/config already holds unrelated settings (kept byte for byte; a
#      second sync changes nothing);
#   2. boto3 on a synced profile, with no endpoint in its environment, reads monban's token
#      cache, gets keys from the sandbox portal and calls GetCallerIdentity -> the expected
#      assumed-role ARN; so does `aws sts get-caller-identity --profile …` (AWS CLI v1) —
#      the "done when" of issue 7: from nothing to get-caller-identity;
#   3. the AWS SDK for JavaScript v3 (fromSSO) does the same;
#   4. a profile with `credential_process = monban credentials …` works in boto3;
#   5. the person is deactivated through SCIM (as the IdP does for a leaver): boto3 gets no
#      new credentials, and neither does `monban credentials` once its cache is cleared.
# Run by scripts/test after nextest; runnable alone: `bash scripts/peers/sso_clients.sh`.
# See docs/guides/developer-access.md.
#
# Environment:
#   MONBAN_BIN            the monban binary to run (default: target/debug/monban, as the test build makes it)
#   BOTO3_VERSION, AWS_SSO_UTIL_VERSION   pins shared with boto3.sh / aws_sso_util.sh
#   AWSCLI_VERSION        the pinned AWS CLI v1 (own venv, target/peers/awscli-venv)
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf 'sso-clients peer: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash
# shellcheck source=scripts/peers/lib/sso.bash
source scripts/peers/lib/sso.bash

# 1. Tools: the shared venv (boto3, aws-sso-util) and the pinned JS SDK (incl.
# @aws-sdk/credential-providers) under target/peers; the binary.
peer_ensure_venv
peer_ensure_awscli
peer_ensure_js
cp scripts/peers/js/sso_scenario.mjs "$JS_INSTALL/sso_scenario.mjs"
peer_ensure_binary
PEER_PYTHON="$PWD/$VENV/bin/python"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# 2. The server, on a free loopback port with its own state dir; always stopped.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-sso-clients.XXXXXX")"
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

failures=0
fail() { log "FAIL: $*"; failures=$((failures + 1)); }

# 3. The organization, applied by monban as an operator would.
sso_write_org "$WORK/repo"
sso_apply_org "$WORK/repo" "$ENDPOINT"

# 4. A developer's HOME: ~/.aws/config with settings of their own and the sandbox's
# sso-session (the only thing they write by hand, docs/guides/developer-access.md).
HOME_DIR="$WORK/home"
mkdir -p "$HOME_DIR/.aws"
CONFIG="$HOME_DIR/.aws/config"
cat >"$CONFIG" <<'EOF'
# my own settings, which monban must never touch
[default]
region = eu-west-1
output = json

[profile unrelated]
role_arn = arn:aws:iam::123456789012:role/SomethingElse
source_profile = default   ; a comment too

[sso-session sandbox]
sso_start_url = https://monban-sandbox.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
EOF
cp "$CONFIG" "$WORK/config.original"
# monban and the clients see only this HOME: no AWS_* of the caller's.
CLEAN_ENV=(-u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY
  -u AWS_SESSION_TOKEN -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_ENDPOINT_URL -u AWS_CONFIG_FILE
  -u AWS_SHARED_CREDENTIALS_FILE -u AWS_ENDPOINT_URL_SSO -u AWS_ENDPOINT_URL_SSO_OIDC -u AWS_ENDPOINT_URL_STS
  HOME="$HOME_DIR" XDG_CACHE_HOME="$HOME_DIR/.cache" AWS_EC2_METADATA_DISABLED=true NO_COLOR=1)
# Login and sync are told where the sandbox is through the standard variable; the profiles
# sync writes carry it on (a `services` section), so the clients need nothing.
SANDBOX_ENV=("${CLEAN_ENV[@]}" AWS_ENDPOINT_URL="$ENDPOINT")

# 5. Sign in (device flow, form posted as alice) and sync.
if ! sso_device_login "$WORK" sandbox alice@example.com "${SANDBOX_ENV[@]}"; then
  log "cannot continue without a login"
  exit 1
fi
TOKEN_FILE="$HOME_DIR/.aws/sso/cache/$(printf '%s' sandbox | sha1sum | cut -d' ' -f1).json"
[ -f "$TOKEN_FILE" ] || { fail "no token cache file ~/.aws/sso/cache/sha1(sandbox).json after login"; exit 1; }
[ "$(stat -c %a "$TOKEN_FILE")" = 600 ] || fail "the token cache file is mode $(stat -c %a "$TOKEN_FILE"), not 600"
env "${SANDBOX_ENV[@]}" "$BIN" profiles sync --repo "$WORK/repo" >"$WORK/sync.out" 2>"$WORK/sync.err" \
  || { cat "$WORK/sync.err" >&2; fail "profiles sync exited non-zero"; exit 1; }
# No secret of the cache in what login and sync printed.
for secret in $("$PEER_PYTHON" -c 'import json, sys
token = json.load(open(sys.argv[1]))
print(" ".join(token[key] for key in ("accessToken", "refreshToken", "clientSecret") if token.get(key)))' "$TOKEN_FILE"); do
  for output in "$WORK/login.sandbox.log" "$WORK/sync.out" "$WORK/sync.err" "$CONFIG"; do
    if grep -qF -- "$secret" "$output"; then fail "a token or client secret appears in $(basename "$output")"; fi
  done
done
cat "$WORK/sync.out" >&2
expected_profiles="app-dev.AdministratorAccess app-dev.ReadOnly app-prod.ReadOnly"
[ "$(cut -f1 "$WORK/sync.out" | tr '\n' ' ' | sed 's/ $//')" = "$expected_profiles" ] \
  || fail "synced profiles: $(cut -f1 "$WORK/sync.out" | tr '\n' ' '), expected $expected_profiles"
head -c "$(wc -c <"$WORK/config.original")" "$CONFIG" | cmp -s - "$WORK/config.original" \
  || fail "the settings before monban's block changed"
cp "$CONFIG" "$WORK/config.synced"
env "${SANDBOX_ENV[@]}" "$BIN" profiles sync --repo "$WORK/repo" >/dev/null 2>"$WORK/sync2.err" \
  || fail "second profiles sync exited non-zero"
grep -q "nothing changed" "$WORK/sync2.err" || fail "second sync did not say nothing changed: $(cat "$WORK/sync2.err")"
cmp -s "$CONFIG" "$WORK/config.synced" || fail "a second sync changed the file"
APP_PROD="$(awk -F'\t' '$1 == "app-prod.ReadOnly" { print $2 }' "$WORK/sync.out")"
log "app-prod is account $APP_PROD"

# 6. boto3 on the synced profile, nothing in its environment but HOME.
env "${CLEAN_ENV[@]}" "$PEER_PYTHON" scripts/peers/sso_clients_scenario.py caller-identity \
  app-prod.ReadOnly "$APP_PROD" ReadOnly alice@example.com sso || fail "boto3 on a synced profile"

# The "done when" of issue 7 word for word: `aws sts get-caller-identity --profile <synced
# profile>` (AWS CLI v1, on its own botocore).
ARN="$(env "${CLEAN_ENV[@]}" "$AWS_CLI" sts get-caller-identity --profile app-prod.ReadOnly --query Arn --output text)" \
  || fail "aws sts get-caller-identity --profile app-prod.ReadOnly failed"
if [[ "$ARN" =~ ^arn:aws:sts::$APP_PROD:assumed-role/AWSReservedSSO_ReadOnly_[0-9a-f]{16}/alice@example\.com$ ]]; then
  log "ok   aws sts get-caller-identity --profile app-prod.ReadOnly -> $ARN"
else
  fail "aws sts get-caller-identity answered $ARN"
fi

# 7. The JS SDK on the same profile, selected with AWS_PROFILE as JS users do: the SDK
# builds the SSO client inside fromSSO without the profile it was given, so that client
# finds the profile's `services` section only through AWS_PROFILE (with the profile passed
# to fromSSO alone it goes to portal.sso.<region>.amazonaws.com). Its notice about node >=
# 22 is silenced (the pinned SDK runs on Debian's node 20).
env "${CLEAN_ENV[@]}" AWS_PROFILE=app-prod.ReadOnly AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
  node "$JS_INSTALL/sso_scenario.mjs" app-prod.ReadOnly "$APP_PROD" ReadOnly alice@example.com \
  || fail "JS SDK on a synced profile"

# 8. credential_process = monban credentials, outside monban's block (the user's own
# profile), in boto3. monban finds the sandbox portal through the same `services` section.
cat >>"$CONFIG" <<EOF

[profile app-prod-process]
credential_process = $BIN credentials --sso-session sandbox --account $APP_PROD --role ReadOnly
region = us-east-1
services = monban-sandbox
EOF
env "${CLEAN_ENV[@]}" AWS_PROFILE=app-prod-process "$PEER_PYTHON" scripts/peers/sso_clients_scenario.py caller-identity \
  app-prod-process "$APP_PROD" ReadOnly alice@example.com custom-process || fail "boto3 with credential_process"

# 9. The leaver: the IdP deactivates alice through SCIM. No client gets new keys.
SCIM_OUT="$(env "${CLEAN_ENV[@]}" "$BIN" sandbox scim-token --endpoint-url "$ENDPOINT")" \
  || { fail "monban sandbox scim-token failed"; SCIM_OUT=""; }
if [ -n "$SCIM_OUT" ]; then
  SCIM_URL="$(printf '%s\n' "$SCIM_OUT" | grep -m1 -o 'http://[^ ]*/scim/v2')"
  SCIM_TOKEN="$(printf '%s\n' "$SCIM_OUT" | tail -n 1)"
  "$PEER_PYTHON" scripts/peers/sso_clients_scenario.py deactivate "$SCIM_URL" "$SCIM_TOKEN" alice@example.com \
    || fail "SCIM deactivation"
  env "${CLEAN_ENV[@]}" "$PEER_PYTHON" scripts/peers/sso_clients_scenario.py refused app-prod.ReadOnly \
    || fail "boto3 still gets keys for a deactivated person"
  if env "${CLEAN_ENV[@]}" "$AWS_CLI" sts get-caller-identity --profile app-prod.ReadOnly >/dev/null 2>"$WORK/leaver-cli.err"; then
    fail "the AWS CLI still gets keys for a deactivated person"
  else
    log "ok   aws sts get-caller-identity refused: $(grep -m1 -i 'sso' "$WORK/leaver-cli.err")"
  fi
  rm -rf "$HOME_DIR/.cache/monban"
  if env "${SANDBOX_ENV[@]}" "$BIN" credentials --sso-session sandbox --account "$APP_PROD" --role ReadOnly \
      >"$WORK/leaver.out" 2>"$WORK/leaver.err"; then
    fail "monban credentials still gives a deactivated person keys"
  elif ! grep -qi "refused\|disabled\|no longer" "$WORK/leaver.err"; then
    fail "monban credentials failed, but not because it was refused: $(cat "$WORK/leaver.err")"
  else
    log "ok   monban credentials refused: $(head -n 1 "$WORK/leaver.err")"
  fi
  [ ! -s "$WORK/leaver.out" ] || fail "monban credentials printed something on stdout for a deactivated person"
  # A later sync, with no endpoint in the environment (it reuses the block's overrides),
  # is refused too and leaves the file alone.
  cp "$CONFIG" "$WORK/config.before-leaver-sync"
  if env "${CLEAN_ENV[@]}" "$BIN" profiles sync >/dev/null 2>"$WORK/leaver-sync.err"; then
    fail "profiles sync still lists a deactivated person's roles"
  elif ! grep -qi "disabled\|no longer" "$WORK/leaver-sync.err"; then
    fail "profiles sync failed, but not because the person was deactivated: $(cat "$WORK/leaver-sync.err")"
  else
    log "ok   monban profiles sync refused: $(tail -n 1 "$WORK/leaver-sync.err")"
  fi
  cmp -s "$CONFIG" "$WORK/config.before-leaver-sync" || fail "a refused sync changed the config file"
fi

if [ "$failures" -ne 0 ]; then
  log "FAILED ($failures); last lines of the server log:"
  tail -n 20 "$WORK/server.log" >&2
  exit 1
fi
log "all checks passed"
