//! CPU-heavy work, off the async workers and behind a limit.
//!
//! Hashing a password (Argon2id, 64 MiB), deriving a receipt, reading an
//! import file, building the orientation index or an export can each take
//! from a few milliseconds to seconds of a core. Done on an async worker,
//! it would stall every request that worker serves — the quick exit among
//! them — and the request timeout could not stop it. [`run`] sends such
//! work to a blocking thread, and only when a slot is free: at most as many
//! jobs run at once as the machine has cores, so that the async workers
//! always find the CPU again between two time slices, and `/sortie`, `/`
//! and `/healthz` keep answering while heavy work is saturated.
//!
//! Anonymous password checks (sign-in attempts, which anyone can send) have
//! a class of their own, capped below the whole: a flood of sign-ins never
//! takes the last slot from the work of people already past the password
//! (imports, invitations), nor from the people's receipts.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

/// Who the work is for: each class has its own cap within the whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A password check for someone not signed in yet.
    SignIn,
    /// A person's receipt (sending, following up).
    Person,
    /// Work for an account past its password, or for the server itself
    /// (imports, exports, invitations, the orientation index).
    Staff,
}

/// The slots of the process.
struct Slots {
    all: Semaphore,
    sign_in: Semaphore,
}

static SLOTS: LazyLock<Slots> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    Slots {
        all: Semaphore::new(cores),
        sign_in: Semaphore::new(cores.saturating_sub(1).max(1)),
    }
});

/// How many heavy jobs may run at once in this process.
pub fn capacity() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

/// Runs `work` on a blocking thread when a slot of its class is free, and
/// waits for it. A panic in `work` is a bug: it is carried to the caller.
pub async fn run<T: Send + 'static>(class: Class, work: impl FnOnce() -> T + Send + 'static) -> T {
    let slots = &*SLOTS;
    let _class = match class {
        Class::SignIn => Some(
            slots
                .sign_in
                .acquire()
                .await
                .expect("the semaphore is never closed"),
        ),
        Class::Person | Class::Staff => None,
    };
    let _slot = slots
        .all
        .acquire()
        .await
        .expect("the semaphore is never closed");
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_jobs_run_at_once_than_the_machine_has_cores() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..capacity() * 3)
            .map(|_| {
                let (running, most) = (Arc::clone(&running), Arc::clone(&most));
                tokio::spawn(run(Class::Staff, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for job in jobs {
            job.await.unwrap();
        }
        assert!(most.load(Ordering::SeqCst) <= capacity());
    }

    #[tokio::test]
    async fn the_work_s_answer_comes_back() {
        assert_eq!(run(Class::Person, || 6 * 7).await, 42);
    }
}
