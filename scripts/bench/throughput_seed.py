#!/usr/bin/env python3
"""Seeds one AWS-compatible server for scripts/bench/throughput.sh, through the AWS API only
(boto3), so that the sandbox and moto start the load from the same state: the organization,
10 accounts (CreateAccount, polled), 50 users, 5 groups, 5 permission sets and 25 user
assignments (polled). Writes the ids the load generator needs as JSON.

Usage: throughput_seed.py <endpoint-url> <out.json>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "peers"))

from moto_common import (  # noqa: E402 (the shared helpers live beside the peer suites)
    Server,
    create_account,
    ensure_organization,
    settle_assignment,
)

ACCOUNTS = 10
USERS = 50
GROUPS = 5
PERMISSION_SETS = 5
ASSIGNMENTS = 25


def main() -> int:
    url, out = sys.argv[1], sys.argv[2]
    server = Server("bench", url, "AKIAMONBANSANDBOX000", "monban-sandbox-secret")
    organizations = server.client("organizations")
    identity_store = server.client("identitystore")
    sso_admin = server.client("sso-admin")

    ensure_organization(organizations)
    account_ids = [
        create_account(organizations, f"bench-{index:02}", f"aws+bench-{index:02}@example.com")
        for index in range(ACCOUNTS)
    ]
    instance = sso_admin.list_instances()["Instances"][0]
    instance_arn, identity_store_id = instance["InstanceArn"], instance["IdentityStoreId"]
    user_ids = [
        identity_store.create_user(
            IdentityStoreId=identity_store_id,
            UserName=f"user{index:03}@example.com",
            DisplayName=f"User {index:03}",
            Name={"GivenName": "User", "FamilyName": f"{index:03}"},
            Emails=[{"Value": f"user{index:03}@example.com", "Type": "work", "Primary": True}],
        )["UserId"]
        for index in range(USERS)
    ]
    for index in range(GROUPS):
        identity_store.create_group(IdentityStoreId=identity_store_id, DisplayName=f"team-{index}")
    permission_set_arns = [
        sso_admin.create_permission_set(
            InstanceArn=instance_arn,
            Name=f"Set{index}",
            Description=f"benchmark set {index}",
            SessionDuration="PT4H",
        )["PermissionSet"]["PermissionSetArn"]
        for index in range(PERMISSION_SETS)
    ]
    for index in range(ASSIGNMENTS):
        status = sso_admin.create_account_assignment(
            InstanceArn=instance_arn,
            TargetId=account_ids[index % ACCOUNTS],
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=permission_set_arns[index % PERMISSION_SETS],
            PrincipalType="USER",
            PrincipalId=user_ids[index],
        )["AccountAssignmentCreationStatus"]
        final = settle_assignment(sso_admin, instance_arn, status)
        if final != "SUCCEEDED":
            raise RuntimeError(f"seed assignment {index}: {final}")
    Path(out).write_text(
        json.dumps(
            {
                "instance_arn": instance_arn,
                "identity_store_id": identity_store_id,
                "account_ids": account_ids,
                "user_ids": user_ids,
                "permission_set_arns": permission_set_arns,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
