//! User logs: writing the events of a batch (one `write` per log file),
//! and reading logs back at restart to learn how runs ended.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use eventlog::{LogFormat, UserLog};
use proto::JobId;

use crate::core::{LastEvent, LogEntry};

/// How many user logs stay open between batches.
const OPEN_LOGS: usize = 256;

/// Open user logs, by path.
#[derive(Default)]
pub struct UserLogs {
    open: HashMap<Arc<Path>, UserLog>,
}

impl UserLogs {
    /// Append the entries, grouped by file, keeping their order within each
    /// file. A log that cannot be written is reported in the schedd's log;
    /// the jobs go on.
    pub fn write(&mut self, entries: Vec<LogEntry>) {
        self.write_as(entries.into_iter().map(|e| (e, LogFormat::Text)).collect());
    }

    /// [`UserLogs::write`], each entry in its job's format (text or XML).
    pub fn write_as(&mut self, entries: Vec<(LogEntry, LogFormat)>) {
        if entries.is_empty() {
            return;
        }
        let mut by_path: Vec<(Arc<Path>, Vec<(eventlog::Event, LogFormat)>)> = Vec::new();
        for (e, f) in entries {
            match by_path.iter_mut().find(|(p, _)| *p == e.path) {
                Some((_, evs)) => evs.push((e.event, f)),
                None => by_path.push((e.path, vec![(e.event, f)])),
            }
        }
        for (path, events) in by_path {
            // A log the user deleted (or replaced) since the last batch is
            // opened again, so that its new events land in the file the
            // user sees.
            if self.open.get(&path).is_some_and(|l| !l.still_at_path()) {
                self.open.remove(&path);
            }
            if self.open.len() >= OPEN_LOGS && !self.open.contains_key(&path) {
                self.open.clear();
            }
            let log = match self.open.get_mut(&path) {
                Some(l) => l,
                None => match UserLog::open(&path) {
                    Ok(l) => self.open.entry(path.clone()).or_insert(l),
                    Err(e) => {
                        tracing::warn!("cannot open user log {}: {e}", path.display());
                        continue;
                    }
                },
            };
            if let Err(e) = log.write_formatted(&events) {
                tracing::warn!("cannot write user log {}: {e}", path.display());
                self.open.remove(&path);
            }
        }
    }
}

/// The attributes that make a job's events anything but plain text events.
const DECORATING: [&str; 2] = ["UserLogUseXML", "JobAdInformationAttrs"];

/// Whether `ad` changes how its job's events are written: when not,
/// [`decorate`] needs no ad for the job.
pub fn decorates(ad: &classad::ClassAd) -> bool {
    DECORATING.iter().any(|a| ad.contains(a))
}

/// Whether an edit of `attr` can change how the job's events are written.
pub fn is_decorating(attr: &str) -> bool {
    DECORATING.iter().any(|a| a.eq_ignore_ascii_case(attr))
}

/// The entries as they are written: each in its job's format
/// (`UserLogUseXML`), each followed — as HTCondor does — by a 028 job ad
/// information event when the job names `JobAdInformationAttrs`. `job`
/// gives a job's current ad.
pub fn decorate(entries: Vec<LogEntry>, job: impl Fn(JobId) -> Option<Arc<classad::ClassAd>>) -> Vec<(LogEntry, LogFormat)> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let id = JobId { cluster: e.event.id.cluster, proc: e.event.id.proc };
        let Some(ad) = job(id) else {
            out.push((e, LogFormat::Text));
            continue;
        };
        let xml = match ad.eval_attr("UserLogUseXML") {
            classad::Value::Bool(b) => b,
            classad::Value::Int(i) => i & 1 != 0,
            _ => false,
        };
        let format = if xml { LogFormat::Xml } else { LogFormat::Text };
        let info = match ad.eval_attr("JobAdInformationAttrs") {
            classad::Value::String(s) if !s.trim().is_empty() => Some(eventlog::classad_form::job_ad_information(&e.event, &ad, &s)),
            _ => None,
        };
        let path = e.path.clone();
        out.push((e, format));
        if let Some(event) = info {
            out.push((LogEntry { path, event }, format));
        }
    }
    out
}

/// The last event each of `jobs` has in its log. Each file is read once.
pub fn last_events(jobs: &[(JobId, Arc<Path>)]) -> HashMap<JobId, LastEvent> {
    let mut by_path: HashMap<Arc<Path>, HashSet<JobId>> = HashMap::new();
    for (id, p) in jobs {
        by_path.entry(p.clone()).or_default().insert(*id);
    }
    let mut out = HashMap::new();
    for (path, ids) in by_path {
        let text = match std::fs::read(&path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                tracing::warn!("cannot read user log {} at restart: {e}", path.display());
                continue;
            }
        };
        match eventlog::parse_log(&text) {
            Ok(parsed) => {
                for ev in parsed.events {
                    let id = JobId { cluster: ev.id.cluster, proc: ev.id.proc };
                    if ids.contains(&id) {
                        let prev = out.remove(&id).unwrap_or(LastEvent::Nothing);
                        out.insert(id, LastEvent::fold(prev, &ev.body));
                    }
                }
            }
            Err(e) => tracing::warn!("user log {} does not read as a job event log: {e}", path.display()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::events;

    #[test]
    fn batches_append_in_order_and_read_back_as_last_events() {
        let dir = tempfile::tempdir().unwrap();
        let a: Arc<Path> = Arc::from(dir.path().join("a.log").as_path());
        let b: Arc<Path> = Arc::from(dir.path().join("b.log").as_path());
        let j0 = JobId { cluster: 1, proc: 0 };
        let j1 = JobId { cluster: 1, proc: 1 };
        let mut logs = UserLogs::default();
        logs.write(vec![
            LogEntry { path: a.clone(), event: events::submitted(j0, 0, "<x>") },
            LogEntry { path: b.clone(), event: events::submitted(j1, 0, "<x>") },
            LogEntry { path: a.clone(), event: events::executing(j0, 1, "<s>", "slot1@h", None) },
        ]);
        logs.write(vec![LogEntry { path: b.clone(), event: events::aborted(j1, 2, "via condor_rm (by user a)") }]);
        let last = last_events(&[(j0, a.clone()), (j1, b.clone())]);
        assert_eq!(last[&j0], LastEvent::Executing);
        assert_eq!(last[&j1], LastEvent::Aborted);
        let text = std::fs::read_to_string(&a).unwrap();
        assert_eq!(text.matches("...\n").count(), 2);
        assert!(text.find("000 (001.000.000)").unwrap() < text.find("001 (001.000.000)").unwrap());
    }

    #[test]
    fn xml_jobs_get_xml_events_and_information_attrs_a_028_after_each_event() {
        let dir = tempfile::tempdir().unwrap();
        let a: Arc<Path> = Arc::from(dir.path().join("a.log").as_path());
        let (j0, j1) = (JobId { cluster: 1, proc: 0 }, JobId { cluster: 2, proc: 0 });
        let ads = |id: JobId| -> Option<Arc<classad::ClassAd>> {
            let text = if id == j0 { "UserLogUseXML = true\nJobAdInformationAttrs = \"Foo\"\nFoo = 3" } else { "Foo = 1" };
            Some(Arc::new(classad::ClassAd::parse_old(text).unwrap()))
        };
        let entries = vec![
            LogEntry { path: a.clone(), event: events::submitted(j0, 0, "<x>") },
            LogEntry { path: a.clone(), event: events::submitted(j1, 0, "<x>") },
        ];
        let out = decorate(entries, ads);
        let kinds: Vec<(u32, LogFormat)> = out.iter().map(|(e, f)| (e.event.body.number(), *f)).collect();
        assert_eq!(kinds, [(0, LogFormat::Xml), (28, LogFormat::Xml), (0, LogFormat::Text)]);
        let mut logs = UserLogs::default();
        logs.write_as(out);
        let text = std::fs::read_to_string(&a).unwrap();
        assert!(text.starts_with("<c>\n"), "{text}");
        assert!(text.contains("<a n=\"Foo\"><i>3</i></a>"), "{text}");
        assert!(text.ends_with("...\n"), "the text job's event: {text}");
    }

    #[test]
    fn a_user_log_deleted_between_submits_is_created_again() {
        let dir = tempfile::tempdir().unwrap();
        let a: Arc<Path> = Arc::from(dir.path().join("x.log").as_path());
        let mut logs = UserLogs::default();
        logs.write(vec![LogEntry { path: a.clone(), event: events::submitted(JobId { cluster: 1, proc: 0 }, 0, "<x>") }]);
        std::fs::remove_file(&a).unwrap();
        logs.write(vec![LogEntry { path: a.clone(), event: events::submitted(JobId { cluster: 2, proc: 0 }, 0, "<x>") }]);
        let text = std::fs::read_to_string(&a).expect("the deleted log is created again");
        assert!(text.starts_with("000 (002.000.000)"), "{text}");
        assert_eq!(text.matches("...\n").count(), 1);
        // Replaced by another file (moved aside, a new one in its place): the new file gets the events.
        std::fs::rename(&a, dir.path().join("old.log")).unwrap();
        std::fs::write(&a, "").unwrap();
        logs.write(vec![LogEntry { path: a.clone(), event: events::aborted(JobId { cluster: 2, proc: 0 }, 1, "via condor_rm (by user a)") }]);
        assert!(std::fs::read_to_string(&a).unwrap().starts_with("009 (002.000.000)"));
    }
}
