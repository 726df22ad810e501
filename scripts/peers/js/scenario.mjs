// Peer suite: the AWS SDK for JavaScript v3 (Smithy-TypeScript generated: its own
// serializers, SigV4 signer, error parser and paginators, none shared with botocore or the
// Rust SDK) runs a short scenario against monban's sandbox and checks every answer.
//
// Usage: node scenario.mjs <endpoint-url>  (run by scripts/peers/js_sdk.sh, which installs the
// pinned SDK under target/peers/js, copies this file there and starts the sandbox). Exit
// status 0 only if every check passed.

import {
  OrganizationsClient, CreateOrganizationalUnitCommand, CreateAccountCommand,
  DescribeCreateAccountStatusCommand, MoveAccountCommand, DescribeAccountCommand,
  ListAccountsForParentCommand, ListRootsCommand, paginateListAccounts,
} from "@aws-sdk/client-organizations";
import {
  IdentitystoreClient, CreateUserCommand, CreateGroupCommand, CreateGroupMembershipCommand,
  DescribeUserCommand, GetUserIdCommand, IsMemberInGroupsCommand, paginateListUsers,
  paginateListGroupMemberships,
} from "@aws-sdk/client-identitystore";
import {
  SSOAdminClient, CreatePermissionSetCommand, PutInlinePolicyToPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand, DescribePermissionSetCommand,
  CreateAccountAssignmentCommand, DescribeAccountAssignmentCreationStatusCommand,
  ListPermissionSetsProvisionedToAccountCommand, paginateListAccountAssignments,
} from "@aws-sdk/client-sso-admin";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const endpoint = process.argv[2] ?? "http://127.0.0.1:4566";
const config = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIAMONBANSANDBOX000", secretAccessKey: "monban-sandbox-secret" },
  maxAttempts: 1, // every call reaches the server exactly once
};
const organizations = new OrganizationsClient(config);
const identityStore = new IdentitystoreClient(config);
const ssoAdmin = new SSOAdminClient(config);
const sts = new STSClient(config);

const failures = [];
let checks = 0;
let calls = 0;
function check(what, condition, detail = "") {
  checks += 1;
  if (!condition) failures.push(`${what}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`);
}
async function send(client, command) {
  calls += 1;
  return client.send(command);
}
/** The error a call fails with (null when it succeeds). */
async function errorOf(client, command) {
  try {
    await send(client, command);
    return null;
  } catch (error) {
    return error;
  }
}
function expectError(what, error, name, status = 400) {
  check(`${what}: fails`, error !== null, "it succeeded");
  if (error === null) return;
  check(`${what}: error.name`, error.name === name, `${error.name}: ${error.message}`);
  check(`${what}: HTTP status`, error.$metadata?.httpStatusCode === status, error.$metadata);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function pollUntil(what, read, done) {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const value = await read();
    if (done(value)) return value;
    await sleep(50);
  }
  throw new Error(`${what}: not done after 400 polls`);
}
async function collect(paginator, key, pageSize) {
  const items = [];
  let pages = 0;
  for await (const page of paginator) {
    pages += 1;
    check(`${key} page within pageSize`, page[key].length <= pageSize, page[key].length);
    items.push(...page[key]);
  }
  return { items, pages };
}

const started = Date.now();
const health = await (await fetch(`${endpoint}/_sandbox/health`)).json();
const { instance_arn: instanceArn, identity_store_id: identityStoreId } = health;

// STS: who the default key is.
const identity = await send(sts, new GetCallerIdentityCommand({}));
check("GetCallerIdentity account", identity.Account === health.management_account_id, identity);

// Organizations: an OU, an account created and polled, moved into the OU.
const roots = await send(organizations, new ListRootsCommand({}));
const rootId = roots.Roots[0].Id;
check("root id", rootId === health.root_id, roots.Roots);
const ou = (await send(organizations, new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "js-peer" })))
  .OrganizationalUnit;
check("OU id format", /^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/.test(ou.Id), ou.Id);
expectError("duplicate OU",
  await errorOf(organizations, new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: "js-peer" })),
  "DuplicateOrganizationalUnitException");
const creation = (await send(organizations, new CreateAccountCommand({
  AccountName: "js-peer-account", Email: "aws+js-peer@example.com", Tags: [{ Key: "team", Value: "js" }],
}))).CreateAccountStatus;
check("CreateAccount starts IN_PROGRESS", creation.State === "IN_PROGRESS", creation);
check("RequestedTimestamp is a Date", creation.RequestedTimestamp instanceof Date, creation);
const settled = await pollUntil("CreateAccount",
  async () => (await send(organizations, new DescribeCreateAccountStatusCommand({
    CreateAccountRequestId: creation.Id,
  }))).CreateAccountStatus,
  (status) => status.State !== "IN_PROGRESS");
check("CreateAccount SUCCEEDED", settled.State === "SUCCEEDED", settled);
const accountId = settled.AccountId;
check("account id: 12 digits", /^\d{12}$/.test(accountId ?? ""), settled);
await send(organizations, new MoveAccountCommand({
  AccountId: accountId, SourceParentId: rootId, DestinationParentId: ou.Id,
}));
const account = (await send(organizations, new DescribeAccountCommand({ AccountId: accountId }))).Account;
check("account name", account.Name === "js-peer-account", account);
check("account email", account.Email === "aws+js-peer@example.com", account);
check("account JoinedTimestamp is a Date", account.JoinedTimestamp instanceof Date, account);
const inOu = (await send(organizations, new ListAccountsForParentCommand({ ParentId: ou.Id }))).Accounts;
check("the OU holds the account", inOu.length === 1 && inOu[0].Id === accountId, inOu);
expectError("MoveAccount to its current parent",
  await errorOf(organizations, new MoveAccountCommand({
    AccountId: accountId, SourceParentId: ou.Id, DestinationParentId: ou.Id,
  })),
  "DuplicateAccountException");
expectError("DescribeAccount unknown",
  await errorOf(organizations, new DescribeAccountCommand({ AccountId: "999999999999" })),
  "AccountNotFoundException");
const accounts = await collect(paginateListAccounts({ client: organizations, pageSize: 1 }, {}), "Accounts", 1);
calls += accounts.pages;
const accountIds = accounts.items.map((item) => item.Id);
check("ListAccounts: management + new account", accountIds.length === 2
  && accountIds.includes(accountId) && accountIds.includes(health.management_account_id), accountIds);

// Identity Store: users, a group, memberships.
const userNames = ["ana", "ben", "cleo", "dan", "eve"].map((name) => `${name}@example.com`);
const userIds = {};
for (const userName of userNames) {
  const given = userName.split("@")[0];
  const created = await send(identityStore, new CreateUserCommand({
    IdentityStoreId: identityStoreId, UserName: userName, DisplayName: given,
    Name: { GivenName: given, FamilyName: "Peer" },
    Emails: [{ Value: userName, Type: "work", Primary: true }],
  }));
  userIds[userName] = created.UserId;
}
const group = await send(identityStore, new CreateGroupCommand({
  IdentityStoreId: identityStoreId, DisplayName: "js-peers", Description: "JS SDK peer",
}));
expectError("duplicate group",
  await errorOf(identityStore, new CreateGroupCommand({ IdentityStoreId: identityStoreId, DisplayName: "js-peers" })),
  "ConflictException");
const members = userNames.slice(0, 3);
for (const userName of members) {
  await send(identityStore, new CreateGroupMembershipCommand({
    IdentityStoreId: identityStoreId, GroupId: group.GroupId, MemberId: { UserId: userIds[userName] },
  }));
}
const described = await send(identityStore, new DescribeUserCommand({
  IdentityStoreId: identityStoreId, UserId: userIds["ben@example.com"],
}));
check("DescribeUser name", described.UserName === "ben@example.com" && described.Name?.GivenName === "ben", described);
check("DescribeUser email", described.Emails?.[0]?.Value === "ben@example.com", described.Emails);
const found = await send(identityStore, new GetUserIdCommand({
  IdentityStoreId: identityStoreId,
  AlternateIdentifier: { UniqueAttribute: { AttributePath: "userName", AttributeValue: "cleo@example.com" } },
}));
check("GetUserId", found.UserId === userIds["cleo@example.com"], found);
const membership = await send(identityStore, new IsMemberInGroupsCommand({
  IdentityStoreId: identityStoreId, MemberId: { UserId: userIds["eve@example.com"] }, GroupIds: [group.GroupId],
}));
check("IsMemberInGroups: eve is not", membership.Results?.[0]?.MembershipExists === false, membership.Results);
const users = await collect(paginateListUsers({ client: identityStore, pageSize: 2 },
  { IdentityStoreId: identityStoreId }), "Users", 2);
calls += users.pages;
const listedUsers = users.items.map((user) => user.UserName).sort();
check("ListUsers, 2 a page: all users once", JSON.stringify(listedUsers) === JSON.stringify([...userNames].sort()), listedUsers);
check("ListUsers pages", users.pages >= 3, users.pages);
const memberships = await collect(paginateListGroupMemberships({ client: identityStore, pageSize: 1 },
  { IdentityStoreId: identityStoreId, GroupId: group.GroupId }), "GroupMemberships", 1);
calls += memberships.pages;
const memberIds = memberships.items.map((item) => item.MemberId.UserId).sort();
check("ListGroupMemberships", JSON.stringify(memberIds) === JSON.stringify(members.map((name) => userIds[name]).sort()), memberIds);
expectError("DescribeUser unknown",
  await errorOf(identityStore, new DescribeUserCommand({
    IdentityStoreId: identityStoreId, UserId: "00000000-0000-4000-8000-000000000000",
  })),
  "ResourceNotFoundException");

// SSO Admin: a permission set with an inline policy, an assignment polled to SUCCEEDED.
const permissionSet = (await send(ssoAdmin, new CreatePermissionSetCommand({
  InstanceArn: instanceArn, Name: "JsPeerReadOnly", Description: "JS SDK peer", SessionDuration: "PT2H",
}))).PermissionSet;
const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
await send(ssoAdmin, new PutInlinePolicyToPermissionSetCommand({
  InstanceArn: instanceArn, PermissionSetArn: permissionSet.PermissionSetArn, InlinePolicy: JSON.stringify(policy),
}));
const inline = await send(ssoAdmin, new GetInlinePolicyForPermissionSetCommand({
  InstanceArn: instanceArn, PermissionSetArn: permissionSet.PermissionSetArn,
}));
check("inline policy read back", JSON.stringify(JSON.parse(inline.InlinePolicy)) === JSON.stringify(policy), inline);
const describedSet = (await send(ssoAdmin, new DescribePermissionSetCommand({
  InstanceArn: instanceArn, PermissionSetArn: permissionSet.PermissionSetArn,
}))).PermissionSet;
check("permission set fields", describedSet.Name === "JsPeerReadOnly" && describedSet.SessionDuration === "PT2H"
  && describedSet.CreatedDate instanceof Date, describedSet);
expectError("SessionDuration PT13H",
  await errorOf(ssoAdmin, new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: "TooLong", SessionDuration: "PT13H" })),
  "ValidationException");
const assignmentTargets = [
  { PrincipalType: "GROUP", PrincipalId: group.GroupId },
  { PrincipalType: "USER", PrincipalId: userIds["eve@example.com"] },
];
for (const principal of assignmentTargets) {
  const status = (await send(ssoAdmin, new CreateAccountAssignmentCommand({
    InstanceArn: instanceArn, TargetId: accountId, TargetType: "AWS_ACCOUNT",
    PermissionSetArn: permissionSet.PermissionSetArn, ...principal,
  }))).AccountAssignmentCreationStatus;
  const final = await pollUntil("CreateAccountAssignment",
    async () => (await send(ssoAdmin, new DescribeAccountAssignmentCreationStatusCommand({
      InstanceArn: instanceArn, AccountAssignmentCreationRequestId: status.RequestId,
    }))).AccountAssignmentCreationStatus,
    (value) => value.Status !== "IN_PROGRESS");
  check(`assignment to ${principal.PrincipalType} SUCCEEDED`, final.Status === "SUCCEEDED", final);
  // The second one conflicts with nothing: the first has completed.
}
const assignments = await collect(paginateListAccountAssignments({ client: ssoAdmin, pageSize: 1 }, {
  InstanceArn: instanceArn, AccountId: accountId, PermissionSetArn: permissionSet.PermissionSetArn,
}), "AccountAssignments", 1);
calls += assignments.pages;
const listed = assignments.items.map((item) => `${item.PrincipalType}:${item.PrincipalId}`).sort();
check("ListAccountAssignments, 1 a page", JSON.stringify(listed)
  === JSON.stringify(assignmentTargets.map((item) => `${item.PrincipalType}:${item.PrincipalId}`).sort()), listed);
const provisioned = await send(ssoAdmin, new ListPermissionSetsProvisionedToAccountCommand({
  InstanceArn: instanceArn, AccountId: accountId,
}));
check("provisioned to the account", JSON.stringify(provisioned.PermissionSets) === JSON.stringify([permissionSet.PermissionSetArn]), provisioned);
expectError("assignment to an unknown user",
  await errorOf(ssoAdmin, new CreateAccountAssignmentCommand({
    InstanceArn: instanceArn, TargetId: accountId, TargetType: "AWS_ACCOUNT",
    PermissionSetArn: permissionSet.PermissionSetArn, PrincipalType: "USER",
    PrincipalId: "00000000-0000-4000-8000-000000000000",
  })),
  "ResourceNotFoundException");

// The sandbox's request log holds exactly the calls made.
const log = (await (await fetch(`${endpoint}/_sandbox/requests`)).json()).requests;
check("request log: one entry a call", log.length === calls, `${log.length} logged, ${calls} made`);
check("request log: 7 errors", log.filter((entry) => entry.outcome === "error").length === 7,
  log.filter((entry) => entry.outcome === "error").map((entry) => entry.error_code));

for (const failure of failures) console.error(`js-sdk peer: FAILED ${failure}`);
console.error(`js-sdk peer: ${calls} calls, ${checks} checks, ${failures.length} failed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures.length === 0 ? 0 : 1);
