#!/usr/bin/env python3
"""aws-sso-util's `admin assignments` against the monban sandbox: a third-party tool that
walks every account, every permission set provisioned to it and every assignment, and
resolves principal, permission-set and account names on its own.

Usage: aws_sso_util_scenario.py <endpoint-url> <aws-sso-util>   (run by
scripts/peers/aws_sso_util.sh, which starts the sandbox and sets the default sandbox
credentials). Exit status 0 only if every check passed.

The organization is seeded through the control API (OUs, accounts, users, groups,
permission sets, assignments), then changed through the AWS API with boto3 the way a client
would (one assignment created and one deleted, each waited for; a permission set
provisioned into an account where nobody holds it). aws-sso-util is then pointed at the
sandbox only through AWS_ENDPOINT_URL_SSO_ADMIN, _IDENTITYSTORE and _ORGANIZATIONS, and its
CSV must hold exactly the assignments that exist, each once, with the names it resolved.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import urllib.request

import boto3
from botocore.config import Config

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4566"
TOOL = sys.argv[2] if len(sys.argv) > 2 else "aws-sso-util"
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})
failures: list[str] = []
count = 0

OUS = ["Engineering", "Engineering/Platform", "Sandbox"]
ACCOUNTS = [
    ("platform-prod", "Engineering/Platform"),
    ("platform-dev", "Engineering/Platform"),
    ("web-prod", "Engineering"),
    ("web-dev", "Engineering"),
    ("sandbox-1", "Sandbox"),
    ("unassigned", None),  # in the root, nobody holds anything here
]
USERS = ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]
GROUPS = {
    "platform-sre": ["alice@example.com", "bob@example.com"],
    "web-devs": ["carol@example.com"],
    "auditors": ["dave@example.com"],
    "nobody-assigned": [],
}
PERMISSION_SETS = ["AdministratorAccess", "ReadOnly", "Developer", "UnusedSet"]
# (account name, permission set, "USER"|"GROUP", principal name)
SEEDED = [
    ("platform-prod", "AdministratorAccess", "GROUP", "platform-sre"),
    ("platform-prod", "ReadOnly", "GROUP", "auditors"),
    ("platform-dev", "AdministratorAccess", "GROUP", "platform-sre"),
    ("platform-dev", "Developer", "USER", "carol@example.com"),
    ("web-prod", "ReadOnly", "GROUP", "web-devs"),
    ("web-prod", "ReadOnly", "GROUP", "auditors"),
    ("web-prod", "AdministratorAccess", "USER", "alice@example.com"),
    ("web-dev", "Developer", "GROUP", "web-devs"),
    ("web-dev", "ReadOnly", "USER", "dave@example.com"),
    ("sandbox-1", "AdministratorAccess", "USER", "bob@example.com"),
    ("sandbox-1", "Developer", "GROUP", "web-devs"),
    ("sandbox-1", "Developer", "GROUP", "platform-sre"),
]
CREATED = ("web-dev", "AdministratorAccess", "USER", "bob@example.com")
DELETED = ("web-prod", "ReadOnly", "GROUP", "auditors")


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


def wait_for(describe, key: str, request_id: str) -> dict:
    """Polls an assignment creation/deletion status until it leaves IN_PROGRESS."""
    for _ in range(200):
        status = describe(request_id)[key]
        if status["Status"] != "IN_PROGRESS":
            return status
        time.sleep(0.05)
    raise TimeoutError(f"{request_id} still IN_PROGRESS")


def run_tool(*arguments: str) -> list[dict]:
    """Runs `aws-sso-util admin assignments ARGS` against the sandbox; returns its CSV rows."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_ENDPOINT_URL")
    }
    environment.update(
        AWS_ENDPOINT_URL_SSO_ADMIN=ENDPOINT,
        AWS_ENDPOINT_URL_IDENTITYSTORE=ENDPOINT,
        AWS_ENDPOINT_URL_ORGANIZATIONS=ENDPOINT,
        AWS_DEFAULT_REGION="us-east-1",
    )
    command = [TOOL, "admin", "assignments", *arguments]
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    check(f"{' '.join(command[1:])} exits 0", result.returncode == 0, result.stderr[-2000:])
    if result.returncode != 0:
        return []
    return list(csv.DictReader(io.StringIO(result.stdout)))


def compare(label: str, rows: list[dict], expected: set[tuple], names: dict) -> None:
    """Checks that `rows` are exactly `expected`, once each, with the resolved names."""
    got = [
        (row["principal_type"], row["principal_id"], row["permission_set_arn"], row["target_id"])
        for row in rows
    ]
    check(f"{label}: no duplicate rows", len(got) == len(set(got)), sorted(got))
    missing = expected - set(got)
    extra = set(got) - expected
    check(f"{label}: no assignment missing", not missing, sorted(missing))
    check(f"{label}: no extra assignment", not extra, sorted(extra))
    for row in rows:
        key = (row["principal_type"], row["principal_id"], row["permission_set_arn"], row["target_id"])
        check(f"{label}: instance", row["instance_arn"] == names["instance_arn"], row)
        check(f"{label}: target type", row["target_type"] == "AWS_ACCOUNT", row)
        check(
            f"{label}: principal name of {key}",
            row["principal_name"] == names["principals"].get(row["principal_id"]),
            row["principal_name"],
        )
        check(
            f"{label}: permission set name of {key}",
            row["permission_set_name"] == names["permission_sets"].get(row["permission_set_arn"]),
            row["permission_set_name"],
        )
        check(
            f"{label}: account name of {key}",
            row["target_name"] == names["accounts"].get(row["target_id"]),
            row["target_name"],
        )


def main() -> int:
    started = time.monotonic()
    health = control("health")
    instance_arn = health["instance_arn"]
    identity_store_id = health["identity_store_id"]

    seed = {
        "organizational_units": OUS,
        "accounts": [
            {"name": name, "email": f"aws+{name}@example.com", **({"ou": ou} if ou else {})}
            for name, ou in ACCOUNTS
        ],
        "users": [
            {
                "user_name": user,
                "display_name": user.split("@")[0].title(),
                "given_name": user.split("@")[0].title(),
                "family_name": "Example",
                "email": user,
            }
            for user in USERS
        ],
        "groups": [
            {"display_name": group, "members": members} for group, members in GROUPS.items()
        ],
        "permission_sets": [
            {
                "name": name,
                "description": f"{name} for the aws-sso-util peer",
                "session_duration": "PT4H",
                "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            }
            for name in PERMISSION_SETS
        ],
        "assignments": [
            {
                "account_name": account,
                "permission_set": permission_set,
                ("user" if kind == "USER" else "group"): principal,
            }
            for account, permission_set, kind, principal in SEEDED
        ],
    }
    ids = control("seed", seed)
    check("seeded assignments", ids["assignments"] == len(SEEDED), ids["assignments"])
    account_ids = ids["accounts"]
    principal_ids = {("USER", name): ident for name, ident in ids["users"].items()}
    principal_ids.update({("GROUP", name): ident for name, ident in ids["groups"].items()})
    permission_set_arns = ids["permission_sets"]

    def key_of(assignment: tuple) -> tuple:
        account, permission_set, kind, principal = assignment
        return (
            kind,
            principal_ids[(kind, principal)],
            permission_set_arns[permission_set],
            account_ids[account],
        )

    # Through the AWS API, as a client would: one more assignment, one fewer, and a
    # permission set provisioned into an account where nobody holds it (aws-sso-util visits
    # it and must find no assignment there).
    sso_admin = client("sso-admin")

    def request(assignment: tuple) -> dict:
        kind, principal_id, permission_set_arn, account_id = key_of(assignment)
        return {
            "InstanceArn": instance_arn,
            "TargetId": account_id,
            "TargetType": "AWS_ACCOUNT",
            "PermissionSetArn": permission_set_arn,
            "PrincipalType": kind,
            "PrincipalId": principal_id,
        }

    created = sso_admin.create_account_assignment(**request(CREATED))
    status = wait_for(
        lambda rid: sso_admin.describe_account_assignment_creation_status(
            InstanceArn=instance_arn, AccountAssignmentCreationRequestId=rid
        ),
        "AccountAssignmentCreationStatus",
        created["AccountAssignmentCreationStatus"]["RequestId"],
    )
    check("boto3 CreateAccountAssignment succeeded", status["Status"] == "SUCCEEDED", status)
    deleted = sso_admin.delete_account_assignment(**request(DELETED))
    status = wait_for(
        lambda rid: sso_admin.describe_account_assignment_deletion_status(
            InstanceArn=instance_arn, AccountAssignmentDeletionRequestId=rid
        ),
        "AccountAssignmentDeletionStatus",
        deleted["AccountAssignmentDeletionStatus"]["RequestId"],
    )
    check("boto3 DeleteAccountAssignment succeeded", status["Status"] == "SUCCEEDED", status)
    provisioned = sso_admin.provision_permission_set(
        InstanceArn=instance_arn,
        PermissionSetArn=permission_set_arns["ReadOnly"],
        TargetType="AWS_ACCOUNT",
        TargetId=account_ids["unassigned"],
    )["PermissionSetProvisioningStatus"]
    for _ in range(200):
        if provisioned["Status"] != "IN_PROGRESS":
            break
        time.sleep(0.05)
        provisioned = sso_admin.describe_permission_set_provisioning_status(
            InstanceArn=instance_arn, ProvisionPermissionSetRequestId=provisioned["RequestId"]
        )["PermissionSetProvisioningStatus"]
    check("boto3 ProvisionPermissionSet succeeded", provisioned["Status"] == "SUCCEEDED", provisioned)

    current = [a for a in SEEDED if a != DELETED] + [CREATED]
    expected = {key_of(a) for a in current}
    names = {
        "instance_arn": instance_arn,
        "principals": {ident: name for (_, name), ident in principal_ids.items()},
        "permission_sets": {arn: name for name, arn in permission_set_arns.items()},
        "accounts": {ident: name for name, ident in account_ids.items()},
    }

    # 1. Everything, with the instance and identity store discovered (ListInstances).
    rows = run_tool()
    compare("all assignments", rows, expected, names)
    # 2. Explicit ids, one group's assignments by display name.
    rows = run_tool(
        "--instance-arn", instance_arn, "--identity-store-id", identity_store_id, "-g", "web-devs"
    )
    compare("-g web-devs", rows, {key_of(a) for a in current if a[3] == "web-devs"}, names)
    # 3. One permission set by name, accounts under an OU and its children.
    ou_id = ids["organizational_units"]["Engineering"]
    rows = run_tool("-p", "AdministratorAccess", "--ou", ou_id, "--ou-recursive")
    in_engineering = {name for name, ou in ACCOUNTS if ou and ou.startswith("Engineering")}
    compare(
        "-p AdministratorAccess --ou Engineering --ou-recursive",
        rows,
        {key_of(a) for a in current if a[1] == "AdministratorAccess" and a[0] in in_engineering},
        names,
    )
    # 4. One user by user name.
    rows = run_tool("-u", "bob@example.com")
    compare("-u bob", rows, {key_of(a) for a in current if a[3] == "bob@example.com"}, names)

    # Which operations the tool used, from the sandbox's request log (none refused).
    log = control("requests")["requests"]
    operations = sorted({f"{r['service']}:{r['operation']}" for r in log})
    errors = [r for r in log if r["outcome"] != "ok"]
    check("no request refused", not errors, errors[:5])
    for failure in failures:
        print(f"aws-sso-util peer: FAILED {failure}", file=sys.stderr)
    print(
        f"aws-sso-util peer: {len(expected)} assignments, {len(log)} requests "
        f"({', '.join(operations)}), {count} checks, {len(failures)} failed, "
        f"{time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
