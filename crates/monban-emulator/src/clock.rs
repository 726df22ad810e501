//! The sandbox clock: real time plus an offset that only moves forward.
//!
//! Tests and demos advance it through the control API (`POST /_sandbox/clock/advance`) to
//! finish asynchronous operations or expire things without waiting. The offset is part of
//! the World, so it persists: time never runs backwards across a restart.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Real time plus a forward-only offset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// How far the sandbox is ahead of real time.
    offset: SignedDuration,
}

impl Clock {
    /// The sandbox's current time.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        Timestamp::now()
            .checked_add(self.offset)
            .unwrap_or(Timestamp::MAX)
    }

    /// How far the sandbox is ahead of real time.
    #[must_use]
    pub fn offset(&self) -> SignedDuration {
        self.offset
    }

    /// Moves the clock forward. A negative or zero amount is refused: async records and
    /// expiry times are only ever compared against a clock that never goes back.
    pub fn advance(&mut self, by: SignedDuration) -> Result<(), ClockError> {
        if by.is_negative() {
            return Err(ClockError::Backwards);
        }
        self.offset = self.offset.checked_add(by).ok_or(ClockError::Overflow)?;
        Ok(())
    }
}

/// Why the clock could not be moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// A negative amount was asked.
    #[error("the sandbox clock only moves forward; give a positive number of seconds")]
    Backwards,
    /// The offset would overflow.
    #[error("the sandbox clock cannot be advanced that far")]
    Overflow,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_and_never_back() {
        let mut clock = Clock::default();
        let before = clock.now();
        clock.advance(SignedDuration::from_hours(2)).unwrap();
        assert!(clock.now().duration_since(before) >= SignedDuration::from_hours(2));
        assert_eq!(
            clock.advance(SignedDuration::from_secs(-1)),
            Err(ClockError::Backwards)
        );
    }
}
