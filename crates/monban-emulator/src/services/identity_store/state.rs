//! The Identity Store's part of the World: users (every modeled attribute, including
//! `UserStatus`), groups and group memberships, each with its revision.
//!
//! Plain data: the handlers implement AWS's rules. Attribute structs use the model's
//! PascalCase member names, so wire structs can reuse them.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::world::ids::IdGenerator;

/// `Name`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Name {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
}

/// `Email`, `PhoneNumber` and `Role` share this shape (`Value`, `Type`, `Primary`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TypedValue {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// `Photo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Photo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// `Address`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// `ExternalId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExternalId {
    pub issuer: String,
    pub id: String,
}

/// `UserStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    /// May sign in.
    Enabled,
    /// May not sign in.
    Disabled,
}

/// A user with every attribute the model carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    /// `<10 hex of the store id>-<uuid>`.
    pub user_id: String,
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<ExternalId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<TypedValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_numbers: Vec<TypedValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    pub user_status: UserStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Photo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthdate: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<TypedValue>,
    /// Extension name → JSON document.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, serde_json::Value>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub updated_at: Timestamp,
    pub updated_by: String,
    /// Incremented on every change (`Revision`, a decimal string on the wire).
    pub revision: u64,
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    pub group_id: String,
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_ids: Vec<ExternalId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub updated_at: Timestamp,
    pub updated_by: String,
    pub revision: u64,
}

/// A user's membership in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupMembership {
    pub membership_id: String,
    pub group_id: String,
    /// `MemberId.UserId` (users are the only members the model allows).
    pub member_user_id: String,
    pub created_at: Timestamp,
    pub created_by: String,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

/// The Identity Store's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityStoreState {
    /// `d-<10 hex>`, the same as the instance's.
    pub identity_store_id: String,
    /// Users by id.
    #[serde(default)]
    pub users: BTreeMap<String, User>,
    /// Groups by id.
    #[serde(default)]
    pub groups: BTreeMap<String, Group>,
    /// Memberships by id.
    #[serde(default)]
    pub memberships: BTreeMap<String, GroupMembership>,
}

impl IdentityStoreState {
    /// An empty store with id `identity_store_id`.
    #[must_use]
    pub fn fresh(identity_store_id: &str) -> Self {
        Self {
            identity_store_id: identity_store_id.to_owned(),
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            memberships: BTreeMap::new(),
        }
    }

    /// A new resource id: `<the store id's 10 hex>-<uuid>`, as AWS forms them.
    pub fn new_resource_id(&self, ids: &mut IdGenerator) -> String {
        let prefix = self.identity_store_id.trim_start_matches("d-");
        format!("{prefix}-{}", ids.uuid())
    }

    /// `arn:aws:identitystore:::user/<id>` (`kind` is `user`, `group` or `membership`).
    #[must_use]
    pub fn resource_arn(kind: &str, id: &str) -> String {
        format!("arn:aws:identitystore:::{kind}/{id}")
    }

    /// Adds a minimal enabled user (seed and CreateUser build on it) and returns its id.
    pub fn add_user(
        &mut self,
        ids: &mut IdGenerator,
        user_name: &str,
        created_by: &str,
        now: Timestamp,
    ) -> String {
        let user_id = self.new_resource_id(ids);
        let user = User {
            user_id: user_id.clone(),
            user_name: user_name.to_owned(),
            external_ids: Vec::new(),
            name: None,
            display_name: None,
            nick_name: None,
            profile_url: None,
            emails: Vec::new(),
            addresses: Vec::new(),
            phone_numbers: Vec::new(),
            user_type: None,
            title: None,
            preferred_language: None,
            locale: None,
            timezone: None,
            user_status: UserStatus::Enabled,
            photos: Vec::new(),
            website: None,
            birthdate: None,
            roles: Vec::new(),
            extensions: BTreeMap::new(),
            created_at: now,
            created_by: created_by.to_owned(),
            updated_at: now,
            updated_by: created_by.to_owned(),
            revision: 1,
        };
        self.users.insert(user_id.clone(), user);
        user_id
    }

    /// Adds a group and returns its id.
    pub fn add_group(
        &mut self,
        ids: &mut IdGenerator,
        display_name: &str,
        description: Option<&str>,
        created_by: &str,
        now: Timestamp,
    ) -> String {
        let group_id = self.new_resource_id(ids);
        let group = Group {
            group_id: group_id.clone(),
            display_name: display_name.to_owned(),
            external_ids: Vec::new(),
            description: description.map(str::to_owned),
            created_at: now,
            created_by: created_by.to_owned(),
            updated_at: now,
            updated_by: created_by.to_owned(),
            revision: 1,
        };
        self.groups.insert(group_id.clone(), group);
        group_id
    }

    /// Adds a membership of `user_id` in `group_id` and returns its id.
    pub fn add_membership(
        &mut self,
        ids: &mut IdGenerator,
        group_id: &str,
        user_id: &str,
        created_by: &str,
        now: Timestamp,
    ) -> String {
        let membership_id = self.new_resource_id(ids);
        let membership = GroupMembership {
            membership_id: membership_id.clone(),
            group_id: group_id.to_owned(),
            member_user_id: user_id.to_owned(),
            created_at: now,
            created_by: created_by.to_owned(),
            updated_at: now,
            updated_by: created_by.to_owned(),
        };
        self.memberships.insert(membership_id.clone(), membership);
        membership_id
    }
}
