//! The organization and its root: DescribeOrganization, ListRoots.

use serde::{Deserialize, Serialize};

use super::state::{FeatureSet, PolicyTypeSummary, Root};
use super::{OrganizationsError, require_management_or_delegated_administrator, require_member};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeOrganizationRequest {}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeOrganizationResponse {
    organization: OrganizationOutput,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct OrganizationOutput {
    id: String,
    arn: String,
    feature_set: FeatureSet,
    master_account_arn: String,
    master_account_id: String,
    master_account_email: String,
    /// Deprecated by AWS; sent empty (policy types live on the root).
    available_policy_types: Vec<PolicyTypeSummary>,
}

/// Any account of the organization may describe it.
pub(super) fn describe_organization(
    context: &RequestContext,
    world: &World,
    _input: DescribeOrganizationRequest,
) -> Result<DescribeOrganizationResponse, OrganizationsError> {
    require_member(context, world)?;
    let organization = &world.organizations.organization;
    Ok(DescribeOrganizationResponse {
        organization: OrganizationOutput {
            id: organization.id.clone(),
            arn: organization.arn.clone(),
            feature_set: organization.feature_set,
            master_account_arn: organization.management_account_arn.clone(),
            master_account_id: organization.management_account_id.clone(),
            master_account_email: organization.management_account_email.clone(),
            available_policy_types: Vec::new(),
        },
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListRootsRequest {
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListRootsResponse {
    roots: Vec<RootOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct RootOutput {
    id: String,
    arn: String,
    name: String,
    policy_types: Vec<PolicyTypeSummary>,
}

impl From<&Root> for RootOutput {
    fn from(root: &Root) -> Self {
        Self {
            id: root.id.clone(),
            arn: root.arn.clone(),
            name: root.name.clone(),
            policy_types: root.policy_types.clone(),
        }
    }
}

pub(super) fn list_roots(
    context: &RequestContext,
    world: &World,
    input: ListRootsRequest,
) -> Result<ListRootsResponse, OrganizationsError> {
    let ListRootsRequest {
        next_token,
        max_results,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListRoots",
            scope: String::new(),
            max_results,
            next_token: next_token.as_deref(),
        },
        world.organizations.roots.values(),
        |root| root.id.clone(),
    )?;
    Ok(ListRootsResponse {
        roots: page.items.into_iter().map(RootOutput::from).collect(),
        next_token: page.next_token,
    })
}
