//! How often someone may do something (issue 10, items 6 and 7): limits on mail and reports per
//! address and per client, and the slow-down of sign-in attempts. Pure arithmetic on
//! milliseconds; the store keeps one number per key, so every server sharing the database counts
//! together.
//!
//! A limit of `count` per `window` is the generic cell rate algorithm (GCRA, as in ATM networks
//! and RFC 2697's spirit): each key keeps a "theoretical arrival time" (TAT); an event is allowed
//! when the TAT lies no more than `window - interval` ahead of now, and moves the TAT one
//! `interval = window / count` further. That allows a burst of `count` at once and then one per
//! interval (`count` per window on average), with one number stored per key.

use chrono::Duration;

/// At most `count` events in any `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub count: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn new(count: u32, window: Duration) -> Limit {
        Limit { count, window }
    }

    fn interval_ms(self) -> i64 {
        (self.window.num_milliseconds() / i64::from(self.count.max(1))).max(1)
    }

    // (count - 1) intervals rather than `window - interval`: the interval is rounded down to whole
    // milliseconds, and the remainder must not buy one event more than the burst plus the rate.
    fn tolerance_ms(self) -> i64 {
        self.interval_ms() * i64::from(self.count.max(1) - 1)
    }
}

/// SEC-1: whether one more event is allowed at `now_ms` for a key whose theoretical arrival time is
/// `tat_ms` (`None`: never seen, or forgotten): `Ok` with the new time to store, or `Err` with
/// the milliseconds to wait before it is allowed.
pub fn admit(limit: Limit, tat_ms: Option<i64>, now_ms: i64) -> Result<i64, i64> {
    let tat = tat_ms.unwrap_or(now_ms).max(now_ms);
    let allowed_from = tat - limit.tolerance_ms();
    if allowed_from <= now_ms {
        Ok(tat + limit.interval_ms())
    } else {
        Err(allowed_from - now_ms)
    }
}

/// When a key's state can be forgotten: once its TAT is past, it is as if never seen.
pub fn forgettable(tat_ms: i64, now_ms: i64) -> bool {
    tat_ms <= now_ms
}

/// Wrong sign-ins in a row (per address, whether it has an account or not) before each further
/// attempt must wait.
pub const FREE_SIGN_IN_FAILURES: u32 = 5;
/// The longest wait between attempts on one address: the slow-down never locks anyone out for
/// longer than this, however many attempts an attacker makes.
pub const MAX_SIGN_IN_DELAY: Duration = Duration::seconds(60);

/// SEC-2: how long to wait after the last of `failures` wrong sign-ins in a row before the next
/// attempt is heard: nothing for the first [`FREE_SIGN_IN_FAILURES`], then 1, 2, 4 ... seconds, at
/// most [`MAX_SIGN_IN_DELAY`].
pub fn sign_in_delay(failures: u32) -> Duration {
    if failures < FREE_SIGN_IN_FAILURES {
        return Duration::zero();
    }
    let doublings = (failures - FREE_SIGN_IN_FAILURES).min(16);
    Duration::seconds(1i64 << doublings).min(MAX_SIGN_IN_DELAY)
}

/// The sign-in state of an address packed in the one number the store keeps per key: the time of
/// the last failure in milliseconds times 64, plus the failures in a row (at most 63).
pub fn pack_failures(last_failure_ms: i64, failures: u32) -> i64 {
    last_failure_ms.saturating_mul(64) + i64::from(failures.min(63))
}

/// The last failure's time and the failures in a row, from [`pack_failures`].
pub fn unpack_failures(state: i64) -> (i64, u32) {
    (state.div_euclid(64), state.rem_euclid(64) as u32)
}

/// Whether an attempt on an address is heard now, given its packed state: `Err` with the
/// milliseconds still to wait.
pub fn sign_in_allowed(state: Option<i64>, now_ms: i64) -> Result<(), i64> {
    let Some((last, failures)) = state.map(unpack_failures) else {
        return Ok(());
    };
    let ready = last + sign_in_delay(failures).num_milliseconds();
    if ready <= now_ms { Ok(()) } else { Err(ready - now_ms) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FIVE_PER_TEN_MINUTES: Limit = Limit::new(5, Duration::minutes(10));

    #[test]
    fn a_burst_of_count_then_one_per_interval() {
        let mut tat = None;
        for _ in 0..5 {
            tat = Some(admit(FIVE_PER_TEN_MINUTES, tat, 0).expect("within the burst"));
        }
        let wait = admit(FIVE_PER_TEN_MINUTES, tat, 0).unwrap_err();
        assert_eq!(wait, 120_000, "one more after a fifth of the window");
        assert!(admit(FIVE_PER_TEN_MINUTES, tat, 119_999).is_err());
        let tat = admit(FIVE_PER_TEN_MINUTES, tat, 120_000).expect("allowed again");
        assert!(admit(FIVE_PER_TEN_MINUTES, Some(tat), 120_000).is_err());
        // After the whole window the key is as new.
        assert!(forgettable(tat, 720_000));
    }

    #[test]
    fn one_per_hour_is_one_per_hour() {
        let hour = Limit::new(1, Duration::hours(1));
        let tat = admit(hour, None, 0).unwrap();
        assert_eq!(admit(hour, Some(tat), 3_599_999), Err(1));
        assert!(admit(hour, Some(tat), 3_600_000).is_ok());
    }

    #[test]
    fn a_window_not_divisible_by_the_count_allows_no_extra_event() {
        // 2,194 s / 3 is 731,333 ms and a remainder: it once let a fourth event in at 731,332 ms.
        let limit = Limit::new(3, Duration::seconds(2_194));
        let mut tat = None;
        for _ in 0..3 {
            tat = Some(admit(limit, tat, 0).expect("within the burst"));
        }
        assert_eq!(admit(limit, tat, 731_332), Err(1));
        assert!(admit(limit, tat, 731_333).is_ok());
    }

    #[test]
    fn the_sign_in_delay_doubles_and_stops_at_a_minute() {
        let delays: Vec<i64> = (0..14).map(|f| sign_in_delay(f).num_seconds()).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(sign_in_delay(u32::MAX), MAX_SIGN_IN_DELAY);
        let state = pack_failures(1_000_000, 6);
        assert_eq!(unpack_failures(state), (1_000_000, 6));
        assert_eq!(sign_in_allowed(Some(state), 1_001_000), Err(1_000));
        assert_eq!(sign_in_allowed(Some(state), 1_002_000), Ok(()));
        assert_eq!(sign_in_allowed(None, 0), Ok(()));
        assert_eq!(sign_in_allowed(Some(pack_failures(5, 4)), 5), Ok(()));
    }

    proptest! {
        /// However events arrive, between any two allowed ones there are no more than `count`
        /// plus one per interval elapsed: a burst of `count`, then the steady rate.
        #[test]
        fn never_more_than_the_burst_plus_the_rate(count in 1u32..10, window_s in 1i64..3_600, gaps in proptest::collection::vec(0i64..600_000, 1..200)) {
            let limit = Limit::new(count, Duration::seconds(window_s));
            let mut tat = None;
            let mut now = 0;
            let mut allowed = Vec::new();
            for gap in gaps {
                now += gap;
                if let Ok(next) = admit(limit, tat, now) {
                    tat = Some(next);
                    allowed.push(now);
                }
            }
            let interval = limit.interval_ms();
            for i in 0..allowed.len() {
                for j in i..allowed.len() {
                    let events = (j - i + 1) as i64;
                    prop_assert!(events <= i64::from(count) + (allowed[j] - allowed[i]) / interval);
                }
            }
        }
    }
}
