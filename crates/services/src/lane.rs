//! The writer lane: write use cases run on a thread of their own. A writer holds the database's
//! write lock (SQLite's one write connection, a programme's row on PostgreSQL) from its first
//! statement to its commit; on the shared runtime, every await in between could wait behind
//! requests that hold nothing, and everybody else waits for the lock meanwhile. On its own
//! thread the writer goes on as soon as the database answers.

use crate::error::{Result, ServiceError};
use std::future::Future;

pub struct WriterLane {
    handle: Option<tokio::runtime::Handle>,
    // Dropping the sender ends the lane's thread.
    _stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl WriterLane {
    pub fn start() -> WriterLane {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(e) => {
                tracing::warn!(error = %e, "no writer lane; writes run on the caller's runtime");
                return WriterLane { handle: None, _stop: None };
            }
        };
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let spawned = std::thread::Builder::new().name("cyberveilig-writer".into()).spawn(move || {
            // This thread is there to wait for the database: SQLite runs the writers'
            // statements on it rather than on a thread of its own and back.
            cyberveilig_store::wait_for_the_database_here();
            runtime.block_on(async {
                let _ = stopped.await;
            });
        });
        match spawned {
            Ok(_) => WriterLane {
                handle: Some(handle),
                _stop: Some(stop),
            },
            Err(e) => {
                tracing::warn!(error = %e, "no writer lane; writes run on the caller's runtime");
                WriterLane { handle: None, _stop: None }
            }
        }
    }

    /// Starts work on the lane that answers its callers itself (a group of submissions).
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        match &self.handle {
            Some(handle) => drop(handle.spawn(work)),
            None => drop(tokio::spawn(work)),
        }
    }

    /// Runs a write use case on the lane and waits for its answer.
    pub async fn run<T: Send + 'static>(&self, work: impl Future<Output = Result<T>> + Send + 'static) -> Result<T> {
        // A request's Idempotency-Key goes along with its work.
        let scope = crate::idempotency::current();
        match &self.handle {
            Some(handle) => handle
                .spawn(crate::idempotency::within(scope, work))
                .await
                .map_err(|e| ServiceError::internal("writer_interrupted", format!("the write was interrupted: {e}")))?,
            None => work.await,
        }
    }
}
