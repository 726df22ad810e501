//! monban's sandbox: an AWS-compatible emulator of Organizations, IAM Identity Center (SSO
//! Admin) and the Identity Store that speaks the real wire protocols over HTTP, so the
//! official `aws-sdk-*` crates and boto3 talk to it unchanged. Depends on no other monban
//! crate.
//!
//! Start one with [`Server::start`]; see `README.md` beside this crate for the module map
//! and how to add an operation, and `docs/reference/sandbox.md` for users.
//!
//! ```no_run
//! # async fn example() -> Result<(), monban_emulator::ServerError> {
//! let server = monban_emulator::Server::start(monban_emulator::Config::default()).await?;
//! let endpoint = server.endpoint_url(); // point SDK clients here
//! # let _ = endpoint;
//! server.shutdown().await?;
//! # Ok(()) }
//! ```

#![expect(
    clippy::doc_markdown,
    reason = "docs name AWS operations and members (CreateAccount, MaxResults) as prose"
)]

mod admission;
pub mod async_operation;
pub mod auth;
pub mod baseline;
pub mod clock;
pub mod config;
mod control;
mod engine;
pub mod faults;
pub mod limits;
pub mod pagination;
pub mod persistence;
pub mod protocol;
mod server;
pub mod services;
pub mod world;

pub use baseline::BaselinePolicy;
pub use config::{AsyncDurations, Config, ManagementCredentials, Profile};
pub use control::{SeedAccount, SeedCredential, SeedGroup, SeedRequest, SeedResult, SeedUser};
pub use engine::RequestLogEntry;
pub use faults::{FaultRates, FaultSettings};
pub use persistence::{StateError, reset};
pub use server::{RunningServer, Server, ServerError};
pub use world::World;
