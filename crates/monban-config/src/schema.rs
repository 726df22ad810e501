//! The JSON Schema (draft 2020-12) of the access-repo files and the directory snapshot,
//! for editors (e.g. YAML language servers). Object properties are generated from the same
//! key lists the loader accepts (`keys.rs`), so the schema cannot list a key the loader
//! rejects or miss one it reads; a test checks every key has a description.

use serde_json::{Map, Value, json};

use crate::keys;

/// A kind of file in an access repo (plus the directory snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `monban.yaml`
    Settings,
    /// `accounts/*.yaml`
    Account,
    /// `permission-sets/*.yaml`
    PermissionSet,
    /// `groups.yaml`
    Groups,
    /// `rules/*.yaml`
    Rules,
    /// the IdP directory snapshot
    Directory,
}

impl FileKind {
    pub const ALL: [Self; 6] = [
        Self::Settings,
        Self::Account,
        Self::PermissionSet,
        Self::Groups,
        Self::Rules,
        Self::Directory,
    ];

    /// The name of the kind's definition under `$defs`, also used for per-kind files.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Settings => "settings",
            Self::Account => "account",
            Self::PermissionSet => "permission-set",
            Self::Groups => "groups",
            Self::Rules => "rules",
            Self::Directory => "directory",
        }
    }
}

const PERMISSION_SET_NAME: &str = r"^[A-Za-z0-9_+=,.@-]{1,32}$";
const ACCOUNT_ID: &str = r"^[0-9]{12}$";
const DATE: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
const DURATION: &str = r"^PT(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?$";
const MANAGED_POLICY_ARN: &str =
    r"^arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9.,+@=_-]+)*)/([A-Za-z0-9.,+=@_-]+)$";
const POLICY_NAME: &str = r"^[A-Za-z0-9_+=,.@-]{1,128}$";
const POLICY_PATH: &str = r"^((/[A-Za-z0-9.,+@=_-]+)*)/$";
const REGION: &str = r"^[a-z]{2}(-(gov|iso[a-z]?))?-[a-z]+-[0-9]{1,2}$";
const EMAIL: &str = r"^[^\s@]+@[^\s@]+\.[^\s@]+$";
const OU_PATH: &str = r"^[^/*]+(/[^/*]+){0,4}$";
const OU_PATTERN: &str = r"^(\*\*|[^/*]+(/[^/*]+){0,4}(/\*\*)?)$";

/// The whole schema: every kind under `$defs`, the root accepting any of them.
#[must_use]
pub fn schema() -> Value {
    let any_of: Vec<Value> = FileKind::ALL
        .iter()
        .map(|kind| json!({ "$ref": format!("#/$defs/{}", kind.name()) }))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://monban.invalid/schema/monban-repo.schema.json",
        "title": "monban access repo",
        "description": "Files of a monban access repo: monban.yaml, accounts/*.yaml, permission-sets/*.yaml, groups.yaml, rules/*.yaml, and the IdP directory snapshot. See docs/reference/access-repo.md.",
        "anyOf": any_of,
        "$defs": definitions(),
    })
}

/// The schema of one kind of file: its definition at the root, with all `$defs`.
#[must_use]
pub fn schema_for(kind: FileKind) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("https://monban.invalid/schema/{}.schema.json", kind.name()),
        "title": format!("monban {}", kind.name()),
        "$ref": format!("#/$defs/{}", kind.name()),
        "$defs": definitions(),
    })
}

fn definitions() -> Value {
    json!({
        "settings": object(keys::MONBAN, &["identity_center"], "monban.yaml: organization-wide settings."),
        "target": object(keys::TARGET, &["aws"], "The AWS target. Omit `target` to use the embedded sandbox."),
        "target-aws": object(keys::TARGET_AWS, &["region"], "A real AWS organization."),
        "organization": object(keys::ORGANIZATION, &[], "The organization: management account, root e-mail template, OUs."),
        "identity-center": object(keys::IDENTITY_CENTER, &["region"], "The IAM Identity Center instance."),
        "safety": object(keys::SAFETY, &[], "Guard rails for plans."),
        "codeowners": object(keys::CODEOWNERS, &[], "What `monban codeowners` writes besides the account files' owners."),
        "protected": principal_object(keys::PROTECTED, &["account", "permission_set"], "An assignment no plan may remove."),
        "account": object_with(keys::ACCOUNT, &[], "accounts/<name>.yaml: one AWS account; its name is the file name.", &[
            ("ou", pattern("The OU the account lives in, as a path (default: directly under the root).", OU_PATH)),
        ]),
        "access": {
            "type": ["object", "null"],
            "description": "Permission set name -> the principals granted it on this account.",
            "propertyNames": { "pattern": PERMISSION_SET_NAME },
            "additionalProperties": { "type": "array", "items": { "$ref": "#/$defs/grant" } },
        },
        "grant": principal_object(keys::GRANT, &[], "A group or user granted the permission set, optionally until a date."),
        "permission-set": object_with(keys::PERMISSION_SET, &[], "permission-sets/<Name>.yaml: one permission set; its name is the file name. An inline policy goes in <Name>.policy.json beside it.", &[
            ("description", json!({ "type": "string", "minLength": 1, "maxLength": 700, "pattern": "^[\\t\\n\\r\\u0020-\\u007E\\u00A1-\\u00FF]*$", "description": "Description, 1..700 characters (ASCII and Latin-1)." })),
        ]),
        "customer-managed-policy": object(keys::CUSTOMER_MANAGED_POLICY, &["name"], "A customer-managed policy, by name and path; it must exist in every account the permission set is provisioned to."),
        "permissions-boundary": {
            "allOf": [object(keys::PERMISSIONS_BOUNDARY, &[], "The permissions boundary: exactly one of `managed_policy` and `customer_managed_policy`.")],
            "oneOf": [
                { "required": ["managed_policy"], "not": { "required": ["customer_managed_policy"] } },
                { "required": ["customer_managed_policy"], "not": { "required": ["managed_policy"] } },
            ],
        },
        "groups": object_with(keys::GROUPS, &[], "groups.yaml: the IdP group display names and user names this repo may reference.", &[
            ("groups", json!({ "type": ["array", "null"], "description": "Group display names.", "items": { "type": "string", "minLength": 1, "maxLength": 1024 } })),
            ("users", json!({ "type": ["array", "null"], "description": "User names.", "items": { "type": "string", "minLength": 1, "maxLength": 128, "pattern": r"^\S+$" } })),
        ]),
        "rules": {
            "type": ["array", "null"],
            "description": "rules/*.yaml: a list of selector rules.",
            "items": { "$ref": "#/$defs/rule" },
        },
        "rule": object(keys::RULE, &["permission_set", "principals", "accounts"], "A permission set for these principals on every declared account the selector matches."),
        "principal": principal_object(keys::PRINCIPAL, &[], "A group (by display name) or a user (by user name)."),
        "selector": {
            "allOf": [object(keys::SELECTOR, &[], "Which declared accounts a rule applies to; both parts given = both must match.")],
            "anyOf": [{ "required": ["ou"] }, { "required": ["tags"] }],
        },
        "tags": {
            "type": ["object", "null"],
            "description": "Tags: keys 1..128 characters (not starting with `aws:`), values 0..256, letters, digits, spaces and _.:/=+-@.",
            "propertyNames": { "minLength": 1, "maxLength": 128, "not": { "pattern": "^[aA][wW][sS]:" } },
            "additionalProperties": { "type": ["string", "number", "boolean", "null"], "maxLength": 256 },
        },
        "directory": object_with(keys::DIRECTORY, &[], "An IdP directory snapshot: users and groups as the IdP holds them.", &[
            ("users", json!({ "type": ["array", "null"], "items": reference("directory-user") })),
            ("groups", json!({ "type": ["array", "null"], "items": reference("directory-group") })),
        ]),
        "directory-user": object_with(keys::DIRECTORY_USER, &["user_name", "display_name", "given_name", "family_name", "email"], "A user of the IdP.", &[
            ("email", json!({ "type": "string", "minLength": 1, "maxLength": 1024, "description": "The user's e-mail address." })),
        ]),
        "directory-group": object_with(keys::DIRECTORY_GROUP, &["display_name"], "A group of the IdP.", &[
            ("description", json!({ "type": "string", "minLength": 1, "maxLength": 1024, "description": "What the group is for." })),
        ]),
    })
}

/// A closed object with the given keys, each described by [`property`].
fn object(known: &[&str], required: &[&str], description: &str) -> Value {
    object_with(known, required, description, &[])
}

/// [`object`], with the schema of some keys replaced where they mean something else here.
fn object_with(
    known: &[&str],
    required: &[&str],
    description: &str,
    overrides: &[(&str, Value)],
) -> Value {
    let mut properties = Map::new();
    for key in known {
        let schema = overrides
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, schema)| schema.clone())
            .or_else(|| property(key))
            .unwrap_or_else(|| json!({}));
        properties.insert((*key).to_owned(), schema);
    }
    let mut object = json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        object["required"] = json!(required);
    }
    object
}

/// An object that names exactly one of `group` and `user`.
fn principal_object(known: &[&str], required: &[&str], description: &str) -> Value {
    json!({
        "allOf": [object(known, required, description)],
        "oneOf": [
            { "required": ["group"], "not": { "required": ["user"] } },
            { "required": ["user"], "not": { "required": ["group"] } },
        ],
    })
}

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn pattern(description: &str, pattern: &str) -> Value {
    json!({ "type": "string", "description": description, "pattern": pattern })
}

fn reference(definition: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{definition}") })
}

/// The schema of each key, whatever object it appears in. Keys shared by several objects
/// (`region`, `tags`, `group`, `user`, …) mean the same everywhere.
fn property(key: &str) -> Option<Value> {
    Some(match key {
        "target" => reference("target"),
        "aws" => reference("target-aws"),
        "profile" => string("A profile of ~/.aws/config; default: the standard credential chain."),
        "region" => pattern("An AWS region code, e.g. ap-northeast-1.", REGION),
        "organization" => reference("organization"),
        "management_account" => string("The management account, by account file name."),
        "root_email" => json!({
            "type": "string",
            "description": "Template of root e-mails; {account} is replaced by the account name, e.g. aws-root+{account}@example.com.",
            "pattern": r"^[^{}]*\{account\}[^{}]*$",
        }),
        "ous" => json!({
            "type": ["array", "null"],
            "description": "Every OU as a path from the root, e.g. Products/Payments (parents implied; at most 5 levels).",
            "items": { "type": "string", "pattern": OU_PATH, "maxLength": 644 },
        }),
        "identity_center" => reference("identity-center"),
        "identity_source" => {
            json!({ "enum": ["external"], "description": "Where users and groups come from: `external` (an IdP via SCIM). Default external." })
        }
        "safety" => reference("safety"),
        "codeowners" => reference("codeowners"),
        "default" => {
            json!({ "type": ["array", "null"], "items": { "type": "string", "minLength": 1 }, "description": "Code owners of every file no account's `owners` claims (the `*` line of CODEOWNERS), e.g. @example/platform." })
        }
        "exclusive" => {
            json!({ "type": "boolean", "description": "Unmanaged live assignments on declared accounts are planned for removal (false: only reported). Default true." })
        }
        "max_removals" => {
            json!({ "type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64, "description": "Plans removing more assignments + permission sets + OUs need --allow-mass-removal. Default 25." })
        }
        "protected" => {
            json!({ "type": ["array", "null"], "items": reference("protected"), "description": "Assignments no plan may remove." })
        }
        "account" => string("An account, by file name."),
        "permission_set" => pattern("A permission set, by file name.", PERMISSION_SET_NAME),
        "group" => {
            json!({ "type": "string", "minLength": 1, "maxLength": 1024, "description": "An IdP group, by display name (declared in groups.yaml)." })
        }
        "user" => {
            json!({ "type": "string", "minLength": 1, "maxLength": 128, "pattern": r"^\S+$", "description": "An IdP user, by user name (declared in groups.yaml)." })
        }
        "id" => pattern(
            "The 12-digit account id, quoted. Omit for an account monban should create.",
            ACCOUNT_ID,
        ),
        "email" => {
            json!({ "type": "string", "minLength": 6, "maxLength": 64, "pattern": EMAIL, "description": "E-mail address (root e-mail for accounts; default derived from organization.root_email)." })
        }
        "ou" => pattern(
            "An OU path (account: where it lives, default the root) or, in a selector, a pattern: `**`, `A/B`, or `A/**`.",
            OU_PATTERN,
        ),
        "owners" => {
            json!({ "type": ["array", "null"], "items": { "type": "string", "minLength": 1 }, "description": "Code owners of this account file, e.g. @example/payments-sre." })
        }
        "tags" => reference("tags"),
        "close" => {
            json!({ "type": "boolean", "description": "true = close this account. Default false." })
        }
        "access" => reference("access"),
        "until" => pattern("Last day of the grant, YYYY-MM-DD, inclusive, UTC.", DATE),
        "reason" => string("Why the grant exists (free text, e.g. a ticket)."),
        "description" => {
            json!({ "type": "string", "minLength": 1, "maxLength": 1024, "description": "A description (permission sets: 1..700 characters, ASCII and Latin-1)." })
        }
        "session_duration" => pattern(
            "Session length, ISO-8601, PT1H..PT12H. Default PT1H.",
            DURATION,
        ),
        "relay_state" => {
            json!({ "type": "string", "minLength": 1, "maxLength": 240, "description": "URL the console opens after sign-in." })
        }
        "managed_policies" => {
            json!({ "type": ["array", "null"], "items": { "type": "string", "pattern": MANAGED_POLICY_ARN }, "description": "AWS-managed policy ARNs (with customer_managed_policies: at most 25)." })
        }
        "customer_managed_policies" => {
            json!({ "type": ["array", "null"], "items": reference("customer-managed-policy"), "description": "Customer-managed policies by name and path." })
        }
        "name" => pattern("Policy name.", POLICY_NAME),
        "path" => {
            json!({ "type": "string", "maxLength": 512, "pattern": POLICY_PATH, "description": "IAM path, beginning and ending with /. Default /." })
        }
        "permissions_boundary" => reference("permissions-boundary"),
        "managed_policy" => pattern("An AWS-managed policy ARN.", MANAGED_POLICY_ARN),
        "customer_managed_policy" => reference("customer-managed-policy"),
        "groups" | "users" => json!({ "type": ["array", "null"] }),
        "principals" => {
            json!({ "type": "array", "minItems": 1, "items": reference("principal"), "description": "Groups and users the rule grants the permission set to." })
        }
        "accounts" => reference("selector"),
        "user_name" => {
            json!({ "type": "string", "minLength": 1, "maxLength": 128, "pattern": r"^\S+$", "description": "Identity Store user name (unique)." })
        }
        "display_name" => {
            json!({ "type": "string", "minLength": 1, "maxLength": 1024, "description": "Display name (unique for groups)." })
        }
        "given_name" => {
            json!({ "type": "string", "minLength": 1, "maxLength": 1024, "description": "Given name." })
        }
        "family_name" => {
            json!({ "type": "string", "minLength": 1, "maxLength": 1024, "description": "Family name." })
        }
        "active" => {
            json!({ "type": "boolean", "description": "false = deactivated (a leaver). Default true." })
        }
        "members" => {
            json!({ "type": ["array", "null"], "items": { "type": "string" }, "description": "Members, by user name." })
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_schema() {
        for list in [
            keys::MONBAN,
            keys::TARGET,
            keys::TARGET_AWS,
            keys::ORGANIZATION,
            keys::IDENTITY_CENTER,
            keys::SAFETY,
            keys::PROTECTED,
            keys::CODEOWNERS,
            keys::ACCOUNT,
            keys::GRANT,
            keys::PERMISSION_SET,
            keys::CUSTOMER_MANAGED_POLICY,
            keys::PERMISSIONS_BOUNDARY,
            keys::GROUPS,
            keys::RULE,
            keys::PRINCIPAL,
            keys::SELECTOR,
            keys::DIRECTORY,
            keys::DIRECTORY_USER,
            keys::DIRECTORY_GROUP,
        ] {
            for key in list {
                assert!(property(key).is_some(), "no schema for key `{key}`");
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        let schema = schema();
        let definitions = schema["$defs"].as_object().unwrap();
        let text = schema.to_string();
        for part in text.split("\"$ref\":\"#/$defs/").skip(1) {
            let name = &part[..part.find('"').unwrap()];
            assert!(definitions.contains_key(name), "dangling $ref {name}");
        }
    }
}
