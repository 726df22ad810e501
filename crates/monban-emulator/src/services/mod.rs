//! The AWS services the sandbox serves, one module each. The central router only maps a
//! target prefix to a service here; each service's module owns its dispatch table, handlers,
//! errors and state.

pub mod identity_store;
pub mod organizations;
pub mod sso_admin;

use crate::protocol::aws_json::AwsJsonService;

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
