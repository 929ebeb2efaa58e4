//! `condor_submit`: read a submit description, build the job ads, and send
//! them to the schedd (or, with `-dry-run FILE`, write them to FILE).
//!
//! Options are HTCondor's (any unambiguous prefix, as condor_submit accepts):
//! `FILE` or `-` (standard input), `-terse`, `-verbose`, `-batch-name NAME`,
//! `-append LINE` / `-a LINE`, `-queue ARGS...`, `-dry-run FILE|-`,
//! `-spool`, `-name SCHEDD`, `-pool HOST`, `-disable`, `-unused`,
//! `-interactive`, `NAME=VALUE`. What it prints on standard output is
//! byte for byte condor_submit's (`Submitting job(s)...`, `N job(s)
//! submitted to cluster C.`, `-terse`'s `C.P - C.Q`), because dask-jobqueue,
//! parsl and Nextflow parse it.
//!
//! Every job ad is built and checked before anything is queued: a bad
//! description queues nothing. The built ads then go either to the
//! `-dry-run` writer or to [`super::submit_schedd::submit_to_schedd`].

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use submit::submission::{ClusterAd, FactorySubmit, JobSink, ProcAd};
use submit::{BuildOptions, DryRunWriter, FactoryMode, Params, SubmitError, SubmitOptions, Submission};

use super::submit_schedd::{self, ScheddTarget};

/// The process context of one condor_submit run (the real process, or a
/// conformance case run in-process).
pub struct Invocation<'a> {
    pub cwd: PathBuf,
    pub environ: Vec<(String, String)>,
    pub user: String,
    pub params: Params,
    pub stdin: Box<dyn Read + 'a>,
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// `QDate`; `None` for now.
    pub submit_time: Option<i64>,
}

/// Parsed command line.
#[derive(Debug, Default)]
struct Cli {
    cmd_file: Option<String>,
    verbose: bool,
    terse: bool,
    disable_file_checks: bool,
    dry_run: Option<String>,
    dry_run_full: bool,
    spool: bool,
    factory: bool,
    schedd_name: Option<String>,
    pool: Option<String>,
    append: Vec<String>,
    batch_name: Option<String>,
    batch_id: Option<String>,
    queue: Option<String>,
    arg_vars: Vec<(String, String)>,
    interactive: bool,
    unused_toggle: bool,
    got_cmdline_keys: bool,
    maxjobs: Option<i64>,
    single_cluster: bool,
}

/// HTCondor's `is_dash_arg_prefix`: `-` (or `--`) and a prefix of `word` of
/// at least `min` characters.
fn dash_prefix(arg: &str, word: &str, min: usize) -> bool {
    let Some(body) = arg.strip_prefix('-') else { return false };
    let body = body.strip_prefix('-').unwrap_or(body);
    let body = body.split(':').next().unwrap_or(body);
    !body.is_empty() && body.len() >= min && word.starts_with(body)
}

fn usage() -> &'static str {
    "Usage: condor_submit [options] [<attrib>=<value>] [- | <submit-file>]\n    [options] are\n\
     \t-file <submit-file>\tRead Submit commands from <submit-file>\n\
     \t-terse  \t\tDisplay terse output, jobid ranges only\n\
     \t-verbose\t\tDisplay verbose output, jobid and full job ClassAd\n\
     \t-debug  \t\tDisplay debugging output\n\
     \t-append <line>\t\tadd line to submit file before processing\n\
     \t\t\t\t(overrides submit file; multiple -a lines ok)\n\
     \t-queue <queue-opts>\tappend Queue statement to submit file before processing\n\
     \t\t\t\t(submit file must not already have a Queue statement)\n\
     \t-batch-name <name>\tappend a line to submit file that sets the batch name\n\
     \t-disable\t\tdisable file permission checks\n\
     \t-dry-run <filename>\tprocess submit file and write ClassAd attributes to <filename>\n\
     \t\t\t\tbut do not actually submit the job(s) to the SCHEDD\n\
     \t-maxjobs <maxjobs>\tDo not submit if number of jobs would exceed <maxjobs>.\n\
     \t-single-cluster\t\tDo not submit if more than one ClusterId is needed.\n\
     \t-unused\t\t\ttoggles unused or unexpanded macro warnings\n\
     \t\t\t\t(overrides config file; multiple -u flags ok)\n\
     \t-dump <filename>\tWrite schedd bound ClassAds to this file rather than to schedd\n\
     \t-interactive\t\tsubmit an interactive session job\n\
     \t-name <name>\t\tsubmit to the specified schedd\n\
     \t-remote <name>\t\tsubmit to the specified remote schedd\n\
     \t\t\t\t(implies -spool)\n\
     \t-addr <ip:port>\t\tsubmit to schedd at given \"sinful string\"\n\
     \t-spool\t\t\tspool all files to the schedd\n\
     \t-password <password>\tspecify password to MyProxy server\n\
     \t-pool <host>\t\tUse host as the central manager to query\n\
     \t-factory\t\tSubmit a late materialization job factory\n\
     \t-allow-crlf-script\tAllow a Windows/DOS script on Unix\n\
     \t<attrib>=<value>\tSet <attrib>=<value> before reading the submit file.\n\n\
     \tIf <submit-file> is omitted or is -, and a -queue is not provided, submit commands\n\
     \t are read from stdin. Use of - implies verbose output unless -terse is specified\n"
}

/// Why the command line was refused: the message, and the exit status.
struct CliError(String);

fn parse_cli(args: &[String]) -> Result<Cli, CliError> {
    let mut c = Cli::default();
    let mut i = 0;
    let need = |i: usize, what: &str| -> Result<String, CliError> {
        args.get(i + 1).cloned().ok_or_else(|| CliError(format!("condor_submit: {what} requires another argument\n")))
    };
    while i < args.len() {
        let a = &args[i];
        if a.starts_with('-') {
            if a == "-" {
                c.cmd_file = Some("-".into());
            } else if dash_prefix(a, "verbose", 1) {
                c.verbose = true;
                c.terse = false;
            } else if dash_prefix(a, "terse", 3) {
                c.terse = true;
                c.verbose = false;
            } else if dash_prefix(a, "disable", 3) {
                c.disable_file_checks = true;
            } else if dash_prefix(a, "debug", 2) {
                // tool debugging output: nothing extra to print
            } else if dash_prefix(a, "dry-run", 3) {
                if let Some((_, opts)) = a.split_once(':') {
                    for o in opts.split(',') {
                        match o {
                            "full" => c.dry_run_full = true,
                            "hash" | "def" | "digest" | "jobset" | "tpl" => {}
                            o if o.starts_with("cluster=") || o.starts_with("template") || o.starts_with("oauth=") => {}
                            other => return Err(CliError(format!("unknown option {other} for -dry-run:<opts>\n"))),
                        }
                    }
                }
                match args.get(i + 1) {
                    Some(f) if f == "-" || !f.starts_with('-') => {
                        c.dry_run = Some(f.clone());
                        i += 1;
                    }
                    _ => return Err(CliError("condor_submit: -dry-run requires another argument\n".into())),
                }
            } else if dash_prefix(a, "spool", 1) {
                c.spool = true;
                c.disable_file_checks = true;
            } else if dash_prefix(a, "file", 2) {
                c.cmd_file = Some(need(i, "-file")?);
                i += 1;
            } else if dash_prefix(a, "factory", 2) || dash_prefix(a, "generator", 1) {
                c.factory = true;
            } else if dash_prefix(a, "remote", 1) {
                c.spool = true;
                c.disable_file_checks = true;
                c.schedd_name = Some(need(i, "-remote")?);
                i += 1;
            } else if dash_prefix(a, "name", 1) {
                c.schedd_name = Some(need(i, "-name")?);
                i += 1;
            } else if dash_prefix(a, "append", 1) {
                let line = need(i, "-append")?;
                i += 1;
                if submit::queue::queue_statement_args(&line).is_some() {
                    if c.queue.is_some() {
                        return Err(CliError("condor_submit: only one -queue command allowed\n".into()));
                    }
                    c.queue = Some(line);
                } else {
                    c.append.push(line);
                    c.got_cmdline_keys = true;
                }
            } else if dash_prefix(a, "batch-name", 1) {
                let n = need(i, "-batch-name")?;
                i += 1;
                c.batch_name = Some(if n.starts_with('"') { n } else { format!("\"{n}\"") });
            } else if dash_prefix(a, "batch-id", 1) {
                let n = need(i, "-batch-id")?;
                i += 1;
                c.batch_id = Some(if n.starts_with('"') { n } else { format!("\"{n}\"") });
            } else if dash_prefix(a, "queue", 1) || dash_prefix(a, "iterate", 2) || dash_prefix(a, "table", 5) {
                let first = match args.get(i + 1) {
                    Some(f) if !f.is_empty() && !f.starts_with('-') => f.clone(),
                    _ => return Err(CliError(format!("condor_submit: {a} requires at least one argument\n"))),
                };
                if c.queue.is_some() {
                    return Err(CliError(format!("condor_submit: only one {a} command allowed\n")));
                }
                i += 1;
                let is_table = dash_prefix(a, "table", 5);
                let mut q = if is_table {
                    format!("iter from table {first}")
                } else if dash_prefix(a, "queue", 1) {
                    format!("queue {first}")
                } else {
                    format!("iterate {first}")
                };
                if !is_table {
                    while let Some(next) = args.get(i + 1) {
                        if next == "-" || !next.starts_with('-') {
                            q.push(' ');
                            q.push_str(next);
                            i += 1;
                            if next != "-" {
                                continue;
                            }
                        }
                        break;
                    }
                }
                c.queue = Some(q);
            } else if dash_prefix(a, "maxjobs", 3) {
                let v = need(i, "-maxjobs")?;
                i += 1;
                match v.parse::<i64>() {
                    Ok(n) if n >= -1 => c.maxjobs = Some(n),
                    Ok(n) => return Err(CliError(format!("Error: {n} is not a valid for -maxjobs.\n"))),
                    Err(_) => {
                        return Err(CliError(format!("Error: Unable to convert argument ({v}) to a number for -maxjobs.\n")))
                    }
                }
            } else if dash_prefix(a, "single-cluster", 3) {
                c.single_cluster = true;
            } else if dash_prefix(a, "pool", 2) {
                c.pool = Some(need(i, "-pool")?);
                i += 1;
            } else if dash_prefix(a, "unused", 1) {
                c.unused_toggle = !c.unused_toggle;
            } else if dash_prefix(a, "dump", 2) {
                c.dry_run = Some(need(i, "-dump")?);
                i += 1;
            } else if dash_prefix(a, "interactive", 1) {
                c.interactive = true;
                c.append.push("MY.InteractiveJob=True".into());
            } else if dash_prefix(a, "allow-crlf-script", 8) || dash_prefix(a, "force-mpi-universe", 7) {
                // accepted for compatibility
            } else if dash_prefix(a, "help", 1) {
                return Err(CliError(String::new()));
            } else {
                return Err(CliError(usage().to_string()));
            }
        } else if let Some(eq) = a.find('=') {
            let mut name = a[..eq].trim().to_string();
            let value = a[eq + 1..].trim().to_string();
            if name.as_bytes().get(1) == Some(&b'+') || name.starts_with('+') {
                name = format!("MY.{}", name.trim_start_matches('+'));
            }
            if name.is_empty() || !submit::parse::is_valid_param_name(&name) {
                return Err(CliError(format!("condor_submit: invalid attribute name '{name}' for attrib=value assigment\n")));
            }
            c.arg_vars.push((name, value));
            c.got_cmdline_keys = true;
        } else {
            c.cmd_file = Some(a.clone());
        }
        i += 1;
    }
    if let Some(b) = &c.batch_name {
        c.append.push(format!("MY.JobBatchName = {b}"));
    }
    if let Some(b) = &c.batch_id {
        c.append.push(format!("MY.JobBatchId = {b}"));
    }
    Ok(c)
}

/// Where built ads go while the description is processed.
enum Target<'a> {
    /// `-dry-run FILE`: created when the first cluster is made.
    DryFile { path: PathBuf, writer: Option<DryRunWriter<std::io::BufWriter<std::fs::File>>> },
    /// `-dry-run -`: the ads are printed with the progress dots.
    DryStdout(DryRunWriter<Vec<u8>>),
    /// A schedd: ads are collected and sent together at the end.
    Schedd { conn: &'a mut submit_schedd::ScheddConnection, built: submit_schedd::BuiltJobs },
}

struct CliSink<'a, 'b> {
    target: Target<'a>,
    console: &'b mut dyn Write,
    dots: bool,
    verbose: bool,
    /// -dry-run:full: the complete ads, printed at the end.
    full_ads: Option<Vec<classad::ClassAd>>,
    maxjobs: Option<i64>,
    single_cluster: bool,
    clusters_made: usize,
    jobs_made: i64,
}

impl CliSink<'_, '_> {
    fn flush_stdout_dry(&mut self) -> Result<(), SubmitError> {
        if let Target::DryStdout(w) = &mut self.target {
            let buf = std::mem::take(w.get_mut());
            self.console.write_all(&buf).map_err(io_err)?;
        }
        Ok(())
    }
}

fn io_err(e: std::io::Error) -> SubmitError {
    SubmitError::Sink { message: format!("Failed to write output: {e}") }
}

impl JobSink for CliSink<'_, '_> {
    fn new_cluster(&mut self) -> Result<i64, SubmitError> {
        if self.single_cluster && self.clusters_made >= 1 {
            return Err(SubmitError::Sink {
                message: "Number of submitted clusters would exceed 1 and -single-cluster was specified".into(),
            });
        }
        self.clusters_made += 1;
        match &mut self.target {
            Target::DryFile { path, writer } => {
                if writer.is_none() {
                    let f = std::fs::File::create(&*path).map_err(|e| SubmitError::Sink {
                        message: format!("Failed to open file -dry-run output file ({})", submit::parse::os_error_text(&e)),
                    })?;
                    *writer = Some(DryRunWriter::new(std::io::BufWriter::new(f)));
                }
                writer.as_mut().map_or(Ok(1), |w| w.new_cluster())
            }
            Target::DryStdout(w) => w.new_cluster(),
            Target::Schedd { conn, .. } => conn.new_cluster().map_err(|e| SubmitError::Sink { message: format!("{e:#}") }),
        }
    }

    fn cluster_ad(&mut self, cluster: &ClusterAd) -> Result<(), SubmitError> {
        match &mut self.target {
            Target::DryFile { writer: Some(w), .. } => w.cluster_ad(cluster),
            Target::DryFile { .. } => Ok(()),
            Target::DryStdout(w) => w.cluster_ad(cluster),
            Target::Schedd { built, .. } => {
                built.clusters.push(cluster.clone());
                Ok(())
            }
        }
    }

    fn proc_ad(&mut self, proc: &ProcAd) -> Result<(), SubmitError> {
        if let Some(max) = self.maxjobs {
            if max > 0 && self.jobs_made >= max {
                return Err(SubmitError::Sink { message: format!("Number of submitted jobs would exceed -maxjobs ({max})") });
            }
        }
        self.jobs_made += 1;
        match &mut self.target {
            Target::DryFile { writer: Some(w), .. } => w.proc_ad(proc)?,
            Target::DryFile { .. } => {}
            Target::DryStdout(w) => w.proc_ad(proc)?,
            Target::Schedd { built, .. } => built.procs.push(proc.clone()),
        }
        self.flush_stdout_dry()?;
        if let Some(full) = self.full_ads.as_mut() {
            full.push(proc.ad.flattened());
        }
        if self.verbose {
            let mut text = format!("\n** Proc {}.{}:\n", proc.cluster, proc.proc);
            let flat = proc.ad.flattened();
            for name in submit::dryrun::print_order(&flat) {
                if let Some(e) = flat.get_own(name) {
                    text.push_str(&format!("{name} = {e}\n"));
                }
            }
            self.console.write_all(text.as_bytes()).map_err(io_err)?;
        } else if self.dots {
            self.console.write_all(b".").map_err(io_err)?;
        }
        Ok(())
    }

    fn factory(&mut self, factory: &FactorySubmit) -> Result<(), SubmitError> {
        match &mut self.target {
            Target::DryFile { writer: Some(w), .. } => w.factory(factory)?,
            Target::DryFile { .. } => {}
            Target::DryStdout(w) => w.factory(factory)?,
            Target::Schedd { built, .. } => built.factories.push(factory.clone()),
        }
        self.flush_stdout_dry()
    }
}

/// Print a refusal the way condor_submit does.
fn print_error(err: &SubmitError, cmd_name: &str, stderr: &mut dyn Write) {
    let mut text = String::new();
    match err {
        SubmitError::Parse { file, line, message } => {
            text.push_str(&format!("\nERROR: on Line {line} of {file}: {message}\n"));
            text.push_str(&format!("\nERROR: Failed to parse command file (line {line}).\n"));
        }
        SubmitError::Append { index, .. } => {
            text.push_str(&format!("\nERROR: Failed to parse -a argument line (#{index}).\n"));
        }
        SubmitError::Job { messages } => {
            for m in messages {
                if let Some(direct) = m.strip_prefix("ERROR: ") {
                    text.push_str(&format!("\nERROR: {direct}"));
                } else if m.starts_with("A DAG file") {
                    text.push_str(&format!("\nERROR: {m}\n"));
                } else {
                    text.push_str(&format!("ERROR: {m}"));
                }
                if !text.ends_with('\n') {
                    text.push('\n');
                }
            }
        }
        SubmitError::Io { message } | SubmitError::Sink { message } => {
            text.push_str(&format!("\nERROR: {message}\n"));
        }
    }
    if let Some(h) = err.hint() {
        text.push_str(&format!("hint: {h}\n"));
    }
    let _ = cmd_name;
    let _ = stderr.write_all(text.as_bytes());
}

/// Run condor_submit with `args` (without the program name) in `inv`.
/// Returns the exit status.
pub fn run(args: &[String], inv: &mut Invocation) -> i32 {
    let cli = match parse_cli(args) {
        Ok(c) => c,
        Err(CliError(msg)) => {
            if msg.is_empty() {
                let _ = inv.stdout.write_all(usage().as_bytes());
                return 0;
            }
            let _ = inv.stderr.write_all(msg.as_bytes());
            return 1;
        }
    };
    let dry = cli.dry_run.is_some();
    let cmd_is_stdin = cli.cmd_file.as_deref() == Some("-");
    let verbose = cli.verbose || (cmd_is_stdin && !cli.terse);
    let no_cmd_file_needed = cli.got_cmdline_keys && cli.queue.is_some();

    // find the schedd before reading anything (condor_submit does)
    let mut conn = None;
    if !dry {
        let target = ScheddTarget { name: cli.schedd_name.clone(), pool: cli.pool.clone(), spool: cli.spool };
        match submit_schedd::connect(&target, &inv.params) {
            Ok(c) => conn = Some(c),
            Err(e) => {
                let which = match &cli.schedd_name {
                    Some(n) => format!("schedd {n}"),
                    None => "local schedd".to_string(),
                };
                let _ = write!(inv.stderr, "\nERROR: Can't find address of {which}\n{e:#}\n");
                return 1;
            }
        }
    }

    if cli.cmd_file.is_none() && dry {
        let name = cli.dry_run.clone().unwrap_or_default();
        let _ = write!(
            inv.stderr,
            "\nERROR: No submit filename was provided, and '{name}'\n  was given as the output filename for -dump or -dry-run. Was this intended?\n  \
             To to avoid confusing the output file with the submit file when using these\n  commands, an explicit submit filename argument must be given. You can use -\n  \
             as the submit filename argument to read from stdin.\n"
        );
        return 1;
    }

    // the description
    let read_stdin = cmd_is_stdin || (cli.cmd_file.is_none() && !no_cmd_file_needed);
    let (source_name, text, submit_file) = if read_stdin {
        let mut t = String::new();
        if let Err(e) = inv.stdin.read_to_string(&mut t) {
            let _ = write!(inv.stderr, "\nERROR: Failed to read the submit description from standard input ({e})\n");
            return 1;
        }
        ("<stdin>".to_string(), t, None)
    } else if cli.cmd_file.is_none() {
        ("null".to_string(), String::new(), Some("null".to_string()))
    } else {
        let f = cli.cmd_file.clone().unwrap_or_default();
        let path = if f.starts_with('/') { PathBuf::from(&f) } else { inv.cwd.join(&f) };
        match std::fs::read(&path) {
            Ok(b) => (f.clone(), String::from_utf8_lossy(&b).into_owned(), Some(f)),
            Err(e) => {
                let _ = write!(inv.stderr, "\nERROR: Failed to open command file ({f}) ({})\n", submit::parse::os_error_text(&e));
                return 1;
            }
        }
    };

    let submit_time = inv.submit_time.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
    });
    let build = BuildOptions {
        base_dir: inv.cwd.clone(),
        environ: Arc::new(inv.environ.clone()),
        user: inv.user.clone(),
        submit_time,
        spool: cli.spool,
        interactive: cli.interactive,
        dry_run: dry,
        check_executable: true,
        submit_method: Some(0),
        condor_version: daemon::version::condor_version_line(),
        condor_platform: daemon::version::condor_platform_line(),
    };
    let warn_unused_default = inv.params.boolean("WARN_ON_UNUSED_SUBMIT_FILE_MACROS", true);
    let params = inv.params.clone();
    let opts = SubmitOptions {
        build,
        params,
        submit_file,
        arg_vars: cli.arg_vars.clone(),
        append_lines: cli.append.clone(),
        queue_override: cli.queue.clone(),
        factory: if dry { FactoryMode::WhenRequested } else if cli.factory { FactoryMode::Always } else { FactoryMode::WhenRequested },
        stdin: None,
        warn_unused: Some(warn_unused_default != cli.unused_toggle),
        replay: std::env::var_os("AERIE_SUBMIT_NO_REPLAY").is_none(),
    };
    let mut submission = Submission::from_text(&source_name, &text, opts);

    if !cmd_is_stdin && !cli.terse {
        let _ = inv.stdout.write_all(if dry { b"Dry-Run job(s)" } else { b"Submitting job(s)" });
    }

    let target = match (&cli.dry_run, conn.as_mut()) {
        (Some(f), _) if f == "-" => Target::DryStdout(DryRunWriter::new(Vec::new())),
        (Some(f), _) => {
            let path = if f.starts_with('/') { PathBuf::from(f) } else { inv.cwd.join(f) };
            Target::DryFile { path, writer: None }
        }
        (None, Some(c)) => Target::Schedd { conn: c, built: submit_schedd::BuiltJobs::default() },
        (None, None) => Target::DryStdout(DryRunWriter::new(Vec::new())),
    };
    let mut sink = CliSink {
        target,
        console: &mut *inv.stdout,
        dots: !cli.terse && !cmd_is_stdin,
        verbose,
        full_ads: if cli.dry_run_full { Some(Vec::new()) } else { None },
        maxjobs: cli.maxjobs,
        single_cluster: cli.single_cluster,
        clusters_made: 0,
        jobs_made: 0,
    };
    let result = submission.run(&mut sink);
    let full_ads = sink.full_ads.take();
    let target = std::mem::replace(&mut sink.target, Target::DryStdout(DryRunWriter::new(Vec::new())));
    drop(sink);

    let report = match result {
        Ok(r) => r,
        Err(failure) => {
            let _ = inv.stdout.flush();
            let _ = inv.stderr.write_all(failure.report.stderr_text().as_bytes());
            print_error(&failure.error, &source_name, inv.stderr);
            return 1;
        }
    };

    // deliver
    match target {
        Target::DryFile { writer: Some(w), path } => {
            if let Err(e) = w.into_inner().flush() {
                let _ = write!(inv.stderr, "\nERROR: Failed to write -dry-run output file {} ({e})\n", path.display());
                return 1;
            }
        }
        Target::Schedd { conn, built } => {
            if let Err(e) = submit_schedd::submit_to_schedd(conn, built, cli.spool) {
                let _ = write!(inv.stderr, "\nERROR: Failed to commit job submission into the queue.\n{e:#}\n");
                return 1;
            }
        }
        _ => {}
    }

    let mut err_text = String::new();
    for n in &report.notices {
        err_text.push_str(n);
    }
    if !report.queued_any && !cli.terse {
        let name = if cmd_is_stdin || source_name == "<stdin>" { "(stdin)".to_string() } else { source_name.clone() };
        err_text.push_str(&format!("\nWARNING: \"{name}\" has only empty \"queue\" commands -- no jobs queued\n"));
    }
    let mut out_text = String::new();
    if !cmd_is_stdin && !cli.terse {
        out_text.push('\n');
    }
    if !verbose {
        for c in &report.clusters {
            if cli.terse {
                out_text.push_str(&format!("{}.{} - {}.{}\n", c.cluster, c.first_proc, c.cluster, c.last_proc));
            } else {
                let verb = if dry { "dry-run" } else { "submitted" };
                out_text.push_str(&format!("{} job(s) {verb} to cluster {}.\n", c.jobs, c.cluster));
            }
        }
    }
    if let Some(ads) = full_ads {
        let mut full = String::new();
        for (i, ad) in ads.iter().enumerate() {
            if i > 0 {
                full.push('\n');
            }
            for name in submit::dryrun::print_order(ad) {
                if let Some(e) = ad.get_own(name) {
                    full.push_str(&format!("{name} = {e}\n"));
                }
            }
        }
        if cli.dry_run.as_deref() == Some("-") {
            out_text.push('\n');
            out_text.push_str(&full);
        } else if let Some(f) = &cli.dry_run {
            let path = if f.starts_with('/') { PathBuf::from(f) } else { inv.cwd.join(f) };
            if let Err(e) = std::fs::write(&path, full) {
                let _ = write!(inv.stderr, "\nERROR: Failed to open file -dry-run output file ({e})\n");
                return 1;
            }
        }
    }
    let _ = inv.stdout.write_all(out_text.as_bytes());
    if verbose && report.queued_any {
        out_text.clear();
    }
    for w in &report.warnings {
        err_text.push_str("WARNING: ");
        err_text.push_str(w);
    }
    if verbose && !report.unused.is_empty() {
        let _ = inv.stdout.write_all(b"\n");
    }
    for w in &report.unused {
        err_text.push_str("WARNING: ");
        err_text.push_str(w);
    }
    let _ = inv.stderr.write_all(err_text.as_bytes());
    let _ = inv.stdout.flush();
    0
}

/// The pool configuration condor_submit reads (subsystem `SUBMIT`). A
/// machine with no configuration file at all gets HTCondor's defaults, so
/// `-dry-run` works anywhere; a broken configuration is an error.
pub fn process_params() -> Result<Params, String> {
    let opts = config::LoadOptions::new(config::Subsystem::parse("SUBMIT"));
    let cfg = match config::Config::load(&opts) {
        Ok(c) => c,
        Err(e) if matches!(e.kind, config::ErrorKind::NoConfigFile) => {
            config::Config::defaults(&opts).map_err(|e| format!("ERROR: {e}"))?
        }
        Err(e) => return Err(format!("ERROR: {e}\nhint: {}", e.kind.hint())),
    };
    let cfg = std::sync::Arc::new(cfg);
    let files = std::sync::Arc::clone(&cfg);
    Ok(Params::with_files(cfg, std::sync::Arc::new(move |name: &str| files.defined_by_files(name))))
}

/// The submitting user's name.
pub fn current_user() -> String {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "nobody".into())
}

pub fn main(args: &[String]) -> ExitCode {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let params = match process_params() {
        Ok(p) => p,
        Err(msg) => {
            let _ = writeln!(err, "{msg}");
            return ExitCode::from(1);
        }
    };
    let mut inv = Invocation {
        cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        environ: std::env::vars().collect(),
        user: current_user(),
        params,
        stdin: Box::new(std::io::stdin()),
        stdout: &mut out,
        stderr: &mut err,
        submit_time: None,
    };
    let code = run(args, &mut inv);
    drop(inv);
    let _ = out.flush();
    ExitCode::from(code.clamp(0, 255) as u8)
}
