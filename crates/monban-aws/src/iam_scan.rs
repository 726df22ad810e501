//! The IAM scan of `monban audit`: for every ACTIVE member account, assume the
//! organization's access role (`OrganizationAccountAccessRole` unless told otherwise) and
//! list its IAM users with their access keys (age, last use) and MFA devices — the
//! long-lived credentials Identity Center exists to replace — and read the customer managed
//! policies that the permission sets provisioned there reference, whose contents live only
//! in that account's IAM (the audit judges them like inline policies).
//!
//! # Calls made
//!
//! Per account: `sts:AssumeRole` 1; `iam:ListUsers` `pages(users, 100)`; per user
//! `iam:ListAccessKeys` and `iam:ListMFADevices` one page each (at most 2 keys per user;
//! MFA devices paginated all the same); per key `iam:GetAccessKeyLastUsed` 1. An account
//! without IAM users costs 2 calls. Then per distinct customer managed policy referenced by
//! a permission set provisioned to the account (one read per account and policy ARN, however
//! many permission sets name it): `iam:GetPolicy` 1 and, when it exists,
//! `iam:GetPolicyVersion` 1 (its default version). [`read_and_scan_iam`]'s read adds one
//! `sso-admin:ListCustomerManagedPolicyReferencesInPermissionSet` per permission set (the
//! references, which [`ReadParts::access`] leaves out).
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
//!   becomes an [`IamAccountError`] naming the account; the scan goes on.
//! - Rates: AWS does not publish per-operation TPS for IAM and STS reads (aws-api-facts
//!   §4 notes they were not researched), so the scan keeps itself to
//!   [`IAM_READS_PER_SECOND`] per account for IAM and [`STS_CALLS_PER_SECOND`] for
//!   `AssumeRole`, multiplied by [`RateLimits::factor`] like every other bucket (and
//!   unlimited when the limits are).
//! - Access key ids leave this module masked ([`mask_access_key_id`]): a key id is not a
//!   secret, but whole ids in a report are what secret scanners and attackers look for.
//! - The management account is not scanned: the access role exists only in member
//!   accounts, and its IAM users (if any) are the caller's own business. Customer managed
//!   policies of permission sets provisioned to it are therefore not read either.
//! - Customer managed policies are read after the read (they need its permission sets and
//!   where each is provisioned, the last things it learns), with the credentials the user
//!   scan assumed for the account: no second `AssumeRole`. An account whose role could not
//!   be assumed has its [`IamAccountError`] and no policies read. The assumed session lasts
//!   `AssumeRole`'s default hour, far longer than a read (about ten minutes at 1,000
//!   accounts and AWS's rates); past it, the policy reads would fail as
//!   [`PolicyContent::Unreadable`], each naming the error.
//! - `GetPolicy` answering `NoSuchEntity` is a result ([`PolicyContent::Missing`]), not a
//!   failure: AWS refuses to provision a permission set whose policy is missing, so the
//!   audit reports it. Any other error is [`PolicyContent::Unreadable`], the scan goes on.
//! - Only the policies a permission set grants through are read, not a customer managed
//!   permissions boundary: a boundary only takes away.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use futures::{StreamExt, TryStreamExt, stream};
use jiff::Timestamp;
use monban_model::{
    AccessKeyRecord, CustomerManagedPolicyRecord, IamAccountError, IamScan, IamUserRecord,
    LiveAccount, LiveAccountStatus, LiveState, PolicyContent,
};
use tokio::sync::Mutex;

use crate::error::AwsError;
use crate::limits::RateLimits;
use crate::read::{LiveRead, ReadParts, read_live_state_parts, read_live_state_parts_listing};
use crate::stats::{CallCounter, CounterMark, ReadStats};
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

/// What the scan found, with its own figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamScanResult {
    /// IAM users by account id then user name; accounts that could not be scanned by
    /// account id; the customer managed policies of the permission sets provisioned to each
    /// scanned account, by account id then ARN. What `monban_audit::audit` takes.
    pub found: IamScan,
    /// How many accounts were scanned (or tried).
    pub accounts: usize,
    /// Calls per operation (`sts:AssumeRole`, `iam:ListUsers`, …).
    pub stats: ReadStats,
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

/// Scans every ACTIVE member account of `live` (all but the management account), reading
/// the customer managed policies `live`'s permission sets reference where they are
/// provisioned (none when `live` was read without them, as [`ReadParts::access`] does).
pub async fn scan_iam(
    clients: &Clients,
    live: &LiveState,
    options: &IamScanOptions,
) -> IamScanResult {
    let started = Instant::now();
    let counter = CallCounter::default();
    let mark = counter.mark();
    let (mut result, sessions) = scan_accounts(
        clients,
        &counter,
        &live.organization.management_account_id,
        &live.accounts,
        options,
    )
    .await;
    result.found.policies = read_policies(&sessions, live, options).await;
    finish(&mut result, &counter, &mark, started);
    result
}

/// `parts` with the customer managed policy references: the scan reads the policies they
/// name.
fn with_policy_references(parts: ReadParts) -> ReadParts {
    ReadParts {
        policy_references: true,
        ..parts
    }
}

/// The read (with the customer managed policy references, whatever `parts` says) followed
/// by [`scan_iam`] of its state: what [`read_and_scan_iam`] does, one after the
/// other.
///
/// # Errors
///
/// The read's.
pub async fn read_then_scan_iam(
    clients: &Clients,
    parts: ReadParts,
    options: &IamScanOptions,
) -> Result<(LiveRead, IamScanResult), AwsError> {
    let read = read_live_state_parts(clients, with_policy_references(parts)).await?;
    let scanned = scan_iam(clients, &read.state, options).await;
    Ok((read, scanned))
}

/// Reads the live state ([`crate::read_live_state_parts`], plus the customer managed policy
/// references of every permission set) and scans the IAM of its member accounts
/// ([`scan_iam`]) at the same time: the user scan starts as soon as the read has listed the
/// accounts and runs while the read goes on; the customer managed policies are read when
/// the read is done. The results are those of [`read_then_scan_iam`], with the same calls.
///
/// # Errors
///
/// The read's: a read that fails fails the whole, and the scan is stopped. A scan never
/// fails — an account that cannot be scanned is an [`IamAccountError`].
pub async fn read_and_scan_iam(
    clients: &Clients,
    parts: ReadParts,
    options: &IamScanOptions,
) -> Result<(LiveRead, IamScanResult), AwsError> {
    let (listed_sender, listed) = tokio::sync::oneshot::channel();
    let read = read_live_state_parts_listing(clients, with_policy_references(parts), listed_sender);
    let counter = CallCounter::default();
    let mark = counter.mark();
    let scan = async {
        let listed = listed.await;
        let started = Instant::now();
        let scanned = match listed {
            Ok(listed) => {
                scan_accounts(
                    clients,
                    &counter,
                    &listed.organization.management_account_id,
                    &listed.accounts,
                    options,
                )
                .await
            }
            // Nothing is sent when the read fails before listing the accounts (`try_join!`
            // then returns its error without waiting for this) or when it does not read the
            // organization, whose state then has no accounts to scan.
            Err(_) => scan_accounts(clients, &counter, "", &[], options).await,
        };
        Ok((started, scanned))
    };
    let (read, (started, (mut scanned, sessions))) = tokio::try_join!(read, scan)?;
    scanned.found.policies = read_policies(&sessions, &read.state, options).await;
    finish(&mut scanned, &counter, &mark, started);
    Ok((read, scanned))
}

/// The scan's stats: its calls since `mark`, IAM's named `iam:…`.
fn finish(result: &mut IamScanResult, counter: &CallCounter, mark: &CounterMark, started: Instant) {
    let mut stats = counter.since(mark, started.elapsed());
    // The call counter names services by the SDK's service id; IAM's is `IAM`.
    stats.calls = rename_iam(stats.calls);
    stats.throttles = rename_iam(stats.throttles);
    result.stats = stats;
}

/// An IAM client per scanned account, acting there with the assumed role.
type Sessions = BTreeMap<String, aws_sdk_iam::Client>;

/// Scans the IAM users of every ACTIVE account of `accounts` but `management_account_id`
/// (the result's `stats` and `policies` are left to the caller), and hands back the IAM
/// client of every account whose role it assumed.
async fn scan_accounts(
    clients: &Clients,
    counter: &CallCounter,
    management_account_id: &str,
    accounts: &[LiveAccount],
    options: &IamScanOptions,
) -> (IamScanResult, Sessions) {
    let accounts: Vec<&str> = accounts
        .iter()
        .filter(|account| {
            account.status == LiveAccountStatus::Active && account.id != management_account_id
        })
        .map(|account| account.id.as_str())
        .collect();
    let sts = sts_client(clients, counter, caller_credentials(clients, options).await);
    let sts_pace = Pace::new(STS_CALLS_PER_SECOND, options.rate_limits);
    let concurrency = options.concurrency.max(1);
    let outcomes: Vec<AccountOutcome> = stream::iter(&accounts)
        .map(|account_id| {
            let sts = &sts;
            let sts_pace = &sts_pace;
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
    let mut sessions = Sessions::new();
    for (account_id, (session, outcome)) in outcomes {
        if let Some(session) = session {
            sessions.insert(account_id.clone(), session);
        }
        match outcome {
            Ok(mut users) => result.found.users.append(&mut users),
            Err(error) => result.found.errors.push(IamAccountError {
                account_id,
                message: mask_key_ids_in(&error.to_string()),
            }),
        }
    }
    result.found.users.sort_by(|left, right| {
        (&left.account_id, &left.user_name).cmp(&(&right.account_id, &right.user_name))
    });
    result
        .found
        .errors
        .sort_by(|left, right| left.account_id.cmp(&right.account_id));
    (result, sessions)
}

/// One account's user scan: its IAM client when the role was assumed, and its users.
type AccountOutcome = (
    String,
    (
        Option<aws_sdk_iam::Client>,
        Result<Vec<IamUserRecord>, AwsError>,
    ),
);

/// The customer managed policies to read: per account of `sessions`, the (name, path) of
/// every one referenced by a permission set provisioned there, with its ARN.
fn policy_references(
    sessions: &Sessions,
    live: &LiveState,
) -> BTreeMap<String, BTreeSet<(String, String, String)>> {
    let mut wanted: BTreeMap<String, BTreeSet<(String, String, String)>> = BTreeMap::new();
    for provisioned in &live.provisioned {
        if !sessions.contains_key(&provisioned.account_id) {
            continue;
        }
        let Some(set) = live
            .permission_sets
            .iter()
            .find(|set| set.arn == provisioned.permission_set_arn)
        else {
            continue;
        };
        // The policy lives in the partition of the permission set's instance.
        let partition = set
            .arn
            .split(':')
            .nth(1)
            .filter(|partition| !partition.is_empty())
            .unwrap_or("aws");
        for policy in &set.customer_managed_policies {
            let arn = format!(
                "arn:{partition}:iam::{}:policy{}{}",
                provisioned.account_id, policy.path, policy.name
            );
            wanted
                .entry(provisioned.account_id.clone())
                .or_default()
                .insert((arn, policy.name.clone(), policy.path.clone()));
        }
    }
    wanted
}

/// Reads every policy [`policy_references`] lists, accounts and the policies of one account
/// concurrently, each account paced on its own.
async fn read_policies(
    sessions: &Sessions,
    live: &LiveState,
    options: &IamScanOptions,
) -> Vec<CustomerManagedPolicyRecord> {
    let wanted = policy_references(sessions, live);
    let concurrency = options.concurrency.max(1);
    let per_account: Vec<Vec<CustomerManagedPolicyRecord>> = stream::iter(&wanted)
        .filter_map(|(account_id, policies)| async move {
            sessions
                .get(account_id)
                .map(|iam| (account_id, policies, iam))
        })
        .map(|(account_id, policies, iam)| async move {
            let pace = Pace::new(IAM_READS_PER_SECOND, options.rate_limits);
            let pace = &pace;
            stream::iter(policies)
                .map(|(arn, name, path)| async move {
                    CustomerManagedPolicyRecord {
                        account_id: account_id.clone(),
                        name: name.clone(),
                        path: path.clone(),
                        arn: arn.clone(),
                        content: read_policy(iam, pace, arn).await,
                    }
                })
                .buffer_unordered(concurrency)
                .collect::<Vec<_>>()
                .await
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut policies: Vec<CustomerManagedPolicyRecord> =
        per_account.into_iter().flatten().collect();
    policies
        .sort_by(|left, right| (&left.account_id, &left.arn).cmp(&(&right.account_id, &right.arn)));
    policies
}

/// `GetPolicy`, then `GetPolicyVersion` of its default version.
async fn read_policy(iam: &aws_sdk_iam::Client, pace: &Pace, arn: &str) -> PolicyContent {
    use aws_sdk_iam::operation::get_policy::GetPolicyError;
    use aws_sdk_iam::operation::get_policy_version::GetPolicyVersionError;
    let failed = |error: AwsError| PolicyContent::Unreadable(mask_key_ids_in(&error.to_string()));
    pace.wait().await;
    let policy = match iam.get_policy().policy_arn(arn).send().await {
        Ok(output) => output.policy,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(GetPolicyError::is_no_such_entity_exception) =>
        {
            return PolicyContent::Missing;
        }
        Err(error) => return failed(AwsError::call("iam", "GetPolicy", error)),
    };
    let Some(version) = policy.and_then(|policy| policy.default_version_id) else {
        return failed(AwsError::missing("iam", "GetPolicy", "DefaultVersionId"));
    };
    pace.wait().await;
    let document = match iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
    {
        Ok(output) => output.policy_version.and_then(|version| version.document),
        // Deleted between the two calls.
        Err(error)
            if error
                .as_service_error()
                .is_some_and(GetPolicyVersionError::is_no_such_entity_exception) =>
        {
            return PolicyContent::Missing;
        }
        Err(error) => return failed(AwsError::call("iam", "GetPolicyVersion", error)),
    };
    let Some(document) = document else {
        return failed(AwsError::missing("iam", "GetPolicyVersion", "Document"));
    };
    match decode_rfc3986(&document) {
        Some(decoded) => PolicyContent::Document(decoded),
        None => failed(AwsError::UnexpectedResponse {
            service: "iam",
            operation: "GetPolicyVersion",
            detail: "the policy document is not URL-encoded UTF-8".into(),
        }),
    }
}

/// Decodes the percent-encoding (RFC 3986) IAM returns policy documents in: `%XX` is a byte,
/// everything else stands for itself (`+` included: it is not a space here). `None` when
/// a `%` is not followed by two hex digits or the bytes are not UTF-8.
fn decode_rfc3986(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            decoded.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(decoded).ok()
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

/// The target's connection (region, endpoint, retries, timeouts, HTTP client) with
/// `credentials`: what the scan's STS and IAM clients are built from.
fn member_config(
    clients: &Clients,
    credentials: SharedCredentialsProvider,
) -> aws_config::SdkConfig {
    let base = clients.organizations.config();
    let mut builder = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .credentials_provider(credentials);
    builder.set_region(base.region().cloned());
    builder.set_endpoint_url(clients.target().endpoint_url.clone());
    builder.set_retry_config(base.retry_config().cloned());
    builder.set_timeout_config(base.timeout_config().cloned());
    builder.set_sleep_impl(base.sleep_impl());
    builder.set_http_client(base.http_client());
    builder.build()
}

/// An STS client with the caller's credentials, counting its calls on `counter`.
fn sts_client(
    clients: &Clients,
    counter: &CallCounter,
    credentials: SharedCredentialsProvider,
) -> aws_sdk_sts::Client {
    let config = member_config(clients, credentials);
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&config)
            .interceptor(counter.interceptor())
            .build(),
    )
}

/// An IAM client acting in an account with assumed-role credentials, counting its calls on
/// `counter`.
fn iam_client(
    clients: &Clients,
    counter: &CallCounter,
    credentials: Credentials,
) -> aws_sdk_iam::Client {
    let config = member_config(clients, SharedCredentialsProvider::new(credentials));
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(&config)
            .interceptor(counter.interceptor())
            .build(),
    )
}

/// Assumes the role in one account and scans its users: the account's IAM client when the
/// role was assumed, and the users.
async fn scan_account(
    clients: &Clients,
    counter: &CallCounter,
    sts: &aws_sdk_sts::Client,
    sts_pace: &Pace,
    account_id: &str,
    options: &IamScanOptions,
    concurrency: usize,
) -> (
    Option<aws_sdk_iam::Client>,
    Result<Vec<IamUserRecord>, AwsError>,
) {
    match assume_role(clients, counter, sts, sts_pace, account_id, options).await {
        Ok(iam) => {
            let users = scan_users(&iam, account_id, options, concurrency).await;
            (Some(iam), users)
        }
        Err(error) => (None, Err(error)),
    }
}

/// An IAM client acting in `account_id` with the assumed role.
async fn assume_role(
    clients: &Clients,
    counter: &CallCounter,
    sts: &aws_sdk_sts::Client,
    sts_pace: &Pace,
    account_id: &str,
    options: &IamScanOptions,
) -> Result<aws_sdk_iam::Client, AwsError> {
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
    Ok(iam)
}

/// The IAM users of one account, with their keys and MFA devices.
async fn scan_users(
    iam: &aws_sdk_iam::Client,
    account_id: &str,
    options: &IamScanOptions,
    concurrency: usize,
) -> Result<Vec<IamUserRecord>, AwsError> {
    let pace = Pace::new(IAM_READS_PER_SECOND, options.rate_limits);
    let users = list_users(iam, &pace).await?;
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
            Ok::<_, AwsError>(IamUserRecord {
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
) -> Result<AccessKeyRecord, AwsError> {
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
    Ok(AccessKeyRecord {
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
    use super::{decode_rfc3986, mask_access_key_id, mask_key_ids_in};

    #[test]
    fn policy_documents_are_percent_decoded() {
        assert_eq!(
            decode_rfc3986("%7B%22a%22%3A%20%22b~%22%7D").as_deref(),
            Some(r#"{"a": "b~"}"#)
        );
        // `+` is itself, not a space (RFC 3986, not form encoding); UTF-8 is decoded.
        assert_eq!(decode_rfc3986("a+b%C3%A9").as_deref(), Some("a+bé"));
        assert_eq!(decode_rfc3986("%7").as_deref(), None);
        assert_eq!(decode_rfc3986("%zz").as_deref(), None);
        assert_eq!(decode_rfc3986("%FF").as_deref(), None);
    }

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
