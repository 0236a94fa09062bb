//! Belgian working days (D5): weekends and the ten legal public holidays (Wet van 4 januari 1974)
//! do not count.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).
/// The first day a date in the programme can mean: anything before is a typing error or an
/// attempt (a planned start in 1900; issue 10, item 13).
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};
/// The last day a date in the programme can mean.
pub const LATEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2099, 12, 31) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// SEC-6: whether a date lies within [`EARLIEST_DATE`] and [`LATEST_DATE`].
pub fn is_plausible(date: NaiveDate) -> bool {
    (EARLIEST_DATE..=LATEST_DATE).contains(&date)
}

/// SEC-6: whether `date` lies from `from` up to `years` years after `today`: a planned date that is
/// neither before what it follows nor further ahead than anyone plans.
pub fn within_planning(date: NaiveDate, from: NaiveDate, today: NaiveDate, years: u32) -> bool {
    let latest = today.checked_add_months(chrono::Months::new(12 * years)).unwrap_or(LATEST_DATE);
    is_plausible(date) && date >= from && date <= latest
}

pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // The algorithm yields a day in March or April of any year chrono can represent.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter falls in March or April")
}

/// The ten Belgian legal public holidays of a year.
pub fn legal_holidays(year: i32) -> [NaiveDate; 10] {
    let easter = easter_sunday(year);
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("a fixed holiday exists every year");
    [
        fixed(1, 1),
        easter + Days::new(1), // Easter Monday
        fixed(5, 1),
        easter + Days::new(39), // Ascension
        easter + Days::new(50), // Whit Monday
        fixed(7, 21),
        fixed(8, 15),
        fixed(11, 1),
        fixed(11, 11),
        fixed(12, 25),
    ]
}

pub fn is_legal_holiday(date: NaiveDate) -> bool {
    legal_holidays(date.year()).contains(&date)
}

pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_legal_holiday(date)
}

/// The day that is `n` working days after `from`; `from` itself does not count.
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().expect("deadlines stay far from the end of the calendar");
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Working days from `today` until `due`, as an offer's response term counts them: 0 on the day
/// itself, the calendar days past once it is over (negative).
pub fn working_days_left(today: NaiveDate, due: NaiveDate) -> i64 {
    if due < today {
        return -(today - due).num_days();
    }
    today
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= due)
        .filter(|d| is_working_day(*d))
        .count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_left_skip_weekends_and_holidays() {
        // Monday 18 May 2020 to Tuesday 26 May: Ascension (21 May) and the weekend skipped.
        assert_eq!(working_days_left(d(2020, 5, 18), d(2020, 5, 26)), 5);
        assert_eq!(working_days_left(d(2020, 5, 26), d(2020, 5, 26)), 0);
        assert_eq!(working_days_left(d(2020, 5, 27), d(2020, 5, 26)), -1);
        // The term of an offer of Monday 18 May ends five working days later, with nothing left.
        let due = add_working_days(d(2020, 5, 18), 5);
        assert_eq!(working_days_left(d(2020, 5, 18), due), 5);
        assert_eq!(working_days_left(due, due), 0);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_dates_are_right() {
        assert_eq!(easter_sunday(2020), d(2020, 4, 12));
        assert_eq!(easter_sunday(2021), d(2021, 4, 4));
        assert_eq!(easter_sunday(2022), d(2022, 4, 17));
        assert_eq!(easter_sunday(2024), d(2024, 3, 31));
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
    }

    #[test]
    fn the_2020_holidays_include_ascension_and_whit_monday() {
        assert!(is_legal_holiday(d(2020, 5, 21)));
        assert!(is_legal_holiday(d(2020, 6, 1)));
        assert!(is_legal_holiday(d(2020, 4, 13)));
        assert!(is_legal_holiday(d(2020, 7, 21)));
        assert!(!is_legal_holiday(d(2020, 7, 11)), "11 July is a Flemish, not a legal, holiday");
    }

    #[test]
    fn five_working_days_skip_ascension() {
        // Monday 18 May 2020: Ascension on Thursday 21 May does not count.
        assert_eq!(add_working_days(d(2020, 5, 18), 5), d(2020, 5, 26));
    }

    #[test]
    fn five_working_days_skip_the_weekend_and_whit_monday() {
        // Friday 29 May 2020: the weekend and Whit Monday 1 June do not count.
        assert_eq!(add_working_days(d(2020, 5, 29), 5), d(2020, 6, 8));
    }

    #[test]
    fn christmas_and_new_year() {
        // Thursday 24 December 2020: 25 Dec, the weekend and 1 Jan 2021 do not count.
        assert_eq!(add_working_days(d(2020, 12, 24), 3), d(2020, 12, 30));
        assert_eq!(add_working_days(d(2020, 12, 30), 2), d(2021, 1, 4));
    }

    #[test]
    fn zero_working_days_is_the_same_day() {
        assert_eq!(add_working_days(d(2020, 6, 6), 0), d(2020, 6, 6));
    }

    #[test]
    fn dates_lie_within_the_years_the_programme_can_mean() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert!(is_plausible(d(2020, 6, 1)));
        assert!(!is_plausible(d(1900, 1, 1)));
        assert!(!is_plausible(d(9999, 12, 31)));
        let today = d(2020, 5, 18);
        assert!(within_planning(d(2020, 6, 1), d(2020, 5, 18), today, 2));
        assert!(within_planning(d(2022, 5, 18), d(2020, 5, 18), today, 2));
        assert!(!within_planning(d(2022, 5, 19), d(2020, 5, 18), today, 2));
        assert!(!within_planning(d(2020, 5, 17), d(2020, 5, 18), today, 2));
        assert!(!within_planning(d(1900, 1, 1), d(1899, 1, 1), today, 2));
    }
}
