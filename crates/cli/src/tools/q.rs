//! `condor_q`: the jobs in the queue, in HTCondor's output formats.
//!
//! The schedd streams the selected ads (`/v1/jobs/query`); the output is
//! made by renderers over the same ads (`q/render.rs` for the tables,
//! `q/autoformat.rs` for `-af`, `-format`, `-long` and `-json`), so a new
//! format is a new renderer. The shared pieces — finding the schedd,
//! turning wire ads into ClassAds — are used by the other job tools too.

mod analyze;
pub(crate) mod autoformat;
mod clauses;
pub(crate) mod render;
pub(crate) use eventlog::xml;

use std::io::Write;
use std::process::ExitCode;

use classad::{ClassAd, Expr};
use client::BlockingClient;
use proto::address::Daemon;
use proto::job::JobSpec;
use proto::schedd::{JobSelector, QueryLine, QueryRequest, QuerySummary};
use proto::WireAd;

use self::autoformat::{AdForm, AfOptions, FormatItem};
use super::attrs;

/// A wire ad as a ClassAd (a value that does not parse is kept as `error`
/// rather than failing the whole query).
pub(crate) fn ad_of(wire: &WireAd) -> ClassAd {
    let mut ad = ClassAd::new();
    for (k, v) in &wire.0 {
        let e = Expr::parse_old(v).unwrap_or_else(|_| Expr::literal(classad::Value::Error));
        ad.insert(k, e);
    }
    ad
}

/// A ClassAd on the wire (its merged view when chained).
pub(crate) fn wire_of(ad: &ClassAd) -> WireAd {
    WireAd(ad.iter_all().map(|(k, e)| (k.to_string(), e.to_old_string())).collect())
}

/// The user running the tool.
pub(crate) fn my_user() -> String {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| nix::unistd::getuid().to_string())
}

/// A client for the collector: this pool's, or the one at `pool`.
pub(crate) fn connect_collector(pool: Option<&str>) -> Result<BlockingClient, String> {
    let mut settings = daemon::Settings::load("TOOL").map_err(|e| e.to_string())?;
    if let Some(p) = pool {
        settings.set("COLLECTOR_HOST", p);
    }
    let coll = daemon::locate::collector_address(&settings).map_err(|e| e.to_string())?;
    BlockingClient::new(coll).map_err(|e| e.to_string())
}

/// A client for the schedd: this host's (its address file), or the one
/// named `name`, found through the collector (`pool` if given).
pub(crate) fn connect_schedd(name: Option<&str>, pool: Option<&str>) -> Result<BlockingClient, String> {
    let mut settings = daemon::Settings::load("TOOL").map_err(|e| e.to_string())?;
    if let Some(p) = pool {
        settings.set("COLLECTOR_HOST", p);
    }
    let addr = match name {
        None => daemon::locate::local_address(&settings, Daemon::Schedd).map_err(|e| e.to_string())?,
        Some(n) => {
            let c = connect_collector(pool)?;
            let q = proto::collector::AdQuery {
                ad_type: Some(proto::collector::ad_type::SCHEDULER.to_string()),
                constraint: Some(format!("Name == {}", proto::collector::quote(n))),
                projection: vec!["MyAddress".to_string()],
                limit: Some(1),
            };
            let ads = client::collector::query_blocking(&c, &q).map_err(|e| e.to_string())?;
            let ad = ads.first().ok_or_else(|| format!("unknown schedd {n}"))?;
            let addrs = proto::collector::addresses(ad);
            proto::collector::pick_address(&addrs, |p| p.exists()).ok_or_else(|| format!("cannot get address of schedd {n}"))?
        }
    };
    BlockingClient::new(addr).map_err(|e| e.to_string())
}

/// Which table the default output uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Batch,
    NoBatch,
    Run,
    Hold,
}

/// What the command line asked for.
#[derive(Debug, Default)]
struct Args {
    ids: Vec<JobSpec>,
    owners: Vec<String>,
    constraints: Vec<String>,
    all_users: bool,
    view: Option<View>,
    nobatch: bool,
    batch: bool,
    totals: bool,
    long: bool,
    json: bool,
    xml: bool,
    af: Option<(AfOptions, Vec<String>)>,
    formats: Vec<FormatItem>,
    limit: Option<usize>,
    wide: bool,
    name: Option<String>,
    pool: Option<String>,
    attributes: Vec<String>,
    /// `-analyze` (false) or `-better-analyze` (true).
    analyze: Option<bool>,
    /// The query may return only part of some clusters (DONE cannot be counted).
    partial: bool,
}

const USAGE: &str = "Usage: condor_q [options] [restrictions]
    where [options] are
\t-global\t\t\tQuery all Schedulers in this pool
\t-name <name>\t\tName of Scheduler
\t-pool <host>\t\tUse host as the central manager to query
\t-allusers\t\tConsider jobs from all users
\t-constraint <expr>\tAdd a constraint on the jobs shown
\t-limit <num>\t\tLimit the number of results
\t-nobatch\t\tDisplay one line per job
\t-batch\t\t\tDisplay one line per batch of jobs
\t-run\t\t\tGet information about running jobs
\t-hold\t\t\tGet information about jobs on hold
\t-idle\t\t\tGet information about idle jobs
\t-totals\t\t\tDisplay only the totals
\t-long\t\t\tDisplay entire ClassAds
\t-json\t\t\tDisplay entire ClassAds in JSON form
\t-af[:jlhVr,tng] <attr> ...\tDisplay attribute values (autoformat)
\t-format <fmt> <attr>\tDisplay an attribute with a printf format
\t-attributes <list>\tOnly these attributes (with -long/-json)
\t-wide\t\t\tDo not truncate lines
    and [restrictions] are one or more of
\t<cluster>\t\tGet information about specific cluster
\t<cluster>.<proc>\tGet information about specific job
\t<owner>\t\t\tInformation about jobs owned by <owner>";

/// HTCondor's option matching: `-name` may be shortened to at least `min` letters.
fn is_opt(arg: &str, name: &str, min: usize) -> bool {
    let a = arg.trim_start_matches('-');
    a.len() >= min.min(name.len()) && name.starts_with(a)
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args::default();
    let mut i = 0;
    let next = |i: &mut usize, what: &str| -> Result<String, String> {
        *i += 1;
        args.get(*i).cloned().ok_or_else(|| format!("Error: {what} requires another parameter"))
    };
    while i < args.len() {
        let arg = &args[i];
        if !arg.starts_with('-') || arg == "-" {
            match arg.parse::<JobSpec>() {
                Ok(spec) => {
                    if matches!(spec, JobSpec::Job(_)) {
                        a.partial = true;
                    }
                    a.ids.push(spec);
                }
                Err(_) if arg.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                    return Err(format!("Error: Argument {arg} is not a valid cluster or cluster.proc"))
                }
                Err(_) => a.owners.push(arg.clone()),
            }
            i += 1;
            continue;
        }
        let (opt, colon) = match arg.split_once(':') {
            Some((o, c)) => (o, Some(c)),
            None => (arg.as_str(), None),
        };
        if is_opt(opt, "autoformat", 2) || opt == "-af" {
            let opts = AfOptions::parse(colon.unwrap_or(""));
            let mut attrs = Vec::new();
            while i + 1 < args.len() && !args[i + 1].starts_with('-') {
                i += 1;
                attrs.push(args[i].clone());
            }
            if attrs.is_empty() {
                return Err("Error: -autoformat requires at least one attribute".into());
            }
            a.af = Some((opts, attrs));
        } else if is_opt(opt, "format", 2) {
            let fmt = next(&mut i, "-format")?;
            let attr = next(&mut i, "-format")?;
            a.formats.push(FormatItem { format: fmt, attr });
        } else if is_opt(opt, "constraint", 1) {
            a.constraints.push(next(&mut i, "-constraint")?);
            a.partial = true;
        } else if is_opt(opt, "allusers", 2) {
            a.all_users = true;
        } else if is_opt(opt, "nobatch", 3) {
            a.nobatch = true;
        } else if is_opt(opt, "batch", 2) {
            a.batch = true;
        } else if is_opt(opt, "totals", 3) {
            a.totals = true;
        } else if is_opt(opt, "long", 1) {
            a.long = true;
        } else if is_opt(opt, "json", 2) {
            a.json = true;
        } else if is_opt(opt, "xml", 2) {
            a.xml = true;
        } else if is_opt(opt, "run", 1) {
            a.view = Some(View::Run);
            a.constraints.push("JobStatus == 2 || JobStatus == 6 || JobStatus == 7".into());
            a.partial = true;
        } else if is_opt(opt, "hold", 2) || is_opt(opt, "held", 2) {
            a.view = Some(View::Hold);
            a.constraints.push("JobStatus==5".into());
            a.partial = true;
        } else if is_opt(opt, "idle", 3) {
            a.constraints.push("JobStatus==1".into());
            a.partial = true;
            a.nobatch = true;
        } else if is_opt(opt, "limit", 3) {
            let n = next(&mut i, "-limit")?;
            a.limit = Some(n.parse().map_err(|_| format!("Error: -limit requires a number, not '{n}'"))?);
        } else if is_opt(opt, "wide", 1) {
            a.wide = true;
        } else if is_opt(opt, "name", 1) {
            a.name = Some(next(&mut i, "-name")?);
        } else if is_opt(opt, "pool", 1) {
            a.pool = Some(next(&mut i, "-pool")?);
        } else if is_opt(opt, "attributes", 2) {
            let list = next(&mut i, "-attributes")?;
            a.attributes.extend(list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
        } else if is_opt(opt, "better-analyze", 2) || is_opt(opt, "better-analyse", 2) {
            a.analyze = Some(true);
        } else if is_opt(opt, "analyze", 2) || is_opt(opt, "analyse", 2) {
            a.analyze = Some(a.analyze.unwrap_or(false));
        } else if is_opt(opt, "global", 1) || is_opt(opt, "debug", 1) {
            // One schedd per pool for now; -debug output goes to the schedd's log.
        } else if is_opt(opt, "help", 1) {
            return Err(String::new());
        } else {
            return Err(format!("Error: unrecognized argument {arg}"));
        }
        i += 1;
    }
    Ok(a)
}

pub fn main(args: &[String]) -> ExitCode {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    match run(a) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// The attributes the table views read.
const TABLE_ATTRS: &[&str] = &[
    "ClusterId",
    "ProcId",
    "Owner",
    "QDate",
    "RemoteUserCpu",
    "RemoteWallClockTime",
    "LastRemoteWallClockTime",
    "ShadowBday",
    "ServerTime",
    "JobStatus",
    "JobPrio",
    "ImageSize",
    "MemoryUsage",
    "Cmd",
    "Args",
    "Arguments",
    "JobDescription",
    "MATCH_EXP_JobDescription",
    "JobBatchName",
    "JobUniverse",
    "TotalSubmitProcs",
    "DAGManJobId",
    "DAGNodeName",
    "RemoteHost",
    "EnteredCurrentStatus",
    "HoldReason",
    "HoldReasonCode",
    "HoldReasonSubCode",
    "TransferringInput",
    "TransferringOutput",
    "TransferQueued",
];

fn run(a: Args) -> Result<ExitCode, String> {
    let client = connect_schedd(a.name.as_deref(), a.pool.as_deref())?;
    if let Some(better) = a.analyze {
        return run_analysis(&a, &client, better);
    }
    let select = selector(&a);
    let form = if a.json {
        AdForm::Json
    } else if a.xml {
        AdForm::Xml
    } else if a.long {
        AdForm::Long
    } else {
        AdForm::None
    };
    let custom = a.af.is_some() || !a.formats.is_empty() || form != AdForm::None;
    let mut projection: Vec<String> = Vec::new();
    if let Some((_, attrs)) = &a.af {
        projection.extend(autoformat::attributes_of(attrs));
    } else if !a.formats.is_empty() {
        projection.extend(a.formats.iter().flat_map(|f| autoformat::attributes_of(std::slice::from_ref(&f.attr))));
    } else if form != AdForm::None {
        projection = a.attributes.clone();
    } else {
        projection = TABLE_ATTRS.iter().map(|s| s.to_string()).collect();
    }
    if a.af.as_ref().is_some_and(|(o, _)| o.job_id) {
        projection.extend(["ClusterId".to_string(), "ProcId".to_string()]);
    }
    let req = QueryRequest {
        select,
        projection,
        limit: a.limit,
        summary: !custom,
        summary_only: a.totals && !custom,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut ads: Vec<ClassAd> = Vec::new();
    let mut summary: Option<QuerySummary> = None;
    let mut error: Option<String> = None;
    let mut streamed = autoformat::Streamer::new(&a.af, &a.formats, form);
    let result = client::schedd::query_each_blocking(&client, &req, |line| {
        match line {
            QueryLine::Ad(w) => {
                let mut ad = ad_of(&w);
                if form != AdForm::None && !a.attributes.is_empty() {
                    // -attributes: only those (the schedd adds what their expressions read).
                    ad = only(&ad, &a.attributes);
                }
                if custom && streamed.streams() {
                    streamed.ad(&mut out, &ad);
                } else {
                    ads.push(ad);
                }
            }
            QueryLine::Summary(s) => summary = Some(s),
            QueryLine::Error(e) => error = Some(e.message),
        }
        true
    });
    if let Err(e) = result {
        return Err(query_error(&e));
    }
    if custom {
        streamed.finish(&mut out, &mut ads);
        let _ = out.flush();
        if let Some(e) = error {
            eprintln!("Error: {e}");
            return Ok(ExitCode::from(1));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let summary = summary.unwrap_or_default();
    let view = a.view.unwrap_or(if a.nobatch { View::NoBatch } else { View::Batch });
    let text = render::render(&ads, &summary, view, a.totals, a.partial, a.wide);
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    if let Some(e) = error {
        eprintln!("{e}");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The attributes of `ad` named in `names` (ignoring case).
pub(crate) fn only(ad: &ClassAd, names: &[String]) -> ClassAd {
    let mut out = ClassAd::new();
    for (n, e) in ad.iter_all() {
        if names.iter().any(|w| w.eq_ignore_ascii_case(n)) {
            out.insert(n, e.clone());
        }
    }
    out
}

/// The selection of jobs the restrictions and constraints name.
fn selector(a: &Args) -> JobSelector {
    let mut select = JobSelector { ids: a.ids.clone(), owners: a.owners.clone(), ..Default::default() };
    if !a.all_users && a.ids.is_empty() && a.owners.is_empty() {
        select.owners = vec![my_user()];
    }
    if !a.constraints.is_empty() {
        select.constraint = Some(if a.constraints.len() == 1 {
            a.constraints[0].clone()
        } else {
            a.constraints.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(" && ")
        });
    }
    select
}

/// `-analyze` / `-better-analyze`: whole job ads from the schedd, slot ads
/// (without dynamic slots) from the collector, compared here.
fn run_analysis(a: &Args, client: &BlockingClient, better: bool) -> Result<ExitCode, String> {
    let req = QueryRequest { select: selector(a), projection: Vec::new(), limit: a.limit, summary: true, summary_only: false };
    let mut ads: Vec<ClassAd> = Vec::new();
    let mut summary: Option<QuerySummary> = None;
    let mut error: Option<String> = None;
    client::schedd::query_each_blocking(client, &req, |line| {
        match line {
            QueryLine::Ad(w) => ads.push(ad_of(&w)),
            QueryLine::Summary(s) => summary = Some(s),
            QueryLine::Error(e) => error = Some(e.message),
        }
        true
    })
    .map_err(|e| query_error(&e))?;
    if let Some(e) = error {
        return Err(format!("Error: {e}"));
    }
    ads.sort_by_key(|ad| (attrs::int(ad, "ClusterId").unwrap_or(0), attrs::int(ad, "ProcId").unwrap_or(0)));
    let collector = connect_collector(a.pool.as_deref())?;
    let q = proto::collector::AdQuery {
        ad_type: Some(proto::collector::ad_type::MACHINE.to_string()),
        constraint: Some("!(DynamicSlot?:false)".to_string()),
        projection: Vec::new(),
        limit: None,
    };
    let slots = client::collector::query_blocking(&collector, &q).map_err(|e| format!("Error:  Could not fetch startd ads\n{e}"))?;
    let mut slots = analyze::Slots::new(slots.iter().map(ad_of).collect());
    let summary = summary.unwrap_or_default();
    let label = format!("Schedd: {} : {}", summary.schedd_name, render::summarize_address(&summary.schedd_address));
    let text = analyze::render(&ads, &mut slots, &label, better);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    Ok(ExitCode::SUCCESS)
}

/// A failed query, as condor_q reports it.
pub(crate) fn query_error(e: &client::ClientError) -> String {
    match e.api() {
        Some(api) => match &api.hint {
            Some(h) => format!("Error: {}\n{h}", api.message),
            None => format!("Error: {}", api.message),
        },
        None => format!("-- Failed to fetch ads from the schedd: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_and_restrictions_parse_like_condor_q() {
        let a = parse(&args(&["2", "alice", "-const", "JobStatus == 2", "-nob", "-lim", "3"])).unwrap();
        assert_eq!(a.ids, [JobSpec::Cluster(2)]);
        assert_eq!(a.owners, ["alice"]);
        assert_eq!(a.constraints, ["JobStatus == 2"]);
        assert!(a.nobatch && a.partial);
        assert_eq!(a.limit, Some(3));
        let a = parse(&args(&["-af:h", "Owner", "JobId", "-totals"])).unwrap();
        let (o, attrs) = a.af.unwrap();
        assert!(o.headings);
        assert_eq!(attrs, ["Owner", "JobId"]);
        assert!(a.totals);
        assert!(parse(&args(&["-bogus"])).is_err());
        assert!(parse(&args(&["12x"])).is_err());
    }
}
