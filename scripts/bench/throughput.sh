#!/usr/bin/env bash
# Benchmark: server throughput, monban's sandbox vs moto, in one run on one machine. Both
# servers are seeded the same way through the AWS API (scripts/bench/throughput_seed.py,
# boto3), then loaded in turn with the same request mix by the same load generator
# (scripts/bench/throughput: N concurrent workers, SigV4-signed awsJson over raw HTTP/1.1,
# one client thread). Prints requests/s, p50/p99 latency of each and the ratios, and the
# boto3 seed's end-to-end time on each. Not part of scripts/test. See docs/benchmarks.md,
# "Sandbox throughput".
#
# Environment:
#   MONBAN_BIN    the monban binary (default: target/release/monban, built if missing or stale)
#   WORKERS       concurrent workers (connections) of the load generator (default 32)
#   DURATION      seconds measured per server (default 10), after WARMUP seconds (default 2)
#   MOTO_VERSION, BOTO3_VERSION   the pins shared with scripts/peers/moto.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

BOTO3_VERSION="${BOTO3_VERSION:-1.44.8}"
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
WORKERS="${WORKERS:-32}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
VENV=target/peers/venv

log() { printf 'throughput: %s\n' "$*" >&2; }

# 1. moto and boto3 in the venv shared with the peer suites (installed as moto.sh does).
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.boto3-version" 2>/dev/null)" != "$BOTO3_VERSION" ]; then
  log "creating $VENV with boto3==$BOTO3_VERSION"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "boto3==$BOTO3_VERSION"
  printf '%s\n' "$BOTO3_VERSION" >"$VENV/.boto3-version"
fi
if [ ! -x "$VENV/bin/moto_server" ] || [ "$(cat "$VENV/.moto-version" 2>/dev/null)" != "$MOTO_VERSION" ]; then
  log "installing moto[server]==$MOTO_VERSION into $VENV"
  "$VENV/bin/pip" install --quiet "moto[server]==$MOTO_VERSION" "boto3==$BOTO3_VERSION" "botocore==$BOTO3_VERSION"
  printf '%s\n' "$MOTO_VERSION" >"$VENV/.moto-version"
fi

# 2. The release binary (rebuilt when a file in its dep-info or a manifest is newer) and the
# load generator (its own Cargo project, target dir target/bench).
BIN="${MONBAN_BIN:-target/release/monban}"
binary_is_stale() {
  [ -x "$BIN" ] && [ -f "$BIN.d" ] || return 0
  local file
  # shellcheck disable=SC2013 # the dep-info file is a space-separated list of paths
  for file in $(cut -d: -f2- "$BIN.d") Cargo.toml Cargo.lock \
      $(grep -o '/crates/[^/ ]*/' "$BIN.d" | sort -u | sed 's|^/|./|; s|$|Cargo.toml|'); do
    [ -e "$file" ] || return 0
    [ "$file" -nt "$BIN" ] && return 0
  done
  return 1
}
if [ -z "${MONBAN_BIN:-}" ] && binary_is_stale; then
  log "building monban (cargo build --release -p monban)"
  cargo build --release --locked -p monban
fi
log "building the load generator (scripts/bench/throughput)"
CARGO_TARGET_DIR=target/bench cargo build --release --locked --quiet \
  --manifest-path scripts/bench/throughput/Cargo.toml
LOADGEN=target/bench/release/monban-throughput

# 3. Both servers on free loopback ports, in memory (the sandbox without --state; moto keeps
# nothing on disk either); always stopped, whatever happens.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/monban-throughput.XXXXXX")"
SANDBOX_PID=""
MOTO_PID=""
stop() {
  local pid="$1"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$SANDBOX_PID"
  stop "$MOTO_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The fast profile with asynchronous operations completing at once, as moto's do: the same
# work per request on both, and no propagation conflict between concurrent assignments.
mkfifo "$WORK/stdout"
"$BIN" sandbox serve --addr 127.0.0.1:0 --profile fast --async-duration 0 \
  >"$WORK/stdout" 2>"$WORK/sandbox.log" &
SANDBOX_PID=$!
exec 3<"$WORK/stdout"
READY_LINE=""
if ! IFS= read -r -t 30 READY_LINE <&3; then
  log "the sandbox printed no READY line; its log:"
  cat "$WORK/sandbox.log" >&2
  exit 1
fi
SANDBOX_URL="${READY_LINE#READY }"
cat <&3 >/dev/null &
exec 3<&-

MOTO_PORT="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
MOTO_URL="http://127.0.0.1:$MOTO_PORT"
for _ in $(seq 1 150); do
  if "$VENV/bin/python" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
      "$MOTO_URL/moto-api/data.json" 2>/dev/null; then
    break
  fi
  kill -0 "$MOTO_PID" 2>/dev/null || { log "moto_server exited"; cat "$WORK/moto.log" >&2; exit 1; }
  sleep 0.2
done
log "sandbox ($BIN) at $SANDBOX_URL, moto $MOTO_VERSION at $MOTO_URL"

# 4. Seed each (timed: the boto3 end-to-end figure), then load each in turn; the server not
# under load is idle.
# CPU ticks (user + system, 100 Hz) a process has used: how much of the 2 cores each side took.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
export AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
for name in sandbox moto; do
  url="$SANDBOX_URL"; [ "$name" = moto ] && url="$MOTO_URL"
  seed_started="$(date +%s%N)"
  "$VENV/bin/python" scripts/bench/throughput_seed.py "$url" "$WORK/$name-seed.json"
  printf '%s\n' "$(( ($(date +%s%N) - seed_started) / 1000000 ))" >"$WORK/$name-seed-ms"
  log "$name seeded in $(cat "$WORK/$name-seed-ms") ms; loading ($WORKERS workers, ${DURATION} s after ${WARMUP} s warm-up)"
  pid="$SANDBOX_PID"; [ "$name" = moto ] && pid="$MOTO_PID"
  cpu_before="$(cpu_ticks "$pid")"
  "$LOADGEN" "$url" "$WORK/$name-seed.json" "$WORKERS" "$DURATION" "$WARMUP" >"$WORK/$name.json"
  printf '%s\n' "$(( $(cpu_ticks "$pid") - cpu_before ))" >"$WORK/$name-server-ticks"
done

# 5. The report: one table, the ratios, and each run's raw JSON.
"$VENV/bin/python" - "$WORK" "$WORKERS" <<'EOF'
import json, sys
work, workers = sys.argv[1], sys.argv[2]
runs = {name: json.load(open(f"{work}/{name}.json")) for name in ("sandbox", "moto")}
seeds = {name: int(open(f"{work}/{name}-seed-ms").read()) / 1000 for name in runs}
server_cpu = {name: int(open(f"{work}/{name}-server-ticks").read()) / 100 for name in runs}
print("| server | workers | requests | errors | requests/s | p50 ms | p99 ms | server CPU s | load generator CPU s | boto3 seed s |")
print("|---|---|---|---|---|---|---|---|---|---|")
for name, run in runs.items():
    print(f"| {name} | {workers} | {run['requests']} | {run['errors']} | {run['requests_per_second']:,.0f} "
          f"| {run['p50_ms']:.2f} | {run['p99_ms']:.2f} | {server_cpu[name]:.1f} "
          f"| {run['client_cpu_seconds'] or 0:.1f} | {seeds[name]:.2f} |")
sandbox, moto = runs["sandbox"], runs["moto"]
print(f"\nthroughput ratio sandbox/moto: {sandbox['requests_per_second'] / moto['requests_per_second']:.1f}x "
      f"(target >= 20x); p99 moto/sandbox: {moto['p99_ms'] / sandbox['p99_ms']:.1f}x; "
      f"boto3 seed end to end moto/sandbox: {seeds['moto'] / seeds['sandbox']:.1f}x")
for name, run in runs.items():
    print(f"\n{name}: " + json.dumps(run["by_operation"]))
    if run["error_samples"]:
        print(f"{name} error samples: " + json.dumps(run["error_samples"]))
bad = [name for name, run in runs.items() if run["errors"]]
sys.exit(1 if bad else 0)
EOF
