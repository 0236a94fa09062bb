//! The use cases (DESIGN.md section 4). Each takes the Store and the Clock, runs one
//! transaction, records its events and returns domain values. HTTP, the CLI and the jobs all
//! come through here; none of them writes SQL.

pub mod agreements;
pub mod audit;
pub mod auth;
pub mod authz;
pub mod clock;
pub mod demo;
pub mod error;
pub mod jobs;
mod lane;
pub mod orders;
pub mod programmes;
pub mod registry;
mod work;

pub use authz::Actor;
pub use clock::{Clock, SystemClock, TestClock};
pub use cyberveilig_store as store;
pub use error::{Result, ServiceError};

use cyberveilig_store::Store;
use std::sync::Arc;

#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    lane: Arc<lane::WriterLane>,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Services {
        Services {
            store,
            clock,
            lane: Arc::new(lane::WriterLane::start()),
        }
    }
}
