//! `condor_rm`, `condor_hold`, `condor_release`, `condor_vacate_job`: act
//! on jobs named by id, cluster, owner, constraint or `-all`, and say what
//! happened in HTCondor's words (`Job 2.2 marked for removal`, `All jobs of
//! user "u" have been held`, `Couldn't find/remove all jobs …`), with its
//! exit status: 1 when any named job could not be acted on.

use std::process::ExitCode;

use proto::job::JobSpec;
use proto::schedd::{ActOutcome, ActRequest, ActResponse, JobAction, JobSelector, QueryLine, QueryRequest};
use proto::JobId;

use super::q::connect_schedd;

/// How one tool names its action.
struct Verb {
    tool: &'static str,
    action: JobAction,
    past: &'static str,
    present: &'static str,
}

fn verb(name: &str, forcex: bool, fast: bool) -> Verb {
    match name {
        "hold" => Verb { tool: "condor_hold", action: JobAction::Hold, past: "held", present: "hold" },
        "release" => Verb { tool: "condor_release", action: JobAction::Release, past: "released", present: "release" },
        "vacate_job" if fast => {
            Verb { tool: "condor_vacate_job", action: JobAction::VacateFast, past: "fast-vacated", present: "fast-vacate" }
        }
        "vacate_job" => Verb { tool: "condor_vacate_job", action: JobAction::Vacate, past: "vacated", present: "vacate" },
        "suspend" => Verb { tool: "condor_suspend", action: JobAction::Suspend, past: "suspended", present: "suspend" },
        "continue" => Verb { tool: "condor_continue", action: JobAction::Continue, past: "continued", present: "continue" },
        _ if forcex => Verb {
            tool: "condor_rm",
            action: JobAction::RemoveX,
            past: "removed locally (remote state unknown)",
            present: "remove",
        },
        _ => Verb { tool: "condor_rm", action: JobAction::Remove, past: "marked for removal", present: "remove" },
    }
}

/// The message for one job's outcome (HTCondor's `getResultString`), and
/// whether it is a success.
fn job_message(id: JobId, outcome: Option<ActOutcome>, v: &Verb) -> (String, bool) {
    match outcome {
        Some(ActOutcome::Done) => (format!("Job {id} {}", v.past), true),
        Some(ActOutcome::NotFound) | None => (format!("Job {id} not found"), false),
        Some(ActOutcome::PermissionDenied) => {
            let what = match v.action {
                JobAction::RemoveX => "force removal of",
                _ => v.present,
            };
            (format!("Permission denied to {what} job {id}"), false)
        }
        Some(ActOutcome::BadStatus) => {
            let text = match v.action {
                JobAction::Release => format!("Job {id} not held to be released"),
                JobAction::RemoveX => format!("Job {id} not in `X' state to be forcibly removed"),
                JobAction::Vacate => format!("Job {id} not running to be vacated"),
                JobAction::VacateFast => format!("Job {id} not running to be fast-vacated"),
                JobAction::Suspend => format!("Job {id} not running to be suspended"),
                JobAction::Continue => format!("Job {id} not running to be continued"),
                _ => format!("Invalid result for job {id}"),
            };
            (text, false)
        }
        Some(ActOutcome::AlreadyDone) => {
            let text = match v.action {
                JobAction::Hold => format!("Job {id} already held"),
                JobAction::Remove => format!("Job {id} already marked for removal"),
                JobAction::Suspend => format!("Job {id} already suspended"),
                JobAction::Continue => format!("Job {id} already running"),
                JobAction::RemoveX => format!("Job {id} already marked for forced removal"),
                _ => format!("Invalid result for job {id}"),
            };
            (text, false)
        }
    }
}

#[derive(Default, Debug)]
struct Args {
    jobs: Vec<JobId>,
    clusters: Vec<i64>,
    users: Vec<String>,
    constraints: Vec<String>,
    all: bool,
    held: bool,
    reason: Option<String>,
    subcode: Option<i64>,
    name: Option<String>,
    pool: Option<String>,
    forcex: bool,
    fast: bool,
    totals: bool,
}

fn usage(tool: &str, present: &str) -> String {
    format!(
        "Usage: {tool} [options] [constraints]
 where [options] is zero or more of:
  -help               Display this message and exit
  -version            Display version information and exit
  -totals             Display success/failure totals
  -name schedd_name   Connect to the given schedd
  -pool hostname      Use the given central manager to find daemons
  -reason reason      Use the given reason
 and where [constraints] is one of:
  cluster.proc        {present} the given job
  cluster             {present} the given cluster of jobs
  user                {present} all jobs owned by user
  -constraint expr    {present} all jobs matching the boolean expression
  -all                {present} all jobs (cannot be used with other constraints)"
    )
}

/// Is `arg` a number as HTCondor's `str_isint`/`str_isreal` see one?
fn numeric(arg: &str) -> bool {
    let digits = arg.strip_prefix('+').unwrap_or(arg);
    !digits.is_empty() && digits.parse::<f64>().is_ok() && digits.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

/// `strtol`: the leading integer of `s` (0 when there is none) and the rest.
fn leading_int(s: &str) -> (i64, &str) {
    let b = s.as_bytes();
    let mut k = 0;
    if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
        k += 1;
    }
    let start = k;
    while k < b.len() && b[k].is_ascii_digit() {
        k += 1;
    }
    if k == start {
        return (0, s);
    }
    (s[..k].parse().unwrap_or(i64::MAX), &s[k..])
}

/// HTCondor's option order and shortest prefixes (`-a` is `-all`, `-h` is
/// `-help`, `-tot` is `-totals`). Bad cluster or proc numbers are reported
/// and make the exit status 1 without stopping the other ids.
fn parse(tool: &str, args: &[String], bad: &mut bool) -> Result<Args, String> {
    let mut a = Args::default();
    let mut i = 0;
    let is_rm = tool == "condor_rm";
    let is_vacate = tool == "condor_vacate_job";
    let opt = |arg: &str, name: &str, min: usize| {
        let s = arg.strip_prefix('-').unwrap_or("");
        let s = s.split(':').next().unwrap_or(s);
        !s.is_empty() && s.len() >= min.min(name.len()) && name.starts_with(s)
    };
    if args.is_empty() {
        return Err("You did not specify any jobs".to_string());
    }
    while i < args.len() {
        let arg = args[i].as_str();
        let mut value = |what: &str, no_dash: bool| -> Result<String, String> {
            i += 1;
            match args.get(i) {
                Some(v) if !(no_dash && v.starts_with('-')) => Ok(v.clone()),
                _ => Err(format!("{tool}: -{what} requires another argument")),
            }
        };
        if arg.starts_with('-') {
            if opt(arg, "debug", 1) || opt(arg, "long", 1) {
                // Accepted; the answer is the same.
            } else if opt(arg, "totals", 3) {
                a.totals = true;
            } else if opt(arg, "constraint", 1) {
                a.constraints.push(value("constraint", true)?);
                a.all = false;
            } else if opt(arg, "all", 1) {
                if !a.constraints.is_empty() || !a.clusters.is_empty() || !a.users.is_empty() || !a.jobs.is_empty() {
                    return Err(format!("{tool}: can't mix -all with other constraints"));
                }
                a.all = true;
            } else if opt(arg, "held", 3) || opt(arg, "hold", 3) {
                a.held = true;
            } else if opt(arg, "addr", 2) {
                let v = value("addr", true)?;
                return Err(format!("{tool}: \"{v}\" is not a valid address\nUse -name to name a schedd; Aerie's daemons are found by name or through the collector"));
            } else if opt(arg, "reason", 1) {
                a.reason = Some(value("reason", false)?);
            } else if opt(arg, "subcode", 1) {
                let v = value("subcode", false)?;
                a.subcode = Some(v.parse().map_err(|_| format!("Invalid -subcode {v}!"))?);
            } else if opt(arg, "forcex", if is_rm { 1 } else { 2 }) {
                if !is_rm {
                    return Err("-forcex is only valid with condor_rm".into());
                }
                a.forcex = true;
            } else if opt(arg, "transfer", 2) {
                if !is_rm {
                    return Err("-transfer is only valid with condor_rm".into());
                }
                return Err(format!("{tool}: -transfer (remove after transferring output) is not supported by this schedd"));
            } else if opt(arg, "fast", if is_vacate { 1 } else { 2 }) {
                if !is_vacate {
                    return Err("-fast is only valid with condor_vacate_job".into());
                }
                a.fast = true;
            } else if opt(arg, "name", 1) {
                a.name = Some(value("name", false)?);
            } else if opt(arg, "pool", 1) {
                a.pool = Some(value("pool", false)?);
            } else if opt(arg, "version", 1) {
                return Err("\0version".into());
            } else if opt(arg, "help", 1) {
                return Err(String::new());
            } else {
                return Err(format!("Unrecognized option: {arg}"));
            }
        } else if a.all {
            return Err(format!("{tool}: can't mix -all with other constraints"));
        } else if numeric(arg) {
            let (c, rest) = leading_int(arg);
            if c <= 0 {
                eprintln!("Invalid cluster # from {arg}.");
                *bad = true;
            } else if rest.is_empty() {
                a.clusters.push(c);
            } else if let Some(r) = rest.strip_prefix('.') {
                let (p, rest) = leading_int(r);
                if p < 0 {
                    eprintln!("Invalid proc # from {arg}.");
                    *bad = true;
                } else if rest.is_empty() {
                    a.jobs.push(JobId { cluster: c, proc: p });
                } else {
                    eprintln!("Warning: unrecognized \"{arg}\" skipped.");
                }
            } else {
                eprintln!("Warning: unrecognized \"{arg}\" skipped.");
            }
        } else {
            a.users.push(arg.to_string());
        }
        i += 1;
    }
    if !a.all && a.jobs.is_empty() && a.clusters.is_empty() && a.users.is_empty() && a.constraints.is_empty() && !a.held {
        return Err("You did not specify any jobs".to_string());
    }
    Ok(a)
}

pub fn main(name: &str, args: &[String]) -> ExitCode {
    let probe = verb(name, false, false);
    let mut bad_ids = false;
    let a = match parse(probe.tool, args, &mut bad_ids) {
        Ok(a) => a,
        Err(e) if e == "\0version" => {
            println!("{}\n{}", daemon::version::condor_version_line(), daemon::version::condor_platform_line());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            if !e.is_empty() {
                eprintln!("{e}");
            }
            eprintln!("{}", usage(probe.tool, probe.present));
            return ExitCode::from(if e.is_empty() { 0 } else { 1 });
        }
    };
    let v = verb(name, a.forcex, a.fast);
    let client = match connect_schedd(a.name.as_deref(), a.pool.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {e}", v.tool);
            return ExitCode::from(1);
        }
    };
    let mut had_error = bad_ids;
    let send = |select: JobSelector| -> Result<ActResponse, String> {
        let req = ActRequest { action: v.action, select, reason: a.reason.clone(), reason_code: a.subcode };
        client::schedd::act_blocking(&client, &req).map_err(|e| match e.api() {
            Some(api) => api.message.clone(),
            None => e.to_string(),
        })
    };
    let mut lines: Vec<(String, bool)> = Vec::new();
    if !a.jobs.is_empty() && !a.held {
        if !a.constraints.is_empty() {
            eprintln!("Warning, -constraint is ignored for fully qualified job ids");
        }
        match send(JobSelector { ids: a.jobs.iter().map(|j| JobSpec::Job(*j)).collect(), ..Default::default() }) {
            Ok(resp) => {
                for id in &a.jobs {
                    let outcome = resp.results.iter().find(|(j, _)| j == id).map(|(_, o)| *o);
                    let (text, ok) = job_message(*id, outcome, &v);
                    had_error |= !ok;
                    lines.push((text, ok));
                }
                if a.totals {
                    print_totals(&resp);
                }
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(1);
            }
        }
    }
    if had_error {
        eprintln!();
    }
    for (text, ok) in &lines {
        if *ok {
            println!("{text}");
        } else {
            eprintln!("{text}");
        }
    }
    if let Some((select, cmsg)) = constraint_selection(&a) {
        let jobs_word = if a.held { "held jobs" } else { "jobs" };
        match send(select) {
            Ok(resp) => {
                if a.totals {
                    print_totals(&resp);
                }
                if resp.done() > 0 {
                    println!("All {jobs_word}{cmsg} have been {}", v.past);
                } else if queue_is_empty(&client) {
                    // Nothing to act on is not an error when the queue is empty.
                    eprintln!("{}:0:There are no jobs in the queue", v.tool);
                } else {
                    eprintln!();
                    eprintln!("Couldn't find/{} all {jobs_word}{cmsg}", v.present);
                    had_error = true;
                }
            }
            Err(e) => {
                eprintln!("{e}");
                eprintln!("Couldn't find/{} all {jobs_word}{cmsg}", v.present);
                had_error = true;
            }
        }
    }
    if had_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// True when the schedd holds no jobs at all (of any user).
fn queue_is_empty(client: &client::BlockingClient) -> bool {
    let req = QueryRequest { select: JobSelector { all: true, ..Default::default() }, summary: true, summary_only: true, ..Default::default() };
    let mut jobs = None;
    let _ = client::schedd::query_each_blocking(client, &req, |l| {
        if let QueryLine::Summary(s) = l {
            jobs = Some(s.all_users.jobs);
        }
        true
    });
    jobs == Some(0)
}

fn print_totals(r: &ActResponse) {
    let n = |o: ActOutcome| r.results.iter().filter(|(_, x)| *x == o).count();
    println!(
        "{} Succeeded, 0 Failed, {} Not Found, {} Bad Status, {} Already Done, {} Permission Denied",
        n(ActOutcome::Done),
        n(ActOutcome::NotFound) + r.not_found.len(),
        n(ActOutcome::BadStatus),
        n(ActOutcome::AlreadyDone),
        n(ActOutcome::PermissionDenied)
    );
}

/// The selection for clusters, users, constraints and `-all`, with the
/// words HTCondor uses for it (` of user "u"`, ` in cluster 2`, ` matching
/// constraint (…)`, or nothing for `-all`).
fn constraint_selection(a: &Args) -> Option<(JobSelector, String)> {
    let mut usercluster: Vec<String> = Vec::new();
    usercluster.extend(a.clusters.iter().map(|c| format!("ClusterId == {c}")));
    usercluster.extend(a.users.iter().map(|u| format!("Owner == \"{u}\"")));
    if a.held {
        usercluster.extend(a.jobs.iter().map(|j| format!("(ClusterId == {} && ProcId == {})", j.cluster, j.proc)));
    }
    let held = if a.held { Some("JobStatus == 5".to_string()) } else { None };
    if a.all {
        let select = JobSelector { all: true, constraint: held, ..Default::default() };
        return Some((select, String::new()));
    }
    if usercluster.is_empty() && a.constraints.is_empty() {
        if a.held {
            let select = JobSelector { all: true, constraint: held, ..Default::default() };
            return Some((select, String::new()));
        }
        return None;
    }
    let simple_cluster = a.clusters.len() == 1 && a.users.is_empty() && a.constraints.is_empty() && !(a.held && !a.jobs.is_empty());
    let simple_user = a.users.len() == 1 && a.clusters.is_empty() && a.constraints.is_empty() && !(a.held && !a.jobs.is_empty());
    if simple_cluster {
        let select = JobSelector { ids: vec![JobSpec::Cluster(a.clusters[0])], constraint: held, ..Default::default() };
        return Some((select, format!(" in cluster {}", a.clusters[0])));
    }
    if simple_user {
        let select = JobSelector { owners: a.users.clone(), constraint: held, ..Default::default() };
        return Some((select, format!(" of user \"{}\"", a.users[0])));
    }
    // The general case: HTCondor's combined constraint, and its text in the message.
    let mut text = String::new();
    let mut parts: Vec<String> = a.constraints.clone();
    if !usercluster.is_empty() {
        parts.push(usercluster.join(" || "));
    }
    if parts.len() == 1 {
        text.push_str(&parts[0]);
    } else {
        text = parts.iter().map(|p| format!("({p})")).collect::<Vec<_>>().join(" && ");
    }
    let constraint = match &held {
        Some(h) => format!("{text} && ({h})"),
        None => text.clone(),
    };
    Some((JobSelector { constraint: Some(constraint), ..Default::default() }, format!(" matching constraint ({text})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(v: &[&str]) -> Args {
        parse("condor_rm", &v.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &mut false).unwrap()
    }

    #[test]
    fn messages_follow_htcondor() {
        let v = verb("rm", false, false);
        let id = JobId { cluster: 2, proc: 2 };
        assert_eq!(job_message(id, Some(ActOutcome::Done), &v).0, "Job 2.2 marked for removal");
        assert_eq!(job_message(JobId { cluster: 999, proc: 0 }, None, &v), ("Job 999.0 not found".to_string(), false));
        let h = verb("hold", false, false);
        assert_eq!(job_message(id, Some(ActOutcome::AlreadyDone), &h).0, "Job 2.2 already held");
        assert_eq!(job_message(id, Some(ActOutcome::Done), &h).0, "Job 2.2 held");
        let r = verb("release", false, false);
        assert_eq!(job_message(id, Some(ActOutcome::BadStatus), &r).0, "Job 2.2 not held to be released");
    }

    #[test]
    fn selections_and_their_words() {
        let (s, m) = constraint_selection(&a(&["-constraint", "JobStatus == 4"])).unwrap();
        assert_eq!(s.constraint.as_deref(), Some("JobStatus == 4"));
        assert_eq!(m, " matching constraint (JobStatus == 4)");
        let (s, m) = constraint_selection(&a(&["bob"])).unwrap();
        assert_eq!((s.owners, m.as_str()), (vec!["bob".to_string()], " of user \"bob\""));
        let (_, m) = constraint_selection(&a(&["7"])).unwrap();
        assert_eq!(m, " in cluster 7");
        let (s, m) = constraint_selection(&a(&["-all"])).unwrap();
        assert!(s.all && m.is_empty());
        let (_, m) = constraint_selection(&a(&["7", "8"])).unwrap();
        assert_eq!(m, " matching constraint (ClusterId == 7 || ClusterId == 8)");
        assert!(constraint_selection(&a(&["7.1"])).is_none());
        assert!(parse("condor_rm", &[], &mut false).is_err());
        assert!(parse("condor_rm", &["-all".to_string(), "bob".to_string()], &mut false).is_err());
        // HTCondor's shortest prefixes: -a is -all, -h is -help, -t is nothing.
        assert!(a(&["-a"]).all);
        assert_eq!(parse("condor_rm", &["-h".to_string()], &mut false).unwrap_err(), "");
        assert!(parse("condor_rm", &["-t".to_string(), "1".to_string()], &mut false).is_err());
        assert!(a(&["-tot", "1"]).totals);
        let mut bad = false;
        let got = parse("condor_rm", &["0".to_string(), "3.1".to_string(), "2x".to_string()], &mut bad).unwrap();
        assert!(bad, "cluster 0 is invalid");
        assert_eq!(got.jobs, [JobId { cluster: 3, proc: 1 }]);
        assert_eq!(got.users, ["2x"], "HTCondor takes 2x for a user name");
        assert!(parse("condor_hold", &["-forcex".to_string(), "1".to_string()], &mut false).is_err());
    }
}
