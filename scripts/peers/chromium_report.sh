#!/usr/bin/env bash
# Peer suite: the HTML audit report (monban-render's render_audit_html) in a real browser —
# Debian's Chromium, headless, driven by playwright-core — checked through the DOM:
# the matrix shows every person and account, search and each filter change the visible
# rows and cells as a brute-force computation from the report JSON says, the "why"
# drill-down lists the right paths, the keyboard works, axe-core finds no serious
# accessibility violation, no console error and no network request. Screenshots go to
# target/artifacts/ (audit-report.png and friends).
# Run by scripts/test after nextest; runnable alone: `bash scripts/peers/chromium_report.sh`.
# See docs/reference/audit-html.md, "How it is tested".
#
# Reports tested:
#   fixture  crates/monban-render/tests/fixtures/audit-report.json (hand-written, 20 × 8)
#   hostile  the fixture with names that try to inject markup and script
#   large    a generated 5,000 people × 1,000 accounts report (the page must stay responsive)
#   real     `monban audit --format html` and `--format json` against a sandbox with the
#            example repo (examples/holding) applied, when the binary has the audit command
#
# Environment:
#   MONBAN_BIN  the monban binary to run (default: target/debug/monban, as the test build makes it)
#   CHROMIUM    the browser (default /usr/bin/chromium, installed with apt-get when missing)
#   MODES       which reports to test (default: "fixture hostile large real")
# playwright-core and axe-core are pinned by scripts/peers/chromium/package.json and
# package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/../.."

INSTALL=target/peers/chromium
ARTIFACTS=target/artifacts
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
MODES="${MODES:-fixture hostile large real}"
wanted() { case " $MODES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

log() { printf 'chromium peer [%ss]: %s\n' "$SECONDS" "$*" >&2; }
# shellcheck source=scripts/peers/lib/sandbox.bash
source scripts/peers/lib/sandbox.bash

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing $* (apt-get install)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    log "$* needed (Debian: apt-get install $*)"
    exit 1
  fi
}

# 1. Debian's Chromium (never a browser download by a test tool), node and npm, then the
# pinned playwright-core and axe-core under target/peers/chromium (npm ci, only when the
# lock changed).
[ -x "$CHROMIUM" ] || apt_install chromium
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm; fi
mkdir -p "$INSTALL" "$ARTIFACTS"
if [ ! -d "$INSTALL/node_modules/playwright-core" ] || ! cmp -s scripts/peers/chromium/package-lock.json "$INSTALL/package-lock.json"; then
  log "installing the pinned playwright-core and axe-core into $INSTALL (npm ci; no browser is downloaded)"
  cp scripts/peers/chromium/package.json scripts/peers/chromium/package-lock.json "$INSTALL/"
  (cd "$INSTALL" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The test runs from beside node_modules so that its import resolves there.
cp scripts/peers/chromium/report_test.mjs "$INSTALL/report_test.mjs"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-chromium.XXXXXX")"
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

# 2. The pages from JSON: the example renders a report file (or a generated one) with
# monban_render::render_audit_html — the same function `monban audit --format html` calls.
peer_ensure_binary
RENDER=target/debug/examples/render_audit_html
FIXTURE=crates/monban-render/tests/fixtures/audit-report.json
"$RENDER" "$FIXTURE" "$WORK/fixture.html"
node -e '
  const fs = require("fs");
  const report = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const payload = "</script><img src=x onerror=\"window.__monbanInjected=true\"><script>window.__monbanInjected=true</script>";
  report.people[1].display_name = payload;
  report.accounts[0].name = "<b>" + payload;
  report.groups[0].name = payload;
  report.findings[0].explanation = payload + " \u2028\u2029";
  report.organization.id = "<b>o-evil</b>";
  const added = Object.assign({}, report.inventory[0], { user_name: payload });
  report.baseline = { generated_at: "2026-10-01T00:00:00Z", access_added: [added], access_removed: [],
    findings_new: [Object.assign({}, report.findings[0], { title: payload })], findings_resolved: [] };
  fs.writeFileSync(process.argv[2], JSON.stringify(report));
' "$FIXTURE" "$WORK/hostile.json"
"$RENDER" "$WORK/hostile.json" "$WORK/hostile.html"
if wanted large; then
  "$RENDER" --synthetic 5000x1000 "$WORK/large.html"
  # The large report's JSON, for the test's brute-force expectations: the page embeds it.
  node -e '
    const fs = require("fs");
    const page = fs.readFileSync(process.argv[1], "utf8");
    const opening = "<script type=\"application/json\" id=\"audit-data\">";
    const start = page.indexOf(opening) + opening.length;
    fs.writeFileSync(process.argv[2], page.slice(start, page.indexOf("</script>", start)));
  ' "$WORK/large.html" "$WORK/large.json"
fi

status=0
run_mode() {
  local mode="$1" report="$2" page="$3"
  log "$mode: $(basename "$page")"
  report="$(realpath "$report")"
  page="$(realpath "$page")"
  local artifacts
  artifacts="$(realpath "$ARTIFACTS")"
  (cd "$INSTALL" && node report_test.mjs "$mode" "$report" "$page" "$artifacts") || status=1
}
if wanted fixture; then run_mode fixture "$FIXTURE" "$WORK/fixture.html"; fi
if wanted hostile; then run_mode hostile "$WORK/hostile.json" "$WORK/hostile.html"; fi
if wanted large; then run_mode large "$WORK/large.json" "$WORK/large.html"; fi

# 3. The real thing: `monban audit` against a sandbox holding the example organization
# (its IdP directory pushed as SCIM would, the repo applied), as HTML and as JSON; the
# page's people and accounts must be the JSON's.
if ! wanted real; then
  :
elif ! "$BIN" audit --help 2>/dev/null | grep -q -- "--format"; then
  log "FAILED: $BIN has no \`audit --format\`"
  status=1
else
  # The customer managed policies the example's permission sets reference exist in every
  # account (the sandbox's account baseline, standing in for StackSets); asynchronous
  # operations complete at once.
  baseline=()
  while read -r name path; do
    baseline+=(--baseline-policy "$name:$path")
  done < <(grep -ho 'name: [^,}]*, path: [^ }]*' examples/holding/permission-sets/*.yaml | sort -u | sed 's/name: \([^,]*\), path: \(.*\)/\1 \2/')
  peer_start_sandbox "$WORK" SERVER_PID ENDPOINT --async-duration 0 "${baseline[@]}"
  log "sandbox at $ENDPOINT"
  cp -r examples/holding "$WORK/repo"
  rm -rf "$WORK/repo/.monban"
  mkdir -p "$WORK/home"
  with_keys() {
    env -u AWS_PROFILE -u AWS_ENDPOINT_URL -u AWS_SESSION_TOKEN -u MONBAN_REPO \
      HOME="$WORK/home" NO_COLOR=1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
      AWS_ACCESS_KEY_ID=AKIAMONBANSANDBOX000 AWS_SECRET_ACCESS_KEY=monban-sandbox-secret "$@"
  }
  seed() {
    python3 - "$ENDPOINT/_sandbox/seed" "$1" >"$WORK/seed.out" 2>&1 <<'PYTHON' \
      || { log "seeding the sandbox failed: $(cat "$WORK/seed.out")"; exit 1; }
import sys, urllib.request
request = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), headers={"content-type": "application/json"})
print(urllib.request.urlopen(request, timeout=60).read().decode())
PYTHON
  }
  # The accounts exist already, as an account-vending process made them: apply binds them
  # by root e-mail instead of creating them (CreateAccount's 0.1/s would take minutes).
  seed "$(python3 scripts/peers/chromium/seed_accounts.py "$WORK/repo")"
  with_keys "$BIN" sandbox provision-idp --endpoint-url "$ENDPOINT" "$WORK/repo/directory.yaml" >"$WORK/provision.log" 2>&1 \
    || { log "provision-idp failed:"; cat "$WORK/provision.log" >&2; exit 1; }
  with_keys "$BIN" apply --auto-approve --endpoint-url "$ENDPOINT" --repo "$WORK/repo" >"$WORK/apply.log" 2>&1 \
    || { log "apply failed:"; tail -n 30 "$WORK/apply.log" >&2; exit 1; }
  # A problem planted after the apply, as someone clicking in the console would: a direct
  # AdministratorAccess on a production account (drift, a direct grant, admin access).
  seed '{"assignments": [{"account_name": "paylark-prod", "permission_set": "AdministratorAccess", "user": "haruto.sato@example.com"}]}'
  audit_status=0
  with_keys "$BIN" audit --endpoint-url "$ENDPOINT" --repo "$WORK/repo" --format json --out "$WORK/real.json" 2>"$WORK/audit-json.log" || audit_status=$?
  with_keys "$BIN" audit --endpoint-url "$ENDPOINT" --repo "$WORK/repo" --format html --out "$WORK/real.html" 2>"$WORK/audit-html.log" || audit_status=$?
  if [ ! -s "$WORK/real.json" ] || [ ! -s "$WORK/real.html" ]; then
    log "monban audit wrote no report (exit $audit_status):"
    cat "$WORK/audit-json.log" "$WORK/audit-html.log" >&2
    status=1
  else
    cp "$WORK/real.html" "$ARTIFACTS/audit-report-real.html"
    run_mode real "$WORK/real.json" "$WORK/real.html"
  fi
fi

if [ "$status" -eq 0 ]; then
  log "passed; screenshots in $ARTIFACTS/audit-report*.png"
fi
exit "$status"
