//! The control API's account baseline (`crate::baseline`):
//!
//! - `GET /_sandbox/account-baseline` — `{"policies": [{"name", "path", "document"}]}`, the
//!   baseline in force (`document` is `null` for the default allow-nothing document).
//! - `POST /_sandbox/account-baseline` — the same body; replaces the baseline and creates
//!   its policies in every active account at once. Answers the baseline and `created`, how
//!   many policies were created. An unusable policy is 400 `InvalidBaseline`, nothing
//!   changed.
//!
//! `POST /_sandbox/reset` restores the baseline the server started with.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{blocking, control_error, saved};
use crate::baseline::{self, BaselinePolicy};
use crate::engine::Engine;

/// The body of `POST /_sandbox/account-baseline`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SetBaseline {
    policies: Vec<BaselinePolicy>,
}

pub(super) async fn get_baseline(State(engine): State<Arc<Engine>>) -> Response {
    blocking(move || {
        let world = engine.lock_world();
        Json(json!({ "policies": world.account_baseline })).into_response()
    })
    .await
}

pub(super) async fn set_baseline(
    State(engine): State<Arc<Engine>>,
    body: Result<Json<SetBaseline>, JsonRejection>,
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
    blocking(move || {
        let mut world = engine.lock_world();
        let now = world.clock.now();
        // Accounts whose creation is due join first, so the baseline reaches them too.
        world.settle(now);
        match baseline::replace(&mut world, body.policies, now) {
            Ok(created) => {
                let answer = json!({ "policies": world.account_baseline, "created": created });
                saved(&engine, &world, answer)
            }
            Err(error) => control_error(
                StatusCode::BAD_REQUEST,
                "InvalidBaseline",
                error.to_string(),
            ),
        }
    })
    .await
}
