# Shared by the peer suites (sourced, never run: scripts/test runs scripts/peers/*.sh only).
# Each suite defines `log` before sourcing this file.

# Sets BIN to the monban binary: $MONBAN_BIN, else target/debug/monban as the test suite
# builds it. `cargo test --workspace --no-run` is exactly the build nextest makes (same
# units, same feature unification with dev-dependencies), so right after scripts/test's
# nextest run it is a no-op — scripts/test then sets MONBAN_TEST_BUILD_CURRENT=1 and even
# the check is skipped. A plain `cargo build -p monban` resolves features without the
# dev-dependencies and rebuilt every AWS SDK crate a second time (3 minutes and 1 GB in a
# fresh clone). It also builds the crates' examples (target/debug/examples/).
peer_ensure_binary() {
  BIN="${MONBAN_BIN:-target/debug/monban}"
  if [ -z "${MONBAN_BIN:-}" ] && [ -z "${MONBAN_TEST_BUILD_CURRENT:-}" ]; then
    log "bringing the test build up to date (cargo test --workspace --no-run)"
    cargo test --workspace --no-run --locked --quiet 2>&1 | grep -v '^  Executable ' >&2 || true
  fi
  if [ ! -x "$BIN" ]; then
    log "no monban binary at $BIN"
    exit 1
  fi
}

# Whether a binary built by `cargo build` is older than a file its dep-info lists or a
# manifest (the benchmark scripts' release binaries).
peer_binary_is_stale() {
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

# peer_start_sandbox WORK PID_VAR URL_VAR [SERVE_ARGS...]: starts `monban sandbox serve` on
# a free loopback port with its state in WORK/state and its log in WORK/server.log, stores
# its pid in PID_VAR at once (so the caller's EXIT trap can stop it even if starting fails)
# and its endpoint in URL_VAR once it printed `READY <url>`; exits 1 otherwise.
peer_start_sandbox() {
  local work="$1" pid_var="$2" url_var="$3"
  shift 3
  mkfifo "$work/stdout"
  "$BIN" sandbox serve --addr 127.0.0.1:0 --state "$work/state" "$@" \
    >"$work/stdout" 2>"$work/server.log" &
  printf -v "$pid_var" '%s' "$!"
  exec 3<"$work/stdout"
  local ready_line=""
  if ! IFS= read -r -t 30 ready_line <&3; then
    log "the sandbox printed no READY line; its log:"
    cat "$work/server.log" >&2
    exit 1
  fi
  case "$ready_line" in
    "READY http://"*) printf -v "$url_var" '%s' "${ready_line#READY }" ;;
    *) log "unexpected first line: $ready_line"; exit 1 ;;
  esac
  # Keep draining stdout so the server never blocks on a full pipe.
  cat <&3 >/dev/null &
  exec 3<&-
}
