//! Which jobs a query is about, and the counts `condor_q -totals` prints.
//!
//! A [`Filter`] is the conjunction of its parts: job ids/clusters (any of),
//! owners (any of), statuses (any of) and a ClassAd constraint. The parts
//! other than the constraint are answered from the queue's indexes; a
//! top-level `JobStatus == N` conjunct of the constraint is recognised and
//! answered from the status index too, so `condor_q -constraint
//! 'JobStatus == 5'` over a million jobs only evaluates the held ones.

use classad::{BinaryOp, Expr, Node, Value};
use proto::job::JobSpec;
use proto::schedd::JobSelector;
use proto::JobStatus;

/// A selection of jobs. `Filter::default()` selects every job.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Clusters (`12`) and jobs (`12.3`): a job matches if any of them names it. Empty: no limit.
    pub ids: Vec<JobSpec>,
    /// Owners (compared ignoring case, as `Owner == "name"` does). Empty: no limit.
    pub owners: Vec<String>,
    /// Job statuses (any of). Empty: no limit.
    pub statuses: Vec<JobStatus>,
    /// A ClassAd constraint evaluated against the job ad (chained to its
    /// cluster ad); a job matches when it evaluates to true (or a non-zero number).
    pub constraint: Option<Expr>,
}

impl Filter {
    /// Every job.
    pub fn all() -> Filter {
        Filter::default()
    }

    /// The jobs and clusters named.
    pub fn ids(ids: impl IntoIterator<Item = JobSpec>) -> Filter {
        Filter { ids: ids.into_iter().collect(), ..Filter::default() }
    }

    /// Also require one of these owners.
    pub fn owner(mut self, owner: impl Into<String>) -> Filter {
        self.owners.push(owner.into());
        self
    }

    /// Also require one of these statuses.
    pub fn status(mut self, s: JobStatus) -> Filter {
        self.statuses.push(s);
        self
    }

    /// Also require a constraint.
    pub fn constraint(mut self, e: Expr) -> Filter {
        self.constraint = Some(e);
        self
    }

    /// The filter of a `/v1` request's selector. The constraint is parsed
    /// as HTCondor parses `-constraint` (old ClassAd syntax). `all` adds no
    /// restriction: refusing a selector that names nothing (so that
    /// `condor_rm` without arguments does not remove every job) is the
    /// caller's decision.
    pub fn from_selector(sel: &JobSelector) -> Result<Filter, classad::ParseError> {
        let constraint = match sel.constraint.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(Expr::parse_old(text)?),
        };
        Ok(Filter { ids: sel.ids.clone(), owners: sel.owners.clone(), statuses: Vec::new(), constraint })
    }

    /// The statuses a matching job can have (`None`: any), combining
    /// `statuses` with a `JobStatus == N` conjunct of the constraint.
    pub(crate) fn status_set(&self) -> Option<[bool; 8]> {
        let mut set = if self.statuses.is_empty() {
            None
        } else {
            let mut s = [false; 8];
            for st in &self.statuses {
                s[st.code() as usize] = true;
            }
            Some(s)
        };
        if let Some(code) = self.constraint.as_ref().and_then(status_conjunct) {
            let mut only = [false; 8];
            if let Some(st) = JobStatus::from_code(code) {
                only[st.code() as usize] = true;
            }
            set = Some(match set {
                None => only,
                Some(s) => std::array::from_fn(|i| s[i] && only[i]),
            });
        }
        set
    }
}

/// `N` when `e` is `JobStatus == N` (or `=?=`, either side), possibly
/// inside parentheses or as one operand of a top-level `&&`.
fn status_conjunct(e: &Expr) -> Option<i64> {
    match e.node() {
        Node::Paren(inner) => status_conjunct(inner),
        Node::Binary { op: BinaryOp::And, lhs, rhs } => status_conjunct(lhs).or_else(|| status_conjunct(rhs)),
        Node::Binary { op: BinaryOp::Eq | BinaryOp::Is, lhs, rhs } => {
            let is_status = |x: &Expr| matches!(x.node(), Node::Attr { name, absolute: false } if name.is("JobStatus"));
            let int = |x: &Expr| match x.node() {
                Node::Literal(Value::Int(i)) => Some(*i),
                _ => None,
            };
            if is_status(lhs) {
                int(rhs)
            } else if is_status(rhs) {
                int(lhs)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// True when a constraint's value selects the job (HTCondor's `EvalBool`:
/// booleans, and numbers compared with zero).
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Real(r) => *r != 0.0,
        _ => false,
    }
}

/// Job counts by status, as `condor_q -totals` prints them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Every matching job.
    pub jobs: usize,
    pub idle: usize,
    pub running: usize,
    pub removed: usize,
    pub completed: usize,
    pub held: usize,
    pub transferring_output: usize,
    pub suspended: usize,
    /// Jobs whose `JobStatus` is missing or not one of the codes 1–7.
    pub other: usize,
}

impl Totals {
    /// The count of one status.
    pub fn count(&self, s: JobStatus) -> usize {
        match s {
            JobStatus::Idle => self.idle,
            JobStatus::Running => self.running,
            JobStatus::Removed => self.removed,
            JobStatus::Completed => self.completed,
            JobStatus::Held => self.held,
            JobStatus::TransferringOutput => self.transferring_output,
            JobStatus::Suspended => self.suspended,
        }
    }

    /// Totals from counts indexed by status code (index 0: other).
    pub(crate) fn from_counts(c: &[usize; 8]) -> Totals {
        Totals {
            jobs: c.iter().sum(),
            other: c[0],
            idle: c[1],
            running: c[2],
            removed: c[3],
            completed: c[4],
            held: c[5],
            transferring_output: c[6],
            suspended: c[7],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(f: &Filter) -> Option<Vec<usize>> {
        f.status_set().map(|s| (0..8).filter(|&i| s[i]).collect())
    }

    #[test]
    fn a_request_selector_becomes_a_filter() {
        let sel = JobSelector {
            ids: vec![JobSpec::Cluster(3)],
            owners: vec!["alice".into()],
            constraint: Some(r#"Cmd == "C:\bin" && JobStatus == 5"#.into()),
            ..JobSelector::default()
        };
        let f = Filter::from_selector(&sel).unwrap();
        assert_eq!(f.ids, sel.ids);
        assert_eq!(f.owners, sel.owners);
        // Old syntax: the backslash is literal.
        assert_eq!(f.constraint.as_ref().unwrap().to_new_string(), r#"Cmd == "C:\\bin" && JobStatus == 5"#);
        assert_eq!(set(&f), Some(vec![5]));
        let bad = JobSelector { constraint: Some("JobStatus ==".into()), ..JobSelector::default() };
        assert!(Filter::from_selector(&bad).is_err());
        let empty = JobSelector { constraint: Some("  ".into()), ..JobSelector::default() };
        assert!(Filter::from_selector(&empty).unwrap().constraint.is_none());
    }

    #[test]
    fn a_status_conjunct_of_the_constraint_narrows_the_status_set() {
        let c = |t: &str| Filter::all().constraint(Expr::parse(t).unwrap());
        assert_eq!(set(&c("JobStatus == 4")), Some(vec![4]));
        assert_eq!(set(&c("(Owner == \"a\") && (5 =?= JobStatus)")), Some(vec![5]));
        assert_eq!(set(&c("JobStatus == 4 || JobStatus == 5")), None);
        assert_eq!(set(&c("JobStatus == 9")), Some(vec![]));
        assert_eq!(set(&c("MY.JobStatus == 4")), None);
        assert_eq!(set(&c("JobStatus == 4").status(JobStatus::Held)), Some(vec![]));
        assert_eq!(set(&Filter::all().status(JobStatus::Held).status(JobStatus::Idle)), Some(vec![1, 5]));
        assert_eq!(set(&Filter::all()), None);
    }
}
