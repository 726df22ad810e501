#!/usr/bin/env python3
"""boto3 against the monban sandbox: a realistic organization built the way a real client
builds one, then listed back page by page and checked exactly.

Usage: boto3_scenario.py <endpoint-url>   (run by scripts/peers/boto3.sh, which starts the
sandbox and sets the default sandbox credentials). Exit status 0 only if every check passed.

boto3/botocore is an independent implementation of the AWS wire protocols (its own
serializer, SigV4 signer, error parser and paginators), so this proves the sandbox against
something other than the Rust SDK its own tests use. Retries are off: every call reaches the
server exactly once, and the request log must agree with our count.
"""

from __future__ import annotations

import datetime
import json
import sys
import time
import urllib.request
from collections import Counter, defaultdict

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4566"
REGION = "us-east-1"
POLL_SECONDS = 0.05
POLL_DEADLINE_SECONDS = 20.0


class Checks:
    """Counts checks and collects failures instead of stopping at the first."""

    def __init__(self) -> None:
        self.count = 0
        self.failures: list[str] = []
        self.expected_errors = 0

    def true(self, what: str, condition: bool, detail: object = "") -> bool:
        self.count += 1
        if not condition:
            self.failures.append(f"{what}: {detail}")
        return condition

    def equal(self, what: str, actual: object, expected: object) -> bool:
        return self.true(what, actual == expected, f"got {actual!r}, expected {expected!r}")

    def same_set(self, what: str, actual: list, expected) -> bool:
        """`actual` holds exactly the members of `expected`, each once."""
        duplicates = [item for item, n in Counter(actual).items() if n > 1]
        ok = self.true(f"{what}: no duplicates", not duplicates, f"duplicated: {duplicates[:5]}")
        expected_set = set(expected)
        actual_set = set(actual)
        missing = sorted(expected_set - actual_set, key=str)[:5]
        extra = sorted(actual_set - expected_set, key=str)[:5]
        return ok and self.true(
            f"{what}: exactly the expected {len(expected_set)}",
            not missing and not extra,
            f"missing {missing}, unexpected {extra} (got {len(actual_set)})",
        )

    def error(self, what: str, code: str, call, **kwargs) -> None:
        """`call(**kwargs)` fails with the AWS error code `code`."""
        self.expected_errors += 1
        try:
            call(**kwargs)
        except ClientError as error:
            self.equal(f"{what}: error code", error.response["Error"]["Code"], code)
            return
        self.true(f"{what}: fails with {code}", False, "the call succeeded")


CHECKS = Checks()


def recent(what: str, value: object) -> None:
    """`value` was parsed by botocore into an aware datetime close to now (the sandbox
    clock is never advanced in this scenario)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    CHECKS.true(
        f"{what}: a timestamp near now",
        isinstance(value, datetime.datetime) and abs((now - value).total_seconds()) < 600,
        value,
    )
CALLS: Counter = Counter()


def client(service: str, region: str = REGION, credentials: dict | None = None):
    """A boto3 client on the sandbox, retries off, counting every call it makes. Signs with
    the environment's (management account) key, or with `credentials` (an AssumeRole
    answer's `Credentials`)."""
    keys = {}
    if credentials is not None:
        keys = {
            "aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"],
        }
    made = boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=region,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30),
        **keys,
    )

    def count(model, **_):
        CALLS[f"{made.meta.service_model.service_name}:{model.name}"] += 1

    made.meta.events.register("before-call", count)
    return made


def control(method: str, path: str, body: dict | None = None) -> dict:
    """The sandbox's control API (outside AWS's surface)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{ENDPOINT}/_sandbox/{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def manual_pages(what: str, call, key: str, page_size: int, **kwargs) -> list:
    """Every item of a list, following NextToken by hand with MaxResults=page_size."""
    items: list = []
    token = None
    for _ in range(100_000):
        arguments = dict(kwargs, MaxResults=page_size)
        if token:
            arguments["NextToken"] = token
        response = call(**arguments)
        page = response[key]
        token = response.get("NextToken")
        CHECKS.true(f"{what}: page within MaxResults={page_size}", len(page) <= page_size, len(page))
        if token:
            CHECKS.true(f"{what}: no empty page before the end", len(page) > 0, "empty page")
        items.extend(page)
        if not token:
            return items
    raise RuntimeError(f"{what}: pagination does not end")


def paginated(what: str, made_client, operation: str, key: str, page_size: int | None, **kwargs) -> list:
    """Every item of a list through boto3's own paginator, PageSize=page_size (None for the
    operations without MaxResults, e.g. Organizations ListTagsForResource)."""
    items: list = []
    paginator = made_client.get_paginator(operation)
    config = {} if page_size is None else {"PaginationConfig": {"PageSize": page_size}}
    for page in paginator.paginate(**config, **kwargs):
        if page_size is not None:
            CHECKS.true(f"{what}: paginator page within {page_size}", len(page[key]) <= page_size, len(page[key]))
        items.extend(page[key])
    return items


def both_ways(what: str, made_client, operation: str, key: str, page_size: int, **kwargs) -> list:
    """Lists twice (paginator with page_size, by hand with a different small size), checks
    both agree as multisets, returns the paginator's items."""
    by_paginator = paginated(what, made_client, operation, key, page_size, **kwargs)
    by_hand = manual_pages(what, getattr(made_client, operation), key, 1 + page_size % 3, **kwargs)
    canonical = lambda items: sorted(json.dumps(item, sort_keys=True, default=str) for item in items)  # noqa: E731
    CHECKS.equal(f"{what}: paginator and manual NextToken agree", canonical(by_paginator), canonical(by_hand))
    return by_paginator


def wait_until(what: str, done) -> None:
    """Polls `done()` like a real client (short sleeps) until true or the deadline."""
    deadline = time.monotonic() + POLL_DEADLINE_SECONDS
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: still not done after {POLL_DEADLINE_SECONDS} s")
        time.sleep(POLL_SECONDS)


# ----------------------------------------------------------------------------------------
# Organizations
# ----------------------------------------------------------------------------------------

# Paths of the OU tree, parents before children: 4 levels below the root.
OU_PATHS = [
    "Workloads",
    "Workloads/Prod",
    "Workloads/Prod/Payments",
    "Workloads/Prod/Search",
    "Workloads/NonProd",
    "Workloads/NonProd/Payments",  # same name as a cousin: allowed, names are per parent
    "Workloads/NonProd/Search",
    "Infrastructure",
    "Infrastructure/Network",
    "Infrastructure/Security",
    "Infrastructure/Security/Audit",
    "Infrastructure/Security/Audit/Forensics",
    "Sandbox",
]
# The OUs accounts go into (every level is used; "Sandbox" and "Workloads" hold accounts
# next to child OUs).
ACCOUNT_HOMES = [
    "Workloads/Prod/Payments",
    "Workloads/Prod/Search",
    "Workloads/NonProd/Payments",
    "Workloads/NonProd/Search",
    "Infrastructure/Network",
    "Infrastructure/Security/Audit",
    "Infrastructure/Security/Audit/Forensics",
    "Sandbox",
    "Workloads",
    "Infrastructure",
]
ACCOUNT_COUNT = 50
MAX_IN_FLIGHT_ACCOUNTS = 5  # AWS (and the sandbox) refuse a sixth concurrent CreateAccount


def organizations_scenario(organizations) -> dict:
    health = control("GET", "health")
    organization = organizations.describe_organization()["Organization"]
    CHECKS.equal("organization id (API vs control)", organization["Id"], health["organization_id"])
    CHECKS.equal("feature set", organization["FeatureSet"], "ALL")
    CHECKS.equal("management account", organization["MasterAccountId"], health["management_account_id"])
    # Any region is accepted: the same organization from a client in another region.
    other_region = client("organizations", "eu-west-1").describe_organization()["Organization"]
    CHECKS.equal("any region: same organization", other_region["Id"], organization["Id"])

    roots = paginated("ListRoots", organizations, "list_roots", "Roots", 1)
    CHECKS.equal("one root", [root["Id"] for root in roots], [health["root_id"]])
    root_id = roots[0]["Id"]

    # The OU tree.
    ou_ids: dict[str, str] = {}
    for path in OU_PATHS:
        parent_path, _, name = path.rpartition("/")
        parent_id = ou_ids[parent_path] if parent_path else root_id
        created = organizations.create_organizational_unit(
            ParentId=parent_id, Name=name, Tags=[{"Key": "path", "Value": path}]
        )["OrganizationalUnit"]
        CHECKS.equal(f"OU {path}: name", created["Name"], name)
        ou_ids[path] = created["Id"]
    parent_of = {path: (ou_ids[path.rpartition("/")[0]] if "/" in path else root_id) for path in OU_PATHS}

    # 50 accounts, at most five requests in flight, polled as a real client polls.
    expected_accounts: dict[str, dict] = {}  # id -> {name, email, home, tags}
    pending: dict[str, int] = {}  # create-account request id -> account number
    request_ids: list[str] = []
    statuses_seen: Counter = Counter()

    def settle_pending(use_list: bool) -> None:
        if use_list:
            # The whole batch in one paged listing of IN_PROGRESS requests.
            def none_in_progress() -> bool:
                in_progress = manual_pages(
                    "ListCreateAccountStatus IN_PROGRESS",
                    organizations.list_create_account_status,
                    "CreateAccountStatuses",
                    2,
                    States=["IN_PROGRESS"],
                )
                statuses_seen["IN_PROGRESS (listed)"] += len(in_progress)
                return not any(status["Id"] in pending for status in in_progress)

            wait_until("CreateAccount batch", none_in_progress)
        for request_id, number in list(pending.items()):
            def succeeded() -> bool:
                status = organizations.describe_create_account_status(CreateAccountRequestId=request_id)[
                    "CreateAccountStatus"
                ]
                statuses_seen[status["State"]] += 1
                if status["State"] == "FAILED":
                    raise RuntimeError(f"CreateAccount {number} failed: {status}")
                if status["State"] == "SUCCEEDED":
                    expected_accounts[status["AccountId"]] = account_plan(number)
                    CHECKS.equal(f"account {number}: status name", status["AccountName"], account_plan(number)["name"])
                    CHECKS.true(f"account {number}: CompletedTimestamp", "CompletedTimestamp" in status, status)
                    return True
                return False

            wait_until(f"CreateAccount {number}", succeeded)
            del pending[request_id]

    for number in range(ACCOUNT_COUNT):
        if len(pending) == MAX_IN_FLIGHT_ACCOUNTS:
            settle_pending(use_list=number % 2 == 0)
        plan = account_plan(number)
        status = organizations.create_account(
            Email=plan["email"],
            AccountName=plan["name"],
            Tags=[{"Key": key, "Value": value} for key, value in plan["create_tags"].items()],
        )["CreateAccountStatus"]
        CHECKS.equal(f"account {number}: starts IN_PROGRESS", status["State"], "IN_PROGRESS")
        pending[status["Id"]] = number
        request_ids.append(status["Id"])
    settle_pending(use_list=True)
    CHECKS.equal("50 accounts created", len(expected_accounts), ACCOUNT_COUNT)
    CHECKS.true("some requests were seen IN_PROGRESS while polling", statuses_seen["IN_PROGRESS"] > 0, statuses_seen)

    # A sixth concurrent CreateAccount is refused (AWS's documented rate limit).
    burst = [
        organizations.create_account(Email=f"burst-{n}@example.com", AccountName=f"burst-{n}")[
            "CreateAccountStatus"
        ]["Id"]
        for n in range(MAX_IN_FLIGHT_ACCOUNTS)
    ]
    CHECKS.error(
        "sixth concurrent CreateAccount",
        "ConstraintViolationException",
        organizations.create_account,
        Email="burst-6@example.com",
        AccountName="burst-6",
    )
    for request_id in burst:
        wait_until(
            "burst CreateAccount",
            lambda: organizations.describe_create_account_status(CreateAccountRequestId=request_id)[
                "CreateAccountStatus"
            ]["State"]
            == "SUCCEEDED",
        )
        account_id = organizations.describe_create_account_status(CreateAccountRequestId=request_id)[
            "CreateAccountStatus"
        ]["AccountId"]
        organizations.remove_account_from_organization(AccountId=account_id)
        request_ids.append(request_id)

    # Move every account into its OU, then tag it.
    for account_id, plan in expected_accounts.items():
        plan["id"] = account_id
        organizations.move_account(
            AccountId=account_id, SourceParentId=root_id, DestinationParentId=ou_ids[plan["home"]]
        )
        organizations.tag_resource(
            ResourceId=account_id,
            Tags=[{"Key": key, "Value": value} for key, value in plan["later_tags"].items()],
        )
    # One tag removed again from the first account.
    first_id = next(iter(expected_accounts))
    organizations.untag_resource(ResourceId=first_id, TagKeys=["cost-center"])
    del expected_accounts[first_id]["later_tags"]["cost-center"]

    # ---- read everything back ----
    management_id = health["management_account_id"]
    listed = both_ways("ListAccounts", organizations, "list_accounts", "Accounts", 3)
    CHECKS.same_set("ListAccounts", [account["Id"] for account in listed], [*expected_accounts, management_id])
    for account in listed:
        if account["Id"] in expected_accounts:
            plan = expected_accounts[account["Id"]]
            CHECKS.equal(
                f"account {account['Id']}: name/email/status",
                (account["Name"], account["Email"], account["Status"]),
                (plan["name"], plan["email"], "ACTIVE"),
            )
            recent(f"account {account['Id']}: JoinedTimestamp", account["JoinedTimestamp"])

    for path in ["", *OU_PATHS]:
        parent_id = ou_ids[path] if path else root_id
        label = path or "Root"
        accounts_here = both_ways(
            f"ListAccountsForParent {label}",
            organizations,
            "list_accounts_for_parent",
            "Accounts",
            2,
            ParentId=parent_id,
        )
        expected_here = [
            account_id for account_id, plan in expected_accounts.items() if plan["home"] == path
        ] + ([management_id] if not path else [])
        CHECKS.same_set(f"accounts in {label}", [account["Id"] for account in accounts_here], expected_here)

        child_accounts = both_ways(
            f"ListChildren ACCOUNT {label}",
            organizations,
            "list_children",
            "Children",
            1,
            ParentId=parent_id,
            ChildType="ACCOUNT",
        )
        CHECKS.same_set(f"child accounts of {label}", [child["Id"] for child in child_accounts], expected_here)

        expected_child_ous = [ou_ids[child] for child in OU_PATHS if child.rpartition("/")[0] == path]
        child_ous = both_ways(
            f"ListOrganizationalUnitsForParent {label}",
            organizations,
            "list_organizational_units_for_parent",
            "OrganizationalUnits",
            1,
            ParentId=parent_id,
        )
        CHECKS.same_set(f"OUs under {label}", [ou["Id"] for ou in child_ous], expected_child_ous)
        listed_children = paginated(
            f"ListChildren OU {label}",
            organizations,
            "list_children",
            "Children",
            2,
            ParentId=parent_id,
            ChildType="ORGANIZATIONAL_UNIT",
        )
        CHECKS.same_set(f"child OUs of {label}", [child["Id"] for child in listed_children], expected_child_ous)

    for path in OU_PATHS:
        described = organizations.describe_organizational_unit(OrganizationalUnitId=ou_ids[path])
        CHECKS.equal(f"OU {path}: described name", described["OrganizationalUnit"]["Name"], path.rpartition("/")[2])
        parents = organizations.list_parents(ChildId=ou_ids[path])["Parents"]
        CHECKS.equal(f"OU {path}: parent", [parent["Id"] for parent in parents], [parent_of[path]])
        tags = paginated(f"OU {path} tags", organizations, "list_tags_for_resource", "Tags", None, ResourceId=ou_ids[path])
        CHECKS.equal(f"OU {path}: tags", tags, [{"Key": "path", "Value": path}])

    for account_id, plan in expected_accounts.items():
        described = organizations.describe_account(AccountId=account_id)["Account"]
        CHECKS.equal(f"account {plan['name']}: described", (described["Name"], described["Email"]), (plan["name"], plan["email"]))
        parents = paginated(f"ListParents {plan['name']}", organizations, "list_parents", "Parents", 1, ChildId=account_id)
        CHECKS.equal(
            f"account {plan['name']}: parent",
            [(parent["Id"], parent["Type"]) for parent in parents],
            [(ou_ids[plan["home"]], "ORGANIZATIONAL_UNIT")],
        )
        tags = paginated(f"tags {plan['name']}", organizations, "list_tags_for_resource", "Tags", None, ResourceId=account_id)
        CHECKS.equal(
            f"account {plan['name']}: tags",
            {tag["Key"]: tag["Value"] for tag in tags},
            {**plan["create_tags"], **plan["later_tags"]},
        )
        CHECKS.equal(f"account {plan['name']}: no duplicate tag keys", len(tags), len({tag["Key"] for tag in tags}))

    succeeded = both_ways(
        "ListCreateAccountStatus SUCCEEDED",
        organizations,
        "list_create_account_status",
        "CreateAccountStatuses",
        3,
        States=["SUCCEEDED"],
    )
    CHECKS.same_set("every CreateAccount request SUCCEEDED", [status["Id"] for status in succeeded], request_ids)
    CHECKS.equal(
        "nothing IN_PROGRESS any more",
        organizations.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"],
        [],
    )

    # ---- errors, by code ----
    CHECKS.error(
        "duplicate OU name",
        "DuplicateOrganizationalUnitException",
        organizations.create_organizational_unit,
        ParentId=ou_ids["Workloads"],
        Name="Prod",
    )
    # Forensics is level 4; a fifth level is allowed, a sixth is not.
    level5 = organizations.create_organizational_unit(
        ParentId=ou_ids["Infrastructure/Security/Audit/Forensics"], Name="Level5"
    )["OrganizationalUnit"]["Id"]
    CHECKS.error(
        "sixth OU level",
        "ConstraintViolationException",
        organizations.create_organizational_unit,
        ParentId=level5,
        Name="Level6",
    )
    organizations.delete_organizational_unit(OrganizationalUnitId=level5)
    CHECKS.error("unknown account", "AccountNotFoundException", organizations.describe_account, AccountId="999999999999")
    CHECKS.error("ListParents of an unknown child", "ChildNotFoundException", organizations.list_parents, ChildId="999999999999")
    an_account = next(iter(expected_accounts))
    CHECKS.error(
        "MoveAccount from the wrong parent",
        "AccountNotFoundException",
        organizations.move_account,
        AccountId=an_account,
        SourceParentId=root_id,
        DestinationParentId=ou_ids["Sandbox"],
    )
    CHECKS.error(
        "unknown OU",
        "OrganizationalUnitNotFoundException",
        organizations.describe_organizational_unit,
        OrganizationalUnitId=ou_ids["Sandbox"][:-1] + ("a" if ou_ids["Sandbox"][-1] != "a" else "b"),
    )
    CHECKS.error("bad e-mail", "InvalidInputException", organizations.create_account, Email="not-an-email", AccountName="x")
    CHECKS.error("MaxResults above 20", "InvalidInputException", organizations.list_accounts, MaxResults=21)
    CHECKS.error("forged NextToken", "InvalidInputException", organizations.list_accounts, NextToken="Zm9yZ2Vk")
    CHECKS.error(
        "OU with children cannot be deleted",
        "OrganizationalUnitNotEmptyException",
        organizations.delete_organizational_unit,
        OrganizationalUnitId=ou_ids["Workloads"],
    )
    return {"root_id": root_id, "ou_ids": ou_ids, "accounts": expected_accounts}


def account_plan(number: int) -> dict:
    home = ACCOUNT_HOMES[number % len(ACCOUNT_HOMES)]
    return {
        "name": f"acct-{number:02d}",
        "email": f"aws+acct-{number:02d}@example.com",
        "home": home,
        "create_tags": {"owner": f"team-{number % 7}"},
        "later_tags": {"env": "prod" if "/Prod" in home else "other", "cost-center": f"cc-{number % 4}"},
    }


# ----------------------------------------------------------------------------------------
# Identity Store
# ----------------------------------------------------------------------------------------

USER_COUNT = 100
GROUP_COUNT = 10


def identity_store_scenario(identity_store, identity_store_id: str) -> dict:
    users: dict[str, dict] = {}  # user id -> plan
    for number in range(USER_COUNT):
        plan = {
            "UserName": f"user{number:03d}@example.com",
            "DisplayName": f"User {number:03d}",
            "Name": {"GivenName": "User", "FamilyName": f"N{number:03d}"},
            "Emails": [{"Value": f"user{number:03d}@example.com", "Type": "work", "Primary": True}],
        }
        user_id = identity_store.create_user(IdentityStoreId=identity_store_id, **plan)["UserId"]
        users[user_id] = plan
    groups: dict[str, str] = {}  # group id -> display name
    for number in range(GROUP_COUNT):
        name = f"group-{number:02d}"
        group_id = identity_store.create_group(
            IdentityStoreId=identity_store_id, DisplayName=name, Description=f"Group number {number}"
        )["GroupId"]
        groups[group_id] = name
    group_ids = list(groups)
    members: dict[str, set] = defaultdict(set)  # group id -> user ids
    membership_ids: dict[tuple, str] = {}
    for index, user_id in enumerate(users):
        for group_id in (group_ids[index % GROUP_COUNT], group_ids[(index * 3 + 1) % GROUP_COUNT]):
            if user_id in members[group_id]:
                continue
            membership_id = identity_store.create_group_membership(
                IdentityStoreId=identity_store_id, GroupId=group_id, MemberId={"UserId": user_id}
            )["MembershipId"]
            members[group_id].add(user_id)
            membership_ids[(group_id, user_id)] = membership_id

    # An update, as an IdP sync would make one.
    renamed = next(iter(users))
    identity_store.update_user(
        IdentityStoreId=identity_store_id,
        UserId=renamed,
        Operations=[{"AttributePath": "displayName", "AttributeValue": "Renamed User"}],
    )
    users[renamed]["DisplayName"] = "Renamed User"

    # ---- read everything back ----
    listed = both_ways("ListUsers", identity_store, "list_users", "Users", 3, IdentityStoreId=identity_store_id)
    CHECKS.same_set("ListUsers", [user["UserId"] for user in listed], users)
    for user in listed:
        plan = users.get(user["UserId"])
        if plan:
            CHECKS.equal(
                f"user {plan['UserName']}: fields",
                (user["UserName"], user["DisplayName"], user["Name"]["FamilyName"], user["Emails"][0]["Value"]),
                (plan["UserName"], plan["DisplayName"], plan["Name"]["FamilyName"], plan["Emails"][0]["Value"]),
            )
    listed_groups = both_ways("ListGroups", identity_store, "list_groups", "Groups", 2, IdentityStoreId=identity_store_id)
    CHECKS.same_set("ListGroups", [group["GroupId"] for group in listed_groups], groups)

    for group_id, name in groups.items():
        memberships = both_ways(
            f"ListGroupMemberships {name}",
            identity_store,
            "list_group_memberships",
            "GroupMemberships",
            3,
            IdentityStoreId=identity_store_id,
            GroupId=group_id,
        )
        CHECKS.same_set(f"members of {name}", [m["MemberId"]["UserId"] for m in memberships], members[group_id])
        CHECKS.same_set(
            f"membership ids of {name}",
            [m["MembershipId"] for m in memberships],
            [membership_ids[(group_id, user_id)] for user_id in members[group_id]],
        )
        found = identity_store.get_group_id(
            IdentityStoreId=identity_store_id,
            AlternateIdentifier={"UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": name}},
        )["GroupId"]
        CHECKS.equal(f"GetGroupId {name}", found, group_id)

    groups_of: dict[str, set] = defaultdict(set)
    for group_id, user_ids in members.items():
        for user_id in user_ids:
            groups_of[user_id].add(group_id)
    for index, (user_id, plan) in enumerate(users.items()):
        if index % 4 == 0:  # a quarter of the users, to keep the run short
            memberships = paginated(
                f"ListGroupMembershipsForMember {plan['UserName']}",
                identity_store,
                "list_group_memberships_for_member",
                "GroupMemberships",
                1,
                IdentityStoreId=identity_store_id,
                MemberId={"UserId": user_id},
            )
            CHECKS.same_set(f"groups of {plan['UserName']}", [m["GroupId"] for m in memberships], groups_of[user_id])
        if index % 10 == 0:
            found = identity_store.get_user_id(
                IdentityStoreId=identity_store_id,
                AlternateIdentifier={
                    "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": plan["UserName"]}
                },
            )["UserId"]
            CHECKS.equal(f"GetUserId {plan['UserName']}", found, user_id)
            answer = identity_store.is_member_in_groups(
                IdentityStoreId=identity_store_id, MemberId={"UserId": user_id}, GroupIds=group_ids[:5]
            )["Results"]
            CHECKS.equal(
                f"IsMemberInGroups {plan['UserName']}",
                {result["GroupId"]: result["MembershipExists"] for result in answer},
                {group_id: group_id in groups_of[user_id] for group_id in group_ids[:5]},
            )
    described = identity_store.describe_user(IdentityStoreId=identity_store_id, UserId=renamed)
    CHECKS.equal("updated display name", described["DisplayName"], "Renamed User")

    # ---- errors, by code ----
    a_user_id = next(iter(users))
    CHECKS.error(
        "duplicate user name (other case)",
        "ConflictException",
        identity_store.create_user,
        IdentityStoreId=identity_store_id,
        UserName=users[a_user_id]["UserName"].upper(),
        DisplayName="Someone",
        Name={"GivenName": "Some", "FamilyName": "One"},
    )
    CHECKS.error(
        "duplicate group name",
        "ConflictException",
        identity_store.create_group,
        IdentityStoreId=identity_store_id,
        DisplayName=groups[group_ids[0]],
    )
    a_group = group_ids[0]
    a_member = next(iter(members[a_group]))
    CHECKS.error(
        "duplicate membership",
        "ConflictException",
        identity_store.create_group_membership,
        IdentityStoreId=identity_store_id,
        GroupId=a_group,
        MemberId={"UserId": a_member},
    )
    missing_user = "00000000-0000-0000-0000-000000000000"
    if missing_user in users:
        missing_user = "00000000-0000-0000-0000-000000000001"
    CHECKS.error(
        "unknown user",
        "ResourceNotFoundException",
        identity_store.describe_user,
        IdentityStoreId=identity_store_id,
        UserId=missing_user,
    )
    CHECKS.error(
        "reserved user name",
        "ValidationException",
        identity_store.create_user,
        IdentityStoreId=identity_store_id,
        UserName="Administrator",
        DisplayName="Admin",
        Name={"GivenName": "A", "FamilyName": "B"},
    )
    CHECKS.error(
        "MaxResults above 100",
        "ValidationException",
        identity_store.list_users,
        IdentityStoreId=identity_store_id,
        MaxResults=101,
    )
    return {"users": users, "groups": groups, "members": members}


# ----------------------------------------------------------------------------------------
# SSO Admin
# ----------------------------------------------------------------------------------------

INLINE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
}
# Permission sets of every kind: name -> what it holds.
PERMISSION_SETS = {
    "AdministratorAccess": {
        "SessionDuration": "PT1H",
        "Description": "Full access, short sessions",
        "managed": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        "tags": {"tier": "privileged"},
    },
    "ReadOnly": {
        "SessionDuration": "PT8H",
        "RelayState": "https://console.aws.amazon.com/s3/home?region=us-east-1#",
        "managed": ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"],
    },
    "S3Reader": {"SessionDuration": "PT12H", "inline": INLINE_POLICY},
    "Deployer": {
        "SessionDuration": "PT4H",
        "customer_managed": [{"Name": "app-deploy", "Path": "/"}, {"Name": "app-read", "Path": "/team/payments/"}],
        "boundary": {"CustomerManagedPolicyReference": {"Name": "deploy-boundary", "Path": "/boundaries/"}},
    },
    "PowerUser": {
        "SessionDuration": "PT2H",
        "managed": ["arn:aws:iam::aws:policy/PowerUserAccess"],
        "boundary": {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
        "tags": {"tier": "standard", "owner": "platform"},
    },
    "Everything": {
        "SessionDuration": "PT6H",
        "Description": "Every kind of policy at once",
        "RelayState": "https://console.aws.amazon.com/cloudwatch/home",
        "inline": INLINE_POLICY,
        "managed": ["arn:aws:iam::aws:policy/SecurityAudit"],
        "customer_managed": [{"Name": "audit-extra", "Path": "/"}],
        "boundary": {"ManagedPolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        "tags": {"tier": "audit"},
    },
    "Minimal": {},
}


def sso_admin_permission_sets(sso_admin, instance_arn: str) -> dict:
    """Creates the permission sets of every kind, lists and reads them back; returns
    name -> ARN."""
    arns: dict[str, str] = {}
    for name, plan in PERMISSION_SETS.items():
        arguments = {key: plan[key] for key in ("SessionDuration", "RelayState", "Description") if key in plan}
        if "tags" in plan:
            arguments["Tags"] = [{"Key": key, "Value": value} for key, value in plan["tags"].items()]
        created = sso_admin.create_permission_set(InstanceArn=instance_arn, Name=name, **arguments)["PermissionSet"]
        arn = created["PermissionSetArn"]
        arns[name] = arn
        CHECKS.equal(f"permission set {name}: created name", created["Name"], name)
        if "inline" in plan:
            sso_admin.put_inline_policy_to_permission_set(
                InstanceArn=instance_arn, PermissionSetArn=arn, InlinePolicy=json.dumps(plan["inline"])
            )
        for policy_arn in plan.get("managed", []):
            sso_admin.attach_managed_policy_to_permission_set(
                InstanceArn=instance_arn, PermissionSetArn=arn, ManagedPolicyArn=policy_arn
            )
        for reference in plan.get("customer_managed", []):
            sso_admin.attach_customer_managed_policy_reference_to_permission_set(
                InstanceArn=instance_arn, PermissionSetArn=arn, CustomerManagedPolicyReference=reference
            )
        if "boundary" in plan:
            sso_admin.put_permissions_boundary_to_permission_set(
                InstanceArn=instance_arn, PermissionSetArn=arn, PermissionsBoundary=plan["boundary"]
            )

    listed = both_ways("ListPermissionSets", sso_admin, "list_permission_sets", "PermissionSets", 2, InstanceArn=instance_arn)
    CHECKS.same_set("ListPermissionSets", listed, arns.values())
    for name, plan in PERMISSION_SETS.items():
        arn = arns[name]
        described = sso_admin.describe_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)["PermissionSet"]
        CHECKS.equal(
            f"permission set {name}: described",
            (described["Name"], described["PermissionSetArn"], described.get("Description"), described.get("RelayState")),
            (name, arn, plan.get("Description"), plan.get("RelayState")),
        )
        CHECKS.equal(
            f"permission set {name}: session duration (AWS's default PT1H)",
            described.get("SessionDuration"),
            plan.get("SessionDuration", "PT1H"),
        )
        recent(f"permission set {name}: CreatedDate", described["CreatedDate"])
        managed = both_ways(
            f"managed policies of {name}",
            sso_admin,
            "list_managed_policies_in_permission_set",
            "AttachedManagedPolicies",
            1,
            InstanceArn=instance_arn,
            PermissionSetArn=arn,
        )
        CHECKS.same_set(f"managed policies of {name}", [policy["Arn"] for policy in managed], plan.get("managed", []))
        for policy in managed:
            CHECKS.equal(f"managed policy name {policy['Arn']}", policy["Name"], policy["Arn"].rpartition("/")[2])
        references = both_ways(
            f"customer managed references of {name}",
            sso_admin,
            "list_customer_managed_policy_references_in_permission_set",
            "CustomerManagedPolicyReferences",
            1,
            InstanceArn=instance_arn,
            PermissionSetArn=arn,
        )
        CHECKS.same_set(
            f"customer managed references of {name}",
            [(reference["Name"], reference.get("Path", "/")) for reference in references],
            [(reference["Name"], reference["Path"]) for reference in plan.get("customer_managed", [])],
        )
        inline = sso_admin.get_inline_policy_for_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)
        CHECKS.equal(
            f"inline policy of {name}",
            json.loads(inline["InlinePolicy"]) if inline.get("InlinePolicy") else None,
            plan.get("inline"),
        )
        if "boundary" in plan:
            boundary = sso_admin.get_permissions_boundary_for_permission_set(InstanceArn=instance_arn, PermissionSetArn=arn)
            CHECKS.equal(f"permissions boundary of {name}", boundary["PermissionsBoundary"], plan["boundary"])
        else:
            CHECKS.error(
                f"no permissions boundary on {name}",
                "ResourceNotFoundException",
                sso_admin.get_permissions_boundary_for_permission_set,
                InstanceArn=instance_arn,
                PermissionSetArn=arn,
            )
        tags = paginated(f"tags of {name}", sso_admin, "list_tags_for_resource", "Tags", None, InstanceArn=instance_arn, ResourceArn=arn)
        CHECKS.equal(f"tags of {name}", {tag["Key"]: tag["Value"] for tag in tags}, plan.get("tags", {}))

    # ---- errors, by code ----
    CHECKS.error(
        "duplicate permission set name",
        "ConflictException",
        sso_admin.create_permission_set,
        InstanceArn=instance_arn,
        Name="ReadOnly",
    )
    CHECKS.error(
        "session duration above 12 hours",
        "ValidationException",
        sso_admin.create_permission_set,
        InstanceArn=instance_arn,
        Name="TooLong",
        SessionDuration="PT13H",
    )
    missing_arn = arns["Minimal"].rpartition("/")[0] + "/ps-0000000000000000"
    CHECKS.error(
        "unknown permission set",
        "ResourceNotFoundException",
        sso_admin.describe_permission_set,
        InstanceArn=instance_arn,
        PermissionSetArn=missing_arn,
    )
    CHECKS.error(
        "inline policy that is not JSON",
        "ValidationException",
        sso_admin.put_inline_policy_to_permission_set,
        InstanceArn=instance_arn,
        PermissionSetArn=arns["Minimal"],
        InlinePolicy="{not json",
    )
    return arns


def assignment_plan(accounts: list[str], users: list[str], groups: list[str], permission_sets: list[str]) -> list[tuple]:
    """~200 distinct (account, permission set ARN, principal type, principal id): per account
    two groups and two users, each with a different permission set."""
    plan = []
    count = len(permission_sets)
    for index, account_id in enumerate(accounts):
        plan.append((account_id, permission_sets[index % count], "GROUP", groups[index % len(groups)]))
        plan.append((account_id, permission_sets[(index + 2) % count], "GROUP", groups[(index + 3) % len(groups)]))
        plan.append((account_id, permission_sets[(index + 4) % count], "USER", users[index % len(users)]))
        plan.append((account_id, permission_sets[(index + 1) % count], "USER", users[(index + 50) % len(users)]))
    return plan


def with_conflict_retry(what: str, call, **kwargs):
    """Calls like a careful real client: SSO Admin's ConflictException that is not "already
    exists" means "a previous write has not propagated yet; retry" (a short wait)."""
    for _ in range(400):
        try:
            return call(**kwargs)
        except ClientError as error:
            message = error.response["Error"].get("Message", "")
            if error.response["Error"]["Code"] != "ConflictException" or "already exists" in message:
                raise
            CHECKS.expected_errors += 1
            RETRIED_CONFLICTS[what] += 1
            time.sleep(POLL_SECONDS)
    raise RuntimeError(f"{what}: still conflicting")


RETRIED_CONFLICTS: Counter = Counter()


def wait_for_assignment_requests(sso_admin, instance_arn: str, request_ids: list[str], kind: str) -> None:
    """Waits for Create/DeleteAccountAssignment requests the way a real client does: one
    paged ListAccountAssignment<kind>Status IN_PROGRESS listing until none of ours is
    left, then Describe each and require SUCCEEDED."""
    operation = f"list_account_assignment_{kind}_status"
    key = f"AccountAssignments{kind.capitalize()}Status"
    ours = set(request_ids)

    def none_in_progress() -> bool:
        in_progress = manual_pages(
            f"ListAccountAssignment{kind.capitalize()}Status IN_PROGRESS",
            getattr(sso_admin, operation),
            key,
            100,
            InstanceArn=instance_arn,
            Filter={"Status": "IN_PROGRESS"},
        )
        return not any(status["RequestId"] in ours for status in in_progress)

    wait_until(f"account assignment {kind}", none_in_progress)
    describe = getattr(sso_admin, f"describe_account_assignment_{kind}_status")
    member = f"AccountAssignment{kind.capitalize()}RequestId"
    for request_id in request_ids:
        status = describe(InstanceArn=instance_arn, **{member: request_id})[f"AccountAssignment{kind.capitalize()}Status"]
        CHECKS.equal(f"assignment {kind} {request_id}", status["Status"], "SUCCEEDED")


def wait_for_provisioning(sso_admin, instance_arn: str, request_id: str) -> dict:
    def succeeded() -> bool:
        status = sso_admin.describe_permission_set_provisioning_status(
            InstanceArn=instance_arn, ProvisionPermissionSetRequestId=request_id
        )["PermissionSetProvisioningStatus"]
        if status["Status"] == "FAILED":
            raise RuntimeError(f"provisioning {request_id} failed: {status}")
        return status["Status"] == "SUCCEEDED"

    wait_until(f"provisioning {request_id}", succeeded)
    return sso_admin.describe_permission_set_provisioning_status(
        InstanceArn=instance_arn, ProvisionPermissionSetRequestId=request_id
    )["PermissionSetProvisioningStatus"]


def customer_managed_references(name: str) -> list[dict]:
    """The customer managed policies (and boundary) permission set `name` references: each
    must exist in an account before the permission set can be provisioned there."""
    plan = PERMISSION_SETS[name]
    references = list(plan.get("customer_managed", []))
    boundary = plan.get("boundary", {}).get("CustomerManagedPolicyReference")
    if boundary:
        references.append(boundary)
    return references


def deploy_referenced_policies(sts, plan: list[tuple], arns: dict) -> int:
    """What an organization's account baseline does before Identity Center can provision a
    permission set that references customer managed policies: in every account that gets
    such a permission set, AssumeRole into OrganizationAccountAccessRole and CreatePolicy
    each referenced policy (same name and path). Returns how many policies were created."""
    name_of = {arn: name for name, arn in arns.items()}
    needed: dict[str, dict[tuple, None]] = defaultdict(dict)  # account -> {(name, path)}
    for account_id, permission_set_arn, _, _ in plan:
        for reference in customer_managed_references(name_of[permission_set_arn]):
            needed[account_id][(reference["Name"], reference.get("Path", "/"))] = None
    document = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    )
    created = 0
    for account_id, policies in needed.items():
        role_arn = f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
        assumed = sts.assume_role(RoleArn=role_arn, RoleSessionName="account-baseline")
        CHECKS.equal(
            f"AssumeRole into {account_id}: the role's session",
            assumed["AssumedRoleUser"]["Arn"],
            f"arn:aws:sts::{account_id}:assumed-role/OrganizationAccountAccessRole/account-baseline",
        )
        iam = client("iam", credentials=assumed["Credentials"])
        for name, path in policies:
            policy = iam.create_policy(PolicyName=name, Path=path, PolicyDocument=document)["Policy"]
            CHECKS.equal(
                f"CreatePolicy {path}{name} in {account_id}: ARN",
                policy["Arn"],
                f"arn:aws:iam::{account_id}:policy{path}{name}",
            )
            created += 1
    return created


def sso_admin_assignments(sso_admin, instance_arn: str, organization: dict, directory: dict, arns: dict) -> int:
    """~200 account assignments to users and groups, waited for; a permission set changed
    and re-provisioned; a few assignments deleted; everything listed back. Returns how many
    assignments remain."""
    accounts = list(organization["accounts"])
    users = list(directory["users"])
    groups = list(directory["groups"])
    permission_sets = list(arns.values())
    plan = assignment_plan(accounts, users, groups, permission_sets)
    # The customer managed policies the assigned permission sets reference exist in each
    # account first (provisioning fails without them, as in AWS).
    deployed = deploy_referenced_policies(client("sts"), plan, arns)
    CHECKS.true("referenced policies deployed", deployed > 0, deployed)

    creation_ids = []
    for account_id, permission_set_arn, principal_type, principal_id in plan:
        status = with_conflict_retry(
            "CreateAccountAssignment",
            sso_admin.create_account_assignment,
            InstanceArn=instance_arn,
            TargetId=account_id,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=permission_set_arn,
            PrincipalType=principal_type,
            PrincipalId=principal_id,
        )["AccountAssignmentCreationStatus"]
        CHECKS.equal("CreateAccountAssignment starts IN_PROGRESS", status["Status"], "IN_PROGRESS")
        creation_ids.append(status["RequestId"])
    CHECKS.equal("request ids are unique", len(set(creation_ids)), len(creation_ids))
    wait_for_assignment_requests(sso_admin, instance_arn, creation_ids, "creation")

    # Assigning again what exists changes nothing (no duplicate assignment).
    again = plan[0]
    repeat = with_conflict_retry(
        "CreateAccountAssignment (repeat)",
        sso_admin.create_account_assignment,
        InstanceArn=instance_arn,
        TargetId=again[0],
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=again[1],
        PrincipalType=again[2],
        PrincipalId=again[3],
    )["AccountAssignmentCreationStatus"]["RequestId"]
    creation_ids.append(repeat)
    wait_for_assignment_requests(sso_admin, instance_arn, [repeat], "creation")

    # Ten assignments removed again.
    removed = plan[::20]
    deletion_ids = []
    for account_id, permission_set_arn, principal_type, principal_id in removed:
        status = with_conflict_retry(
            "DeleteAccountAssignment",
            sso_admin.delete_account_assignment,
            InstanceArn=instance_arn,
            TargetId=account_id,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=permission_set_arn,
            PrincipalType=principal_type,
            PrincipalId=principal_id,
        )["AccountAssignmentDeletionStatus"]
        deletion_ids.append(status["RequestId"])
    wait_for_assignment_requests(sso_admin, instance_arn, deletion_ids, "deletion")
    remaining = [assignment for assignment in plan if assignment not in removed]

    # ---- read the assignments back ----
    by_pair: dict[tuple, set] = defaultdict(set)
    by_principal: dict[tuple, set] = defaultdict(set)
    sets_on_account: dict[str, set] = defaultdict(set)
    accounts_of_set: dict[str, set] = defaultdict(set)
    for account_id, permission_set_arn, principal_type, principal_id in remaining:
        by_pair[(account_id, permission_set_arn)].add((principal_type, principal_id))
        by_principal[(principal_type, principal_id)].add((account_id, permission_set_arn))
        sets_on_account[account_id].add(permission_set_arn)
        accounts_of_set[permission_set_arn].add(account_id)
    listed_total = 0
    for account_id in accounts:
        for permission_set_arn in permission_sets:
            listed = paginated(
                "ListAccountAssignments",
                sso_admin,
                "list_account_assignments",
                "AccountAssignments",
                1,
                InstanceArn=instance_arn,
                AccountId=account_id,
                PermissionSetArn=permission_set_arn,
            )
            listed_total += len(listed)
            CHECKS.same_set(
                f"assignments on {account_id} with {permission_set_arn.rpartition('/')[2]}",
                [(item["PrincipalType"], item["PrincipalId"]) for item in listed],
                by_pair[(account_id, permission_set_arn)],
            )
    CHECKS.equal("assignments listed per account and permission set", listed_total, len(remaining))

    for group_id in groups:
        listed = both_ways(
            "ListAccountAssignmentsForPrincipal GROUP",
            sso_admin,
            "list_account_assignments_for_principal",
            "AccountAssignments",
            2,
            InstanceArn=instance_arn,
            PrincipalType="GROUP",
            PrincipalId=group_id,
        )
        CHECKS.same_set(
            f"assignments of group {group_id}",
            [(item["AccountId"], item["PermissionSetArn"]) for item in listed],
            by_principal[("GROUP", group_id)],
        )
    for index, user_id in enumerate(users):
        listed = paginated(
            "ListAccountAssignmentsForPrincipal USER",
            sso_admin,
            "list_account_assignments_for_principal",
            "AccountAssignments",
            1,
            InstanceArn=instance_arn,
            PrincipalType="USER",
            PrincipalId=user_id,
        )
        CHECKS.same_set(
            f"assignments of user {user_id}",
            [(item["AccountId"], item["PermissionSetArn"]) for item in listed],
            by_principal[("USER", user_id)],
        )
        if index % 10 == 0 and by_principal[("USER", user_id)]:
            account_id = next(iter(by_principal[("USER", user_id)]))[0]
            filtered = sso_admin.list_account_assignments_for_principal(
                InstanceArn=instance_arn, PrincipalType="USER", PrincipalId=user_id, Filter={"AccountId": account_id}
            )["AccountAssignments"]
            CHECKS.same_set(
                f"assignments of user {user_id} filtered to {account_id}",
                [(item["AccountId"], item["PermissionSetArn"]) for item in filtered],
                {pair for pair in by_principal[("USER", user_id)] if pair[0] == account_id},
            )

    # Provisioned copies follow the assignments (created at assignment, removed with the last).
    for account_id in accounts:
        provisioned = both_ways(
            f"ListPermissionSetsProvisionedToAccount {account_id}",
            sso_admin,
            "list_permission_sets_provisioned_to_account",
            "PermissionSets",
            2,
            InstanceArn=instance_arn,
            AccountId=account_id,
        )
        CHECKS.same_set(f"permission sets provisioned to {account_id}", provisioned, sets_on_account[account_id])
    for name, permission_set_arn in arns.items():
        provisioned_accounts = paginated(
            f"ListAccountsForProvisionedPermissionSet {name}",
            sso_admin,
            "list_accounts_for_provisioned_permission_set",
            "AccountIds",
            3,
            InstanceArn=instance_arn,
            PermissionSetArn=permission_set_arn,
        )
        CHECKS.same_set(f"accounts provisioned with {name}", provisioned_accounts, accounts_of_set[permission_set_arn])

    creations = both_ways(
        "ListAccountAssignmentCreationStatus",
        sso_admin,
        "list_account_assignment_creation_status",
        "AccountAssignmentsCreationStatus",
        3,
        InstanceArn=instance_arn,
        Filter={"Status": "SUCCEEDED"},
    )
    CHECKS.same_set("every creation request SUCCEEDED", [item["RequestId"] for item in creations], creation_ids)
    deletions = paginated(
        "ListAccountAssignmentDeletionStatus",
        sso_admin,
        "list_account_assignment_deletion_status",
        "AccountAssignmentsDeletionStatus",
        2,
        InstanceArn=instance_arn,
    )
    CHECKS.same_set("every deletion request listed", [item["RequestId"] for item in deletions], deletion_ids)

    # ---- a changed permission set is outdated until provisioned again ----
    changed_name = "ReadOnly"
    changed = arns[changed_name]
    with_conflict_retry(
        "UpdatePermissionSet",
        sso_admin.update_permission_set,
        InstanceArn=instance_arn,
        PermissionSetArn=changed,
        SessionDuration="PT10H",
        Description="Read-only, longer sessions",
    )
    outdated = paginated(
        "accounts not on the latest ReadOnly",
        sso_admin,
        "list_accounts_for_provisioned_permission_set",
        "AccountIds",
        3,
        InstanceArn=instance_arn,
        PermissionSetArn=changed,
        ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED",
    )
    CHECKS.same_set("outdated after UpdatePermissionSet", outdated, accounts_of_set[changed])
    provisioning = with_conflict_retry(
        "ProvisionPermissionSet",
        sso_admin.provision_permission_set,
        InstanceArn=instance_arn,
        PermissionSetArn=changed,
        TargetType="ALL_PROVISIONED_ACCOUNTS",
    )["PermissionSetProvisioningStatus"]
    CHECKS.equal("ProvisionPermissionSet starts IN_PROGRESS", provisioning["Status"], "IN_PROGRESS")
    wait_for_provisioning(sso_admin, instance_arn, provisioning["RequestId"])
    outdated = sso_admin.list_accounts_for_provisioned_permission_set(
        InstanceArn=instance_arn, PermissionSetArn=changed, ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED"
    )["AccountIds"]
    CHECKS.equal("nothing outdated after provisioning", outdated, [])
    latest = paginated(
        "accounts on the latest ReadOnly",
        sso_admin,
        "list_accounts_for_provisioned_permission_set",
        "AccountIds",
        2,
        InstanceArn=instance_arn,
        PermissionSetArn=changed,
        ProvisioningStatus="LATEST_PERMISSION_SET_PROVISIONED",
    )
    CHECKS.same_set("every account on the latest ReadOnly", latest, accounts_of_set[changed])
    # Provisioning into one account that holds no assignment of it yet.
    bare_account = next(account_id for account_id in accounts if changed not in sets_on_account[account_id])
    single = with_conflict_retry(
        "ProvisionPermissionSet AWS_ACCOUNT",
        sso_admin.provision_permission_set,
        InstanceArn=instance_arn,
        PermissionSetArn=changed,
        TargetType="AWS_ACCOUNT",
        TargetId=bare_account,
    )["PermissionSetProvisioningStatus"]
    finished = wait_for_provisioning(sso_admin, instance_arn, single["RequestId"])
    CHECKS.equal("provisioned into one account", finished.get("AccountId"), bare_account)
    provisioned_there = paginated(
        f"ListPermissionSetsProvisionedToAccount {bare_account}",
        sso_admin,
        "list_permission_sets_provisioned_to_account",
        "PermissionSets",
        1,
        InstanceArn=instance_arn,
        AccountId=bare_account,
    )
    CHECKS.same_set("provisioned without an assignment", provisioned_there, sets_on_account[bare_account] | {changed})
    statuses = both_ways(
        "ListPermissionSetProvisioningStatus",
        sso_admin,
        "list_permission_set_provisioning_status",
        "PermissionSetsProvisioningStatus",
        1,
        InstanceArn=instance_arn,
    )
    CHECKS.true(
        "both provisioning requests listed",
        {provisioning["RequestId"], single["RequestId"]} <= {item["RequestId"] for item in statuses},
        statuses,
    )

    # ---- errors, by code ----
    missing_user = "00000000-0000-0000-0000-00000000abcd"
    CHECKS.error(
        "assignment to an unknown user",
        "ResourceNotFoundException",
        sso_admin.create_account_assignment,
        InstanceArn=instance_arn,
        TargetId=accounts[0],
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=permission_sets[0],
        PrincipalType="USER",
        PrincipalId=missing_user,
    )
    CHECKS.error(
        "assignment to an account outside the organization",
        "ResourceNotFoundException",
        sso_admin.create_account_assignment,
        InstanceArn=instance_arn,
        TargetId="999999999999",
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=permission_sets[0],
        PrincipalType="GROUP",
        PrincipalId=groups[0],
    )
    CHECKS.error(
        "assignment with a malformed account id",
        "ValidationException",
        sso_admin.create_account_assignment,
        InstanceArn=instance_arn,
        TargetId="12345678901x",
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=permission_sets[0],
        PrincipalType="GROUP",
        PrincipalId=groups[0],
    )
    CHECKS.error(
        "deleting an assignment that does not exist",
        "ResourceNotFoundException",
        sso_admin.delete_account_assignment,
        InstanceArn=instance_arn,
        TargetId=removed[0][0],
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=removed[0][1],
        PrincipalType=removed[0][2],
        PrincipalId=removed[0][3],
    )
    CHECKS.error(
        "deleting a permission set that is provisioned",
        "ConflictException",
        sso_admin.delete_permission_set,
        InstanceArn=instance_arn,
        PermissionSetArn=changed,
    )
    # Two writes on one permission set and account in a row: the second is the propagation
    # ConflictException (the first is still IN_PROGRESS).
    pair_account, pair_set = remaining[0][0], remaining[0][1]
    first = sso_admin.create_account_assignment(
        InstanceArn=instance_arn,
        TargetId=pair_account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=pair_set,
        PrincipalType="GROUP",
        PrincipalId=groups[5],
    )["AccountAssignmentCreationStatus"]["RequestId"]
    CHECKS.error(
        "overlapping write on one permission set and account",
        "ConflictException",
        sso_admin.create_account_assignment,
        InstanceArn=instance_arn,
        TargetId=pair_account,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=pair_set,
        PrincipalType="GROUP",
        PrincipalId=groups[6],
    )
    wait_for_assignment_requests(sso_admin, instance_arn, [first], "creation")
    return len(remaining) + (0 if ("GROUP", groups[5]) in by_pair[(pair_account, pair_set)] else 1)


# ----------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------


def main() -> int:
    started = time.monotonic()
    organizations = client("organizations")
    identity_store = client("identitystore")
    sso_admin = client("sso-admin")
    health = control("GET", "health")

    instances = paginated("ListInstances", sso_admin, "list_instances", "Instances", 1)
    CHECKS.equal(
        "one Identity Center instance (API vs control)",
        [(instance["InstanceArn"], instance["IdentityStoreId"]) for instance in instances],
        [(health["instance_arn"], health["identity_store_id"])],
    )
    instance_arn = instances[0]["InstanceArn"]
    identity_store_id = instances[0]["IdentityStoreId"]
    described = sso_admin.describe_instance(InstanceArn=instance_arn)
    CHECKS.equal("DescribeInstance status", described["Status"], "ACTIVE")

    phases = {}
    phase_start = time.monotonic()
    organization = organizations_scenario(organizations)
    phases["organizations"] = time.monotonic() - phase_start
    phase_start = time.monotonic()
    directory = identity_store_scenario(identity_store, identity_store_id)
    phases["identity store"] = time.monotonic() - phase_start
    phase_start = time.monotonic()
    permission_sets = sso_admin_permission_sets(sso_admin, instance_arn)
    assignments = sso_admin_assignments(sso_admin, instance_arn, organization, directory, permission_sets)
    phases["sso admin"] = time.monotonic() - phase_start

    # Every call reached the server exactly once (retries are off) and nothing else did.
    served = control("GET", "requests")["requests"]
    CHECKS.equal("request log count = calls made", len(served), sum(CALLS.values()))
    served_errors = sum(1 for request in served if request["outcome"] == "error")
    CHECKS.equal("errors served = errors provoked", served_errors, CHECKS.expected_errors)

    elapsed = time.monotonic() - started
    per_service = Counter()
    for key, count in CALLS.items():
        per_service[key.split(":")[0]] += count
    print(
        f"boto3 peer: {sum(CALLS.values())} calls "
        f"({', '.join(f'{service} {count}' for service, count in sorted(per_service.items()))}), "
        f"{served_errors} expected errors, {CHECKS.count} checks, {len(CHECKS.failures)} failed, "
        f"{elapsed:.1f} s ({', '.join(f'{name} {seconds:.1f} s' for name, seconds in phases.items())})"
    )
    print(
        f"boto3 peer: built {len(organization['ou_ids'])} OUs, {len(organization['accounts'])} accounts, "
        f"{len(directory['users'])} users, {len(directory['groups'])} groups, "
        f"{sum(len(m) for m in directory['members'].values())} memberships, "
        f"{len(permission_sets)} permission sets, {assignments} account assignments "
        f"({sum(RETRIED_CONFLICTS.values())} propagation conflicts retried)"
    )
    for failure in CHECKS.failures[:40]:
        print(f"FAILED: {failure}", file=sys.stderr)
    if len(CHECKS.failures) > 40:
        print(f"... and {len(CHECKS.failures) - 40} more failures", file=sys.stderr)
    return 1 if CHECKS.failures else 0


if __name__ == "__main__":
    sys.exit(main())
