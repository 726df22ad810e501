#!/usr/bin/env python3
"""The same plan against moto and against the sandbox.

Usage: moto_plan.py <sandbox-url> <moto-url> <monban-binary> <work-dir>
(run by scripts/peers/moto.sh, which starts both servers).

Both servers get the same state through boto3, the calls a real client makes; a small access
repo is written per server (identical but for the account `id:`s each server assigned);
`monban plan --format json --refresh full --endpoint-url URL` runs against each, and the
plans are compared after the server's ids, ARNs, timestamps and digests are replaced by
names.

Two rounds, because of what moto lacks (docs/reference/peers-moto.md):
1. Organization and Identity Store live (OUs, accounts with tags, users, groups,
   memberships); permission sets and assignments only in the repo. monban's reader needs
   nothing moto lacks here, so the `changes` (address, action, cause, fields, before,
   after) and the `access` diff must be EQUAL.
2. Permission sets (with managed policies) and assignments added live in both, one of them
   an assignment the repo removes, while the repo adds another. The sandbox's plan must be
   round 1's minus what now exists plus the removal. Against moto monban's read must FAIL on
   GetPermissionsBoundaryForPermissionSet or sso-admin ListTagsForResource (moto answers
   HTTP 500): if it stops failing, moto has caught up and this round must compare too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from moto_common import (
    REGION,
    Server,
    create_account,
    ensure_organization,
    reset,
    settle_assignment,
    with_conflict_retry,
)

SANDBOX_KEYS = ("AKIAMONBANSANDBOX000", "monban-sandbox-secret")
MOTO_KEYS = ("testing", "testing")
# The reads of round 2 that moto does not implement (it answers HTTP 500). monban reads
# permission sets concurrently, so either may be the one its error names.
MOTO_MISSING_OPERATIONS = ("GetPermissionsBoundaryForPermissionSet", "ListTagsForResource")

LIVE_OUS = ["Workloads", "Workloads/Prod", "Workloads/Dev"]
# name -> (OU path or None for the root, tags); e-mails follow the repo's root_email.
LIVE_ACCOUNTS = {
    "payments-prod": ("Workloads/Prod", {"env": "prod"}),
    "payments-dev": ("Workloads/Dev", {"env": "dev", "owner": "old-team"}),  # the repo drops `owner`
    "search-prod": (None, {"env": "prod"}),  # the repo moves it into Workloads/Prod
    "legacy-tools": ("Workloads", {}),  # no account file: reported, never changed
}
USERS = {
    "alice@example.com": ("Alice", "Liddell"),
    "bob@example.com": ("Bob", "Builder"),
    "carol@example.com": ("Carol", "Danvers"),
    "dave@example.com": ("Dave", "Lister"),
}
GROUPS = {
    "engineers": ["alice@example.com", "bob@example.com"],
    "admins": ["carol@example.com"],
    "auditors": ["bob@example.com", "dave@example.com"],
}
# Permission sets created live in round 2, exactly as the repo declares them.
LIVE_PERMISSION_SETS = {
    "ReadOnly": {
        "Description": "Read-only access",
        "SessionDuration": "PT8H",
        "managed": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    },
    "Admin": {
        "Description": "Full access",
        "SessionDuration": "PT1H",
        "managed": ["arn:aws:iam::aws:policy/AdministratorAccess"],
    },
}
# Assignments created live in round 2: (account, permission set, principal type, name).
LIVE_ASSIGNMENTS = [
    ("payments-prod", "ReadOnly", "GROUP", "engineers"),  # the repo keeps it
    ("payments-prod", "Admin", "USER", "bob@example.com"),  # the repo removes it (exclusive)
]

REPO_FILES = {
    "monban.yaml": """\
organization:
  root_email: "aws-root+{account}@example.com"
  ous: [Workloads, Workloads/Prod, Workloads/Dev, Sandbox]
identity_center:
  region: us-east-1
safety:
  exclusive: true
""",
    "groups.yaml": """\
groups: [engineers, admins, auditors]
users: [alice@example.com, bob@example.com, carol@example.com, dave@example.com]
""",
    "permission-sets/ReadOnly.yaml": """\
description: Read-only access
session_duration: PT8H
managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
""",
    "permission-sets/Admin.yaml": """\
description: Full access
session_duration: PT1H
managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
""",
    "permission-sets/Auditor.yaml": """\
description: Reads the audit trail
session_duration: PT4H
""",
    "permission-sets/Auditor.policy.json": """\
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["cloudtrail:LookupEvents"], "Resource": "*"}]}
""",
    "accounts/payments-prod.yaml": """\
id: "{payments-prod}"
ou: Workloads/Prod
tags: {{ env: prod }}
access:
  ReadOnly:
    - group: engineers
  Admin:
    - group: admins
""",
    "accounts/payments-dev.yaml": """\
id: "{payments-dev}"
ou: Workloads/Dev
tags: {{ env: dev }}
access:
  ReadOnly:
    - group: engineers
  Admin:
    - user: alice@example.com
      until: 2099-12-31
      reason: INC-1
""",
    "accounts/search-prod.yaml": """\
id: "{search-prod}"
ou: Workloads/Prod
tags: {{ env: prod }}
access:
  ReadOnly:
    - user: dave@example.com
""",
    "accounts/new-sandbox.yaml": """\
ou: Sandbox
access:
  Admin:
    - group: engineers
""",
    "rules/audit.yaml": """\
- permission_set: Auditor
  principals: [{ group: auditors }]
  accounts: { ou: "Workloads/**" }
""",
}


class Seeded:
    """What one server assigned to the state seeded into it: name -> id."""

    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}
        self.ous: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.groups: dict[str, str] = {}
        self.permission_sets: dict[str, str] = {}
        self.instance_arn = ""
        self.identity_store_id = ""
        self.management_account_id = ""

    def labels(self) -> dict[str, str]:
        """Every server-assigned id -> a name that is the same on both servers."""
        labels = {self.management_account_id: "<management-account>"}
        labels.update({value: f"<account {name}>" for name, value in self.accounts.items()})
        labels.update({value: f"<ou {name}>" for name, value in self.ous.items()})
        labels.update({value: f"<user {name}>" for name, value in self.users.items()})
        labels.update({value: f"<group {name}>" for name, value in self.groups.items()})
        labels.update({value: f"<permission set {name}>" for name, value in self.permission_sets.items()})
        labels[self.instance_arn] = "<instance>"
        labels[self.identity_store_id] = "<identity store>"
        return labels


def seed_round_one(server: Server) -> Seeded:
    """OUs, accounts (moved, tagged), users, groups, memberships."""
    seeded = Seeded()
    organizations = server.client("organizations")
    root_id = ensure_organization(organizations)
    seeded.management_account_id = organizations.describe_organization()["Organization"]["MasterAccountId"]
    for path in LIVE_OUS:
        parent_path, _, name = path.rpartition("/")
        parent_id = seeded.ous[parent_path] if parent_path else root_id
        seeded.ous[path] = organizations.create_organizational_unit(ParentId=parent_id, Name=name)[
            "OrganizationalUnit"
        ]["Id"]
    for name, (home, tags) in LIVE_ACCOUNTS.items():
        account_id = create_account(organizations, name, f"aws-root+{name}@example.com")
        seeded.accounts[name] = account_id
        if home:
            organizations.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=seeded.ous[home])
        if tags:
            organizations.tag_resource(
                ResourceId=account_id, Tags=[{"Key": key, "Value": value} for key, value in tags.items()]
            )

    sso_admin = server.client("sso-admin")
    instance = sso_admin.list_instances()["Instances"][0]
    seeded.instance_arn = instance["InstanceArn"]
    seeded.identity_store_id = instance["IdentityStoreId"]
    identity_store = server.client("identitystore")
    for user_name, (given, family) in USERS.items():
        seeded.users[user_name] = identity_store.create_user(
            IdentityStoreId=seeded.identity_store_id,
            UserName=user_name,
            DisplayName=f"{given} {family}",
            Name={"GivenName": given, "FamilyName": family},
            Emails=[{"Value": user_name, "Type": "work", "Primary": True}],
        )["UserId"]
    for group, members in GROUPS.items():
        group_id = identity_store.create_group(IdentityStoreId=seeded.identity_store_id, DisplayName=group)["GroupId"]
        seeded.groups[group] = group_id
        for member in members:
            identity_store.create_group_membership(
                IdentityStoreId=seeded.identity_store_id, GroupId=group_id, MemberId={"UserId": seeded.users[member]}
            )
    return seeded


def seed_round_two(server: Server, seeded: Seeded) -> None:
    """Permission sets with their managed policies, and assignments, each waited for."""
    sso_admin = server.client("sso-admin")
    for name, plan in LIVE_PERMISSION_SETS.items():
        arn = sso_admin.create_permission_set(
            InstanceArn=seeded.instance_arn,
            Name=name,
            Description=plan["Description"],
            SessionDuration=plan["SessionDuration"],
        )["PermissionSet"]["PermissionSetArn"]
        seeded.permission_sets[name] = arn
        for policy in plan["managed"]:
            sso_admin.attach_managed_policy_to_permission_set(
                InstanceArn=seeded.instance_arn, PermissionSetArn=arn, ManagedPolicyArn=policy
            )
    for account, permission_set, principal_type, principal in LIVE_ASSIGNMENTS:
        principal_id = seeded.groups[principal] if principal_type == "GROUP" else seeded.users[principal]
        status = with_conflict_retry(
            sso_admin.create_account_assignment,
            InstanceArn=seeded.instance_arn,
            TargetId=seeded.accounts[account],
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=seeded.permission_sets[permission_set],
            PrincipalType=principal_type,
            PrincipalId=principal_id,
        )["AccountAssignmentCreationStatus"]
        final = settle_assignment(sso_admin, seeded.instance_arn, status)
        if final != "SUCCEEDED":
            raise RuntimeError(f"{server.name}: assignment {account}/{permission_set}/{principal} ended {final}")


def write_repo(directory: Path, seeded: Seeded) -> None:
    """The access repo for one server: the same files, with that server's account ids."""
    ids = {name: account_id for name, account_id in seeded.accounts.items()}
    for relative, text in REPO_FILES.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(**ids) if relative.startswith("accounts/") else text)


def plan(monban: str, server: Server, repo: Path) -> tuple[int, dict | None, str, float]:
    """`monban plan --format json --refresh full` against one server: exit code, the plan
    (None when it failed), stderr, seconds."""
    environment = dict(
        os.environ,
        AWS_ACCESS_KEY_ID=server.access_key_id,
        AWS_SECRET_ACCESS_KEY=server.secret_access_key,
        AWS_REGION=REGION,
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        # moto answers operations it lacks with HTTP 500, which monban retries as a server
        # error: three attempts (the SDKs' default) keep a recorded failure quick.
        AWS_MAX_ATTEMPTS="3",
    )
    environment.pop("AWS_SESSION_TOKEN", None)
    environment.pop("AWS_PROFILE", None)
    started = time.monotonic()
    finished = subprocess.run(
        [monban, "plan", "--format", "json", "--refresh", "full", "--endpoint-url", server.url, "--repo", str(repo)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    seconds = time.monotonic() - started
    document = json.loads(finished.stdout) if finished.returncode == 0 else None
    return finished.returncode, document, finished.stderr, seconds


TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})$")
ARN_OR_ID = re.compile(r"^(arn:aws:|ou-|r-|o-|d-|ssoins-|\d{12}$)")


def normalize(value, labels: dict[str, str]):
    """Replaces server-assigned ids and ARNs by names, timestamps by `<time>`; an id or ARN
    the seed does not know becomes `<unknown id>` so that it still compares."""
    if isinstance(value, dict):
        return {key: normalize(item, labels) for key, item in value.items()}
    if isinstance(value, list):
        return [normalize(item, labels) for item in value]
    if isinstance(value, str):
        if value in labels:
            return labels[value]
        if TIMESTAMP.match(value):
            return "<time>"
        if ARN_OR_ID.match(value):
            return "<unknown id>"
    return value


def comparable(document: dict, labels: dict[str, str]) -> dict:
    """The parts of a plan that must agree: each change (without its display-only reason)
    and the per-person access diff, normalized."""
    changes = [
        {key: change[key] for key in ("address", "action", "cause", "fields", "provision", "blocked_by", "before", "after")}
        for change in document["changes"]
    ]
    # The management account differs by design (moto names it `master`, with its own
    # e-mail): it is compared by id label only.
    management = document["target"]["management_account_id"]
    unmanaged = dict(document["unmanaged"])
    unmanaged["accounts"] = [
        account if account["id"] != management else {"id": account["id"]} for account in unmanaged["accounts"]
    ]
    return {
        "changes": normalize(changes, labels),
        "access": normalize(document["access"], labels),
        "unmanaged": normalize(unmanaged, labels),
        "warnings": [(warning["severity"], warning["code"]) for warning in document["warnings"]],
        "complete": document["complete"],
        "applyable": document["applyable"],
    }


def describe_change(change: dict) -> str:
    address = change["address"]
    parts = [address["type"]] + [
        str(address[key]) if not isinstance(address[key], dict) else f"{address[key]['kind']}:{address[key]['name']}"
        for key in ("path", "account", "permission_set", "principal")
        if key in address
    ]
    return f"{change['action']} {'/'.join(parts)} ({change['cause']['kind']})"


def differences(label_a: str, a, label_b: str, b, path: str = "") -> list[str]:
    """Human-readable differences between two normalized JSON values."""
    if type(a) is not type(b):
        return [f"{path or '/'}: {label_a} {json.dumps(a)[:200]} vs {label_b} {json.dumps(b)[:200]}"]
    if isinstance(a, dict):
        found = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                found.append(f"{path}/{key}: only in {label_a if key in a else label_b}")
            else:
                found.extend(differences(label_a, a[key], label_b, b[key], f"{path}/{key}"))
        return found
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items in {label_a}, {len(b)} in {label_b}"]
        found = []
        for index, (item_a, item_b) in enumerate(zip(a, b)):
            found.extend(differences(label_a, item_a, label_b, item_b, f"{path}[{index}]"))
        return found
    return [] if a == b else [f"{path}: {label_a} {json.dumps(a)} vs {label_b} {json.dumps(b)}"]


def main() -> int:
    sandbox_url, moto_url, monban, work = sys.argv[1:5]
    work_dir = Path(work)
    servers = [Server("sandbox", sandbox_url, *SANDBOX_KEYS), Server("moto", moto_url, *MOTO_KEYS)]
    failures: list[str] = []
    timings: list[str] = []

    for server in servers:
        reset(server)
    seeded = {server.name: seed_round_one(server) for server in servers}
    repos = {}
    for server in servers:
        repos[server.name] = work_dir / f"repo-{server.name}"
        write_repo(repos[server.name], seeded[server.name])

    # ---- round 1: organization and Identity Store; everything must agree ----
    round_one = {}
    for server in servers:
        code, document, stderr, seconds = plan(monban, server, repos[server.name])
        timings.append(f"round 1 {server.name} {seconds:.1f} s")
        if document is None:
            failures.append(f"round 1: monban plan against {server.name} failed (exit {code}): {stderr.strip()[-600:]}")
        else:
            round_one[server.name] = comparable(document, seeded[server.name].labels())
    if len(round_one) == 2:
        found = differences("sandbox", round_one["sandbox"], "moto", round_one["moto"])
        if found:
            # Which changes differ first, then the field-level differences.
            by_server = {name: {describe_change(change) for change in round_one[name]["changes"]} for name in round_one}
            for name, other in (("sandbox", "moto"), ("moto", "sandbox")):
                for change in sorted(by_server[name] - by_server[other]):
                    failures.append(f"round 1: only the {name} plan has: {change}")
        for difference in found[:30]:
            failures.append(f"round 1: the plans differ at {difference}")
        summary = Counter(change["action"] for change in round_one["sandbox"]["changes"])
        print(
            f"moto peer: round 1 (organization + Identity Store live): "
            f"{'the same plan' if not found else f'{len(found)} differences'} from both servers: "
            f"{len(round_one['sandbox']['changes'])} changes ({', '.join(f'{n} {a}' for a, n in sorted(summary.items()))}), "
            f"{len(round_one['sandbox']['access'])} people with access changes"
        )
        if not round_one["sandbox"]["complete"]:
            failures.append("round 1: the sandbox's plan is not complete")

    # ---- round 2: permission sets and assignments live ----
    for server in servers:
        seed_round_two(server, seeded[server.name])
    code, document, stderr, seconds = plan(monban, servers[0], repos["sandbox"])
    timings.append(f"round 2 sandbox {seconds:.1f} s")
    if document is None:
        failures.append(f"round 2: monban plan against the sandbox failed (exit {code}): {stderr.strip()[-600:]}")
    elif "sandbox" in round_one:
        sandbox_two = comparable(document, seeded["sandbox"].labels())
        now_live = {
            ("permission_set", name) for name in LIVE_PERMISSION_SETS
        } | {("assignment", account, permission_set, kind.lower(), name) for account, permission_set, kind, name in LIVE_ASSIGNMENTS}

        def key(change: dict) -> tuple:
            address = change["address"]
            if address["type"] == "assignment":
                return ("assignment", address["account"], address["permission_set"], address["principal"]["kind"], address["principal"]["name"])
            if address["type"] == "permission_set":
                return ("permission_set", address["permission_set"])
            return (address["type"], address.get("account") or address.get("path"))

        expected = [describe_change(change) for change in round_one["sandbox"]["changes"] if key(change) not in now_live]
        expected.append("delete assignment/payments-prod/Admin/user:bob@example.com (undeclared)")
        actual = [describe_change(change) for change in sandbox_two["changes"]]
        if sorted(expected) != sorted(actual):
            failures.append(
                f"round 2: the sandbox's plan is not round 1's minus what now exists plus the removal: "
                f"missing {sorted(set(expected) - set(actual))}, unexpected {sorted(set(actual) - set(expected))}"
            )
        print(
            f"moto peer: round 2 (permission sets + assignments live) on the sandbox: {len(actual)} changes, "
            f"{'as expected' if sorted(expected) == sorted(actual) else 'NOT as expected'} "
            f"(round 1 less the 2 live permission sets and the kept assignment, plus the removal of bob's Admin)"
        )
    code, document, stderr, seconds = plan(monban, servers[1], repos["moto"])
    timings.append(f"round 2 moto {seconds:.1f} s")
    failed_on = re.search(r"sso-admin (\w+) failed", stderr)
    if document is not None:
        failures.append(
            "round 2: monban plan against moto SUCCEEDED: moto now answers every read monban makes "
            f"(it failed on {' or '.join(MOTO_MISSING_OPERATIONS)} before); compare round 2 as well and "
            "update docs/reference/peers-moto.md"
        )
    elif not failed_on or failed_on.group(1) not in MOTO_MISSING_OPERATIONS:
        failures.append(
            f"round 2: monban plan against moto failed, but not on {' or '.join(MOTO_MISSING_OPERATIONS)} "
            f"as recorded (exit {code}): {stderr.strip()[-600:]}"
        )
    else:
        print(
            f"moto peer: round 2 on moto: monban's read fails as recorded: sso-admin {failed_on.group(1)} "
            "answered HTTP 500 (not implemented in moto)"
        )

    print(f"moto peer: plan timings: {', '.join(timings)}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
