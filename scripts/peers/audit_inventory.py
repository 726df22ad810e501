#!/usr/bin/env python3
"""`monban audit`'s inventory against aws-sso-util's `admin assignments` and a brute-force
expansion, on one sandbox.

Usage: audit_inventory.py <endpoint-url> <aws-sso-util> <monban> <work-dir>   (run by
scripts/peers/audit_inventory.sh, which starts the sandbox and sets its default
credentials). Exit status 0 only if every check passed.

1. `monban init --example`, its OUs and member accounts seeded through the control API (so
   apply binds them instead of paying CreateAccount's 0.1/s), `monban sandbox
   provision-idp`, `monban apply`.
2. Planted with boto3: a console-made assignment (a group the repo does not grant there)
   and a user with a direct assignment who is then deleted from the Identity Store.
3. `monban audit --format json --no-iam` and `aws-sso-util admin assignments`.
4. Checks: the audit's GROUP rows equal aws-sso-util's GROUP rows, row for row, names
   included; USER rows likewise; the audit's inventory equals the expansion of
   aws-sso-util's rows through the memberships boto3 reads (users directly, groups through
   their members, deleted users as themselves, deleted groups as nobody).
"""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.request

import boto3
from botocore.config import Config

ENDPOINT, TOOL, MONBAN, WORK = sys.argv[1:5]
CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"})
REPO = pathlib.Path(WORK) / "repo"
failures: list[str] = []
count = 0


def check(what: str, condition: bool, detail: object = "") -> None:
    global count
    count += 1
    if not condition:
        failures.append(f"{what}: {detail}")


def control(path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{ENDPOINT}/_sandbox/{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def client(service: str):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="us-east-1", config=CONFIG)


def monban(*arguments: str) -> str:
    result = subprocess.run(
        [MONBAN, *arguments], capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"monban {' '.join(arguments)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def seed_accounts() -> None:
    ous: set[str] = set()
    accounts = []
    for path in sorted((REPO / "accounts").glob("*.yaml")):
        if path.stem == "org-management":
            continue
        fields = {}
        for line in path.read_text().splitlines():
            for key in ("email", "ou"):
                if line.startswith(f"{key}:"):
                    fields[key] = line.split(":", 1)[1].strip()
        ou = fields["ou"]
        parts = ou.split("/")
        ous.update("/".join(parts[: index + 1]) for index in range(len(parts)))
        accounts.append(
            {
                "name": path.stem,
                "email": fields.get("email", f"aws-root+{path.stem}@example.com"),
                "ou": ou,
            }
        )
    control(
        "seed",
        {"organizational_units": sorted(ous, key=lambda ou: ou.count("/")), "accounts": accounts},
    )


def wait_for(describe, key: str, request_id: str) -> None:
    for _ in range(400):
        if describe(request_id)[key]["Status"] != "IN_PROGRESS":
            return
        time.sleep(0.05)
    raise TimeoutError(request_id)


def plant() -> None:
    """A console-made group assignment, and a deleted user who keeps a direct one."""
    health = control("health")
    instance = health["instance_arn"]
    store = health["identity_store_id"]
    sso = client("sso-admin")
    identity = client("identitystore")
    org = client("organizations")
    accounts = {
        account["Name"]: account["Id"]
        for page in org.get_paginator("list_accounts").paginate()
        for account in page["Accounts"]
    }
    sets = {}
    for page in sso.get_paginator("list_permission_sets").paginate(InstanceArn=instance):
        for arn in page["PermissionSets"]:
            name = sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)[
                "PermissionSet"
            ]["Name"]
            sets[name] = arn
    group = identity.get_group_id(
        IdentityStoreId=store,
        AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "finance-billing"}
        },
    )["GroupId"]
    gone = identity.create_user(
        IdentityStoreId=store,
        UserName="gone@example.com",
        DisplayName="Gone Away",
        Name={"GivenName": "Gone", "FamilyName": "Away"},
    )["UserId"]
    for principal_type, principal in (("GROUP", group), ("USER", gone)):
        request = sso.create_account_assignment(
            InstanceArn=instance,
            TargetId=accounts["harbor-staging"],
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=sets["ReadOnly"],
            PrincipalType=principal_type,
            PrincipalId=principal,
        )["AccountAssignmentCreationStatus"]["RequestId"]
        wait_for(
            lambda request_id: sso.describe_account_assignment_creation_status(
                InstanceArn=instance, AccountAssignmentCreationRequestId=request_id
            ),
            "AccountAssignmentCreationStatus",
            request,
        )
    identity.delete_user(IdentityStoreId=store, UserId=gone)


def aws_sso_util_rows() -> list[dict]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT_URL")
    }
    environment.update(
        AWS_ENDPOINT_URL_SSO_ADMIN=ENDPOINT,
        AWS_ENDPOINT_URL_IDENTITYSTORE=ENDPOINT,
        AWS_ENDPOINT_URL_ORGANIZATIONS=ENDPOINT,
        AWS_DEFAULT_REGION="us-east-1",
    )
    result = subprocess.run(
        [TOOL, "admin", "assignments"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    check("aws-sso-util admin assignments exits 0", result.returncode == 0, result.stderr[-2000:])
    return list(csv.DictReader(io.StringIO(result.stdout)))


def identity_store() -> tuple[dict, dict, dict]:
    """Users (id → user name), groups (id → name) and members (group id → user ids)."""
    store = control("health")["identity_store_id"]
    identity = client("identitystore")
    users = {
        user["UserId"]: user["UserName"]
        for page in identity.get_paginator("list_users").paginate(IdentityStoreId=store)
        for user in page["Users"]
    }
    groups = {
        group["GroupId"]: group["DisplayName"]
        for page in identity.get_paginator("list_groups").paginate(IdentityStoreId=store)
        for group in page["Groups"]
    }
    members = {
        group_id: {
            membership["MemberId"]["UserId"]
            for page in identity.get_paginator("list_group_memberships").paginate(
                IdentityStoreId=store, GroupId=group_id
            )
            for membership in page["GroupMemberships"]
        }
        for group_id in groups
    }
    return users, groups, members


def main() -> int:
    started = time.monotonic()
    monban("init", "--example", str(REPO))
    seed_accounts()
    target = ["--endpoint-url", ENDPOINT, "--repo", str(REPO)]
    monban("sandbox", "provision-idp", *target, str(REPO / "directory.yaml"))
    monban("apply", "--auto-approve", *target)
    plant()
    report = json.loads(monban("audit", "--format", "json", "--no-iam", *target))
    tool_rows = aws_sso_util_rows()

    # Principal-level rows, row for row.
    def tool_key(row: dict) -> tuple:
        name = row["principal_name"] or None
        return (
            row["principal_type"],
            row["principal_id"],
            name,
            row["permission_set_arn"],
            row["permission_set_name"],
            row["target_id"],
            row["target_name"],
        )

    def audit_key(row: dict) -> tuple:
        return (
            row["principal_type"],
            row["principal_id"],
            row["principal_name"],
            row["permission_set_arn"],
            row["permission_set"],
            row["account_id"],
            row["account_name"],
        )

    live_rows = [row for row in report["assignments"] if row["state"] != "declared-missing"]
    for principal_type in ("GROUP", "USER"):
        tool = sorted(tool_key(row) for row in tool_rows if row["principal_type"] == principal_type)
        audit = sorted(audit_key(row) for row in live_rows if row["principal_type"] == principal_type)
        check(f"{principal_type} rows: aws-sso-util lists some", len(tool) > 0, len(tool))
        check(
            f"{principal_type} rows: the audit's equal aws-sso-util's",
            tool == audit,
            {"only aws-sso-util": sorted(set(tool) - set(audit)), "only audit": sorted(set(audit) - set(tool))},
        )
    check(
        "the planted rows are live-only",
        sorted(
            (row["principal_type"], row["account_name"])
            for row in live_rows
            if row["state"] == "live-only"
        )
        == [("GROUP", "harbor-staging"), ("USER", "harbor-staging")],
        [row for row in live_rows if row["state"] == "live-only"],
    )

    # Expanded rows, by brute force from aws-sso-util's rows and boto3's reads.
    users, groups, members = identity_store()
    expected = set()
    for row in tool_rows:
        account, permission_set = row["target_id"], row["permission_set_name"]
        if row["principal_type"] == "USER":
            expected.add((row["principal_id"], account, permission_set, "direct", ""))
        else:
            for user in members.get(row["principal_id"], set()):
                if user in users:
                    expected.add((user, account, permission_set, "group", row["principal_id"]))
    inventory = [row for row in report["inventory"] if row["state"] != "declared-missing"]
    got = [
        (
            row["user_id"],
            row["account_id"],
            row["permission_set"],
            row["via"]["kind"],
            row["via"].get("group_id", ""),
        )
        for row in inventory
    ]
    check("inventory: no duplicate rows", len(got) == len(set(got)), len(got) - len(set(got)))
    check(
        "inventory: equals the brute-force expansion",
        set(got) == expected,
        {"missing": sorted(expected - set(got))[:10], "extra": sorted(set(got) - expected)[:10]},
    )
    names_ok = all(
        row["user_name"] == users.get(row["user_id"], f"deleted:{row['user_id']}") for row in inventory
    )
    check("inventory: user names as the Identity Store has them", names_ok)

    elapsed = time.monotonic() - started
    group_rows = sum(1 for row in tool_rows if row["principal_type"] == "GROUP")
    print(
        f"audit inventory peer: {count} checks, {len(failures)} failed "
        f"({group_rows} group rows, {len(tool_rows) - group_rows} user rows, "
        f"{len(inventory)} expanded rows; {elapsed:.1f} s)"
    )
    for failure in failures:
        print(f"FAIL {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
