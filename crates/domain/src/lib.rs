//! The rules of the cyberveilige lokale besturen programme (docs/RULES.md), as pure
//! functions over plain values. No I/O, no async, no database types: every rule lives here once.

pub mod assessment;
pub mod asset;
pub mod attachment;
pub mod awareness;
pub mod calendar;
pub mod cascade;
pub mod credit;
pub mod disclosure;
pub mod document;
pub mod engagement;
pub mod ledger;
pub mod money;
pub mod order;
pub mod programme;
pub mod refusal;
pub mod registry;
pub mod remediation;
pub mod report;
pub mod severity;
pub mod ssvc;
pub mod steering;
pub mod text;
pub mod throttle;

pub use money::{Money, Rate};
pub use refusal::Refusal;
