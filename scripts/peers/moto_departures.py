#!/usr/bin/env python3
"""Where moto departs from documented AWS behaviour, as data, checked against both servers.

Usage:
  moto_departures.py check <sandbox-url> <moto-url>   (run by scripts/peers/moto.sh)
  moto_departures.py markdown                         (the table of docs/reference/peers-moto.md)

`moto_departures.json` beside this file lists each departure: the operation, what AWS does
(with its source) and what moto does, each also as an outcome token the probe of the same
`id` below produces (`ok`, `http500`, `error:<Code>`, `state:<State>`, ...). `check` runs
every probe against both servers and fails when
- the sandbox's outcome is not one of the AWS outcomes (the sandbox departs), or
- moto's outcome is not the recorded one (moto stopped departing, or departs differently:
  update the data file), or
- a probe has no entry or an entry has no probe.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from moto_common import (
    Server,
    create_account,
    ensure_organization,
    outcome_of,
    reset,
    settle_assignment,
    settle_create_account,
    settle_provisioning,
    with_conflict_retry,
)

DATA_FILE = Path(__file__).with_name("moto_departures.json")
DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "peers-moto.md"
TABLE_BEGIN = "<!-- moto-departures:begin (generated: target/peers/venv/bin/python scripts/peers/moto_departures.py markdown) -->"
TABLE_END = "<!-- moto-departures:end -->"
SANDBOX_KEYS = ("AKIAMONBANSANDBOX000", "monban-sandbox-secret")
MOTO_KEYS = ("testing", "testing")
PROBES: dict = {}


def probe(identifier: str):
    def register(function):
        PROBES[identifier] = function
        return function

    return register


class Context:
    """What the probes share on one server: clients, an account in the organization, two
    users and a group, two permission sets. Built with the calls a real client makes."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.organizations = server.client("organizations")
        self.sso_admin = server.client("sso-admin")
        self.identity_store = server.client("identitystore")
        self.root_id = ensure_organization(self.organizations)
        self.management_id = self.organizations.describe_organization()["Organization"]["MasterAccountId"]
        self.account_email = "departures-a@example.com"
        self.account_id = create_account(self.organizations, "departures-a", self.account_email)
        instance = self.sso_admin.list_instances()["Instances"][0]
        self.instance_arn = instance["InstanceArn"]
        self.identity_store_id = instance["IdentityStoreId"]
        self.users = [
            self.identity_store.create_user(
                IdentityStoreId=self.identity_store_id,
                UserName=f"departures-{number}@example.com",
                DisplayName=f"Departures {number}",
                Name={"GivenName": "Departures", "FamilyName": str(number)},
            )["UserId"]
            for number in (1, 2)
        ]
        self.group = self.identity_store.create_group(
            IdentityStoreId=self.identity_store_id, DisplayName="departures-group"
        )["GroupId"]
        self.permission_sets = [
            self.sso_admin.create_permission_set(
                InstanceArn=self.instance_arn, Name=name, SessionDuration="PT2H"
            )["PermissionSet"]["PermissionSetArn"]
            for name in ("DeparturesOne", "DeparturesTwo")
        ]

    def assign(self, permission_set: str, principal_type: str, principal_id: str, target: str | None = None):
        """CreateAccountAssignment; the outcome and, when accepted, the creation status."""
        return outcome_of(
            lambda **kwargs: with_conflict_retry(self.sso_admin.create_account_assignment, **kwargs),
            InstanceArn=self.instance_arn,
            TargetId=target or self.account_id,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=permission_set,
            PrincipalType=principal_type,
            PrincipalId=principal_id,
        )

    def account_label(self, account_id: str) -> str:
        if account_id == self.account_id:
            return "assigned"
        if account_id == self.management_id:
            return "management"
        return "other"


# ---------------------------------------------------------------------------------------
# Organizations
# ---------------------------------------------------------------------------------------


@probe("organizations-create-account-async")
def create_account_async(context: Context) -> str:
    status = context.organizations.create_account(
        Email="departures-b@example.com", AccountName="departures-b"
    )["CreateAccountStatus"]
    settle_create_account(context.organizations, status["Id"])
    return f"state:{status['State']}"


@probe("organizations-create-account-duplicate-email")
def create_account_duplicate_email(context: Context) -> str:
    status = context.organizations.create_account(
        Email=context.account_email, AccountName="departures-duplicate"
    )["CreateAccountStatus"]
    final = settle_create_account(context.organizations, status["Id"])
    return f"state:{final['State']}" + (f"/{final['FailureReason']}" if final.get("FailureReason") else "")


@probe("organizations-duplicate-ou-name")
def duplicate_ou_name(context: Context) -> str:
    context.organizations.create_organizational_unit(ParentId=context.root_id, Name="departures-twice")
    outcome, _ = outcome_of(
        context.organizations.create_organizational_unit, ParentId=context.root_id, Name="departures-twice"
    )
    return outcome


@probe("organizations-delete-non-empty-ou")
def delete_non_empty_ou(context: Context) -> str:
    parent = context.organizations.create_organizational_unit(ParentId=context.root_id, Name="departures-parent")
    parent_id = parent["OrganizationalUnit"]["Id"]
    context.organizations.create_organizational_unit(ParentId=parent_id, Name="departures-child")
    outcome, _ = outcome_of(context.organizations.delete_organizational_unit, OrganizationalUnitId=parent_id)
    return outcome


@probe("organizations-move-account-wrong-source")
def move_account_wrong_source(context: Context) -> str:
    # The account is directly under the root; this names an OU it is not in.
    elsewhere = context.organizations.create_organizational_unit(ParentId=context.root_id, Name="departures-elsewhere")
    elsewhere_id = elsewhere["OrganizationalUnit"]["Id"]
    outcome, _ = outcome_of(
        context.organizations.move_account,
        AccountId=context.account_id,
        SourceParentId=elsewhere_id,
        DestinationParentId=context.root_id,
    )
    return outcome


@probe("organizations-list-children-max-results")
def list_children_max_results(context: Context) -> str:
    # The probes above leave at least three OUs directly under the root.
    children = context.organizations.list_children(
        ParentId=context.root_id, ChildType="ORGANIZATIONAL_UNIT", MaxResults=1
    )["Children"]
    return "within-max-results" if len(children) <= 1 else f"items:{len(children)}>1"


@probe("organizations-list-accounts-max-results-above-20")
def list_accounts_max_results(context: Context) -> str:
    outcome, _ = outcome_of(context.organizations.list_accounts, MaxResults=21)
    return outcome


# ---------------------------------------------------------------------------------------
# SSO Admin
# ---------------------------------------------------------------------------------------


@probe("sso-admin-create-account-assignment-async")
def create_account_assignment_async(context: Context) -> str:
    outcome, response = context.assign(context.permission_sets[0], "GROUP", context.group)
    if outcome != "ok":
        return outcome
    status = response["AccountAssignmentCreationStatus"]
    settle_assignment(context.sso_admin, context.instance_arn, status)
    return f"state:{status['Status']}"


@probe("sso-admin-assignment-provisions-permission-set")
def assignment_provisions(context: Context) -> str:
    # After the assignment of the probe above (DeparturesOne to the group on the account).
    provisioned = context.sso_admin.list_permission_sets_provisioned_to_account(
        InstanceArn=context.instance_arn, AccountId=context.account_id
    )["PermissionSets"]
    return "provisioned" if context.permission_sets[0] in provisioned else "not-provisioned"


@probe("sso-admin-accounts-for-provisioned-permission-set")
def accounts_for_provisioned(context: Context) -> str:
    accounts = context.sso_admin.list_accounts_for_provisioned_permission_set(
        InstanceArn=context.instance_arn, PermissionSetArn=context.permission_sets[0]
    )["AccountIds"]
    return "accounts:" + ",".join(sorted(context.account_label(account) for account in accounts))


@probe("sso-admin-duplicate-account-assignment")
def duplicate_account_assignment(context: Context) -> str:
    outcome, response = context.assign(context.permission_sets[0], "GROUP", context.group)
    if outcome == "ok":
        settle_assignment(context.sso_admin, context.instance_arn, response["AccountAssignmentCreationStatus"])
    listed = context.sso_admin.list_account_assignments(
        InstanceArn=context.instance_arn, AccountId=context.account_id, PermissionSetArn=context.permission_sets[0]
    )["AccountAssignments"]
    return f"listed:{len(listed)}"


@probe("sso-admin-assignment-unknown-principal")
def assignment_unknown_principal(context: Context) -> str:
    outcome, _ = context.assign(context.permission_sets[1], "USER", "00000000-0000-0000-0000-00000000abcd")
    return outcome


@probe("sso-admin-assignment-account-outside-organization")
def assignment_outside_organization(context: Context) -> str:
    outcome, _ = context.assign(context.permission_sets[1], "USER", context.users[0], target="999999999999")
    return outcome


@probe("sso-admin-assignment-malformed-account-id")
def assignment_malformed_account(context: Context) -> str:
    outcome, _ = context.assign(context.permission_sets[1], "USER", context.users[0], target="12345678901x")
    return outcome


@probe("sso-admin-assignment-creation-status-list")
def assignment_creation_status_list(context: Context) -> str:
    outcome, _ = outcome_of(
        context.sso_admin.list_account_assignment_creation_status, InstanceArn=context.instance_arn
    )
    return outcome


@probe("sso-admin-provision-permission-set-async")
def provision_async(context: Context) -> str:
    outcome, response = outcome_of(
        lambda **kwargs: with_conflict_retry(context.sso_admin.provision_permission_set, **kwargs),
        InstanceArn=context.instance_arn,
        PermissionSetArn=context.permission_sets[0],
        TargetType="AWS_ACCOUNT",
        TargetId=context.account_id,
    )
    if outcome != "ok":
        return outcome
    status = response["PermissionSetProvisioningStatus"]
    settle_provisioning(context.sso_admin, context.instance_arn, status)
    return f"state:{status['Status']}"


@probe("sso-admin-provisioning-status-list")
def provisioning_status_list(context: Context) -> str:
    outcome, _ = outcome_of(
        context.sso_admin.list_permission_set_provisioning_status, InstanceArn=context.instance_arn
    )
    return outcome


@probe("sso-admin-duplicate-permission-set-name")
def duplicate_permission_set_name(context: Context) -> str:
    outcome, _ = outcome_of(
        context.sso_admin.create_permission_set, InstanceArn=context.instance_arn, Name="DeparturesOne"
    )
    return outcome


@probe("sso-admin-default-session-duration")
def default_session_duration(context: Context) -> str:
    created = context.sso_admin.create_permission_set(InstanceArn=context.instance_arn, Name="DeparturesDefault")
    described = context.sso_admin.describe_permission_set(
        InstanceArn=context.instance_arn, PermissionSetArn=created["PermissionSet"]["PermissionSetArn"]
    )["PermissionSet"]
    value = described.get("SessionDuration")
    return f"value:{value!r}"


@probe("sso-admin-session-duration-above-12-hours")
def session_duration_above_12_hours(context: Context) -> str:
    outcome, _ = outcome_of(
        context.sso_admin.create_permission_set,
        InstanceArn=context.instance_arn,
        Name="DeparturesTooLong",
        SessionDuration="PT13H",
    )
    return outcome


@probe("sso-admin-permissions-boundary-absent")
def permissions_boundary_absent(context: Context) -> str:
    outcome, _ = outcome_of(
        context.sso_admin.get_permissions_boundary_for_permission_set,
        InstanceArn=context.instance_arn,
        PermissionSetArn=context.permission_sets[1],
    )
    return outcome


@probe("sso-admin-list-tags-for-resource")
def list_tags_for_resource(context: Context) -> str:
    outcome, _ = outcome_of(
        context.sso_admin.list_tags_for_resource,
        InstanceArn=context.instance_arn,
        ResourceArn=context.permission_sets[1],
    )
    return outcome


@probe("sso-admin-describe-instance")
def describe_instance(context: Context) -> str:
    outcome, _ = outcome_of(context.sso_admin.describe_instance, InstanceArn=context.instance_arn)
    return outcome


# ---------------------------------------------------------------------------------------
# Identity Store
# ---------------------------------------------------------------------------------------


@probe("identitystore-duplicate-group-membership")
def duplicate_group_membership(context: Context) -> str:
    arguments = {
        "IdentityStoreId": context.identity_store_id,
        "GroupId": context.group,
        "MemberId": {"UserId": context.users[0]},
    }
    context.identity_store.create_group_membership(**arguments)
    outcome, _ = outcome_of(context.identity_store.create_group_membership, **arguments)
    return outcome


@probe("identitystore-update-user")
def update_user(context: Context) -> str:
    outcome, _ = outcome_of(
        context.identity_store.update_user,
        IdentityStoreId=context.identity_store_id,
        UserId=context.users[1],
        Operations=[{"AttributePath": "displayName", "AttributeValue": "Departures Renamed"}],
    )
    return outcome


@probe("identitystore-list-users-max-results-above-100")
def list_users_max_results(context: Context) -> str:
    outcome, _ = outcome_of(
        context.identity_store.list_users, IdentityStoreId=context.identity_store_id, MaxResults=101
    )
    return outcome


# ---------------------------------------------------------------------------------------


def run(server: Server) -> dict[str, str]:
    """Every probe's outcome on one server, reset first, in the order written (some build
    on earlier ones: the assignment probes share one assignment)."""
    reset(server)
    context = Context(server)
    outcomes = {}
    for identifier, function in PROBES.items():
        try:
            outcomes[identifier] = function(context)
        except Exception as error:  # noqa: BLE001 - an unexpected failure is an outcome to report
            outcomes[identifier] = f"exception:{type(error).__name__}: {error}"[:300]
    return outcomes


def check(sandbox_url: str, moto_url: str) -> int:
    departures = json.loads(DATA_FILE.read_text())
    by_id = {departure["id"]: departure for departure in departures}
    problems = []
    for missing in sorted(set(PROBES) - set(by_id)):
        problems.append(f"probe {missing} has no entry in {DATA_FILE.name}")
    for missing in sorted(set(by_id) - set(PROBES)):
        problems.append(f"{DATA_FILE.name} entry {missing} has no probe")
    docs = DOCS_FILE.read_text() if DOCS_FILE.exists() else ""
    if f"{TABLE_BEGIN}\n{markdown()}{TABLE_END}" not in docs:
        problems.append(
            f"the departures table in {DOCS_FILE.relative_to(DOCS_FILE.parents[2])} is not the one "
            f"{DATA_FILE.name} gives: regenerate it between its markers with "
            "`target/peers/venv/bin/python scripts/peers/moto_departures.py markdown`"
        )
    sandbox = run(Server("sandbox", sandbox_url, *SANDBOX_KEYS))
    moto = run(Server("moto", moto_url, *MOTO_KEYS))
    for identifier in PROBES:
        departure = by_id.get(identifier)
        if departure is None:
            print(f"  {identifier}: sandbox {sandbox[identifier]!r}, moto {moto[identifier]!r}", file=sys.stderr)
            continue
        aws = departure["aws"]["outcomes"]
        recorded = departure["moto"]["outcome"]
        if sandbox[identifier] not in aws:
            problems.append(
                f"SANDBOX DEPARTS on {identifier} ({departure['operation']}): it answered "
                f"{sandbox[identifier]!r}, AWS answers {' or '.join(map(repr, aws))}"
            )
        if moto[identifier] in aws:
            problems.append(
                f"MOTO NO LONGER DEPARTS on {identifier} ({departure['operation']}): it answered "
                f"{moto[identifier]!r} like AWS; remove or update the entry in {DATA_FILE.name}"
            )
        elif moto[identifier] != recorded:
            problems.append(
                f"MOTO DEPARTS DIFFERENTLY on {identifier} ({departure['operation']}): it answered "
                f"{moto[identifier]!r}, {DATA_FILE.name} records {recorded!r}; update the entry"
            )
    print(
        f"moto peer: {len(by_id)} recorded departures of moto from AWS, probed on both servers; "
        f"{len(problems)} problems"
    )
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


def markdown() -> str:
    """The departures table of docs/reference/peers-moto.md, generated from the data."""
    departures = json.loads(DATA_FILE.read_text())
    lines = [
        "| # | service | operation | AWS (documented) | source | moto | probe outcome AWS / moto |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    for number, departure in enumerate(departures, 1):
        aws_outcomes = " or ".join(f"`{outcome}`" for outcome in departure["aws"]["outcomes"])
        lines.append(
            f"| {number} | {departure['service']} | {departure['operation']} | "
            f"{cell(departure['aws']['behaviour'])} | {cell(departure['aws']['source'])} | "
            f"{cell(departure['moto']['behaviour'])} | {aws_outcomes} / `{departure['moto']['outcome']}` |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    if len(sys.argv) == 2 and sys.argv[1] == "markdown":
        sys.stdout.write(markdown())
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 4 and sys.argv[1] == "observe":
        # Development aid: print both servers' outcomes without judging them.
        sandbox = run(Server("sandbox", sys.argv[2], *SANDBOX_KEYS))
        moto = run(Server("moto", sys.argv[3], *MOTO_KEYS))
        for identifier in PROBES:
            print(f"{identifier}: sandbox {sandbox[identifier]!r} moto {moto[identifier]!r}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
