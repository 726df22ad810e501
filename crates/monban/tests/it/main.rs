//! The binary's end-to-end tests, one module per command or workflow, in one test binary
//! (one link of the AWS SDK stack instead of one per file; see CONTRIBUTING.md). `support`
//! runs the binary with an isolated HOME against a standalone sandbox.

mod apply;
mod audit;
mod ci_recipe;
mod cli;
mod developer_access;
mod edit;
mod iam_policy;
mod import_terraform;
mod plan;
mod plan_scenarios;
mod profiles_sync;
mod sandbox_persistence;
mod sandbox_profiles;
mod sandbox_scim_token;
mod sandbox_serve;
mod show_init;
mod support;
mod terraform_export;
