#!/usr/bin/env python3
"""aws-sso-util's developer login against the monban sandbox: `login --headless` runs the
SSO OIDC device flow, a "person" approves it on the sandbox's sign-in page over plain HTTP,
then `roles` must list exactly the account/role pairs the person holds (directly and
through a group), and botocore's own SSO credential provider (with its token refresh) must
get keys that GetCallerIdentity reports as the AWSReservedSSO role.

Usage: aws_sso_util_login.py <endpoint-url> <aws-sso-util>   (run by
scripts/peers/aws_sso_util_login.sh, which starts the sandbox). Exit status 0 only if every
check passed. aws-sso-util is pointed at the sandbox only through AWS_ENDPOINT_URL_SSO and
AWS_ENDPOINT_URL_SSO_OIDC; it runs with its own HOME.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4566"
TOOL = sys.argv[2] if len(sys.argv) > 2 else "aws-sso-util"
START_URL = "https://d-1234567890.awsapps.com/start"
PASSWORD = "monban-sandbox"
failures: list[str] = []
count = 0


def check(what: str, condition: bool, detail: object = "") -> None:
    global count
    count += 1
    if not condition:
        failures.append(f"{what}: {detail}")


def control(path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{ENDPOINT}/_sandbox/{path}",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def http(url: str, form: dict | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data)) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# 1. The organization: alice holds Admin in dev directly and ReadOnly in dev and prod
# through `developers`; nobody holds anything in `shared`; carol is disabled.
seeded = control(
    "seed",
    {
        "accounts": [
            {"name": "dev", "email": "dev@example.com"},
            {"name": "prod", "email": "prod@example.com"},
            {"name": "shared", "email": "shared@example.com"},
        ],
        "users": [
            {"user_name": "alice@example.com"},
            {"user_name": "carol@example.com", "active": False},
        ],
        "groups": [{"display_name": "developers", "members": ["alice@example.com"]}],
        "permission_sets": [
            {"name": "Admin", "session_duration": "PT4H"},
            {"name": "ReadOnly"},
        ],
        "assignments": [
            {"account_name": "dev", "permission_set": "Admin", "user": "alice@example.com"},
            {"account_name": "dev", "permission_set": "ReadOnly", "group": "developers"},
            {"account_name": "prod", "permission_set": "ReadOnly", "group": "developers"},
            {"account_name": "shared", "permission_set": "ReadOnly", "user": "carol@example.com"},
        ],
    },
)
accounts = seeded["accounts"]
EXPECTED = {
    (accounts["dev"], "Admin"),
    (accounts["dev"], "ReadOnly"),
    (accounts["prod"], "ReadOnly"),
}

env = dict(os.environ)
env.update(
    {
        "AWS_DEFAULT_SSO_START_URL": START_URL,
        "AWS_DEFAULT_SSO_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_SSO": ENDPOINT,
        "AWS_ENDPOINT_URL_SSO_OIDC": ENDPOINT,
        # Its prompts must reach the pipe while it waits for the approval.
        "PYTHONUNBUFFERED": "1",
    }
)
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"):
    env.pop(name, None)

# 2. `login --headless`: read the verification URL it prints, approve on the page.
login = subprocess.Popen(
    [TOOL, "login", "--headless"],
    env=env,
    stdin=subprocess.DEVNULL,
    stdout=subprocess.PIPE,
    stderr=subprocess.STDOUT,
    text=True,
)
printed: list[str] = []
url = None
user_code = None
deadline = time.monotonic() + 30
assert login.stdout is not None
# It prints the verification URI, then the code on a later line.
while (url is None or user_code is None) and time.monotonic() < deadline:
    line = login.stdout.readline()
    if not line:
        break
    printed.append(line)
    url_match = re.search(r"(http://\S+/device\S*)", line)
    if url_match:
        url = url_match.group(1)
    code_match = re.search(r"\b([A-Z]{4}-[A-Z]{4})\b", line)
    if code_match:
        user_code = code_match.group(1)
check("login --headless prints the verification URL", url is not None, "".join(printed))
check("login --headless prints the user code", user_code is not None, "".join(printed))
if url is not None and user_code is not None:
    check("the verification URL is the sandbox's", url.startswith(f"{ENDPOINT}/device"), url)
    complete = f"{ENDPOINT}/device?user_code={user_code}"
    status, page = http(complete)
    check("the verification page answers 200", status == 200, status)
    check(
        "the page is one form with user_name and password",
        page.count("<form") == 1 and 'name="user_name"' in page and 'name="password"' in page,
        page[:300],
    )
    status, _ = http(
        f"{ENDPOINT}/device",
        {"user_code": user_code, "user_name": "carol@example.com", "password": PASSWORD},
    )
    check("a disabled user is refused with 403", status == 403, status)
    status, _ = http(
        f"{ENDPOINT}/device",
        {"user_code": user_code, "user_name": "alice@example.com", "password": "wrong"},
    )
    check("a wrong password is refused with 403", status == 403, status)
    status, page = http(
        f"{ENDPOINT}/device",
        {"user_code": user_code, "user_name": "alice@example.com", "password": PASSWORD},
    )
    check("alice's sign-in approves the device (200)", status == 200 and "approved" in page, status)
else:
    login.kill()
try:
    rest, _ = login.communicate(timeout=60)
except subprocess.TimeoutExpired:
    login.kill()
    rest, _ = login.communicate()
printed.append(rest or "")
check("login --headless succeeds", login.returncode == 0, "".join(printed))

# 3. `roles`: exactly the pairs alice holds.
roles = subprocess.run(
    [TOOL, "roles", "--separator", ",", "--no-header"],
    env=env,
    stdin=subprocess.DEVNULL,
    capture_output=True,
    text=True,
    timeout=60,
)
check("roles succeeds", roles.returncode == 0, roles.stderr)
listed = set()
for line in roles.stdout.splitlines():
    fields = [field.strip() for field in line.split(",")]
    ids = [field for field in fields if re.fullmatch(r"\d{12}", field)]
    if ids and fields:
        listed.add((ids[0], fields[-1]))
check("roles lists exactly alice's account/role pairs", listed == EXPECTED, (listed, roles.stdout))
check(
    "roles shows account names",
    "dev" in roles.stdout and "prod" in roles.stdout and "shared" not in roles.stdout,
    roles.stdout,
)

# 4. botocore's own SSO credential provider from aws-sso-util's token cache (legacy
# profile: start URL in the profile), then the sso-session provider with a refresh.
home = env["HOME"]
config_path = os.path.join(home, ".aws", "config")
os.makedirs(os.path.dirname(config_path), exist_ok=True)
with open(config_path, "a", encoding="utf-8") as config:
    config.write(
        f"""
[profile dev-admin]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_account_id = {accounts["dev"]}
sso_role_name = Admin
region = us-east-1
"""
    )
probe = f"""
import boto3
arn = boto3.Session(profile_name="dev-admin").client("sts").get_caller_identity()["Arn"]
print(arn)
"""
identity = subprocess.run(
    [sys.executable, "-c", probe],
    env={**env, "AWS_ENDPOINT_URL_STS": ENDPOINT},
    capture_output=True,
    text=True,
    timeout=60,
)
arn = identity.stdout.strip()
check(
    "botocore's SSO provider gets keys that are the AWSReservedSSO role",
    re.fullmatch(
        rf"arn:aws:sts::{accounts['dev']}:assumed-role/AWSReservedSSO_Admin_[0-9a-f]{{16}}/alice@example\.com",
        arn,
    )
    is not None,
    (arn, identity.stderr[-500:]),
)

# botocore's SSOTokenProvider (sso-session profile) refreshes a token that is about to
# expire with the refresh-token grant, then uses the new one.
refresh_probe = f"""
import datetime, hashlib, json, os, boto3
oidc = boto3.client("sso-oidc", region_name="us-east-1")
client = oidc.register_client(clientName="botocore-client-peer", clientType="public",
                              scopes=["sso:account:access"])
started = oidc.start_device_authorization(clientId=client["clientId"],
    clientSecret=client["clientSecret"], startUrl="{START_URL}")
print(started["verificationUriComplete"], flush=True)
input()
token = oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
    grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode=started["deviceCode"])
assert "refreshToken" in token, token
cache = os.path.expanduser("~/.aws/sso/cache")
os.makedirs(cache, exist_ok=True)
soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
later = datetime.datetime.fromtimestamp(client["clientSecretExpiresAt"], datetime.timezone.utc)
path = os.path.join(cache, hashlib.sha1(b"peer").hexdigest() + ".json")
with open(path, "w") as handle:
    json.dump({{"startUrl": "{START_URL}", "region": "us-east-1",
        "accessToken": token["accessToken"], "expiresAt": soon.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clientId": client["clientId"], "clientSecret": client["clientSecret"],
        "registrationExpiresAt": later.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "refreshToken": token["refreshToken"]}}, handle)
with open(os.path.expanduser("~/.aws/config"), "a") as config:
    config.write('''
[profile dev-readonly]
sso_session = peer
sso_account_id = {accounts["prod"]}
sso_role_name = ReadOnly
region = us-east-1

[sso-session peer]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
''')
arn = boto3.Session(profile_name="dev-readonly").client("sts").get_caller_identity()["Arn"]
rewritten = json.load(open(path))
print("REFRESHED" if rewritten["accessToken"] != token["accessToken"] else "NOT-REFRESHED")
print(arn)
"""
refresher = subprocess.Popen(
    [sys.executable, "-c", refresh_probe],
    env={**env, "AWS_ENDPOINT_URL_STS": ENDPOINT},
    stdin=subprocess.PIPE,
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
    text=True,
)
assert refresher.stdout is not None and refresher.stdin is not None
first = refresher.stdout.readline().strip()
code = first.rsplit("user_code=", 1)[-1]
status, _ = http(
    f"{ENDPOINT}/device",
    {"user_code": code, "user_name": "alice@example.com", "password": PASSWORD},
)
check("the second device sign-in is approved", status == 200, (status, first))
time.sleep(1.1)  # the polling interval
try:
    out, err = refresher.communicate("\n", timeout=60)
except subprocess.TimeoutExpired:
    refresher.kill()
    out, err = refresher.communicate()
lines = out.strip().splitlines()
check("botocore refreshed the token through the sandbox", "REFRESHED" in lines, (out, err[-800:]))
check(
    "the sso-session profile's keys are the ReadOnly role in prod",
    bool(lines)
    and re.fullmatch(
        rf"arn:aws:sts::{accounts['prod']}:assumed-role/AWSReservedSSO_ReadOnly_[0-9a-f]{{16}}/alice@example\.com",
        lines[-1],
    )
    is not None,
    (out, err[-800:]),
)

# 5. Logout: aws-sso-util revokes the token; the portal refuses it afterwards.
token_files = [
    os.path.join(home, ".aws", "sso", "cache", name)
    for name in os.listdir(os.path.join(home, ".aws", "sso", "cache"))
]
tokens = []
for path in token_files:
    with open(path, encoding="utf-8") as handle:
        content = json.load(handle)
    if content.get("startUrl") == START_URL and "accessToken" in content and "refreshToken" not in content:
        tokens.append(content["accessToken"])
logout = subprocess.run(
    [TOOL, "logout"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
)
check("logout succeeds", logout.returncode == 0, logout.stderr)
for token in tokens:
    request = urllib.request.Request(
        f"{ENDPOINT}/assignment/accounts", headers={"x-amz-sso_bearer_token": token}
    )
    try:
        urllib.request.urlopen(request)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    check("the logged-out token is refused (401)", status == 401, status)
check("aws-sso-util's token was found in its cache", bool(tokens), token_files)

if failures:
    print(f"aws-sso-util login peer: {len(failures)} of {count} checks failed:", file=sys.stderr)
    for failure in failures:
        print(f"  - {failure}", file=sys.stderr)
    sys.exit(1)
print(f"aws-sso-util login peer: all {count} checks passed", file=sys.stderr)
