//! Turning the submit variables into one job ad (HTCondor's `make_job_ad`).
//!
//! A job ad is built by a fixed sequence of steps, each reading some submit
//! commands and setting some attributes — the same steps, in the same order,
//! as condor_submit, because later steps read what earlier ones set
//! (`Requirements` is assembled from `RequestMemory`, `ShouldTransferFiles`,
//! …). The steps live in the files of this module:
//!
//! - [`exe`]: universe, initial directory, executable, arguments, environment;
//! - [`io`]: standard input/output/error, file transfer, executable and
//!   sandbox sizes;
//! - [`policy`]: hold, notification, rank, periodic and exit policies,
//!   retries, kill signals, deferral, the attributes submit always adds;
//! - [`resources`]: `request_*`, `Requirements`, concurrency limits,
//!   accounting groups, OAuth services;
//! - [`simple`]: the commands copied into the ad with little or no
//!   processing, and `+Attr`/`MY.Attr`.
//!
//! The first job of a cluster starts from the base ad (the attributes every
//! job gets: `QDate`, the counters, `Owner = undefined`, …) and, once built,
//! becomes the cluster ad. Every later job is built against the cluster ad
//! through a chained ad: an attribute whose value equals the cluster's is
//! not stored in the job, so a job ad holds exactly what differs — what the
//! schedd stores per proc and what `-dry-run` prints.

mod exe;
mod io;
mod policy;
mod replay;
mod resources;
mod simple;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use classad::{ClassAd, Expr, Value};

use crate::hash::SubmitHash;
use crate::params::Params;

/// Universe numbers (HTCondor's `CONDOR_UNIVERSE_*`).
pub mod universe {
    pub const STANDARD: i64 = 1;
    pub const VANILLA: i64 = 5;
    pub const SCHEDULER: i64 = 7;
    pub const MPI: i64 = 8;
    pub const GRID: i64 = 9;
    pub const JAVA: i64 = 10;
    pub const PARALLEL: i64 = 11;
    pub const LOCAL: i64 = 12;
    pub const VM: i64 = 13;
    /// One past the last universe number.
    pub const MAX: i64 = 14;
}

/// Job status codes (`JobStatus`).
pub mod status {
    pub const IDLE: i64 = 1;
    pub const HELD: i64 = 5;
}

/// Everything about the submitting process that job ads depend on and that
/// does not come from the submit description.
#[derive(Clone)]
pub struct BuildOptions {
    /// The submitter's working directory: relative paths (initialdir,
    /// executable, log, …) are taken from here.
    pub base_dir: PathBuf,
    /// The submitter's environment (for `getenv` and `$ENV()`).
    pub environ: Arc<Vec<(String, String)>>,
    /// The submitting user (default for `accounting_group_user`).
    pub user: String,
    /// `QDate` and `EnteredCurrentStatus`, seconds since the epoch.
    pub submit_time: i64,
    /// `-spool`/`-remote`: the job's files are sent to the schedd, so the
    /// job starts held (`Spooling input data files`) and stays in the queue
    /// after it completes until its output is fetched.
    pub spool: bool,
    /// `-interactive`.
    pub interactive: bool,
    /// `-dry-run`: the log file is not created and no file is opened for writing.
    pub dry_run: bool,
    /// Check that the executable exists, is not empty and is not a CRLF
    /// script (condor_submit does; the Python `Submit.jobs()` does not).
    pub check_executable: bool,
    /// `JobSubmitMethod` (0 for condor_submit, 2 for the Python bindings).
    pub submit_method: Option<i64>,
    /// `CondorVersion` of the ads.
    pub condor_version: String,
    /// `CondorPlatform` of the ads.
    pub condor_platform: String,
}

impl std::fmt::Debug for BuildOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildOptions")
            .field("base_dir", &self.base_dir)
            .field("user", &self.user)
            .field("submit_time", &self.submit_time)
            .field("spool", &self.spool)
            .field("dry_run", &self.dry_run)
            .finish_non_exhaustive()
    }
}

/// The HTCondor version whose behaviour this crate reproduces.
pub const CONDOR_VERSION: &str = "25.0.14";

impl Default for BuildOptions {
    fn default() -> Self {
        let arch = crate::params::native_arch();
        BuildOptions {
            base_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            environ: Arc::new(std::env::vars().collect()),
            user: std::env::var("USER").unwrap_or_else(|_| "nobody".to_string()),
            submit_time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
            spool: false,
            interactive: false,
            dry_run: false,
            check_executable: true,
            submit_method: Some(0),
            condor_version: format!("$CondorVersion: {CONDOR_VERSION} Aerie $"),
            condor_platform: format!("$CondorPlatform: {arch}-{} $", std::env::consts::OS),
        }
    }
}

/// Warnings and errors produced while building ads, in HTCondor's words.
///
/// A warning's text is printed after `WARNING: ` exactly as stored (most
/// end in a newline; the few HTCondor messages that do not are kept that
/// way, since condor_submit prints them run together).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Messages {
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

/// A step refused the job; the reason is in [`Messages::errors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Abort;

pub(crate) type Step = Result<(), Abort>;

/// What job building remembers between the jobs of a submission
/// (HTCondor keeps this in its `SubmitHash`).
#[derive(Debug, Default)]
pub(crate) struct ClusterState {
    pub universe: i64,
    pub is_docker: bool,
    pub is_container: bool,
    pub grid_type: String,
    pub iwd: String,
    pub iwd_initialized: bool,
    /// Attributes every job starts with.
    pub base: ClassAd,
    /// The cluster ad of the current cluster, once its first job is built.
    pub cluster: Option<Arc<ClassAd>>,
    /// The cluster whose ad `cluster` is.
    pub cluster_id: Option<i64>,
    /// Materializing against a stored cluster ad (late materialization):
    /// commands the digest does not have come from that ad.
    pub foreign_cluster: bool,
    pub warned_requirements_disk: bool,
    pub warned_requirements_mem: bool,
    pub warned_lease_too_small: bool,
    pub warned_notification_never: bool,
    pub string_request_resources: BTreeSet<String>,
    pub has_require_res_attr: bool,
    /// Parsed expressions by text (many jobs share most expressions).
    pub expr_cache: HashMap<String, Expr>,
    /// Sizes in KiB of files already measured, by absolute path.
    pub size_cache: HashMap<String, i64>,
    /// What the steps of the previous job of the statement did.
    pub templates: replay::Templates,
    /// The `+Attr`/`MY.Attr` variables of the statement, sorted (they do
    /// not change while its jobs are built).
    pub forced_names: Option<Vec<String>>,
}

impl ClusterState {
    /// Start a submission: the base ad every job is built from.
    pub fn init_base(&mut self, opts: &BuildOptions, params: &Params) {
        let mut base = ClassAd::new();
        base.insert_value("MyType", Value::string("Job"));
        base.insert_value("TargetType", Value::string("Machine"));
        base.insert_value("QDate", Value::Int(opts.submit_time));
        if let Some(m) = opts.submit_method {
            base.insert_value("JobSubmitMethod", Value::Int(m));
        }
        if opts.spool || opts.user.is_empty() || !params.boolean("SUBMIT_SHOULD_SET_LOCAL_OWNER", false) {
            base.insert_value("Owner", Value::Undefined);
        } else {
            base.insert_value("Owner", Value::string(&opts.user));
        }
        for name in ["RemoteWallClockTime", "RemoteUserCpu", "RemoteSysCpu", "CumulativeRemoteUserCpu", "CumulativeRemoteSysCpu"] {
            base.insert_value(name, Value::Real(0.0));
        }
        for name in [
            "ExitStatus",
            "NumCkpts",
            "NumJobStarts",
            "NumJobCompletions",
            "NumRestarts",
            "NumSystemHolds",
            "CommittedTime",
            "CommittedSlotTime",
            "CumulativeSlotTime",
            "TotalSuspensions",
            "LastSuspensionTime",
            "CumulativeSuspensionTime",
            "CommittedSuspensionTime",
        ] {
            base.insert_value(name, Value::Int(0));
        }
        base.insert_value("ExitBySignal", Value::Bool(false));
        simple::insert_submit_attrs(&mut base, params);
        base.insert_value("CondorVersion", Value::string(&opts.condor_version));
        base.insert_value("CondorPlatform", Value::string(&opts.condor_platform));
        self.base = base;
        self.cluster = None;
        self.cluster_id = None;
        self.universe = 0;
        self.templates.clear();
    }

    /// The warn-once flags, to notice a step that set one.
    fn warn_flags(&self) -> [bool; 4] {
        [
            self.warned_requirements_disk,
            self.warned_requirements_mem,
            self.warned_lease_too_small,
            self.warned_notification_never,
        ]
    }

    /// A new queue statement begins: the jobs of the previous one are no
    /// pattern for its jobs. `entries` are the submit variables (name, raw
    /// value), `queue_vars` the statement's loop variables.
    pub fn begin_statement(&mut self, entries: &[(String, String)], queue_vars: &[String]) {
        self.templates.clear();
        self.forced_names = None;
        let varying = replay::varying_names(entries, queue_vars);
        self.templates.enabled = !varying.contains("skip_filechecks");
        self.templates.varying = varying;
    }
}

/// The result of building one job.
#[derive(Debug, Clone)]
pub(crate) struct BuiltJob {
    /// For the first job of a cluster: the whole ad (to be folded into the
    /// cluster ad). Otherwise the attributes that differ from the cluster
    /// ad, chained to it.
    pub ad: ClassAd,
}

/// One job being built.
pub(crate) struct Job<'a> {
    pub st: &'a mut ClusterState,
    pub hash: &'a SubmitHash,
    pub params: &'a Params,
    pub opts: &'a BuildOptions,
    pub msgs: &'a mut Messages,
    pub ad: ClassAd,
    pub cluster: i64,
    pub proc: i64,
    /// `SUBMIT_SKIP_FILECHECKS` (the default) or `-spool`: input and output
    /// files are not opened to check them.
    pub disable_file_checks: bool,
    /// The `skip_filechecks` command: no file checks at all for this job.
    pub job_disable_file_checks: bool,
    pub file_checks_are_warnings: bool,
    /// The step being run records what it does (see [`replay`]).
    rec: Option<replay::Recording>,
    /// Attributes (lowercase) set differently than for the previous job.
    dirty: Vec<Box<str>>,
    /// [`replay::name_bit`] of every `dirty` attribute.
    dirty_mask: u64,
    /// Steps may be replayed from the previous job of the statement.
    replay: bool,
}

/// Build the ad of job `cluster.proc` from the submit variables.
///
/// `item_index` and `step` are the live `$(Row)`/`$(Step)` values, already
/// stored in `hash` by the caller together with the queue variables.
pub(crate) fn make_job_ad(
    st: &mut ClusterState,
    hash: &SubmitHash,
    params: &Params,
    opts: &BuildOptions,
    msgs: &mut Messages,
    cluster: i64,
    proc: i64,
) -> Result<BuiltJob, Abort> {
    // the universe is decided once per cluster
    if st.universe <= 0 || proc <= 0 {
        let mut uni = Job {
            st: &mut *st,
            hash,
            params,
            opts,
            msgs: &mut *msgs,
            ad: ClassAd::new(),
            cluster,
            proc,
            disable_file_checks: true,
            job_disable_file_checks: true,
            file_checks_are_warnings: false,
            rec: None,
            dirty: Vec::new(),
            dirty_mask: 0,
            replay: false,
        };
        exe::set_universe(&mut uni)?;
        let uad = std::mem::take(&mut uni.ad);
        st.base.update(&uad);
        if st.foreign_cluster {
            if let Some(c) = st.cluster.as_mut() {
                if c.get_own("JobUniverse").and_then(Expr::as_literal) != Some(&Value::Int(st.universe)) {
                    Arc::make_mut(c).update(&uad);
                }
            }
        }
    }

    let chained = st.foreign_cluster || (proc > 0 && st.cluster.is_some() && st.cluster_id == Some(cluster));
    let ad = if chained {
        let mut ad = ClassAd::new();
        if let Some(c) = &st.cluster {
            ad.chain_to(Arc::clone(c));
        }
        ad
    } else {
        st.base.clone()
    };
    let disable_file_checks = params.boolean("SUBMIT_SKIP_FILECHECKS", true) || opts.spool;
    let replay = chained && !st.foreign_cluster && st.templates.enabled;
    if !replay {
        st.templates.steps.clear();
    }
    let mut job = Job {
        st,
        hash,
        params,
        opts,
        msgs,
        ad,
        cluster,
        proc,
        disable_file_checks,
        job_disable_file_checks: false,
        file_checks_are_warnings: false,
        rec: None,
        dirty: Vec::new(),
        dirty_mask: 0,
        replay,
    };
    job.run_steps()?;
    let mut ad = job.ad;
    if ad.chained().is_some() && ad.get_own("JobStatus").is_none() {
        if let Some(s) = ad.get("JobStatus").cloned() {
            ad.insert("JobStatus", s);
        }
    }
    Ok(BuiltJob { ad })
}

/// Turn the first job's full ad into the cluster ad; the job keeps only
/// `ProcId` and `JobStatus` and is chained to it. The cluster ad also
/// becomes the base of the next cluster's first job (as in condor_submit).
pub(crate) fn fold_into_cluster(st: &mut ClusterState, cluster: i64, mut job: ClassAd) -> ClassAd {
    let proc = job.get_own("ProcId").cloned().unwrap_or_else(|| Expr::literal(Value::Int(0)));
    let status = job.get_own("JobStatus").cloned();
    job.remove("ProcId");
    job.remove("JobStatus");
    job.insert_value("ClusterId", Value::Int(cluster));
    st.base = job.clone();
    let cluster_ad = Arc::new(job);
    let mut proc_ad = ClassAd::new();
    proc_ad.insert("ProcId", proc);
    if let Some(s) = status {
        proc_ad.insert("JobStatus", s);
    }
    proc_ad.chain_to(Arc::clone(&cluster_ad));
    st.cluster = Some(cluster_ad);
    st.cluster_id = Some(cluster);
    proc_ad
}

impl Job<'_> {
    fn run_steps(&mut self) -> Step {
        // skip_filechecks is a command, read before any file is checked
        self.file_checks_are_warnings = false;
        if let Some(v) = self.param("skip_filechecks", None)? {
            if v.eq_ignore_ascii_case("warn") {
                self.file_checks_are_warnings = true;
            } else {
                match crate::eval::bool_param(&v) {
                    Some(b) => self.job_disable_file_checks = b,
                    None => {
                        return self.error(format!("SUBMIT_CMD_skip_filechecks={v} is invalid, must be 'warn' or a boolean\n"))
                    }
                }
            }
        }
        const STEPS: &[fn(&mut Job) -> Step] = &[
            exe::set_iwd,
            exe::set_executable,
            exe::set_arguments,
            exe::set_grid_params,
            exe::set_vm_params,
            exe::set_java_vm_args,
            exe::set_parallel_params,
            exe::set_environment,
            policy::set_job_status,
            exe::set_tdp,
            io::set_stdin,
            io::set_stdout,
            io::set_stderr,
            policy::set_gsi_credentials,
            policy::set_notification,
            policy::set_rank,
            policy::set_periodic_expressions,
            policy::set_leave_in_queue,
            policy::set_job_retries,
            policy::set_kill_sig,
            policy::set_container_special,
            resources::set_request_resources,
            resources::set_concurrency_limits,
            resources::set_accounting_group,
            resources::set_oauth,
            simple::set_simple_job_exprs,
            policy::set_job_deferral,
            io::set_image_size,
            io::set_transfer_files,
            policy::set_auto_attributes,
            policy::report_common_mistakes,
            simple::set_forced_submit_attrs,
            simple::set_forced_attributes,
            simple::process_jobset_attributes,
            resources::set_resource_requirements,
            resources::set_requirements,
        ];
        for (i, step) in STEPS.iter().enumerate() {
            self.run_step(i, *step)?;
            if i == 32 {
                // after +Attr / MY.Attr: the job's id
                if self.proc < 0 {
                    self.set_int("ClusterId", self.cluster);
                } else {
                    self.set_int("ProcId", self.proc);
                }
            }
        }
        Ok(())
    }

    /// Run step `index`, or replay what it did for the previous job when
    /// nothing it depends on changed.
    fn run_step(&mut self, index: usize, step: fn(&mut Job) -> Step) -> Step {
        if !self.replay {
            return step(self);
        }
        {
            let Job { st, ad, msgs, dirty, dirty_mask, .. } = &mut *self;
            if let Some(Some(rec)) = st.templates.steps.get(index) {
                let hit = |r: &str| {
                    if r == "request*" {
                        dirty.iter().any(|d| d.starts_with("request"))
                    } else {
                        dirty.iter().any(|d| &**d == r)
                    }
                };
                let clean = rec.read_mask & *dirty_mask == 0 || !rec.reads.iter().any(|r| hit(r));
                if rec.replayable && !rec.touches_varying && clean {
                    for w in &rec.writes {
                        match &w.expr {
                            Some(e) => ad.insert(&w.attr, e.clone()),
                            None => {
                                // only an attribute a changed step set can be there to remove
                                if (!w.noop || w.bit & *dirty_mask != 0) && ad.get_own(&w.attr).is_some() {
                                    ad.remove(&w.attr);
                                }
                            }
                        }
                    }
                    msgs.warnings.extend(rec.warnings.iter().cloned());
                    return Ok(());
                }
            }
        }
        let flags = self.st.warn_flags();
        self.rec = Some(replay::Recording { replayable: true, ..Default::default() });
        let r = step(self);
        let mut rec = self.rec.take().unwrap_or_default();
        r?;
        rec.replayable = flags == self.st.warn_flags();
        if self.st.templates.steps.len() <= index {
            self.st.templates.steps.resize(index + 1, None);
        }
        // what this step set differently than last time
        let old = self.st.templates.steps[index].take();
        let last = |w: &[replay::Write], a: &str| -> Option<Option<Expr>> {
            w.iter().rev().find(|x| x.attr.eq_ignore_ascii_case(a)).map(|x| x.expr.clone())
        };
        let old_writes = old.map(|o| o.writes).unwrap_or_default();
        for w in rec.writes.iter().chain(old_writes.iter()) {
            let attr = &w.attr;
            if last(&rec.writes, attr) != last(&old_writes, attr) {
                let a: Box<str> = attr.to_ascii_lowercase().into();
                if !self.dirty.contains(&a) {
                    self.dirty_mask |= replay::name_bit(&a);
                    self.dirty.push(a);
                }
            }
        }
        self.st.templates.steps[index] = Some(rec);
        Ok(())
    }

    fn note_read(&mut self, attr: &str) {
        if let Some(rec) = self.rec.as_mut() {
            let lower: Box<str> = attr.to_ascii_lowercase().into();
            rec.read_mask |= replay::name_bit(&lower);
            rec.reads.push(lower);
        }
    }

    /// A submit variable is read outside [`Job::param`].
    pub fn note_param(&mut self, name: &str) {
        if self.rec.is_some() && (self.hash.is_varying(name) || self.hash.touched()) {
            if let Some(rec) = self.rec.as_mut() {
                rec.touches_varying = true;
            }
        }
    }

    /// Every attribute whose name starts with `Request` is read.
    pub fn note_request_reads(&mut self) {
        if let Some(rec) = self.rec.as_mut() {
            rec.read_mask |= replay::name_bit("request*");
            rec.reads.push("request*".into());
        }
    }

    // ---- messages ---------------------------------------------------------

    /// Refuse the job with HTCondor's message.
    pub fn error(&mut self, message: impl Into<String>) -> Step {
        self.msgs.errors.push(message.into());
        Err(Abort)
    }

    pub fn warning(&mut self, message: impl Into<String>) {
        let m = message.into();
        if let Some(rec) = self.rec.as_mut() {
            rec.warnings.push(m.clone());
        }
        self.msgs.warnings.push(m);
    }

    // ---- submit variables -------------------------------------------------

    /// `submit_param`: the expanded value of `name` (or `alt`), `None` when
    /// absent or empty. A value whose macros cannot be expanded refuses the job.
    pub fn param(&mut self, name: &str, alt: Option<&str>) -> Result<Option<String>, Abort> {
        if self.rec.is_some() {
            self.hash.reset_touched();
        }
        match self.hash.param(name, alt) {
            Ok(v) => {
                if self.hash.touched() {
                    if let Some(rec) = self.rec.as_mut() {
                        rec.touches_varying = true;
                    }
                }
                Ok(v)
            }
            Err(e) => {
                self.msgs.errors.push(format!("Failed to expand macros in: {}\n", e.name));
                self.msgs.errors.push(format!("{}\n", e.source));
                Err(Abort)
            }
        }
    }

    /// `submit_param_bool`: `(value, was_given)`.
    pub fn param_bool(&mut self, name: &str, alt: Option<&str>, default: bool) -> Result<(bool, bool), Abort> {
        let Some(v) = self.param(name, alt)? else { return Ok((default, false)) };
        match crate::eval::bool_param(&v) {
            Some(b) => Ok((b, true)),
            None => {
                self.msgs.errors.push(format!("{name}={v} is invalid, must eval to a boolean.\n"));
                Err(Abort)
            }
        }
    }

    /// `submit_param_long_exists`: `Some(value)` when given.
    pub fn param_long(&mut self, name: &str, alt: Option<&str>, int_range: bool) -> Result<Option<i64>, Abort> {
        let Some(v) = self.param(name, alt)? else { return Ok(None) };
        match crate::eval::long_param(&v) {
            Some(n) if !int_range || (i64::from(i32::MIN)..i64::from(i32::MAX)).contains(&n) => Ok(Some(n)),
            _ => {
                self.msgs.errors.push(format!("{name}={v} is invalid, must eval to an integer.\n"));
                Err(Abort)
            }
        }
    }

    // ---- the ad being built -----------------------------------------------

    pub fn lookup(&mut self, attr: &str) -> Option<&Expr> {
        self.note_read(attr);
        self.ad.get(attr)
    }

    pub fn job_disable_file_checks(&self) -> bool {
        self.job_disable_file_checks
    }

    pub fn has(&mut self, attr: &str) -> bool {
        self.note_read(attr);
        self.ad.get(attr).is_some()
    }

    /// The value of `attr` (evaluated in the job's ad).
    pub fn eval_attr(&mut self, attr: &str) -> Value {
        self.note_read(attr);
        self.ad.eval_attr(attr)
    }

    fn eval(&mut self, attr: &str) -> Option<Value> {
        self.note_read(attr);
        let e = self.ad.get(attr)?;
        Some(match e.as_literal() {
            Some(v) => v.clone(),
            None => self.ad.eval_attr(attr),
        })
    }

    pub fn lookup_bool(&mut self, attr: &str) -> Option<bool> {
        match self.eval(attr)? {
            Value::Bool(b) => Some(b),
            Value::Int(i) => Some(i != 0),
            Value::Real(r) => Some(r != 0.0),
            _ => None,
        }
    }

    pub fn lookup_string(&mut self, attr: &str) -> Option<String> {
        match self.eval(attr)? {
            Value::String(s) => Some(s.to_string()),
            _ => None,
        }
    }

    pub fn lookup_int(&mut self, attr: &str) -> Option<i64> {
        match self.eval(attr)? {
            Value::Int(i) => Some(i),
            Value::Real(r) => Some(r as i64),
            Value::Bool(b) => Some(i64::from(b)),
            _ => None,
        }
    }

    /// Set `attr`; when the cluster ad already has the same value the job
    /// keeps none of its own (so the cluster's shows through).
    pub fn set(&mut self, attr: &str, expr: Expr) {
        if let Some(parent) = self.ad.chained() {
            if parent.get_own(attr) == Some(&expr) {
                let own = self.ad.get_own(attr).is_some();
                if own {
                    self.ad.remove(attr);
                }
                self.record_write(attr, None, !own);
                return;
            }
        }
        self.record_write(attr, Some(expr.clone()), false);
        self.ad.insert(attr, expr);
    }

    fn record_write(&mut self, attr: &str, expr: Option<Expr>, noop: bool) {
        if let Some(rec) = self.rec.as_mut() {
            let bit = replay::name_bit(attr);
            rec.writes.push(replay::Write { attr: Arc::from(attr), expr, bit, noop });
        }
    }

    pub fn set_value(&mut self, attr: &str, v: Value) {
        if let Some(parent) = self.ad.chained() {
            if parent.get_own(attr).and_then(Expr::as_literal) == Some(&v) {
                let own = self.ad.get_own(attr).is_some();
                if own {
                    self.ad.remove(attr);
                }
                self.record_write(attr, None, !own);
                return;
            }
        }
        self.set(attr, Expr::literal(v));
    }

    pub fn set_int(&mut self, attr: &str, v: i64) {
        self.set_value(attr, Value::Int(v));
    }

    pub fn set_bool(&mut self, attr: &str, v: bool) {
        self.set_value(attr, Value::Bool(v));
    }

    pub fn set_real(&mut self, attr: &str, v: f64) {
        self.set_value(attr, Value::Real(v));
    }

    pub fn set_str(&mut self, attr: &str, v: &str) {
        self.set_value(attr, Value::string(v));
    }

    /// Parse `text` as a ClassAd expression (old syntax, as submit does).
    pub fn parse_expr(&mut self, text: &str) -> Option<Expr> {
        if let Some(e) = literal_fast(text) {
            return Some(e);
        }
        if let Some(e) = self.st.expr_cache.get(text) {
            return Some(e.clone());
        }
        let e = Expr::parse_old(text).ok()?;
        if self.st.expr_cache.len() > 8192 {
            self.st.expr_cache.clear();
        }
        self.st.expr_cache.insert(text.to_string(), e.clone());
        Some(e)
    }

    /// `AssignJobExpr`: set `attr` to the expression `text`.
    pub fn set_expr(&mut self, attr: &str, text: &str) -> Step {
        match self.parse_expr(text) {
            Some(e) => {
                self.set(attr, e);
                Ok(())
            }
            None => self.error(format!("Parse error in expression: \n\t{attr} = {text}\n\t")),
        }
    }

    // ---- paths --------------------------------------------------------------

    /// HTCondor's `full_path`: `name` made absolute against the job's
    /// initial directory (or, with `use_iwd == false`, the submit directory),
    /// with repeated slashes squeezed.
    pub fn full_path(&mut self, name: &str, use_iwd: bool) -> String {
        if use_iwd {
            self.note_read("Iwd");
        }
        let mut p = String::with_capacity(name.len() + self.st.iwd.len() + 2);
        if name.starts_with('/') {
            p.push('/');
            p.push_str(name);
        } else {
            p.push('/');
            if use_iwd {
                p.push_str(&self.st.iwd);
            } else if self.st.foreign_cluster {
                p.push_str(self.hash.peek("FACTORY.Iwd").unwrap_or_default());
            } else {
                p.push_str(&self.opts.base_dir.to_string_lossy());
            }
            p.push('/');
            p.push_str(name);
        }
        compress_path(&p)
    }

    /// Size of a file (or the files of a directory) in KiB, rounded up; 0
    /// for URLs and files that cannot be read.
    pub fn image_size_kb(&mut self, name: &str) -> i64 {
        if is_url(name) {
            return 0;
        }
        let path = self.full_path(name, true);
        if let Some(v) = self.st.size_cache.get(&path) {
            return *v;
        }
        let v = match std::fs::metadata(&path) {
            Err(_) => 0,
            Ok(m) if m.is_dir() => (dir_size(Path::new(&path)) + 1023) / 1024,
            Ok(m) => (m.len() as i64 + 1023) / 1024,
        };
        self.st.size_cache.insert(path, v);
        v
    }
}

/// A plain string (`"text"` without escapes) or a plain whole number,
/// without running the parser (values that change with every job are
/// mostly these).
fn literal_fast(text: &str) -> Option<Expr> {
    let b = text.as_bytes();
    if b.len() >= 2 && b[0] == b'"' && b[b.len() - 1] == b'"' {
        let inner = &text[1..text.len() - 1];
        if !inner.contains(['"', '\\']) {
            return Some(Expr::literal(Value::string(inner)));
        }
        return None;
    }
    if !b.is_empty() && b.len() < 18 && (b[0] != b'0' || b.len() == 1) && b.iter().all(u8::is_ascii_digit) {
        return text.parse::<i64>().ok().map(|n| Expr::literal(Value::Int(n)));
    }
    None
}

/// Squeeze runs of `/` into one.
pub(crate) fn compress_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut prev_slash = false;
    for c in p.chars() {
        let slash = c == '/' || c == '\\';
        if slash && prev_slash {
            continue;
        }
        prev_slash = slash;
        out.push(c);
    }
    out
}

/// Total size in bytes of the files below `dir` (symbolic links not followed).
fn dir_size(dir: &Path) -> i64 {
    let mut total = 0i64;
    let Ok(rd) = std::fs::read_dir(dir) else { return 0 };
    for entry in rd.flatten() {
        let Ok(m) = entry.path().symlink_metadata() else { continue };
        if m.is_dir() {
            total += dir_size(&entry.path());
        } else {
            total += m.len() as i64;
        }
    }
    total
}

/// HTCondor's `IsUrl`: `scheme://` with a scheme of letters, digits, `+-.`.
pub(crate) fn is_url(name: &str) -> bool {
    let Some(i) = name.find("://") else { return false };
    i > 0 && name[..i].bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
        && name.as_bytes()[0].is_ascii_alphabetic()
}

/// The attribute names referenced by an expression, split into the job's
/// own (`MY.x`, or a name the job defines) and the machine's (`TARGET.x`,
/// or any other bare name), as HTCondor's `GetExprReferences` reports them.
#[derive(Debug, Default)]
pub(crate) struct Refs {
    pub job: BTreeSet<String>,
    pub machine: BTreeSet<String>,
}

impl Refs {
    pub fn machine_has(&self, name: &str) -> bool {
        self.machine.contains(&name.to_ascii_lowercase())
    }
    pub fn job_has(&self, name: &str) -> bool {
        self.job.contains(&name.to_ascii_lowercase())
    }
}

/// Collect references; bare names in `internal` count as the job's.
pub(crate) fn expr_refs(e: &Expr, internal: &[&str], out: &mut Refs) {
    use classad::Node;
    match e.node() {
        Node::Literal(_) | Node::Ad(_) => {}
        Node::Attr { name, .. } => {
            let n = name.as_str();
            if internal.iter().any(|i| i.eq_ignore_ascii_case(n)) {
                out.job.insert(n.to_ascii_lowercase());
            } else {
                out.machine.insert(n.to_ascii_lowercase());
            }
        }
        Node::Select { base, name } => match base.node() {
            Node::Attr { name: scope, absolute: false } if scope.is("MY") => {
                out.job.insert(name.as_str().to_ascii_lowercase());
            }
            Node::Attr { name: scope, absolute: false } if scope.is("TARGET") => {
                out.machine.insert(name.as_str().to_ascii_lowercase());
            }
            _ => expr_refs(base, internal, out),
        },
        Node::Unary { arg, .. } | Node::Paren(arg) => expr_refs(arg, internal, out),
        Node::Binary { lhs, rhs, .. } => {
            expr_refs(lhs, internal, out);
            expr_refs(rhs, internal, out);
        }
        Node::Ternary { cond, then, otherwise } => {
            expr_refs(cond, internal, out);
            expr_refs(then, internal, out);
            expr_refs(otherwise, internal, out);
        }
        Node::Index { base, index } => {
            expr_refs(base, internal, out);
            expr_refs(index, internal, out);
        }
        Node::Call(c) => c.args.iter().for_each(|a| expr_refs(a, internal, out)),
        Node::List(items) => items.iter().for_each(|a| expr_refs(a, internal, out)),
    }
}

/// True for a literal number (HTCondor's `ExprTreeIsLiteralNumber`).
pub(crate) fn literal_number(e: &Expr) -> Option<f64> {
    match e.as_literal()? {
        Value::Int(i) => Some(*i as f64),
        Value::Real(r) => Some(*r),
        _ => None,
    }
}

/// Strip surrounding whitespace and one pair of surrounding double quotes.
pub(crate) fn trim_and_strip_quotes(s: &str) -> &str {
    let t = crate::reader::trim_c(s);
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        &t[1..t.len() - 1]
    } else {
        t
    }
}

/// Split a comma (and whitespace) separated list, dropping empty items
/// (HTCondor's `split()` / `StringList`).
pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split([',', ' ', '\t', '\r', '\n']).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// Split on commas only, trimming each item (HTCondor's `split(s, ",")`).
pub(crate) fn split_commas(s: &str) -> Vec<String> {
    s.split(',').map(|t| crate::reader::trim_c(t).to_string()).filter(|t| !t.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_literals_skip_the_parser_but_parse_the_same() {
        for t in ["\"abc def\"", "\"\"", "42", "007", "\"a\\\"b\"", "-3", "2.5", "x + 1"] {
            let parsed = Expr::parse_old(t).ok();
            match literal_fast(t) {
                Some(fast) => assert_eq!(Some(fast.to_string()), parsed.map(|p| p.to_string()), "{t}"),
                None => assert!(!t.starts_with('"') || t.contains('\\'), "{t}"),
            }
        }
    }

    #[test]
    fn paths_are_made_absolute_and_squeezed() {
        assert_eq!(compress_path("//a///b/c"), "/a/b/c");
        assert!(is_url("http://example.com/x.tgz"));
        assert!(is_url("osdf:///ospool/x"));
        assert!(!is_url("data/x.tgz"));
        assert!(!is_url("://x"));
    }

    #[test]
    fn references_split_into_job_and_machine() {
        let e = Expr::parse_old("OpSys == \"LINUX\" && TARGET.Memory > MY.RequestMemory && Disk > RequestDisk").unwrap();
        let mut r = Refs::default();
        expr_refs(&e, &["RequestMemory"], &mut r);
        assert!(r.machine_has("OpSys") && r.machine_has("memory") && r.machine_has("Disk"));
        assert!(r.machine_has("RequestDisk"));
        assert!(r.job_has("RequestMemory"));
        assert!(!r.machine_has("RequestMemory"));
    }
}
