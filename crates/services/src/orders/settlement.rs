//! D7: the settlement queue. Per invoiced order: the framework agreement's price, the accepted
//! price, the invoice, the reservation and the payment settlement will make, with what differs
//! from the plain case; settling then names that payment (`Services::settle_order`).

use crate::Services;
use crate::authz::{Actor, Permission, can};
use crate::error::{Result, ServiceError};
use cyberveilig_domain::Money;
use cyberveilig_domain::Refusal;
use cyberveilig_domain::cascade::FrameworkAgreement;
use cyberveilig_domain::credit::{self, ContractTerms, Difference, Settlement};
use cyberveilig_domain::order::{OrderAction, OrderKind, OrderState, allows};
use cyberveilig_store::records::{Order, OrderFilter};

/// What settling one order will pay, and why.
#[derive(Debug, Clone)]
pub struct SettlementView {
    pub order: Order,
    /// The agreement's terms for the order's firm (its package price and day rate).
    pub terms: Option<ContractTerms>,
    pub settlement: Settlement,
    pub differences: Vec<Difference>,
}

/// The order's settlement as it would be made now.
pub fn settlement_of(order: &Order, agreements: &[FrameworkAgreement]) -> SettlementView {
    let terms = order
        .agreement_id
        .and_then(|id| agreements.iter().find(|a| a.id == id))
        .and_then(|a| order.firm_id.and_then(|f| a.firm(f)).map(|f| ContractTerms::of(&a.reference, f)));
    let settlement = credit::settlement(
        order.rate,
        order.price.unwrap_or(Money::ZERO),
        order.invoiced.unwrap_or(Money::ZERO),
        order.reserved,
    );
    let package_price = terms.as_ref().filter(|_| order.kind == OrderKind::Basic).map(|t| t.package_price);
    let estimate = order.estimated_cost.filter(|_| order.kind == OrderKind::Additional);
    SettlementView {
        differences: settlement.differences(package_price, estimate),
        order: order.clone(),
        terms,
        settlement,
    }
}

impl Services {
    /// What settling an invoiced order will pay (the administrator's confirmation names it).
    pub async fn settlement(&self, actor: &Actor, order_id: i64) -> Result<SettlementView> {
        let mut tx = self.store.read().await?;
        let order = tx.order(order_id).await?.ok_or(ServiceError::NotFound("order"))?;
        if !can(actor, Permission::SettleOrder(&order)) {
            return Err(if can(actor, Permission::ViewOrder(&order)) {
                ServiceError::Forbidden
            } else {
                ServiceError::NotFound("order")
            });
        }
        if !allows(order.kind, order.state, OrderAction::Settle) {
            return Err(Refusal::InvalidTransition {
                from: order.state,
                action: OrderAction::Settle,
            }
            .into());
        }
        let agreements = tx.agreements().await?;
        Ok(settlement_of(&order, &agreements))
    }

    /// The settlement queue: invoiced orders, oldest first, one page after `after_id`.
    pub async fn settlement_queue(&self, actor: &Actor, after_id: Option<i64>, limit: i64) -> Result<Vec<SettlementView>> {
        if !can(actor, Permission::ManageProgrammes) {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        let orders = tx
            .orders(&OrderFilter {
                state: Some(OrderState::Invoiced),
                after_id,
                limit,
                ..Default::default()
            })
            .await?;
        let agreements = tx.agreements().await?;
        Ok(orders.iter().map(|o| settlement_of(o, &agreements)).collect())
    }
}
