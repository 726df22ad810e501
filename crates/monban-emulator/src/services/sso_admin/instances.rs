//! The Identity Center instance: ListInstances, DescribeInstance.

use serde::{Deserialize, Serialize};

use super::state::{Instance, InstanceStatus};
use super::{SsoAdminError, access_denied, may_administer};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::timestamp::epoch_seconds;
use crate::world::World;

/// `InstanceMetadata` (ListInstances) and DescribeInstance's output share these members.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct InstanceOutput {
    instance_arn: String,
    identity_store_id: String,
    owner_account_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(serialize_with = "epoch_seconds")]
    created_date: jiff::Timestamp,
    status: InstanceStatus,
    primary_region: String,
}

impl From<&Instance> for InstanceOutput {
    fn from(instance: &Instance) -> Self {
        Self {
            instance_arn: instance.arn.clone(),
            identity_store_id: instance.identity_store_id.clone(),
            owner_account_id: instance.owner_account_id.clone(),
            name: instance.name.clone(),
            created_date: instance.created_date,
            status: instance.status,
            primary_region: instance.region.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListInstancesRequest {
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListInstancesResponse {
    instances: Vec<InstanceOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// The owner and delegated administrators see the instance; any other account has none.
pub(super) fn list_instances(
    context: &RequestContext,
    world: &World,
    input: ListInstancesRequest,
) -> Result<ListInstancesResponse, SsoAdminError> {
    let ListInstancesRequest {
        max_results,
        next_token,
    } = input;
    let visible = may_administer(context, world)
        .then_some(&world.sso_admin.instance)
        .into_iter();
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListInstances",
            scope: String::new(),
            max_results,
            next_token: next_token.as_deref(),
        },
        visible,
        |instance| instance.arn.clone(),
    )?;
    Ok(ListInstancesResponse {
        instances: page.items.into_iter().map(InstanceOutput::from).collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeInstanceRequest {
    instance_arn: String,
}

pub(super) fn describe_instance(
    context: &RequestContext,
    world: &World,
    input: DescribeInstanceRequest,
) -> Result<InstanceOutput, SsoAdminError> {
    let DescribeInstanceRequest { instance_arn } = input;
    if !is_instance_arn(&instance_arn) {
        return Err(SsoAdminError::ValidationException {
            message: format!(
                "1 validation error detected: Value '{instance_arn}' at 'instanceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws(-[a-z]{{1,5}}){{0,3}}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{{16}}"
            ),
            reason: None,
        });
    }
    // DescribeInstance models no ResourceNotFoundException: an instance the caller cannot
    // see (any ARN but the sandbox's own) is an access-denied case (sandbox decision).
    let instance = &world.sso_admin.instance;
    if instance_arn != instance.arn || !may_administer(context, world) {
        return Err(access_denied(context, "DescribeInstance"));
    }
    Ok(InstanceOutput::from(instance))
}

/// `arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}` (model pattern).
fn is_instance_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:") else {
        return false;
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return false;
    };
    let Some(suffix) = rest.strip_prefix("sso:::instance/") else {
        return false;
    };
    let id = suffix.strip_prefix("sso").unwrap_or(suffix);
    let Some(id) = id.strip_prefix("ins-") else {
        return false;
    };
    partition.starts_with("aws")
        && id.len() == 16
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.')
}

#[cfg(test)]
mod tests {
    use super::is_instance_arn;

    #[test]
    fn instance_arn_pattern() {
        assert!(is_instance_arn(
            "arn:aws:sso:::instance/ssoins-0123456789abcdef"
        ));
        assert!(is_instance_arn(
            "arn:aws:sso:::instance/ins-0123456789abcdef"
        ));
        assert!(!is_instance_arn("arn:aws:sso:::instance/ssoins-short"));
        assert!(!is_instance_arn("ssoins-0123456789abcdef"));
    }
}
