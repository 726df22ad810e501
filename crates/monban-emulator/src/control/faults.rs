//! The control API's fault injection and profile endpoints:
//!
//! - `GET /_sandbox/faults` — the faults in force and their seed.
//! - `POST /_sandbox/faults` `{"global": {...}, "operations": {"Op": {...}}, "seed": n}` —
//!   replaces them (the seed is kept unless given); decisions start over from the seed.
//! - `DELETE /_sandbox/faults` — no faults any more (the seed is kept).
//! - `GET /_sandbox/profile` — the profile, time scale, async durations and which limits
//!   apply.
//!
//! `POST /_sandbox/reset` restores the faults the server started with (`Config::faults`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::control_error;
use crate::engine::Engine;
use crate::faults::{FaultRates, FaultSettings};

/// The body of `POST /_sandbox/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SetFaults {
    #[serde(default)]
    global: FaultRates,
    #[serde(default)]
    operations: std::collections::BTreeMap<String, FaultRates>,
    #[serde(default)]
    seed: Option<u64>,
}

fn faults_body(engine: &Engine) -> Response {
    let (settings, seed) = engine.faults();
    Json(json!({
        "global": settings.global,
        "operations": settings.operations,
        "seed": seed,
    }))
    .into_response()
}

pub(super) async fn get_faults(State(engine): State<Arc<Engine>>) -> Response {
    faults_body(&engine)
}

pub(super) async fn set_faults(
    State(engine): State<Arc<Engine>>,
    body: Result<Json<SetFaults>, JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                rejection.body_text(),
            );
        }
    };
    let settings = FaultSettings {
        global: body.global,
        operations: body.operations,
    };
    if let Err(error) = settings.validate() {
        return control_error(StatusCode::BAD_REQUEST, "InvalidFaults", error.to_string());
    }
    engine.set_faults(settings, body.seed);
    faults_body(&engine)
}

pub(super) async fn clear_faults(State(engine): State<Arc<Engine>>) -> Response {
    engine.set_faults(FaultSettings::default(), None);
    faults_body(&engine)
}

pub(super) async fn profile(State(engine): State<Arc<Engine>>) -> Response {
    let config = engine.config();
    let durations = engine.settings().durations;
    let seconds = |duration: jiff::SignedDuration| duration.as_secs_f64();
    Json(json!({
        "profile": config.profile.name(),
        "time_scale": config.time_scale,
        "rate_limits": engine.limiter().is_some(),
        "concurrency_limits": engine.settings().concurrency_limits,
        "async_durations_seconds": {
            "CreateAccount": seconds(durations.create_account),
            "CloseAccount": seconds(durations.close_account),
            "CreateAccountAssignment": seconds(durations.create_account_assignment),
            "DeleteAccountAssignment": seconds(durations.delete_account_assignment),
            "ProvisionPermissionSet": seconds(durations.provision_permission_set),
        },
    }))
    .into_response()
}
