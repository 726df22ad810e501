//! The apply journal: an append-only, fsynced JSON-lines file that records, for every step
//! of an apply, that it is about to be sent (`intent`), the request id AWS returned for an
//! asynchronous operation (`sent`), values learned on the way (a new ARN, OU or account
//! id), and the outcome (`done` / `failed`). A crashed or killed apply leaves it behind; the
//! next apply reads it first, looks up every request still in flight instead of sending it
//! again, and skips the steps it says are done (docs/reference/apply.md, "Journal").
//!
//! Records are written at once and made durable by `fsync` before the step goes on; steps
//! running concurrently share one `fsync` (group commit, in `run::Context::record`).
//!
//! Step keys are stable across re-plans: a change's address plus the operation (plus, for a
//! permission-set edit, a digest of the desired content, so a later, different edit of the
//! same permission set is not mistaken for the one already done).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The journal's file name inside the directory the caller gives.
pub const JOURNAL_FILE: &str = "journal.jsonl";
/// Where a finished apply's journal is kept (overwritten by the next one), for inspection.
pub const LAST_JOURNAL_FILE: &str = "last-apply.jsonl";

/// The asynchronous operations whose request ids the journal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsyncKind {
    /// `organizations:CreateAccount` (`car-…`).
    AccountCreation,
    /// `sso-admin:CreateAccountAssignment`.
    AssignmentCreation,
    /// `sso-admin:DeleteAccountAssignment`.
    AssignmentDeletion,
    /// `sso-admin:ProvisionPermissionSet`.
    Provisioning,
}

/// Reading or writing the journal failed.
#[derive(Debug, thiserror::Error)]
#[error("apply journal {path}: {action} failed")]
pub struct JournalError {
    /// The file or directory.
    pub path: PathBuf,
    /// `create directory`, `read`, `append`, `archive`.
    pub action: &'static str,
    #[source]
    pub source: std::io::Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Event {
    /// About to send the step's (first) write request.
    Intent,
    /// AWS accepted an asynchronous request.
    Sent { kind: AsyncKind, request_id: String },
    /// A value learned mid-step (the ARN of a permission set just created).
    Value { value: String },
    /// AWS confirmed the step (for an asynchronous one: `SUCCEEDED`).
    Done { value: Option<String> },
    /// The step failed; the next apply tries it again.
    Failed { error: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Line {
    at: Timestamp,
    step: String,
    #[serde(flatten)]
    event: Event,
}

/// What the journal knows about one step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StepRecord {
    /// An `intent` without an outcome: the request may or may not have reached AWS.
    pub(crate) unfinished: bool,
    /// The asynchronous request in flight (sent, no outcome yet).
    pub(crate) in_flight: Option<(AsyncKind, String)>,
    /// The last value recorded (ARN, id).
    pub(crate) value: Option<String>,
    /// AWS confirmed it.
    pub(crate) done: bool,
}

/// The journal of one target's applies. Open it with [`Journal::open`] on
/// `<repo>/.monban/journal/<target key>/`; pass it to [`crate::apply()`]; an apply that
/// finishes (every request resolved) archives it, so the next apply starts empty.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    path: PathBuf,
    file: File,
    steps: BTreeMap<String, StepRecord>,
    /// Records appended by this process (the sequence number of the last one).
    appended: u64,
}

impl Journal {
    /// Opens (creating if needed) the journal in `dir` and reads what an interrupted apply
    /// left there. A torn last line (a crash mid-write) is ignored: its step is then
    /// treated as not recorded, which the lookups on resume cover.
    pub fn open(dir: &Path) -> Result<Self, JournalError> {
        let error = |action, source| JournalError {
            path: dir.to_path_buf(),
            action,
            source,
        };
        std::fs::create_dir_all(dir).map_err(|source| error("create directory", source))?;
        let path = dir.join(JOURNAL_FILE);
        let mut steps: BTreeMap<String, StepRecord> = BTreeMap::new();
        match File::open(&path) {
            Ok(file) => {
                for line in BufReader::new(file).lines() {
                    let line = line.map_err(|source| JournalError {
                        path: path.clone(),
                        action: "read",
                        source,
                    })?;
                    let Ok(line) = serde_json::from_str::<Line>(&line) else {
                        continue;
                    };
                    apply_event(steps.entry(line.step).or_default(), line.event);
                }
            }
            Err(source) if source.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(JournalError {
                    path,
                    action: "read",
                    source,
                });
            }
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| JournalError {
                path: path.clone(),
                action: "append",
                source,
            })?;
        // A torn last line must not swallow the next event: end it first.
        let torn =
            std::fs::read(&path).is_ok_and(|bytes| bytes.last().is_some_and(|last| *last != b'\n'));
        if torn {
            file.write_all(b"\n")
                .and_then(|()| file.sync_data())
                .map_err(|source| JournalError {
                    path: path.clone(),
                    action: "append",
                    source,
                })?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            path,
            file,
            steps,
            appended: 0,
        })
    }

    /// The journal file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether an earlier apply left anything behind (this apply resumes it).
    #[must_use]
    pub fn is_resuming(&self) -> bool {
        !self.steps.is_empty()
    }

    /// Requests an earlier apply sent and never saw finish.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.steps
            .values()
            .filter(|step| step.in_flight.is_some())
            .count()
    }

    /// Steps an earlier apply completed.
    #[must_use]
    pub fn completed(&self) -> usize {
        self.steps.values().filter(|step| step.done).count()
    }

    /// The changes of `plan` an earlier apply already worked on (any step journaled): their
    /// live state may have changed because of monban itself, which a saved plan's staleness
    /// check must not hold against it. Step keys are `<address>#<operation>…`.
    #[must_use]
    pub fn journaled_addresses(
        &self,
        plan: &monban_plan::Plan,
    ) -> std::collections::BTreeSet<monban_plan::Address> {
        plan.changes
            .iter()
            .filter(|change| {
                let prefix = format!("{}#", change.address);
                self.steps
                    .range(prefix.clone()..)
                    .next()
                    .is_some_and(|(key, _)| key.starts_with(&prefix))
            })
            .map(|change| change.address.clone())
            .collect()
    }

    pub(crate) fn step(&self, key: &str) -> Option<&StepRecord> {
        self.steps.get(key)
    }

    /// Every step with an `intent` and no outcome (its request may or may not have been
    /// sent).
    pub(crate) fn unfinished_steps(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter(|(_, step)| step.unfinished)
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// Every step with a request in flight: (step key, kind, request id).
    pub(crate) fn in_flight_steps(&self) -> Vec<(String, AsyncKind, String)> {
        self.steps
            .iter()
            .filter_map(|(key, step)| {
                step.in_flight
                    .as_ref()
                    .map(|(kind, id)| (key.clone(), *kind, id.clone()))
            })
            .collect()
    }

    /// The sequence number of the last record appended (durable once [`Self::sync_handle`]'s
    /// `sync_data` ran after it).
    pub(crate) fn appended(&self) -> u64 {
        self.appended
    }

    /// A second handle on the file, to `fsync` it without holding the journal: concurrent
    /// steps share one `fsync` (group commit) instead of queueing one each.
    pub(crate) fn sync_handle(&self) -> Result<File, JournalError> {
        self.file.try_clone().map_err(|source| JournalError {
            path: self.path.clone(),
            action: "append",
            source,
        })
    }

    /// Appends one record (written, not yet synced); returns its sequence number.
    fn append(&mut self, step: &str, event: Event) -> Result<u64, JournalError> {
        let line = Line {
            at: Timestamp::now(),
            step: step.to_owned(),
            event: event.clone(),
        };
        // A `Line` is strings and enums only: serializing it cannot fail.
        let mut text = serde_json::to_string(&line).unwrap_or_default();
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .map_err(|source| JournalError {
                path: self.path.clone(),
                action: "append",
                source,
            })?;
        apply_event(self.steps.entry(step.to_owned()).or_default(), event);
        self.appended += 1;
        Ok(self.appended)
    }

    pub(crate) fn intent(&mut self, step: &str) -> Result<u64, JournalError> {
        self.append(step, Event::Intent)
    }

    pub(crate) fn sent(
        &mut self,
        step: &str,
        kind: AsyncKind,
        request_id: &str,
    ) -> Result<u64, JournalError> {
        self.append(
            step,
            Event::Sent {
                kind,
                request_id: request_id.to_owned(),
            },
        )
    }

    pub(crate) fn value(&mut self, step: &str, value: &str) -> Result<u64, JournalError> {
        self.append(
            step,
            Event::Value {
                value: value.to_owned(),
            },
        )
    }

    pub(crate) fn done(&mut self, step: &str, value: Option<&str>) -> Result<u64, JournalError> {
        self.append(
            step,
            Event::Done {
                value: value.map(str::to_owned),
            },
        )
    }

    pub(crate) fn failed(&mut self, step: &str, error: &str) -> Result<u64, JournalError> {
        self.append(
            step,
            Event::Failed {
                error: error.to_owned(),
            },
        )
    }

    /// Archives the journal as [`LAST_JOURNAL_FILE`] and starts an empty one: called when an
    /// apply ends with nothing in flight.
    pub(crate) fn archive(&mut self) -> Result<(), JournalError> {
        let archived = self.dir.join(LAST_JOURNAL_FILE);
        std::fs::rename(&self.path, &archived).map_err(|source| JournalError {
            path: archived.clone(),
            action: "archive",
            source,
        })?;
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|source| JournalError {
                path: self.path.clone(),
                action: "append",
                source,
            })?;
        self.steps.clear();
        Ok(())
    }
}

fn apply_event(record: &mut StepRecord, event: Event) {
    match event {
        Event::Intent => {
            record.unfinished = true;
            record.done = false;
        }
        Event::Sent { kind, request_id } => {
            record.unfinished = false;
            record.in_flight = Some((kind, request_id));
        }
        Event::Value { value } => record.value = Some(value),
        Event::Done { value } => {
            record.unfinished = false;
            record.in_flight = None;
            record.done = true;
            if value.is_some() {
                record.value = value;
            }
        }
        Event::Failed { .. } => {
            record.unfinished = false;
            record.in_flight = None;
            record.done = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reopened_journal_knows_what_was_in_flight_and_done() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut journal = Journal::open(dir.path()).unwrap();
            assert!(!journal.is_resuming());
            journal.intent("a").unwrap();
            journal
                .sent("a", AsyncKind::AssignmentCreation, "r-1")
                .unwrap();
            journal.intent("b").unwrap();
            journal.done("b", Some("arn:b")).unwrap();
            journal.intent("c").unwrap();
            journal.intent("d").unwrap();
            journal.failed("d", "boom").unwrap();
        }
        // A torn line at the end (a crash mid-write) is ignored.
        let mut file = OpenOptions::new()
            .append(true)
            .open(dir.path().join(JOURNAL_FILE))
            .unwrap();
        file.write_all(br#"{"at":"2026-11-29T00:00:00Z","step":"e","eve"#)
            .unwrap();
        let mut journal = Journal::open(dir.path()).unwrap();
        assert!(journal.is_resuming());
        assert_eq!(journal.in_flight(), 1);
        assert_eq!(journal.completed(), 1);
        assert_eq!(
            journal.in_flight_steps(),
            vec![(
                "a".to_owned(),
                AsyncKind::AssignmentCreation,
                "r-1".to_owned()
            )]
        );
        assert_eq!(journal.step("b").unwrap().value.as_deref(), Some("arn:b"));
        assert!(journal.step("c").unwrap().unfinished);
        let failed = journal.step("d").unwrap();
        assert!(!failed.done && !failed.unfinished);
        assert!(journal.step("e").is_none());
        journal.done("c", None).unwrap();
        assert!(Journal::open(dir.path()).unwrap().step("c").unwrap().done);
        journal.archive().unwrap();
        assert!(dir.path().join(LAST_JOURNAL_FILE).exists());
        assert!(!Journal::open(dir.path()).unwrap().is_resuming());
    }
}
