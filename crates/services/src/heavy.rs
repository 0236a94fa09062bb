//! SEC-10: reads whose work grows with a government's register (the exports, the systems overview):
//! a person runs at most [`PER_PERSON`] of them at once, so one person cannot hold every database
//! reader while everyone else waits. Counted per server: the readers it protects are per server.

use crate::error::{Limited, Result, ServiceError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const PER_PERSON: usize = 2;
/// What a refused person is told to wait, in seconds: a heavy read is seconds, not minutes.
const RETRY_AFTER: u64 = 5;

#[derive(Debug, Default)]
pub struct HeavyReads {
    running: Mutex<HashMap<i64, usize>>,
}

/// One heavy read under way; it ends when dropped.
#[derive(Debug)]
pub struct HeavyRead {
    reads: Arc<HeavyReads>,
    person_id: i64,
}

impl HeavyReads {
    /// Starts a heavy read for the person, or refuses it while they already run [`PER_PERSON`].
    pub fn begin(self: &Arc<Self>, person_id: i64) -> Result<HeavyRead> {
        let mut running = self.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = running.entry(person_id).or_default();
        if *n >= PER_PERSON {
            return Err(ServiceError::RateLimited {
                what: Limited::HeavyReads,
                retry_after: RETRY_AFTER,
            });
        }
        *n += 1;
        Ok(HeavyRead {
            reads: self.clone(),
            person_id,
        })
    }
}

impl Drop for HeavyRead {
    fn drop(&mut self) {
        let mut running = self.reads.running.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(n) = running.get_mut(&self.person_id) {
            *n -= 1;
            if *n == 0 {
                running.remove(&self.person_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_runs_two_heavy_reads_at_once_and_a_third_after_one_ends() {
        let reads = Arc::new(HeavyReads::default());
        let first = reads.begin(7).unwrap();
        let _second = reads.begin(7).unwrap();
        assert!(matches!(
            reads.begin(7),
            Err(ServiceError::RateLimited {
                what: Limited::HeavyReads,
                ..
            })
        ));
        // Someone else is not held up by person 7.
        let _other = reads.begin(8).unwrap();
        drop(first);
        let _third = reads.begin(7).unwrap();
    }
}
