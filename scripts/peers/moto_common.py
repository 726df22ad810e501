"""Shared helpers of the moto peer suite (scripts/peers/moto.sh): boto3 clients for one
server, outcome tokens for a call, and waiting the way a real client waits.

Both servers are driven by the same AWS calls: `Server("sandbox", url, key, secret)` and
`Server("moto", url, ...)`. Only `reset` (each server's own control API, outside AWS's
surface) knows which is which.
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
POLL_SECONDS = 0.05
POLL_DEADLINE_SECONDS = 20.0


@dataclass
class Server:
    """One AWS-compatible endpoint and the keys to sign for it."""

    name: str
    url: str
    access_key_id: str
    secret_access_key: str
    clients: dict = field(default_factory=dict)

    def client(self, service: str):
        """A boto3 client on this server. Retries are off: moto answers an unimplemented
        operation with HTTP 500, which botocore would otherwise retry with backoff."""
        if service not in self.clients:
            self.clients[service] = boto3.client(
                service,
                endpoint_url=self.url,
                region_name=REGION,
                aws_access_key_id=self.access_key_id,
                aws_secret_access_key=self.secret_access_key,
                config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30),
            )
        return self.clients[service]


def reset(server: Server) -> None:
    """Wipes the server's state: the sandbox's `POST /_sandbox/reset` (a fresh organization
    and instance), moto's `POST /moto-api/reset` (nothing at all)."""
    path = "/_sandbox/reset" if server.name == "sandbox" else "/moto-api/reset"
    request = urllib.request.Request(f"{server.url}{path}", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    server.clients.clear()


def outcome_of(call, **kwargs) -> tuple[str, dict | None]:
    """Calls `call(**kwargs)` and names what happened: `ok` (and the response), `http500`
    (an unimplemented operation: moto's Flask error page), or `error:<AWS error code>`."""
    try:
        return "ok", call(**kwargs)
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 500:
            return "http500", None
        return f"error:{error.response['Error']['Code']}", None


def wait_until(what: str, done) -> None:
    """Polls `done()` with short sleeps until true or the deadline."""
    deadline = time.monotonic() + POLL_DEADLINE_SECONDS
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: still not done after {POLL_DEADLINE_SECONDS} s")
        time.sleep(POLL_SECONDS)


def ensure_organization(organizations) -> str:
    """The organization's root id; creates the organization where the server has none
    (moto starts without one, the sandbox with one)."""
    try:
        organizations.describe_organization()
    except ClientError as error:
        if error.response["Error"]["Code"] != "AWSOrganizationsNotInUseException":
            raise
        organizations.create_organization(FeatureSet="ALL")
    return organizations.list_roots()["Roots"][0]["Id"]


def create_account(organizations, name: str, email: str) -> str:
    """CreateAccount, then DescribeCreateAccountStatus until it settles; the new id."""
    request_id = organizations.create_account(Email=email, AccountName=name)["CreateAccountStatus"]["Id"]
    return settle_create_account(organizations, request_id)["AccountId"]


def settle_create_account(organizations, request_id: str) -> dict:
    """The final CreateAccountStatus (SUCCEEDED or FAILED) of a request."""
    final: dict = {}

    def settled() -> bool:
        status = organizations.describe_create_account_status(CreateAccountRequestId=request_id)[
            "CreateAccountStatus"
        ]
        final.update(status)
        return status["State"] != "IN_PROGRESS"

    wait_until(f"CreateAccount {request_id}", settled)
    return final


def settle_assignment(sso_admin, instance_arn: str, status: dict, kind: str = "creation") -> str:
    """Waits for a Create/DeleteAccountAssignment request (DescribeAccountAssignment<kind>Status)
    and returns its final status."""
    if status["Status"] != "IN_PROGRESS":
        return status["Status"]
    describe = getattr(sso_admin, f"describe_account_assignment_{kind}_status")
    member = f"AccountAssignment{kind.capitalize()}RequestId"
    key = f"AccountAssignment{kind.capitalize()}Status"
    final = {"Status": "IN_PROGRESS"}

    def settled() -> bool:
        final.update(describe(InstanceArn=instance_arn, **{member: status["RequestId"]})[key])
        return final["Status"] != "IN_PROGRESS"

    wait_until(f"account assignment {kind} {status['RequestId']}", settled)
    return final["Status"]


def settle_provisioning(sso_admin, instance_arn: str, status: dict) -> str:
    """Waits for a ProvisionPermissionSet request and returns its final status."""
    if status["Status"] != "IN_PROGRESS":
        return status["Status"]
    final = {"Status": "IN_PROGRESS"}

    def settled() -> bool:
        final.update(
            sso_admin.describe_permission_set_provisioning_status(
                InstanceArn=instance_arn, ProvisionPermissionSetRequestId=status["RequestId"]
            )["PermissionSetProvisioningStatus"]
        )
        return final["Status"] != "IN_PROGRESS"

    wait_until(f"provisioning {status['RequestId']}", settled)
    return final["Status"]


def with_conflict_retry(call, **kwargs):
    """Calls like a careful client: SSO Admin's propagation ConflictException (not "already
    exists") means a previous write on the same permission set and account is still in
    progress; retry shortly (aws-api-facts.md §5.1.1)."""
    for _ in range(400):
        try:
            return call(**kwargs)
        except ClientError as error:
            message = error.response["Error"].get("Message", "")
            if error.response["Error"]["Code"] != "ConflictException" or "already exists" in message:
                raise
            time.sleep(POLL_SECONDS)
    raise RuntimeError("still conflicting after 400 tries")
