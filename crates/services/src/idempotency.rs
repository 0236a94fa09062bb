//! `Idempotency-Key` (issue 10, item 5): a request's key is claimed in the same transaction as
//! its work, and that transaction commits only with the answer written beside it. A crash leaves
//! either the work and its answer, or neither: a retry then gets the first answer again, or runs
//! as if for the first time. Two requests with one key at once: one does the work, the other
//! finds the key taken and gets that one's answer.
//!
//! The web layer wraps a request in a [`Scope`] (a task-local that follows the use case onto the
//! writer lane). [`crate::work::Work::commit`] then claims the key and parks its transaction in
//! the scope instead of committing; [`Services::finish_idempotent`] writes the answer into it and
//! commits it on the writer lane. A use case that writes more than one transaction commits the
//! earlier ones as it begins the next: the key is then claimed with the first, and the answer
//! written after the last, in a transaction of its own; should the process die in between, the
//! key is known to be used but its answer is lost, and a retry is told so.

use crate::Services;
use crate::clock::wall_clock;
use crate::error::{Result, ServiceError};
use chrono::Duration;
use cyberveilig_store::Tx;
use cyberveilig_store::records::IdempotentAnswer;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::sync::Arc;

/// How long a key and its answer are kept (in real time).
pub const KEPT_FOR: Duration = Duration::hours(24);

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

/// One request with an `Idempotency-Key`, while it runs.
pub struct Scope {
    person_id: i64,
    key: String,
    /// Method, path, query string and the body as far as it was read.
    hasher: std::sync::Mutex<Sha256>,
    state: tokio::sync::Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The key is claimed in a transaction that committed or is parked.
    claimed: bool,
    /// The work's transaction, with the claim, waiting for the answer.
    parked: Option<Box<dyn Tx>>,
    /// Another request with the key did its work first.
    taken: bool,
}

/// How a request with a key ended, for the web layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// The answer is kept with the key (or, for a failure on our side, nothing is).
    Kept,
    /// Another request with the key did its work first: send its answer instead.
    Taken,
}

impl Scope {
    /// A request by `person_id` with `key`: the hash starts with its method, path and query.
    pub fn new(person_id: i64, key: &str, method: &str, path: &str, query: Option<&str>) -> Arc<Scope> {
        Arc::new(Scope {
            person_id,
            key: key.to_owned(),
            hasher: std::sync::Mutex::new(request_hasher(method, path, query)),
            state: tokio::sync::Mutex::new(State::default()),
        })
    }

    /// More of the request's body was read.
    pub fn body_read(&self, bytes: &[u8]) {
        self.hasher.lock().unwrap_or_else(|e| e.into_inner()).update(bytes);
    }

    /// The hash of the request as read so far: its body is read in full before any work.
    pub fn request_hash(&self) -> String {
        let hasher = self.hasher.lock().unwrap_or_else(|e| e.into_inner()).clone();
        hex::encode(hasher.finalize())
    }

    /// Runs `request` within this scope.
    pub async fn run<F: Future>(self: &Arc<Self>, request: F) -> F::Output {
        SCOPE.scope(self.clone(), request).await
    }
}

/// The hash of a request whose body is `body`: method, path, query string and body.
pub fn request_hash(method: &str, path: &str, query: Option<&str>, body: &[u8]) -> String {
    let mut hasher = request_hasher(method, path, query);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

fn request_hasher(method: &str, path: &str, query: Option<&str>) -> Sha256 {
    let mut h = Sha256::new();
    for part in [method, path, query.unwrap_or("")] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h
}

/// The scope of the request this task serves, if it carries a key.
pub(crate) fn current() -> Option<Arc<Scope>> {
    SCOPE.try_with(Arc::clone).ok()
}

/// Runs `work` in `scope` when there is one (for the writer lane's tasks).
pub(crate) async fn within<F: Future>(scope: Option<Arc<Scope>>, work: F) -> F::Output {
    match scope {
        Some(scope) => SCOPE.scope(scope, work).await,
        None => work.await,
    }
}

/// A use case's transaction is done: outside a scope it commits; in one it claims the key and
/// is parked until the answer is known. `Err(IdempotencyKeyTaken)` (and nothing written) when
/// another request with the key did its work first.
pub(crate) async fn commit_or_park(mut tx: Box<dyn Tx>) -> Result<()> {
    let Some(scope) = current() else {
        return Ok(tx.commit().await?);
    };
    let mut state = scope.state.lock().await;
    if state.taken {
        return Err(ServiceError::IdempotencyKeyTaken);
    }
    if !state.claimed {
        if !tx
            .claim_idempotency_key(scope.person_id, &scope.key, &scope.request_hash(), wall_clock())
            .await?
        {
            state.taken = true;
            return Err(ServiceError::IdempotencyKeyTaken);
        }
        state.claimed = true;
    }
    if let Some(earlier) = state.parked.replace(tx) {
        // Not expected (a writer flushes the parked one as it begins), but never lose work.
        earlier.commit().await?;
    }
    Ok(())
}

/// Before another transaction of the same request begins: commits the parked one, so the new one
/// does not wait for locks its own request holds. The answer then comes in a transaction of its own.
pub(crate) async fn flush() -> Result<()> {
    let Some(scope) = current() else { return Ok(()) };
    let parked = scope.state.lock().await.parked.take();
    if let Some(tx) = parked {
        tracing::warn!(key = %scope.key, "a request with an Idempotency-Key writes in more than one transaction; its answer is kept apart");
        tx.commit().await?;
    }
    Ok(())
}

impl Services {
    /// What an earlier request with this key left: its request hash and answer.
    pub async fn idempotent_answer(&self, person_id: i64, key: &str) -> Result<Option<IdempotentAnswer>> {
        let mut tx = self.store.read().await?;
        Ok(tx.idempotent_answer(person_id, key).await?)
    }

    /// The request of `scope` answered `status` with `body`: the answer is kept with the key in
    /// the work's own transaction, which commits now, on the writer lane. A failure on our side
    /// (5xx) keeps nothing and undoes the parked work, as its answer says.
    pub async fn finish_idempotent(&self, scope: Arc<Scope>, status: u16, body: String) -> Result<Finished> {
        let this = self.clone();
        self.lane.run(async move { this.finish_now(scope, status, body).await }).await
    }

    async fn finish_now(&self, scope: Arc<Scope>, status: u16, body: String) -> Result<Finished> {
        let mut state = scope.state.lock().await;
        if state.taken {
            return Ok(Finished::Taken);
        }
        let server_error = status >= 500;
        if let Some(mut tx) = state.parked.take() {
            if server_error {
                // Dropped: rolled back.
                return Ok(Finished::Kept);
            }
            tx.record_idempotent_answer(scope.person_id, &scope.key, status, &body).await?;
            tx.commit().await?;
            return Ok(Finished::Kept);
        }
        if server_error {
            return Ok(Finished::Kept);
        }
        let mut tx = self.store.write().await?;
        if !state.claimed
            && !tx
                .claim_idempotency_key(scope.person_id, &scope.key, &scope.request_hash(), wall_clock())
                .await?
        {
            return Ok(Finished::Taken);
        }
        tx.record_idempotent_answer(scope.person_id, &scope.key, status, &body).await?;
        tx.commit().await?;
        Ok(Finished::Kept)
    }
}
