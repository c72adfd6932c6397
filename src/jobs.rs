//! Background work on named threads. A job reports its stage, can be asked to stop, asks for a
//! repaint when it ends, and a panic inside it becomes a failure the user sees instead of a
//! spinner that turns forever.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// What a job is doing or how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobState<T> {
    /// At the named stage.
    Running(&'static str),
    Done(T),
    /// Its error, or the message of a panic, said as the user reads it.
    Failed(String),
    Cancelled,
}

/// The job's side of its state: where it reports its stage and learns that it should stop.
pub struct Progress<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Progress<T> {
    pub fn stage(&self, stage: &'static str) {
        self.shared.set(JobState::Running(stage));
        (self.shared.repaint)();
    }

    /// Whether the user asked the job to stop; long work checks between steps.
    pub fn cancelled(&self) -> bool {
        self.shared.cancel.load(Ordering::Relaxed)
    }
}

struct Shared<T> {
    state: Mutex<JobState<T>>,
    cancel: AtomicBool,
    repaint: Box<dyn Fn() + Send + Sync>,
}

impl<T> Shared<T> {
    fn set(&self, state: JobState<T>) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }
}

/// A job on a thread of its own; dropping it asks the work to stop and lets the thread finish
/// on its own.
pub struct Job<T> {
    shared: Arc<Shared<T>>,
    thread: Option<JoinHandle<()>>,
}

impl<T: Clone + Send + 'static> Job<T> {
    /// Runs `work` on a thread called `name`. `repaint` is called at every stage and at the
    /// end, so the UI shows the change without polling.
    pub fn spawn<E: std::fmt::Display>(
        name: &str,
        repaint: impl Fn() + Send + Sync + 'static,
        work: impl FnOnce(&Progress<T>) -> Result<T, E> + Send + 'static,
    ) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(JobState::Running("starting")),
            cancel: AtomicBool::new(false),
            repaint: Box::new(repaint),
        });
        let progress = Progress {
            shared: Arc::clone(&shared),
        };
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| work(&progress)));
                let state = match outcome {
                    Ok(Ok(_)) | Ok(Err(_)) if progress.cancelled() => JobState::Cancelled,
                    Ok(Ok(value)) => JobState::Done(value),
                    Ok(Err(error)) => JobState::Failed(error.to_string()),
                    Err(panic) => JobState::Failed(format!(
                        "the work stopped unexpectedly: {}",
                        panic_message(panic.as_ref())
                    )),
                };
                if let JobState::Failed(message) = &state {
                    log::error!("{message}");
                }
                progress.shared.set(state);
                (progress.shared.repaint)();
            });
        let thread = match spawned {
            Ok(thread) => Some(thread),
            Err(error) => {
                shared.set(JobState::Failed(format!("cannot start a thread: {error}")));
                None
            }
        };
        Self { shared, thread }
    }

    pub fn state(&self) -> JobState<T> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state(), JobState::Running(_))
    }

    /// Asks the work to stop at its next check.
    pub fn cancel(&self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }

    /// Waits for the thread to end and returns how the job ended.
    pub fn join(mut self) -> JobState<T> {
        if let Some(thread) = self.thread.take() {
            // A panic was caught inside the thread; joining cannot fail with one.
            let _ = thread.join();
        }
        self.state()
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        self.shared.cancel.store(true, Ordering::Relaxed);
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn a_finished_job_gives_its_value_on_a_named_thread_and_asks_for_a_repaint() {
        let repaints = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&repaints);
        let job = Job::spawn(
            "sinokaz-test-job",
            move || {
                counted.fetch_add(1, Ordering::Relaxed);
            },
            |progress: &Progress<String>| {
                progress.stage("working");
                Ok::<_, String>(std::thread::current().name().unwrap_or_default().to_owned())
            },
        );
        assert_eq!(job.join(), JobState::Done("sinokaz-test-job".to_owned()));
        assert_eq!(repaints.load(Ordering::Relaxed), 2, "one stage and the end");
    }

    #[test]
    fn a_panic_in_the_work_is_a_failure_with_its_message() {
        let job = Job::spawn(
            "sinokaz-test-panic",
            || {},
            |_: &Progress<u8>| -> Result<u8, String> { panic!("the disk caught fire") },
        );
        match job.join() {
            JobState::Failed(message) => {
                assert!(message.contains("the disk caught fire"), "{message}")
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn an_error_is_a_failure_and_a_cancelled_job_says_so() {
        let failed = Job::spawn(
            "sinokaz-test-error",
            || {},
            |_: &Progress<u8>| Err::<u8, _>("no such folder"),
        );
        assert_eq!(failed.join(), JobState::Failed("no such folder".to_owned()));

        let (go, wait) = std::sync::mpsc::channel::<()>();
        let cancelled = Job::spawn(
            "sinokaz-test-cancel",
            || {},
            move |progress: &Progress<u8>| {
                let _ = wait.recv();
                if progress.cancelled() {
                    Err("stopped")
                } else {
                    Ok(1)
                }
            },
        );
        cancelled.cancel();
        go.send(()).expect("the job waits");
        assert_eq!(cancelled.join(), JobState::Cancelled);
    }
}
