//! Framework agreements and their cascades (C5-C8, D4-D6): which agreement serves an order, which
//! firm is offered it, and until when that firm may answer.

use crate::calendar::add_working_days;
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameworkAgreement {
    pub id: i64,
    /// The agreement's official reference, such as "2019/HFB/OP/52630".
    pub reference: String,
    pub title: String,
    /// First and last day on which an order can be placed with a firm under this agreement.
    pub window_from: NaiveDate,
    pub window_until: NaiveDate,
    /// C7: "subject to the procedure being completed": an inactive agreement holds its orders.
    pub active: bool,
    /// D5: the firm's response term in Belgian working days.
    pub response_term_working_days: u32,
    /// The firms in cascade order, first-ranked first.
    pub cascade: Vec<CascadeFirm>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CascadeFirm {
    pub firm_id: i64,
    pub rank: u32,
    /// What a basic audit costs with this firm, all in.
    pub package_price: Money,
    /// What a day of additional audit work costs with this firm.
    pub day_rate: Money,
}

/// Where an agreement stands on a day: its window and activation decide, never a stored flag
/// alone (issue 11: an agreement past its window is closed for new orders, not "active").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Its window has not begun: orders go to it from `from`.
    NotYetOpen { from: NaiveDate },
    /// C7: within its window, but the procedure is not completed; it holds its orders.
    AwaitingActivation,
    /// Within its window and active: new orders go to it.
    Active,
    /// Its window has ended: no new orders since the day after `last_day`; orders placed under
    /// it before then run on.
    Closed { last_day: NaiveDate },
}

impl AgreementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotYetOpen { .. } => "not_yet_open",
            Self::AwaitingActivation => "awaiting_activation",
            Self::Active => "active",
            Self::Closed { .. } => "closed",
        }
    }
}

impl FrameworkAgreement {
    /// D12: the agreement's status on `today` follows the date, whatever its `active` flag says
    /// once its window has closed.
    pub fn status(&self, today: NaiveDate) -> AgreementStatus {
        if today > self.window_until {
            AgreementStatus::Closed {
                last_day: self.window_until,
            }
        } else if today < self.window_from {
            AgreementStatus::NotYetOpen { from: self.window_from }
        } else if self.active {
            AgreementStatus::Active
        } else {
            AgreementStatus::AwaitingActivation
        }
    }

    pub fn serves(&self, date: NaiveDate) -> bool {
        self.window_from <= date && date <= self.window_until
    }

    pub fn first_firm(&self) -> Option<&CascadeFirm> {
        self.cascade.iter().min_by_key(|f| f.rank)
    }

    pub fn firm_after(&self, rank: u32) -> Option<&CascadeFirm> {
        self.cascade.iter().filter(|f| f.rank > rank).min_by_key(|f| f.rank)
    }

    pub fn firm(&self, firm_id: i64) -> Option<&CascadeFirm> {
        self.cascade.iter().find(|f| f.firm_id == firm_id)
    }

    /// D4/D5: the response term in working days, but never past the order window.
    pub fn response_due(&self, offered_on: NaiveDate) -> NaiveDate {
        add_working_days(offered_on, self.response_term_working_days).min(self.window_until)
    }
}

/// D4: the agreement whose order window holds `date`.
pub fn in_force(agreements: &[FrameworkAgreement], date: NaiveDate) -> Option<&FrameworkAgreement> {
    agreements.iter().find(|a| a.serves(date))
}

/// Where an order stands in a cascade: the agreement and the rank of the firm last offered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CascadePosition {
    pub agreement_id: i64,
    pub rank: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Offer {
        agreement_id: i64,
        rank: u32,
        firm_id: i64,
        due_on: NaiveDate,
    },
    /// D4: the agreement in force is not active yet; the order waits and is offered on activation.
    AwaitFramework { agreement_id: i64 },
    /// D6: every firm declined, or no agreement serves the date any more.
    Unplaceable { reason: Unplaceable },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unplaceable {
    CascadeExhausted,
    NoAgreementInForce,
}

/// C8 and D4: where an order goes on `today`, given where it was (`None` for a new order, or to
/// start the cascade again). Within the same agreement it goes to the next firm; when the agreement
/// it was in no longer serves today, it starts from the first firm of the agreement in force.
pub fn place(agreements: &[FrameworkAgreement], today: NaiveDate, previous: Option<CascadePosition>) -> Placement {
    let Some(agreement) = in_force(agreements, today) else {
        return Placement::Unplaceable {
            reason: Unplaceable::NoAgreementInForce,
        };
    };
    if !agreement.active {
        return Placement::AwaitFramework {
            agreement_id: agreement.id,
        };
    }
    let firm = match previous {
        Some(p) if p.agreement_id == agreement.id => agreement.firm_after(p.rank),
        _ => agreement.first_firm(),
    };
    match firm {
        Some(firm) => Placement::Offer {
            agreement_id: agreement.id,
            rank: firm.rank,
            firm_id: firm.firm_id,
            due_on: agreement.response_due(today),
        },
        None => Placement::Unplaceable {
            reason: Unplaceable::CascadeExhausted,
        },
    }
}

/// D5: an offer not answered by the end of its due day counts as declined.
pub fn offer_expired(due_on: NaiveDate, today: NaiveDate) -> bool {
    today > due_on
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const EY: i64 = 1;
    pub const DELOITTE: i64 = 2;
    pub const PWC: i64 = 3;
    pub const GT: i64 = 4;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn firm(firm_id: i64, rank: u32, package_cents: i64) -> CascadeFirm {
        CascadeFirm {
            firm_id,
            rank,
            package_price: Money::from_cents(package_cents),
            day_rate: Money::euros(1_100),
        }
    }

    /// The two agreements of C6 and C7.
    pub fn agreements(second_active: bool) -> Vec<FrameworkAgreement> {
        vec![
            FrameworkAgreement {
                id: 1,
                reference: "2015-02 perceel 3".into(),
                title: "Audit Vlaanderen 2015-02, lot 3 (ICT audits)".into(),
                window_from: d(2015, 6, 1),
                window_until: d(2020, 6, 8),
                active: true,
                response_term_working_days: 5,
                cascade: vec![firm(EY, 1, 500_940), firm(DELOITTE, 2, 512_500), firm(PWC, 3, 520_000)],
            },
            FrameworkAgreement {
                id: 2,
                reference: "2019/HFB/OP/52630".into(),
                title: "ICT audits".into(),
                window_from: d(2020, 6, 9),
                window_until: d(2024, 6, 8),
                active: second_active,
                response_term_working_days: 5,
                cascade: vec![firm(DELOITTE, 1, 546_455), firm(EY, 2, 540_000), firm(GT, 3, 530_000)],
            },
        ]
    }

    #[test]
    fn an_agreements_status_follows_the_date() {
        let [old, new] = agreements(false).try_into().unwrap();
        assert_eq!(old.status(d(2020, 6, 8)), AgreementStatus::Active);
        assert_eq!(old.status(d(2020, 6, 9)), AgreementStatus::Closed { last_day: d(2020, 6, 8) });
        // Still flagged active, but closed for new orders: the date decides.
        assert!(old.active);
        assert_eq!(old.status(d(2021, 6, 15)).as_str(), "closed");
        assert_eq!(new.status(d(2020, 6, 8)), AgreementStatus::NotYetOpen { from: d(2020, 6, 9) });
        assert_eq!(new.status(d(2020, 6, 9)), AgreementStatus::AwaitingActivation);
        let [_, new] = agreements(true).try_into().unwrap();
        assert_eq!(new.status(d(2020, 6, 9)), AgreementStatus::Active);
        assert_eq!(new.status(d(2024, 6, 9)), AgreementStatus::Closed { last_day: d(2024, 6, 8) });
    }

    #[test]
    fn an_order_on_8_june_2020_goes_to_2015_02_and_ey() {
        let placed = place(&agreements(false), d(2020, 6, 8), None);
        assert!(
            matches!(
                placed,
                Placement::Offer {
                    agreement_id: 1,
                    firm_id: EY,
                    rank: 1,
                    ..
                }
            ),
            "{placed:?}"
        );
    }

    #[test]
    fn an_order_on_9_june_2020_goes_to_the_new_agreement_and_deloitte() {
        let placed = place(&agreements(true), d(2020, 6, 9), None);
        assert!(
            matches!(
                placed,
                Placement::Offer {
                    agreement_id: 2,
                    firm_id: DELOITTE,
                    rank: 1,
                    ..
                }
            ),
            "{placed:?}"
        );
    }

    #[test]
    fn an_order_on_9_june_2020_waits_while_the_new_agreement_is_inactive() {
        assert_eq!(
            place(&agreements(false), d(2020, 6, 9), None),
            Placement::AwaitFramework { agreement_id: 2 }
        );
    }

    #[test]
    fn offers_are_due_in_five_working_days() {
        let a = &agreements(false)[0];
        assert_eq!(a.response_due(d(2020, 5, 18)), d(2020, 5, 26));
        assert_eq!(a.response_due(d(2020, 5, 29)), d(2020, 6, 8));
    }

    #[test]
    fn the_term_never_runs_past_the_order_window() {
        let placed = place(&agreements(false), d(2020, 6, 4), None);
        assert_eq!(
            placed,
            Placement::Offer {
                agreement_id: 1,
                rank: 1,
                firm_id: EY,
                due_on: d(2020, 6, 8)
            }
        );
    }

    #[test]
    fn a_decline_goes_to_the_next_firm_of_the_same_cascade() {
        let after_ey = Some(CascadePosition { agreement_id: 1, rank: 1 });
        let placed = place(&agreements(false), d(2020, 5, 20), after_ey);
        assert!(
            matches!(
                placed,
                Placement::Offer {
                    agreement_id: 1,
                    firm_id: DELOITTE,
                    rank: 2,
                    ..
                }
            ),
            "{placed:?}"
        );
    }

    #[test]
    fn when_the_window_closes_the_order_starts_over_in_the_next_agreement() {
        // EY did not answer by the end of 8 June 2020: on 9 June the order moves to the new
        // agreement's first firm, Deloitte, not to the second firm of the old cascade.
        let after_ey = Some(CascadePosition { agreement_id: 1, rank: 1 });
        assert!(offer_expired(d(2020, 6, 8), d(2020, 6, 9)));
        assert!(!offer_expired(d(2020, 6, 8), d(2020, 6, 8)));
        let placed = place(&agreements(true), d(2020, 6, 9), after_ey);
        assert!(
            matches!(
                placed,
                Placement::Offer {
                    agreement_id: 2,
                    firm_id: DELOITTE,
                    rank: 1,
                    ..
                }
            ),
            "{placed:?}"
        );
        assert_eq!(
            place(&agreements(false), d(2020, 6, 9), after_ey),
            Placement::AwaitFramework { agreement_id: 2 }
        );
    }

    #[test]
    fn when_every_firm_declined_the_order_is_unplaceable() {
        let after_pwc = Some(CascadePosition { agreement_id: 1, rank: 3 });
        assert_eq!(
            place(&agreements(false), d(2020, 5, 20), after_pwc),
            Placement::Unplaceable {
                reason: Unplaceable::CascadeExhausted
            }
        );
    }

    #[test]
    fn without_an_agreement_in_force_nothing_is_placed() {
        assert_eq!(
            place(&agreements(true), d(2025, 1, 6), None),
            Placement::Unplaceable {
                reason: Unplaceable::NoAgreementInForce
            }
        );
    }
}
