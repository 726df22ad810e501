//! IAM users, their access keys and MFA devices: ListUsers, GetUser, CreateUser,
//! DeleteUser, ListAccessKeys, CreateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed,
//! ListMFADevices.
//!
//! An access key created here is a real sandbox key: its secret goes into the World's
//! credential store (principal = the user), so it signs requests to every service, and
//! those requests show up in GetAccessKeyLastUsed.

use super::state::{AccountIam, IamAccessKey, IamUser, new_secret, uppercase_id, whole_seconds};
use super::{check_name, check_path, paginate, path_prefix, tags, write_tags};
use crate::auth::CredentialRecord;
use crate::protocol::aws_json::RequestContext;
use crate::protocol::aws_query::{QueryError, QueryInput, XmlWriter};
use crate::world::World;

/// AWS's default quota of users per account.
const USERS_PER_ACCOUNT: usize = 5000;
/// AWS's (fixed) quota of access keys per user.
const ACCESS_KEYS_PER_USER: usize = 2;

fn no_such_user(name: &str) -> QueryError {
    QueryError::NoSuchEntity(format!("The user with name {name} cannot be found."))
}

/// The caller's account's IAM, or an empty one.
fn account<'w>(context: &RequestContext, world: &'w World) -> std::borrow::Cow<'w, AccountIam> {
    world
        .iam
        .account(&context.caller.account_id)
        .map_or_else(Default::default, std::borrow::Cow::Borrowed)
}

/// The user an operation is about: `UserName`, else the IAM user who signed the request.
fn target_user_name(context: &RequestContext, input: &QueryInput) -> Result<String, QueryError> {
    if let Some(name) = input.get("UserName") {
        check_name(name, "userName", 128)?;
        return Ok(name.to_owned());
    }
    let resource = context
        .caller
        .principal_arn
        .splitn(6, ':')
        .nth(5)
        .unwrap_or_default();
    match resource.strip_prefix("user/") {
        Some(path) => Ok(path.rsplit('/').next().unwrap_or(path).to_owned()),
        None => Err(QueryError::ValidationError(
            "Must specify userName when calling with non-User credentials".into(),
        )),
    }
}

fn write_user(xml: &mut XmlWriter, user: &IamUser, with_details: bool) {
    xml.element("Path", &user.path)
        .element("UserName", &user.user_name)
        .element("UserId", &user.user_id)
        .element("Arn", &user.arn)
        .timestamp("CreateDate", user.create_date);
    // ListUsers does not return PermissionsBoundary or Tags (aws-api-facts §2.6).
    if with_details {
        if let Some(boundary) = &user.permissions_boundary {
            xml.open("PermissionsBoundary")
                .element("PermissionsBoundaryType", "Policy")
                .element("PermissionsBoundaryArn", boundary)
                .close("PermissionsBoundary");
        }
        write_tags(xml, &user.tags);
    }
}

/// ListUsers: the account's users under `PathPrefix`, by name.
pub(super) fn list_users(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let prefix = path_prefix(input)?;
    let account = account(context, world);
    let page = paginate(
        world,
        input,
        "ListUsers",
        format!("{}|{prefix}", context.caller.account_id),
        account
            .users
            .values()
            .filter(|user| user.path.starts_with(&prefix)),
        |user| user.user_name.to_lowercase(),
    )?;
    let mut xml = XmlWriter::default();
    xml.list("Users", page.items, |xml, user| {
        write_user(xml, user, false);
    });
    xml.page_end(page.marker.as_deref());
    Ok(xml)
}

/// GetUser: `UserName`, or the signing user.
pub(super) fn get_user(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let name = target_user_name(context, input)?;
    let account = account(context, world);
    let user = account.user(&name).ok_or_else(|| no_such_user(&name))?;
    let mut xml = XmlWriter::default();
    xml.open("User");
    write_user(&mut xml, user, true);
    xml.close("User");
    Ok(xml)
}

/// CreateUser: a new user (`EntityAlreadyExists` for a taken name, case-insensitively).
pub(super) fn create_user(
    context: &RequestContext,
    world: &mut World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let name = input.required("UserName")?;
    check_name(name, "userName", 64)?;
    let path = input.get("Path").unwrap_or("/");
    check_path(path, "path")?;
    let tags = tags(input)?;
    let boundary = input.get("PermissionsBoundary").map(str::to_owned);
    let account_id = context.caller.account_id.clone();
    let account = account(context, world);
    if account.user(name).is_some() {
        return Err(QueryError::EntityAlreadyExists(format!(
            "User with name {name} already exists."
        )));
    }
    if account.users.len() >= USERS_PER_ACCOUNT {
        return Err(QueryError::LimitExceeded(format!(
            "Cannot exceed quota for UsersPerAccount: {USERS_PER_ACCOUNT}"
        )));
    }
    if let Some(boundary) = &boundary
        && !boundary.starts_with("arn:aws:iam::aws:policy/")
        && !account.policies.contains_key(boundary)
    {
        return Err(QueryError::NoSuchEntity(format!(
            "Scope ARN: {boundary} does not exist or is not attachable."
        )));
    }
    let mut user = world
        .iam
        .add_user(&mut world.ids, &account_id, name, path, context.now);
    user.tags = tags;
    user.permissions_boundary = boundary;
    world
        .iam
        .account_mut(&account_id)
        .users
        .insert(user.user_name.clone(), user.clone());
    let mut xml = XmlWriter::default();
    xml.open("User");
    write_user(&mut xml, &user, true);
    xml.close("User");
    Ok(xml)
}

/// DeleteUser: only a user without access keys and MFA devices (`DeleteConflict`).
pub(super) fn delete_user(
    context: &RequestContext,
    world: &mut World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let name = input.required("UserName")?;
    check_name(name, "userName", 128)?;
    let account = world.iam.account_mut(&context.caller.account_id);
    let stored_name = account
        .user(name)
        .map(|user| user.user_name.clone())
        .ok_or_else(|| no_such_user(name))?;
    if account
        .access_keys
        .values()
        .any(|key| key.user_name == stored_name)
    {
        return Err(QueryError::DeleteConflict(
            "Cannot delete entity, must delete access keys first.".into(),
        ));
    }
    if account
        .mfa_devices
        .values()
        .any(|device| device.user_name == stored_name)
    {
        return Err(QueryError::DeleteConflict(
            "Cannot delete entity, must remove MFA device first.".into(),
        ));
    }
    account.users.remove(&stored_name);
    Ok(XmlWriter::default())
}

/// ListAccessKeys: the keys of `UserName` (or of the signing user), by id.
pub(super) fn list_access_keys(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let name = target_user_name(context, input)?;
    let account = account(context, world);
    let user = account.user(&name).ok_or_else(|| no_such_user(&name))?;
    let page = paginate(
        world,
        input,
        "ListAccessKeys",
        format!("{}|{}", context.caller.account_id, user.user_name),
        account
            .access_keys
            .values()
            .filter(|key| key.user_name == user.user_name),
        |key| key.access_key_id.clone(),
    )?;
    let mut xml = XmlWriter::default();
    xml.list("AccessKeyMetadata", page.items, |xml, key| {
        xml.element("UserName", &key.user_name)
            .element("AccessKeyId", &key.access_key_id)
            .element("Status", &key.status)
            .timestamp("CreateDate", key.create_date);
    });
    xml.page_end(page.marker.as_deref());
    Ok(xml)
}

/// Adds an access key for `user` (validated by the caller): in the account's IAM and in
/// the credential store. Returns the key and its secret.
pub(crate) fn add_access_key(
    world: &mut World,
    account_id: &str,
    user: &IamUser,
    access_key_id: Option<String>,
    secret: Option<String>,
    created: jiff::Timestamp,
) -> (IamAccessKey, String) {
    let access_key_id = access_key_id.unwrap_or_else(|| {
        loop {
            let id = format!("AKIA{}", uppercase_id(&mut world.ids, 16));
            if world.credentials.get(&id).is_none() {
                break id;
            }
        }
    });
    let secret = secret.unwrap_or_else(|| new_secret(&mut world.ids));
    let key = IamAccessKey {
        access_key_id: access_key_id.clone(),
        user_name: user.user_name.clone(),
        status: "Active".into(),
        create_date: whole_seconds(created),
    };
    world
        .iam
        .account_mut(account_id)
        .access_keys
        .insert(access_key_id.clone(), key.clone());
    world.credentials.insert(CredentialRecord {
        access_key_id,
        secret_access_key: secret.clone(),
        session_token: None,
        expires_at: None,
        account_id: account_id.to_owned(),
        principal_arn: user.arn.clone(),
    });
    (key, secret)
}

/// CreateAccessKey: a new `Active` key for `UserName` (or the signing user); at most two
/// per user (`LimitExceeded`).
pub(super) fn create_access_key(
    context: &RequestContext,
    world: &mut World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let name = target_user_name(context, input)?;
    let account_id = context.caller.account_id.clone();
    let account = account(context, world);
    let user = account
        .user(&name)
        .cloned()
        .ok_or_else(|| no_such_user(&name))?;
    let count = account
        .access_keys
        .values()
        .filter(|key| key.user_name == user.user_name)
        .count();
    if count >= ACCESS_KEYS_PER_USER {
        return Err(QueryError::LimitExceeded(format!(
            "Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}"
        )));
    }
    let (key, secret) = add_access_key(world, &account_id, &user, None, None, context.now);
    let mut xml = XmlWriter::default();
    xml.open("AccessKey")
        .element("UserName", &key.user_name)
        .element("AccessKeyId", &key.access_key_id)
        .element("Status", &key.status)
        .element("SecretAccessKey", &secret)
        .timestamp("CreateDate", key.create_date)
        .close("AccessKey");
    Ok(xml)
}

/// DeleteAccessKey: removes the key (it stops authenticating at once).
pub(super) fn delete_access_key(
    context: &RequestContext,
    world: &mut World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let access_key_id = input.required("AccessKeyId")?.to_owned();
    let name = target_user_name(context, input)?;
    let account = world.iam.account_mut(&context.caller.account_id);
    let belongs = account
        .access_keys
        .get(&access_key_id)
        .is_some_and(|key| key.user_name.eq_ignore_ascii_case(&name));
    if !belongs {
        return Err(QueryError::NoSuchEntity(format!(
            "The Access Key with id {access_key_id} cannot be found."
        )));
    }
    account.access_keys.remove(&access_key_id);
    world.credentials.remove(&access_key_id);
    world.iam.key_last_used.remove(&access_key_id);
    Ok(XmlWriter::default())
}

/// GetAccessKeyLastUsed: when, with which service and in which region a key of the
/// caller's account last signed a request to the sandbox (`N/A` when never).
pub(super) fn get_access_key_last_used(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let access_key_id = input.required("AccessKeyId")?;
    let account_id = &context.caller.account_id;
    let user_name = world
        .iam
        .account(account_id)
        .and_then(|account| account.access_keys.get(access_key_id))
        .map(|key| key.user_name.clone());
    let own_root_key = world.credentials.get(access_key_id).is_some_and(|record| {
        &record.account_id == account_id && record.principal_arn.ends_with(":root")
    });
    if user_name.is_none() && !own_root_key {
        return Err(QueryError::AccessDenied(format!(
            "User: {} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key {access_key_id}",
            context.caller.principal_arn
        )));
    }
    let mut xml = XmlWriter::default();
    xml.optional("UserName", user_name.as_deref());
    xml.open("AccessKeyLastUsed");
    match world.iam.key_last_used.get(access_key_id) {
        Some(used) => {
            xml.timestamp("LastUsedDate", used.date)
                .element("ServiceName", &used.service_name)
                .element("Region", &used.region);
        }
        None => {
            xml.element("ServiceName", "N/A").element("Region", "N/A");
        }
    }
    xml.close("AccessKeyLastUsed");
    Ok(xml)
}

/// ListMFADevices: the MFA devices of `UserName` (or of the signing user); for any other
/// signer (root, a role) the list is empty.
pub(super) fn list_mfa_devices(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let account = account(context, world);
    let user_name = match target_user_name(context, input) {
        Ok(name) => Some(
            account
                .user(&name)
                .map(|user| user.user_name.clone())
                .ok_or_else(|| no_such_user(&name))?,
        ),
        Err(_) => None,
    };
    let page = paginate(
        world,
        input,
        "ListMFADevices",
        format!(
            "{}|{}",
            context.caller.account_id,
            user_name.as_deref().unwrap_or_default()
        ),
        account
            .mfa_devices
            .values()
            .filter(|device| user_name.as_ref() == Some(&device.user_name)),
        |device| device.serial_number.clone(),
    )?;
    let mut xml = XmlWriter::default();
    xml.list("MFADevices", page.items, |xml, device| {
        xml.element("UserName", &device.user_name)
            .element("SerialNumber", &device.serial_number)
            .timestamp("EnableDate", device.enable_date);
    });
    xml.page_end(page.marker.as_deref());
    Ok(xml)
}
