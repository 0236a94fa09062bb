//! The co-financing programme's settings (C1-C9 and D1-D10) and the rules for a new order.

use crate::money::{Money, Rate};
use crate::order::OrderKind;
use crate::refusal::Refusal;
use crate::registry::OrganisationKind;
use crate::ssvc::RemediationTerms;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// D2: what an organisation of a kind may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// May order and receives co-financing.
    CoFinanced,
    /// May order through the framework agreements, at 0 % co-financing.
    OrderOnly,
    NotEligible,
}

impl Eligibility {
    pub const ALL: [Eligibility; 3] = [Eligibility::CoFinanced, Eligibility::OrderOnly, Eligibility::NotEligible];
}

/// D1: how a share is rounded. Only rounding down keeps shares within the legal rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    Floor,
}

/// Every rule of the programme that is a setting, with its default from the programme (docs/RULES.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeSettings {
    /// C2: share of a basic audit's cost.
    pub basic_rate: Rate,
    /// C4: share of additional work's cost, within the available credit.
    pub additional_rate: Rate,
    /// C9: first day an order is accepted.
    pub offer_starts_on: NaiveDate,
    /// C9/D9: last day an order is accepted; an amendment may extend it.
    pub offer_ends_on: NaiveDate,
    /// D1.
    pub rounding: Rounding,
    /// D2: kinds not listed are not eligible.
    pub eligibility: BTreeMap<OrganisationKind, Eligibility>,
    /// D3: one basic audit per government per programme.
    pub one_basic_audit_per_government: bool,
    /// D3: additional work needs a basic audit of the same government in the programme.
    pub additional_requires_basic: bool,
    /// D8: a basic audit without enough credit goes on a waiting list (else it is refused).
    pub waitlist_basic_audits: bool,
    /// D8: additional work without enough credit gets a capped share the government confirms.
    pub cap_additional_work: bool,
    /// I4-8: days to remediate a finding by its SSVC decision (Act 7, Attend 30, Track* 90,
    /// Track 180 by default). Programmes stored before this setting existed read the defaults.
    #[serde(default)]
    pub remediation_terms: RemediationTerms,
}

impl ProgrammeSettings {
    /// The settings of the real programme of 2020 (C1-C9, D1-D10).
    pub fn flemish_2020() -> ProgrammeSettings {
        ProgrammeSettings {
            basic_rate: Rate::new(2, 3).expect("2/3 is a valid rate"),
            additional_rate: Rate::new(1, 2).expect("1/2 is a valid rate"),
            offer_starts_on: NaiveDate::from_ymd_opt(2020, 5, 1).expect("valid date"),
            offer_ends_on: NaiveDate::from_ymd_opt(2021, 12, 31).expect("valid date"),
            rounding: Rounding::Floor,
            eligibility: default_eligibility(),
            one_basic_audit_per_government: true,
            additional_requires_basic: true,
            waitlist_basic_audits: true,
            cap_additional_work: true,
            remediation_terms: RemediationTerms::default(),
        }
    }

    pub fn eligibility_of(&self, kind: OrganisationKind) -> Eligibility {
        self.eligibility.get(&kind).copied().unwrap_or(Eligibility::NotEligible)
    }

    /// The co-financing rate an order of `kind` by an organisation of `org_kind` receives.
    pub fn rate_for(&self, org_kind: OrganisationKind, kind: OrderKind) -> Rate {
        match (self.eligibility_of(org_kind), kind) {
            (Eligibility::CoFinanced, OrderKind::Basic) => self.basic_rate,
            (Eligibility::CoFinanced, OrderKind::Additional) => self.additional_rate,
            _ => Rate::ZERO,
        }
    }
}

/// D2 default: a gemeente (ordering jointly with its OCMW) is co-financed; a province may order
/// without co-financing; nobody else is eligible.
pub fn default_eligibility() -> BTreeMap<OrganisationKind, Eligibility> {
    BTreeMap::from([
        (OrganisationKind::Gemeente, Eligibility::CoFinanced),
        (OrganisationKind::Provincie, Eligibility::OrderOnly),
    ])
}

/// What is known, at submission, about the government's earlier orders in the programme.
#[derive(Debug, Clone, Copy, Default)]
pub struct GovernmentHistory {
    /// It has a basic audit that was not cancelled and not unplaceable.
    pub has_basic_audit: bool,
}

/// A new order, as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Submission {
    pub organisation_kind: OrganisationKind,
    pub kind: OrderKind,
    pub estimated_cost: Option<Money>,
    pub order_date: NaiveDate,
}

/// C9, D2, D3, D9: whether the submission may be made; if so, the rate it is co-financed at.
pub fn check_submission(settings: &ProgrammeSettings, submission: &Submission, history: GovernmentHistory) -> Result<Rate, Refusal> {
    if settings.eligibility_of(submission.organisation_kind) == Eligibility::NotEligible {
        return Err(Refusal::NotEligible(submission.organisation_kind));
    }
    if submission.order_date < settings.offer_starts_on {
        return Err(Refusal::OfferNotStarted(settings.offer_starts_on));
    }
    if submission.order_date > settings.offer_ends_on {
        return Err(Refusal::OfferEnded(settings.offer_ends_on));
    }
    match submission.kind {
        OrderKind::Basic if settings.one_basic_audit_per_government && history.has_basic_audit => {
            return Err(Refusal::SecondBasicAudit);
        }
        OrderKind::Additional if settings.additional_requires_basic && !history.has_basic_audit => {
            return Err(Refusal::AdditionalWithoutBasic);
        }
        OrderKind::Additional if submission.estimated_cost.is_none() => {
            return Err(Refusal::EstimateRequired);
        }
        _ => {}
    }
    Ok(settings.rate_for(submission.organisation_kind, submission.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_stored_before_the_remediation_terms_read_the_defaults() {
        let mut stored = serde_json::to_value(ProgrammeSettings::flemish_2020()).unwrap();
        stored.as_object_mut().unwrap().remove("remediation_terms");
        let read: ProgrammeSettings = serde_json::from_value(stored).unwrap();
        assert_eq!(read.remediation_terms, RemediationTerms::default());
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn basic(kind: OrganisationKind, on: NaiveDate) -> Submission {
        Submission {
            organisation_kind: kind,
            kind: OrderKind::Basic,
            estimated_cost: None,
            order_date: on,
        }
    }

    fn additional(on: NaiveDate) -> Submission {
        Submission {
            organisation_kind: OrganisationKind::Gemeente,
            kind: OrderKind::Additional,
            estimated_cost: Some(Money::euros(4_000)),
            order_date: on,
        }
    }

    const NONE: GovernmentHistory = GovernmentHistory { has_basic_audit: false };
    const HAS_BASIC: GovernmentHistory = GovernmentHistory { has_basic_audit: true };

    #[test]
    fn a_municipality_gets_two_thirds_of_a_basic_audit_and_half_of_additional_work() {
        let s = ProgrammeSettings::flemish_2020();
        assert_eq!(
            check_submission(&s, &basic(OrganisationKind::Gemeente, d(2020, 6, 1)), NONE),
            Ok(Rate::new(2, 3).unwrap())
        );
        assert_eq!(
            check_submission(&s, &additional(d(2020, 6, 1)), HAS_BASIC),
            Ok(Rate::new(1, 2).unwrap())
        );
    }

    #[test]
    fn a_province_may_order_without_co_financing() {
        let s = ProgrammeSettings::flemish_2020();
        assert_eq!(
            check_submission(&s, &basic(OrganisationKind::Provincie, d(2020, 6, 1)), NONE),
            Ok(Rate::ZERO)
        );
    }

    #[test]
    fn others_are_not_eligible() {
        let s = ProgrammeSettings::flemish_2020();
        for kind in [OrganisationKind::Ocmw, OrganisationKind::Politiezone, OrganisationKind::AuditFirm] {
            assert_eq!(
                check_submission(&s, &basic(kind, d(2020, 6, 1)), NONE),
                Err(Refusal::NotEligible(kind))
            );
        }
    }

    #[test]
    fn one_basic_audit_per_government() {
        let s = ProgrammeSettings::flemish_2020();
        assert_eq!(
            check_submission(&s, &basic(OrganisationKind::Gemeente, d(2020, 6, 1)), HAS_BASIC),
            Err(Refusal::SecondBasicAudit)
        );
    }

    #[test]
    fn additional_work_needs_a_basic_audit_and_an_estimate() {
        let s = ProgrammeSettings::flemish_2020();
        assert_eq!(
            check_submission(&s, &additional(d(2020, 6, 1)), NONE),
            Err(Refusal::AdditionalWithoutBasic)
        );
        let mut without_estimate = additional(d(2020, 6, 1));
        without_estimate.estimated_cost = None;
        assert_eq!(check_submission(&s, &without_estimate, HAS_BASIC), Err(Refusal::EstimateRequired));
    }

    #[test]
    fn the_offer_runs_until_and_including_31_december_2021() {
        let s = ProgrammeSettings::flemish_2020();
        assert!(check_submission(&s, &basic(OrganisationKind::Gemeente, d(2021, 12, 31)), NONE).is_ok());
        assert_eq!(
            check_submission(&s, &basic(OrganisationKind::Gemeente, d(2022, 1, 1)), NONE),
            Err(Refusal::OfferEnded(d(2021, 12, 31)))
        );
        assert_eq!(
            check_submission(&s, &basic(OrganisationKind::Gemeente, d(2020, 4, 30)), NONE),
            Err(Refusal::OfferNotStarted(d(2020, 5, 1)))
        );
    }

    #[test]
    fn settings_survive_a_round_trip_through_json() {
        let s = ProgrammeSettings::flemish_2020();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"basic_rate\":\"2/3\""), "{json}");
        assert!(json.contains("\"provincie\":\"order_only\""), "{json}");
        assert_eq!(serde_json::from_str::<ProgrammeSettings>(&json).unwrap(), s);
    }
}
