//! The IAM-user scan of `monban audit`: for every ACTIVE member account, assume the
//! organization's access role (`OrganizationAccountAccessRole` unless told otherwise) and
//! list its IAM users with their access keys (age, last use) and MFA devices — the
//! long-lived credentials Identity Center exists to replace.
//!
//! # Calls made
//!
//! Per account: `sts:AssumeRole` 1; `iam:ListUsers` `pages(users, 100)`; per user
//! `iam:ListAccessKeys` and `iam:ListMFADevices` one page each (at most 2 keys per user;
//! MFA devices paginated all the same); per key `iam:GetAccessKeyLastUsed` 1. An account
//! without IAM users costs 2 calls.
//!
//! # Decisions
//!
//! - Accounts are scanned concurrently (bounded by [`IamScanOptions::concurrency`]), the
//!   calls of one account too (bounded by the same number).
//! - `monban audit` scans alongside the live read ([`read_and_scan_iam`]): the scan needs
//!   only the account list, which the read has after its organization tree walk, long
//!   before Identity Center is read (at AWS's 20 SSO Admin requests/s, minutes at 1,000
//!   accounts). STS and IAM are throttled apart from SSO Admin, so the scan's time is
//!   hidden in the read's. The list is the read's own: no call is made twice.
//! - The scan counts its calls on a counter of its own (not the [`Clients`]' one): run
//!   beside the read, each one's [`ReadStats`] still holds only its own calls.
//! - A failure in one account (the role is missing — accounts that joined by invitation
//!   have none unless created by hand —, access denied, throttled past the SDK's retries)
//!   becomes an [`IamScanFailure`] naming the account; the scan goes on.
//! - Rates: AWS does not publish per-operation TPS for IAM and STS reads (aws-api-facts
//!   §4 notes they were not researched), so the scan keeps itself to
//!   [`IAM_READS_PER_SECOND`] per account for IAM and [`STS_CALLS_PER_SECOND`] for
//!   `AssumeRole`, multiplied by [`RateLimits::factor`] like every other bucket (and
//!   unlimited when the limits are).
//! - Access key ids leave this module masked ([`mask_access_key_id`]): a key id is not a
//!   secret, but whole ids in a report are what secret scanners and attackers look for.
//! - The management account is not scanned: the access role exists only in member
//!   accounts, and its IAM users (if any) are the caller's own business.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use futures::{StreamExt, TryStreamExt, stream};
use jiff::Timestamp;
use monban_model::{LiveAccount, LiveAccountStatus, LiveState};
use tokio::sync::Mutex;

use crate::error::AwsError;
use crate::limits::RateLimits;
use crate::read::{LiveRead, ReadParts, read_live_state_parts_listing};
use crate::stats::{CallCounter, ReadStats};
use crate::target::{Clients, StaticCredentials, TargetKindName};

/// IAM read calls per second per account that the scan allows itself.
pub const IAM_READS_PER_SECOND: f64 = 20.0;
/// `sts:AssumeRole` calls per second the scan allows itself.
pub const STS_CALLS_PER_SECOND: f64 = 20.0;
/// The role the scan assumes by default.
pub const DEFAULT_AUDIT_ROLE: &str = "OrganizationAccountAccessRole";

/// How to scan.
#[derive(Debug, Clone, PartialEq)]
pub struct IamScanOptions {
    /// The role to assume in each member account (`--audit-role`).
    pub role_name: String,
    /// Multiplies the scan's own rates ([`RateLimits::unlimited`]: none).
    pub rate_limits: RateLimits,
    /// Accounts in flight at once, and calls in flight per account.
    pub concurrency: usize,
    /// The key that calls `AssumeRole`. `None` = what [`crate::connect`] used for this
    /// kind of target: the sandbox's key, or the standard credential chain (with the
    /// target's profile on AWS). Give it when the clients were connected with explicit
    /// static keys for an endpoint.
    pub credentials: Option<StaticCredentials>,
}

impl Default for IamScanOptions {
    fn default() -> Self {
        Self {
            role_name: DEFAULT_AUDIT_ROLE.to_owned(),
            rate_limits: RateLimits::aws(),
            concurrency: 8,
            credentials: None,
        }
    }
}

/// What the scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamScanResult {
    /// IAM users, by account id then user name.
    pub users: Vec<ScannedIamUser>,
    /// Accounts that could not be scanned, by account id.
    pub failures: Vec<IamScanFailure>,
    /// How many accounts were scanned (or tried).
    pub accounts: usize,
    /// Calls per operation (`sts:AssumeRole`, `iam:ListUsers`, …).
    pub stats: ReadStats,
}

/// One IAM user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedIamUser {
    pub account_id: String,
    pub user_name: String,
    pub created: Timestamp,
    pub password_last_used: Option<Timestamp>,
    pub mfa_devices: usize,
    pub access_keys: Vec<ScannedAccessKey>,
}

/// One access key, its id masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedAccessKey {
    /// `AKIA…WXYZ`.
    pub masked_id: String,
    /// `Active`, `Inactive`, `Expired`.
    pub status: String,
    pub created: Timestamp,
    pub last_used: Option<Timestamp>,
    /// `None` when never used (AWS says `N/A`).
    pub last_used_service: Option<String>,
}

/// An account that could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamScanFailure {
    pub account_id: String,
    pub message: String,
}

/// `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`: the first and last four characters only.
#[must_use]
pub fn mask_access_key_id(id: &str) -> String {
    let characters: Vec<char> = id.chars().collect();
    if characters.len() < 12 {
        return "…".to_owned();
    }
    let head: String = characters[..4].iter().collect();
    let tail: String = characters[characters.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// `text` with every word that looks like an access key id (`AKIA…`/`ASIA…` and 12 or
/// more upper-case letters or digits) masked: AWS error messages may quote the key.
fn mask_key_ids_in(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, masked: &mut String| {
        let looks_like_key = (word.starts_with("AKIA") || word.starts_with("ASIA"))
            && word.len() >= 16
            && word
                .chars()
                .all(|character| character.is_ascii_uppercase() || character.is_ascii_digit());
        if looks_like_key {
            masked.push_str(&mask_access_key_id(word));
        } else {
            masked.push_str(word);
        }
        word.clear();
    };
    for character in text.chars() {
        if character.is_ascii_alphanumeric() {
            word.push(character);
        } else {
            flush(&mut word, &mut masked);
            masked.push(character);
        }
    }
    flush(&mut word, &mut masked);
    masked
}

/// A token bucket (rate per second, burst = one second's worth) for the scan's own calls.
#[derive(Debug)]
struct Pace {
    /// `None` = unlimited.
    interval: Option<Duration>,
    next: Mutex<Instant>,
}

impl Pace {
    fn new(rate: f64, limits: RateLimits) -> Arc<Self> {
        let interval = limits
            .factor()
            .map(|factor| Duration::from_secs_f64(1.0 / (rate * factor)));
        Arc::new(Self {
            interval,
            next: Mutex::new(Instant::now()),
        })
    }

    /// Waits for this call's slot (evenly spaced calls: no burst beyond the rate).
    async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = (*next).max(now);
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot.into()).await;
    }
}

fn timestamp(value: &aws_smithy_types::DateTime) -> Timestamp {
    Timestamp::new(
        value.secs(),
        i32::try_from(value.subsec_nanos()).unwrap_or(0),
    )
    .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Scans every ACTIVE member account of `live` (all but the management account).
pub async fn scan_iam(
    clients: &Clients,
    live: &LiveState,
    options: &IamScanOptions,
) -> IamScanResult {
    scan_accounts(
        clients,
        &live.organization.management_account_id,
        &live.accounts,
        options,
    )
    .await
}

/// Reads the live state ([`crate::read_live_state_parts`]) and scans the IAM of its member
/// accounts ([`scan_iam`]) at the same time: the scan starts as soon as the read has listed
/// the accounts and runs while the read goes on. The results are those of the read followed
/// by [`scan_iam`] of its state, with the same calls.
///
/// # Errors
///
/// The read's: a read that fails fails the whole, and the scan is stopped. A scan never
/// fails — an account that cannot be scanned is an [`IamScanFailure`].
pub async fn read_and_scan_iam(
    clients: &Clients,
    parts: ReadParts,
    options: &IamScanOptions,
) -> Result<(LiveRead, IamScanResult), AwsError> {
    let (listed_sender, listed) = tokio::sync::oneshot::channel();
    let read = read_live_state_parts_listing(clients, parts, listed_sender);
    let scan = async {
        let scanned = match listed.await {
            Ok(listed) => {
                scan_accounts(
                    clients,
                    &listed.organization.management_account_id,
                    &listed.accounts,
                    options,
                )
                .await
            }
            // Nothing is sent when the read fails before listing the accounts (`try_join!`
            // then returns its error without waiting for this) or when it does not read the
            // organization, whose state then has no accounts to scan.
            Err(_) => scan_accounts(clients, "", &[], options).await,
        };
        Ok(scanned)
    };
    tokio::try_join!(read, scan)
}

/// Scans every ACTIVE account of `accounts` but `management_account_id`.
async fn scan_accounts(
    clients: &Clients,
    management_account_id: &str,
    accounts: &[LiveAccount],
    options: &IamScanOptions,
) -> IamScanResult {
    let started = Instant::now();
    let counter = CallCounter::default();
    let mark = counter.mark();
    let accounts: Vec<&str> = accounts
        .iter()
        .filter(|account| {
            account.status == LiveAccountStatus::Active && account.id != management_account_id
        })
        .map(|account| account.id.as_str())
        .collect();
    let sts = sts_client(
        clients,
        &counter,
        caller_credentials(clients, options).await,
    );
    let sts_pace = Pace::new(STS_CALLS_PER_SECOND, options.rate_limits);
    let concurrency = options.concurrency.max(1);
    let outcomes: Vec<(String, Result<Vec<ScannedIamUser>, AwsError>)> = stream::iter(&accounts)
        .map(|account_id| {
            let sts = &sts;
            let sts_pace = &sts_pace;
            let counter = &counter;
            async move {
                let outcome = scan_account(
                    clients,
                    counter,
                    sts,
                    sts_pace,
                    account_id,
                    options,
                    concurrency,
                )
                .await;
                ((*account_id).to_owned(), outcome)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut result = IamScanResult {
        accounts: accounts.len(),
        ..IamScanResult::default()
    };
    for (account_id, outcome) in outcomes {
        match outcome {
            Ok(mut users) => result.users.append(&mut users),
            Err(error) => result.failures.push(IamScanFailure {
                account_id,
                message: mask_key_ids_in(&error.to_string()),
            }),
        }
    }
    result.users.sort_by(|left, right| {
        (&left.account_id, &left.user_name).cmp(&(&right.account_id, &right.user_name))
    });
    result
        .failures
        .sort_by(|left, right| left.account_id.cmp(&right.account_id));
    let mut stats = counter.since(&mark, started.elapsed());
    // The call counter names services by the SDK's service id; IAM's is `IAM`.
    stats.calls = rename_iam(stats.calls);
    stats.throttles = rename_iam(stats.throttles);
    result.stats = stats;
    result
}

fn rename_iam(
    counts: std::collections::BTreeMap<String, u64>,
) -> std::collections::BTreeMap<String, u64> {
    counts
        .into_iter()
        .map(|(key, count)| match key.strip_prefix("IAM:") {
            Some(operation) => (format!("iam:{operation}"), count),
            None => (key, count),
        })
        .collect()
}

/// The caller's credentials, as [`crate::connect`] resolved them for this kind of target
/// (the SDK's service configs do not hand their credentials provider back).
async fn caller_credentials(
    clients: &Clients,
    options: &IamScanOptions,
) -> SharedCredentialsProvider {
    let target = clients.target();
    let fixed = options.credentials.clone().or_else(|| {
        (target.kind == TargetKindName::Sandbox).then(StaticCredentials::sandbox_default)
    });
    if let Some(fixed) = fixed {
        return SharedCredentialsProvider::new(Credentials::new(
            fixed.access_key_id,
            fixed.secret_access_key,
            fixed.session_token,
            None,
            "monban-static",
        ));
    }
    let mut chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder()
        .region(aws_config::Region::new(target.region.clone()));
    if let (TargetKindName::Aws, Some(profile)) = (target.kind, &target.profile) {
        chain = chain.profile_name(profile);
    }
    SharedCredentialsProvider::new(chain.build().await)
}

/// An STS client with the caller's credentials and the target's endpoint and HTTP client,
/// counting its calls on `counter`.
fn sts_client(
    clients: &Clients,
    counter: &CallCounter,
    credentials: SharedCredentialsProvider,
) -> aws_sdk_sts::Client {
    let base = clients.organizations.config();
    let mut builder = aws_sdk_sts::config::Builder::new()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(base.region().cloned())
        .credentials_provider(credentials)
        .interceptor(counter.interceptor());
    builder.set_endpoint_url(clients.target().endpoint_url.clone());
    builder.set_retry_config(base.retry_config().cloned());
    builder.set_timeout_config(base.timeout_config().cloned());
    builder.set_sleep_impl(base.sleep_impl());
    builder.set_http_client(base.http_client());
    aws_sdk_sts::Client::from_conf(builder.build())
}

/// An IAM client acting in an account with assumed-role credentials, counting its calls on
/// `counter`.
fn iam_client(
    clients: &Clients,
    counter: &CallCounter,
    credentials: Credentials,
) -> aws_sdk_iam::Client {
    let base = clients.organizations.config();
    let mut builder = aws_sdk_iam::config::Builder::new()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(base.region().cloned())
        .credentials_provider(credentials)
        .interceptor(counter.interceptor());
    builder.set_endpoint_url(clients.target().endpoint_url.clone());
    builder.set_retry_config(base.retry_config().cloned());
    builder.set_timeout_config(base.timeout_config().cloned());
    builder.set_sleep_impl(base.sleep_impl());
    builder.set_http_client(base.http_client());
    aws_sdk_iam::Client::from_conf(builder.build())
}

async fn scan_account(
    clients: &Clients,
    counter: &CallCounter,
    sts: &aws_sdk_sts::Client,
    sts_pace: &Pace,
    account_id: &str,
    options: &IamScanOptions,
    concurrency: usize,
) -> Result<Vec<ScannedIamUser>, AwsError> {
    sts_pace.wait().await;
    let assumed = sts
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account_id}:role/{}",
            options.role_name
        ))
        .role_session_name("monban-audit")
        .send()
        .await
        .map_err(|error| AwsError::call("sts", "AssumeRole", error))?;
    let credentials = assumed
        .credentials
        .ok_or_else(|| AwsError::missing("sts", "AssumeRole", "Credentials"))?;
    let iam = iam_client(
        clients,
        counter,
        Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_owned()),
            None,
            "monban-audit-assumed-role",
        ),
    );
    let pace = Pace::new(IAM_READS_PER_SECOND, options.rate_limits);
    let users = list_users(&iam, &pace).await?;
    let iam = &iam;
    let pace = &pace;
    stream::iter(users)
        .map(|user| async move {
            let user_name = user.user_name().to_owned();
            let (keys, mfa_devices) = tokio::try_join!(
                list_access_keys(iam, pace, &user_name),
                count_mfa_devices(iam, pace, &user_name)
            )?;
            let mut access_keys = Vec::with_capacity(keys.len());
            for key in keys {
                access_keys.push(describe_key(iam, pace, key).await?);
            }
            Ok::<_, AwsError>(ScannedIamUser {
                account_id: account_id.to_owned(),
                created: timestamp(user.create_date()),
                password_last_used: user.password_last_used().map(timestamp),
                user_name,
                mfa_devices,
                access_keys,
            })
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await
}

/// Pages of an IAM list operation (`Marker` / `IsTruncated`); a repeated marker is an
/// error rather than an endless loop.
async fn pages<T, F, Fut>(
    pace: &Pace,
    operation: &'static str,
    mut fetch: F,
) -> Result<Vec<T>, AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), AwsError>>,
{
    let mut items = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        pace.wait().await;
        let (mut batch, next) = fetch(marker.clone()).await?;
        items.append(&mut batch);
        match next.filter(|next| !next.is_empty()) {
            None => return Ok(items),
            Some(next) if marker.as_ref() == Some(&next) => {
                return Err(AwsError::UnexpectedResponse {
                    service: "iam",
                    operation,
                    detail: "the same Marker was returned twice".into(),
                });
            }
            Some(next) => marker = Some(next),
        }
    }
}

async fn list_users(
    iam: &aws_sdk_iam::Client,
    pace: &Pace,
) -> Result<Vec<aws_sdk_iam::types::User>, AwsError> {
    pages(pace, "ListUsers", |marker| async move {
        let output = iam
            .list_users()
            .max_items(100)
            .set_marker(marker)
            .send()
            .await
            .map_err(|error| AwsError::call("iam", "ListUsers", error))?;
        let next = output
            .is_truncated()
            .then(|| output.marker().map(str::to_owned))
            .flatten();
        Ok((output.users, next))
    })
    .await
}

async fn list_access_keys(
    iam: &aws_sdk_iam::Client,
    pace: &Pace,
    user_name: &str,
) -> Result<Vec<aws_sdk_iam::types::AccessKeyMetadata>, AwsError> {
    pages(pace, "ListAccessKeys", |marker| async move {
        let output = iam
            .list_access_keys()
            .user_name(user_name)
            .set_marker(marker)
            .send()
            .await
            .map_err(|error| AwsError::call("iam", "ListAccessKeys", error))?;
        let next = output
            .is_truncated()
            .then(|| output.marker().map(str::to_owned))
            .flatten();
        Ok((output.access_key_metadata, next))
    })
    .await
}

async fn count_mfa_devices(
    iam: &aws_sdk_iam::Client,
    pace: &Pace,
    user_name: &str,
) -> Result<usize, AwsError> {
    let devices = pages(pace, "ListMFADevices", |marker| async move {
        let output = iam
            .list_mfa_devices()
            .user_name(user_name)
            .set_marker(marker)
            .send()
            .await
            .map_err(|error| AwsError::call("iam", "ListMFADevices", error))?;
        let next = output
            .is_truncated()
            .then(|| output.marker().map(str::to_owned))
            .flatten();
        Ok((output.mfa_devices, next))
    })
    .await?;
    Ok(devices.len())
}

async fn describe_key(
    iam: &aws_sdk_iam::Client,
    pace: &Pace,
    key: aws_sdk_iam::types::AccessKeyMetadata,
) -> Result<ScannedAccessKey, AwsError> {
    let id = key
        .access_key_id()
        .ok_or_else(|| AwsError::missing("iam", "ListAccessKeys", "AccessKeyId"))?
        .to_owned();
    pace.wait().await;
    let last_used = iam
        .get_access_key_last_used()
        .access_key_id(&id)
        .send()
        .await
        .map_err(|error| AwsError::call("iam", "GetAccessKeyLastUsed", error))?
        .access_key_last_used;
    let last_used_at = last_used
        .as_ref()
        .and_then(|used| used.last_used_date())
        .map(timestamp);
    let service = last_used
        .as_ref()
        .map(|used| used.service_name().to_owned())
        .filter(|service| service != "N/A" && !service.is_empty());
    Ok(ScannedAccessKey {
        masked_id: mask_access_key_id(&id),
        status: key
            .status()
            .map_or_else(|| "Unknown".to_owned(), |status| status.as_str().to_owned()),
        created: key.create_date().map_or(Timestamp::UNIX_EPOCH, timestamp),
        last_used: last_used_at,
        last_used_service: service,
    })
}

#[cfg(test)]
mod tests {
    use super::{mask_access_key_id, mask_key_ids_in};

    #[test]
    fn key_ids_are_masked() {
        assert_eq!(mask_access_key_id("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(mask_access_key_id("short"), "…");
    }

    #[test]
    fn key_ids_in_error_messages_are_masked() {
        assert_eq!(
            mask_key_ids_in("The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found."),
            "The Access Key with id AKIA…MPLE cannot be found."
        );
        assert_eq!(
            mask_key_ids_in("User: arn:aws:iam::123456789012:user/ci is not authorized"),
            "User: arn:aws:iam::123456789012:user/ci is not authorized"
        );
    }
}
