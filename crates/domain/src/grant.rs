//! VVSG's project grant (issue 13, part 1): its deliverables and action plan, the cost claims it
//! pays on its own ledger, and the progress reports per half-year. Rules GR-1 to GR-9 in
//! docs/RULES.md.

use crate::Money;
use crate::ledger::{self, Balances, Posting};
use chrono::{Datelike, Months, NaiveDate};

closed_set!(
    /// Where a cost claim stands (GR-3, GR-4).
    ClaimState {
        /// Sent by VVSG, waiting for the administrator.
        Submitted = "submitted",
        /// Approved: its amount is reserved on the grant's ledger.
        Approved = "approved",
        Rejected = "rejected",
        /// Paid from the grant.
        Paid = "paid",
    }
);

closed_set!(
    /// Where an item of the action plan stands.
    PlanStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Done = "done",
        Dropped = "dropped",
    }
);

impl ClaimState {
    pub fn label(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (Self::Submitted, true) => "ingediend",
            (Self::Submitted, false) => "submitted",
            (Self::Approved, true) => "goedgekeurd",
            (Self::Approved, false) => "approved",
            (Self::Rejected, true) => "afgewezen",
            (Self::Rejected, false) => "rejected",
            (Self::Paid, true) => "betaald",
            (Self::Paid, false) => "paid",
        }
    }
}

impl PlanStatus {
    pub fn label(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (Self::Planned, true) => "gepland",
            (Self::Planned, false) => "planned",
            (Self::InProgress, true) => "lopend",
            (Self::InProgress, false) => "in progress",
            (Self::Done, true) => "klaar",
            (Self::Done, false) => "done",
            (Self::Dropped, true) => "geschrapt",
            (Self::Dropped, false) => "dropped",
        }
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 2_000;
pub const MAX_REASON: usize = 2_000;
/// A progress report's text (Markdown).
pub const MAX_REPORT: usize = 20_000;
/// A claim's supporting document.
pub const MAX_DOCUMENT_BYTES: usize = 10 << 20;
/// Progress is reported per half-year of the grant (GR-7).
pub const REPORTING_MONTHS: u32 = 6;

/// The grant's period, both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantPeriod {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl GrantPeriod {
    pub fn contains(&self, day: NaiveDate) -> bool {
        (self.starts_on..=self.ends_on).contains(&day)
    }
}

/// A cost claim as VVSG makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimTerms {
    pub work_package: u32,
    /// The period the costs were made in, both days included.
    pub costs_from: NaiveDate,
    pub costs_until: NaiveDate,
    pub amount: Money,
}

/// Why a step on the grant is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantError {
    /// GR-2: the grant has no such work package.
    UnknownWorkPackage,
    /// GR-2: the costs' period ends before it starts.
    PeriodReversed,
    /// GR-2: costs outside the grant's period.
    OutsideGrantPeriod,
    /// GR-2: costs not yet made (the period has not ended).
    CostsInTheFuture,
    /// GR-2: an amount above zero and not above the grant.
    AmountOutOfRange,
    /// GR-2: the supporting document is missing or not a PDF.
    DocumentNotPdf,
    /// GR-3: only a submitted claim is approved or rejected.
    AlreadyDecided,
    /// GR-3: a rejection says why.
    ReasonMissing,
    /// GR-4: approving would take the grant beyond its amount.
    GrantExhausted,
    /// GR-5: only an approved claim is paid.
    NotApproved,
    /// GR-5: a payment is dated in the grant's period or after it, not in the future.
    PaymentDate,
    /// GR-6: a deliverable is done on a day that has come.
    DoneInTheFuture,
    /// GR-7: not one of the grant's half-years.
    NotAReportingPeriod,
    /// GR-7: the half-year has not ended yet.
    PeriodNotOver,
    /// GR-7: one report per half-year.
    ReportExists,
    /// GR-8: the report was already reviewed.
    AlreadyReviewed,
    /// GR-9: the work packages' budgets together exceed the grant.
    BudgetsAboveGrant,
    /// GR-9: a work package's budget below what its claims already hold.
    BudgetBelowCommitted,
    /// GR-9: approving would take the work package beyond its budget.
    PackageExhausted,
}

impl GrantError {
    /// The conflict code of a refusal that depends on the state (409), or `None` for bad input
    /// (422, on [`GrantError::field`]).
    pub fn conflict_code(self) -> Option<&'static str> {
        match self {
            Self::AlreadyDecided => Some("claim_decided"),
            Self::GrantExhausted => Some("grant_exhausted"),
            Self::NotApproved => Some("claim_not_approved"),
            Self::PeriodNotOver => Some("period_not_over"),
            Self::ReportExists => Some("report_exists"),
            Self::AlreadyReviewed => Some("report_reviewed"),
            Self::BudgetBelowCommitted => Some("budget_below_committed"),
            Self::PackageExhausted => Some("work_package_exhausted"),
            _ => None,
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            Self::UnknownWorkPackage => "work_package",
            Self::PeriodReversed | Self::CostsInTheFuture => "costs_until",
            Self::OutsideGrantPeriod => "costs_from",
            Self::AmountOutOfRange | Self::GrantExhausted => "amount",
            Self::DocumentNotPdf => "document",
            Self::ReasonMissing => "reason",
            Self::PaymentDate => "paid_on",
            Self::DoneInTheFuture => "done_on",
            Self::NotAReportingPeriod | Self::PeriodNotOver | Self::ReportExists => "period_from",
            Self::AlreadyDecided | Self::NotApproved => "claim",
            Self::AlreadyReviewed => "report",
            Self::BudgetsAboveGrant | Self::BudgetBelowCommitted => "budget",
            Self::PackageExhausted => "amount",
        }
    }

    pub fn message(self, dutch: bool) -> &'static str {
        match (self, dutch) {
            (Self::UnknownWorkPackage, false) => "The grant has no such work package.",
            (Self::UnknownWorkPackage, true) => "De subsidie heeft geen zo'n werkpakket.",
            (Self::PeriodReversed, false) => "The costs' period must end on or after the day it starts.",
            (Self::PeriodReversed, true) => "De periode van de kosten moet eindigen op of na de begindag.",
            (Self::OutsideGrantPeriod, false) => "Costs are claimed only for the grant's period.",
            (Self::OutsideGrantPeriod, true) => "Kosten worden enkel ingediend voor de periode van de subsidie.",
            (Self::CostsInTheFuture, false) => "Costs are claimed once they are made: the period must have ended.",
            (Self::CostsInTheFuture, true) => "Kosten worden ingediend als ze gemaakt zijn: de periode moet voorbij zijn.",
            (Self::AmountOutOfRange, false) => "The amount is above zero and not above the grant.",
            (Self::AmountOutOfRange, true) => "Het bedrag is groter dan nul en niet groter dan de subsidie.",
            (Self::DocumentNotPdf, false) => "Attach the supporting document as a PDF.",
            (Self::DocumentNotPdf, true) => "Voeg het bewijsstuk toe als PDF.",
            (Self::AlreadyDecided, false) => "This claim was already decided on.",
            (Self::AlreadyDecided, true) => "Over deze schuldvordering werd al beslist.",
            (Self::ReasonMissing, false) => "Say why the claim is rejected.",
            (Self::ReasonMissing, true) => "Zeg waarom de schuldvordering wordt afgewezen.",
            (Self::GrantExhausted, false) => "Approving this claim would take the grant beyond its amount.",
            (Self::GrantExhausted, true) => "Deze schuldvordering goedkeuren zou de subsidie overschrijden.",
            (Self::NotApproved, false) => "Only an approved claim is paid.",
            (Self::NotApproved, true) => "Enkel een goedgekeurde schuldvordering wordt betaald.",
            (Self::PaymentDate, false) => "A payment is dated from the grant's start up to today.",
            (Self::PaymentDate, true) => "Een betaling is gedateerd vanaf het begin van de subsidie tot vandaag.",
            (Self::DoneInTheFuture, false) => "A deliverable is done on a day that has come.",
            (Self::DoneInTheFuture, true) => "Een resultaat is klaar op een dag die al gekomen is.",
            (Self::NotAReportingPeriod, false) => "Progress is reported per half-year of the grant.",
            (Self::NotAReportingPeriod, true) => "De voortgang wordt gerapporteerd per halfjaar van de subsidie.",
            (Self::PeriodNotOver, false) => "The half-year has not ended yet.",
            (Self::PeriodNotOver, true) => "Het halfjaar is nog niet voorbij.",
            (Self::ReportExists, false) => "There is already a progress report for this half-year.",
            (Self::ReportExists, true) => "Er is al een voortgangsrapport voor dit halfjaar.",
            (Self::AlreadyReviewed, false) => "This progress report was already reviewed.",
            (Self::AlreadyReviewed, true) => "Dit voortgangsrapport werd al nagekeken.",
            (Self::BudgetsAboveGrant, false) => "The work packages' budgets together may not exceed the grant.",
            (Self::BudgetsAboveGrant, true) => "De budgetten van de werkpakketten samen mogen de subsidie niet overschrijden.",
            (Self::BudgetBelowCommitted, false) => "The budget is below what the work package's approved and paid claims hold.",
            (Self::BudgetBelowCommitted, true) => {
                "Het budget is lager dan wat de goedgekeurde en betaalde schuldvorderingen van het werkpakket al bevatten."
            }
            (Self::PackageExhausted, false) => "Approving this claim would take the work package beyond its budget.",
            (Self::PackageExhausted, true) => "Deze schuldvordering goedkeuren zou het budget van het werkpakket overschrijden.",
        }
    }
}

/// GR-2: a claim names one of the grant's work packages, costs made within the grant's period and
/// already made (the period ended before `today`), and an amount above zero and not above the
/// grant.
pub fn check_claim(
    grant: GrantPeriod,
    amount: Money,
    work_packages: &[u32],
    claim: &ClaimTerms,
    today: NaiveDate,
) -> Result<(), GrantError> {
    if !work_packages.contains(&claim.work_package) {
        return Err(GrantError::UnknownWorkPackage);
    }
    if claim.costs_until < claim.costs_from {
        return Err(GrantError::PeriodReversed);
    }
    if !grant.contains(claim.costs_from) || !grant.contains(claim.costs_until) {
        return Err(GrantError::OutsideGrantPeriod);
    }
    if claim.costs_until >= today {
        return Err(GrantError::CostsInTheFuture);
    }
    if claim.amount <= Money::ZERO || claim.amount > amount {
        return Err(GrantError::AmountOutOfRange);
    }
    Ok(())
}

/// GR-3: only a submitted claim is decided on; a rejection gives its reason.
pub fn may_decide(state: ClaimState, approve: bool, reason: &str) -> Result<(), GrantError> {
    if state != ClaimState::Submitted {
        return Err(GrantError::AlreadyDecided);
    }
    if !approve && reason.trim().is_empty() {
        return Err(GrantError::ReasonMissing);
    }
    Ok(())
}

/// GR-4, GR-9: approving reserves the claim's amount on the grant's ledger; refused when less
/// remains of the grant, or of its work package's budget (`package`: the budget and what the
/// package's approved and paid claims hold), if it has one.
pub fn approval(balances: &Balances, amount: Money, package: Option<(Money, Money)>) -> Result<(Vec<Posting>, Balances), GrantError> {
    if let Some((budget, committed)) = package
        && committed + amount > budget
    {
        return Err(GrantError::PackageExhausted);
    }
    let postings = ledger::reserve(amount);
    let after = balances.apply_all(&postings).map_err(|_| GrantError::GrantExhausted)?;
    Ok((postings, after))
}

/// GR-5: an approved claim is paid in full from its reservation, on a day from the grant's start
/// up to today.
pub fn payment(
    state: ClaimState,
    amount: Money,
    grant: GrantPeriod,
    paid_on: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<Posting>, GrantError> {
    if state != ClaimState::Approved {
        return Err(GrantError::NotApproved);
    }
    if paid_on < grant.starts_on || paid_on > today {
        return Err(GrantError::PaymentDate);
    }
    Ok(ledger::settle(amount, amount).0)
}

/// GR-9: a work package's budget is not negative, the budgets together stay within the grant
/// (`others`: the other packages' budgets), and none is below what its claims already hold.
pub fn check_package_budget(grant: Money, others: Money, budget: Money, committed: Money) -> Result<(), GrantError> {
    if budget < Money::ZERO {
        return Err(GrantError::AmountOutOfRange);
    }
    if others + budget > grant {
        return Err(GrantError::BudgetsAboveGrant);
    }
    if budget < committed {
        return Err(GrantError::BudgetBelowCommitted);
    }
    Ok(())
}

/// GR-6: a deliverable is marked done on a day that has come.
pub fn check_done(done_on: Option<NaiveDate>, today: NaiveDate) -> Result<(), GrantError> {
    match done_on {
        Some(day) if day > today => Err(GrantError::DoneInTheFuture),
        _ => Ok(()),
    }
}

/// GR-7: the grant's half-years, from its start: each runs six months, the last ends with the
/// grant.
pub fn reporting_periods(grant: GrantPeriod) -> Vec<GrantPeriod> {
    let mut periods = Vec::new();
    let mut start = grant.starts_on;
    while start <= grant.ends_on {
        let next = start.checked_add_months(Months::new(REPORTING_MONTHS)).unwrap_or(NaiveDate::MAX);
        let end = next.pred_opt().unwrap_or(next).min(grant.ends_on);
        periods.push(GrantPeriod {
            starts_on: start,
            ends_on: end,
        });
        if next == NaiveDate::MAX || periods.len() > 100 {
            break;
        }
        start = next;
    }
    periods
}

/// GR-7: a progress report covers one of the grant's half-years that has ended, once.
pub fn reporting_period(grant: GrantPeriod, starts_on: NaiveDate, today: NaiveDate, reported: bool) -> Result<GrantPeriod, GrantError> {
    let period = reporting_periods(grant)
        .into_iter()
        .find(|p| p.starts_on == starts_on)
        .ok_or(GrantError::NotAReportingPeriod)?;
    if period.ends_on >= today {
        return Err(GrantError::PeriodNotOver);
    }
    if reported {
        return Err(GrantError::ReportExists);
    }
    Ok(period)
}

/// The number (from 1) of the half-year a day falls in.
pub fn period_number(grant: GrantPeriod, day: NaiveDate) -> Option<usize> {
    reporting_periods(grant).iter().position(|p| p.contains(day)).map(|i| i + 1)
}

/// A half-year by its months, "mei 2020 – okt 2020": a grant need not start in January.
pub fn period_label(period: GrantPeriod, dutch: bool) -> String {
    let months_nl = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
    let months_en = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let months = if dutch { months_nl } else { months_en };
    let name = |d: NaiveDate| format!("{} {}", months[d.month0() as usize], d.year());
    format!("{} – {}", name(period.starts_on), name(period.ends_on))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const GRANT: GrantPeriod = GrantPeriod {
        starts_on: NaiveDate::from_ymd_opt(2020, 5, 1).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2022, 4, 30).unwrap(),
    };
    const AMOUNT: Money = Money::from_cents(17_954_127);

    fn claim(from: NaiveDate, until: NaiveDate, cents: i64) -> ClaimTerms {
        ClaimTerms {
            work_package: 1,
            costs_from: from,
            costs_until: until,
            amount: Money::from_cents(cents),
        }
    }

    #[test]
    fn a_claim_is_for_costs_made_within_the_grant() {
        let today = d(2021, 6, 15);
        let ok = claim(d(2020, 5, 1), d(2020, 10, 31), 100000);
        assert_eq!(check_claim(GRANT, AMOUNT, &[1, 2, 3], &ok, today), Ok(()));
        let before = claim(d(2020, 4, 30), d(2020, 10, 31), 100000);
        assert_eq!(
            check_claim(GRANT, AMOUNT, &[1, 2, 3], &before, today),
            Err(GrantError::OutsideGrantPeriod)
        );
        let after = claim(d(2022, 4, 1), d(2022, 5, 1), 100000);
        assert_eq!(
            check_claim(GRANT, AMOUNT, &[1, 2, 3], &after, d(2022, 6, 1)),
            Err(GrantError::OutsideGrantPeriod)
        );
        let future = claim(d(2021, 5, 1), d(2021, 6, 15), 100000);
        assert_eq!(
            check_claim(GRANT, AMOUNT, &[1, 2, 3], &future, today),
            Err(GrantError::CostsInTheFuture)
        );
        let reversed = claim(d(2020, 10, 1), d(2020, 9, 1), 100000);
        assert_eq!(
            check_claim(GRANT, AMOUNT, &[1, 2, 3], &reversed, today),
            Err(GrantError::PeriodReversed)
        );
        let unknown = ClaimTerms { work_package: 4, ..ok };
        assert_eq!(
            check_claim(GRANT, AMOUNT, &[1, 2, 3], &unknown, today),
            Err(GrantError::UnknownWorkPackage)
        );
    }

    #[test]
    fn a_claim_is_above_zero_and_never_above_the_grant() {
        let today = d(2021, 6, 15);
        for cents in [0, -1, AMOUNT.cents() + 1] {
            let c = claim(d(2020, 5, 1), d(2020, 10, 31), cents);
            assert_eq!(
                check_claim(GRANT, AMOUNT, &[1], &c, today),
                Err(GrantError::AmountOutOfRange),
                "{cents}"
            );
        }
        let all = claim(d(2020, 5, 1), d(2020, 10, 31), AMOUNT.cents());
        assert_eq!(check_claim(GRANT, AMOUNT, &[1], &all, today), Ok(()));
    }

    #[test]
    fn a_claim_is_decided_once_and_a_rejection_says_why() {
        assert_eq!(may_decide(ClaimState::Submitted, true, ""), Ok(()));
        assert_eq!(may_decide(ClaimState::Submitted, false, "  "), Err(GrantError::ReasonMissing));
        assert_eq!(may_decide(ClaimState::Submitted, false, "no invoice"), Ok(()));
        for state in [ClaimState::Approved, ClaimState::Rejected, ClaimState::Paid] {
            assert_eq!(may_decide(state, true, ""), Err(GrantError::AlreadyDecided));
        }
    }

    #[test]
    fn approval_reserves_and_payment_moves_the_reservation_to_paid() {
        let funded = Balances::default().apply_all(&ledger::grant(Money::from_cents(1_000))).unwrap();
        let (postings, after) = approval(&funded, Money::from_cents(600), None).unwrap();
        assert_eq!(after.reserved, Money::from_cents(600));
        assert_eq!(approval(&after, Money::from_cents(401), None), Err(GrantError::GrantExhausted));
        assert_eq!(postings.len(), 1);
        let paid = payment(ClaimState::Approved, Money::from_cents(600), GRANT, d(2021, 1, 5), d(2021, 6, 15)).unwrap();
        let after = after.apply_all(&paid).unwrap();
        assert_eq!(
            (after.reserved, after.paid, after.available()),
            (Money::ZERO, Money::from_cents(600), Money::from_cents(400))
        );
    }

    #[test]
    fn a_work_package_with_a_budget_is_not_approved_beyond_it() {
        let funded = Balances::default().apply_all(&ledger::grant(Money::from_cents(1_000))).unwrap();
        let package = Some((Money::from_cents(300), Money::from_cents(200)));
        assert_eq!(
            approval(&funded, Money::from_cents(101), package),
            Err(GrantError::PackageExhausted)
        );
        assert!(approval(&funded, Money::from_cents(100), package).is_ok());
    }

    #[test]
    fn the_packages_budgets_stay_within_the_grant_and_above_what_is_committed() {
        let grant = Money::from_cents(1_000);
        assert_eq!(
            check_package_budget(grant, Money::from_cents(700), Money::from_cents(300), Money::ZERO),
            Ok(())
        );
        assert_eq!(
            check_package_budget(grant, Money::from_cents(700), Money::from_cents(301), Money::ZERO),
            Err(GrantError::BudgetsAboveGrant)
        );
        assert_eq!(
            check_package_budget(grant, Money::ZERO, Money::from_cents(99), Money::from_cents(100)),
            Err(GrantError::BudgetBelowCommitted)
        );
        assert_eq!(
            check_package_budget(grant, Money::ZERO, Money::from_cents(-1), Money::ZERO),
            Err(GrantError::AmountOutOfRange)
        );
    }

    #[test]
    fn only_an_approved_claim_is_paid_on_a_day_that_has_come() {
        let amount = Money::from_cents(600);
        for state in [ClaimState::Submitted, ClaimState::Rejected, ClaimState::Paid] {
            assert_eq!(
                payment(state, amount, GRANT, d(2021, 1, 5), d(2021, 6, 15)),
                Err(GrantError::NotApproved)
            );
        }
        assert_eq!(
            payment(ClaimState::Approved, amount, GRANT, d(2021, 6, 16), d(2021, 6, 15)),
            Err(GrantError::PaymentDate)
        );
        assert_eq!(
            payment(ClaimState::Approved, amount, GRANT, d(2020, 4, 30), d(2021, 6, 15)),
            Err(GrantError::PaymentDate)
        );
    }

    #[test]
    fn the_grant_reports_per_half_year() {
        let periods = reporting_periods(GRANT);
        assert_eq!(periods.len(), 4);
        assert_eq!(
            periods[0],
            GrantPeriod {
                starts_on: d(2020, 5, 1),
                ends_on: d(2020, 10, 31)
            }
        );
        assert_eq!(
            periods[1],
            GrantPeriod {
                starts_on: d(2020, 11, 1),
                ends_on: d(2021, 4, 30)
            }
        );
        assert_eq!(
            periods[3],
            GrantPeriod {
                starts_on: d(2021, 11, 1),
                ends_on: d(2022, 4, 30)
            }
        );
        let today = d(2021, 6, 15);
        assert_eq!(reporting_period(GRANT, d(2020, 11, 1), today, false), Ok(periods[1]));
        assert_eq!(reporting_period(GRANT, d(2020, 11, 1), today, true), Err(GrantError::ReportExists));
        assert_eq!(reporting_period(GRANT, d(2021, 5, 1), today, false), Err(GrantError::PeriodNotOver));
        assert_eq!(
            reporting_period(GRANT, d(2020, 11, 2), today, false),
            Err(GrantError::NotAReportingPeriod)
        );
        assert_eq!(period_number(GRANT, d(2021, 6, 15)), Some(3));
        assert_eq!(period_label(periods[0], true), "mei 2020 – okt 2020");
    }

    #[test]
    fn a_short_grant_ends_its_last_half_year_with_it() {
        let short = GrantPeriod {
            starts_on: d(2021, 1, 1),
            ends_on: d(2021, 8, 31),
        };
        let periods = reporting_periods(short);
        assert_eq!(periods.len(), 2);
        assert_eq!(
            periods[1],
            GrantPeriod {
                starts_on: d(2021, 7, 1),
                ends_on: d(2021, 8, 31)
            }
        );
    }

    #[test]
    fn a_deliverable_is_not_done_in_the_future() {
        assert_eq!(check_done(Some(d(2021, 6, 16)), d(2021, 6, 15)), Err(GrantError::DoneInTheFuture));
        assert_eq!(check_done(Some(d(2021, 6, 15)), d(2021, 6, 15)), Ok(()));
        assert_eq!(check_done(None, d(2021, 6, 15)), Ok(()));
    }

    proptest! {
        /// GR-4: whatever the order of approvals and payments, the grant is never overspent.
        #[test]
        fn approvals_never_overspend_the_grant(amounts in prop::collection::vec(1i64..5_000_000, 1..40)) {
            let mut b = Balances::default().apply_all(&ledger::grant(AMOUNT)).unwrap();
            for (i, cents) in amounts.into_iter().enumerate() {
                if let Ok((_, after)) = approval(&b, Money::from_cents(cents), None) {
                    b = after;
                    if i % 2 == 0 {
                        let paid = payment(ClaimState::Approved, Money::from_cents(cents), GRANT, d(2021, 1, 1), d(2021, 6, 1)).unwrap();
                        b = b.apply_all(&paid).unwrap();
                    }
                }
                prop_assert!(b.holds());
                prop_assert!(b.reserved + b.paid <= AMOUNT);
            }
        }
    }
}
