//! Money in euro cents and co-financing rates as exact fractions (docs/ARCHITECTURE.md).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount in euro cents. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(i64);

/// The largest amount the programme accepts anywhere: EUR 10 billion. Anything above is a typo
/// or an attack, and keeping amounts this small means no sum of them can overflow an i64.
pub const MAX_CENTS: i64 = 1_000_000_000_000;

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_cents(cents: i64) -> Money {
        Money(cents)
    }

    pub const fn euros(euros: i64) -> Money {
        Money(euros * 100)
    }

    pub const fn cents(self) -> i64 {
        self.0
    }

    /// An amount a user typed: must be positive and below [`MAX_CENTS`].
    pub fn positive(cents: i64) -> Result<Money, MoneyError> {
        match cents {
            c if c <= 0 => Err(MoneyError::NotPositive),
            c if c > MAX_CENTS => Err(MoneyError::TooLarge),
            c => Ok(Money(c)),
        }
    }

    /// An amount in euros as people type it in a form: `5009,40`, `5.009,40`, `€ 5.009,40`,
    /// `5009.40` or `5009`. A comma is the decimal mark when there is one; otherwise a dot
    /// followed by one or two digits is. At most two decimals; positive and below [`MAX_CENTS`].
    pub fn parse_euro(text: &str) -> Result<Money, MoneyError> {
        let cleaned: String = text.trim().trim_start_matches('€').chars().filter(|c| !c.is_whitespace()).collect();
        let (whole, fraction) = match (cleaned.rfind(','), cleaned.rfind('.')) {
            (Some(comma), _) => (cleaned[..comma].replace('.', ""), &cleaned[comma + 1..]),
            (None, Some(dot)) if (1..=2).contains(&(cleaned.len() - dot - 1)) => (cleaned[..dot].to_owned(), &cleaned[dot + 1..]),
            _ => (cleaned.replace('.', ""), ""),
        };
        let digits = |s: &str| !s.is_empty() && s.len() <= 13 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(&whole) || !(fraction.is_empty() || (fraction.len() <= 2 && digits(fraction))) {
            return Err(MoneyError::NotAnAmount);
        }
        let euros: i64 = whole.parse().map_err(|_| MoneyError::NotAnAmount)?;
        let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| MoneyError::NotAnAmount)?;
        Money::positive(
            euros
                .checked_mul(100)
                .and_then(|c| c.checked_add(cents))
                .ok_or(MoneyError::TooLarge)?,
        )
    }

    pub fn min(self, other: Money) -> Money {
        Money(self.0.min(other.0))
    }

    pub fn max(self, other: Money) -> Money {
        Money(self.0.max(other.0))
    }

    /// Belgian Dutch notation: `€ 179.541,27`.
    pub fn format_nl(self) -> String {
        format!("€ {}", self.grouped('.', ','))
    }

    /// English notation: `€179,541.27`.
    pub fn format_en(self) -> String {
        format!("€{}", self.grouped(',', '.'))
    }

    /// In Dutch or English notation.
    pub fn format_in(self, dutch: bool) -> String {
        if dutch { self.format_nl() } else { self.format_en() }
    }

    fn grouped(self, thousands: char, decimal: char) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let digits = (abs / 100).to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(thousands);
            }
            out.push(ch);
        }
        format!("{sign}{out}{decimal}{:02}", abs % 100)
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format_en())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("the amount must be more than zero")]
    NotPositive,
    #[error("the amount is above the limit of EUR 10 billion")]
    TooLarge,
    #[error("not an amount in euros, such as 5.009,40")]
    NotAnAmount,
}

/// A co-financing rate as an exact fraction, such as 2/3 (C2) or 1/2 (C4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rate {
    numerator: u32,
    denominator: u32,
}

impl Rate {
    pub const ZERO: Rate = Rate {
        numerator: 0,
        denominator: 1,
    };

    pub fn new(numerator: u32, denominator: u32) -> Result<Rate, RateError> {
        if denominator == 0 || numerator > denominator {
            return Err(RateError::OutOfRange);
        }
        Ok(Rate { numerator, denominator })
    }

    pub fn numerator(self) -> u32 {
        self.numerator
    }

    pub fn denominator(self) -> u32 {
        self.denominator
    }

    /// D1: the exact share rounded down to the cent, so nobody is ever paid above the legal share.
    pub fn share_of(self, amount: Money) -> Money {
        let exact = i128::from(amount.cents()) * i128::from(self.numerator);
        let share = exact.div_euclid(i128::from(self.denominator));
        // A share is never larger than the amount it is taken from, so it fits in an i64.
        Money::from_cents(share as i64)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

impl From<Rate> for String {
    fn from(rate: Rate) -> String {
        rate.to_string()
    }
}

impl TryFrom<String> for Rate {
    type Error = RateError;
    fn try_from(text: String) -> Result<Rate, RateError> {
        text.parse()
    }
}

impl std::str::FromStr for Rate {
    type Err = RateError;
    fn from_str(text: &str) -> Result<Rate, RateError> {
        let (n, d) = text.trim().split_once('/').ok_or(RateError::Malformed)?;
        let n = n.trim().parse().map_err(|_| RateError::Malformed)?;
        let d = d.trim().parse().map_err(|_| RateError::Malformed)?;
        Rate::new(n, d)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("a rate is written as a fraction such as 2/3")]
    Malformed,
    #[error("a rate lies between 0 and 1 and has a denominator above zero")]
    OutOfRange,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_thirds_of_a_basic_audit_is_flanders_share() {
        let two_thirds = Rate::new(2, 3).unwrap();
        assert_eq!(two_thirds.share_of(Money::from_cents(500_940)), Money::from_cents(333_960));
        assert_eq!(two_thirds.share_of(Money::from_cents(546_455)), Money::from_cents(364_303));
    }

    #[test]
    fn shares_round_down_to_the_cent() {
        let two_thirds = Rate::new(2, 3).unwrap();
        assert_eq!(two_thirds.share_of(Money::euros(1)), Money::from_cents(66));
        let half = Rate::new(1, 2).unwrap();
        assert_eq!(half.share_of(Money::from_cents(101)), Money::from_cents(50));
    }

    #[test]
    fn rates_parse_as_fractions_only() {
        assert_eq!("2/3".parse::<Rate>().unwrap(), Rate::new(2, 3).unwrap());
        assert_eq!("0.66".parse::<Rate>(), Err(RateError::Malformed));
        assert_eq!("3/2".parse::<Rate>(), Err(RateError::OutOfRange));
        assert_eq!("1/0".parse::<Rate>(), Err(RateError::OutOfRange));
    }

    #[test]
    fn typed_euro_amounts_are_read_the_belgian_and_the_plain_way() {
        for (text, cents) in [
            ("5009,40", 500_940),
            ("5.009,40", 500_940),
            ("€ 5.009,40", 500_940),
            ("5009.40", 500_940),
            ("5009.4", 500_940),
            ("5009", 500_900),
            ("5.009", 500_900),
            ("1.234.567", 123_456_700),
            (" 0,01 ", 1),
        ] {
            assert_eq!(Money::parse_euro(text), Ok(Money::from_cents(cents)), "{text}");
        }
        for text in ["", "abc", "5,009,40", "1,234", "-5", "0", "5,123", "12345678901234"] {
            assert!(Money::parse_euro(text).is_err(), "{text}");
        }
    }

    #[test]
    fn amounts_are_shown_in_belgian_notation() {
        assert_eq!(Money::from_cents(17_954_127).format_nl(), "€ 179.541,27");
        assert_eq!(Money::from_cents(17_954_127).format_en(), "€179,541.27");
        assert_eq!(Money::from_cents(5).format_nl(), "€ 0,05");
        assert_eq!(Money::euros(2_000_000).format_nl(), "€ 2.000.000,00");
    }

    #[test]
    fn typed_amounts_must_be_positive_and_sane() {
        assert_eq!(Money::positive(0), Err(MoneyError::NotPositive));
        assert_eq!(Money::positive(-5), Err(MoneyError::NotPositive));
        assert_eq!(Money::positive(MAX_CENTS + 1), Err(MoneyError::TooLarge));
        assert!(Money::positive(1).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn a_share_never_exceeds_the_exact_share(cents in 0i64..MAX_CENTS, n in 0u32..10, extra in 1u32..10) {
            let rate = Rate::new(n, n + extra).unwrap();
            let share = rate.share_of(Money::from_cents(cents)).cents() as i128;
            let exact_times_d = cents as i128 * n as i128;
            let d = (n + extra) as i128;
            proptest::prop_assert!(share * d <= exact_times_d);
            proptest::prop_assert!((share + 1) * d > exact_times_d);
        }
    }
}
