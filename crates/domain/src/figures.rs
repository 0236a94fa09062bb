//! The programme's figures as at a date (FIG-1..FIG-7): what an order was at the end of a day,
//! from the milestones of its life that happened by then, and the medians and 90th percentiles of
//! the time its steps took. Pure: the services read the dated history and fold it here.

use crate::order::OrderState;
use chrono::{Datelike, NaiveDate};

/// A dated step of an order's life, as the audit log records it (FIG-2). Steps that leave no
/// state of their own (a decline, an expiry, a confirmation, funding) are followed in the same
/// transaction by the placement they lead to, so they are not milestones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    Offered {
        firm_id: i64,
        agreement_id: i64,
    },
    Waitlisted,
    AwaitingConfirmation,
    AwaitingFramework {
        agreement_id: i64,
    },
    /// D7: a quote above the estimate waits for the government.
    Quoted,
    Accepted,
    Delivered,
    RemediationDayHeld,
    Invoiced,
    Settled,
    Cancelled,
    Unplaceable,
}

/// An order as it stood at the end of a day (FIG-2): its state, where it was placed and the first
/// day each step of its life was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderAt {
    pub submitted_on: NaiveDate,
    /// `None` only while nothing but the submission is known (never in a replayed history).
    pub state: Option<OrderState>,
    pub firm_id: Option<i64>,
    pub agreement_id: Option<i64>,
    pub offered_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub delivered_on: Option<NaiveDate>,
    pub settled_on: Option<NaiveDate>,
}

impl OrderAt {
    pub fn submitted(on: NaiveDate) -> OrderAt {
        OrderAt {
            submitted_on: on,
            state: None,
            firm_id: None,
            agreement_id: None,
            offered_on: None,
            accepted_on: None,
            delivered_on: None,
            settled_on: None,
        }
    }

    /// The order after `milestone`, reached on `on`; milestones come in the order they happened.
    pub fn follow(&mut self, milestone: Milestone, on: NaiveDate) {
        let first = |day: &mut Option<NaiveDate>| {
            day.get_or_insert(on);
        };
        self.state = Some(match milestone {
            Milestone::Offered { firm_id, agreement_id } => {
                self.firm_id = Some(firm_id);
                self.agreement_id = Some(agreement_id);
                first(&mut self.offered_on);
                OrderState::Offered
            }
            Milestone::Waitlisted => OrderState::Waitlisted,
            Milestone::AwaitingConfirmation => OrderState::AwaitingConfirmation,
            Milestone::AwaitingFramework { agreement_id } => {
                self.agreement_id = Some(agreement_id);
                OrderState::AwaitingFramework
            }
            Milestone::Quoted => OrderState::AwaitingPriceConfirmation,
            Milestone::Accepted => {
                first(&mut self.accepted_on);
                OrderState::Accepted
            }
            Milestone::Delivered => {
                first(&mut self.delivered_on);
                OrderState::Delivered
            }
            Milestone::RemediationDayHeld => OrderState::RemediationDayHeld,
            Milestone::Invoiced => OrderState::Invoiced,
            Milestone::Settled => {
                first(&mut self.settled_on);
                OrderState::Settled
            }
            Milestone::Cancelled => OrderState::Cancelled,
            Milestone::Unplaceable => {
                self.firm_id = None;
                OrderState::Unplaceable
            }
        });
    }

    /// FIG-3: the order reaches its government unless it was cancelled or could not be placed.
    pub fn reaches_its_government(&self) -> bool {
        !matches!(self.state, Some(OrderState::Cancelled | OrderState::Unplaceable))
    }
}

/// FIG-4: how long a step took over the orders that reached it: how many, and the median and
/// 90th percentile in calendar days (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spread {
    pub count: usize,
    pub median_days: Option<i64>,
    pub p90_days: Option<i64>,
}

impl Spread {
    pub fn of(mut days: Vec<i64>) -> Spread {
        days.sort_unstable();
        Spread {
            count: days.len(),
            median_days: nearest_rank(&days, 50),
            p90_days: nearest_rank(&days, 90),
        }
    }
}

/// The `p`th percentile of sorted values by the nearest-rank method: the smallest value with at
/// least `p` percent of the values at or below it.
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p) * sorted.len() as u64).div_ceil(100).max(1) as usize;
    sorted.get(rank - 1).copied()
}

/// A calendar month, `2021-06`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                month: self.month + 1,
                ..self
            }
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("the first of a month exists")
    }

    /// The month's last day.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("a month has a day before the next")
    }

    /// Every month from `from`'s to `until`'s, both included (none when `from` is later).
    pub fn range(from: NaiveDate, until: NaiveDate) -> Vec<Month> {
        let (mut month, last) = (Month::of(from), Month::of(until));
        let mut out = Vec::new();
        while month <= last {
            out.push(month);
            month = month.next();
        }
        out
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// FIG-6: a vulnerability report was acknowledged within its target when it was acknowledged,
/// by the day asked about, no later than its deadline.
pub fn answered_within<T: PartialOrd + Copy>(answered: Option<T>, deadline: T, until: T) -> bool {
    answered.is_some_and(|at| at < until && at <= deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, m, d).unwrap()
    }

    #[test]
    fn an_order_is_what_its_last_milestone_made_it_and_keeps_the_first_day_of_each_step() {
        let mut order = OrderAt::submitted(day(5, 4));
        assert_eq!(order.state, None);
        order.follow(
            Milestone::Offered {
                firm_id: 7,
                agreement_id: 1,
            },
            day(5, 4),
        );
        order.follow(
            Milestone::Offered {
                firm_id: 8,
                agreement_id: 1,
            },
            day(5, 12),
        );
        assert_eq!(
            (order.state, order.firm_id, order.offered_on),
            (Some(OrderState::Offered), Some(8), Some(day(5, 4)))
        );
        order.follow(Milestone::Accepted, day(5, 13));
        order.follow(Milestone::Delivered, day(7, 1));
        order.follow(Milestone::Settled, day(9, 30));
        assert_eq!(order.state, Some(OrderState::Settled));
        assert_eq!(
            (order.accepted_on, order.delivered_on, order.settled_on),
            (Some(day(5, 13)), Some(day(7, 1)), Some(day(9, 30)))
        );
        assert!(order.reaches_its_government());
    }

    #[test]
    fn cancelled_and_unplaceable_orders_do_not_reach_their_government() {
        let mut order = OrderAt::submitted(day(5, 4));
        order.follow(
            Milestone::Offered {
                firm_id: 7,
                agreement_id: 1,
            },
            day(5, 4),
        );
        order.follow(Milestone::Unplaceable, day(5, 20));
        assert_eq!(order.firm_id, None);
        assert!(!order.reaches_its_government());
        let mut order = OrderAt::submitted(day(5, 4));
        order.follow(Milestone::Waitlisted, day(5, 4));
        assert!(order.reaches_its_government());
        order.follow(Milestone::Cancelled, day(6, 1));
        assert!(!order.reaches_its_government());
    }

    #[test]
    fn percentiles_are_by_nearest_rank() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[4], 90), Some(4));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 50), Some(5));
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        assert_eq!(nearest_rank(&ten, 91), Some(10));
        let spread = Spread::of(vec![30, 2, 9, 4]);
        assert_eq!((spread.count, spread.median_days, spread.p90_days), (4, Some(4), Some(30)));
    }

    #[test]
    fn months_run_across_the_year() {
        let months = Month::range(day(11, 30), NaiveDate::from_ymd_opt(2021, 2, 1).unwrap());
        let names: Vec<String> = months.iter().map(|m| m.to_string()).collect();
        assert_eq!(names, ["2020-11", "2020-12", "2021-01", "2021-02"]);
        assert_eq!(months[1].last_day(), day(12, 31));
        assert_eq!(Month::of(day(2, 10)).last_day(), day(2, 29));
        assert!(Month::range(day(3, 1), day(2, 1)).is_empty());
    }

    #[test]
    fn a_report_is_answered_in_time_when_acknowledged_by_its_deadline_and_by_the_day_asked() {
        assert!(answered_within(Some(3), 5, 10));
        assert!(answered_within(Some(5), 5, 10));
        assert!(!answered_within(Some(6), 5, 10));
        assert!(!answered_within(Some(3), 5, 3), "acknowledged after the day asked about");
        assert!(!answered_within(None::<i32>, 5, 10));
    }
}
