//! Client-side rate limiting: one token bucket per AWS throttling scope, with the rates AWS
//! publishes (aws-api-facts §4), so monban runs as fast as AWS allows and no faster.
//!
//! - SSO Admin: a collective 20 requests/s for the whole API — one bucket for every
//!   operation.
//! - Identity Store: 20 requests/s per API — one bucket per operation.
//! - Organizations: a per-API table (rate, burst) — one bucket per operation, with the
//!   per-account values (the caller's account is what AWS meters), reads and writes alike
//!   (`CreateAccount` 0.1/s burst 3, `CloseAccount` 0.05/s burst 1, …). Operations missing
//!   from the table get the most conservative rate AWS publishes for any (1/s, burst 1).
//! - STS: not limited here (its quota is far above what one read needs).
//!
//! A bucket hands out reservations: a caller takes a token even when the bucket is empty and
//! sleeps until its token would have accrued, so waiters are served in arrival order
//! without polling. SDK retries (on a throttling answer) do not pass through the buckets —
//! they are the backstop, not the plan — but each throttling answer is charged to its
//! bucket ([`RetryRoom`]): the retry it causes will use one of AWS's tokens, so the paced
//! calls behind it yield one slot. Without that, a stream paced at exactly AWS's rate left
//! AWS's bucket empty at every instant and a throttled call could lose all its attempts
//! to it (seen once in the audit benchmark: a read failed after 10 throttled attempts).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use tokio::time::Instant;

/// How fast monban may call AWS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimits {
    /// Every published rate is multiplied by this (bursts stay as published); `None` = no
    /// client-side limit.
    factor: Option<f64>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::aws()
    }
}

impl RateLimits {
    /// AWS's published per-API rates (the default, and right for any real target).
    #[must_use]
    pub fn aws() -> Self {
        Self { factor: Some(1.0) }
    }

    /// AWS's rates multiplied by `factor`, bursts as published — exactly what the sandbox
    /// enforces at `--time-scale factor` (it multiplies rates and keeps bursts, which are
    /// counts), so a client at `scaled(F)` against a sandbox at time scale F behaves as a
    /// client at [`Self::aws`] against AWS, F times faster. A factor that is not a positive
    /// number means no limit.
    #[must_use]
    pub fn scaled(factor: f64) -> Self {
        if factor.is_finite() && factor > 0.0 {
            Self {
                factor: Some(factor),
            }
        } else {
            Self::unlimited()
        }
    }

    /// No client-side limit at all (tests against the sandbox).
    #[must_use]
    pub fn unlimited() -> Self {
        Self { factor: None }
    }

    /// The multiplier, `None` when unlimited.
    #[must_use]
    pub fn factor(&self) -> Option<f64> {
        self.factor
    }
}

/// The APIs monban talks to, as the limiter tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Service {
    Organizations,
    SsoAdmin,
    IdentityStore,
}

impl Service {
    /// The service of an SDK service id (`Metadata::service`); `None` for those not
    /// limited here (STS, IAM).
    fn from_service_id(service_id: &str) -> Option<Self> {
        match crate::stats::service_label(service_id) {
            "organizations" => Some(Self::Organizations),
            "sso-admin" => Some(Self::SsoAdmin),
            "identitystore" => Some(Self::IdentityStore),
            _ => None,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Organizations => "organizations",
            Self::SsoAdmin => "sso-admin",
            Self::IdentityStore => "identitystore",
        }
    }
}

/// AWS's published (rate per second, burst) for `operation` of `service`, and the bucket it
/// shares. Source: aws-api-facts §4.1 (IAM Identity Center quotas page: SSO Admin's
/// collective 20 TPS, Identity Store's 20 TPS per API; no burst published, 20 assumed as
/// the sandbox does) and §4.2 (Organizations quotas page, per-account column).
fn published(service: Service, operation: &'static str) -> (&'static str, f64, f64) {
    match service {
        Service::SsoAdmin => ("sso-admin", 20.0, 20.0),
        // Reads and writes alike (CreateUser, CreateGroupMembership, …): 20/s per API.
        Service::IdentityStore => (operation, 20.0, 20.0),
        Service::Organizations => {
            let (rate, burst) = organizations_rate(operation).unwrap_or(UNPUBLISHED);
            (operation, rate, burst)
        }
    }
}

/// What an Organizations operation missing from the table below gets: 1/s, burst 1 — what
/// AWS publishes for `EnablePolicyType`, `CreateOrganization`, …, and what the sandbox
/// enforces for every operation not in AWS's table. (`CloseAccount` and `CreateAccount` are
/// slower still, so they are in the table.)
const UNPUBLISHED: (f64, f64) = (1.0, 1.0);

/// AWS's published Organizations (rate per second, burst), per calling account.
/// Source: aws-api-facts §4.2, the throttling table of the Organizations quotas page
/// (`orgs_reference_limits`, "per account" column); the comment on each arm names the row.
fn organizations_rate(operation: &str) -> Option<(f64, f64)> {
    // One arm per value, as clippy wants; the rows of AWS's table each arm carries are
    // quoted above it. The apply engine's writes are `CreateOrganizationalUnit`,
    // `DeleteOrganizationalUnit`, `CreateAccount`, `MoveAccount`, `TagResource`,
    // `UntagResource`, `CloseAccount` and `InviteAccountToOrganization`; its status reads
    // are `DescribeCreateAccountStatus` and `ListCreateAccountStatus`.
    let rate = match operation {
        // "CloseAccount: 0.05, 1" — one closure per 20 s.
        "CloseAccount" => (0.05, 1.0),
        // "CreateAccount, CreateGovCloudAccount: 0.1, 3" — one creation per 10 s after 3.
        "CreateAccount" | "CreateGovCloudAccount" => (0.1, 3.0),
        // "CreateOrganizationalUnit, DescribeOrganization: 1, 2"; "ListRoots: 1, 2";
        // handshakes: "AcceptHandshake 1,2", "DescribeHandshake 1,2".
        "CreateOrganizationalUnit"
        | "DescribeOrganization"
        | "ListRoots"
        | "AcceptHandshake"
        | "DescribeHandshake" => (1.0, 2.0),
        // "MoveAccount, UpdateOrganizationalUnit, DeleteOrganizationalUnit: 2, 3";
        // "CreatePolicy, DeletePolicy, AttachPolicy, DetachPolicy, UpdatePolicy: 2, 3";
        // handshakes: "CancelHandshake 2,3".
        "MoveAccount"
        | "UpdateOrganizationalUnit"
        | "DeleteOrganizationalUnit"
        | "CreatePolicy"
        | "DeletePolicy"
        | "AttachPolicy"
        | "DetachPolicy"
        | "UpdatePolicy"
        | "CancelHandshake" => (2.0, 3.0),
        // "DescribeCreateAccountStatus: 2, 2"; "DescribeOrganizationalUnit: 2, 2";
        // "DescribePolicy: 2, 2"; "RemoveAccountFromOrganization: 2, 2".
        "DescribeCreateAccountStatus"
        | "DescribeOrganizationalUnit"
        | "DescribePolicy"
        | "RemoveAccountFromOrganization" => (2.0, 2.0),
        // Handshakes: "InviteAccountToOrganization 3,5".
        "InviteAccountToOrganization" => (3.0, 5.0),
        // "TagResource, UntagResource: 4, 6".
        "TagResource" | "UntagResource" => (4.0, 6.0),
        // "ListCreateAccountStatus: 5, 8"; "ListParents, ListAccountsForParent,
        // ListOrganizationalUnitsForParent: 5, 8"; "ListPolicies, ListPoliciesForTarget,
        // ListTargetsForPolicy: 5, 8"; "ListDelegatedAdministrators: 5, 8"; handshakes:
        // "ListHandshakesFor* 5,8".
        "ListCreateAccountStatus"
        | "ListParents"
        | "ListAccountsForParent"
        | "ListOrganizationalUnitsForParent"
        | "ListPolicies"
        | "ListPoliciesForTarget"
        | "ListTargetsForPolicy"
        | "ListDelegatedAdministrators"
        | "ListHandshakesForAccount"
        | "ListHandshakesForOrganization" => (5.0, 8.0),
        // "ListChildren: 6, 10".
        "ListChildren" => (6.0, 10.0),
        // "ListAccounts: 8, 12".
        "ListAccounts" => (8.0, 12.0),
        // "ListTagsForResource: 10, 15".
        "ListTagsForResource" => (10.0, 15.0),
        // "DescribeAccount: 20, 30".
        "DescribeAccount" => (20.0, 30.0),
        _ => return None,
    };
    Some(rate)
}

#[derive(Debug)]
struct Bucket {
    rate: f64,
    burst: f64,
    state: Mutex<BucketState>,
}

#[derive(Debug)]
struct BucketState {
    /// May go negative: outstanding reservations.
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn new(rate: f64, burst: f64) -> Self {
        Self {
            rate,
            burst,
            state: Mutex::new(BucketState {
                tokens: burst,
                updated: Instant::now(),
            }),
        }
    }

    /// Takes one token; returns how long the caller must wait before using it.
    fn reserve(&self) -> Duration {
        // The critical section is arithmetic only; a poisoned lock still holds valid numbers.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let accrued = now.duration_since(state.updated).as_secs_f64() * self.rate;
        state.tokens = (state.tokens + accrued).min(self.burst);
        state.updated = now;
        state.tokens -= 1.0;
        if state.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-state.tokens / self.rate)
        }
    }
}

/// Buckets by (service, throttling scope).
type Buckets = HashMap<(Service, &'static str), Arc<Bucket>>;

/// The buckets of one set of clients, created on first use.
#[derive(Debug, Clone)]
pub(crate) struct RateLimiter {
    limits: RateLimits,
    buckets: Arc<Mutex<Buckets>>,
}

impl RateLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            buckets: Arc::default(),
        }
    }

    /// Waits until `operation` of `service` may be called; returns the time waited.
    pub(crate) async fn acquire(&self, service: Service, operation: &'static str) -> Duration {
        let Some(factor) = self.limits.factor else {
            return Duration::ZERO;
        };
        let (scope, rate, burst) = published(service, operation);
        let bucket = {
            let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(
                buckets
                    .entry((service, scope))
                    // Bursts are counts: a faster clock does not make them bigger (the
                    // sandbox's time scale keeps them too).
                    .or_insert_with(|| Arc::new(Bucket::new(rate * factor, burst))),
            )
        };
        let wait = bucket.reserve();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        wait
    }

    /// Takes one token of `operation`'s bucket without waiting for it: AWS throttled a call
    /// of it and the SDK will send that call again. Only a bucket a call already went
    /// through is charged (a throttled call always did, unless the limiter is off).
    pub(crate) fn charge_retry(&self, service: Service, operation: &str) {
        if self.limits.factor.is_none() {
            return;
        }
        let bucket = {
            let buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
            buckets
                .iter()
                .find(|((bucket_service, scope), _)| {
                    *bucket_service == service
                        && (service == Service::SsoAdmin || *scope == operation)
                })
                .map(|(_, bucket)| Arc::clone(bucket))
        };
        if let Some(bucket) = bucket {
            // The reservation is the point; its wait is the next paced caller's.
            let _ = bucket.reserve();
        }
    }

    /// The interceptor that charges throttled calls to their buckets, for every client
    /// whose calls go through this limiter.
    pub(crate) fn retry_room(&self) -> RetryRoom {
        RetryRoom {
            limiter: self.clone(),
        }
    }
}

/// Charges each throttling answer to the bucket of its operation
/// ([`RateLimiter::charge_retry`]), so the retry the SDK sends finds a token at AWS.
#[derive(Debug, Clone)]
pub(crate) struct RetryRoom {
    limiter: RateLimiter,
}

impl Intercept for RetryRoom {
    fn name(&self) -> &'static str {
        "monban-retry-room"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if crate::stats::is_throttled(context)
            && let Some(metadata) = cfg.load::<Metadata>()
            && let Some(service) = Service::from_service_id(metadata.service())
        {
            self.limiter.charge_retry(service, metadata.name());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real time (tokio's paused clock needs the `test-util` feature, which would rebuild the
    // SDK); rates are scaled up so each test takes a fraction of a second.

    /// Calls `operation` `count` times in a row; returns how long that took.
    async fn time_calls(
        limiter: &RateLimiter,
        service: Service,
        operation: &'static str,
        count: usize,
    ) -> Duration {
        let start = Instant::now();
        for _ in 0..count {
            limiter.acquire(service, operation).await;
        }
        start.elapsed()
    }

    fn within(elapsed: Duration, low_millis: u64, high_millis: u64) -> bool {
        elapsed >= Duration::from_millis(low_millis)
            && elapsed <= Duration::from_millis(high_millis)
    }

    #[tokio::test]
    async fn a_charged_retry_delays_the_paced_calls_by_one_token() {
        // SSO Admin: 20/s burst 20; ×100 → 2,000/s. After the burst, 20 calls take 10 ms;
        // with 20 retries charged in between, 40 tokens' worth: 20 ms.
        let limiter = RateLimiter::new(RateLimits::scaled(100.0));
        time_calls(&limiter, Service::SsoAdmin, "ListAccountAssignments", 20).await;
        let start = Instant::now();
        for _ in 0..20 {
            limiter.charge_retry(Service::SsoAdmin, "ListPermissionSets");
            limiter
                .acquire(Service::SsoAdmin, "ListAccountAssignments")
                .await;
        }
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(19), "{elapsed:?}");
        // A bucket never used is not created by a charge, and an unlimited limiter ignores it.
        limiter.charge_retry(Service::IdentityStore, "ListUsers");
        assert_eq!(limiter.buckets.lock().unwrap().len(), 1);
        RateLimiter::new(RateLimits::unlimited()).charge_retry(Service::SsoAdmin, "ListInstances");
    }

    #[tokio::test]
    async fn a_bucket_allows_its_burst_then_its_rate() {
        // ListRoots: 1/s, burst 2; ×100 → 100/s, burst still 2: 27 calls = 2 free + 25 at
        // 100/s = 0.25 s.
        let limiter = RateLimiter::new(RateLimits::scaled(100.0));
        let elapsed = time_calls(&limiter, Service::Organizations, "ListRoots", 27).await;
        assert!(within(elapsed, 230, 500), "{elapsed:?}");
    }

    #[tokio::test]
    async fn scaling_multiplies_rates_and_keeps_bursts() {
        // As the sandbox's --time-scale does: CreateAccount 0.1/s, burst 3; ×50 → 5/s,
        // burst 3: 3 free, then 2 more at 5/s = 0.4 s. (Had the burst been scaled too, all 5
        // would have gone at once.)
        let limiter = RateLimiter::new(RateLimits::scaled(50.0));
        let free = time_calls(&limiter, Service::Organizations, "CreateAccount", 3).await;
        assert!(free < Duration::from_millis(50), "{free:?}");
        let after_burst = time_calls(&limiter, Service::Organizations, "CreateAccount", 2).await;
        assert!(within(after_burst, 370, 650), "{after_burst:?}");
    }

    #[tokio::test]
    async fn close_account_is_the_slowest_write() {
        // CloseAccount 0.05/s, burst 1; ×100 → 5/s: 1 free + 2 at 5/s = 0.4 s.
        let limiter = RateLimiter::new(RateLimits::scaled(100.0));
        let elapsed = time_calls(&limiter, Service::Organizations, "CloseAccount", 3).await;
        assert!(within(elapsed, 370, 650), "{elapsed:?}");
    }

    #[test]
    fn every_organizations_operation_of_the_engine_has_its_published_rate() {
        // The Organizations operations monban reads and writes with, and AWS's
        // per-account (rate, burst) for each (aws-api-facts §4.2).
        let expected = [
            ("CreateOrganizationalUnit", 1.0, 2.0),
            ("DeleteOrganizationalUnit", 2.0, 3.0),
            ("CreateAccount", 0.1, 3.0),
            ("MoveAccount", 2.0, 3.0),
            ("TagResource", 4.0, 6.0),
            ("UntagResource", 4.0, 6.0),
            ("CloseAccount", 0.05, 1.0),
            ("InviteAccountToOrganization", 3.0, 5.0),
            ("DescribeCreateAccountStatus", 2.0, 2.0),
            ("ListCreateAccountStatus", 5.0, 8.0),
            ("DescribeOrganization", 1.0, 2.0),
            ("ListRoots", 1.0, 2.0),
            ("ListAccounts", 8.0, 12.0),
            ("ListParents", 5.0, 8.0),
            ("ListAccountsForParent", 5.0, 8.0),
            ("ListOrganizationalUnitsForParent", 5.0, 8.0),
            ("ListTagsForResource", 10.0, 15.0),
            ("DescribeAccount", 20.0, 30.0),
        ];
        for (operation, rate, burst) in expected {
            assert_eq!(
                organizations_rate(operation),
                Some((rate, burst)),
                "{operation}"
            );
            assert_eq!(
                published(Service::Organizations, operation),
                (operation, rate, burst),
                "{operation}"
            );
        }
        assert_eq!(organizations_rate("EnablePolicyType"), None);
        assert_eq!(
            published(Service::Organizations, "EnablePolicyType"),
            ("EnablePolicyType", 1.0, 1.0)
        );
    }

    #[test]
    fn sso_admin_shares_one_scope_and_identity_store_writes_have_their_own() {
        for operation in [
            "CreateAccountAssignment",
            "ProvisionPermissionSet",
            "DescribeAccountAssignmentCreationStatus",
        ] {
            assert_eq!(
                published(Service::SsoAdmin, operation),
                ("sso-admin", 20.0, 20.0)
            );
        }
        for operation in ["CreateUser", "CreateGroupMembership", "ListUsers"] {
            assert_eq!(
                published(Service::IdentityStore, operation),
                (operation, 20.0, 20.0)
            );
        }
    }

    #[tokio::test]
    async fn sso_admin_operations_share_one_bucket() {
        // 20/s, burst 20; ×10 → 200/s, burst 20: 130 calls alternating two operations
        // = 20 free + 110 at 200/s = 0.55 s, as if they were one operation.
        let limiter = RateLimiter::new(RateLimits::scaled(10.0));
        let start = Instant::now();
        for index in 0..130 {
            let operation = if index % 2 == 0 {
                "ListPermissionSets"
            } else {
                "DescribePermissionSet"
            };
            limiter.acquire(Service::SsoAdmin, operation).await;
        }
        let elapsed = start.elapsed();
        assert!(within(elapsed, 520, 850), "{elapsed:?}");
    }

    #[tokio::test]
    async fn identity_store_operations_have_separate_buckets() {
        let limiter = RateLimiter::new(RateLimits::aws());
        let start = Instant::now();
        for _ in 0..20 {
            limiter.acquire(Service::IdentityStore, "ListUsers").await;
            limiter.acquire(Service::IdentityStore, "ListGroups").await;
        }
        assert!(start.elapsed() < Duration::from_millis(50));
    }

    #[tokio::test]
    async fn unlimited_never_waits() {
        let limiter = RateLimiter::new(RateLimits::unlimited());
        for _ in 0..100 {
            assert_eq!(
                limiter.acquire(Service::Organizations, "ListRoots").await,
                Duration::ZERO
            );
        }
        assert!(RateLimits::scaled(0.0).factor().is_none());
        assert_eq!(RateLimits::scaled(10.0).factor(), Some(10.0));
    }
}
