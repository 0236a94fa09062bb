//! An order's life (section 2.1): which actions each state allows.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::registry::UnknownValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// C2: the basic audit, co-financed at the programme's basic rate.
    Basic,
    /// C4: additional audit work, co-financed within the available credit.
    Additional,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Additional => "additional",
        }
    }
}

impl FromStr for OrderKind {
    type Err = UnknownValue;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "basic" => Ok(Self::Basic),
            "additional" => Ok(Self::Additional),
            _ => Err(UnknownValue),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// D4: the agreement in force is not yet active.
    AwaitingFramework,
    /// D8: a basic audit waiting for credit, first come first served.
    Waitlisted,
    /// D8: additional work whose share was capped; the government must confirm.
    AwaitingConfirmation,
    Offered,
    /// D7: the firm quoted additional work above the government's estimate; the government
    /// confirms the new price (or cancels) before the work starts.
    AwaitingPriceConfirmation,
    Accepted,
    Delivered,
    /// C2: the day of guidance of a basic audit has been held.
    RemediationDayHeld,
    Invoiced,
    Settled,
    Cancelled,
    /// D6: every firm of the cascade declined.
    Unplaceable,
}

impl OrderState {
    pub const ALL: [OrderState; 12] = [
        Self::AwaitingFramework,
        Self::Waitlisted,
        Self::AwaitingConfirmation,
        Self::Offered,
        Self::AwaitingPriceConfirmation,
        Self::Accepted,
        Self::Delivered,
        Self::RemediationDayHeld,
        Self::Invoiced,
        Self::Settled,
        Self::Cancelled,
        Self::Unplaceable,
    ];

    /// Whether a firm's results (scanner reports, assessments) can be recorded for the order:
    /// once a firm has accepted it (and the government confirmed its price), and not after it
    /// was cancelled.
    pub fn takes_results(self) -> bool {
        !matches!(
            self,
            Self::AwaitingFramework
                | Self::Waitlisted
                | Self::AwaitingConfirmation
                | Self::Offered
                | Self::AwaitingPriceConfirmation
                | Self::Cancelled
                | Self::Unplaceable
        )
    }

    /// Whether the firm has delivered the work (delivered or any state after it).
    pub fn is_delivered(self) -> bool {
        matches!(self, Self::Delivered | Self::RemediationDayHeld | Self::Invoiced | Self::Settled)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingFramework => "awaiting_framework",
            Self::Waitlisted => "waitlisted",
            Self::AwaitingConfirmation => "awaiting_confirmation",
            Self::Offered => "offered",
            Self::AwaitingPriceConfirmation => "awaiting_price_confirmation",
            Self::Accepted => "accepted",
            Self::Delivered => "delivered",
            Self::RemediationDayHeld => "remediation_day_held",
            Self::Invoiced => "invoiced",
            Self::Settled => "settled",
            Self::Cancelled => "cancelled",
            Self::Unplaceable => "unplaceable",
        }
    }

    /// The state in words, as people read it.
    pub fn label(self, dutch: bool) -> &'static str {
        let (nl, en) = match self {
            Self::AwaitingFramework => ("wacht op de raamovereenkomst", "awaiting the framework agreement"),
            Self::Waitlisted => ("op de wachtlijst", "on the waiting list"),
            Self::AwaitingConfirmation => ("wacht op uw bevestiging", "awaiting confirmation"),
            Self::Offered => ("aangeboden", "offered"),
            Self::AwaitingPriceConfirmation => ("prijs te bevestigen", "price to be confirmed"),
            Self::Accepted => ("aanvaard", "accepted"),
            Self::Delivered => ("opgeleverd", "delivered"),
            Self::RemediationDayHeld => ("remediëringsdag gehouden", "remediation day held"),
            Self::Invoiced => ("gefactureerd", "invoiced"),
            Self::Settled => ("vereffend", "settled"),
            Self::Cancelled => ("geannuleerd", "cancelled"),
            Self::Unplaceable => ("niet te plaatsen", "unplaceable"),
        };
        if dutch { nl } else { en }
    }

    /// Whether the order still counts as the government's basic audit for D3.
    pub fn counts_as_ordered(self) -> bool {
        !matches!(self, Self::Cancelled | Self::Unplaceable)
    }

    /// Whether the order may still hold reserved credit.
    pub fn holds_reservation(self) -> bool {
        !matches!(self, Self::Settled | Self::Cancelled | Self::Unplaceable)
    }
}

impl FromStr for OrderState {
    type Err = UnknownValue;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.as_str() == text).ok_or(UnknownValue)
    }
}

/// What can happen to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderAction {
    Accept,
    Decline,
    Expire,
    Deliver,
    HoldRemediationDay,
    Invoice,
    Settle,
    Cancel,
    Confirm,
    Reopen,
    Fund,
    Activate,
}

impl OrderAction {
    pub fn past_participle_en(self) -> &'static str {
        match self {
            Self::Accept => "accepted",
            Self::Decline => "declined",
            Self::Expire => "expired",
            Self::Deliver => "delivered",
            Self::HoldRemediationDay => "given a remediation day",
            Self::Invoice => "invoiced",
            Self::Settle => "settled",
            Self::Cancel => "cancelled",
            Self::Confirm => "confirmed",
            Self::Reopen => "re-opened",
            Self::Fund => "funded",
            Self::Activate => "offered on activation",
        }
    }

    pub fn infinitive_nl(self) -> &'static str {
        match self {
            Self::Accept => "aanvaard worden",
            Self::Decline => "geweigerd worden",
            Self::Expire => "vervallen",
            Self::Deliver => "opgeleverd worden",
            Self::HoldRemediationDay => "een remediëringsdag krijgen",
            Self::Invoice => "gefactureerd worden",
            Self::Settle => "afgerekend worden",
            Self::Cancel => "geannuleerd worden",
            Self::Confirm => "bevestigd worden",
            Self::Reopen => "heropend worden",
            Self::Fund => "gefinancierd worden",
            Self::Activate => "aangeboden worden bij activering",
        }
    }
}

/// C3: what a basic audit covers is the minimal control approach Audit Vlaanderen set; it is
/// the scope of a basic audit ordered without one.
pub const BASIC_AUDIT_SCOPE: &str = "Basisaudit volgens de minimale controleaanpak van Audit Vlaanderen.";

/// SEC-5: the scope an order is placed with is never empty (issue 10, item 13). A basic audit
/// without one has the minimal control approach (C3); additional work has the scope the government
/// chooses (C4), so without one it is refused (`None`).
pub fn scope_of(kind: OrderKind, text: &str) -> Option<String> {
    match (kind, text.trim()) {
        (OrderKind::Basic, "") => Some(BASIC_AUDIT_SCOPE.to_owned()),
        (OrderKind::Additional, "") => None,
        (_, scope) => Some(scope.to_owned()),
    }
}

/// Whether `action` is allowed on an order of `kind` in `state`.
pub fn allows(kind: OrderKind, state: OrderState, action: OrderAction) -> bool {
    use OrderAction as A;
    use OrderState as S;
    match action {
        A::Accept | A::Decline | A::Expire => state == S::Offered,
        A::Deliver => state == S::Accepted,
        A::HoldRemediationDay => kind == OrderKind::Basic && state == S::Delivered,
        A::Invoice => match kind {
            OrderKind::Basic => state == S::RemediationDayHeld,
            OrderKind::Additional => state == S::Delivered,
        },
        A::Settle => state == S::Invoiced,
        A::Cancel => matches!(
            state,
            S::AwaitingFramework | S::Waitlisted | S::AwaitingConfirmation | S::Offered | S::AwaitingPriceConfirmation | S::Accepted
        ),
        // D8 (a capped share) and D7 (a quote above the estimate): the government goes ahead.
        A::Confirm => matches!(state, S::AwaitingConfirmation | S::AwaitingPriceConfirmation),
        A::Reopen => state == S::Unplaceable,
        A::Fund => state == S::Waitlisted,
        A::Activate => state == S::AwaitingFramework,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_recorded_from_acceptance_on_and_never_for_a_cancelled_order() {
        let taking: Vec<&str> = OrderState::ALL
            .into_iter()
            .filter(|s| s.takes_results())
            .map(OrderState::as_str)
            .collect();
        assert_eq!(taking, ["accepted", "delivered", "remediation_day_held", "invoiced", "settled"]);
    }

    #[test]
    fn a_quote_above_the_estimate_is_confirmed_or_cancelled_and_nothing_else() {
        let s = OrderState::AwaitingPriceConfirmation;
        let allowed: Vec<OrderAction> = [
            OrderAction::Accept,
            OrderAction::Decline,
            OrderAction::Expire,
            OrderAction::Deliver,
            OrderAction::HoldRemediationDay,
            OrderAction::Invoice,
            OrderAction::Settle,
            OrderAction::Cancel,
            OrderAction::Confirm,
            OrderAction::Reopen,
            OrderAction::Fund,
            OrderAction::Activate,
        ]
        .into_iter()
        .filter(|a| allows(OrderKind::Additional, s, *a))
        .collect();
        assert_eq!(allowed, [OrderAction::Cancel, OrderAction::Confirm]);
        assert!(!s.takes_results() && s.holds_reservation());
    }

    #[test]
    fn every_state_has_words_in_both_languages() {
        for state in OrderState::ALL {
            assert!(!state.label(true).contains('_') && !state.label(false).contains('_'), "{state:?}");
        }
        assert_eq!(OrderState::Offered.label(true), "aangeboden");
    }

    #[test]
    fn a_basic_audit_holds_its_remediation_day_before_the_invoice() {
        assert!(!allows(OrderKind::Basic, OrderState::Delivered, OrderAction::Invoice));
        assert!(allows(OrderKind::Basic, OrderState::Delivered, OrderAction::HoldRemediationDay));
        assert!(allows(OrderKind::Basic, OrderState::RemediationDayHeld, OrderAction::Invoice));
    }

    #[test]
    fn additional_work_has_no_remediation_day() {
        assert!(!allows(
            OrderKind::Additional,
            OrderState::Delivered,
            OrderAction::HoldRemediationDay
        ));
        assert!(allows(OrderKind::Additional, OrderState::Delivered, OrderAction::Invoice));
    }

    #[test]
    fn delivered_work_cannot_be_cancelled() {
        for state in [
            OrderState::Delivered,
            OrderState::Invoiced,
            OrderState::Settled,
            OrderState::Cancelled,
        ] {
            assert!(!allows(OrderKind::Basic, state, OrderAction::Cancel), "{state:?}");
        }
        assert!(allows(OrderKind::Basic, OrderState::Accepted, OrderAction::Cancel));
    }

    #[test]
    fn only_an_offer_is_answered() {
        for state in OrderState::ALL {
            assert_eq!(allows(OrderKind::Basic, state, OrderAction::Accept), state == OrderState::Offered);
        }
    }

    #[test]
    fn states_round_trip() {
        for state in OrderState::ALL {
            assert_eq!(state.as_str().parse::<OrderState>(), Ok(state));
        }
    }
}
