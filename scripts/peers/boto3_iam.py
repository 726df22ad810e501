#!/usr/bin/env python3
"""boto3 against the monban sandbox's STS and IAM (awsQuery): botocore's own query
serializer, XML parser and error parser, independent of the Rust SDK the emulator's tests use.

Usage: boto3_iam.py <endpoint-url>   (run by scripts/peers/boto3_iam.sh, which starts the
sandbox and sets the default sandbox credentials). Exit status 0 only if every check passed.

Covers: GetCallerIdentity; a member account seeded through the control API; AssumeRole into
its OrganizationAccountAccessRole and IAM calls with the temporary keys; users, access keys,
GetAccessKeyLastUsed, ListMFADevices; policies with botocore's paginator (Marker/IsTruncated)
and the policy document botocore URL-decodes; errors as botocore parses them (code, HTTP
status); ExpiredToken after advancing the sandbox clock.
"""

from __future__ import annotations

import json
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4566"
CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"}],
}
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
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def client(service: str, **keys):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name="eu-west-1", config=CONFIG, **keys)


def error_of(call) -> tuple[str, int]:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]
    return "no error", 200


def main() -> int:
    sts = client("sts")
    me = sts.get_caller_identity()
    check("management identity", me["Account"] == "111111111111" and me["Arn"].endswith(":root"), me)

    seeded = control(
        "seed",
        {
            "accounts": [{"name": "boto3-dev", "email": "boto3-dev@example.com"}],
            "iam": [
                {
                    "account": "boto3-dev",
                    "users": [
                        {
                            "user_name": "legacy-ci",
                            "access_keys": [
                                {"access_key_id": "AKIABOTO3LEGACY00001", "secret_access_key": "legacy"}
                            ],
                            "mfa_devices": ["arn:aws:iam::000000000000:mfa/legacy-ci"],
                        }
                    ],
                }
            ],
        },
    )
    dev = seeded["accounts"]["boto3-dev"]

    assumed = sts.assume_role(
        RoleArn=f"arn:aws:iam::{dev}:role/OrganizationAccountAccessRole",
        RoleSessionName="boto3",
        DurationSeconds=900,
    )
    credentials = assumed["Credentials"]
    check("temporary key", credentials["AccessKeyId"].startswith("ASIA"), credentials["AccessKeyId"])
    check("expiration is a datetime", hasattr(credentials["Expiration"], "tzinfo"), credentials["Expiration"])
    keys = {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
    member_sts = client("sts", **keys)
    identity = member_sts.get_caller_identity()
    check("assumed identity", identity["Arn"] == assumed["AssumedRoleUser"]["Arn"], identity)
    check("assumed account", identity["Account"] == dev, identity)

    iam = client("iam", **keys)
    users = [user["UserName"] for user in iam.list_users()["Users"]]
    check("member's users", users == ["legacy-ci"], users)
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "platform"}])
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    check("new key", key["AccessKeyId"].startswith("AKIA") and key["Status"] == "Active", key)
    listed = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    check("listed key", [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]], listed)
    never = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    check("never used", never["ServiceName"] == "N/A" and "LastUsedDate" not in never, never)
    client(
        "sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    ).get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    check("last used by sts", used["AccessKeyLastUsed"].get("ServiceName") == "sts", used)
    check("last used user", used.get("UserName") == "alice", used)
    devices = iam.list_mfa_devices(UserName="legacy-ci")["MFADevices"]
    check("mfa devices", len(devices) == 1, devices)

    for index in range(5):
        iam.create_policy(PolicyName=f"policy-{index}", Path="/boto3/", PolicyDocument=json.dumps(POLICY))
    pages = list(iam.get_paginator("list_policies").paginate(Scope="Local", PaginationConfig={"PageSize": 2}))
    names = [policy["PolicyName"] for page in pages for policy in page["Policies"]]
    check("paginated policies", names == [f"policy-{i}" for i in range(5)] and len(pages) == 3, names)
    arn = f"arn:aws:iam::{dev}:policy/boto3/policy-0"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    # botocore URL-decodes and parses IAM policy documents.
    check("policy document", version["Document"] == POLICY, version["Document"])
    check("duplicate policy", error_of(lambda: iam.create_policy(PolicyName="POLICY-0", PolicyDocument=json.dumps(POLICY))) == ("EntityAlreadyExists", 409))
    check("malformed policy", error_of(lambda: iam.create_policy(PolicyName="bad", PolicyDocument="{")) == ("MalformedPolicyDocument", 400))
    iam.delete_policy(PolicyArn=arn)
    check("deleted policy", error_of(lambda: iam.get_policy(PolicyArn=arn)) == ("NoSuchEntity", 404))
    check("unknown user", error_of(lambda: iam.list_access_keys(UserName="nobody")) == ("NoSuchEntity", 404))
    check("third key", error_of(lambda: [iam.create_access_key(UserName="alice") for _ in range(2)]) == ("LimitExceeded", 409))

    check("not trusted", error_of(lambda: member_sts.assume_role(RoleArn=f"arn:aws:iam::{dev}:role/OrganizationAccountAccessRole", RoleSessionName="again")) == ("AccessDenied", 403))
    control("clock/advance", {"seconds": 901})
    check("expired", error_of(member_sts.get_caller_identity) == ("ExpiredToken", 403))
    check("unknown key", error_of(client("sts", aws_access_key_id="AKIANOSUCHKEY0000000", aws_secret_access_key="x").get_caller_identity) == ("InvalidClientTokenId", 403))

    if failures:
        for failure in failures:
            print(f"FAIL {failure}", file=sys.stderr)
        print(f"boto3 iam peer: {len(failures)} of {count} checks failed", file=sys.stderr)
        return 1
    print(f"boto3 iam peer: all {count} checks passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
