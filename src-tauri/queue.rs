//! The intake queue: every document the user added, its scan state and, once scanned, its
//! report. Pure state, no I/O, so the transitions are unit-tested.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clearance_engine::CancelToken;
use clearance_model::DocumentReport;
use serde::Serialize;

/// Identifier of a queue entry, unique for the app's lifetime.
pub type DocId = u64;

/// Where a document stands in the scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ScanState {
    /// Waiting for a free worker.
    Queued,
    /// A worker is parsing it.
    Scanning,
    /// Scanned; the report is available.
    Scanned {
        /// Number of findings.
        findings: usize,
    },
    /// Could not be scanned; `reason` says why.
    Failed {
        /// The first error of the report, for the queue row.
        reason: String,
    },
}

/// One document in the queue.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Its identifier.
    pub id: DocId,
    /// The path as found on disk.
    pub path: PathBuf,
    /// Scan state.
    pub state: ScanState,
    /// The report, once scanned (also for failed documents: it names the errors).
    pub report: Option<Arc<DocumentReport>>,
    /// Cancelled when the entry is removed: kills its worker or skips it in the queue.
    pub cancel: CancelToken,
    /// Its row in the watched intake's queue, for documents the intake folder brought.
    pub intake_id: Option<i64>,
}

impl Entry {
    /// The file name shown in the queue.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// All documents added in this session, in the order they were added.
#[derive(Debug, Default)]
pub struct Queue {
    entries: Vec<Entry>,
    next_id: DocId,
    /// Intake rows the reviewer removed: never shown again, even if a poll still saw them.
    removed_intake: std::collections::HashSet<i64>,
}

/// What [`Queue::add`] did with a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A new entry that must be scanned.
    New(DocId),
    /// The path is already queued or scanning; nothing to do.
    Pending(DocId),
}

impl Queue {
    /// Adds a path. A path already waiting or being scanned is not queued twice; a path that
    /// was scanned before is queued again (the file may have changed).
    pub fn add(&mut self, path: &Path) -> Added {
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| e.path == path && matches!(e.state, ScanState::Queued | ScanState::Scanning))
        {
            return Added::Pending(e.id);
        }
        self.next_id += 1;
        let id = self.next_id;
        self.entries.push(Entry {
            id,
            path: path.to_path_buf(),
            state: ScanState::Queued,
            report: None,
            cancel: CancelToken::new(),
            intake_id: None,
        });
        Added::New(id)
    }

    /// Records a path that could not even be walked, as a failed entry.
    pub fn add_failed(&mut self, path: &Path, reason: String) -> DocId {
        self.next_id += 1;
        let id = self.next_id;
        self.entries.push(Entry {
            id,
            path: path.to_path_buf(),
            state: ScanState::Failed { reason },
            report: None,
            cancel: CancelToken::new(),
            intake_id: None,
        });
        id
    }

    /// Shows an intake row that is still queued or scanning (`state`), adding it if new.
    /// Returns the entry's id when something changed; rows removed by the reviewer and rows
    /// that already have their report are left alone.
    pub fn sync_intake(&mut self, intake_id: i64, path: &Path, state: ScanState) -> Option<DocId> {
        if self.removed_intake.contains(&intake_id) {
            return None;
        }
        if let Some(e) = self
            .entries
            .iter_mut()
            .find(|e| e.intake_id == Some(intake_id))
        {
            if e.report.is_some() || e.state == state {
                return None;
            }
            e.state = state;
            return Some(e.id);
        }
        self.next_id += 1;
        let id = self.next_id;
        self.entries.push(Entry {
            id,
            path: path.to_path_buf(),
            state,
            report: None,
            cancel: CancelToken::new(),
            intake_id: Some(intake_id),
        });
        Some(id)
    }

    /// Stores the report of an intake row, adding the row if the poll never saw it. `None`
    /// if the reviewer removed it.
    pub fn finish_intake(&mut self, intake_id: i64, report: DocumentReport) -> Option<DocId> {
        let path = PathBuf::from(&report.path);
        self.put_intake_report(intake_id, &path, report, false)
    }

    /// Shows an intake row scanned before this start (its report read back from the
    /// database), once: `None` if the reviewer removed it or the queue already holds its
    /// report (a live scan event got there first).
    pub fn restore_intake(
        &mut self,
        intake_id: i64,
        path: &Path,
        report: DocumentReport,
    ) -> Option<DocId> {
        self.put_intake_report(intake_id, path, report, true)
    }

    /// Puts `report` on the intake row's entry, adding the entry if needed; with
    /// `only_if_new` an entry that already has a report is left alone.
    fn put_intake_report(
        &mut self,
        intake_id: i64,
        path: &Path,
        report: DocumentReport,
        only_if_new: bool,
    ) -> Option<DocId> {
        if self.removed_intake.contains(&intake_id) {
            return None;
        }
        let existing = self
            .entries
            .iter()
            .find(|e| e.intake_id == Some(intake_id))
            .map(|e| (e.id, e.report.is_some()));
        let id = match existing {
            Some((_, true)) if only_if_new => return None,
            Some((id, _)) => id,
            None => self.sync_intake(intake_id, path, ScanState::Scanning)?,
        };
        self.finish(id, report);
        Some(id)
    }

    /// Marks an entry as being scanned. Returns false for an unknown id.
    pub fn start(&mut self, id: DocId) -> bool {
        match self.get_mut(id) {
            Some(e) => {
                e.state = ScanState::Scanning;
                true
            }
            None => false,
        }
    }

    /// Stores the report of a finished scan: a report with errors is a failure.
    pub fn finish(&mut self, id: DocId, report: DocumentReport) -> bool {
        let Some(e) = self.get_mut(id) else {
            return false;
        };
        e.state = match report.errors.first() {
            Some(reason) => ScanState::Failed {
                reason: reason.clone(),
            },
            None => ScanState::Scanned {
                findings: report.findings.len(),
            },
        };
        e.report = Some(Arc::new(report));
        true
    }

    /// Removes an entry and cancels its scan (a queued one is skipped, a running worker is
    /// killed). Returns the removed entry, or `None` for an unknown id.
    pub fn remove(&mut self, id: DocId) -> Option<Entry> {
        let at = self.entries.iter().position(|e| e.id == id)?;
        let entry = self.entries.remove(at);
        entry.cancel.cancel();
        if let Some(i) = entry.intake_id {
            self.removed_intake.insert(i);
        }
        Some(entry)
    }

    /// The entry with this id.
    pub fn get(&self, id: DocId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    fn get_mut(&mut self, id: DocId) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.id == id)
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(findings: usize, errors: &[&str]) -> DocumentReport {
        let mut r = DocumentReport::failed("x", "ab", String::new());
        r.errors = errors.iter().map(|s| s.to_string()).collect();
        r.findings = (0..findings)
            .map(|_| {
                clearance_model::Finding::new(
                    clearance_model::Category::PersonalId,
                    "r",
                    clearance_model::Severity::Low,
                    "t",
                    clearance_model::Source::Body,
                    "e",
                )
            })
            .collect();
        r
    }

    #[test]
    fn a_pending_path_is_not_queued_twice_but_a_scanned_one_is() {
        let mut q = Queue::default();
        let Added::New(a) = q.add(Path::new("/d/a.pdf")) else {
            panic!("first add is new")
        };
        assert_eq!(q.add(Path::new("/d/a.pdf")), Added::Pending(a));
        assert!(q.start(a));
        assert_eq!(
            q.add(Path::new("/d/a.pdf")),
            Added::Pending(a),
            "still scanning"
        );
        assert!(q.finish(a, report(2, &[])));
        assert!(matches!(q.add(Path::new("/d/a.pdf")), Added::New(b) if b != a));
    }

    #[test]
    fn finish_sets_findings_or_failure() {
        let mut q = Queue::default();
        let Added::New(a) = q.add(Path::new("a")) else {
            panic!()
        };
        let Added::New(b) = q.add(Path::new("b")) else {
            panic!()
        };
        q.finish(a, report(3, &[]));
        q.finish(b, report(0, &["encrypted PDF"]));
        assert_eq!(
            q.get(a).map(|e| e.state.clone()),
            Some(ScanState::Scanned { findings: 3 })
        );
        assert_eq!(
            q.get(b).map(|e| e.state.clone()),
            Some(ScanState::Failed {
                reason: "encrypted PDF".into()
            })
        );
        assert!(!q.finish(99, report(0, &[])), "unknown ids are refused");
    }

    #[test]
    fn remove_cancels_the_scan_and_forgets_the_entry() {
        let mut q = Queue::default();
        let Added::New(a) = q.add(Path::new("a")) else {
            panic!()
        };
        let token = q.get(a).unwrap().cancel.clone();
        assert!(q.start(a));
        assert!(!token.is_cancelled());
        assert_eq!(q.remove(a).map(|e| e.id), Some(a));
        assert!(token.is_cancelled(), "the worker's token is cancelled");
        assert!(q.get(a).is_none());
        assert!(!q.finish(a, report(0, &[])), "a late report is dropped");
        assert!(!q.start(a), "a removed entry is not started");
        assert!(q.remove(a).is_none());
        assert!(matches!(q.add(Path::new("a")), Added::New(b) if b != a));
    }

    #[test]
    fn intake_rows_follow_the_poll_then_the_report_and_stay_removed() {
        let mut q = Queue::default();
        let p = Path::new("/drop/a.pdf");
        let a = q.sync_intake(7, p, ScanState::Queued).unwrap();
        assert_eq!(q.sync_intake(7, p, ScanState::Queued), None, "no change");
        assert_eq!(q.sync_intake(7, p, ScanState::Scanning), Some(a));
        assert_eq!(q.finish_intake(7, report(1, &[])), Some(a));
        assert_eq!(
            q.get(a).map(|e| e.state.clone()),
            Some(ScanState::Scanned { findings: 1 })
        );
        assert_eq!(
            q.sync_intake(7, p, ScanState::Scanning),
            None,
            "a late poll does not undo the report"
        );
        let b = q
            .sync_intake(8, Path::new("/drop/b.pdf"), ScanState::Scanning)
            .unwrap();
        assert_eq!(q.remove(b).and_then(|e| e.intake_id), Some(8));
        assert_eq!(q.sync_intake(8, p, ScanState::Scanning), None);
        assert_eq!(q.finish_intake(8, report(0, &[])), None);
        let c = q.finish_intake(9, report(0, &[])).unwrap();
        assert_eq!(q.get(c).and_then(|e| e.intake_id), Some(9));
        assert_eq!(q.entries().len(), 2);
    }

    #[test]
    fn restored_intake_rows_come_once_and_stay_removed() {
        let mut q = Queue::default();
        let p = Path::new("/drop/a.pdf");
        let a = q.restore_intake(3, p, report(2, &[])).unwrap();
        assert_eq!(
            q.get(a)
                .map(|e| (e.state.clone(), e.intake_id, e.path.clone())),
            Some((ScanState::Scanned { findings: 2 }, Some(3), p.to_path_buf()))
        );
        assert_eq!(q.restore_intake(3, p, report(5, &[])), None, "only once");
        assert_eq!(
            q.get(a).map(|e| e.state.clone()),
            Some(ScanState::Scanned { findings: 2 }),
            "the first report stays"
        );
        // A row the poll showed as scanning gets its stored report.
        let b = q
            .sync_intake(4, Path::new("/drop/b.pdf"), ScanState::Scanning)
            .unwrap();
        assert_eq!(q.restore_intake(4, p, report(0, &["bad xref"])), Some(b));
        assert!(matches!(
            q.get(b).map(|e| e.state.clone()),
            Some(ScanState::Failed { .. })
        ));
        // A live scan first: the restore leaves it alone.
        let c = q.finish_intake(5, report(1, &[])).unwrap();
        assert_eq!(q.restore_intake(5, p, report(9, &[])), None);
        assert_eq!(
            q.get(c).map(|e| e.state.clone()),
            Some(ScanState::Scanned { findings: 1 })
        );
        q.remove(a);
        assert_eq!(q.restore_intake(3, p, report(2, &[])), None, "removed");
        assert_eq!(q.entries().len(), 2);
    }

    #[test]
    fn names_come_from_the_file_name() {
        let mut q = Queue::default();
        let id = q.add_failed(Path::new("/x/y/secret plan.docx"), "gone".into());
        assert_eq!(
            q.get(id).map(Entry::name).as_deref(),
            Some("secret plan.docx")
        );
    }
}
