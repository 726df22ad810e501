//! The keys every kind of file may hold. The loader rejects any other key and the JSON
//! Schema is generated from the same lists, so the two cannot drift apart.

pub(crate) const MONBAN: &[&str] = &[
    "target",
    "organization",
    "identity_center",
    "safety",
    "codeowners",
];
pub(crate) const TARGET: &[&str] = &["aws"];
pub(crate) const TARGET_AWS: &[&str] = &["profile", "region"];
pub(crate) const ORGANIZATION: &[&str] = &["management_account", "root_email", "ous"];
pub(crate) const IDENTITY_CENTER: &[&str] = &["region", "identity_source"];
pub(crate) const SAFETY: &[&str] = &["exclusive", "max_removals", "protected"];
pub(crate) const CODEOWNERS: &[&str] = &["default"];
pub(crate) const PROTECTED: &[&str] = &["account", "permission_set", "group", "user"];

pub(crate) const ACCOUNT: &[&str] = &["id", "email", "ou", "owners", "tags", "close", "access"];
pub(crate) const GRANT: &[&str] = &["group", "user", "until", "reason"];

pub(crate) const PERMISSION_SET: &[&str] = &[
    "description",
    "session_duration",
    "relay_state",
    "managed_policies",
    "customer_managed_policies",
    "permissions_boundary",
    "tags",
];
pub(crate) const CUSTOMER_MANAGED_POLICY: &[&str] = &["name", "path"];
pub(crate) const PERMISSIONS_BOUNDARY: &[&str] = &["managed_policy", "customer_managed_policy"];

pub(crate) const GROUPS: &[&str] = &["groups", "users"];

pub(crate) const RULE: &[&str] = &["permission_set", "principals", "accounts"];
pub(crate) const PRINCIPAL: &[&str] = &["group", "user"];
pub(crate) const SELECTOR: &[&str] = &["ou", "tags"];

pub(crate) const DIRECTORY: &[&str] = &["users", "groups"];
pub(crate) const DIRECTORY_USER: &[&str] = &[
    "user_name",
    "display_name",
    "given_name",
    "family_name",
    "email",
    "active",
];
pub(crate) const DIRECTORY_GROUP: &[&str] = &["display_name", "description", "members"];
