//! Users: CreateUser, DescribeUser, UpdateUser, DeleteUser, ListUsers, GetUserId.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::state::{
    Address, ExternalId, IdentityStoreState, Name, Photo, TypedValue, User, UserStatus,
};
use super::{IdentityStoreError, check_identity_store, check_revision, validation};
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
    pub(super) attribute_path: String,
    pub(super) attribute_value: String,
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

/// `Administrator` and `AWSAdministrators` are reserved user and group names (model docs).
pub(super) const RESERVED_NAMES: [&str; 2] = ["Administrator", "AWSAdministrators"];

/// The `ResourceNotFoundException` for a user id.
pub(super) fn user_not_found(user_id: &str) -> IdentityStoreError {
    IdentityStoreError::ResourceNotFoundException {
        resource_type: super::error::ResourceType::User,
        resource_id: Some(user_id.to_owned()),
        reason: None,
        message: format!("User {user_id} does not exist."),
    }
}

/// Checks a `UserName` against the model's constraints (1..128 characters, no whitespace or
/// control characters) and the reserved names.
fn check_user_name(user_name: &str) -> Result<(), IdentityStoreError> {
    let length = user_name.chars().count();
    if !(1..=128).contains(&length)
        || user_name
            .chars()
            .any(|character| character.is_whitespace() || character.is_control())
    {
        return Err(validation(format!(
            "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{{L}}\\p{{M}}\\p{{S}}\\p{{N}}\\p{{P}}]+ and length 1..128 (got {length} characters)"
        )));
    }
    if RESERVED_NAMES
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(user_name))
    {
        return Err(validation(format!(
            "The user name {user_name} is reserved."
        )));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateUserRequest {
    identity_store_id: String,
    /// Optional in the model; the sandbox requires it (see docs/reference/sandbox.md).
    user_name: Option<String>,
    name: Option<Name>,
    display_name: Option<String>,
    nick_name: Option<String>,
    profile_url: Option<String>,
    #[serde(default)]
    emails: Vec<TypedValue>,
    #[serde(default)]
    addresses: Vec<Address>,
    #[serde(default)]
    phone_numbers: Vec<TypedValue>,
    user_type: Option<String>,
    title: Option<String>,
    preferred_language: Option<String>,
    locale: Option<String>,
    timezone: Option<String>,
    #[serde(default)]
    photos: Vec<Photo>,
    website: Option<String>,
    birthdate: Option<String>,
    #[serde(default)]
    roles: Vec<TypedValue>,
    #[serde(default)]
    extensions: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateUserResponse {
    identity_store_id: String,
    user_id: String,
    user_arn: String,
    revision: String,
}

/// Checks the model's list-length constraints (`Emails`, `Addresses`, `PhoneNumbers`,
/// `Roles`: exactly one item when present; `Photos`: up to three).
fn check_list_lengths(lists: &[(&str, usize, usize)]) -> Result<(), IdentityStoreError> {
    for &(member, length, maximum) in lists {
        if length > maximum {
            return Err(validation(format!(
                "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {maximum}"
            )));
        }
    }
    Ok(())
}

/// Creates an enabled user. User names are unique in the store (case-insensitive).
pub(super) fn create_user(
    context: &RequestContext,
    world: &mut World,
    input: CreateUserRequest,
) -> Result<CreateUserResponse, IdentityStoreError> {
    check_identity_store(context, world, &input.identity_store_id)?;
    let Some(user_name) = input.user_name else {
        return Err(validation(
            "UserName is required when used in IAM Identity Center.".into(),
        ));
    };
    check_user_name(&user_name)?;
    check_list_lengths(&[
        ("emails", input.emails.len(), 1),
        ("addresses", input.addresses.len(), 1),
        ("phoneNumbers", input.phone_numbers.len(), 1),
        ("roles", input.roles.len(), 1),
        ("photos", input.photos.len(), 3),
    ])?;
    if let Some(key) = input
        .extensions
        .keys()
        .find(|key| key.as_str() != "aws:identitystore:enterprise")
    {
        return Err(validation(format!("Extension {key} is not supported.")));
    }
    let store = &world.identity_store;
    if store
        .users
        .values()
        .any(|user| user.user_name.eq_ignore_ascii_case(&user_name))
    {
        return Err(IdentityStoreError::ConflictException {
            message: format!("Duplicate UserName: {user_name}"),
            reason: super::error::ConflictExceptionReason::UniquenessConstraintViolation,
        });
    }
    let created_by = context.caller.principal_arn.clone();
    let World {
        identity_store,
        ids,
        ..
    } = world;
    let user_id = identity_store.add_user(ids, &user_name, &created_by, context.now);
    let user = identity_store
        .users
        .get_mut(&user_id)
        .expect("add_user just inserted this id");
    user.name = input.name;
    user.display_name = input.display_name;
    user.nick_name = input.nick_name;
    user.profile_url = input.profile_url;
    user.emails = input.emails;
    user.addresses = input.addresses;
    user.phone_numbers = input.phone_numbers;
    user.user_type = input.user_type;
    user.title = input.title;
    user.preferred_language = input.preferred_language;
    user.locale = input.locale;
    user.timezone = input.timezone;
    user.photos = input.photos;
    user.website = input.website;
    user.birthdate = input.birthdate;
    user.roles = input.roles;
    user.extensions = input.extensions;
    Ok(CreateUserResponse {
        identity_store_id: input.identity_store_id,
        user_arn: IdentityStoreState::resource_arn("user", &user_id),
        revision: user.revision.to_string(),
        user_id,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeUserRequest {
    identity_store_id: String,
    user_id: String,
    #[serde(default)]
    extensions: Vec<String>,
}

/// Returns one user with every attribute it carries.
pub(super) fn describe_user(
    context: &RequestContext,
    world: &World,
    input: DescribeUserRequest,
) -> Result<UserOutput, IdentityStoreError> {
    let DescribeUserRequest {
        identity_store_id,
        user_id,
        extensions,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let store = &world.identity_store;
    let user = store
        .users
        .get(&user_id)
        .ok_or_else(|| user_not_found(&user_id))?;
    Ok(UserOutput::new(
        &store.identity_store_id,
        user,
        !extensions.is_empty(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeleteUserRequest {
    identity_store_id: String,
    user_id: String,
    revision: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct DeleteUserResponse {}

/// Deletes a user and its group memberships. A `Revision` that is not the user's current one
/// is a `ConflictException` (`CONCURRENT_MODIFICATION`).
pub(super) fn delete_user(
    context: &RequestContext,
    world: &mut World,
    input: DeleteUserRequest,
) -> Result<DeleteUserResponse, IdentityStoreError> {
    let DeleteUserRequest {
        identity_store_id,
        user_id,
        revision,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let store = &mut world.identity_store;
    let user = store
        .users
        .get(&user_id)
        .ok_or_else(|| user_not_found(&user_id))?;
    check_revision(revision.as_deref(), user.revision)?;
    store.users.remove(&user_id);
    store
        .memberships
        .retain(|_, membership| membership.member_user_id != user_id);
    Ok(DeleteUserResponse {})
}

/// `UniqueAttribute`: an attribute path and its value (a JSON document on the wire).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UniqueAttribute {
    pub(super) attribute_path: String,
    pub(super) attribute_value: serde_json::Value,
}

/// `AlternateIdentifier`, a union: exactly one of `ExternalId` and `UniqueAttribute`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AlternateIdentifier {
    pub(super) external_id: Option<ExternalId>,
    pub(super) unique_attribute: Option<UniqueAttribute>,
}

/// What an `AlternateIdentifier` asks for, once checked.
pub(super) enum AlternateLookup<'input> {
    /// `ExternalId{Issuer, Id}`.
    External(&'input ExternalId),
    /// `UniqueAttribute` (path lower-cased, value a string).
    Attribute { path: String, value: &'input str },
}

impl AlternateIdentifier {
    /// Checks the union has exactly one member and a string attribute value.
    pub(super) fn lookup(&self) -> Result<AlternateLookup<'_>, IdentityStoreError> {
        match (&self.external_id, &self.unique_attribute) {
            (Some(external_id), None) => Ok(AlternateLookup::External(external_id)),
            (None, Some(attribute)) => {
                let value = attribute
                    .attribute_value
                    .as_str()
                    .ok_or_else(|| validation("AttributeValue must be a string.".into()))?;
                Ok(AlternateLookup::Attribute {
                    // Paths are matched case-insensitively: tools send both `userName`
                    // and `UserName` (see docs/reference/sandbox.md).
                    path: attribute.attribute_path.to_ascii_lowercase(),
                    value,
                })
            }
            _ => Err(validation(
                "AlternateIdentifier must have exactly one of ExternalId and UniqueAttribute."
                    .into(),
            )),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetUserIdRequest {
    identity_store_id: String,
    alternate_identifier: AlternateIdentifier,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetUserIdResponse {
    identity_store_id: String,
    user_id: String,
    user_arn: String,
}

/// Finds a user by `userName`, `emails.value` or an external id.
pub(super) fn get_user_id(
    context: &RequestContext,
    world: &World,
    input: GetUserIdRequest,
) -> Result<GetUserIdResponse, IdentityStoreError> {
    let GetUserIdRequest {
        identity_store_id,
        alternate_identifier,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let lookup = alternate_identifier.lookup()?;
    let store = &world.identity_store;
    let (found, described) = match &lookup {
        AlternateLookup::External(external_id) => (
            store
                .users
                .values()
                .find(|user| user.external_ids.contains(external_id)),
            format!("{}:{}", external_id.issuer, external_id.id),
        ),
        AlternateLookup::Attribute { path, value } if path == "username" => (
            store
                .users
                .values()
                .find(|user| user.user_name.eq_ignore_ascii_case(value)),
            (*value).to_owned(),
        ),
        AlternateLookup::Attribute { path, value } if path == "emails.value" => (
            store.users.values().find(|user| {
                user.emails
                    .iter()
                    .any(|email| email.value.as_deref() == Some(*value))
            }),
            (*value).to_owned(),
        ),
        AlternateLookup::Attribute { path, .. } => {
            return Err(validation(format!(
                "Attribute path {path} is not supported; use userName or emails.value."
            )));
        }
    };
    let user = found.ok_or_else(|| user_not_found(&described))?;
    Ok(GetUserIdResponse {
        identity_store_id,
        user_arn: IdentityStoreState::resource_arn("user", &user.user_id),
        user_id: user.user_id.clone(),
    })
}

/// `AttributeOperation`: set `AttributePath` to `AttributeValue`, or remove it when the value
/// is absent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AttributeOperation {
    pub(super) attribute_path: String,
    pub(super) attribute_value: Option<serde_json::Value>,
}

/// Checks the operation count (1..100) and a `Revision` against the current one.
pub(super) fn check_update(
    operations: &[AttributeOperation],
    revision: Option<&str>,
    current: u64,
) -> Result<(), IdentityStoreError> {
    if !(1..=100).contains(&operations.len()) {
        return Err(validation(
            "1 validation error detected: Value at 'operations' failed to satisfy constraint: Member must have length between 1 and 100".into(),
        ));
    }
    check_revision(revision, current)
}

/// The string value of an operation (`None` removes the attribute).
pub(super) fn string_value(
    operation: &AttributeOperation,
) -> Result<Option<String>, IdentityStoreError> {
    match &operation.attribute_value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(value)) => Ok(Some(value.clone())),
        Some(_) => Err(validation(format!(
            "The value for {} must be a string.",
            operation.attribute_path
        ))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateUserRequest {
    identity_store_id: String,
    user_id: String,
    operations: Vec<AttributeOperation>,
    revision: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateUserResponse {
    identity_store_id: String,
    user_id: String,
    user_arn: String,
    revision: String,
}

/// The user's list attribute at `path` (`emails`, `phoneNumbers`, `roles`), if it is one.
fn typed_list<'user>(user: &'user mut User, path: &str) -> Option<&'user mut Vec<TypedValue>> {
    match path {
        "emails" => Some(&mut user.emails),
        "phoneNumbers" => Some(&mut user.phone_numbers),
        "roles" => Some(&mut user.roles),
        _ => None,
    }
}

/// An operation's value as a list of `{value, type, primary}` objects (`None` or `null`
/// empties the list). At most one item, as the model allows for these lists.
fn typed_values(operation: &AttributeOperation) -> Result<Vec<TypedValue>, IdentityStoreError> {
    let path = &operation.attribute_path;
    let items = match &operation.attribute_value {
        None | Some(serde_json::Value::Null) => return Ok(Vec::new()),
        Some(serde_json::Value::Array(items)) => items,
        Some(_) => {
            return Err(validation(format!(
                "The value for {path} must be a list of objects."
            )));
        }
    };
    if items.len() > 1 {
        return Err(validation(format!(
            "1 validation error detected: Value at '{path}' failed to satisfy constraint: Member must have length less than or equal to 1"
        )));
    }
    items
        .iter()
        .map(|item| {
            let object = item.as_object().ok_or_else(|| {
                validation(format!("The value for {path} must be a list of objects."))
            })?;
            let text = |key: &str| -> Result<Option<String>, IdentityStoreError> {
                match object.get(key) {
                    None | Some(serde_json::Value::Null) => Ok(None),
                    Some(serde_json::Value::String(text)) => Ok(Some(text.clone())),
                    Some(_) => Err(validation(format!("{path}.{key} must be a string."))),
                }
            };
            let primary = match object.get("primary") {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::Bool(primary)) => Some(*primary),
                Some(_) => return Err(validation(format!("{path}.primary must be a boolean."))),
            };
            Ok(TypedValue {
                value: text("value")?,
                r#type: text("type")?,
                primary,
            })
        })
        .collect()
}

/// Applies attribute operations to a user: the string attributes (`userName`, `displayName`,
/// `nickName`, `profileUrl`, `userType`, `title`, `preferredLanguage`, `locale`, `timezone`,
/// `website`, `birthdate`), `name.<sub-attribute>`, `userStatus` (`ENABLED`/`DISABLED`) and
/// the lists `emails`, `phoneNumbers`, `roles` (an array of `{value, type, primary}`).
/// Every operation is checked before any is applied; the revision then goes up by one.
pub(super) fn update_user(
    context: &RequestContext,
    world: &mut World,
    input: UpdateUserRequest,
) -> Result<UpdateUserResponse, IdentityStoreError> {
    let UpdateUserRequest {
        identity_store_id,
        user_id,
        operations,
        revision,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let store = &world.identity_store;
    let current = store
        .users
        .get(&user_id)
        .ok_or_else(|| user_not_found(&user_id))?;
    check_update(&operations, revision.as_deref(), current.revision)?;
    let mut user = current.clone();
    for operation in &operations {
        // The multi-valued attributes take a JSON array of SCIM-style objects.
        if let Some(list) = typed_list(&mut user, &operation.attribute_path) {
            *list = typed_values(operation)?;
            continue;
        }
        let value = string_value(operation)?;
        let name = user.name.get_or_insert_with(Name::default);
        match operation.attribute_path.as_str() {
            "userName" => {
                let Some(user_name) = value else {
                    return Err(validation("userName cannot be removed.".into()));
                };
                check_user_name(&user_name)?;
                if store.users.values().any(|other| {
                    other.user_id != user_id && other.user_name.eq_ignore_ascii_case(&user_name)
                }) {
                    return Err(IdentityStoreError::ConflictException {
                        message: format!("Duplicate UserName: {user_name}"),
                        reason:
                            super::error::ConflictExceptionReason::UniquenessConstraintViolation,
                    });
                }
                user.user_name = user_name;
            }
            "userStatus" => {
                user.user_status = match value.as_deref() {
                    Some("ENABLED") => UserStatus::Enabled,
                    Some("DISABLED") => UserStatus::Disabled,
                    _ => {
                        return Err(validation("userStatus must be ENABLED or DISABLED.".into()));
                    }
                };
            }
            "displayName" => user.display_name = value,
            "nickName" => user.nick_name = value,
            "profileUrl" => user.profile_url = value,
            "userType" => user.user_type = value,
            "title" => user.title = value,
            "preferredLanguage" => user.preferred_language = value,
            "locale" => user.locale = value,
            "timezone" => user.timezone = value,
            "website" => user.website = value,
            "birthdate" => user.birthdate = value,
            "name.formatted" => name.formatted = value,
            "name.familyName" => name.family_name = value,
            "name.givenName" => name.given_name = value,
            "name.middleName" => name.middle_name = value,
            "name.honorificPrefix" => name.honorific_prefix = value,
            "name.honorificSuffix" => name.honorific_suffix = value,
            other => {
                return Err(validation(format!(
                    "Attribute path {other} is not supported for update."
                )));
            }
        }
        if user
            .name
            .as_ref()
            .is_some_and(|name| *name == Name::default())
        {
            user.name = None;
        }
    }
    user.revision += 1;
    user.updated_at = context.now;
    user.updated_by.clone_from(&context.caller.principal_arn);
    let revision = user.revision.to_string();
    world.identity_store.users.insert(user_id.clone(), user);
    Ok(UpdateUserResponse {
        identity_store_id,
        user_arn: IdentityStoreState::resource_arn("user", &user_id),
        user_id,
        revision,
    })
}
