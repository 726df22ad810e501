//! The realistic profile's request-rate limits: token buckets with the rates and bursts AWS
//! publishes, per API as AWS defines them (aws-api-facts §4.1, §4.2):
//!
//! - SSO Admin: a collective 20 requests/s for the whole API (one bucket for every
//!   operation of the instance). AWS publishes no burst; the sandbox allows 20.
//! - Identity Store: 20 requests/s per API (one bucket per operation), burst 20.
//! - Organizations: one bucket per operation and calling account with the published
//!   (rate, burst), plus — where AWS publishes one — a per-organization bucket shared by all
//!   callers. A request needs a token from both. Operations missing from AWS's table get
//!   1/s, burst 1 (the most conservative published value; monban's own client-side limiter
//!   assumes the same).
//!
//! Buckets refill in real time (the sandbox clock's advances do not refill them) at the
//! published rate multiplied by the time scale; bursts are counts and stay as published. A
//! request that finds a bucket empty takes no token from any bucket.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// One published limit: requests per second and burst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Sustained requests per second.
    pub rate: f64,
    /// Bucket size.
    pub burst: f64,
}

const fn limit(rate: f64, burst: f64) -> RateLimit {
    RateLimit { rate, burst }
}

/// Organizations' published (per account, per organization) limits for `operation`
/// (orgs_reference_limits, aws-api-facts §4.2). `None` per organization where AWS publishes
/// only a per-account value.
#[must_use]
pub fn organizations_limits(operation: &str) -> (RateLimit, Option<RateLimit>) {
    match operation {
        "CloseAccount" => (limit(0.05, 1.0), None),
        "CreateAccount" | "CreateGovCloudAccount" => (limit(0.1, 3.0), None),
        "DescribeAccount" => (limit(20.0, 30.0), Some(limit(24.0, 36.0))),
        "DescribeCreateAccountStatus" | "DescribeOrganizationalUnit" | "DescribePolicy" => {
            (limit(2.0, 2.0), Some(limit(2.0, 3.0)))
        }
        "ListCreateAccountStatus"
        | "ListParents"
        | "ListAccountsForParent"
        | "ListOrganizationalUnitsForParent"
        | "ListPolicies"
        | "ListPoliciesForTarget"
        | "ListTargetsForPolicy"
        | "ListDelegatedAdministrators"
        | "ListHandshakesForAccount"
        | "ListHandshakesForOrganization" => (limit(5.0, 8.0), Some(limit(6.0, 10.0))),
        "MoveAccount"
        | "UpdateOrganizationalUnit"
        | "DeleteOrganizationalUnit"
        | "CreatePolicy"
        | "DeletePolicy"
        | "AttachPolicy"
        | "DetachPolicy"
        | "UpdatePolicy"
        | "CancelHandshake" => (limit(2.0, 3.0), None),
        "ListAccounts" => (limit(8.0, 12.0), Some(limit(9.0, 15.0))),
        "ListChildren" => (limit(6.0, 10.0), Some(limit(7.0, 12.0))),
        "ListRoots" => (limit(1.0, 2.0), Some(limit(1.0, 3.0))),
        "ListTagsForResource" => (limit(10.0, 15.0), Some(limit(12.0, 18.0))),
        "RemoveAccountFromOrganization" => (limit(2.0, 2.0), None),
        "TagResource" | "UntagResource" => (limit(4.0, 6.0), None),
        "CreateOrganizationalUnit"
        | "DescribeOrganization"
        | "EnableAWSServiceAccess"
        | "DisableAWSServiceAccess"
        | "RegisterDelegatedAdministrator"
        | "DeregisterDelegatedAdministrator" => (limit(1.0, 2.0), None),
        "ListAWSServiceAccessForOrganization" | "ListDelegatedServicesForAccount" => {
            (limit(1.0, 3.0), Some(limit(1.0, 4.0)))
        }
        "AcceptHandshake" => (limit(1.0, 2.0), Some(limit(5.0, 5.0))),
        "DescribeHandshake" => (limit(1.0, 2.0), Some(limit(6.0, 10.0))),
        "DeclineHandshake" => (limit(1.0, 1.0), Some(limit(5.0, 5.0))),
        "InviteAccountToOrganization" => (limit(3.0, 5.0), None),
        // Published as 1/s, burst 1: EnablePolicyType, DisablePolicyType,
        // CreateOrganization, DeleteOrganization, LeaveOrganization. Operations not in AWS's
        // table get the same, the most conservative published value.
        _ => (limit(1.0, 1.0), None),
    }
}

/// SSO Admin's collective limit (the whole API, per instance).
pub const SSO_ADMIN: RateLimit = limit(20.0, 20.0);
/// Identity Store's limit per API (operation).
pub const IDENTITY_STORE: RateLimit = limit(20.0, 20.0);
/// IAM Identity Center SCIM's limit per API for writes (POST, PUT, PATCH, DELETE) and for
/// reads: 25 and 40 TPS (aws-api-facts §4.1, "SCIM APIs"); AWS publishes no burst, so the
/// bucket holds one second's worth (sandbox decision).
pub const SCIM_WRITE: RateLimit = limit(25.0, 25.0);
/// See [`SCIM_WRITE`].
pub const SCIM_READ: RateLimit = limit(40.0, 40.0);

/// The buckets a request to `operation` of `service` by `account_id` draws from: (bucket
/// key, limit). Services without published limits (none so far) draw from none.
#[must_use]
pub fn buckets_for(service: &str, operation: &str, account_id: &str) -> Vec<(String, RateLimit)> {
    match service {
        "sso-admin" => vec![("sso-admin".to_owned(), SSO_ADMIN)],
        "identitystore" => vec![(format!("identitystore:{operation}"), IDENTITY_STORE)],
        "scim" => {
            let write = ["Create", "Put", "Patch", "Delete"]
                .iter()
                .any(|verb| operation.starts_with(verb));
            let limit = if write { SCIM_WRITE } else { SCIM_READ };
            vec![(format!("scim:{operation}"), limit)]
        }
        "organizations" => {
            let (per_account, per_organization) = organizations_limits(operation);
            let mut buckets = vec![(
                format!("organizations:{operation}:{account_id}"),
                per_account,
            )];
            if let Some(per_organization) = per_organization {
                buckets.push((format!("organizations:{operation}"), per_organization));
            }
            buckets
        }
        _ => Vec::new(),
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Every bucket of one server, created full on first use.
#[derive(Debug)]
pub struct RateLimiter {
    time_scale: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limiter whose rates are multiplied by `time_scale` (a positive finite number).
    #[must_use]
    pub fn new(time_scale: f64) -> Self {
        Self {
            time_scale,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from each bucket of the request, or — when one is empty — none, and
    /// says how long until that bucket holds a token again.
    pub fn try_acquire(
        &self,
        service: &str,
        operation: &str,
        account_id: &str,
    ) -> Result<(), Duration> {
        self.try_acquire_at(service, operation, account_id, Instant::now())
    }

    fn try_acquire_at(
        &self,
        service: &str,
        operation: &str,
        account_id: &str,
        now: Instant,
    ) -> Result<(), Duration> {
        let wanted = buckets_for(service, operation, account_id);
        if wanted.is_empty() {
            return Ok(());
        }
        // Arithmetic only under this lock: a poisoned one still holds valid numbers.
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = Duration::ZERO;
        for (key, limit) in &wanted {
            let rate = limit.rate * self.time_scale;
            let bucket = buckets.entry(key.clone()).or_insert(Bucket {
                tokens: limit.burst,
                updated: now,
            });
            let accrued = now.saturating_duration_since(bucket.updated).as_secs_f64() * rate;
            bucket.tokens = (bucket.tokens + accrued).min(limit.burst);
            bucket.updated = now;
            if bucket.tokens < 1.0 {
                let missing = Duration::try_from_secs_f64((1.0 - bucket.tokens) / rate)
                    .unwrap_or(Duration::MAX);
                wait = wait.max(missing);
            }
        }
        if wait > Duration::ZERO {
            return Err(wait);
        }
        for (key, _) in &wanted {
            if let Some(bucket) = buckets.get_mut(key) {
                bucket.tokens -= 1.0;
            }
        }
        Ok(())
    }

    /// Refills every bucket (a fresh start, as after a reset).
    pub fn clear(&self) {
        self.buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_drains_the_bucket_and_it_refills_at_the_rate() {
        let limiter = RateLimiter::new(1.0);
        let start = Instant::now();
        for _ in 0..20 {
            limiter
                .try_acquire_at("sso-admin", "ListPermissionSets", "1", start)
                .unwrap();
        }
        // One API-wide bucket: another operation is refused too.
        let wait = limiter
            .try_acquire_at("sso-admin", "DescribePermissionSet", "1", start)
            .unwrap_err();
        assert_eq!(wait, Duration::from_millis(50));
        let later = start + Duration::from_millis(50);
        limiter
            .try_acquire_at("sso-admin", "DescribePermissionSet", "1", later)
            .unwrap();
    }

    #[test]
    fn organizations_buckets_are_per_operation_and_account_with_the_published_burst() {
        let limiter = RateLimiter::new(1.0);
        let now = Instant::now();
        for _ in 0..2 {
            limiter
                .try_acquire_at("organizations", "DescribeCreateAccountStatus", "1", now)
                .unwrap();
        }
        assert!(
            limiter
                .try_acquire_at("organizations", "DescribeCreateAccountStatus", "1", now)
                .is_err()
        );
        // Another operation has its own bucket.
        limiter
            .try_acquire_at("organizations", "ListAccounts", "1", now)
            .unwrap();
        // Another account: its own per-account bucket, but the per-organization bucket
        // (2/s, burst 3) has one token left.
        limiter
            .try_acquire_at("organizations", "DescribeCreateAccountStatus", "2", now)
            .unwrap();
        assert!(
            limiter
                .try_acquire_at("organizations", "DescribeCreateAccountStatus", "2", now)
                .is_err()
        );
    }

    #[test]
    fn the_time_scale_multiplies_the_refill_rate() {
        let limiter = RateLimiter::new(10.0);
        let start = Instant::now();
        for _ in 0..3 {
            limiter
                .try_acquire_at("organizations", "CreateAccount", "1", start)
                .unwrap();
        }
        // 0.1/s × 10 = one token per second.
        let wait = limiter
            .try_acquire_at("organizations", "CreateAccount", "1", start)
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
    }

    #[test]
    fn identity_store_limits_each_api_separately() {
        let limiter = RateLimiter::new(1.0);
        let now = Instant::now();
        for _ in 0..20 {
            limiter
                .try_acquire_at("identitystore", "ListUsers", "1", now)
                .unwrap();
        }
        assert!(
            limiter
                .try_acquire_at("identitystore", "ListUsers", "1", now)
                .is_err()
        );
        limiter
            .try_acquire_at("identitystore", "ListGroups", "1", now)
            .unwrap();
    }

    #[test]
    fn scim_limits_each_api_with_the_write_or_read_rate() {
        assert_eq!(
            buckets_for("scim", "PatchUser", "tenant"),
            vec![("scim:PatchUser".to_owned(), SCIM_WRITE)]
        );
        assert_eq!(
            buckets_for("scim", "ListUsers", "tenant"),
            vec![("scim:ListUsers".to_owned(), SCIM_READ)]
        );
    }
}
