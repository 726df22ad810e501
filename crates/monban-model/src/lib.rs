//! Domain types and ids of monban: organizations, accounts, permission sets, principals,
//! assignments, selector rules, safety settings, the IdP directory snapshot — and every AWS
//! limit on them, stated once, each citing the botocore shape it comes from. No I/O: the
//! loader (`monban-config`) reads files and calls the constructors here.

mod access;
mod adopt;
mod constraint;
mod directory;
mod email;
mod iam_scan;
mod live;
mod names;
mod newtype;
mod permission_set;
mod repo;
mod settings;
mod tags;

pub use access::{
    AccountSelector, Assignment, AssignmentOrigin, Grant, OuPattern, PrincipalRef, Rule, RuleId,
    Until,
};
pub use adopt::{Adopted, account_file_stem, adopt};
pub use constraint::{Constraint, ConstraintError};
pub use directory::{Directory, DirectoryGroup, DirectoryUser, IdentityText};
pub use email::{ACCOUNT_PLACEHOLDER, Email, RootEmailTemplate};
pub use iam_scan::{
    AccessKeyRecord, CustomerManagedPolicyRecord, IamAccountError, IamScan, IamUserRecord,
    PolicyContent,
};
pub use live::{
    LIVE_FORMAT_VERSION, LiveAccount, LiveAccountCreation, LiveAccountStatus, LiveAssignment,
    LiveCaller, LiveCreationState, LiveCustomerManagedPolicy, LiveGroup, LiveInstance,
    LiveInvitation, LiveMembership, LiveOrganization, LiveOu, LivePermissionSet,
    LivePermissionsBoundary, LivePrincipalType, LiveProvisioned, LiveState, LiveUser,
};
pub use names::{
    AccountId, AccountName, GroupName, MAX_OU_DEPTH, OuName, OuPath, PermissionSetName,
    ProfileName, Region, UserName,
};
pub use permission_set::{
    CustomerManagedPolicy, CustomerManagedPolicyName, CustomerManagedPolicyPath,
    IAM_DEFAULT_POLICIES_PER_ROLE, InlinePolicy, MAX_INLINE_POLICY_BYTES,
    MAX_INLINE_POLICY_NON_WHITESPACE_BYTES, MAX_POLICIES_PER_PERMISSION_SET, ManagedPolicyArn,
    PermissionSet, PermissionSetDescription, PermissionsBoundary, PolicyCount, RelayState,
    SessionDuration, check_policy_count,
};
pub use repo::{Account, Repo, RootEmail};
pub use settings::{
    CodeOwners, IdentityCenter, IdentitySource, Organization, ProtectedAssignment, RepoSettings,
    Safety, Target,
};
pub use tags::{
    MAX_ACCOUNT_TAGS, MAX_PERMISSION_SET_TAGS, TagKey, TagValue, Tags, check_tag_count,
};
