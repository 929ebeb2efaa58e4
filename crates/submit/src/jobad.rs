//! Job ads as submit builds them.
//!
//! A [`JobAd`] is an ordered, case-insensitive map of attribute names to
//! ClassAd expressions (cheap to clone: expressions are reference counted).
//! A [`ProcAd`] is the ad of one job: its cluster's ad plus the attributes of
//! this job that differ from it, which is what condor_submit sends per job
//! and what `-dry-run` prints after the first job.

use std::sync::Arc;

use classad::{ClassAd, Expr, Value};

use crate::hash::FnvMap;

/// An ordered set of attributes, looked up case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct JobAd {
    attrs: Vec<(Arc<str>, Expr)>,
    index: FnvMap<Box<str>, usize>,
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

impl JobAd {
    pub fn new() -> JobAd {
        JobAd::default()
    }

    pub fn len(&self) -> usize {
        self.attrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    fn pos(&self, name: &str) -> Option<usize> {
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.index.get(lower(name).as_str()).copied()
        } else {
            self.index.get(name).copied()
        }
    }

    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.pos(name).map(|i| &self.attrs[i].1)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.pos(name).is_some()
    }

    /// Set an attribute; an existing one keeps its spelling and position.
    pub fn set(&mut self, name: &str, value: Expr) {
        match self.pos(name) {
            Some(i) => self.attrs[i].1 = value,
            None => {
                self.index.insert(lower(name).into_boxed_str(), self.attrs.len());
                self.attrs.push((Arc::from(name), value));
            }
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Expr> {
        let i = self.pos(name)?;
        let (_, e) = self.attrs.remove(i);
        self.index.clear();
        for (j, (n, _)) in self.attrs.iter().enumerate() {
            self.index.insert(lower(n).into_boxed_str(), j);
        }
        Some(e)
    }

    /// Attributes in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Expr)> {
        self.attrs.iter().map(|(n, e)| (&**n, e))
    }

    /// Copy every attribute of `other` into this ad.
    pub fn update(&mut self, other: &JobAd) {
        for (n, e) in other.iter() {
            self.set(n, e.clone());
        }
    }

    /// The ad as a [`ClassAd`].
    pub fn to_classad(&self) -> ClassAd {
        let mut ad = ClassAd::new();
        for (n, e) in self.iter() {
            ad.insert(n, e.clone());
        }
        ad
    }

    /// Attribute names in the order HTCondor prints a job ad: by length, then
    /// case-insensitively by name.
    pub fn sorted_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.attrs.iter().map(|(n, _)| &**n).collect();
        names.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| cmp_nocase(a, b)));
        names
    }
}

/// Case-insensitive ordering (ASCII).
pub fn cmp_nocase(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The literal value of an expression, if it is one.
pub fn literal(e: &Expr) -> Option<&Value> {
    e.as_literal()
}

/// One job's ad: the cluster ad overlaid with this job's own attributes.
#[derive(Debug, Clone)]
pub struct ProcAd {
    pub cluster: Arc<JobAd>,
    /// Attributes of this job that differ from the cluster ad.
    pub own: JobAd,
}

impl ProcAd {
    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.own.get(name).or_else(|| self.cluster.get(name))
    }

    /// The full ad (cluster attributes, then this job's).
    pub fn flatten(&self) -> JobAd {
        let mut ad = (*self.cluster).clone();
        ad.update(&self.own);
        ad
    }

    pub fn to_classad(&self) -> ClassAd {
        self.flatten().to_classad()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_keep_their_first_spelling() {
        let mut ad = JobAd::new();
        ad.set("RequestCpus", Expr::literal(Value::Int(1)));
        ad.set("requestcpus", Expr::literal(Value::Int(2)));
        assert_eq!(ad.len(), 1);
        assert_eq!(ad.iter().next().map(|(n, _)| n), Some("RequestCpus"));
        assert_eq!(ad.get("REQUESTCPUS").and_then(|e| e.as_literal()).and_then(Value::as_int), Some(2));
    }

    #[test]
    fn print_order_is_by_length_then_name() {
        let mut ad = JobAd::new();
        for n in ["Owner", "In", "Cmd", "QDate", "Arguments", "Err"] {
            ad.set(n, Expr::literal(Value::Int(0)));
        }
        assert_eq!(ad.sorted_names(), vec!["In", "Cmd", "Err", "Owner", "QDate", "Arguments"]);
    }
}
