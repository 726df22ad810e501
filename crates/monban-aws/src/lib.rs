//! monban's only door to AWS: reads a target's live state and writes to it through the
//! official `aws-sdk-*` crates — against real AWS, the embedded sandbox or any
//! AWS-compatible endpoint, by the same code path (nothing is mocked below HTTP).
//!
//! # Entry points
//!
//! 1. **Connect** — [`connect`]`(&`[`TargetSpec`]`, &`[`ConnectOptions`]`) -> `[`Clients`]:
//!    builds the SDK clients, checks that credentials exist
//!    ([`AwsError::MissingCredentials`] names the target; never a fallback), and resolves
//!    the calling account. [`Clients::target`] is the [`Target`] a plan prints on its first
//!    line (`Display`) and records (`Serialize`); [`Target::key`] names its snapshot
//!    directory.
//!    - `TargetSpec::embedded_sandbox(url)` — the in-process sandbox, its default key;
//!    - `TargetSpec::endpoint(url, region, credentials)` — `--endpoint-url`;
//!    - `TargetSpec::aws(profile, region)` — real AWS, standard credential chain.
//!
//!    [`ConnectOptions::rate_limits`] is [`RateLimits::aws`] (AWS's per-API rates) unless a
//!    benchmark lifts it ([`RateLimits::scaled`], [`RateLimits::unlimited`]).
//! 2. **Read** — [`read_live_state`]`(&clients) -> `[`LiveRead`]` { state, stats }`: the
//!    whole [`monban_model::LiveState`] with the fewest calls the APIs allow (the formula is
//!    in [`read`] and `docs/reference/live-read.md`); [`ReadStats`] counts HTTP requests and
//!    throttles per `service:Operation` for `--stats`. [`read_live_state_parts`] reads only
//!    some [`ReadParts`].
//! 3. **Cache** — [`save_snapshot`] / [`load_snapshot`] under
//!    `<repo>/.monban/snapshots/<Target::key>/` (atomic writes); [`refresh`]`(&clients,
//!    &cached, &`[`RefreshScope`]`)` re-reads only the named accounts, permission sets
//!    and/or the Identity Store on top of a cached snapshot (targeted refresh).
//! 4. **Apply** — [`apply()`]`(&clients, &plan, &live, &mut journal, &`[`ApplyOptions`]`,
//!    &dyn `[`ApplyObserver`]`) -> `[`ApplyReport`]: executes a `monban_plan::Plan` in
//!    dependency order within AWS's per-API limits, retries what AWS says to retry, polls
//!    asynchronous statuses in batches, and journals every step in a [`Journal`]
//!    ([`Journal::open`] on `<repo>/.monban/journal/<Target::key>/`) so that an apply
//!    killed mid-way resumes without sending anything twice. Per-change failures are in
//!    the report ([`ApplyReport::failed`], [`ApplyReport::skipped`]); [`ApplyError`] is for
//!    an apply that cannot run (plan not applyable, wrong target, journal not writable).
//!    Progress arrives as [`ApplyEvent`]s. Rules and decisions: `docs/reference/apply.md`.
//! 5. **Push a directory** — [`provision_directory`]`(&clients, &Directory) ->`
//!    [`ProvisionReport`]: makes the Identity Store match an IdP directory snapshot the way
//!    an IdP's SCIM push would (`monban sandbox provision-idp FILE`).
//! 6. **Developer access** — [`sso`]: `~/.aws/config`'s SSO sessions and profiles, the SSO
//!    token cache exactly as AWS CLI v2 writes it, monban's role-key cache, SSO OIDC login
//!    (device flow, authorization code + PKCE, refresh) and the access portal (role
//!    credentials, accounts, roles, logout, console URL). Its API is in the module doc.
//!
//! ```ignore
//! let clients = monban_aws::connect(
//!     &monban_aws::TargetSpec::embedded_sandbox(server.endpoint_url()),
//!     &monban_aws::ConnectOptions::default(),
//! ).await?;
//! let monban_aws::LiveRead { state, stats } = monban_aws::read_live_state(&clients).await?;
//! monban_aws::save_snapshot(&repo.join(".monban/snapshots").join(clients.target().key()), &state)?;
//! ```

mod apply;
mod error;
mod iam_scan;
mod idp;
mod limits;
pub mod permissions;
pub mod read;
mod refresh;
mod snapshot;
pub mod sso;
mod stats;
mod target;

pub use apply::{
    ApplyError, ApplyEvent, ApplyObserver, ApplyOptions, ApplyProgress, ApplyReport, AsyncKind,
    ChangeFailure, ConcurrencyLimits, JOURNAL_FILE, Journal, JournalError, LAST_JOURNAL_FILE,
    NoObserver, PollPolicy, RetryCounts, RetryKind, RetryPolicy, SkippedChange, apply,
};
pub use error::AwsError;
pub use iam_scan::{
    DEFAULT_AUDIT_ROLE, IamScanOptions, IamScanResult, mask_access_key_id, read_and_scan_iam,
    read_then_scan_iam, scan_iam,
};
pub use idp::{ProvisionReport, provision_directory};
pub use limits::RateLimits;
pub use read::{
    LiveRead, ReadParts, read_live_state, read_live_state_parts, wait_for_account_creations,
};
pub use refresh::{RefreshScope, refresh};
pub use snapshot::{SNAPSHOT_FILE, load_snapshot, save_snapshot, snapshot_path};
pub use stats::ReadStats;
pub use target::{
    CallerSource, Clients, ConnectOptions, SANDBOX_REGION, StaticCredentials, Target, TargetKind,
    TargetKindName, TargetSpec, connect,
};
