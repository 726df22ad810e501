//! Timestamps on the awsJson wire: epoch seconds as a JSON number, fractional allowed
//! (no shape in these models overrides `timestampFormat`; aws-api-facts §1.4).
//!
//! Use on output structs: `#[serde(serialize_with = "epoch_seconds")]` or, for optional
//! members, `#[serde(serialize_with = "optional_epoch_seconds", skip_serializing_if = "Option::is_none")]`.

use jiff::Timestamp;
use serde::Serializer;

/// `Timestamp` → epoch seconds with millisecond precision.
#[must_use]
pub fn to_epoch_seconds(timestamp: Timestamp) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "epoch milliseconds stay far below 2^52 until the year 142,000"
    )]
    let milliseconds = timestamp.as_millisecond() as f64;
    milliseconds / 1000.0
}

/// Serializes a `Timestamp` as epoch seconds.
pub fn epoch_seconds<S: Serializer>(
    timestamp: &Timestamp,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(to_epoch_seconds(*timestamp))
}

/// Serializes an `Option<Timestamp>` as epoch seconds (pair with `skip_serializing_if`).
pub fn optional_epoch_seconds<S: Serializer>(
    timestamp: &Option<Timestamp>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match timestamp {
        Some(timestamp) => serializer.serialize_f64(to_epoch_seconds(*timestamp)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_seconds() {
        let timestamp = Timestamp::from_millisecond(1_764_395_000_250).unwrap();
        assert!((to_epoch_seconds(timestamp) - 1_764_395_000.25).abs() < f64::EPSILON);
    }
}
