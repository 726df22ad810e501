#!/usr/bin/env bash
# Benchmark: `monban credentials` with a warm cache, as a whole process (what an SDK pays on
# every start with `credential_process = monban credentials …`), against `aws-sso-util
# credential-process` with a warm botocore cache, in the same run, against the same
# `monban sandbox serve`. Prints the median (and mean ± σ, min) of each and the ratio
# (issue 7's target: ≥ 20×). Not part of scripts/test. See docs/benchmarks.md,
# "Developer credentials".
#
# Both tools are signed in for real (device flow, the sandbox's sign-in form posted by
# scripts/peers/sso_sign_in.py) and run once before timing, so each answers from its cache:
# monban from $XDG_CACHE_HOME/monban, aws-sso-util from botocore's JSON file cache
# (~/.aws/cli/cache) and token cache (~/.aws/sso/cache).
#
# Environment:
#   MONBAN_BIN   the monban binary (default: target/release/monban, rebuilt when stale)
#   RUNS         timed runs of each (default 50), after 5 warm-up runs
#   BOTO3_VERSION, AWS_SSO_UTIL_VERSION   pins shared with the peer suites
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${RUNS:-50}"

log() { printf 'credentials bench: %s\n' "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash
# shellcheck source=scripts/peers/lib/sso.bash
source scripts/peers/lib/sso.bash

# 1. Tools: aws-sso-util in the shared venv; hyperfine from Debian when it can be installed,
# else a timing loop; the release binary (rebuilt when a file of its dep-info is newer).
peer_ensure_venv
PEER_PYTHON="$PWD/$VENV/bin/python"
if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "installing hyperfine (apt-get install hyperfine)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null) \
    || log "hyperfine could not be installed; timing with a loop instead"
fi
BIN="${MONBAN_BIN:-target/release/monban}"
if [ -z "${MONBAN_BIN:-}" ] && peer_binary_is_stale; then
  log "building monban (cargo build --release -p monban)"
  cargo build --release --locked -p monban
fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# 2. The sandbox and a small organization applied by monban.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-credentials-bench.XXXXXX")"
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
sso_write_org "$WORK/repo"
sso_apply_org "$WORK/repo" "$ENDPOINT"
log "sandbox at $ENDPOINT, organization applied"

# 3. One HOME for both tools; the sandbox through the standard endpoint variables.
HOME_DIR="$WORK/home"
mkdir -p "$HOME_DIR/.aws"
START_URL=https://monban-sandbox.awsapps.com/start
cat >"$HOME_DIR/.aws/config" <<EOF
[sso-session sandbox]
sso_start_url = $START_URL
sso_region = us-east-1
sso_registration_scopes = sso:account:access
EOF
export HOME="$HOME_DIR" XDG_CACHE_HOME="$HOME_DIR/.cache" AWS_ENDPOINT_URL="$ENDPOINT" \
  AWS_EC2_METADATA_DISABLED=true NO_COLOR=1
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
  AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE

# monban: device login, then the account id from a sync.
sso_device_login "$WORK" sandbox alice@example.com HOME="$HOME_DIR"
"$BIN" profiles sync >"$WORK/sync.out" 2>/dev/null
ACCOUNT="$(awk -F'\t' '$1 == "app-prod.ReadOnly" { print $2 }' "$WORK/sync.out")"
[ -n "$ACCOUNT" ] || { log "no app-prod.ReadOnly profile after sync"; cat "$WORK/sync.out" >&2; exit 1; }

# aws-sso-util: its own device login (it prints the verification URI and the code; the
# sandbox's verificationUriComplete is `<uri>?user_code=<code>`).
"$VENV/bin/aws-sso-util" login --headless "$START_URL" us-east-1 </dev/null >"$WORK/aws-sso-util-login.log" 2>&1 &
LOGIN_PID=$!
URI="" CODE=""
for _ in $(seq 1 300); do
  URI="$(grep -o 'http://[^ ]*/device' "$WORK/aws-sso-util-login.log" | head -n 1 || true)"
  CODE="$(grep -o '\b[A-Z0-9]\{4\}-[A-Z0-9]\{4\}\b' "$WORK/aws-sso-util-login.log" | head -n 1 || true)"
  [ -n "$URI" ] && [ -n "$CODE" ] && break
  kill -0 "$LOGIN_PID" 2>/dev/null || break
  sleep 0.1
done
[ -n "$URI" ] && [ -n "$CODE" ] || { log "aws-sso-util printed no code:"; cat "$WORK/aws-sso-util-login.log" >&2; exit 1; }
"$PEER_PYTHON" scripts/peers/sso_sign_in.py "$URI?user_code=$CODE" alice@example.com
wait "$LOGIN_PID" || { log "aws-sso-util login failed:"; cat "$WORK/aws-sso-util-login.log" >&2; exit 1; }

MONBAN_COMMAND="$BIN credentials --sso-session sandbox --account $ACCOUNT --role ReadOnly"
PEER_COMMAND="$PWD/$VENV/bin/aws-sso-util credential-process --sso-start-url $START_URL --sso-region us-east-1 --account-id $ACCOUNT --role-name ReadOnly"

# Warm both caches and check that each answers with keys (the same account's).
for command in "$MONBAN_COMMAND" "$PEER_COMMAND"; do
  $command >"$WORK/warm.json" || { log "failed: $command"; exit 1; }
  "$PEER_PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["Version"]==1 and d["AccessKeyId"], d' "$WORK/warm.json"
done
# Both must now answer from their caches: the portal must see no further request.
portal_calls() {
  "$PEER_PYTHON" - "$ENDPOINT" <<'EOF'
import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/_sandbox/requests"))
entries = log.get("requests", log) if isinstance(log, dict) else log
print(sum(1 for entry in entries if "GetRoleCredentials" in json.dumps(entry)))
EOF
}
CALLS_BEFORE="$(portal_calls)"

# 4. Timing. hyperfine: median, mean ± σ, min of RUNS runs after 5 warm-ups (no shell:
# the commands are exec'd directly). Else: a loop with date +%s%N.
median_ms() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
if command -v hyperfine >/dev/null; then
  hyperfine --shell=none --warmup 5 --runs "$RUNS" --export-json "$WORK/hyperfine.json" \
    --command-name "monban credentials" "$MONBAN_COMMAND" \
    --command-name "aws-sso-util credential-process" "$PEER_COMMAND" >&2
  read -r MONBAN_MS PEER_MS < <("$PEER_PYTHON" - "$WORK/hyperfine.json" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
print(" ".join(f"{r['median'] * 1000:.2f}" for r in results))
EOF
)
  DETAIL="$("$PEER_PYTHON" - "$WORK/hyperfine.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"  {r['command']:<38} mean {r['mean'] * 1000:.1f} ± {r['stddev'] * 1000:.1f} ms, min {r['min'] * 1000:.1f} ms, CPU (user + system) {(r['user'] + r['system']) * 1000:.1f} ms")
EOF
)"
  TOOL="hyperfine $(hyperfine --version | awk '{ print $2 }'), $RUNS runs each after 5 warm-ups"
else
  time_runs() {
    local command="$1" run start end
    for run in $(seq 1 5); do $command >/dev/null; done
    for run in $(seq 1 "$RUNS"); do
      start="$(date +%s%N)"; $command >/dev/null; end="$(date +%s%N)"
      awk -v ns="$((end - start))" 'BEGIN { printf "%.3f\n", ns / 1e6 }'
    done
  }
  MONBAN_MS="$(time_runs "$MONBAN_COMMAND" | median_ms)"
  PEER_MS="$(time_runs "$PEER_COMMAND" | median_ms)"
  TOOL="a date +%s%N loop, $RUNS runs each after 5 warm-ups"
  DETAIL=""
fi
CALLS_AFTER="$(portal_calls)"

RATIO="$(awk -v a="$PEER_MS" -v b="$MONBAN_MS" 'BEGIN { printf "%.1f", a / b }')"
cat <<EOF

Developer credentials, warm caches, whole process ($TOOL):
  monban credentials (release)           median ${MONBAN_MS} ms
  aws-sso-util credential-process        median ${PEER_MS} ms
  ratio                                  ${RATIO}x  (target >= 20x)
${DETAIL}
  portal GetRoleCredentials calls during timing: $((CALLS_AFTER - CALLS_BEFORE)) (0 = both answered from their caches)
  machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg); aws-sso-util $AWS_SSO_UTIL_VERSION, boto3 $BOTO3_VERSION
EOF
