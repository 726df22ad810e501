//! The Identity Center instance: ListInstances, DescribeInstance.

use serde::{Deserialize, Serialize};

use super::state::{Instance, InstanceStatus};
use super::{SsoAdminError, access_denied, may_administer, validation};
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
    validation::check_instance_arn("instanceArn", &instance_arn)?;
    // DescribeInstance models no ResourceNotFoundException: an instance the caller cannot
    // see (any ARN but the sandbox's own) is an access-denied case (sandbox decision).
    let instance = &world.sso_admin.instance;
    if instance_arn != instance.arn || !may_administer(context, world) {
        return Err(access_denied(context, "DescribeInstance"));
    }
    Ok(InstanceOutput::from(instance))
}
