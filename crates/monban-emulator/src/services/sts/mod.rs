//! STS over awsQuery: GetCallerIdentity and AssumeRole.
//!
//! AssumeRole issues real sandbox credentials: an `ASIA…` key with a secret and a session
//! token, stored in the World's credential store with the expiration it reports (on the
//! sandbox clock). The sandbox then accepts them on every service as the assumed role in
//! the role's account, until the sandbox clock passes the expiration (`ExpiredToken`).
//!
//! Who may assume what (the sandbox evaluates no policies; trust is modelled per role):
//! `OrganizationAccountAccessRole` trusts the management account, so any principal of the
//! management account — its root key, an IAM user there, or a role session there — may
//! assume it. The `AWSReservedSSO_…` roles trust only Identity Center's SAML provider, so
//! AssumeRole into them is `AccessDenied`, as is a role that does not exist.

use jiff::SignedDuration;

use crate::auth::CredentialRecord;
use crate::protocol::aws_json::RequestContext;
use crate::protocol::aws_query::{QueryCall, QueryError, QueryInput, QueryService, XmlWriter};
use crate::services::iam::state::{
    new_secret, new_session_token, roles_in, uppercase_id, user_id_of, whole_seconds,
};
use crate::world::World;

/// STS's descriptor.
pub static SERVICE: QueryService = QueryService {
    name: "sts",
    signing_name: "sts",
    version: "2011-06-15",
    xml_namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
    dispatch,
};

fn dispatch(call: &mut QueryCall<'_>) -> Result<XmlWriter, QueryError> {
    match call.action() {
        "GetCallerIdentity" => {
            call.read(|context, world, _| Ok(get_caller_identity(context, world)))
        }
        "AssumeRole" => call.write(assume_role),
        _ => Err(call.unknown_action()),
    }
}

/// The longest session a role chain may ask for (AWS: one hour).
const ROLE_CHAINING_LIMIT: i64 = 3600;

/// GetCallerIdentity: the account, ARN and unique id of whoever signed the request.
fn get_caller_identity(context: &RequestContext, world: &World) -> XmlWriter {
    let caller = &context.caller;
    let mut xml = XmlWriter::default();
    xml.element(
        "UserId",
        &user_id_of(world, &caller.account_id, &caller.principal_arn),
    )
    .element("Account", &caller.account_id)
    .element("Arn", &caller.principal_arn);
    xml
}

fn constraint(value: &str, member: &str, rule: &str) -> QueryError {
    QueryError::ValidationError(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}"
    ))
}

/// AssumeRole: temporary credentials for a role the caller is trusted by.
fn assume_role(
    context: &RequestContext,
    world: &mut World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let role_arn = input.required("RoleArn")?;
    let session_name = input.required("RoleSessionName")?;
    if role_arn.len() < 20 || role_arn.len() > 2048 {
        return Err(constraint(
            role_arn,
            "roleArn",
            "Member must have length greater than or equal to 20",
        ));
    }
    let session_length = session_name.chars().count();
    if !(2..=64).contains(&session_length) {
        return Err(constraint(
            session_name,
            "roleSessionName",
            "Member must have length between 2 and 64",
        ));
    }
    if !session_name
        .chars()
        .all(|c| c.is_alphanumeric() || "_+=,.@-".contains(c))
    {
        return Err(constraint(
            session_name,
            "roleSessionName",
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        ));
    }
    let duration = input.integer("DurationSeconds")?.unwrap_or(3600);
    if duration < 900 {
        return Err(constraint(
            &duration.to_string(),
            "durationSeconds",
            "Member must have value greater than or equal to 900",
        ));
    }
    if duration > 43200 {
        return Err(constraint(
            &duration.to_string(),
            "durationSeconds",
            "Member must have value less than or equal to 43200",
        ));
    }
    // arn:aws:iam::<account>:role/<path/><name>
    let parts: Vec<&str> = role_arn.splitn(6, ':').collect();
    let (account_id, role_path_and_name) = match parts[..] {
        ["arn", "aws", "iam", "", account, resource]
            if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) =>
        {
            match resource.strip_prefix("role/") {
                Some(path_and_name) => (account.to_owned(), path_and_name.to_owned()),
                None => {
                    return Err(QueryError::ValidationError(format!(
                        "{role_arn} is invalid"
                    )));
                }
            }
        }
        _ => {
            return Err(QueryError::ValidationError(format!(
                "{role_arn} is invalid"
            )));
        }
    };
    let caller = &context.caller;
    let denied = || {
        QueryError::AccessDenied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            caller.principal_arn
        ))
    };
    let role_name = role_path_and_name
        .rsplit('/')
        .next()
        .unwrap_or(&role_path_and_name)
        .to_owned();
    let roles = roles_in(world, &account_id);
    let role = roles
        .get(&role_name)
        .filter(|role| role.arn == role_arn)
        .ok_or_else(denied)?;
    if !(role.trusts_management_account && caller.account_id == world.management_account_id()) {
        return Err(denied());
    }
    let chained = caller.principal_arn.contains(":assumed-role/");
    if chained && duration > ROLE_CHAINING_LIMIT {
        return Err(QueryError::ValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.".into(),
        ));
    }
    if duration > role.max_session_duration {
        return Err(QueryError::ValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                .into(),
        ));
    }

    let access_key_id = loop {
        let id = format!("ASIA{}", uppercase_id(&mut world.ids, 16));
        if world.credentials.get(&id).is_none() {
            break id;
        }
    };
    let secret = new_secret(&mut world.ids);
    let session_token = new_session_token(&mut world.ids);
    let expiration = whole_seconds(context.now) + SignedDuration::from_secs(duration);
    let assumed_arn = format!("arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}");
    let assumed_role_id = format!("{}:{session_name}", role.role_id);
    world.credentials.insert(CredentialRecord {
        access_key_id: access_key_id.clone(),
        secret_access_key: secret.clone(),
        session_token: Some(session_token.clone()),
        expires_at: Some(expiration),
        account_id,
        principal_arn: assumed_arn.clone(),
    });
    let mut xml = XmlWriter::default();
    xml.open("Credentials")
        .element("AccessKeyId", &access_key_id)
        .element("SecretAccessKey", &secret)
        .element("SessionToken", &session_token)
        .timestamp("Expiration", expiration)
        .close("Credentials");
    xml.open("AssumedRoleUser")
        .element("AssumedRoleId", &assumed_role_id)
        .element("Arn", &assumed_arn)
        .close("AssumedRoleUser");
    Ok(xml)
}
