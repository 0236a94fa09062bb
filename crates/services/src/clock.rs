//! The only source of "now" (docs/ARCHITECTURE.md). Deadlines are calendar days in Brussels.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Brussels;
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Moves a test or demo clock; the system clock cannot be moved and answers false.
    fn set(&self, _to: DateTime<Utc>) -> bool {
        false
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved: for tests, the demo and `--test-clock`.
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn at(now: DateTime<Utc>) -> TestClock {
        TestClock(Mutex::new(now))
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        // A poisoned lock only means another thread panicked while holding a plain value.
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, to: DateTime<Utc>) -> bool {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = to;
        true
    }
}

/// The calendar day in Brussels at an instant.
pub fn brussels_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Brussels).date_naive()
}

/// The first instant of a Brussels calendar day.
pub fn start_of_brussels_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    // Brussels changes clocks at 02:00 or 03:00, never at midnight, so midnight is never skipped.
    Brussels
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The instant an offer due on `due_on` expires: when that day has ended in Brussels.
pub fn end_of_brussels_day(due_on: NaiveDate) -> DateTime<Utc> {
    start_of_brussels_day(due_on + Days::new(1))
}

/// Tokens live in real time, not programme time: moving a demo or test clock through the
/// programme's months must not sign everybody out, nor keep a stolen token alive.
pub(crate) fn wall_clock() -> DateTime<Utc> {
    SystemClock.now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brussels_days_follow_summer_time() {
        let late_evening_utc = Utc.with_ymd_and_hms(2020, 6, 8, 22, 30, 0).unwrap();
        assert_eq!(brussels_date(late_evening_utc), NaiveDate::from_ymd_opt(2020, 6, 9).unwrap());
        assert_eq!(
            end_of_brussels_day(NaiveDate::from_ymd_opt(2020, 6, 8).unwrap()),
            Utc.with_ymd_and_hms(2020, 6, 8, 22, 0, 0).unwrap()
        );
        assert_eq!(
            start_of_brussels_day(NaiveDate::from_ymd_opt(2020, 12, 1).unwrap()),
            Utc.with_ymd_and_hms(2020, 11, 30, 23, 0, 0).unwrap()
        );
    }
}
