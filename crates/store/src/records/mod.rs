//! What the store reads and writes: plain records built from domain types, one module per
//! subject as in `sql/`.

mod assessments;
mod audit_log;
mod audit_reports;
mod awareness;
mod baseline;
mod disclosure;
mod engagements;
mod figures;
mod findings;
mod grant;
mod orders;
mod outbox;
mod programmes;
mod registry;
mod remediation;
mod reports;
mod steering;
mod toolkit;

pub use assessments::*;
pub use audit_log::*;
pub use audit_reports::*;
pub use awareness::*;
pub use baseline::*;
pub use disclosure::*;
pub use engagements::*;
pub use figures::*;
pub use findings::*;
pub use grant::*;
pub use orders::*;
pub use outbox::*;
pub use programmes::*;
pub use registry::*;
pub use remediation::*;
pub use reports::*;
pub use steering::*;
pub use toolkit::*;
