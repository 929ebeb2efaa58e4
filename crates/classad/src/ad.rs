//! ClassAds: ordered, case-insensitively named attributes holding expressions.
//!
//! Attributes keep their insertion order and the spelling they were first
//! given; lookups ignore ASCII case and never allocate. Small ads are
//! scanned comparing precomputed hashes; larger ones keep an open-addressing
//! index over the same hashes.
//!
//! An ad may be *chained* to a parent ad (HTCondor's `ChainToAd`): a proc's
//! job ad chained to its cluster ad holds only the attributes that differ,
//! and lookups that miss in the ad fall through to the parent. [`ClassAd::iter`]
//! visits the ad's own attributes; [`ClassAd::iter_all`] the merged view.

use std::fmt;
use std::sync::Arc;

use crate::expr::{fold_hash, Name};
use crate::{Expr, ParseError, Value};

/// Ads up to this size are searched linearly (hash compare first).
const LINEAR_MAX: usize = 8;

/// A ClassAd: attribute names mapped to expressions.
#[derive(Default, Clone)]
pub struct ClassAd {
    attrs: Vec<(Name, Expr)>,
    /// Open-addressing slots holding `index + 1` into `attrs` (0 = empty);
    /// empty while the ad is small.
    index: Vec<u32>,
    /// The ad that lookups fall through to (HTCondor's chained parent ad).
    chain: Option<Arc<ClassAd>>,
}

impl ClassAd {
    pub fn new() -> Self {
        ClassAd::default()
    }

    /// Parse an ad in new syntax: `[a = 1; b = a + 1]`.
    pub fn parse(text: &str) -> Result<ClassAd, ParseError> {
        crate::parser::parse_ad_new(text)
    }

    /// Parse an ad in old syntax: one `Attr = expr` per line (as `condor_q -long` prints).
    pub fn parse_old(text: &str) -> Result<ClassAd, ParseError> {
        crate::parser::parse_ad_old(text)
    }

    /// Parse an ad in HTCondor's JSON form (`condor_q -json` prints a list of these).
    pub fn parse_json(text: &str) -> Result<ClassAd, ParseError> {
        crate::json::parse_ad_json(text)
    }

    /// Set `name` to `expr`. An attribute of the same name (ignoring case)
    /// is replaced in place, keeping its position and first spelling.
    pub fn insert(&mut self, name: &str, expr: Expr) {
        let hash = fold_hash(name);
        if let Some(i) = self.position(name, hash) {
            self.attrs[i].1 = expr;
            return;
        }
        self.attrs.push((Name::new(name), expr));
        self.after_push();
    }

    /// Set an attribute whose [`Name`] the caller already has (interned names
    /// shared by many ads cost no allocation).
    pub fn insert_name(&mut self, name: Name, expr: Expr) {
        if let Some(i) = self.position(name.as_str(), name.hash()) {
            self.attrs[i].1 = expr;
            return;
        }
        self.attrs.push((name, expr));
        self.after_push();
    }

    /// Chain this ad to `parent`: names missing here are looked up there.
    pub fn chain_to(&mut self, parent: Arc<ClassAd>) {
        self.chain = Some(parent);
    }

    /// Remove the chain, returning the parent it pointed to.
    pub fn unchain(&mut self) -> Option<Arc<ClassAd>> {
        self.chain.take()
    }

    /// The parent ad this one is chained to.
    pub fn chained(&self) -> Option<&Arc<ClassAd>> {
        self.chain.as_ref()
    }

    /// The expression of `name` in this ad only, ignoring the chained parent.
    pub fn get_own(&self, name: &str) -> Option<&Expr> {
        self.position(name, fold_hash(name)).map(|i| &self.attrs[i].1)
    }

    /// The merged view of a chained ad: own attributes first (insertion
    /// order), then the parent's attributes that this ad does not override.
    pub fn iter_all(&self) -> impl Iterator<Item = (&str, &Expr)> {
        let parent = self.chain.as_deref().into_iter().flat_map(move |p| {
            p.iter_all().filter(move |(n, _)| self.position(n, fold_hash(n)).is_none())
        });
        self.iter().chain(Box::new(parent) as Box<dyn Iterator<Item = (&str, &Expr)>>)
    }

    /// A copy with the chain resolved: every attribute of the merged view, unchained.
    pub fn flattened(&self) -> ClassAd {
        let mut ad = ClassAd::new();
        for (n, e) in self.iter_all() {
            ad.insert(n, e.clone());
        }
        ad
    }

    /// Set `name` to a literal value.
    pub fn insert_value(&mut self, name: &str, v: Value) {
        self.insert(name, Expr::literal(v));
    }

    /// The expression of attribute `name` (any case), falling through to
    /// the chained parent.
    pub fn get(&self, name: &str) -> Option<&Expr> {
        self.get_hashed(name, fold_hash(name))
    }

    /// Lookup with a name whose hash was computed at parse time.
    #[inline]
    pub(crate) fn get_name(&self, name: &Name) -> Option<&Expr> {
        self.get_hashed(name.as_str(), name.hash())
    }

    #[inline]
    fn get_hashed(&self, name: &str, hash: u64) -> Option<&Expr> {
        match self.position(name, hash) {
            Some(i) => Some(&self.attrs[i].1),
            None => self.chain.as_deref().and_then(|p| p.get_hashed(name, hash)),
        }
    }

    /// The spelling an attribute was first given, if present (here or in the chained parent).
    pub fn name_of(&self, name: &str) -> Option<&str> {
        match self.position(name, fold_hash(name)) {
            Some(i) => Some(self.attrs[i].0.as_str()),
            None => self.chain.as_deref().and_then(|p| p.name_of(name)),
        }
    }

    /// Remove `name` from this ad (not from the chained parent), returning its expression.
    pub fn remove(&mut self, name: &str) -> Option<Expr> {
        let i = self.position(name, fold_hash(name))?;
        let (_, e) = self.attrs.remove(i);
        self.rebuild_index();
        Some(e)
    }

    /// This ad's own attributes in insertion order, with their original
    /// spelling (not the chained parent's: see [`ClassAd::iter_all`]).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Expr)> {
        self.attrs.iter().map(|(n, e)| (n.as_str(), e))
    }

    /// The merged view's attributes in the order HTCondor's library stores
    /// and prints them (`classad2`'s `printOld()`/`printJson()`, nested ads
    /// everywhere): shorter names first, then by name ignoring case.
    /// [`ClassAd::iter`] keeps insertion order instead.
    pub fn iter_htcondor_order(&self) -> Vec<(&str, &Expr)> {
        let mut v: Vec<(&str, &Expr)> = self.iter_all().collect();
        v.sort_by(|a, b| {
            a.0.len().cmp(&b.0.len()).then_with(|| {
                let x = a.0.bytes().map(|c| c.to_ascii_lowercase());
                let y = b.0.bytes().map(|c| c.to_ascii_lowercase());
                x.cmp(y)
            })
        });
        v
    }

    /// The number of own attributes (not counting the chained parent's).
    pub fn len(&self) -> usize {
        self.attrs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// True when `name` is present (any case), here or in the chained parent.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Add every attribute of `other`, replacing same-named ones.
    pub fn update(&mut self, other: &ClassAd) {
        for (n, e) in other.iter() {
            self.insert(n, e.clone());
        }
    }

    /// Evaluate attribute `name` in this ad alone (no target ad).
    pub fn eval_attr(&self, name: &str) -> Value {
        crate::eval::eval_attr(self, name, None)
    }

    /// Evaluate attribute `name` with `target` as the matched ad.
    pub fn eval_attr_against(&self, name: &str, target: &ClassAd) -> Value {
        crate::eval::eval_attr(self, name, Some(target))
    }

    /// Evaluate attribute `name` (against `target`, if any) with the
    /// builtins seeing `env` (see [`crate::builtins::Env`]).
    pub fn eval_attr_with_env(&self, name: &str, target: Option<&ClassAd>, env: &crate::builtins::Env) -> Value {
        match self.get(name) {
            Some(_) => Expr::attr(name).eval_with_env(Some(self), target, env),
            None => Value::Undefined,
        }
    }

    /// Evaluate an expression in the context of this ad.
    pub fn eval_expr(&self, expr: &Expr, target: Option<&ClassAd>) -> Value {
        expr.eval(Some(self), target)
    }

    /// The attributes `expr`, evaluated in this ad, needs from the *target*
    /// ad (HTCondor's `GetExternalReferences` with its name trimming):
    /// `TARGET.Memory` gives `Memory`, a bare name this ad does not define
    /// is external, and attributes this ad defines are followed (so a
    /// `Requirements` using `RequestMemory` that uses `TARGET.Memory`
    /// reports `Memory`). Unique ignoring case, sorted.
    pub fn external_refs(&self, expr: &Expr) -> Vec<String> {
        crate::eval::references(self, expr, crate::eval::RefKind::External)
    }

    /// The attributes of this ad that `expr` uses, directly or through the
    /// attributes it uses (HTCondor's `GetInternalReferences`): `MY.x` and
    /// bare names defined here. Unique ignoring case, sorted.
    pub fn internal_refs(&self, expr: &Expr) -> Vec<String> {
        crate::eval::references(self, expr, crate::eval::RefKind::Internal)
    }

    /// [`ClassAd::external_refs`] with the names as written (`TARGET.Memory`,
    /// not `Memory`), as `classad2.ClassAd.externalRefs()` reports them.
    pub fn external_refs_full(&self, expr: &Expr) -> Vec<String> {
        crate::eval::references_full(self, expr, crate::eval::RefKind::External)
    }

    /// [`ClassAd::internal_refs`] with the names as written (`classad2`'s `internalRefs()`).
    pub fn internal_refs_full(&self, expr: &Expr) -> Vec<String> {
        crate::eval::references_full(self, expr, crate::eval::RefKind::Internal)
    }

    /// [`ClassAd::external_refs`] of attribute `attr`'s expression (empty
    /// when the attribute does not exist), e.g. the machine attributes a
    /// job's `Requirements` looks at.
    pub fn external_refs_of(&self, attr: &str) -> Vec<String> {
        self.get(attr).map(|e| self.external_refs(e)).unwrap_or_default()
    }

    /// [`ClassAd::internal_refs`] of attribute `attr`'s expression.
    pub fn internal_refs_of(&self, attr: &str) -> Vec<String> {
        self.get(attr).map(|e| self.internal_refs(e)).unwrap_or_default()
    }

    /// Old syntax: `Name = expr` lines in insertion order, each ending in a
    /// newline (the merged view when chained).
    pub fn to_old_string(&self) -> String {
        crate::unparse::ad_old(self)
    }

    /// New syntax on one line: `[ a = 1; b = "x" ]`.
    pub fn to_new_string(&self) -> String {
        crate::unparse::ad_new(self)
    }

    /// HTCondor's JSON form of the ad.
    pub fn to_json(&self) -> String {
        crate::json::ad_to_json(self)
    }

    #[inline]
    fn position(&self, name: &str, hash: u64) -> Option<usize> {
        if self.index.is_empty() {
            return self
                .attrs
                .iter()
                .position(|(n, _)| n.hash() == hash && same_name(n.as_str(), name));
        }
        let mask = self.index.len() - 1;
        let mut slot = (hash as usize) & mask;
        loop {
            let v = self.index[slot];
            if v == 0 {
                return None;
            }
            let i = (v - 1) as usize;
            let n = &self.attrs[i].0;
            if n.hash() == hash && same_name(n.as_str(), name) {
                return Some(i);
            }
            slot = (slot + 1) & mask;
        }
    }

    fn after_push(&mut self) {
        let n = self.attrs.len();
        if n <= LINEAR_MAX {
            return;
        }
        if self.index.len() < n * 2 {
            self.rebuild_index();
        } else {
            let i = n - 1;
            self.place(i);
        }
    }

    fn rebuild_index(&mut self) {
        let n = self.attrs.len();
        if n <= LINEAR_MAX {
            self.index = Vec::new();
            return;
        }
        let size = (n * 4).next_power_of_two();
        self.index = vec![0; size];
        for i in 0..n {
            self.place(i);
        }
    }

    fn place(&mut self, i: usize) {
        let mask = self.index.len() - 1;
        let mut slot = (self.attrs[i].0.hash() as usize) & mask;
        while self.index[slot] != 0 {
            slot = (slot + 1) & mask;
        }
        self.index[slot] = (i + 1) as u32;
    }
}

/// Names equal ignoring ASCII case; the common same-spelling case is one
/// `memcmp`.
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a == b || a.eq_ignore_ascii_case(b))
}

impl PartialEq for ClassAd {
    /// Same attributes (same spelling) with equal expressions, in the same
    /// order, and equal chained parents.
    fn eq(&self, other: &ClassAd) -> bool {
        self.attrs == other.attrs && self.chain == other.chain
    }
}

impl fmt::Debug for ClassAd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_new_string())
    }
}

impl fmt::Display for ClassAd {
    /// Old syntax, as `condor_q -long` prints an ad.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_old_string())
    }
}

impl From<ClassAd> for Value {
    fn from(ad: ClassAd) -> Value {
        Value::Ad(Arc::new(ad))
    }
}

impl<'a> FromIterator<(&'a str, Expr)> for ClassAd {
    fn from_iter<I: IntoIterator<Item = (&'a str, Expr)>>(iter: I) -> ClassAd {
        let mut ad = ClassAd::new();
        for (n, e) in iter {
            ad.insert(n, e);
        }
        ad
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chained_ad_falls_through_to_parent_and_overrides_it() {
        let cluster = Arc::new(ClassAd::parse("[ ClusterId = 7; Cmd = \"/bin/true\"; JobStatus = 1 ]").unwrap());
        let mut proc_ad = ClassAd::parse("[ ProcId = 3; JobStatus = 2 ]").unwrap();
        proc_ad.chain_to(cluster.clone());
        assert_eq!(proc_ad.eval_attr("ClusterId"), Value::Int(7));
        assert_eq!(proc_ad.eval_attr("jobstatus"), Value::Int(2));
        assert!(proc_ad.get_own("Cmd").is_none());
        assert!(proc_ad.contains("Cmd"));
        let names: Vec<&str> = proc_ad.iter_all().map(|(n, _)| n).collect();
        assert_eq!(names, ["ProcId", "JobStatus", "ClusterId", "Cmd"]);
        assert_eq!(proc_ad.len(), 2);
        let flat = proc_ad.flattened();
        assert!(flat.chained().is_none());
        assert_eq!(flat.len(), 4);
        assert_eq!(proc_ad.unchain().map(|p| p.len()), Some(3));
        assert_eq!(proc_ad.eval_attr("ClusterId"), Value::Undefined);
    }

    #[test]
    fn htcondor_order_is_length_then_name() {
        let ad = ClassAd::parse("[zz = 1; a = 2; Bb = 3; ccc = 4; b = 5]").expect("parses");
        let names: Vec<&str> = ad.iter_htcondor_order().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["a", "b", "Bb", "zz", "ccc"]);
    }

    #[test]
    fn constraint_sees_the_chained_parent() {
        let cluster = Arc::new(ClassAd::parse("[ Owner = \"alice\"; RequestMemory = 2048 ]").unwrap());
        let mut proc_ad = ClassAd::new();
        proc_ad.insert_name(Name::new("ProcId"), Expr::literal(Value::Int(0)));
        proc_ad.chain_to(cluster);
        let c = Expr::parse("Owner == \"alice\" && RequestMemory > 1024 && ProcId == 0").unwrap();
        assert_eq!(proc_ad.eval_expr(&c, None), Value::Bool(true));
    }
}
