//! Work on one file done once per run: started on the runtime's workers the first time
//! anyone asks, shared by everyone who asks after, awaited only by whoever needs the answer.
//! The wheel scans (`wheel_scanner.rs`) and the source readings (`wheel_uses.rs`) both go
//! through it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use npsolve_resolver::DistKey;
use pep508_rs::PackageName;
use tokio::runtime::Handle;

/// The shared answer of one file's task (`None`: the work failed, and said why).
pub(crate) type FileTask<T> = Shared<BoxFuture<'static, Option<Arc<T>>>>;

/// One task per file, by the source's key.
pub(crate) struct FileTasks<T> {
    runtime: Handle,
    tasks: Mutex<HashMap<(PackageName, DistKey), FileTask<T>>>,
}

impl<T: Send + Sync + 'static> FileTasks<T> {
    /// No tasks yet; they will run on `runtime`.
    pub(crate) fn new(runtime: Handle) -> FileTasks<T> {
        FileTasks {
            runtime,
            tasks: Mutex::new(HashMap::new()),
        }
    }

    /// The task of the file, started with `work` (on the workers) if nobody started it.
    pub(crate) fn task(
        &self,
        name: &PackageName,
        key: DistKey,
        work: impl FnOnce() -> BoxFuture<'static, Option<Arc<T>>>,
    ) -> FileTask<T> {
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(task) = tasks.get(&(name.clone(), key)) {
            return task.clone();
        }
        let task = work().shared();
        // Driven by the workers from now on, whether or not anyone waits for it.
        self.runtime.spawn(task.clone());
        tasks.insert((name.clone(), key), task.clone());
        task
    }

    /// Blocks the calling (solver) thread until `task` is done.
    pub(crate) fn wait(&self, task: FileTask<T>) -> Option<Arc<T>> {
        self.runtime.block_on(task)
    }
}
