//! Users: ListUsers.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::state::{
    Address, ExternalId, IdentityStoreState, Name, Photo, TypedValue, User, UserStatus,
};
use super::{IdentityStoreError, check_identity_store, validation};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::timestamp::epoch_seconds;
use crate::world::World;

/// The wire `User` (ListUsers, DescribeUser).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UserOutput {
    identity_store_id: String,
    user_id: String,
    user_arn: String,
    /// A decimal string on the wire.
    revision: String,
    user_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_ids: Vec<ExternalId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<Name>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nick_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile_url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    emails: Vec<TypedValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    addresses: Vec<Address>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phone_numbers: Vec<TypedValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    preferred_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<String>,
    user_status: UserStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    photos: Vec<Photo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birthdate: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    roles: Vec<TypedValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(serialize_with = "epoch_seconds")]
    created_at: Timestamp,
    created_by: String,
    #[serde(serialize_with = "epoch_seconds")]
    updated_at: Timestamp,
    updated_by: String,
}

impl UserOutput {
    /// The wire form of `user`. `extensions` are only returned when the request names them
    /// (`Extensions` input); pass `include_extensions` accordingly.
    pub(super) fn new(identity_store_id: &str, user: &User, include_extensions: bool) -> Self {
        let user = user.clone();
        Self {
            identity_store_id: identity_store_id.to_owned(),
            user_arn: IdentityStoreState::resource_arn("user", &user.user_id),
            user_id: user.user_id,
            revision: user.revision.to_string(),
            user_name: user.user_name,
            external_ids: user.external_ids,
            name: user.name,
            display_name: user.display_name,
            nick_name: user.nick_name,
            profile_url: user.profile_url,
            emails: user.emails,
            addresses: user.addresses,
            phone_numbers: user.phone_numbers,
            user_type: user.user_type,
            title: user.title,
            preferred_language: user.preferred_language,
            locale: user.locale,
            timezone: user.timezone,
            user_status: user.user_status,
            photos: user.photos,
            website: user.website,
            birthdate: user.birthdate,
            roles: user.roles,
            extensions: (include_extensions && !user.extensions.is_empty())
                .then_some(user.extensions),
            created_at: user.created_at,
            created_by: user.created_by,
            updated_at: user.updated_at,
            updated_by: user.updated_by,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Filter {
    attribute_path: String,
    attribute_value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListUsersRequest {
    identity_store_id: String,
    #[serde(default)]
    extensions: Vec<String>,
    max_results: Option<i32>,
    next_token: Option<String>,
    #[serde(default)]
    filters: Vec<Filter>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListUsersResponse {
    users: Vec<UserOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Lists users in user-id order. The deprecated `Filters` member supports `UserName`
/// (exact, case-insensitive match) as AWS documents; other attribute paths are refused.
pub(super) fn list_users(
    context: &RequestContext,
    world: &World,
    input: ListUsersRequest,
) -> Result<ListUsersResponse, IdentityStoreError> {
    let ListUsersRequest {
        identity_store_id,
        extensions,
        max_results,
        next_token,
        filters,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    if filters.len() > 1 {
        return Err(validation(
            "1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 1".into(),
        ));
    }
    let user_name_filter = match filters.first() {
        None => None,
        Some(filter) if filter.attribute_path == "UserName" => {
            Some(filter.attribute_value.as_str())
        }
        Some(filter) => {
            return Err(validation(format!(
                "Filtering on attribute path '{}' is not supported; use UserName.",
                filter.attribute_path
            )));
        }
    };
    let scope = user_name_filter.unwrap_or_default().to_owned();
    let store = &world.identity_store;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::IDENTITY_STORE,
        &PageRequest {
            operation: "ListUsers",
            scope,
            max_results,
            next_token: next_token.as_deref(),
        },
        store.users.values().filter(|user| {
            user_name_filter.is_none_or(|name| user.user_name.eq_ignore_ascii_case(name))
        }),
        |user| user.user_id.clone(),
    )?;
    let include_extensions = !extensions.is_empty();
    Ok(ListUsersResponse {
        users: page
            .items
            .into_iter()
            .map(|user| UserOutput::new(&store.identity_store_id, user, include_extensions))
            .collect(),
        next_token: page.next_token,
    })
}
