//! `/Users`: CreateUser (POST), GetUser, ListUsers, PutUser, PatchUser, DeleteUser, on the
//! Identity Store's own users — a user created here is the user `identitystore:DescribeUser`
//! returns, with the same id.
//!
//! Identity Center's documented limits (SCIM developer guide: CreateUser, PutUser,
//! PatchUser, ListUsers, "Limitations from SCIM specification") are enforced: `userName`,
//! `displayName`, `name.givenName` and `name.familyName` are required; one value at most in
//! `emails`, `addresses`, `phoneNumbers`, `roles`; the email marked primary; no `password`,
//! `ims`, `photos`, `x509Certificates`, `entitlements` or `groups`; no `display`
//! sub-attribute; userName, externalId and email unique (409); PATCH only on the listed
//! attributes, never `remove` of `userName`/`active`, never two operations on either.
//! `active` is the user's `UserStatus` (`false` → DISABLED, `true` → ENABLED).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::error::ScimError;
use super::filter::{self, Filter};
use super::list::{self, ListQuery};
use super::{ENTERPRISE_SCHEMA, EXTERNAL_ID_ISSUER, SCIM_ACTOR, meta, patch_operations};
use crate::services::identity_store::state::{
    Address, ExternalId, IdentityStoreState, Name, TypedValue, User, UserStatus,
};
use crate::world::World;

/// The core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Where the Identity Store keeps the enterprise extension.
const ENTERPRISE_EXTENSION: &str = "aws:identitystore:enterprise";
/// Attributes Identity Center's SCIM does not accept on a user.
const UNSUPPORTED: [&str; 6] = [
    "password",
    "ims",
    "photos",
    "x509Certificates",
    "entitlements",
    "groups",
];
/// The string attributes a user carries, by SCIM name.
const STRING_ATTRIBUTES: [&str; 8] = [
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "displayName",
];
const ADDRESS_KEYS: [&str; 8] = [
    "formatted",
    "streetAddress",
    "locality",
    "region",
    "postalCode",
    "country",
    "type",
    "primary",
];

/// The SCIM representation of `user`.
#[must_use]
pub fn render(user: &User) -> Value {
    let mut body = Map::new();
    let mut schemas = vec![Value::from(USER_SCHEMA)];
    let enterprise = user.extensions.get(ENTERPRISE_EXTENSION);
    if enterprise.is_some() {
        schemas.push(Value::from(ENTERPRISE_SCHEMA));
    }
    body.insert("schemas".into(), Value::from(schemas));
    body.insert("id".into(), Value::from(user.user_id.clone()));
    if let Some(external_id) = user.external_ids.first() {
        body.insert("externalId".into(), Value::from(external_id.id.clone()));
    }
    body.insert(
        "meta".into(),
        meta("User", user.created_at, user.updated_at),
    );
    body.insert("userName".into(), Value::from(user.user_name.clone()));
    if let Some(name) = &user.name {
        let mut rendered = Map::new();
        for (key, value) in [
            ("formatted", &name.formatted),
            ("familyName", &name.family_name),
            ("givenName", &name.given_name),
            ("middleName", &name.middle_name),
            ("honorificPrefix", &name.honorific_prefix),
            ("honorificSuffix", &name.honorific_suffix),
        ] {
            if let Some(value) = value {
                rendered.insert(key.into(), Value::from(value.clone()));
            }
        }
        body.insert("name".into(), Value::Object(rendered));
    }
    for attribute in STRING_ATTRIBUTES {
        if let Some(value) = string_attribute(user, attribute) {
            body.insert(attribute.into(), Value::from(value.clone()));
        }
    }
    body.insert(
        "active".into(),
        Value::from(user.user_status == UserStatus::Enabled),
    );
    for (key, values) in [
        ("emails", &user.emails),
        ("phoneNumbers", &user.phone_numbers),
        ("roles", &user.roles),
    ] {
        if !values.is_empty() {
            body.insert(
                key.into(),
                values
                    .iter()
                    .map(render_typed_value)
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
    }
    if !user.addresses.is_empty() {
        body.insert(
            "addresses".into(),
            user.addresses
                .iter()
                .map(render_address)
                .collect::<Vec<_>>()
                .into(),
        );
    }
    if let Some(enterprise) = enterprise {
        body.insert(ENTERPRISE_SCHEMA.into(), enterprise.clone());
    }
    Value::Object(body)
}

fn render_typed_value(value: &TypedValue) -> Value {
    let mut rendered = Map::new();
    if let Some(text) = &value.value {
        rendered.insert("value".into(), Value::from(text.clone()));
    }
    if let Some(kind) = &value.r#type {
        rendered.insert("type".into(), Value::from(kind.clone()));
    }
    if let Some(primary) = value.primary {
        rendered.insert("primary".into(), Value::from(primary));
    }
    Value::Object(rendered)
}

fn render_address(address: &Address) -> Value {
    let mut rendered = Map::new();
    for (key, value) in [
        ("formatted", &address.formatted),
        ("streetAddress", &address.street_address),
        ("locality", &address.locality),
        ("region", &address.region),
        ("postalCode", &address.postal_code),
        ("country", &address.country),
        ("type", &address.r#type),
    ] {
        if let Some(value) = value {
            rendered.insert(key.into(), Value::from(value.clone()));
        }
    }
    if let Some(primary) = address.primary {
        rendered.insert("primary".into(), Value::from(primary));
    }
    Value::Object(rendered)
}

fn string_attribute<'user>(user: &'user User, attribute: &str) -> Option<&'user String> {
    match attribute {
        "nickName" => user.nick_name.as_ref(),
        "profileUrl" => user.profile_url.as_ref(),
        "title" => user.title.as_ref(),
        "userType" => user.user_type.as_ref(),
        "preferredLanguage" => user.preferred_language.as_ref(),
        "locale" => user.locale.as_ref(),
        "timezone" => user.timezone.as_ref(),
        "displayName" => user.display_name.as_ref(),
        _ => None,
    }
}

fn string_attribute_mut<'user>(
    user: &'user mut User,
    attribute: &str,
) -> Option<&'user mut Option<String>> {
    Some(match attribute.to_ascii_lowercase().as_str() {
        "nickname" => &mut user.nick_name,
        "profileurl" => &mut user.profile_url,
        "title" => &mut user.title,
        "usertype" => &mut user.user_type,
        "preferredlanguage" => &mut user.preferred_language,
        "locale" => &mut user.locale,
        "timezone" => &mut user.timezone,
        "displayname" => &mut user.display_name,
        _ => return None,
    })
}

fn name_part_mut<'name>(name: &'name mut Name, part: &str) -> Option<&'name mut Option<String>> {
    Some(match part.to_ascii_lowercase().as_str() {
        "formatted" => &mut name.formatted,
        "familyname" => &mut name.family_name,
        "givenname" => &mut name.given_name,
        "middlename" => &mut name.middle_name,
        "honorificprefix" => &mut name.honorific_prefix,
        "honorificsuffix" => &mut name.honorific_suffix,
        _ => return None,
    })
}

/// A string value (`null` clears).
fn optional_string(attribute: &str, value: &Value) -> Result<Option<String>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        _ => Err(ScimError::invalid_value(format!(
            "{attribute} must be a string."
        ))),
    }
}

/// `active`: a boolean (IdPs such as Entra ID send the strings "True"/"False" too).
fn active_value(value: &Value) -> Result<UserStatus, ScimError> {
    let active = match value {
        Value::Bool(active) => *active,
        Value::String(text) if text.eq_ignore_ascii_case("true") => true,
        Value::String(text) if text.eq_ignore_ascii_case("false") => false,
        _ => return Err(ScimError::invalid_value("active must be a boolean.")),
    };
    Ok(if active {
        UserStatus::Enabled
    } else {
        UserStatus::Disabled
    })
}

/// The single item of a multi-valued attribute (`emails`, …): an array of at most one object
/// (a lone object is taken as one item).
fn single_item<'value>(
    attribute: &str,
    value: &'value Value,
) -> Result<Option<&'value Map<String, Value>>, ScimError> {
    let item = match value {
        Value::Null => return Ok(None),
        Value::Array(items) if items.is_empty() => return Ok(None),
        Value::Array(items) if items.len() == 1 => &items[0],
        Value::Array(_) => {
            return Err(ScimError::invalid_value(format!(
                "Multiple values for {attribute} are not supported: IAM Identity Center accepts one."
            )));
        }
        other => other,
    };
    item.as_object()
        .map(Some)
        .ok_or_else(|| ScimError::invalid_value(format!("{attribute} must hold objects.")))
}

fn typed_value(attribute: &str, item: &Map<String, Value>) -> Result<TypedValue, ScimError> {
    let mut parsed = TypedValue::default();
    for (key, value) in item {
        match key.as_str() {
            "value" => parsed.value = optional_string(&format!("{attribute}.value"), value)?,
            "type" => parsed.r#type = optional_string(&format!("{attribute}.type"), value)?,
            "primary" => parsed.primary = primary_value(attribute, value)?,
            other => {
                return Err(ScimError::invalid_value(format!(
                    "The {other} sub-attribute of {attribute} is not supported."
                )));
            }
        }
    }
    Ok(parsed)
}

fn primary_value(attribute: &str, value: &Value) -> Result<Option<bool>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(primary) => Ok(Some(*primary)),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Ok(Some(false)),
        _ => Err(ScimError::invalid_value(format!(
            "{attribute}.primary must be a boolean."
        ))),
    }
}

fn address(item: &Map<String, Value>) -> Result<Address, ScimError> {
    let mut parsed = Address::default();
    for (key, value) in item {
        if !ADDRESS_KEYS.contains(&key.as_str()) {
            return Err(ScimError::invalid_value(format!(
                "The {key} sub-attribute of addresses is not supported."
            )));
        }
        set_address_part(&mut parsed, key, value)?;
    }
    Ok(parsed)
}

fn set_address_part(address: &mut Address, key: &str, value: &Value) -> Result<(), ScimError> {
    let path = format!("addresses.{key}");
    let slot = match key.to_ascii_lowercase().as_str() {
        "formatted" => &mut address.formatted,
        "streetaddress" => &mut address.street_address,
        "locality" => &mut address.locality,
        "region" => &mut address.region,
        "postalcode" => &mut address.postal_code,
        "country" => &mut address.country,
        "type" => &mut address.r#type,
        "primary" => {
            address.primary = primary_value("addresses", value)?;
            return Ok(());
        }
        _ => {
            return Err(ScimError::validation(
                "invalidPath",
                format!("{path} is not a supported attribute."),
            ));
        }
    };
    *slot = optional_string(&path, value)?;
    Ok(())
}

/// Sets a whole multi-valued attribute from its SCIM value.
fn set_list(user: &mut User, attribute: &str, value: &Value) -> Result<(), ScimError> {
    let item = single_item(attribute, value)?;
    match attribute {
        "emails" => {
            user.emails = item
                .map(|item| typed_value("emails", item))
                .transpose()?
                .into_iter()
                .collect();
        }
        "phoneNumbers" => {
            user.phone_numbers = item
                .map(|item| typed_value("phoneNumbers", item))
                .transpose()?
                .into_iter()
                .collect();
        }
        "roles" => {
            user.roles = item
                .map(|item| typed_value("roles", item))
                .transpose()?
                .into_iter()
                .collect();
        }
        "addresses" => {
            user.addresses = item.map(address).transpose()?.into_iter().collect();
        }
        _ => {
            return Err(ScimError::validation(
                "invalidPath",
                format!("{attribute} is not a supported attribute."),
            ));
        }
    }
    Ok(())
}

/// The canonical spelling of a multi-valued attribute, if `attribute` is one.
fn list_attribute(attribute: &str) -> Option<&'static str> {
    ["emails", "phoneNumbers", "roles", "addresses"]
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(attribute))
}

/// The enterprise extension object: strings, and `manager` as `{value}` (no `displayName`).
fn enterprise_value(value: &Value) -> Result<Option<Value>, ScimError> {
    let object = match value {
        Value::Null => return Ok(None),
        Value::Object(object) => object,
        _ => {
            return Err(ScimError::invalid_value(
                "The enterprise extension must be an object.",
            ));
        }
    };
    let mut checked = Map::new();
    for (key, value) in object {
        match key.as_str() {
            "employeeNumber" | "costCenter" | "organization" | "division" | "department" => {
                if let Some(text) = optional_string(key, value)? {
                    checked.insert(key.clone(), Value::from(text));
                }
            }
            "manager" => {
                if let Some(manager) = manager_value(value)? {
                    checked.insert(key.clone(), manager);
                }
            }
            // Some clients repeat the extension's schema inside it; it is no attribute.
            "schemas" => {}
            other => {
                return Err(ScimError::invalid_value(format!(
                    "The enterprise attribute {other} is not supported."
                )));
            }
        }
    }
    Ok((!checked.is_empty()).then_some(Value::Object(checked)))
}

fn manager_value(value: &Value) -> Result<Option<Value>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(id) => Ok(Some(json!({ "value": id }))),
        Value::Object(manager) => {
            if manager.contains_key("displayName") {
                return Err(ScimError::invalid_value(
                    "The displayName sub-attribute of manager is not supported.",
                ));
            }
            match manager.get("value") {
                Some(Value::String(id)) => Ok(Some(json!({ "value": id }))),
                None | Some(Value::Null) => Ok(None),
                Some(_) => Err(ScimError::invalid_value("manager.value must be a string.")),
            }
        }
        _ => Err(ScimError::invalid_value("manager must be an object.")),
    }
}

/// Fills `user` from a full SCIM User body (CreateUser, PutUser). `active` absent keeps the
/// user's status (enabled for a new user).
fn apply_body(user: &mut User, body: &Map<String, Value>) -> Result<(), ScimError> {
    for unsupported in UNSUPPORTED {
        if body.get(unsupported).is_some_and(|value| !value.is_null()) {
            return Err(ScimError::invalid_value(format!(
                "The {unsupported} attribute is not supported by IAM Identity Center."
            )));
        }
    }
    let user_name = match body.get("userName") {
        Some(Value::String(user_name)) => user_name.clone(),
        _ => return Err(ScimError::invalid_value("userName is required.")),
    };
    check_user_name(&user_name)?;
    user.user_name = user_name;
    user.external_ids = match body.get("externalId") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(id)) => vec![scim_external_id(id)?],
        Some(_) => return Err(ScimError::invalid_value("externalId must be a string.")),
    };
    let mut name = Name::default();
    match body.get("name") {
        None | Some(Value::Null) => {}
        Some(Value::Object(parts)) => {
            for (key, value) in parts {
                let Some(slot) = name_part_mut(&mut name, key) else {
                    return Err(ScimError::invalid_value(format!(
                        "name.{key} is not supported."
                    )));
                };
                *slot = optional_string(&format!("name.{key}"), value)?;
            }
        }
        Some(_) => return Err(ScimError::invalid_value("name must be an object.")),
    }
    if name.given_name.as_deref().is_none_or(str::is_empty)
        || name.family_name.as_deref().is_none_or(str::is_empty)
    {
        return Err(ScimError::invalid_value(
            "name.givenName and name.familyName are required.",
        ));
    }
    user.name = Some(name);
    for attribute in STRING_ATTRIBUTES {
        let value = body.get(attribute).unwrap_or(&Value::Null);
        let parsed = optional_string(attribute, value)?;
        if let Some(slot) = string_attribute_mut(user, attribute) {
            *slot = parsed;
        }
    }
    if user.display_name.as_deref().is_none_or(str::is_empty) {
        return Err(ScimError::invalid_value("displayName is required."));
    }
    for attribute in ["emails", "phoneNumbers", "roles", "addresses"] {
        set_list(user, attribute, body.get(attribute).unwrap_or(&Value::Null))?;
    }
    if let Some(active) = body.get("active").filter(|value| !value.is_null()) {
        user.user_status = active_value(active)?;
    }
    match enterprise_value(body.get(ENTERPRISE_SCHEMA).unwrap_or(&Value::Null))? {
        Some(enterprise) => {
            user.extensions
                .insert(ENTERPRISE_EXTENSION.to_owned(), enterprise);
        }
        None => {
            user.extensions.remove(ENTERPRISE_EXTENSION);
        }
    }
    Ok(())
}

fn scim_external_id(id: &str) -> Result<ExternalId, ScimError> {
    if id.is_empty() || id.chars().count() > 256 {
        return Err(ScimError::invalid_value(
            "externalId must be 1 to 256 characters.",
        ));
    }
    Ok(ExternalId {
        issuer: EXTERNAL_ID_ISSUER.to_owned(),
        id: id.to_owned(),
    })
}

/// userName: 1..128 characters, letters, accented characters, symbols, numbers and
/// punctuation (no whitespace or control characters); `Administrator` and
/// `AWSAdministrators` are reserved (as the Identity Store API has it).
fn check_user_name(user_name: &str) -> Result<(), ScimError> {
    let length = user_name.chars().count();
    if !(1..=128).contains(&length)
        || user_name
            .chars()
            .any(|character| character.is_whitespace() || character.is_control())
    {
        return Err(ScimError::invalid_value(format!(
            "userName must be 1 to 128 letters, numbers, symbols or punctuation, without spaces: {user_name:?}"
        )));
    }
    if ["Administrator", "AWSAdministrators"]
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(user_name))
    {
        return Err(ScimError::invalid_value(format!(
            "The user name {user_name} is reserved."
        )));
    }
    Ok(())
}

/// The rules a user must meet after a change: no other user with the same userName,
/// externalId or email; and, on CreateUser and PutUser (`whole` — the only operations whose
/// constraints say so), an email marked primary.
fn check_user(store: &IdentityStoreState, user: &User, whole: bool) -> Result<(), ScimError> {
    if whole && user.emails.iter().any(|email| email.primary != Some(true)) {
        return Err(ScimError::invalid_value(
            "The email must be marked as primary.",
        ));
    }
    for other in store.users.values() {
        if other.user_id == user.user_id {
            continue;
        }
        if other.user_name.eq_ignore_ascii_case(&user.user_name) {
            return Err(ScimError::duplicate(format!(
                "Duplicate userName: {}",
                user.user_name
            )));
        }
        if let Some(external_id) = user
            .external_ids
            .iter()
            .find(|external_id| other.external_ids.contains(external_id))
        {
            return Err(ScimError::duplicate(format!(
                "Duplicate externalId: {}",
                external_id.id
            )));
        }
        if let Some(email) = user
            .emails
            .iter()
            .filter_map(|email| email.value.as_ref())
            .find(|email| {
                other.emails.iter().any(|theirs| {
                    theirs
                        .value
                        .as_ref()
                        .is_some_and(|theirs| theirs.eq_ignore_ascii_case(email))
                })
            })
        {
            return Err(ScimError::duplicate(format!("Duplicate email: {email}")));
        }
    }
    Ok(())
}

fn blank_user(user_id: String, now: Timestamp) -> User {
    User {
        user_id,
        user_name: String::new(),
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
        created_by: SCIM_ACTOR.to_owned(),
        updated_at: now,
        updated_by: SCIM_ACTOR.to_owned(),
        revision: 1,
    }
}

/// POST /Users → 201 and the user.
pub fn create(
    world: &mut World,
    now: Timestamp,
    body: &Map<String, Value>,
) -> Result<Value, ScimError> {
    let store = &world.identity_store;
    let mut user = blank_user(String::new(), now);
    apply_body(&mut user, body)?;
    check_user(store, &user, true).map_err(ScimError::on_create)?;
    user.user_id = store.new_resource_id(&mut world.ids);
    let rendered = render(&user);
    world
        .identity_store
        .users
        .insert(user.user_id.clone(), user);
    Ok(rendered)
}

/// GET /Users/{id}.
pub fn get(world: &World, user_id: &str) -> Result<Value, ScimError> {
    world
        .identity_store
        .users
        .get(user_id)
        .map(render)
        .ok_or_else(|| ScimError::not_found("User", user_id))
}

/// PUT /Users/{id}: replaces every attribute (id, created time stay).
pub fn replace(
    world: &mut World,
    now: Timestamp,
    user_id: &str,
    body: &Map<String, Value>,
) -> Result<Value, ScimError> {
    let store = &world.identity_store;
    let current = store
        .users
        .get(user_id)
        .ok_or_else(|| ScimError::not_found("User", user_id))?;
    if let Some(Value::String(id)) = body.get("id")
        && id != user_id
    {
        return Err(ScimError::validation(
            "mutability",
            format!("id {id} does not match the user {user_id}."),
        ));
    }
    let mut user = blank_user(user_id.to_owned(), current.created_at);
    user.created_by.clone_from(&current.created_by);
    user.user_status = current.user_status;
    // Attributes SCIM cannot express stay as the Identity Store API set them.
    user.photos.clone_from(&current.photos);
    user.website.clone_from(&current.website);
    user.birthdate.clone_from(&current.birthdate);
    apply_body(&mut user, body)?;
    check_user(store, &user, true)?;
    user.revision = current.revision + 1;
    user.updated_at = now;
    let rendered = render(&user);
    world.identity_store.users.insert(user_id.to_owned(), user);
    Ok(rendered)
}

/// DELETE /Users/{id}: the user and their group memberships go; account assignments naming
/// them stay, orphaned, as in AWS.
pub fn delete(world: &mut World, user_id: &str) -> Result<(), ScimError> {
    let store = &mut world.identity_store;
    if store.users.remove(user_id).is_none() {
        return Err(ScimError::not_found("User", user_id));
    }
    store
        .memberships
        .retain(|_, membership| membership.member_user_id != user_id);
    Ok(())
}

/// GET /Users?filter=…: the supported combinations are (userName), (externalId), (id),
/// (groups.value), (id and manager).
pub fn list(world: &World, query: &ListQuery) -> Result<Value, ScimError> {
    let store = &world.identity_store;
    let filter = query.filter.as_deref().map(filter::parse).transpose()?;
    let ids: Vec<String> = match &filter {
        None => store.users.keys().cloned().collect(),
        Some(filter) => {
            let matches = user_matcher(store, filter)?;
            store
                .users
                .values()
                .filter(|user| matches(user))
                .map(|user| user.user_id.clone())
                .collect()
        }
    };
    list::page(query, &ids, |id| render(&store.users[id]))
}

/// Whether a user matches a filter.
type UserPredicate<'filter> = Box<dyn Fn(&User) -> bool + 'filter>;

/// A predicate for a supported filter combination.
fn user_matcher<'filter>(
    store: &'filter IdentityStoreState,
    filter: &'filter Filter,
) -> Result<UserPredicate<'filter>, ScimError> {
    let attributes: Vec<String> = filter
        .attribute_set()
        .into_iter()
        .map(|attribute| normalize_manager(&attribute))
        .collect();
    let attributes: Vec<&str> = attributes.iter().map(String::as_str).collect();
    let value = |name: &str| -> String {
        filter
            .comparisons
            .iter()
            .find(|comparison| {
                normalize_manager(&comparison.attribute.to_ascii_lowercase()) == name
            })
            .map(|comparison| comparison.value.clone())
            .unwrap_or_default()
    };
    Ok(match attributes.as_slice() {
        ["username"] => {
            let wanted = value("username");
            Box::new(move |user: &User| user.user_name.eq_ignore_ascii_case(&wanted))
        }
        ["externalid"] => {
            let wanted = value("externalid");
            Box::new(move |user: &User| user.external_ids.iter().any(|id| id.id == wanted))
        }
        ["id"] => {
            let wanted = value("id");
            Box::new(move |user: &User| user.user_id == wanted)
        }
        ["groups.value"] => {
            let group_id = value("groups.value");
            Box::new(move |user: &User| {
                store.memberships.values().any(|membership| {
                    membership.group_id == group_id && membership.member_user_id == user.user_id
                })
            })
        }
        ["id", "manager"] => {
            let (wanted, manager) = (value("id"), value("manager"));
            Box::new(move |user: &User| {
                user.user_id == wanted
                    && user
                        .extensions
                        .get(ENTERPRISE_EXTENSION)
                        .and_then(|enterprise| enterprise.pointer("/manager/value"))
                        .and_then(Value::as_str)
                        == Some(manager.as_str())
            })
        }
        _ => {
            return Err(ScimError::validation(
                "invalidFilter",
                format!(
                    "Unsupported filter attributes ({}): ListUsers supports userName, externalId, id, groups.value, or id and manager.",
                    attributes.join(", ")
                ),
            ));
        }
    })
}

/// `manager`, `manager.value` and the enterprise-qualified forms all name the manager.
fn normalize_manager(attribute: &str) -> String {
    let attribute = attribute
        .strip_prefix(&format!("{}:", ENTERPRISE_SCHEMA.to_ascii_lowercase()))
        .unwrap_or(attribute);
    match attribute {
        "manager" | "manager.value" => "manager".to_owned(),
        other => other.to_owned(),
    }
}

/// PATCH /Users/{id} → 200 and the user.
pub fn patch(
    world: &mut World,
    now: Timestamp,
    user_id: &str,
    body: &Map<String, Value>,
) -> Result<Value, ScimError> {
    let store = &world.identity_store;
    let current = store
        .users
        .get(user_id)
        .ok_or_else(|| ScimError::not_found("User", user_id))?;
    let operations = patch_operations(body)?;
    // Identity Center refuses more than one operation on userName or on active.
    for attribute in ["userName", "active"] {
        let touching = operations
            .iter()
            .filter(|operation| operation.touches(attribute))
            .count();
        if touching > 1 {
            return Err(ScimError::invalid_value(format!(
                "Multiple PATCH operations on {attribute} are not supported."
            )));
        }
    }
    let mut user = current.clone();
    for operation in &operations {
        match (&operation.path, operation.op.as_str()) {
            (None, "remove") => {
                return Err(ScimError::validation(
                    "noTarget",
                    "The path is required for a remove operation.",
                ));
            }
            (None, _) => {
                let Some(Value::Object(values)) = &operation.value else {
                    return Err(ScimError::invalid_value(
                        "An add or replace without a path needs an object value.",
                    ));
                };
                for (attribute, value) in values {
                    // A client may repeat the user's own id; it changes nothing.
                    if attribute.eq_ignore_ascii_case("id") && value.as_str() == Some(user_id) {
                        continue;
                    }
                    set_path(&mut user, attribute, value)?;
                }
            }
            (Some(path), "remove") => remove_path(&mut user, path, operation.value.as_ref())?,
            (Some(path), _) => {
                let Some(value) = &operation.value else {
                    return Err(ScimError::invalid_value(
                        "A value is required for add and replace.",
                    ));
                };
                set_path(&mut user, path, value)?;
            }
        }
    }
    if user
        .name
        .as_ref()
        .is_some_and(|name| *name == Name::default())
    {
        user.name = None;
    }
    check_user(store, &user, false)?;
    user.revision += 1;
    user.updated_at = now;
    SCIM_ACTOR.clone_into(&mut user.updated_by);
    let rendered = render(&user);
    world.identity_store.users.insert(user_id.to_owned(), user);
    Ok(rendered)
}

/// A parsed PATCH path: `attribute[filter].sub`, each part optional but the first.
struct PatchPath {
    attribute: String,
    filter: Option<Filter>,
    sub_attribute: Option<String>,
}

fn parse_path(path: &str) -> Result<PatchPath, ScimError> {
    let enterprise_prefix = format!("{ENTERPRISE_SCHEMA}:");
    if path.len() > enterprise_prefix.len()
        && path[..enterprise_prefix.len()].eq_ignore_ascii_case(&enterprise_prefix)
    {
        let rest = &path[enterprise_prefix.len()..];
        let (attribute, sub_attribute) = match rest.split_once('.') {
            Some((attribute, sub)) => (attribute, Some(sub.to_owned())),
            None => (rest, None),
        };
        return Ok(PatchPath {
            attribute: format!("{ENTERPRISE_SCHEMA}:{attribute}"),
            filter: None,
            sub_attribute,
        });
    }
    if let Some((attribute, rest)) = path.split_once('[') {
        let Some((filter_text, after)) = rest.split_once(']') else {
            return Err(ScimError::validation(
                "invalidPath",
                format!("The path {path} is not valid."),
            ));
        };
        let sub_attribute = match after.strip_prefix('.') {
            Some(sub) => Some(sub.to_owned()),
            None if after.is_empty() => None,
            None => {
                return Err(ScimError::validation(
                    "invalidPath",
                    format!("The path {path} is not valid."),
                ));
            }
        };
        return Ok(PatchPath {
            attribute: attribute.to_owned(),
            filter: Some(filter::parse(filter_text)?),
            sub_attribute,
        });
    }
    let (attribute, sub_attribute) = match path.split_once('.') {
        Some((attribute, sub)) => (attribute.to_owned(), Some(sub.to_owned())),
        None => (path.to_owned(), None),
    };
    Ok(PatchPath {
        attribute,
        filter: None,
        sub_attribute,
    })
}

fn not_modifiable(path: &str) -> ScimError {
    ScimError::validation(
        "invalidPath",
        format!(
            "{path} cannot be modified: only userName, active, externalId, displayName, nickName, profileUrl, title, userType, preferredLanguage, locale, timezone, name, enterprise, emails, addresses and phoneNumbers can."
        ),
    )
}

/// add/replace `value` at `path`.
fn set_path(user: &mut User, path: &str, value: &Value) -> Result<(), ScimError> {
    if path.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) {
        let mut merged = user
            .extensions
            .get(ENTERPRISE_EXTENSION)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Value::Object(values) = value {
            merged.extend(values.clone());
        }
        return set_enterprise(user, &Value::Object(merged));
    }
    let parsed = parse_path(path)?;
    let attribute = parsed.attribute.as_str();
    if let Some(enterprise_attribute) = attribute.strip_prefix(&format!("{ENTERPRISE_SCHEMA}:")) {
        let mut merged = user
            .extensions
            .get(ENTERPRISE_EXTENSION)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let value = match &parsed.sub_attribute {
            Some(sub) => json!({ sub.clone(): value }),
            None => value.clone(),
        };
        merged.insert(enterprise_attribute.to_owned(), value);
        return set_enterprise(user, &Value::Object(merged));
    }
    if let Some(list) = list_attribute(attribute) {
        return set_list_path(user, list, &parsed, value);
    }
    match (
        attribute.to_ascii_lowercase().as_str(),
        &parsed.sub_attribute,
    ) {
        ("username", None) => {
            let Value::String(user_name) = value else {
                return Err(ScimError::invalid_value("userName must be a string."));
            };
            check_user_name(user_name)?;
            user.user_name.clone_from(user_name);
        }
        ("active", None) => user.user_status = active_value(value)?,
        ("externalid", None) => {
            user.external_ids = match optional_string("externalId", value)? {
                Some(id) => vec![scim_external_id(&id)?],
                None => Vec::new(),
            };
        }
        ("name", None) => {
            let Value::Object(parts) = value else {
                return Err(ScimError::invalid_value("name must be an object."));
            };
            let name = user.name.get_or_insert_with(Name::default);
            for (part, part_value) in parts {
                let slot = name_part_mut(name, part).ok_or_else(|| not_modifiable(path))?;
                *slot = optional_string(path, part_value)?;
            }
        }
        ("name", Some(part)) => {
            let name = user.name.get_or_insert_with(Name::default);
            let slot = name_part_mut(name, part).ok_or_else(|| not_modifiable(path))?;
            *slot = optional_string(path, value)?;
        }
        (other, None) => {
            let slot = string_attribute_mut(user, other).ok_or_else(|| not_modifiable(path))?;
            *slot = optional_string(path, value)?;
        }
        _ => return Err(not_modifiable(path)),
    }
    Ok(())
}

fn set_enterprise(user: &mut User, value: &Value) -> Result<(), ScimError> {
    match enterprise_value(value)? {
        Some(enterprise) => {
            user.extensions
                .insert(ENTERPRISE_EXTENSION.to_owned(), enterprise);
        }
        None => {
            user.extensions.remove(ENTERPRISE_EXTENSION);
        }
    }
    Ok(())
}

/// add/replace on `emails`, `emails[type eq "work"]`, `emails[type eq "work"].value`, …:
/// the attribute holds one value at most, so the operation sets that value (a filter's
/// `type`/`value` comparison is written into it).
fn set_list_path(
    user: &mut User,
    list: &str,
    path: &PatchPath,
    value: &Value,
) -> Result<(), ScimError> {
    if path.filter.is_none() && path.sub_attribute.is_none() {
        return set_list(user, list, value);
    }
    let mut item = current_item(user, list);
    if let Some(filter) = &path.filter {
        for comparison in &filter.comparisons {
            item.insert(
                comparison.attribute.clone(),
                Value::from(comparison.value.clone()),
            );
        }
    }
    if let Some(sub) = &path.sub_attribute {
        item.insert(sub.clone(), value.clone());
    } else {
        let Value::Object(values) = value else {
            return Err(ScimError::invalid_value(format!(
                "{list} must hold objects."
            )));
        };
        item.extend(values.clone());
    }
    set_list(user, list, &Value::Array(vec![Value::Object(item)]))
}

/// The current single value of a multi-valued attribute as a SCIM object (empty if none).
fn current_item(user: &User, list: &str) -> Map<String, Value> {
    let rendered = match list {
        "emails" => user.emails.first().map(render_typed_value),
        "phoneNumbers" => user.phone_numbers.first().map(render_typed_value),
        "roles" => user.roles.first().map(render_typed_value),
        _ => user.addresses.first().map(render_address),
    };
    match rendered {
        Some(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

/// remove at `path` (never `userName` or `active`).
fn remove_path(user: &mut User, path: &str, value: Option<&Value>) -> Result<(), ScimError> {
    if path.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) {
        user.extensions.remove(ENTERPRISE_EXTENSION);
        return Ok(());
    }
    let parsed = parse_path(path)?;
    let attribute = parsed.attribute.as_str();
    if let Some(enterprise_attribute) = attribute.strip_prefix(&format!("{ENTERPRISE_SCHEMA}:")) {
        let mut merged = user
            .extensions
            .get(ENTERPRISE_EXTENSION)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        merged.remove(enterprise_attribute);
        return set_enterprise(user, &Value::Object(merged));
    }
    if let Some(list) = list_attribute(attribute) {
        let item = current_item(user, list);
        let matches = parsed.filter.as_ref().is_none_or(|filter| {
            filter.comparisons.iter().all(|comparison| {
                item.get(&comparison.attribute)
                    .and_then(Value::as_str)
                    .is_some_and(|text| text.eq_ignore_ascii_case(&comparison.value))
            })
        });
        let value_matches = value.is_none_or(|value| match value {
            Value::Array(items) => items.iter().any(|wanted| {
                wanted.get("value").is_none() || wanted.get("value") == item.get("value")
            }),
            _ => true,
        });
        if !(matches && value_matches) {
            return Ok(());
        }
        return match &parsed.sub_attribute {
            None => set_list(user, list, &Value::Null),
            Some(sub) => {
                let mut item = item;
                item.remove(sub);
                let remaining = if item.is_empty() {
                    Value::Null
                } else {
                    Value::Array(vec![Value::Object(item)])
                };
                set_list(user, list, &remaining)
            }
        };
    }
    match (
        attribute.to_ascii_lowercase().as_str(),
        &parsed.sub_attribute,
    ) {
        ("username" | "active", _) => Err(ScimError::invalid_value(format!(
            "The remove operation is not supported for {attribute}."
        ))),
        ("externalid", None) => {
            user.external_ids.clear();
            Ok(())
        }
        ("name", None) => {
            user.name = None;
            Ok(())
        }
        ("name", Some(part)) => {
            if let Some(name) = &mut user.name {
                *name_part_mut(name, part).ok_or_else(|| not_modifiable(path))? = None;
            }
            Ok(())
        }
        (other, None) => {
            *string_attribute_mut(user, other).ok_or_else(|| not_modifiable(path))? = None;
            Ok(())
        }
        _ => Err(not_modifiable(path)),
    }
}
