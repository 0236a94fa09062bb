//! The use cases (docs/ARCHITECTURE.md). Each takes the Store and the Clock, runs one
//! transaction, records its events and returns domain values. HTTP, the CLI and the jobs all
//! come through here; none of them writes SQL.

pub mod agreements;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod awareness;
pub mod baseline;
pub mod catalogues;
pub mod clock;
pub mod demo;
mod demo_assessments;
mod demo_awareness;
mod demo_baseline;
mod demo_disclosure;
mod demo_grant;
mod demo_steering;
mod demo_toolkit;
pub mod disclosure;
pub mod engagements;
pub mod error;
pub mod events;
pub mod exports;
mod fields;
pub mod figures;
pub mod findings;
pub mod grant;
pub mod guard;
pub mod heavy;
pub mod idempotency;
pub mod import;
pub mod installation;
pub mod intel;
pub mod jobs;
mod lane;
pub mod orders;
pub mod outbox;
pub mod people;
pub mod programmes;
pub mod quotes;
pub mod registry;
pub mod remediation;
pub mod reports;
pub mod second_factor;
pub mod steering;
pub mod toolkit;
pub mod totp;
mod work;

pub use authz::Actor;
pub use clock::{Clock, SystemClock, TestClock};
pub use cyberveilig_store as store;
pub use error::{Limited, Result, ServiceError};

use cyberveilig_store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// Real time for the limits on clients and addresses ([`guard`]), whatever the programme's
    /// clock says (the demo's stands still); a test may set its own.
    pub limits_clock: Arc<dyn Clock>,
    pub accounts: Arc<AccountPolicy>,
    /// Checks the signatures of the audit chain's head ([`audit`]); none: not checked.
    audit_public: Option<audit::AuditPublicKey>,
    lane: Arc<lane::WriterLane>,
    /// Order submissions waiting to be committed together ([`orders`]).
    submissions: Arc<orders::Submissions>,
    heavy: Arc<heavy::HeavyReads>,
    /// The baseline scanner, where this server scans ([`baseline`]); the demo swaps it for each
    /// week's fleet.
    baseline_scanner: Arc<std::sync::RwLock<Option<Arc<cyberveilig_baseline::Scanner>>>>,
    /// The demo's fleet of servers for the baseline scan, while it runs.
    demo_fleet: Arc<tokio::sync::Mutex<Option<demo_baseline::DemoFleet>>>,
}

/// How accounts work in this installation.
#[derive(Debug, Clone)]
pub struct AccountPolicy {
    /// Programme administrators and firm members must sign in with a second factor. Off only in
    /// the demo, so anyone can try it with the published demo accounts.
    pub enforce_second_factor: bool,
    /// The address people reach the portal at, for the links in mails.
    pub public_url: String,
}

impl AccountPolicy {
    /// The demo's: its published accounts sign in with the password alone.
    pub fn demo(public_url: impl Into<String>) -> AccountPolicy {
        AccountPolicy {
            enforce_second_factor: false,
            public_url: public_url.into(),
        }
    }
}

impl Default for AccountPolicy {
    fn default() -> AccountPolicy {
        AccountPolicy {
            enforce_second_factor: true,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Services {
        Services {
            store,
            clock,
            limits_clock: Arc::new(SystemClock),
            accounts: Arc::new(AccountPolicy::default()),
            audit_public: None,
            lane: Arc::new(lane::WriterLane::start()),
            submissions: Arc::default(),
            heavy: Arc::new(heavy::HeavyReads::default()),
            baseline_scanner: Arc::default(),
            demo_fleet: Arc::default(),
        }
    }

    /// A write transaction outside a use case's [`work::Work`], after the request's parked one.
    pub(crate) async fn write_tx(&self) -> Result<Box<dyn cyberveilig_store::Tx>> {
        idempotency::flush().await?;
        Ok(self.store.write().await?)
    }

    /// The limits ([`guard`]) run on this clock instead of real time: for tests.
    pub fn with_limits_clock(mut self, clock: Arc<dyn Clock>) -> Services {
        self.limits_clock = clock;
        self
    }

    pub fn with_accounts(mut self, policy: AccountPolicy) -> Services {
        self.accounts = Arc::new(policy);
        self
    }
}
