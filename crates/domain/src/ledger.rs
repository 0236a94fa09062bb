//! The programme's credit as a double-entry ledger (D7, D8). Every posting moves an amount from
//! one account to another, so the accounts always sum to zero; balances are derived from postings.
//! The invariant: no account but the appropriation ever goes below zero, which is exactly
//! "reserved + paid never exceeds the budget".

use crate::money::Money;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::registry::UnknownValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// The credit granted to the programme; its balance is minus the budget.
    Appropriation,
    /// Credit not reserved nor paid.
    Available,
    /// Credit set aside for orders not yet settled.
    Reserved,
    /// Credit paid out at settlement.
    Paid,
}

impl Account {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Appropriation => "appropriation",
            Self::Available => "available",
            Self::Reserved => "reserved",
            Self::Paid => "paid",
        }
    }
}

impl FromStr for Account {
    type Err = UnknownValue;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [Self::Appropriation, Self::Available, Self::Reserved, Self::Paid]
            .into_iter()
            .find(|a| a.as_str() == text)
            .ok_or(UnknownValue)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    pub from: Account,
    pub to: Account,
    pub amount: Money,
}

impl Posting {
    fn new(from: Account, to: Account, amount: Money) -> Posting {
        Posting { from, to, amount }
    }
}

/// A programme's balances, derived from its postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Balances {
    pub budget: Money,
    pub reserved: Money,
    pub paid: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("the posting would take account {0:?} below zero")]
    Overdrawn(Account),
    #[error("a posting moves a positive amount between two different accounts")]
    Malformed,
}

impl Balances {
    pub fn available(&self) -> Money {
        self.budget - self.reserved - self.paid
    }

    fn balance(&self, account: Account) -> Money {
        match account {
            Account::Appropriation => Money::ZERO - self.budget,
            Account::Available => self.available(),
            Account::Reserved => self.reserved,
            Account::Paid => self.paid,
        }
    }

    /// The balances after `posting`, or why it may not be made.
    pub fn apply(&self, posting: &Posting) -> Result<Balances, LedgerError> {
        if posting.amount <= Money::ZERO || posting.from == posting.to {
            return Err(LedgerError::Malformed);
        }
        if posting.from != Account::Appropriation && self.balance(posting.from) < posting.amount {
            return Err(LedgerError::Overdrawn(posting.from));
        }
        let mut next = *self;
        for (account, delta) in [(posting.from, Money::ZERO - posting.amount), (posting.to, posting.amount)] {
            match account {
                Account::Appropriation => next.budget = next.budget - delta,
                Account::Available => {}
                Account::Reserved => next.reserved = next.reserved + delta,
                Account::Paid => next.paid = next.paid + delta,
            }
        }
        Ok(next)
    }

    /// Apply postings in order, all or nothing.
    pub fn apply_all(&self, postings: &[Posting]) -> Result<Balances, LedgerError> {
        postings.iter().try_fold(*self, |b, p| b.apply(p))
    }

    pub fn holds(&self) -> bool {
        self.reserved >= Money::ZERO && self.paid >= Money::ZERO && self.available() >= Money::ZERO
    }
}

/// Grant more credit (the initial budget or an amendment raising it).
pub fn grant(amount: Money) -> Vec<Posting> {
    nonzero(Posting::new(Account::Appropriation, Account::Available, amount))
}

/// Take credit back (an amendment lowering the budget); refused by `apply` if it is committed.
pub fn withdraw(amount: Money) -> Vec<Posting> {
    nonzero(Posting::new(Account::Available, Account::Appropriation, amount))
}

pub fn reserve(amount: Money) -> Vec<Posting> {
    nonzero(Posting::new(Account::Available, Account::Reserved, amount))
}

pub fn release(amount: Money) -> Vec<Posting> {
    nonzero(Posting::new(Account::Reserved, Account::Available, amount))
}

/// D7: an order's reservation changes from `current` to `wanted`, but never takes more than is
/// available. Returns the postings and the reservation that results.
pub fn adjust(balances: &Balances, current: Money, wanted: Money) -> (Vec<Posting>, Money) {
    if wanted >= current {
        let extra = (wanted - current).min(balances.available());
        (reserve(extra), current + extra)
    } else {
        (release(current - wanted), wanted)
    }
}

/// D7: settlement books `payment` (decided by `credit::settlement`, never more than the order's
/// reservation) from reserved to paid, and releases the rest of the reservation. A payment
/// above the reservation is cut to it: settlement never takes available credit.
/// Returns the postings and the amount paid.
pub fn settle(reserved: Money, payment: Money) -> (Vec<Posting>, Money) {
    let paid = payment.max(Money::ZERO).min(reserved);
    let mut postings = nonzero(Posting::new(Account::Reserved, Account::Paid, paid));
    postings.extend(release(reserved - paid));
    (postings, paid)
}

fn nonzero(posting: Posting) -> Vec<Posting> {
    if posting.amount > Money::ZERO { vec![posting] } else { Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn funded(budget: i64) -> Balances {
        Balances::default().apply_all(&grant(Money::from_cents(budget))).unwrap()
    }

    #[test]
    fn a_reservation_cannot_exceed_what_is_available() {
        let b = funded(1_000);
        assert_eq!(
            b.apply_all(&reserve(Money::from_cents(1_001))),
            Err(LedgerError::Overdrawn(Account::Available))
        );
        let b = b.apply_all(&reserve(Money::from_cents(1_000))).unwrap();
        assert_eq!(b.available(), Money::ZERO);
    }

    #[test]
    fn the_budget_cannot_go_below_commitments() {
        let b = funded(1_000).apply_all(&reserve(Money::from_cents(600))).unwrap();
        assert!(b.apply_all(&withdraw(Money::from_cents(401))).is_err());
        assert_eq!(
            b.apply_all(&withdraw(Money::from_cents(400))).unwrap().budget,
            Money::from_cents(600)
        );
    }

    #[test]
    fn an_upward_adjustment_is_capped_at_what_is_available() {
        let b = funded(1_000).apply_all(&reserve(Money::from_cents(900))).unwrap();
        let (postings, now) = adjust(&b, Money::from_cents(900), Money::from_cents(1_500));
        assert_eq!(now, Money::from_cents(1_000));
        assert_eq!(b.apply_all(&postings).unwrap().available(), Money::ZERO);
    }

    #[test]
    fn settlement_pays_the_share_and_releases_the_rest() {
        let b = funded(10_000).apply_all(&reserve(Money::from_cents(3_000))).unwrap();
        let (postings, paid) = settle(Money::from_cents(3_000), Money::from_cents(2_500));
        assert_eq!(paid, Money::from_cents(2_500));
        let after = b.apply_all(&postings).unwrap();
        assert_eq!(
            (after.reserved, after.paid, after.available()),
            (Money::ZERO, Money::from_cents(2_500), Money::from_cents(7_500))
        );
    }

    #[test]
    fn settlement_never_pays_more_than_reserved() {
        // Issue 10: however much is due and however much is available, the reservation is the cap.
        let b = funded(1_000_000).apply_all(&reserve(Money::from_cents(3_000))).unwrap();
        let (postings, paid) = settle(Money::from_cents(3_000), Money::from_cents(9_999));
        assert_eq!(paid, Money::from_cents(3_000));
        let after = b.apply_all(&postings).unwrap();
        assert_eq!((after.reserved, after.paid), (Money::ZERO, Money::from_cents(3_000)));
        assert_eq!(after.available(), Money::from_cents(997_000));
        assert!(after.holds());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Grant(i64),
        Withdraw(i64),
        Reserve(i64),
        Release(usize),
        Adjust(usize, i64),
        Settle(usize, i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1i64..100_000).prop_map(Op::Grant),
            (1i64..100_000).prop_map(Op::Withdraw),
            (1i64..100_000).prop_map(Op::Reserve),
            (0usize..8).prop_map(Op::Release),
            ((0usize..8), (0i64..100_000)).prop_map(|(i, a)| Op::Adjust(i, a)),
            ((0usize..8), (0i64..200_000)).prop_map(|(i, a)| Op::Settle(i, a)),
        ]
    }

    /// What an operation does to the orders' reservations once its postings are booked.
    type Effect = Box<dyn Fn(&mut Vec<Money>)>;

    proptest! {
        /// Whatever happens, in whatever order, the invariant holds and reservations add up.
        #[test]
        fn the_ledger_invariant_always_holds(ops in proptest::collection::vec(op(), 1..60)) {
            let mut balances = Balances::default();
            let mut orders: Vec<Money> = Vec::new();
            for op in ops {
                let (postings, effect): (Vec<Posting>, Effect) = match op {
                    Op::Grant(a) => (grant(Money::from_cents(a)), Box::new(|_| {})),
                    Op::Withdraw(a) => (withdraw(Money::from_cents(a)), Box::new(|_| {})),
                    Op::Reserve(a) => (reserve(Money::from_cents(a)), Box::new(move |o| o.push(Money::from_cents(a)))),
                    Op::Release(i) if i < orders.len() => {
                        let amount = orders[i];
                        (release(amount), Box::new(move |o| o[i] = Money::ZERO))
                    }
                    Op::Adjust(i, a) if i < orders.len() => {
                        let (p, now) = adjust(&balances, orders[i], Money::from_cents(a));
                        (p, Box::new(move |o| o[i] = now))
                    }
                    Op::Settle(i, a) if i < orders.len() => {
                        let (p, _) = settle(orders[i], Money::from_cents(a));
                        (p, Box::new(move |o| o[i] = Money::ZERO))
                    }
                    _ => continue,
                };
                if let Ok(next) = balances.apply_all(&postings) {
                    balances = next;
                    effect(&mut orders);
                }
                prop_assert!(balances.holds(), "{balances:?}");
                let reserved: i64 = orders.iter().map(|m| m.cents()).sum();
                prop_assert_eq!(reserved, balances.reserved.cents());
            }
        }
    }
}
