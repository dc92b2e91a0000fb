//! Exponential backoff between failed attempts.

use std::time::Duration;

/// Doubling delays from `base`, capped at `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    /// Starts at `base`, never waits longer than `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self { base, max: max.max(base), failures: 0 }
    }

    /// Records a failure and returns the delay before the next attempt:
    /// `base × 2^(failures − 1)`, capped.
    pub fn next_delay(&mut self) -> Duration {
        let factor = 1u32.checked_shl(self.failures.min(31)).unwrap_or(u32::MAX);
        self.failures = self.failures.saturating_add(1);
        self.base.checked_mul(factor).unwrap_or(self.max).min(self.max)
    }

    /// Consecutive failures so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Back to the base delay after a success.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps_then_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
        let delays: Vec<u64> = (0..6).map(|_| b.next_delay().as_millis() as u64).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(b.failures(), 6);
        for _ in 0..100 {
            assert!(b.next_delay() <= Duration::from_secs(1));
        }
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
    }
}
