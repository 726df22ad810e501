//! Client-side rate limiting: one token bucket per AWS throttling scope, with the rates AWS
//! publishes (aws-api-facts §4), so monban runs as fast as AWS allows and no faster.
//!
//! - SSO Admin: a collective 20 requests/s for the whole API — one bucket for every
//!   operation.
//! - Identity Store: 20 requests/s per API — one bucket per operation.
//! - Organizations: a per-API table (rate, burst) — one bucket per operation, with the
//!   per-account values (the caller's account is what AWS meters). Operations missing from
//!   the table get the most conservative rate (1/s, burst 1).
//! - STS: not limited here (its quota is far above what one read needs).
//!
//! A bucket hands out reservations: a caller takes a token even when the bucket is empty and
//! sleeps until its token would have accrued, so waiters are served in arrival order
//! without polling. SDK retries (on a throttling answer) do not pass through the buckets;
//! they are the backstop, not the plan.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// How fast monban may call AWS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimits {
    /// Every published rate and burst is multiplied by this; `None` = no client-side limit.
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

    /// AWS's rates multiplied by `factor` (e.g. `10.0` for a benchmark against a fast
    /// sandbox that does not throttle). A factor that is not a positive number means no
    /// limit.
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
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Organizations => "organizations",
            Self::SsoAdmin => "sso-admin",
            Self::IdentityStore => "identitystore",
        }
    }
}

/// AWS's published (rate per second, burst) for `operation` of `service`, and the bucket it
/// shares. Source: aws-api-facts §4.1 (IAM Identity Center quotas page) and §4.2
/// (Organizations quotas page, per-account column).
fn published(service: Service, operation: &'static str) -> (&'static str, f64, f64) {
    match service {
        Service::SsoAdmin => ("sso-admin", 20.0, 20.0),
        Service::IdentityStore => (operation, 20.0, 20.0),
        Service::Organizations => {
            let (rate, burst) = match operation {
                "DescribeAccount" => (20.0, 30.0),
                "ListTagsForResource" => (10.0, 15.0),
                "ListAccounts" => (8.0, 12.0),
                "ListChildren" => (6.0, 10.0),
                "ListParents"
                | "ListAccountsForParent"
                | "ListOrganizationalUnitsForParent"
                | "ListCreateAccountStatus"
                | "ListDelegatedAdministrators"
                | "ListPolicies"
                | "ListPoliciesForTarget"
                | "ListTargetsForPolicy" => (5.0, 8.0),
                "DescribeCreateAccountStatus" | "DescribeOrganizationalUnit" => (2.0, 2.0),
                "DescribeOrganization" | "ListRoots" => (1.0, 2.0),
                _ => (1.0, 1.0),
            };
            (operation, rate, burst)
        }
    }
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
                    .or_insert_with(|| Arc::new(Bucket::new(rate * factor, burst * factor))),
            )
        };
        let wait = bucket.reserve();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real time (tokio's paused clock needs the `test-util` feature, which would rebuild the
    // SDK); rates are scaled up so each test takes a fraction of a second.

    #[tokio::test]
    async fn a_bucket_allows_its_burst_then_its_rate() {
        // ListRoots: 1/s, burst 2; ×10 → 10/s, burst 20: 25 calls = 20 free + 5 at 10/s.
        let limiter = RateLimiter::new(RateLimits::scaled(10.0));
        let start = Instant::now();
        for _ in 0..25 {
            limiter.acquire(Service::Organizations, "ListRoots").await;
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(480) && elapsed <= Duration::from_millis(800),
            "{elapsed:?}"
        );
    }

    #[tokio::test]
    async fn sso_admin_operations_share_one_bucket() {
        // 20/s, burst 20; ×5 → 100/s, burst 100: 130 calls alternating two operations
        // = 100 free + 30 at 100/s, as if they were one operation.
        let limiter = RateLimiter::new(RateLimits::scaled(5.0));
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
        assert!(
            elapsed >= Duration::from_millis(280) && elapsed <= Duration::from_millis(600),
            "{elapsed:?}"
        );
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
