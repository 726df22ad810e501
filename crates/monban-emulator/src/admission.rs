//! Admission: whether a request may run its operation at all — the realistic profile's
//! request-rate limits (`limits`) and the injected faults (`faults`) — and, when not, the
//! exact error the service sends for it.
//!
//! Called by the protocol layer after authentication and before the operation's input is
//! read or the World is touched, so a refused request changes nothing. The errors are the
//! services' own modeled exceptions, serialized like every other error by
//! `protocol::error`:
//!
//! | | SSO Admin | Identity Store | Organizations |
//! |---|---|---|---|
//! | rate limit, throttle | `ThrottlingException` "Rate exceeded" (400) | `ThrottlingException` "Rate exceeded" + `RetryAfterSeconds` (400) | `TooManyRequestsException` (400, `Type` `RequestThrottled`) |
//! | server error | `InternalServerException` (500) | `InternalServerException` (500) | `ServiceException` (500) |
//! | conflict (writes) | `ConflictException` "There is a conflicting operation in process." | `ConflictException` `CONCURRENT_MODIFICATION` | `ConcurrentModificationException` |

use std::time::Duration;

use crate::engine::Engine;
use crate::faults::Injected;
use crate::protocol::error::WireError;
use crate::services::identity_store::error::{ConflictExceptionReason, IdentityStoreError};
use crate::services::organizations::OrganizationsError;
use crate::services::sso_admin::SsoAdminError;

/// The `Message` AWS sends with a rate-limit `ThrottlingException` (seen in CloudTrail
/// records of SSO Admin calls, hashicorp/terraform-provider-aws#25552).
pub const RATE_EXCEEDED: &str = "Rate exceeded";

/// Organizations' throttling message (the model's `TooManyRequestsException`
/// documentation; observed verbatim from ListRoots, awslabs/aws-deployment-framework#781).
pub const ORGANIZATIONS_TOO_MANY_REQUESTS: &str =
    "You have sent too many requests in too short a period of time. Try again later.";

/// The `Type` member of Organizations' `TooManyRequestsException`. AWS models it as a free
/// string and no public capture shows its value: sandbox decision.
pub const ORGANIZATIONS_THROTTLE_TYPE: &str = "RequestThrottled";

/// Decides whether a request to `operation` of `service` by `account_id` may run: takes a
/// token from its rate-limit buckets (realistic profile), then asks the fault injector.
/// `write` says whether the operation changes state (conflicts are injected into writes
/// only). On refusal returns why and the service's error.
pub(crate) fn admit(
    engine: &Engine,
    service: &str,
    operation: &str,
    account_id: &str,
    write: bool,
) -> Result<(), (Injected, WireError)> {
    if let Some(limiter) = engine.limiter()
        && let Err(retry_after) = limiter.try_acquire(service, operation, account_id)
    {
        let injected = Injected::RateLimit { retry_after };
        return Err((injected, error_for(service, injected)));
    }
    match engine.decide_fault(service, operation, write) {
        Some(injected) => Err((injected, error_for(service, injected))),
        None => Ok(()),
    }
}

/// The error `service` answers with for `injected`.
#[must_use]
pub fn error_for(service: &str, injected: Injected) -> WireError {
    match service {
        "organizations" => WireError::from_service(&organizations_error(injected)),
        "identitystore" => WireError::from_service(&identity_store_error(injected)),
        _ => WireError::from_service(&sso_admin_error(injected)),
    }
}

fn sso_admin_error(injected: Injected) -> SsoAdminError {
    match injected {
        Injected::RateLimit { .. } | Injected::Throttle => SsoAdminError::ThrottlingException {
            message: RATE_EXCEEDED.into(),
            reason: None,
        },
        Injected::ServerError => SsoAdminError::InternalServerException {
            message: "The request processing has failed because of an unknown error, exception, or failure with an internal server.".into(),
        },
        Injected::Conflict => SsoAdminError::ConflictException {
            message: "There is a conflicting operation in process.".into(),
        },
    }
}

/// Whole seconds until a retry may succeed (at least 1), for `RetryAfterSeconds`.
fn retry_after_seconds(retry_after: Duration) -> i32 {
    let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    i32::try_from(seconds.max(1)).unwrap_or(i32::MAX)
}

fn identity_store_error(injected: Injected) -> IdentityStoreError {
    match injected {
        Injected::RateLimit { retry_after } => IdentityStoreError::ThrottlingException {
            message: RATE_EXCEEDED.into(),
            retry_after_seconds: Some(retry_after_seconds(retry_after)),
            reason: None,
        },
        Injected::Throttle => IdentityStoreError::ThrottlingException {
            message: RATE_EXCEEDED.into(),
            retry_after_seconds: Some(1),
            reason: None,
        },
        Injected::ServerError => IdentityStoreError::InternalServerException {
            message: "The request processing has failed because of an unknown error, exception or failure with an internal server.".into(),
            retry_after_seconds: Some(1),
        },
        Injected::Conflict => IdentityStoreError::ConflictException {
            message: "The requested resource was being concurrently modified by another request."
                .into(),
            reason: ConflictExceptionReason::ConcurrentModification,
        },
    }
}

fn organizations_error(injected: Injected) -> OrganizationsError {
    match injected {
        Injected::RateLimit { .. } | Injected::Throttle => {
            OrganizationsError::TooManyRequestsException {
                exception_type: Some(ORGANIZATIONS_THROTTLE_TYPE.into()),
                message: ORGANIZATIONS_TOO_MANY_REQUESTS.into(),
            }
        }
        Injected::ServerError => OrganizationsError::ServiceException {
            message: "AWS Organizations can't complete your request because of an internal service error. Try again later.".into(),
        },
        Injected::Conflict => OrganizationsError::ConcurrentModificationException {
            message: "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later.".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn each_service_answers_with_its_own_modeled_errors() {
        let throttled = error_for("sso-admin", Injected::Throttle);
        assert_eq!(throttled.type_name, "ThrottlingException");
        assert_eq!(throttled.status, StatusCode::BAD_REQUEST);
        assert_eq!(throttled.message(), "Rate exceeded");
        let organizations = error_for(
            "organizations",
            Injected::RateLimit {
                retry_after: Duration::from_millis(10),
            },
        );
        assert_eq!(organizations.type_name, "TooManyRequestsException");
        assert_eq!(organizations.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            error_for("organizations", Injected::ServerError).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            error_for("organizations", Injected::Conflict).type_name,
            "ConcurrentModificationException"
        );
        assert_eq!(
            error_for("identitystore", Injected::ServerError).type_name,
            "InternalServerException"
        );
        assert_eq!(retry_after_seconds(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
    }
}
