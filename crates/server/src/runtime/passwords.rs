//! Password hashing (argon2id) with bounded concurrency and bounded, reused memory.
//!
//! One argon2 run with the default parameters needs 19 MiB and a core for a good part of a
//! second. Unbounded, 128 concurrent sign-ins (unknown addresses included, since those are
//! checked against a dummy hash to take as long) took the server from 1.4 to 2.9 GB, and the
//! allocator kept it. Here:
//!
//! - at most `concurrency` runs at once (a semaphore, one per core by default), and at most
//!   `queue` callers waiting for one; anyone past that is shed ([`Busy`], 503) *before* any
//!   hashing;
//! - each run uses a memory buffer from a pool of at most `concurrency` buffers, allocated
//!   once and reused, so hashing holds a fixed `concurrency × 19 MiB` and never returns it to
//!   the allocator to be fragmented and kept;
//! - the permit and the buffer travel with the blocking task, so a caller that goes away
//!   mid-hash (a dropped request) does not free its slot early.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

use argon2::{
    password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Too many hashes running and waiting: the caller was shed without hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// The bounded hasher; cheap to clone.
#[derive(Clone)]
pub struct Hasher(Arc<Inner>);

struct Inner {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Memory of finished runs, reused by the next ones (at most one per permit).
    pool: Mutex<Vec<Vec<Block>>>,
}

impl Hasher {
    /// `concurrency` hashes at once (0: one per core), `queue` callers waiting for one.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let concurrency = match concurrency {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        Hasher(Arc::new(Inner {
            permits: Arc::new(Semaphore::new(concurrency)),
            waiting: AtomicUsize::new(0),
            max_waiting: queue,
            pool: Mutex::new(Vec::with_capacity(concurrency)),
        }))
    }

    async fn permit(&self) -> Result<OwnedSemaphorePermit, Busy> {
        let inner = &self.0;
        if let Ok(p) = inner.permits.clone().try_acquire_owned() {
            return Ok(p);
        }
        if inner.waiting.fetch_add(1, Ordering::AcqRel) >= inner.max_waiting {
            inner.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let permit = inner.permits.clone().acquire_owned().await;
        inner.waiting.fetch_sub(1, Ordering::AcqRel);
        permit.map_err(|_| Busy)
    }

    /// Runs `f` with a pooled memory buffer on a blocking thread, holding a permit.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = self.permit().await?;
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut memory = inner.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let result = f(memory.get_or_insert_with(Vec::new));
            if let Some(memory) = memory {
                inner
                    .pool
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(memory);
            }
            drop(permit);
            result
        })
        .await
        .map_err(|_| Busy)
    }

    /// Which of `hashes` (PHC strings) `password` matches, if any. Every candidate is
    /// checked, so the time taken does not say which matched.
    pub async fn verify(
        &self,
        hashes: Vec<String>,
        password: String,
    ) -> Result<Option<usize>, Busy> {
        self.run(move |memory| {
            let mut found = None;
            for (i, hash) in hashes.iter().enumerate() {
                if verify_with(memory, hash, password.as_bytes()) && found.is_none() {
                    found = Some(i);
                }
            }
            found
        })
        .await
    }

    /// A new PHC string for `password` (argon2id, default parameters, random salt).
    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        self.run(move |memory| hash_with(memory, password.as_bytes()))
            .await
    }

    /// Buffers held in the pool (for tests: never more than the concurrency).
    pub fn pooled(&self) -> usize {
        self.0.pool.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

fn argon2(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Sizes `memory` for `params` (it only grows to the largest parameters seen).
fn blocks(memory: &mut Vec<Block>, params: &Params) -> usize {
    let n = params.block_count();
    if memory.len() < n {
        memory.resize(n, Block::default());
    }
    n
}

fn hash_with(memory: &mut Vec<Block>, password: &[u8]) -> String {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .expect("a generated salt decodes");
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let n = blocks(memory, &params);
    argon2(params.clone())
        .hash_password_into_with_memory(password, salt_bytes, &mut out, &mut memory[..n])
        .expect("argon2 with default parameters does not fail");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().expect("default parameters encode"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("32 bytes is a valid output")),
    }
    .to_string()
}

/// Checks `password` against a PHC string; false for anything malformed.
fn verify_with(memory: &mut Vec<Block>, phc: &str, password: &[u8]) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) =
        (Algorithm::try_from(hash.algorithm), Params::try_from(&hash))
    else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    // Stored hashes are ours, made with the defaults; a bigger one (hand-edited database)
    // must not make us allocate without bound.
    if params.block_count() > 4 * Params::default().block_count() {
        return false;
    }
    let n = blocks(memory, &params);
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..n])
        .is_ok()
        // Output's equality is constant-time.
        && Output::new(&out).is_ok_and(|o| o == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_with_the_right_password_and_match_argon2s_own_format() {
        let h = Hasher::new(1, 0);
        let phc = h.hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let other = crate::secrets::hash_password("something else entirely");
        let hashes = vec![other, phc];
        assert_eq!(
            h.verify(hashes.clone(), "correct horse battery".into())
                .await,
            Ok(Some(1))
        );
        assert_eq!(
            h.verify(hashes, "correct horse batterz".into()).await,
            Ok(None)
        );
        assert_eq!(
            h.verify(vec!["not a hash".into()], "x".into()).await,
            Ok(None)
        );
    }

    #[tokio::test]
    async fn past_the_queue_callers_are_shed_and_memory_stays_at_one_buffer_per_slot() {
        let h = Hasher::new(1, 1);
        let dummy = crate::secrets::hash_password("dummy password");
        let held = h.permit().await.expect("the one slot");
        let waiter = tokio::spawn({
            let (h, dummy) = (h.clone(), dummy.clone());
            async move { h.verify(vec![dummy], "guess".into()).await }
        });
        while h.0.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        // One running, one waiting: the next is shed at once, without hashing.
        assert_eq!(h.verify(vec![dummy], "x".into()).await, Err(Busy));
        drop(held);
        assert_eq!(waiter.await.unwrap(), Ok(None));
        assert_eq!(h.pooled(), 1);
    }
}
