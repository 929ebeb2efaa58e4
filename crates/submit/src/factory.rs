//! Late materialization: a cluster's submit digest and item data, and
//! the ads of its procs made on demand.
//!
//! With `max_materialize` (or `max_idle`) condor_submit does not send every
//! job: it sends the cluster ad, a *submit digest* (the submit variables as
//! they were at the queue statement) and the item rows, and the schedd
//! makes proc N when it is allowed to. A [`Factory`] is that digest; the
//! schedd keeps [`Factory::digest`] and [`Factory::items`] with the cluster
//! (both plain text, so they store and reload losslessly with
//! [`Factory::from_digest`]) and calls [`Materializer::proc_ad`] for the
//! procs it wants. Proc N's ad is exactly what an ordinary submit of the
//! same description gives proc N: the same builder runs, against the stored
//! cluster ad.

use std::sync::Arc;

use classad::ClassAd;

use crate::builder::{self, BuildOptions, ClusterState, Messages};
use crate::error::SubmitError;
use crate::hash::{Origin, SubmitHash};
use crate::items::Walk;
use crate::params::Params;
use crate::queue::{ForeachMode, QueueArgs, Slice};
use crate::submission::{ClusterAd, ProcAd};

/// The submit digest and item data of a late-materialization cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Factory {
    /// Submit variables: name and raw (unexpanded) value, in first-definition order.
    entries: Vec<(String, String)>,
    /// The directory relative paths were taken from at submit time.
    iwd: String,
    submit_file: Option<String>,
    user: String,
    submit_time: i64,
    /// The environment variables the description reads with `$ENV()`.
    env: Vec<(String, String)>,
    count: i64,
    vars: Vec<String>,
    slice: Slice,
    mode: ForeachMode,
    items: Vec<String>,
}

/// Names of `$ENV(NAME)` references in a text.
fn env_refs(text: &str, out: &mut Vec<String>) {
    let mut rest = text;
    while let Some(i) = rest.find("$ENV(") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find(')') {
            let name = rest[..end].split(':').next().unwrap_or("").to_string();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
            rest = &rest[end..];
        }
    }
}

fn slice_text(s: &Slice) -> String {
    if !s.set {
        return String::new();
    }
    let f = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    format!("[{}:{}:{}]", f(s.start), f(s.end), f(s.step))
}

impl Factory {
    /// Capture the digest of the statement `walk` is about to queue.
    pub(crate) fn capture(hash: &SubmitHash, walk: &Walk, opts: &BuildOptions, submit_file: Option<&str>) -> Factory {
        let mut entries = Vec::new();
        let mut env_names = Vec::new();
        for e in hash.entries() {
            if e.origin == Origin::Live || e.origin == Origin::Detected {
                continue;
            }
            env_refs(&e.raw, &mut env_names);
            entries.push((e.name.clone(), e.raw.clone()));
        }
        let env = env_names
            .into_iter()
            .filter_map(|n| opts.environ.iter().find(|(k, _)| *k == n).cloned())
            .collect();
        Factory {
            entries,
            iwd: opts.base_dir.to_string_lossy().into_owned(),
            submit_file: submit_file.map(str::to_string),
            user: opts.user.clone(),
            submit_time: opts.submit_time,
            env,
            count: walk.args.count,
            vars: walk.vars.clone(),
            slice: walk.args.slice,
            mode: walk.args.mode,
            items: walk.args.items.clone(),
        }
    }

    /// The item rows (one per line of item data).
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// Procs this factory makes.
    pub fn job_count(&self) -> i64 {
        self.walk().selected_job_count()
    }

    fn walk(&self) -> Walk {
        let args = QueueArgs {
            count: self.count,
            vars: self.vars.clone(),
            mode: self.mode,
            slice: self.slice,
            items: self.items.clone(),
            items_source: None,
        };
        Walk::new(args)
    }

    /// The digest as submit-language text, ending in a `queue` statement
    /// that reads its items from the stored item data.
    pub fn digest(&self) -> String {
        let mut out = String::new();
        for (name, raw) in &self.entries {
            if raw.contains('\n') {
                let mut tag = String::from("END");
                while raw.lines().any(|l| l == format!("@{tag}")) {
                    tag.push('X');
                }
                out.push_str(&format!("{name} @={tag}\n{raw}\n@{tag}\n"));
            } else {
                out.push_str(&format!("{name} = {raw}\n"));
            }
        }
        out.push_str(&format!("FACTORY.Iwd = {}\n", self.iwd));
        if let Some(f) = &self.submit_file {
            out.push_str(&format!("FACTORY.SubmitFile = {f}\n"));
        }
        out.push_str(&format!("FACTORY.User = {}\n", self.user));
        out.push_str(&format!("FACTORY.SubmitTime = {}\n", self.submit_time));
        for (k, v) in &self.env {
            out.push_str(&format!("FACTORY.Env.{k} = {v}\n"));
        }
        let mode = match self.mode {
            ForeachMode::Not => "",
            _ => " from",
        };
        let vars = if self.mode == ForeachMode::Not { String::new() } else { format!(" {}", self.vars.join(",")) };
        let slice = slice_text(&self.slice);
        let slice = if slice.is_empty() { slice } else { format!(" {slice}") };
        let items = if self.mode == ForeachMode::Not { "" } else { " <itemdata>" };
        out.push_str(&format!("queue {}{vars}{mode}{slice}{items}\n", self.count));
        out
    }

    /// Reload a factory from its stored digest and item rows.
    pub fn from_digest(digest: &str, items: Vec<String>) -> Result<Factory, SubmitError> {
        let mut hash = SubmitHash::new();
        let opener = crate::parse::SourceOpener::default();
        let mut warnings = Vec::new();
        let mut reader = crate::reader::LineReader::new("<digest>", digest, 1);
        let stop = crate::parse::Parser { hash: &mut hash, opener: &opener, warnings: &mut warnings }.parse_up_to_queue(&mut reader)?;
        let crate::parse::Stop::Queue { line, .. } = stop else {
            return Err(SubmitError::parse("<digest>", reader.line(), "the digest has no queue statement"));
        };
        let args_text = crate::queue::queue_statement_args(&line).unwrap_or("").replace("<itemdata>", "");
        let qa = QueueArgs::parse(&args_text, &|s: &str| crate::eval::long_param(s))
            .map_err(|e| SubmitError::parse("<digest>", reader.line(), e.to_string()))?;
        let mut f = Factory {
            entries: Vec::new(),
            iwd: String::new(),
            submit_file: None,
            user: String::new(),
            submit_time: 0,
            env: Vec::new(),
            count: qa.count,
            vars: qa.effective_vars(),
            slice: qa.slice,
            mode: if qa.mode == ForeachMode::Not { ForeachMode::Not } else { ForeachMode::From },
            items,
        };
        for e in hash.entries() {
            let lower = e.name.to_ascii_lowercase();
            if lower == "factory.iwd" {
                f.iwd = e.raw.clone();
            } else if lower == "factory.submitfile" {
                f.submit_file = Some(e.raw.clone());
            } else if lower == "factory.user" {
                f.user = e.raw.clone();
            } else if lower == "factory.submittime" {
                f.submit_time = e.raw.trim().parse().unwrap_or(0);
            } else if let Some(name) = e.name.get("FACTORY.Env.".len()..).filter(|_| lower.starts_with("factory.env.")) {
                f.env.push((name.to_string(), e.raw.clone()));
            } else {
                f.entries.push((e.name.clone(), e.raw.clone()));
            }
        }
        Ok(f)
    }

    /// A materializer for this factory's cluster, with the schedd's configuration.
    pub fn materializer(&self, cluster: ClusterAd, params: Params) -> Materializer {
        Materializer::new(self.clone(), cluster, params)
    }
}

/// Makes the procs of one factory cluster (keeps the parsed digest between calls).
pub struct Materializer {
    factory: Factory,
    cluster: ClusterAd,
    params: Params,
    opts: BuildOptions,
    hash: SubmitHash,
    state: ClusterState,
}

impl std::fmt::Debug for Materializer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Materializer").field("cluster", &self.cluster.id).finish_non_exhaustive()
    }
}

impl Materializer {
    fn new(factory: Factory, cluster: ClusterAd, params: Params) -> Materializer {
        let opts = BuildOptions {
            base_dir: std::path::PathBuf::from(&factory.iwd),
            environ: Arc::new(factory.env.clone()),
            user: factory.user.clone(),
            submit_time: factory.submit_time,
            check_executable: false,
            dry_run: false,
            ..BuildOptions::default()
        };
        let mut hash = crate::submission::new_hash(&opts, &params, factory.submit_file.as_deref());
        for (k, v) in &factory.entries {
            hash.insert(k, v, Origin::File { source: Arc::from("<digest>"), line: 0 });
        }
        hash.insert("FACTORY.Iwd", &factory.iwd, Origin::Detected);
        let state = ClusterState {
            foreign_cluster: true,
            cluster: Some(Arc::clone(&cluster.ad)),
            cluster_id: Some(cluster.id),
            ..ClusterState::default()
        };
        Materializer { factory, cluster, params, opts, hash, state }
    }

    /// Procs in the cluster.
    pub fn job_count(&self) -> i64 {
        self.factory.job_count()
    }

    /// The ad of proc `proc` (0-based), as [`crate::Submission`] would have
    /// sent it: `ProcId`, `JobStatus` and what differs from the cluster ad.
    pub fn proc_ad(&mut self, proc: i64) -> Result<ProcAd, SubmitError> {
        let walk = self.factory.walk();
        let step_size = walk.step_size();
        if proc < 0 || proc >= walk.selected_job_count() {
            return Err(SubmitError::job(format!(
                "proc {proc} does not exist: cluster {} has {} procs\n",
                self.cluster.id,
                walk.selected_job_count()
            )));
        }
        let selected = proc / step_size;
        let step = proc % step_size;
        let n = self.factory.items.len() as i64;
        let item_index = if n > 0 { walk.args.slice.translate(selected, n).unwrap_or(selected) } else { 0 };
        // the queue variables: the row's fields; an empty row keeps the
        // values of the selected row before it
        if n > 0 {
            let mut w = walk.clone();
            let mut values: Vec<Option<String>> = vec![None; w.vars.len()];
            let mut k = selected;
            while k >= 0 && values.iter().any(Option::is_none) {
                let Some(ix) = w.args.slice.translate(k, n) else { break };
                let row = w.args.items[ix as usize].clone();
                if !row.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
                    let fields = w.row_values(ix as usize);
                    for (i, (_, v)) in fields.into_iter().enumerate() {
                        if values[i].is_none() {
                            values[i] = Some(v);
                        }
                    }
                    break;
                }
                k -= 1;
            }
            for (i, var) in w.vars.clone().iter().enumerate() {
                let v = values[i].clone().unwrap_or_default();
                self.hash.set_live(var, &v, true);
            }
        } else {
            self.hash.set_live("Item", "", true);
        }
        self.hash.live.cluster = self.cluster.id.to_string();
        self.hash.live.process = proc.to_string();
        self.hash.live.row = item_index.to_string();
        self.hash.live.step = step.to_string();
        let mut msgs = Messages::default();
        let built = builder::make_job_ad(&mut self.state, &self.hash, &self.params, &self.opts, &mut msgs, self.cluster.id, proc)
            .map_err(|_| SubmitError::Job { messages: msgs.errors.clone() })?;
        let mut ad = ClassAd::new();
        ad.insert_value("ProcId", classad::Value::Int(proc));
        let status = built.ad.get("JobStatus").cloned().unwrap_or_else(|| classad::Expr::literal(classad::Value::Int(1)));
        ad.insert("JobStatus", status);
        for (name, e) in built.ad.iter() {
            if ["ProcId", "JobStatus", "ClusterId", "JobSetId", "JobSetName", "JobUniverse", "Owner"]
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name))
            {
                continue;
            }
            ad.insert(name, e.clone());
        }
        ad.chain_to(Arc::clone(&self.cluster.ad));
        Ok(ProcAd { cluster: self.cluster.id, proc, ad })
    }
}
