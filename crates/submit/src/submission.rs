//! A whole submit: read a description, queue its jobs cluster by cluster.
//!
//! This is condor_submit's main loop: statements are read up to a `queue`
//! statement, the statement's items are loaded, and one job ad is built per
//! item and step; then reading continues (a later statement may change
//! variables and queue more jobs into the same cluster, or into a new
//! cluster when the executable changes). The ads go to a [`JobSink`] as they
//! are built: for each cluster its cluster ad once, then each proc's ad
//! (only the attributes that differ, chained to the cluster ad). With
//! `max_materialize` or `max_idle` the cluster is instead handed over for
//! late materialization ([`FactorySubmit`]): the cluster ad and a
//! [`Factory`] that makes proc N's ad on demand.

use std::path::PathBuf;
use std::sync::Arc;

use classad::{ClassAd, Expr, Value};

use crate::builder::{self, BuildOptions, ClusterState, Messages};
use crate::error::SubmitError;
use crate::factory::Factory;
use crate::hash::{Origin, SubmitHash};
use crate::items::{expand_globs, LiveUpdate, Walk};
use crate::params::Params;
use crate::parse::{Parser, SourceOpener, Stop};
use crate::queue::{queue_statement_args, ForeachMode, QueueArgs};
use crate::reader::LineReader;

/// When to hand a cluster over for late materialization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FactoryMode {
    /// When the description asks for it (`max_materialize`, `max_idle`).
    #[default]
    WhenRequested,
    /// Never: every job is built now (`-dry-run` and old schedds).
    Never,
    /// Always (`condor_submit -factory`).
    Always,
}

/// Reads standard input when a queue statement says `from -`.
pub type StdinReader = Box<dyn FnMut() -> std::io::Result<String>>;

/// Everything a submit depends on besides the description itself.
pub struct SubmitOptions {
    pub build: BuildOptions,
    pub params: Params,
    /// The submit file's name as given (`$(SUBMIT_FILE)`, `JobSubmitFile`);
    /// `None` for standard input or a description built in memory.
    pub submit_file: Option<String>,
    /// `name=value` arguments: set before the description is read.
    pub arg_vars: Vec<(String, String)>,
    /// `-append` lines: read again before every queue statement.
    pub append_lines: Vec<String>,
    /// `-queue ARGS`: the queue statement for a description without one.
    pub queue_override: Option<String>,
    pub factory: FactoryMode,
    /// Where `queue ... from -` reads its items.
    pub stdin: Option<StdinReader>,
    /// Report variables that were never used (default: the
    /// `WARN_ON_UNUSED_SUBMIT_FILE_MACROS` knob).
    pub warn_unused: Option<bool>,
    /// Reuse the work of the previous job of a statement where nothing it
    /// depends on changed (the same ads, much faster; off only to check that).
    pub replay: bool,
}

impl Default for SubmitOptions {
    fn default() -> Self {
        SubmitOptions {
            build: BuildOptions::default(),
            params: Params::default(),
            submit_file: None,
            arg_vars: Vec::new(),
            append_lines: Vec::new(),
            queue_override: None,
            factory: FactoryMode::default(),
            stdin: None,
            warn_unused: None,
            replay: true,
        }
    }
}

impl std::fmt::Debug for SubmitOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubmitOptions")
            .field("build", &self.build)
            .field("submit_file", &self.submit_file)
            .field("arg_vars", &self.arg_vars)
            .field("append_lines", &self.append_lines)
            .field("queue_override", &self.queue_override)
            .field("factory", &self.factory)
            .finish_non_exhaustive()
    }
}

/// A cluster's shared attributes, as the schedd stores them: `ClusterId`
/// and everything common to its procs (no `ProcId`, no `JobStatus`).
#[derive(Debug, Clone)]
pub struct ClusterAd {
    pub id: i64,
    pub ad: Arc<ClassAd>,
}

/// One proc: `ProcId`, `JobStatus` and the attributes that differ from the
/// cluster ad, chained to it (so `ad.get(..)` sees the whole job).
#[derive(Debug, Clone)]
pub struct ProcAd {
    pub cluster: i64,
    pub proc: i64,
    pub ad: ClassAd,
}

/// A cluster handed over for late materialization.
#[derive(Debug, Clone)]
pub struct FactorySubmit {
    pub cluster: ClusterAd,
    /// Makes proc N's ad; the schedd keeps it with the cluster.
    pub factory: Factory,
    /// At most this many procs exist at once (`max_materialize`).
    pub max_materialize: i64,
    /// `max_idle` (`JobMaterializeMaxIdle`), when given.
    pub max_idle: Option<i64>,
    /// Procs the cluster will have in all.
    pub total_procs: i64,
}

/// Where the ads of a submit go (the schedd, a `-dry-run` file, a test).
pub trait JobSink {
    /// A new cluster id (a real schedd allocates it; dry-run counts from 1).
    fn new_cluster(&mut self) -> Result<i64, SubmitError>;
    /// A cluster's shared ad, before its first proc.
    fn cluster_ad(&mut self, cluster: &ClusterAd) -> Result<(), SubmitError>;
    /// One proc.
    fn proc_ad(&mut self, proc: &ProcAd) -> Result<(), SubmitError>;
    /// A late-materialization cluster (instead of `cluster_ad`/`proc_ad`).
    fn factory(&mut self, factory: &FactorySubmit) -> Result<(), SubmitError>;
}

/// What was queued in one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSummary {
    pub cluster: i64,
    pub first_proc: i64,
    pub last_proc: i64,
    /// Jobs in the cluster (for a factory cluster, the jobs it will make).
    pub jobs: i64,
    pub factory: bool,
}

/// The outcome of a submit (also kept on failure, for the warnings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub clusters: Vec<ClusterSummary>,
    /// Text condor_submit prints on standard error while it works, exactly
    /// (each starts with a newline: `\nWARNING: 'x*' does not match any files`).
    pub notices: Vec<String>,
    /// Warnings printed at the end, each after `WARNING: `.
    pub warnings: Vec<String>,
    /// Unused-variable warnings, in print order, each after `WARNING: `.
    pub unused: Vec<String>,
    /// At least one queue statement queued jobs.
    pub queued_any: bool,
}

impl Report {
    /// Everything condor_submit prints on standard error after the jobs
    /// are queued (warnings), in its order.
    pub fn stderr_text(&self) -> String {
        let mut s = String::new();
        for n in &self.notices {
            s.push_str(n);
        }
        for w in &self.warnings {
            s.push_str("WARNING: ");
            s.push_str(w);
        }
        for w in &self.unused {
            s.push_str("WARNING: ");
            s.push_str(w);
            if !w.ends_with('\n') {
                s.push('\n');
            }
        }
        s
    }

    /// Total jobs queued.
    pub fn job_count(&self) -> i64 {
        self.clusters.iter().map(|c| c.jobs).sum()
    }
}

/// A refused submit: the error, and the report up to that point.
#[derive(Debug, Clone)]
pub struct SubmitFailure {
    pub error: SubmitError,
    pub report: Box<Report>,
}

impl std::fmt::Display for SubmitFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for SubmitFailure {}

/// Names whose use is never reported (condor_submit's list).
const SUPPRESS_UNUSED: &[&str] = &[
    "DAG_STATUS",
    "FAILED_COUNT",
    "JOB",
    "RETRY",
    "SubmitWarnEmptyMatches",
    "SubmitFailEmptyMatches",
    "SubmitWarnDuplicateMatches",
    "SubmitFailEmptyFields",
    "SubmitWarnEmptyFields",
];

/// Attributes only a cluster ad carries (never sent per proc).
const CLUSTER_ONLY: &[&str] = &["ClusterId", "JobSetId", "JobSetName", "JobUniverse", "Owner"];

/// One submit in progress.
pub struct Submission {
    pub(crate) hash: SubmitHash,
    reader: LineReader,
    opener: SourceOpener,
    opts: SubmitOptions,
    state: ClusterState,
    msgs: Messages,
    report: Report,
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Submission").field("source", self.reader.name()).field("opts", &self.opts).finish_non_exhaustive()
    }
}

/// Local date parts of a time (for `$(Year)` etc.).
fn date_parts(t: i64) -> (String, String, String) {
    use chrono::{Local, TimeZone};
    match Local.timestamp_opt(t, 0).single() {
        Some(d) => (d.format("%Y").to_string(), d.format("%m").to_string(), d.format("%d").to_string()),
        None => (String::new(), String::new(), String::new()),
    }
}

/// A submit hash with condor_submit's defaults table.
pub(crate) fn new_hash(opts: &BuildOptions, params: &Params, submit_file: Option<&str>) -> SubmitHash {
    let mut hash = SubmitHash::new();
    for name in ["ARCH", "OPSYS", "OPSYSANDVER", "OPSYSMAJORVER", "OPSYSVER", "SPOOL"] {
        hash.set_default(name, &params.get(name).unwrap_or_default());
    }
    hash.set_default("SUBMIT_FILE", submit_file.unwrap_or(""));
    let (y, m, d) = date_parts(opts.submit_time);
    hash.set_default("Year", &y);
    hash.set_default("Month", &m);
    hash.set_default("Day", &d);
    hash.set_default("SUBMIT_TIME", &opts.submit_time.to_string());
    hash.set_default("JobListId", "$(ClusterId)");
    let env: std::collections::HashMap<String, String> = opts.environ.iter().cloned().collect();
    let o = hash.expand_options_mut();
    *o = config::macros::ExpandOptions::with_env_map(env);
    o.cwd = Some(opts.base_dir.clone());
    // one seed per submit: $RANDOM_CHOICE() differs between submits, and
    // expansion does not read the clock for every value
    o.random_seed = Some(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
            ^ u64::from(std::process::id()) << 32,
    );
    hash
}

/// The wire shape of a proc ad: `ProcId`, `JobStatus`, then the
/// attributes that differ, without those that belong to the cluster.
fn proc_wire(mut ad: ClassAd, cluster: &Arc<ClassAd>) -> ClassAd {
    let tidy = ad.get_own("ProcId").is_some()
        && ad.get_own("JobStatus").is_some()
        && !CLUSTER_ONLY.iter().any(|c| ad.get_own(c).is_some());
    if tidy && ad.chained().is_some() {
        return ad;
    }
    let mut out = ClassAd::new();
    if let Some(p) = ad.get_own("ProcId") {
        out.insert("ProcId", p.clone());
    }
    let status = ad.get("JobStatus").cloned().unwrap_or_else(|| Expr::literal(Value::Int(1)));
    out.insert("JobStatus", status);
    for (name, e) in ad.iter() {
        if name.eq_ignore_ascii_case("ProcId") || name.eq_ignore_ascii_case("JobStatus") {
            continue;
        }
        if CLUSTER_ONLY.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            continue;
        }
        out.insert(name, e.clone());
    }
    ad.unchain();
    out.chain_to(Arc::clone(cluster));
    out
}

impl Submission {
    /// A submit of the description in `text`, read as `name` (shown in messages).
    pub fn from_text(name: &str, text: &str, mut opts: SubmitOptions) -> Submission {
        let hash = new_hash(&opts.build, &opts.params, opts.submit_file.as_deref());
        let arg_vars = std::mem::take(&mut opts.arg_vars);
        let mut s = Submission {
            hash,
            reader: LineReader::new(name, text, 1),
            opener: SourceOpener::new(opts.build.base_dir.clone()),
            opts,
            state: ClusterState::default(),
            msgs: Messages::default(),
            report: Report::default(),
        };
        for (k, v) in arg_vars {
            s.hash.insert(&k, &v, Origin::Argument);
        }
        s
    }

    /// A submit of the description in a file (relative to the base directory).
    pub fn from_file(path: &str, opts: SubmitOptions) -> Result<Submission, SubmitError> {
        let full: PathBuf = if path.starts_with('/') { PathBuf::from(path) } else { opts.build.base_dir.join(path) };
        let bytes = std::fs::read(&full).map_err(|e| SubmitError::Io {
            message: format!("Failed to open command file ({path}) ({})", crate::parse::os_error_text(&e)),
        })?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let mut opts = opts;
        if opts.submit_file.is_none() {
            opts.submit_file = Some(path.to_string());
        }
        Ok(Submission::from_text(path, &text, opts))
    }

    /// Set a variable as `name=value` on the command line does.
    pub fn set_arg_variable(&mut self, name: &str, value: &str) {
        self.hash.insert(name, value, Origin::Argument);
    }

    fn fail(&mut self, error: SubmitError) -> SubmitFailure {
        self.finish_warnings();
        SubmitFailure { error, report: Box::new(std::mem::take(&mut self.report)) }
    }

    fn job_failure(&mut self) -> SubmitFailure {
        let messages = std::mem::take(&mut self.msgs.errors);
        self.fail(SubmitError::Job { messages })
    }

    fn finish_warnings(&mut self) {
        self.report.warnings.append(&mut self.msgs.warnings);
    }

    fn parse_error(&self, message: impl Into<String>) -> SubmitError {
        SubmitError::parse(&self.reader.name().0, self.reader.line(), message)
    }

    /// Parse the `-append` lines (again, as before every queue statement).
    fn parse_append_lines(&mut self) -> Result<(), SubmitError> {
        for (i, line) in self.opts.append_lines.clone().iter().enumerate() {
            let mut r = LineReader::new("<append>", format!("{line}\n"), 2);
            let mut warnings = Vec::new();
            let stop = Parser { hash: &mut self.hash, opener: &self.opener, warnings: &mut warnings }.parse_up_to_queue(&mut r);
            self.msgs.warnings.extend(warnings.into_iter().map(|w| w.text));
            match stop {
                Ok(Stop::Eof) => {}
                Ok(Stop::Queue { .. }) | Err(_) => {
                    return Err(SubmitError::Append { index: i + 1, line: line.clone() });
                }
            }
        }
        Ok(())
    }

    /// Items of a queue statement, read from wherever they are.
    fn load_items(&mut self, qa: &mut QueueArgs) -> Result<(), SubmitError> {
        let Some(source) = qa.items_source.clone() else { return self.finish_items(qa) };
        if source == "<" {
            let start_line = self.reader.line();
            let mut closed = false;
            while let Some(line) = self.reader.next_line() {
                if line.starts_with('#') {
                    continue;
                }
                if line.starts_with(')') {
                    closed = true;
                    break;
                }
                if qa.mode == ForeachMode::From {
                    qa.items.push(line);
                } else {
                    qa.items.extend(crate::builder::split_list(&line));
                }
            }
            if !closed {
                return Err(self.parse_error(format!(
                    "Reached end of file without finding closing brace ')' for Queue command on line {start_line}"
                )));
            }
        } else if source == "-" {
            let text = match self.opts.stdin.as_mut() {
                Some(read) => read().map_err(|e| self.parse_error(format!("cannot read queue items from standard input: {e}")))?,
                None => {
                    return Err(self.parse_error("QUEUE FROM - (read from stdin) is not allowed in this context"));
                }
            };
            let mut r = LineReader::new("<stdin>", text, 3);
            while let Some(line) = r.next_line() {
                if qa.mode == ForeachMode::From {
                    qa.items.push(line);
                } else {
                    qa.items.extend(crate::builder::split_list(&line));
                }
            }
        } else {
            let text = match self.opener.read(&source, false) {
                Ok(t) => t,
                Err(msg) => return Err(self.parse_error(msg)),
            };
            let mut r = LineReader::new(&source, text, 3);
            while let Some(line) = r.next_line() {
                qa.items.push(line);
            }
        }
        self.finish_items(qa)
    }

    fn finish_items(&mut self, qa: &mut QueueArgs) -> Result<(), SubmitError> {
        if matches!(
            qa.mode,
            ForeachMode::Matching | ForeachMode::MatchingFiles | ForeachMode::MatchingDirs | ForeachMode::MatchingAny
        ) {
            let patterns = std::mem::take(&mut qa.items);
            let mut mode = qa.mode;
            if mode == ForeachMode::Matching {
                if let Some(v) = self.hash.param("SubmitMatchDirectories", Some("submit_match_directories")).ok().flatten() {
                    match v.to_ascii_lowercase().as_str() {
                        "never" | "no" | "false" => mode = ForeachMode::MatchingFiles,
                        "only" => mode = ForeachMode::MatchingDirs,
                        "yes" | "true" => {}
                        _ => return Err(self.parse_error(format!("{v} is not a valid value for SubmitMatchDirectories"))),
                    }
                }
            }
            let base = self.opts.build.base_dir.clone();
            let mut notices = Vec::new();
            let matched = expand_globs(&patterns, mode, &base, &mut notices).map_err(|m| self.parse_error(m))?;
            self.report.notices.extend(notices);
            qa.items = matched;
        }
        Ok(())
    }

    /// Read the whole description and queue its jobs into `sink`.
    pub fn run(&mut self, sink: &mut dyn JobSink) -> Result<Report, SubmitFailure> {
        self.state.init_base(&self.opts.build, &self.opts.params);
        let mut got_queue = 0usize;
        let mut cluster: Option<i64> = None;
        let mut next_proc: i64 = 0;
        let mut last_exe: (Option<String>, Option<String>) = (None, None);
        let mut want_factory = self.opts.factory == FactoryMode::Always;
        let mut max_materialize = i64::from(i32::MAX);
        let mut max_idle = None;
        let mut first_pass = true;

        loop {
            if !first_pass && self.reader.at_eof() {
                break;
            }
            first_pass = false;
            let mut warnings = Vec::new();
            let stop = Parser { hash: &mut self.hash, opener: &self.opener, warnings: &mut warnings }
                .parse_up_to_queue(&mut self.reader);
            self.msgs.warnings.extend(warnings.into_iter().map(|w| w.text));
            let qline = match stop {
                Ok(Stop::Queue { line, .. }) => Some(line),
                Ok(Stop::Eof) => None,
                Err(e) => return Err(self.fail(e)),
            };
            if qline.is_none() && got_queue > 0 {
                break;
            }
            if let Err(e) = self.parse_append_lines() {
                return Err(self.fail(e));
            }
            let exe_now = (self.hash.peek("executable").map(str::to_string), self.hash.peek("cmd").map(str::to_string));
            let new_exe = if got_queue == 0 {
                let base = self.opts.build.base_dir.to_string_lossy().into_owned();
                self.hash.insert("FACTORY.Iwd", &base, Origin::Detected);
                true
            } else {
                exe_now != last_exe
            };
            last_exe = exe_now;

            let queue_args: Option<String> = match (&qline, &self.opts.queue_override) {
                (Some(q), _) => queue_statement_args(q).map(str::to_string),
                (None, Some(o)) => Some(queue_statement_args(o).unwrap_or(o.as_str()).to_string()),
                (None, None) => None,
            };
            got_queue += 1;
            if qline.is_some() && self.opts.queue_override.is_some() {
                let e = self.parse_error("-queue argument conflicts with queue statement in submit file");
                return Err(self.fail(e));
            }

            let mut qa = match &queue_args {
                None => QueueArgs { count: 1, ..QueueArgs::default() },
                Some(args) => {
                    let expanded = match self.hash.expand(args) {
                        Ok(x) => x,
                        Err(e) => {
                            let e = self.parse_error(e.to_string());
                            return Err(self.fail(e));
                        }
                    };
                    match QueueArgs::parse(&expanded, &|s: &str| crate::eval::long_param(s)) {
                        Ok(q) => q,
                        Err(e) => {
                            let e = self.parse_error(e.to_string());
                            return Err(self.fail(e));
                        }
                    }
                }
            };
            if let Err(e) = self.load_items(&mut qa) {
                return Err(self.fail(e));
            }
            let mut walk = Walk::new(qa);

            if got_queue == 1 && self.opts.factory != FactoryMode::Never {
                match self.want_factory() {
                    Ok(Some((mm, mi))) => {
                        want_factory = true;
                        max_materialize = mm;
                        max_idle = mi;
                    }
                    Ok(None) => {}
                    Err(e) => return Err(self.fail(e)),
                }
            }
            if want_factory && got_queue > 1 {
                let e = self.parse_error("Extra data found after queue statement");
                return Err(self.fail(e));
            }

            if walk.selected_item_count() == 0 || walk.args.count < 0 {
                continue;
            }

            let mut new_cluster = false;
            if new_exe || cluster.is_none() {
                match sink.new_cluster() {
                    Ok(id) => {
                        cluster = Some(id);
                        next_proc = 0;
                        new_cluster = true;
                    }
                    Err(e) => return Err(self.fail(e)),
                }
            }
            let cid = cluster.unwrap_or(1);
            self.hash.live.cluster = cid.to_string();
            // condor_submit registers the queue variables (empty) before
            // the first job of every statement, so a job may refer to one
            // that its row does not set
            if !want_factory || !new_cluster {
                if walk.vars.is_empty() {
                    self.hash.set_live("Item", "", true);
                } else {
                    for v in walk.vars.clone() {
                        self.hash.set_live(&v, "", false);
                    }
                }
            }

            let mut analysed: Vec<(String, String)> =
                self.hash.entries().iter().map(|e| (e.name.clone(), e.raw.clone())).collect();
            analysed.extend(self.hash.defaults().map(|(k, v)| (k.to_string(), v.to_string())));
            self.state.begin_statement(&analysed, &walk.vars);
            self.state.templates.enabled &= self.opts.replay;
            let varying = &self.state.templates.varying;
            self.hash.mark_varying(&|n| varying.contains(n));

            if want_factory {
                self.factory_cluster(sink, cid, &mut walk, max_materialize, max_idle)?
            } else {
                self.queue_walk(sink, cid, &mut next_proc, &mut walk)?;
            }
            for v in walk.vars.clone() {
                self.hash.set_live(&v, "<Queue_item>", false);
            }
        }

        if got_queue > 1 {
            self.report.notices.push(
                "\nWarning: Use of multiple queue statements in a single submit file is deprecated.\
                 \n         This functionality will be removed in the 25.x feature series. To see\
                 \n         how multiple queue statements can be converted into one visit:\
                 \nhttps://htcondor.readthedocs.io/en/latest/auto-redirect.html?category=example&tag=convert-multi-queue-statements\n"
                    .to_string(),
            );
        }
        self.finish_warnings();
        let warn_unused = self.opts.warn_unused.unwrap_or_else(|| self.opts.params.boolean("WARN_ON_UNUSED_SUBMIT_FILE_MACROS", true));
        if warn_unused && self.report.queued_any {
            self.report.unused = self.unused_warnings();
        }
        Ok(std::mem::take(&mut self.report))
    }

    /// `max_materialize` / `max_idle`: late materialization requested.
    fn want_factory(&mut self) -> Result<Option<(i64, Option<i64>)>, SubmitError> {
        let get = |h: &SubmitHash, k: &str, a: &str| -> Result<Option<i64>, SubmitError> {
            match h.param(k, Some(a)) {
                Ok(None) => Ok(None),
                Ok(Some(v)) => match crate::eval::long_param(&v) {
                    Some(n) if (i64::from(i32::MIN)..i64::from(i32::MAX)).contains(&n) => Ok(Some(n)),
                    _ => Err(SubmitError::Job { messages: vec![format!("{k}={v} is invalid, must eval to an integer.\n")] }),
                },
                Err(e) => Err(SubmitError::Job { messages: vec![format!("Failed to expand macros in: {}\n", e.name)] }),
            }
        };
        if let Some(mm) = get(&self.hash, "max_materialize", "JobMaterializeLimit")? {
            let mi = get(&self.hash, "max_idle", "JobMaterializeMaxIdle")?;
            return Ok(Some((mm, mi)));
        }
        let mut mi = get(&self.hash, "max_idle", "JobMaterializeMaxIdle")?;
        if mi.is_none() {
            mi = get(&self.hash, "materialize_max_idle", "JobMaterializeMaxIdle")?;
        }
        Ok(mi.map(|m| (i64::from(i32::MAX), Some(m))))
    }

    fn apply_live(&mut self, update: LiveUpdate, walk: &Walk) {
        match update {
            LiveUpdate::None => {}
            LiveUpdate::EmptyItem => self.hash.set_live("Item", "", true),
            LiveUpdate::Row => {
                for (k, v) in walk.vars.iter().zip(walk.values()) {
                    self.hash.set_live(k, v, false);
                }
            }
        }
    }

    /// Build and send every job of one queue statement.
    fn queue_walk(&mut self, sink: &mut dyn JobSink, cid: i64, next_proc: &mut i64, walk: &mut Walk) -> Result<(), SubmitFailure> {
        use std::fmt::Write as _;
        while let Some((pos, update)) = walk.next_job() {
            self.apply_live(update, walk);
            let proc = *next_proc;
            let live = &mut self.hash.live;
            live.process.clear();
            let _ = write!(live.process, "{proc}");
            live.row.clear();
            let _ = write!(live.row, "{}", pos.item_index);
            live.step.clear();
            let _ = write!(live.step, "{}", pos.step);
            self.hash.live.node = if self.state.universe == builder::universe::PARALLEL { "#pArAlLeLnOdE#".into() } else { String::new() };
            let built = builder::make_job_ad(
                &mut self.state,
                &self.hash,
                &self.opts.params,
                &self.opts.build,
                &mut self.msgs,
                cid,
                proc,
            );
            let built = match built {
                Ok(b) => b,
                Err(_) => return Err(self.job_failure()),
            };
            self.report.queued_any = true;
            let result = if built.ad.chained().is_none() {
                let p = builder::fold_into_cluster(&mut self.state, cid, built.ad);
                let cluster_ad = Arc::clone(self.state.cluster.as_ref().expect("fold sets the cluster ad"));
                let r = sink.cluster_ad(&ClusterAd { id: cid, ad: Arc::clone(&cluster_ad) });
                r.and_then(|()| sink.proc_ad(&ProcAd { cluster: cid, proc, ad: proc_wire(p, &cluster_ad) }))
            } else {
                let cluster_ad = Arc::clone(self.state.cluster.as_ref().expect("chained ads have a cluster"));
                sink.proc_ad(&ProcAd { cluster: cid, proc, ad: proc_wire(built.ad, &cluster_ad) })
            };
            if let Err(e) = result {
                return Err(self.fail(e));
            }
            match self.report.clusters.last_mut() {
                Some(c) if c.cluster == cid && !c.factory => {
                    c.last_proc = proc;
                    c.jobs += 1;
                }
                _ => self.report.clusters.push(ClusterSummary {
                    cluster: cid,
                    first_proc: proc,
                    last_proc: proc,
                    jobs: 1,
                    factory: false,
                }),
            }
            *next_proc += 1;
        }
        Ok(())
    }

    /// Hand a cluster over for late materialization.
    fn factory_cluster(
        &mut self,
        sink: &mut dyn JobSink,
        cid: i64,
        walk: &mut Walk,
        max_materialize: i64,
        max_idle: Option<i64>,
    ) -> Result<(), SubmitFailure> {
        let total = walk.selected_job_count();
        let factory = Factory::capture(&self.hash, walk, &self.opts.build, self.opts.submit_file.as_deref());
        // the cluster ad is the first job's ad (first row, ignoring the slice)
        let mut raw = walk.clone();
        raw.args.slice = Default::default();
        if let Some((pos, update)) = raw.next_job() {
            self.apply_live(update, &raw);
            self.hash.live.row = pos.item_index.to_string();
            self.hash.live.step = pos.step.to_string();
        }
        self.hash.live.process = "0".into();
        let built = match builder::make_job_ad(&mut self.state, &self.hash, &self.opts.params, &self.opts.build, &mut self.msgs, cid, 0) {
            Ok(b) => b,
            Err(_) => return Err(self.job_failure()),
        };
        let _ = builder::fold_into_cluster(&mut self.state, cid, built.ad);
        let cluster_ad = Arc::clone(self.state.cluster.as_ref().expect("fold sets the cluster ad"));
        let mm = if max_materialize <= 0 { i64::from(i32::MAX) } else { max_materialize };
        let mm = mm.min(total).max(1);
        if total > 0 {
            self.report.queued_any = true;
        }
        let f = FactorySubmit { cluster: ClusterAd { id: cid, ad: cluster_ad }, factory, max_materialize: mm, max_idle, total_procs: total };
        if let Err(e) = sink.factory(&f) {
            return Err(self.fail(e));
        }
        self.report.clusters.push(ClusterSummary {
            cluster: cid,
            first_proc: 0,
            last_proc: total - 1,
            jobs: total,
            factory: true,
        });
        Ok(())
    }

    /// "the line 'x = y' was unused" warnings, in condor_submit's order.
    fn unused_warnings(&self) -> Vec<String> {
        let mut list: Vec<(&str, &str, bool)> = self
            .hash
            .unused()
            .into_iter()
            .filter(|(n, _, _)| !SUPPRESS_UNUSED.iter().any(|s| s.eq_ignore_ascii_case(n)))
            .collect();
        list.sort_by(|a, b| crate::hash::cmp_nocase(a.0, b.0));
        list.reverse();
        list.into_iter()
            .map(|(name, raw, live)| {
                if live {
                    format!("the Queue variable '{name}' was unused by condor_submit. Is it a typo?\n")
                } else {
                    format!("the line '{name} = {raw}' was unused by condor_submit. Is it a typo?\n")
                }
            })
            .collect()
    }
}

/// A sink that keeps everything in memory.
#[derive(Debug, Default)]
pub struct CollectSink {
    next_cluster: i64,
    pub clusters: Vec<ClusterAd>,
    pub procs: Vec<ProcAd>,
    pub factories: Vec<FactorySubmit>,
}

impl CollectSink {
    /// Cluster ids start at `first`.
    pub fn starting_at(first: i64) -> CollectSink {
        CollectSink { next_cluster: first, ..CollectSink::default() }
    }
}

impl JobSink for CollectSink {
    fn new_cluster(&mut self) -> Result<i64, SubmitError> {
        if self.next_cluster == 0 {
            self.next_cluster = 1;
        }
        let id = self.next_cluster;
        self.next_cluster += 1;
        Ok(id)
    }
    fn cluster_ad(&mut self, cluster: &ClusterAd) -> Result<(), SubmitError> {
        self.clusters.push(cluster.clone());
        Ok(())
    }
    fn proc_ad(&mut self, proc: &ProcAd) -> Result<(), SubmitError> {
        self.procs.push(proc.clone());
        Ok(())
    }
    fn factory(&mut self, factory: &FactorySubmit) -> Result<(), SubmitError> {
        self.factories.push(factory.clone());
        Ok(())
    }
}
