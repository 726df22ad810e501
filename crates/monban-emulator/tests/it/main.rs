//! The emulator's end-to-end tests through the real AWS SDK clients over HTTP, one module per
//! service or flow, in one test binary (see CONTRIBUTING.md). `common` starts an in-process
//! sandbox and points SDK clients at it.

mod baseline;
mod common;
mod handshakes;
mod iam;
mod identity_store;
mod organizations;
mod profiles;
mod scim;
mod sso_admin;
mod sso_login;
mod sts;
mod wire;
