//! Running the task graph: the shared [`Context`] (apply clients without SDK retries, the
//! journal, limits, locks, pollers, results), the retrying call wrapper every AWS request
//! goes through, and the scheduler that starts each task as soon as its dependencies are
//! resolved — so as many operations are in flight as the semaphores and token buckets
//! allow — and skips the dependents of what failed.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use monban_model::LiveState;
use monban_plan::{Address, Plan};
use tokio::sync::{OwnedMutexGuard, Semaphore};

use super::graph::{self, Dep, Ref, Task, TaskId, TaskKind};
use super::journal::{AsyncKind, Journal, JournalError, StepRecord};
use super::poll::{Pollers, kind_operation};
use super::retry::{Class, RetryCounts, StepError, classify};
use super::steps::{self, TaskError};
use super::{
    ApplyError, ApplyEvent, ApplyObserver, ApplyOptions, ApplyProgress, ApplyReport, ChangeFailure,
    SkippedChange,
};
use crate::limits::Service;
use crate::target::Clients;

type Locks<K> = Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>;

/// Everything the tasks of one apply share.
pub(crate) struct Context<'a> {
    pub(crate) clients: &'a Clients,
    /// The target's clients with the SDK's retries off (this module retries).
    pub(crate) organizations: aws_sdk_organizations::Client,
    pub(crate) sso_admin: aws_sdk_ssoadmin::Client,
    pub(crate) live: &'a LiveState,
    pub(crate) options: &'a ApplyOptions,
    observer: &'a dyn ApplyObserver,
    journal: Mutex<&'a mut Journal>,
    /// The journal file, for `fsync` outside the journal's lock.
    journal_file: Arc<std::fs::File>,
    journal_path: std::path::PathBuf,
    /// The sequence number of the last record known durable.
    synced: tokio::sync::Mutex<u64>,
    retries: Mutex<RetryCounts>,
    results: Mutex<HashMap<TaskId, String>>,
    pair_locks: Locks<(String, String)>,
    role_locks: Locks<String>,
    pub(crate) assignment_creations: Arc<Semaphore>,
    pub(crate) assignment_deletions: Arc<Semaphore>,
    pub(crate) provisionings: Arc<Semaphore>,
    pub(crate) account_creations: Arc<Semaphore>,
    pub(crate) pollers: Pollers,
    /// Account ids by lower-cased root e-mail, listed once (`steps::account_emails`).
    pub(crate) account_emails: tokio::sync::OnceCell<HashMap<String, String>>,
    progress: Mutex<ApplyProgress>,
}

impl std::fmt::Debug for Context<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Context").finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every value behind these locks stays consistent between statements.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<'a> Context<'a> {
    fn new(
        clients: &'a Clients,
        live: &'a LiveState,
        journal: &'a mut Journal,
        options: &'a ApplyOptions,
        observer: &'a dyn ApplyObserver,
        total: usize,
    ) -> Result<Self, JournalError> {
        let journal_file = Arc::new(journal.sync_handle()?);
        let journal_path = journal.path().to_path_buf();
        let organizations = aws_sdk_organizations::Client::from_conf(
            clients
                .organizations
                .config()
                .to_builder()
                .retry_config(RetryConfig::disabled())
                .build(),
        );
        let sso_admin = aws_sdk_ssoadmin::Client::from_conf(
            clients
                .sso_admin
                .config()
                .to_builder()
                .retry_config(RetryConfig::disabled())
                .build(),
        );
        let limits = options.limits;
        Ok(Self {
            clients,
            organizations,
            sso_admin,
            live,
            options,
            observer,
            journal: Mutex::new(journal),
            journal_file,
            journal_path,
            synced: tokio::sync::Mutex::new(0),
            retries: Mutex::default(),
            results: Mutex::default(),
            pair_locks: Mutex::default(),
            role_locks: Mutex::default(),
            assignment_creations: Arc::new(Semaphore::new(limits.assignment_creations.max(1))),
            assignment_deletions: Arc::new(Semaphore::new(limits.assignment_deletions.max(1))),
            provisionings: Arc::new(Semaphore::new(limits.provisionings.max(1))),
            account_creations: Arc::new(Semaphore::new(limits.account_creations.max(1))),
            pollers: Pollers::default(),
            account_emails: tokio::sync::OnceCell::new(),
            progress: Mutex::new(ApplyProgress {
                total,
                ..ApplyProgress::default()
            }),
        })
    }

    /// Appends a journal record and returns once it is durable. Records appended while
    /// another `fsync` runs are covered by the next one, shared by all their writers
    /// (group commit): concurrent steps do not queue one `fsync` each.
    pub(crate) async fn record(
        &self,
        write: impl FnOnce(&mut Journal) -> Result<u64, JournalError>,
    ) -> Result<(), JournalError> {
        let sequence = write(&mut lock(&self.journal))?;
        let mut synced = self.synced.lock().await;
        if *synced >= sequence {
            return Ok(());
        }
        let target = lock(&self.journal).appended();
        let file = Arc::clone(&self.journal_file);
        let result = tokio::task::spawn_blocking(move || file.sync_data())
            .await
            .unwrap_or_else(|error| Err(std::io::Error::other(error)));
        result.map_err(|source| JournalError {
            path: self.journal_path.clone(),
            action: "sync",
            source,
        })?;
        *synced = target;
        Ok(())
    }

    /// The Identity Center instance ARN ("" when there is none: the plan then has no
    /// Identity Center changes, since they would be blocked).
    pub(crate) fn instance_arn(&self) -> &str {
        self.live
            .instance
            .as_ref()
            .map_or("", |instance| instance.arn.as_str())
    }

    pub(crate) fn event(&self, event: &ApplyEvent) {
        self.observer.event(event);
    }

    fn progress_event(&self, update: impl FnOnce(&mut ApplyProgress)) {
        let snapshot = {
            let mut progress = lock(&self.progress);
            update(&mut progress);
            *progress
        };
        self.observer.event(&ApplyEvent::Progress(snapshot));
    }

    pub(crate) fn count_retry(&self, kind: super::RetryKind) {
        lock(&self.retries).add(kind);
        self.progress_event(|progress| progress.retries += 1);
    }

    /// Sends a request through the rate limiter, retrying retryable errors per the policy.
    pub(crate) async fn call<T, E, F, Fut>(
        &self,
        address: Option<&Address>,
        service: Service,
        operation: &'static str,
        send: F,
    ) -> Result<T, StepError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.call_with(address, service, operation, true, send)
            .await
    }

    /// [`Self::call`]; with `idempotent: false`, an error that leaves it unknown whether
    /// AWS acted (a 5xx, a timeout) is returned at once for the caller to check first.
    pub(crate) async fn call_with<T, E, F, Fut>(
        &self,
        address: Option<&Address>,
        service: Service,
        operation: &'static str,
        idempotent: bool,
        mut send: F,
    ) -> Result<T, StepError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let label = format!("{}:{operation}", service.label());
        let policy = self.options.retry;
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.clients.throttle(service, operation).await;
            let error = match send().await {
                Ok(output) => return Ok(output),
                Err(error) => classify(&label, &error),
            };
            let Class::Retry(kind) = error.class else {
                return Err(error);
            };
            let rejected = matches!(
                kind,
                super::RetryKind::Throttling
                    | super::RetryKind::Conflict
                    | super::RetryKind::ConcurrentModification
            );
            if !idempotent && !rejected {
                return Err(error);
            }
            let delay = policy.delay(attempt);
            if attempt >= policy.max_attempts || started.elapsed() + delay > policy.budget {
                return Err(error);
            }
            self.count_retry(kind);
            self.event(&ApplyEvent::Retrying {
                address: address.cloned(),
                operation: label.clone(),
                kind,
                attempt,
                delay,
            });
            tokio::time::sleep(delay).await;
        }
    }

    pub(crate) fn step(&self, key: &str) -> Option<StepRecord> {
        lock(&self.journal).step(key).cloned()
    }

    pub(crate) async fn intent(&self, key: &str) -> Result<(), JournalError> {
        self.record(|journal| journal.intent(key)).await
    }

    pub(crate) async fn done(&self, key: &str) -> Result<(), JournalError> {
        self.record(|journal| journal.done(key, None)).await
    }

    pub(crate) async fn value(&self, key: &str, value: &str) -> Result<(), JournalError> {
        self.record(|journal| journal.value(key, value)).await
    }

    /// Records an accepted asynchronous request and tells the observer.
    pub(crate) async fn sent(
        &self,
        address: &Address,
        key: &str,
        kind: AsyncKind,
        request_id: &str,
    ) -> Result<(), JournalError> {
        self.record(|journal| journal.sent(key, kind, request_id))
            .await?;
        self.event(&ApplyEvent::Sent {
            address: address.clone(),
            operation: kind_operation(kind),
            request_id: request_id.to_owned(),
        });
        Ok(())
    }

    pub(crate) fn started(&self, address: &Address, operation: &'static str) {
        self.event(&ApplyEvent::Started {
            address: address.clone(),
            operation,
        });
    }

    /// Waits for an asynchronous request, counting it as in flight meanwhile.
    pub(crate) async fn wait(
        &self,
        kind: AsyncKind,
        request_id: &str,
    ) -> Result<super::poll::Status, StepError> {
        self.progress_event(|progress| progress.in_flight += 1);
        let result = self
            .pollers
            .wait(kind, request_id, self.options.poll.timeout)
            .await;
        self.progress_event(|progress| progress.in_flight = progress.in_flight.saturating_sub(1));
        result
    }

    /// The value a reference stands for (a provider task's result).
    pub(crate) fn resolve(&self, reference: &Ref) -> Result<String, StepError> {
        match reference {
            Ref::Known(value) => Ok(value.clone()),
            Ref::Task(task) => lock(&self.results)
                .get(task)
                .cloned()
                .ok_or_else(|| StepError::other("apply", "a task this one needs left no result")),
        }
    }

    /// Serializes work on one (permission set, account) pair.
    pub(crate) async fn pair_lock(&self, pair: &(String, String)) -> OwnedMutexGuard<()> {
        let mutex = Arc::clone(lock(&self.pair_locks).entry(pair.clone()).or_default());
        mutex.lock_owned().await
    }

    /// One permission-set role update per account at a time.
    pub(crate) async fn role_lock(&self, account_id: &str) -> OwnedMutexGuard<()> {
        let mutex = Arc::clone(
            lock(&self.role_locks)
                .entry(account_id.to_owned())
                .or_default(),
        );
        mutex.lock_owned().await
    }
}

/// How a task ended.
#[derive(Debug, Clone)]
enum Outcome {
    Done,
    Failed(StepError),
    /// Not run: the task at the root of the failure.
    Skipped(TaskId),
}

/// Runs one task: journal check, execution, journal outcome.
async fn run_task(
    context: &Context<'_>,
    task: &Task,
) -> Result<(Outcome, Option<String>, bool), JournalError> {
    let record = context.step(&task.key).unwrap_or_default();
    if record.done {
        return Ok((Outcome::Done, record.value.clone(), true));
    }
    match Box::pin(steps::run(context, task, &record)).await {
        Ok(value) => {
            context
                .record(|journal| journal.done(&task.key, value.as_deref()))
                .await?;
            Ok((Outcome::Done, value, false))
        }
        Err(TaskError::Step(error)) => {
            // Keep a request still in flight as such: the next apply polls it.
            let still_in_flight = context
                .step(&task.key)
                .is_some_and(|record| record.in_flight.is_some())
                && error.message.contains("still IN_PROGRESS");
            if !still_in_flight {
                let message = error.to_string();
                context
                    .record(|journal| journal.failed(&task.key, &message))
                    .await?;
            }
            Ok((Outcome::Failed(error), None, false))
        }
        Err(TaskError::Journal(error)) => Err(error),
    }
}

/// Looks up the requests an interrupted apply left in flight that no task of this plan
/// will wait for (the re-plan no longer contains their change): each is polled to its
/// end and recorded, never re-sent, before any new work starts.
async fn resolve_orphans(context: &Context<'_>, tasks: &[Task]) -> Result<(), JournalError> {
    let keys: std::collections::BTreeSet<&str> =
        tasks.iter().map(|task| task.key.as_str()).collect();
    let unrecorded: Vec<String> = lock(&context.journal)
        .unfinished_steps()
        .into_iter()
        .filter(|key| !keys.contains(key.as_str()) && key.contains("#create:"))
        .collect();
    for key in &unrecorded {
        steps::resume_unrecorded_creation(context, key).await?;
    }
    let in_flight = lock(&context.journal).in_flight_steps();
    let orphans: Vec<(String, AsyncKind, String)> = in_flight
        .into_iter()
        .filter(|(key, _, _)| !keys.contains(key.as_str()))
        .collect();
    let results =
        futures::future::join_all(orphans.iter().map(|(key, kind, request_id)| async move {
            (key, *kind, context.wait(*kind, request_id).await)
        }))
        .await;
    for (key, kind, result) in results {
        match result {
            Ok(status) if status.succeeded == Some(true) => {
                if let Some(account_id) = &status.account_id
                    && kind == AsyncKind::AccountCreation
                {
                    steps::finish_interrupted_creation(context, key, account_id).await?;
                }
                context
                    .record(|journal| journal.done(key, status.account_id.as_deref()))
                    .await?;
            }
            Ok(status) => {
                let reason = status.failure_reason.unwrap_or_default();
                context
                    .record(|journal| journal.failed(key, &reason))
                    .await?;
            }
            // Still unknown: it stays in flight for the next apply.
            Err(_) => {}
        }
    }
    Ok(())
}

struct Schedule {
    remaining: Vec<usize>,
    dependents: Vec<Vec<(TaskId, Dep)>>,
    doomed: Vec<Option<TaskId>>,
    outcomes: Vec<Option<Outcome>>,
    ready: VecDeque<TaskId>,
}

impl Schedule {
    fn new(tasks: &[Task]) -> Self {
        let mut remaining = vec![0; tasks.len()];
        let mut dependents = vec![Vec::new(); tasks.len()];
        for (id, task) in tasks.iter().enumerate() {
            // The strongest edge per dependency counts once.
            let mut deps: BTreeMap<TaskId, Dep> = BTreeMap::new();
            for (dependency, kind) in &task.deps {
                let entry = deps.entry(*dependency).or_insert(*kind);
                if *kind == Dep::Hard {
                    *entry = Dep::Hard;
                }
            }
            remaining[id] = deps.len();
            for (dependency, kind) in deps {
                dependents[dependency].push((id, kind));
            }
        }
        let ready = (0..tasks.len()).filter(|id| remaining[*id] == 0).collect();
        Self {
            remaining,
            dependents,
            doomed: vec![None; tasks.len()],
            outcomes: vec![None; tasks.len()],
            ready,
        }
    }

    fn resolve(&mut self, id: TaskId, outcome: Outcome) {
        let cause = match &outcome {
            Outcome::Done => None,
            Outcome::Failed(_) => Some(id),
            Outcome::Skipped(root) => Some(*root),
        };
        self.outcomes[id] = Some(outcome);
        for (dependent, kind) in std::mem::take(&mut self.dependents[id]) {
            if kind == Dep::Hard
                && let Some(cause) = cause
                && self.doomed[dependent].is_none()
            {
                self.doomed[dependent] = Some(cause);
            }
            self.remaining[dependent] -= 1;
            if self.remaining[dependent] == 0 {
                self.ready.push_back(dependent);
            }
        }
    }
}

/// Runs the whole plan.
pub(crate) async fn execute(
    clients: &Clients,
    plan: &Plan,
    live: &LiveState,
    journal: &mut Journal,
    options: &ApplyOptions,
    observer: &dyn ApplyObserver,
) -> Result<ApplyReport, ApplyError> {
    let started = Instant::now();
    let mark = clients.counter.mark();
    let tasks = graph::build(plan, live);
    if journal.is_resuming() {
        observer.event(&ApplyEvent::Resuming {
            in_flight: journal.in_flight(),
            completed: journal.completed(),
        });
    }
    let context = Context::new(
        clients,
        live,
        journal,
        options,
        observer,
        plan.changes.len(),
    )?;
    let mut tasks_left: Vec<usize> = vec![0; plan.changes.len()];
    for task in &tasks {
        tasks_left[task.change] += 1;
    }
    // A change without tasks (re-provisioning skipped because the role is being deleted)
    // is done as it stands.
    for (index, change) in plan.changes.iter().enumerate() {
        if tasks_left[index] == 0 {
            context.event(&ApplyEvent::ChangeDone {
                address: change.address.clone(),
            });
            context.progress_event(|progress| progress.done += 1);
        }
    }
    let work = async {
        resolve_orphans(&context, &tasks).await?;
        let mut schedule = Schedule::new(&tasks);
        let mut resumed = 0;
        let mut change_state: Vec<Option<Outcome>> = vec![None; plan.changes.len()];
        let mut running = FuturesUnordered::new();
        loop {
            while let Some(id) = schedule.ready.pop_front() {
                if let Some(cause) = schedule.doomed[id] {
                    note(
                        &context,
                        plan,
                        &tasks,
                        &mut tasks_left,
                        &mut change_state,
                        id,
                        &Outcome::Skipped(cause),
                    );
                    schedule.resolve(id, Outcome::Skipped(cause));
                } else if matches!(tasks[id].kind, TaskKind::Deferred { .. }) {
                    // Waits for something outside this apply (an invitation's acceptance).
                    note(
                        &context,
                        plan,
                        &tasks,
                        &mut tasks_left,
                        &mut change_state,
                        id,
                        &Outcome::Skipped(id),
                    );
                    schedule.resolve(id, Outcome::Skipped(id));
                } else {
                    let task = &tasks[id];
                    let context = &context;
                    running.push(Box::pin(async move { (id, run_task(context, task).await) }));
                }
            }
            let Some((id, result)) = running.next().await else {
                break;
            };
            let (outcome, value, from_journal) = result?;
            if from_journal {
                resumed += 1;
            }
            if let Some(value) = value {
                lock(&context.results).insert(id, value);
            }
            note(
                &context,
                plan,
                &tasks,
                &mut tasks_left,
                &mut change_state,
                id,
                &outcome,
            );
            schedule.resolve(id, outcome);
        }
        Ok::<_, JournalError>((change_state, resumed))
    };
    let (change_state, resumed) = tokio::select! {
        biased;
        result = work => result?,
        () = context.pollers.run(&context) => unreachable!("the pollers never stop"),
    };
    let retries = *lock(&context.retries);
    drop(context);
    let mut report = ApplyReport {
        done: Vec::new(),
        resumed_steps: resumed,
        failed: Vec::new(),
        skipped: Vec::new(),
        calls: crate::ReadStats::default(),
        retries,
        elapsed: std::time::Duration::ZERO,
    };
    for (index, change) in plan.changes.iter().enumerate() {
        match &change_state[index] {
            None | Some(Outcome::Done) => report.done.push(change.address.clone()),
            Some(Outcome::Failed(error)) => report.failed.push(ChangeFailure {
                address: change.address.clone(),
                action: change.action,
                error: error.to_string(),
            }),
            Some(Outcome::Skipped(cause)) => report.skipped.push(SkippedChange {
                address: change.address.clone(),
                action: change.action,
                because: tasks[*cause].address.clone(),
                reason: match &tasks[*cause].kind {
                    TaskKind::Deferred { reason } => Some(reason.clone()),
                    _ => None,
                },
            }),
        }
    }
    if journal.in_flight() == 0 {
        journal.archive()?;
    }
    report.elapsed = started.elapsed();
    report.calls = clients.counter.since(&mark, report.elapsed);
    Ok(report)
}

/// Folds a task's outcome into its change's; emits the change's event when its last task
/// resolves.
fn note(
    context: &Context<'_>,
    plan: &Plan,
    tasks: &[Task],
    tasks_left: &mut [usize],
    change_state: &mut [Option<Outcome>],
    id: TaskId,
    outcome: &Outcome,
) {
    let change = tasks[id].change;
    let merged = match (&change_state[change], outcome) {
        (Some(Outcome::Failed(error)), _) | (_, Outcome::Failed(error)) => {
            Outcome::Failed(error.clone())
        }
        (Some(Outcome::Skipped(cause)), _) | (_, Outcome::Skipped(cause)) => {
            Outcome::Skipped(*cause)
        }
        _ => Outcome::Done,
    };
    change_state[change] = Some(merged);
    tasks_left[change] = tasks_left[change].saturating_sub(1);
    if tasks_left[change] > 0 {
        return;
    }
    let address = plan.changes[change].address.clone();
    match &change_state[change] {
        Some(Outcome::Failed(error)) => {
            context.event(&ApplyEvent::ChangeFailed {
                address,
                error: error.to_string(),
            });
            context.progress_event(|progress| progress.failed += 1);
        }
        Some(Outcome::Skipped(cause)) => {
            context.event(&ApplyEvent::ChangeSkipped {
                address,
                because: tasks[*cause].address.clone(),
            });
            context.progress_event(|progress| progress.skipped += 1);
        }
        _ => {
            context.event(&ApplyEvent::ChangeDone { address });
            context.progress_event(|progress| progress.done += 1);
        }
    }
}
