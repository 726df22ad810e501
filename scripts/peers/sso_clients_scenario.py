#!/usr/bin/env python3
"""boto3 (botocore) as an independent client of monban's developer access, one check per
call (run by scripts/peers/sso_clients.sh, which starts the sandbox, signs in with `monban
login` and writes the profiles with `monban profiles sync`):

  caller-identity PROFILE ACCOUNT_ID ROLE USER METHOD
      a new boto3 Session on PROFILE calls sts:GetCallerIdentity; the ARN must be
      arn:aws:sts::ACCOUNT_ID:assumed-role/AWSReservedSSO_ROLE_<hash>/USER and the
      credentials must have come the way METHOD says (`sso`: botocore read the token cache
      monban wrote and called the portal itself; `custom-process`: credential_process).
  refused PROFILE
      a new boto3 Session on PROFILE gets no credentials (a deactivated person).
  deactivate SCIM_URL TOKEN USER
      the IdP's side: finds USER through SCIM (filter userName eq) and PATCHes
      active=false, as Okta does for a leaver.

No endpoint is given to boto3: every override comes from the profile's `services` section
that `monban profiles sync` wrote (or the environment the caller sets). Exit status 0 only
if the check passed.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions


def caller_identity(profile: str, account_id: str, role: str, user: str, method: str) -> int:
    session = boto3.Session(profile_name=profile)
    credentials = session.get_credentials()
    if credentials is None:
        print(f"FAIL {profile}: boto3 found no credentials", file=sys.stderr)
        return 1
    if credentials.method != method:
        print(f"FAIL {profile}: credentials came by {credentials.method!r}, expected {method!r}", file=sys.stderr)
        return 1
    arn = session.client("sts").get_caller_identity()["Arn"]
    pattern = rf"arn:aws:sts::{account_id}:assumed-role/AWSReservedSSO_{re.escape(role)}_[0-9a-f]{{16}}/{re.escape(user)}"
    if not re.fullmatch(pattern, arn):
        print(f"FAIL {profile}: GetCallerIdentity answered {arn}, expected {pattern}", file=sys.stderr)
        return 1
    print(f"ok   boto3 {profile} ({method}) -> {arn}")
    return 0


def refused(profile: str) -> int:
    try:
        arn = boto3.Session(profile_name=profile).client("sts").get_caller_identity()["Arn"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        print(f"ok   boto3 {profile} refused: {type(error).__name__}: {error}")
        return 0
    print(f"FAIL {profile}: a deactivated person still got credentials ({arn})", file=sys.stderr)
    return 1


def scim(method: str, url: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else {}


def deactivate(base: str, token: str, user: str) -> int:
    base = base.rstrip("/")
    query = urllib.parse.urlencode({"filter": f'userName eq "{user}"'})
    found = scim("GET", f"{base}/Users?{query}", token)
    resources = found.get("Resources", [])
    if len(resources) != 1:
        print(f"FAIL SCIM: {len(resources)} users named {user}", file=sys.stderr)
        return 1
    user_id = resources[0]["id"]
    patched = scim(
        "PATCH",
        f"{base}/Users/{user_id}",
        token,
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
    )
    if patched.get("active") is not False:
        print(f"FAIL SCIM: PATCH active=false answered {patched}", file=sys.stderr)
        return 1
    print(f"ok   SCIM deactivated {user}")
    return 0


def main(arguments: list[str]) -> int:
    command, rest = arguments[0], arguments[1:]
    if command == "caller-identity" and len(rest) == 5:
        return caller_identity(*rest)
    if command == "refused" and len(rest) == 1:
        return refused(*rest)
    if command == "deactivate" and len(rest) == 3:
        return deactivate(*rest)
    print(__doc__, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
