# Shared by the developer-access suites (scripts/peers/sso_clients.sh and
# scripts/bench/credentials.sh; sourced, never run). Each caller defines `log`, sources
# scripts/peers/lib/sandbox.bash first, and sets BIN (peer_ensure_binary) before the
# functions that run monban.

# peer_ensure_venv: target/peers/venv with the pinned boto3 and aws-sso-util, installed the
# way scripts/peers/boto3.sh and aws_sso_util.sh install them (same directory, same version
# markers), so the suites share one install. Sets VENV.
peer_ensure_venv() {
  BOTO3_VERSION="${BOTO3_VERSION:-1.44.8}"
  AWS_SSO_UTIL_VERSION="${AWS_SSO_UTIL_VERSION:-4.33.0}"
  VENV=target/peers/venv
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
}

# peer_ensure_awscli: the AWS CLI v1 (pinned AWSCLI_VERSION) in a venv of its own,
# target/peers/awscli-venv: it pins its own botocore, which must not move the shared venv's.
# Sets AWS_CLI.
peer_ensure_awscli() {
  AWSCLI_VERSION="${AWSCLI_VERSION:-1.46.3}"
  local venv=target/peers/awscli-venv
  if [ ! -x "$venv/bin/aws" ] || [ "$(cat "$venv/.awscli-version" 2>/dev/null)" != "$AWSCLI_VERSION" ]; then
    log "creating $venv with awscli==$AWSCLI_VERSION"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "awscli==$AWSCLI_VERSION"
    printf '%s\n' "$AWSCLI_VERSION" >"$venv/.awscli-version"
  fi
  AWS_CLI="$PWD/$venv/bin/aws"
}

# peer_ensure_js: node + npm, and the SDK pinned by scripts/peers/js/package-lock.json under
# target/peers/js (npm ci only when the lock changed), as scripts/peers/js_sdk.sh does.
# Sets JS_INSTALL.
peer_ensure_js() {
  JS_INSTALL=target/peers/js
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing node and npm (apt-get install nodejs npm)"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
      log "node and npm are needed (Debian: apt-get install nodejs npm)"
      exit 1
    fi
  fi
  mkdir -p "$JS_INSTALL"
  if [ ! -d "$JS_INSTALL/node_modules" ] || ! cmp -s scripts/peers/js/package-lock.json "$JS_INSTALL/package-lock.json"; then
    log "installing the pinned SDK into $JS_INSTALL (npm ci)"
    cp scripts/peers/js/package.json scripts/peers/js/package-lock.json "$JS_INSTALL/"
    (cd "$JS_INSTALL" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# sso_write_org DIR: a small access repo in DIR — three accounts, two permission sets,
# groups `admins` (bob) and `engineers` (alice, bob), and one direct grant to alice — plus
# its IdP directory snapshot (DIR/directory.yaml). alice holds: app-dev AdministratorAccess
# (direct), app-dev ReadOnly and app-prod ReadOnly (through engineers).
sso_write_org() {
  local repo="$1"
  mkdir -p "$repo/accounts" "$repo/permission-sets"
  cat >"$repo/monban.yaml" <<'EOF'
organization:
  management_account: management
  root_email: "aws-root+{account}@example.com"
  ous: [Workloads]
identity_center:
  region: us-east-1
  identity_source: external
EOF
  printf 'id: "111111111111"\naccess:\n  AdministratorAccess:\n    - group: admins\n' >"$repo/accounts/management.yaml"
  printf 'ou: Workloads\naccess:\n  ReadOnly:\n    - group: engineers\n' >"$repo/accounts/app-prod.yaml"
  printf 'ou: Workloads\naccess:\n  ReadOnly:\n    - group: engineers\n  AdministratorAccess:\n    - group: admins\n    - user: alice@example.com\n' >"$repo/accounts/app-dev.yaml"
  printf 'managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n' >"$repo/permission-sets/AdministratorAccess.yaml"
  printf 'session_duration: PT8H\nmanaged_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n' >"$repo/permission-sets/ReadOnly.yaml"
  printf 'groups: [admins, engineers]\nusers: [alice@example.com]\n' >"$repo/groups.yaml"
  cat >"$repo/directory.yaml" <<'EOF'
users:
  - { user_name: alice@example.com, display_name: Alice, given_name: Alice, family_name: A, email: alice@example.com }
  - { user_name: bob@example.com, display_name: Bob, given_name: Bob, family_name: B, email: bob@example.com }
groups:
  - { display_name: admins, members: [bob@example.com] }
  - { display_name: engineers, members: [alice@example.com, bob@example.com] }
EOF
}

# sso_apply_org DIR ENDPOINT: pushes DIR/directory.yaml into the sandbox (as an IdP's SCIM
# push would) and applies the repo to it with the sandbox's documented keys.
sso_apply_org() {
  local repo="$1" endpoint="$2"
  env -u AWS_PROFILE AWS_ACCESS_KEY_ID=AKIAMONBANSANDBOX000 AWS_SECRET_ACCESS_KEY=monban-sandbox-secret \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$BIN" sandbox provision-idp --endpoint-url "$endpoint" --repo "$repo" "$repo/directory.yaml" >/dev/null
  env -u AWS_PROFILE AWS_ACCESS_KEY_ID=AKIAMONBANSANDBOX000 AWS_SECRET_ACCESS_KEY=monban-sandbox-secret \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "$BIN" apply --auto-approve --endpoint-url "$endpoint" --repo "$repo" >/dev/null 2>"$repo/apply.log" || {
    log "apply failed:"; cat "$repo/apply.log" >&2; return 1
  }
}

# sso_device_login WORK SESSION USER [MONBAN_ENV...]: `monban login --use-device-code` for
# SESSION, with the sign-in form of the printed verification URL posted as USER (password
# monban-sandbox) by scripts/peers/sso_sign_in.py, as a person would in a browser. The
# remaining arguments are `NAME=value` environment settings for monban (HOME,
# AWS_CONFIG_FILE, AWS_ENDPOINT_URL…). Returns monban's exit status.
sso_device_login() {
  local work="$1" session="$2" user="$3"
  shift 3
  local log_file="$work/login.$session.log"
  : >"$log_file"
  env "$@" "$BIN" login --sso-session "$session" --use-device-code </dev/null >"$log_file" 2>&1 &
  local login_pid=$! url="" waited=0
  while [ -z "$url" ] && [ "$waited" -lt 300 ] && kill -0 "$login_pid" 2>/dev/null; do
    url="$(grep -o 'http://[^ ]*user_code=[A-Za-z0-9-]*' "$log_file" | head -n 1 || true)"
    [ -n "$url" ] || { sleep 0.1; waited=$((waited + 1)); }
  done
  if [ -z "$url" ]; then
    log "monban login printed no verification URL; its output:"
    cat "$log_file" >&2
    kill "$login_pid" 2>/dev/null || true
    wait "$login_pid" 2>/dev/null || true
    return 1
  fi
  "${PEER_PYTHON:-python3}" scripts/peers/sso_sign_in.py "$url" "$user" || {
    kill "$login_pid" 2>/dev/null || true
    wait "$login_pid" 2>/dev/null || true
    return 1
  }
  local status=0
  wait "$login_pid" || status=$?
  if [ "$status" -ne 0 ]; then
    log "monban login failed (exit $status):"
    cat "$log_file" >&2
  fi
  return "$status"
}
