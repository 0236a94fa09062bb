//! SEC-10: a SQLite connection on a thread of its own. The async side sends it work and awaits the
//! answer, so no runtime worker waits while SQLite reads or writes: two heavy reads can never
//! take every worker away from the requests that need only a moment.
//!
//! A thread that exists to wait for the database (the services' writer lane, marked with
//! [`crate::wait_for_the_database_here`]) runs its statements itself instead: a write use case
//! is a dozen short statements under the write lock, and a hop to another thread and back for
//! each of them would cost more than SQLite's own work.

use crate::{Result, StoreError};
use rusqlite::Connection;
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

thread_local! {
    static DATABASE_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// From now on statements asked for on this thread run on it. Only for a thread of its own whose
/// work is to wait for the database, never for an async runtime's worker.
pub fn wait_for_the_database_here() {
    DATABASE_THREAD.with(|t| t.set(true));
}

fn on_a_database_thread() -> bool {
    DATABASE_THREAD.with(Cell::get)
}

/// How often (in SQLite virtual-machine steps) a running statement checks its deadline.
const STEPS_BETWEEN_CHECKS: i32 = 10_000;

pub(crate) struct Lane {
    /// Used by the lane's thread, or by a database thread running a statement itself; never
    /// both at once, since a lane serves one transaction or one read at a time.
    conn: Arc<Mutex<Connection>>,
    jobs: mpsc::Sender<Job>,
    /// Milliseconds after `epoch` past which the running job's statements are interrupted;
    /// 0: no deadline.
    deadline: Arc<AtomicU64>,
    epoch: Instant,
    limit: Option<Duration>,
}

impl Lane {
    /// Moves `conn` onto a new thread named `name`. With a `limit`, each job (each statement, or
    /// each chunk of a streamed statement) is interrupted once it has run that long.
    pub(crate) fn spawn(conn: Connection, name: &str, limit: Option<Duration>) -> Result<Lane> {
        let deadline = Arc::new(AtomicU64::new(0));
        let epoch = Instant::now();
        if limit.is_some() {
            let deadline = deadline.clone();
            conn.progress_handler(
                STEPS_BETWEEN_CHECKS,
                Some(move || {
                    let at = deadline.load(Ordering::Relaxed);
                    at != 0 && epoch.elapsed().as_millis() as u64 > at
                }),
            );
        }
        let conn = Arc::new(Mutex::new(conn));
        let (jobs, inbox) = mpsc::channel::<Job>();
        let own = conn.clone();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                // Ends when the lane is dropped; the connection closes with the last holder.
                while let Ok(job) = inbox.recv() {
                    job(&mut lock(&own));
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start a database thread: {e}")))?;
        Ok(Lane {
            conn,
            jobs,
            deadline,
            epoch,
            limit,
        })
    }

    /// Runs `work` on the lane's thread and waits, without blocking, for its answer.
    pub(crate) async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static) -> Result<T> {
        if on_a_database_thread() {
            return self.run_here(work);
        }
        let (answer, answered) = tokio::sync::oneshot::channel();
        let limit = self.limit;
        let (deadline, epoch) = (self.deadline.clone(), self.epoch);
        self.send(move |conn| {
            if let Some(limit) = limit {
                deadline.store((epoch.elapsed() + limit).as_millis() as u64, Ordering::Relaxed);
            }
            let result = work(conn).map_err(interrupted);
            deadline.store(0, Ordering::Relaxed);
            // The asker may have gone away (a dropped request): nothing waits for the answer.
            let _ = answer.send(result);
        });
        answered
            .await
            .map_err(|_| StoreError::Corrupt("the database thread stopped".into()))?
    }

    fn run_here<T>(&self, work: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let (deadline, epoch) = (&self.deadline, self.epoch);
        Lane::extend_deadline(deadline, epoch, self.limit);
        let result = work(&mut lock(&self.conn)).map_err(interrupted);
        deadline.store(0, Ordering::Relaxed);
        result
    }

    /// What lets work be queued on the lane from `Drop`, while the lane itself moves along.
    pub(crate) fn handle(&self) -> LaneHandle {
        LaneHandle {
            conn: self.conn.clone(),
            jobs: self.jobs.clone(),
        }
    }

    fn send(&self, work: impl FnOnce(&mut Connection) + Send + 'static) {
        if self.jobs.send(Box::new(work)).is_err() {
            tracing::error!("a database thread has stopped; its work is lost");
        }
    }

    /// Pushes the deadline of the running job forward: a streamed statement is limited per chunk.
    pub(crate) fn extend_deadline(deadline: &AtomicU64, epoch: Instant, limit: Option<Duration>) {
        if let Some(limit) = limit {
            deadline.store((epoch.elapsed() + limit).as_millis() as u64, Ordering::Relaxed);
        }
    }
}

pub(crate) struct LaneHandle {
    conn: Arc<Mutex<Connection>>,
    jobs: mpsc::Sender<Job>,
}

impl LaneHandle {
    /// Runs `work` without waiting for it (a rollback as a transaction is dropped): here on a
    /// database thread, else queued on the lane's thread, after whatever was queued before.
    /// `work` owns what must stay held until it has run (the write lock).
    pub(crate) fn finish(&self, work: impl FnOnce(&mut Connection) + Send + 'static) {
        if on_a_database_thread() {
            work(&mut lock(&self.conn));
        } else if self.jobs.send(Box::new(work)).is_err() {
            tracing::error!("a database thread has stopped; its work is lost");
        }
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic in a statement leaves the connection usable: SQLite keeps its own state.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A statement stopped by its deadline is a read that took too long, not a broken database.
fn interrupted(err: StoreError) -> StoreError {
    match &err {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::OperationInterrupted => {
            StoreError::TooLong
        }
        _ => err,
    }
}
