//! monban-aws against a real sandbox over HTTP: the live read, refresh, apply, the IdP
//! provisioning and target resolution, in one test binary (see CONTRIBUTING.md). `common`
//! is the harness.

mod apply;
mod apply_invite;
mod common;
mod iam_scan;
mod idp;
mod read;
mod refresh;
mod target;
