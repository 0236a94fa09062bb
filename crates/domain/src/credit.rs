//! D7: the money of an order follows the framework agreement it is placed under. What a new
//! order reserves, what a firm may accept it at, what it may invoice, and what settlement pays.
//! The ledger (`ledger.rs`) books what these rules decide; nothing else decides an amount.
//!
//! - A basic audit costs at most the firm's package price in the agreement (C2, C5).
//! - Additional work costs the firm's quote; a quote above the government's estimate does not
//!   grow the reservation by itself: the government confirms the new price first (C4, D8).
//! - An invoice is at most the accepted price.
//! - Settlement pays the rate times the lower of the invoice and the accepted price, rounded down
//!   (D1), never more than the order's reservation; the rest of the reservation is released.

use crate::cascade::CascadeFirm;
use crate::money::{Money, Rate};
use crate::order::OrderKind;
use crate::refusal::Refusal;
use serde::Serialize;

/// What the co-financing of a new order is computed on before a firm names its price: for a
/// basic audit the package price of the first firm of the agreement in force, for additional
/// work the government's estimate.
pub fn cost_basis(kind: OrderKind, first_firm: Option<&CascadeFirm>, estimate: Option<Money>) -> Money {
    match kind {
        OrderKind::Basic => first_firm.map(|f| f.package_price).unwrap_or(Money::ZERO),
        OrderKind::Additional => estimate.unwrap_or(Money::ZERO),
    }
}

/// What a firm's acceptance does to the order's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// The reservation follows the accepted price: the rate times the price, within what is
    /// available (`ledger::adjust`).
    Reserve { share: Money },
    /// Additional work quoted above the government's estimate: the reservation stays as it is
    /// until the government confirms the new price (or cancels).
    AwaitGovernment { share: Money },
}

/// The agreement's terms for the firm an order is placed with, as the acceptance needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTerms {
    /// The agreement's reference, such as "2019/HFB/OP/52630".
    pub agreement: String,
    /// The firm's package price for a basic audit.
    pub package_price: Money,
    /// The firm's day rate for additional work (shown to check a quote against).
    pub day_rate: Money,
}

impl ContractTerms {
    pub fn of(agreement: &str, firm: &CascadeFirm) -> ContractTerms {
        ContractTerms {
            agreement: agreement.to_owned(),
            package_price: firm.package_price,
            day_rate: firm.day_rate,
        }
    }
}

/// D7: whether a firm may accept at `price`, and what that does to the credit. A basic audit
/// above the package price is refused (a lower price is allowed); additional work above the
/// government's estimate waits for the government.
pub fn accept(kind: OrderKind, rate: Rate, price: Money, terms: &ContractTerms, estimate: Option<Money>) -> Result<Acceptance, Refusal> {
    let share = rate.share_of(price);
    match kind {
        OrderKind::Basic if price > terms.package_price => Err(Refusal::PriceAboveAgreement {
            price,
            package_price: terms.package_price,
            agreement: terms.agreement.clone(),
        }),
        OrderKind::Basic => Ok(Acceptance::Reserve { share }),
        OrderKind::Additional if estimate.is_some_and(|e| price > e) => Ok(Acceptance::AwaitGovernment { share }),
        OrderKind::Additional => Ok(Acceptance::Reserve { share }),
    }
}

/// D7: an invoice is at most the accepted price; below it is fine.
pub fn check_invoice(amount: Money, accepted_price: Money) -> Result<(), Refusal> {
    if amount > accepted_price {
        return Err(Refusal::InvoiceAbovePrice {
            invoice: amount,
            price: accepted_price,
        });
    }
    Ok(())
}

/// The government's own part of a price: the price minus the Flemish share (which is rounded
/// down, so the government's part is rounded up).
pub fn own_part(rate: Rate, price: Money) -> Money {
    price - rate.share_of(price)
}

/// What settling an order pays, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settlement {
    pub accepted_price: Money,
    pub invoiced: Money,
    pub reserved: Money,
    /// The rate times the lower of the invoice and the accepted price, rounded down (D1).
    pub due: Money,
    /// What is paid: the amount due, never more than the reservation.
    pub payment: Money,
    /// What the reservation holds beyond the payment; released at settlement.
    pub released: Money,
}

/// D7: settlement pays `rate` x min(invoice, accepted price), rounded down, never more than the
/// order's reservation; the rest of the reservation is released.
pub fn settlement(rate: Rate, accepted_price: Money, invoiced: Money, reserved: Money) -> Settlement {
    let reserved = reserved.max(Money::ZERO);
    let basis = invoiced.min(accepted_price).max(Money::ZERO);
    let due = rate.share_of(basis);
    let payment = due.min(reserved);
    Settlement {
        accepted_price,
        invoiced,
        reserved,
        due,
        payment,
        released: reserved - payment,
    }
}

/// Something in an order's money that the settlement queue points out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difference {
    /// The accepted price is below the agreement's package price.
    PriceBelowAgreement,
    /// The accepted price is above the agreement's package price (accepted before this rule).
    PriceAboveAgreement,
    /// Additional work at a price above the government's estimate (which it confirmed).
    PriceAboveEstimate,
    /// The invoice is below the accepted price: the share of the invoice is paid.
    InvoiceBelowPrice,
    /// The invoice is above the accepted price (invoiced before this rule): only the share of
    /// the accepted price is paid.
    InvoiceAbovePrice,
    /// The reservation is smaller than the share due (a capped share): the reservation is paid.
    CappedByReservation,
    /// Part of the reservation is not paid and goes back to the available credit.
    ReservationReleased,
}

impl Difference {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PriceBelowAgreement => "price_below_agreement",
            Self::PriceAboveAgreement => "price_above_agreement",
            Self::PriceAboveEstimate => "price_above_estimate",
            Self::InvoiceBelowPrice => "invoice_below_price",
            Self::InvoiceAbovePrice => "invoice_above_price",
            Self::CappedByReservation => "capped_by_reservation",
            Self::ReservationReleased => "reservation_released",
        }
    }
}

impl Settlement {
    /// What differs from the plain case (invoice = accepted price = the agreement's price, the
    /// reservation = the share): `package_price` for a basic audit, `estimate` for additional work.
    pub fn differences(&self, package_price: Option<Money>, estimate: Option<Money>) -> Vec<Difference> {
        let mut out = Vec::new();
        if let Some(package) = package_price {
            if self.accepted_price < package {
                out.push(Difference::PriceBelowAgreement);
            } else if self.accepted_price > package {
                out.push(Difference::PriceAboveAgreement);
            }
        }
        if estimate.is_some_and(|e| self.accepted_price > e) {
            out.push(Difference::PriceAboveEstimate);
        }
        if self.invoiced < self.accepted_price {
            out.push(Difference::InvoiceBelowPrice);
        } else if self.invoiced > self.accepted_price {
            out.push(Difference::InvoiceAbovePrice);
        }
        if self.payment < self.due {
            out.push(Difference::CappedByReservation);
        }
        if self.released > Money::ZERO {
            out.push(Difference::ReservationReleased);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_thirds() -> Rate {
        Rate::new(2, 3).unwrap()
    }

    fn half() -> Rate {
        Rate::new(1, 2).unwrap()
    }

    /// Deloitte under 2019/HFB/OP/52630: EUR 5,464.55 a basic audit, EUR 1,210 a day.
    fn deloitte() -> ContractTerms {
        ContractTerms {
            agreement: "2019/HFB/OP/52630".into(),
            package_price: Money::from_cents(546_455),
            day_rate: Money::from_cents(121_000),
        }
    }

    #[test]
    fn a_basic_audit_costs_at_most_the_package_price() {
        let at = |cents| accept(OrderKind::Basic, two_thirds(), Money::from_cents(cents), &deloitte(), None);
        assert_eq!(
            at(546_455),
            Ok(Acceptance::Reserve {
                share: Money::from_cents(364_303)
            })
        );
        assert_eq!(
            at(500_000),
            Ok(Acceptance::Reserve {
                share: Money::from_cents(333_333)
            })
        );
        // Issue 10: 999,999,999,999 cents is refused, and so is one cent above the package.
        for cents in [546_456, 999_999_999_999] {
            assert_eq!(
                at(cents),
                Err(Refusal::PriceAboveAgreement {
                    price: Money::from_cents(cents),
                    package_price: Money::from_cents(546_455),
                    agreement: "2019/HFB/OP/52630".into(),
                })
            );
        }
    }

    #[test]
    fn the_refusal_names_the_agreements_price() {
        let refused = accept(OrderKind::Basic, two_thirds(), Money::euros(9_000), &deloitte(), None).unwrap_err();
        assert_eq!(refused.code(), "price_above_agreement");
        assert_eq!(refused.rule(), Some("D7"));
        assert!(refused.message_nl().contains("€ 5.464,55"), "{}", refused.message_nl());
        assert!(refused.message_en().contains("€5,464.55"), "{}", refused.message_en());
        assert!(refused.message_nl().contains("2019/HFB/OP/52630"));
    }

    #[test]
    fn additional_work_above_the_estimate_waits_for_the_government() {
        let estimate = Some(Money::euros(4_000));
        let quote = |euros| accept(OrderKind::Additional, half(), Money::euros(euros), &deloitte(), estimate);
        assert_eq!(
            quote(4_000),
            Ok(Acceptance::Reserve {
                share: Money::euros(2_000)
            })
        );
        assert_eq!(
            quote(3_000),
            Ok(Acceptance::Reserve {
                share: Money::euros(1_500)
            })
        );
        // Issue 10: any quote is taken, but none reserves more by itself.
        assert_eq!(
            quote(4_001),
            Ok(Acceptance::AwaitGovernment {
                share: Money::from_cents(200_050)
            })
        );
        assert_eq!(
            accept(
                OrderKind::Additional,
                half(),
                Money::from_cents(999_999_999_999),
                &deloitte(),
                estimate
            ),
            Ok(Acceptance::AwaitGovernment {
                share: Money::from_cents(499_999_999_999)
            })
        );
    }

    #[test]
    fn an_invoice_is_at_most_the_accepted_price() {
        let price = Money::from_cents(546_454);
        assert_eq!(check_invoice(price, price), Ok(()));
        assert_eq!(check_invoice(Money::euros(5_000), price), Ok(()));
        // Issue 10: EUR 90,000 on a EUR 5,464.54 order.
        let refused = check_invoice(Money::euros(90_000), price).unwrap_err();
        assert_eq!(
            refused,
            Refusal::InvoiceAbovePrice {
                invoice: Money::euros(90_000),
                price
            }
        );
        assert!(refused.message_nl().contains("€ 5.464,54"), "{}", refused.message_nl());
    }

    #[test]
    fn settlement_pays_the_share_of_the_lower_of_invoice_and_price() {
        let s = settlement(
            two_thirds(),
            Money::from_cents(512_000),
            Money::from_cents(512_000),
            Money::from_cents(341_333),
        );
        assert_eq!(
            (s.due, s.payment, s.released),
            (Money::from_cents(341_333), Money::from_cents(341_333), Money::ZERO)
        );
        assert!(s.differences(Some(Money::from_cents(512_000)), None).is_empty());

        // An invoice below the price: the share of the invoice, the rest released.
        let s = settlement(
            two_thirds(),
            Money::from_cents(512_000),
            Money::from_cents(500_000),
            Money::from_cents(341_333),
        );
        assert_eq!(
            (s.due, s.payment, s.released),
            (Money::from_cents(333_333), Money::from_cents(333_333), Money::from_cents(8_000))
        );
        assert_eq!(
            s.differences(Some(Money::from_cents(512_000)), None),
            [Difference::InvoiceBelowPrice, Difference::ReservationReleased]
        );
    }

    #[test]
    fn settlement_never_pays_more_than_the_reservation() {
        // Issue 10: EUR 90,000 invoiced on a EUR 5,464.54 order, stored before the invoice rule.
        let s = settlement(
            two_thirds(),
            Money::from_cents(546_454),
            Money::euros(90_000),
            Money::from_cents(364_302),
        );
        assert_eq!(s.due, Money::from_cents(364_302));
        assert_eq!(s.payment, Money::from_cents(364_302));
        assert_eq!(
            s.differences(Some(Money::from_cents(546_455)), None),
            [Difference::PriceBelowAgreement, Difference::InvoiceAbovePrice]
        );
        // A capped share: only the reservation is paid.
        let s = settlement(half(), Money::euros(6_000), Money::euros(6_000), Money::euros(1_000));
        assert_eq!(
            (s.due, s.payment, s.released),
            (Money::euros(3_000), Money::euros(1_000), Money::ZERO)
        );
        assert_eq!(
            s.differences(None, Some(Money::euros(4_000))),
            [Difference::PriceAboveEstimate, Difference::CappedByReservation]
        );
    }

    #[test]
    fn the_governments_own_part_is_the_price_minus_the_flemish_share() {
        assert_eq!(own_part(two_thirds(), Money::from_cents(546_455)), Money::from_cents(182_152));
        assert_eq!(own_part(Rate::ZERO, Money::euros(5_000)), Money::euros(5_000));
    }

    #[test]
    fn the_cost_basis_is_the_first_firms_package_or_the_estimate() {
        let first = CascadeFirm {
            firm_id: 1,
            rank: 1,
            package_price: Money::from_cents(500_940),
            day_rate: Money::euros(1_125),
        };
        assert_eq!(cost_basis(OrderKind::Basic, Some(&first), None), Money::from_cents(500_940));
        assert_eq!(cost_basis(OrderKind::Basic, None, None), Money::ZERO);
        assert_eq!(
            cost_basis(OrderKind::Additional, Some(&first), Some(Money::euros(2_400))),
            Money::euros(2_400)
        );
    }

    proptest::proptest! {
        /// Whatever the prices: the payment is at most the reservation, at most the rate times
        /// the accepted price and the invoice, and payment plus release is the reservation.
        #[test]
        fn a_payment_stays_within_its_bounds(
            price in 1i64..2_000_000, invoice in 1i64..2_000_000, reserved in 0i64..2_000_000, n in 0u32..4, extra in 0u32..4
        ) {
            let rate = Rate::new(n, n + extra + 1).unwrap();
            let s = settlement(rate, Money::from_cents(price), Money::from_cents(invoice), Money::from_cents(reserved));
            proptest::prop_assert!(s.payment <= s.reserved);
            proptest::prop_assert!(s.payment <= rate.share_of(Money::from_cents(price)));
            proptest::prop_assert!(s.payment <= rate.share_of(Money::from_cents(invoice)));
            proptest::prop_assert_eq!(s.payment + s.released, s.reserved);
            proptest::prop_assert!(s.payment >= Money::ZERO && s.released >= Money::ZERO);
        }
    }
}
