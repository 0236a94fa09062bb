//! Why a rule refuses something: a stable code for machines and a sentence for people, in Dutch
//! and in English.

use crate::money::Money;
use crate::order::{OrderAction, OrderState};
use crate::registry::OrganisationKind;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("an organisation of kind {0:?} cannot order in this programme")]
    NotEligible(OrganisationKind),
    #[error("the offer starts on {0}")]
    OfferNotStarted(NaiveDate),
    #[error("the offer ended on {0}")]
    OfferEnded(NaiveDate),
    #[error("this government already has a basic audit in this programme")]
    SecondBasicAudit,
    #[error("additional work needs a basic audit of the same government in the same programme")]
    AdditionalWithoutBasic,
    #[error("additional work needs an estimated cost")]
    EstimateRequired,
    #[error("no framework agreement serves orders on {0}")]
    NoFrameworkAgreement(NaiveDate),
    #[error("an order in state {from:?} cannot {action:?}")]
    InvalidTransition { from: OrderState, action: OrderAction },
    #[error("the budget cannot go below what is reserved and paid")]
    BudgetBelowCommitments,
    #[error("the offer can only be extended, not shortened")]
    EndDateNotLater,
    #[error("this framework agreement is already active")]
    AlreadyActive,
    #[error("a date cannot lie in the future")]
    DateInFuture,
    #[error("a date cannot lie before the order was accepted")]
    DateBeforeAcceptance,
    /// D7: a basic audit costs at most the firm's package price in the agreement.
    #[error("a basic audit costs at most {package_price} under {agreement}")]
    PriceAboveAgreement {
        price: Money,
        package_price: Money,
        agreement: String,
    },
    /// D7: an invoice is at most the accepted price.
    #[error("the invoice is above the accepted price of {price}")]
    InvoiceAbovePrice { invoice: Money, price: Money },
    /// D7: the payment changed since the administrator confirmed it.
    #[error("the payment is now {payment}, not the {confirmed} confirmed")]
    SettlementChanged { confirmed: Money, payment: Money },
    /// D11: a basic audit is delivered with every control of its assessment (C3) rated.
    #[error("{unrated} controls of the assessment are not rated yet")]
    AssessmentIncomplete { unrated: u32 },
    /// D11: a basic audit is delivered with its audit report attached.
    #[error("the audit report is not attached yet")]
    AuditReportMissing,
}

impl Refusal {
    /// A stable, machine-readable code (used as the problem type in the API).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotEligible(_) => "not_eligible",
            Self::OfferNotStarted(_) => "offer_not_started",
            Self::OfferEnded(_) => "offer_ended",
            Self::SecondBasicAudit => "second_basic_audit",
            Self::AdditionalWithoutBasic => "additional_without_basic",
            Self::EstimateRequired => "estimate_required",
            Self::NoFrameworkAgreement(_) => "no_framework_agreement",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::BudgetBelowCommitments => "budget_below_commitments",
            Self::EndDateNotLater => "end_date_not_later",
            Self::AlreadyActive => "already_active",
            Self::DateInFuture => "date_in_future",
            Self::DateBeforeAcceptance => "date_before_acceptance",
            Self::PriceAboveAgreement { .. } => "price_above_agreement",
            Self::InvoiceAbovePrice { .. } => "invoice_above_price",
            Self::SettlementChanged { .. } => "settlement_changed",
            Self::AssessmentIncomplete { .. } => "assessment_incomplete",
            Self::AuditReportMissing => "audit_report_missing",
        }
    }

    /// The rule of docs/RULES.md behind the refusal, if one.
    pub fn rule(&self) -> Option<&'static str> {
        match self {
            Self::NotEligible(_) => Some("D2"),
            Self::OfferNotStarted(_) | Self::OfferEnded(_) => Some("C9/D9"),
            Self::SecondBasicAudit | Self::AdditionalWithoutBasic => Some("D3"),
            Self::NoFrameworkAgreement(_) => Some("C5/D4"),
            Self::BudgetBelowCommitments
            | Self::PriceAboveAgreement { .. }
            | Self::InvoiceAbovePrice { .. }
            | Self::SettlementChanged { .. } => Some("D7"),
            Self::AssessmentIncomplete { .. } | Self::AuditReportMissing => Some("D11"),
            _ => None,
        }
    }

    pub fn message(&self, dutch: bool) -> String {
        if dutch { self.message_nl() } else { self.message_en() }
    }

    pub fn message_en(&self) -> String {
        match self {
            Self::NotEligible(kind) => format!("An organisation of kind '{}' cannot order audits in this programme.", kind.as_str()),
            Self::OfferNotStarted(d) => format!("The offer starts on {}.", d.format("%d/%m/%Y")),
            Self::OfferEnded(d) => format!(
                "The offer ran until and including {}; orders after that date are not accepted.",
                d.format("%d/%m/%Y")
            ),
            Self::InvalidTransition { from, action } => {
                format!("An order that is {} cannot be {}.", from.label(false), action.past_participle_en())
            }
            Self::NoFrameworkAgreement(d) => format!("No framework agreement serves orders placed on {}.", d.format("%d/%m/%Y")),
            Self::PriceAboveAgreement {
                price,
                package_price,
                agreement,
            } => format!(
                "Under framework agreement {agreement} a basic audit with your firm costs at most its package price of {}; {} is more.",
                package_price.format_en(),
                price.format_en()
            ),
            Self::InvoiceAbovePrice { invoice, price } => format!(
                "An invoice is at most the accepted price of {}; {} is more.",
                price.format_en(),
                invoice.format_en()
            ),
            Self::SettlementChanged { confirmed, payment } => format!(
                "The payment is now {}, not the {} you confirmed: look at the settlement again.",
                payment.format_en(),
                confirmed.format_en()
            ),
            Self::AssessmentIncomplete { unrated } => format!(
                "A basic audit is delivered with its assessment complete: {unrated} {} not rated yet.",
                if *unrated == 1 { "control is" } else { "controls are" }
            ),
            Self::AuditReportMissing => {
                "A basic audit is delivered with its audit report: upload the report (PDF) on the order first.".into()
            }
            other => {
                let mut text = other.to_string();
                if let Some(first) = text.get(..1) {
                    text.replace_range(..1, &first.to_uppercase());
                }
                text + "."
            }
        }
    }

    pub fn message_nl(&self) -> String {
        match self {
            Self::NotEligible(kind) => format!(
                "Een organisatie van het type '{}' kan in dit programma geen audits bestellen.",
                kind.as_str()
            ),
            Self::OfferNotStarted(d) => format!("Het aanbod start op {}.", d.format("%d/%m/%Y")),
            Self::OfferEnded(d) => format!(
                "Het aanbod liep tot en met {}; bestellingen na die datum worden niet aanvaard.",
                d.format("%d/%m/%Y")
            ),
            Self::SecondBasicAudit => "Dit bestuur heeft in dit programma al een basisaudit.".into(),
            Self::AdditionalWithoutBasic => {
                "Aanvullende auditwerkzaamheden vereisen een basisaudit van hetzelfde bestuur in hetzelfde programma.".into()
            }
            Self::EstimateRequired => "Aanvullende auditwerkzaamheden vereisen een geraamde kostprijs.".into(),
            Self::NoFrameworkAgreement(d) => format!("Geen raamovereenkomst bedient bestellingen geplaatst op {}.", d.format("%d/%m/%Y")),
            Self::InvalidTransition { from, action } => {
                format!(
                    "Een bestelling met status '{}' kan niet {}.",
                    from.label(true),
                    action.infinitive_nl()
                )
            }
            Self::BudgetBelowCommitments => "Het budget kan niet lager worden dan wat gereserveerd en betaald is.".into(),
            Self::EndDateNotLater => "Het aanbod kan enkel verlengd worden, niet ingekort.".into(),
            Self::AlreadyActive => "Deze raamovereenkomst is al actief.".into(),
            Self::DateInFuture => "Een datum kan niet in de toekomst liggen.".into(),
            Self::DateBeforeAcceptance => "Een datum kan niet voor de aanvaarding van de bestelling liggen.".into(),
            Self::PriceAboveAgreement {
                price,
                package_price,
                agreement,
            } => format!(
                "Volgens raamovereenkomst {agreement} kost een basisaudit bij uw firma hoogstens de pakketprijs van {}; {} is meer.",
                package_price.format_nl(),
                price.format_nl()
            ),
            Self::InvoiceAbovePrice { invoice, price } => format!(
                "Een factuur is hoogstens de aanvaarde prijs van {}; {} is meer.",
                price.format_nl(),
                invoice.format_nl()
            ),
            Self::SettlementChanged { confirmed, payment } => format!(
                "De betaling is nu {}, niet de {} die u bevestigde: bekijk de vereffening opnieuw.",
                payment.format_nl(),
                confirmed.format_nl()
            ),
            Self::AssessmentIncomplete { unrated } => format!(
                "Een basisaudit wordt opgeleverd met een volledige beoordeling: {unrated} {} nog niet beoordeeld.",
                if *unrated == 1 { "controle is" } else { "controles zijn" }
            ),
            Self::AuditReportMissing => {
                "Een basisaudit wordt opgeleverd met het auditrapport: laad eerst het rapport (PDF) op bij de bestelling.".into()
            }
        }
    }
}
