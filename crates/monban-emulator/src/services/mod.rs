//! The AWS services the sandbox serves, one module each. The central router only maps a
//! target prefix to a service here; each service's module owns its dispatch table, handlers,
//! errors and state.

pub mod iam;
pub mod identity_store;
pub mod organizations;
pub mod scim;
pub mod signin;
pub mod sso_admin;
pub mod sso_oidc;
pub mod sso_portal;
pub mod sts;

use crate::protocol::aws_json::AwsJsonService;
use crate::protocol::aws_query::QueryService;

/// Every awsJson1_1 service, found by its `X-Amz-Target` prefix.
pub static AWS_JSON_SERVICES: [&AwsJsonService; 3] = [
    &organizations::SERVICE,
    &sso_admin::SERVICE,
    &identity_store::SERVICE,
];

/// The service whose target prefix is `prefix`.
#[must_use]
pub fn by_target_prefix(prefix: &str) -> Option<&'static AwsJsonService> {
    AWS_JSON_SERVICES
        .iter()
        .copied()
        .find(|service| service.target_prefix == prefix)
}

/// Every awsQuery service.
pub static QUERY_SERVICES: [&QueryService; 2] = [&sts::SERVICE, &iam::SERVICE];

/// The awsQuery service whose SigV4 signing name is `name` (`sts`, `iam`).
#[must_use]
pub fn query_service_by_signing_name(name: &str) -> Option<&'static QueryService> {
    QUERY_SERVICES
        .iter()
        .copied()
        .find(|service| service.signing_name == name)
}

/// The awsQuery service whose API version is `version` (for unsigned requests).
#[must_use]
pub fn query_service_by_version(version: &str) -> Option<&'static QueryService> {
    QUERY_SERVICES
        .iter()
        .copied()
        .find(|service| service.version == version)
}
