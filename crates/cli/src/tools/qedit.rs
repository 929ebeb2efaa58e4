//! `condor_qedit`: set attributes of queued jobs, selected by job ids,
//! cluster ids, an owner or a constraint, with HTCondor's argument rules
//! and words: `Set attribute "Foo" for 1 matching jobs.`, `Failed to set
//! attribute "Foo" for job 9.0.`, `Queue transaction failed.  No
//! attributes were set.` (exit status 1).
//!
//! Arguments: the first bare argument (before any `-constraint`,
//! `-owner`, `-jobids`) names jobs — ids if it starts with a digit (and so
//! do the digit arguments right after it), else an owner; then come
//! `attr value` pairs or `attr=value` words. The value after an attribute
//! is taken as it is, even when it starts with `-`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use proto::job::JobSpec;
use proto::schedd::{EditRequest, JobSelector};
use proto::JobId;

use super::q::connect_schedd;

const USAGE: &str = "Usage: condor_qedit [general-opts] target attribute-name attribute-value ...
 [general-opts] are
\t-name <schedd-name>\tUse the named schedd
\t-pool <pool-name>\tUse the given central manager to find the schedd
\t-dry-run\t\tShow what would be changed, change nothing
 target is one of
\t<cluster-id>[.<proc-id>]\tEdit jobs by id (several ids may follow)
\t<owner>\t\t\tEdit all jobs of an owner
\t-owner <owner>\t\tEdit all jobs of an owner
\t-jobids <id-list>\tEdit the jobs of a comma or space separated list
\t-constraint <expr>\tEdit all jobs matching the expression
 attribute-value is a ClassAd expression (quote strings: '\"text\"');
 attribute=value in one argument is the same as attribute value";

/// The attributes no one may change (HTCondor's `SYSTEM_IMMUTABLE_JOB_ATTRS`).
const IMMUTABLE: &[&str] = &["Owner", "ClusterId", "JobUniverse", "ProcId", "MyType", "TargetType", "User", "OsUser"];

fn usage_exit(code: u8) -> ExitCode {
    if code == 0 {
        println!("{USAGE}");
    } else {
        eprintln!("{USAGE}");
    }
    ExitCode::from(code)
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(1)
}

/// HTCondor's option matching: at least `min` letters of `name`.
fn is_opt(arg: &str, name: &str, min: usize) -> bool {
    let a = arg.strip_prefix('-').unwrap_or("");
    let a = a.split(':').next().unwrap_or(a);
    !a.is_empty() && a.len() >= min.min(name.len()) && name.starts_with(a)
}

/// A job id argument: `C` or `C.P`.
fn job_id(arg: &str) -> Option<JobSpec> {
    arg.parse::<JobSpec>().ok()
}

/// HTCondor's constraint for a set of job ids (as its error messages show it).
fn jobid_constraint(ids: &[JobSpec]) -> String {
    let mut by_cluster: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for id in ids {
        match *id {
            JobSpec::Cluster(c) => {
                by_cluster.entry(c).or_default();
            }
            JobSpec::Job(j) => by_cluster.entry(j.cluster).or_default().push(j.proc),
        }
    }
    let mut out = String::new();
    for (c, mut procs) in by_cluster {
        if c <= 0 {
            continue;
        }
        procs.sort();
        procs.dedup();
        if !out.is_empty() {
            out.push_str("|| ");
        }
        match procs.len() {
            0 => out.push_str(&format!("ClusterId == {c} ")),
            1 => out.push_str(&format!("( ClusterId == {c} && ProcId == {} )", procs[0])),
            _ => {
                let list: Vec<String> = procs.iter().map(|p| format!("ProcId == {p} ")).collect();
                out.push_str(&format!("( ClusterId == {c} && ({}))", list.join(" || ")));
            }
        }
    }
    out
}

/// HTCondor's `GenericQuery` form of and-ed constraints: `( (a) && (b) )`.
fn query_text(parts: &[String]) -> String {
    if parts.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = parts.iter().map(|p| format!("({p})")).collect();
    format!("( {} )", inner.join(" && "))
}

fn valid_attr_name(a: &str) -> bool {
    !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !a.starts_with(|c: char| c.is_ascii_digit())
}

pub fn main(args: &[String]) -> ExitCode {
    if args.is_empty() {
        return usage_exit(1);
    }
    let mut name = None;
    let mut pool = None;
    let mut dry_run = false;
    let mut ids: Vec<JobSpec> = Vec::new();
    let mut owner: Option<String> = None;
    let mut constraints: Vec<String> = Vec::new();
    let mut edits: BTreeMap<String, String> = BTreeMap::new();
    let mut target_open = true;
    let mut aborted = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = |what: &str, allow_dash: bool| -> Result<String, ExitCode> {
            i += 1;
            match args.get(i) {
                Some(v) if allow_dash || !v.starts_with('-') => Ok(v.clone()),
                _ => Err(fail(&format!("condor_qedit: {a} requires {what}"))),
            }
        };
        if is_opt(a, "help", 1) {
            return usage_exit(0);
        } else if is_opt(a, "name", 1) {
            match value("a SCHEDD name as an argument", false) {
                Ok(v) => name = Some(v),
                Err(e) => return e,
            }
        } else if is_opt(a, "pool", 1) {
            match value("a HTCondor collector name or address as an argument", false) {
                Ok(v) => pool = Some(v),
                Err(e) => return e,
            }
        } else if is_opt(a, "debug", 1) || is_opt(a, "diagnostic", 4) {
        } else if is_opt(a, "dry-run", 3) {
            dry_run = true;
        } else if is_opt(a, "constraint", 1) {
            let c = match value("a ClassAd expression an argument", true) {
                Ok(v) => v,
                Err(e) => return e,
            };
            if classad::Expr::parse_old(&c).is_err() {
                return fail(&format!("condor_qedit: invalid constraint: {c}"));
            }
            constraints.push(c);
            target_open = false;
        } else if is_opt(a, "owner", 1) {
            match value("a owner name argument", false) {
                Ok(v) => {
                    constraints.push(format!("Owner==\"{v}\""));
                    owner = Some(v);
                }
                Err(e) => return e,
            }
            target_open = false;
        } else if is_opt(a, "jobids", 1) {
            let list = match value("a list of job ids as an argument", false) {
                Ok(v) => v,
                Err(e) => return e,
            };
            for w in list.split([',', ' ']).filter(|w| !w.is_empty()) {
                match job_id(w) {
                    Some(s) => ids.push(s),
                    None => return fail(&format!("condor_qedit: {w} is not a job id")),
                }
            }
            target_open = false;
        } else if a.starts_with('-') {
            eprintln!("condor_qedit: {a} is not a valid option");
            return usage_exit(1);
        } else if target_open {
            target_open = false;
            if a.starts_with(|c: char| c.is_ascii_digit()) {
                let mut words = vec![a.to_string()];
                while i + 1 < args.len() && args[i + 1].starts_with(|c: char| c.is_ascii_digit()) {
                    i += 1;
                    words.push(args[i].clone());
                }
                for w in words {
                    match job_id(&w) {
                        Some(s) => ids.push(s),
                        None => return fail(&format!("condor_qedit: {w} is not a job id")),
                    }
                }
            } else {
                constraints.push(format!("Owner==\"{a}\""));
                owner = Some(a.to_string());
            }
        } else {
            let (attr, val) = match a.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                None => {
                    i += 1;
                    match args.get(i) {
                        Some(v) => (a.to_string(), v.clone()),
                        None => {
                            eprintln!("condor_qedit : expression required after attribute {a}");
                            return usage_exit(1);
                        }
                    }
                }
            };
            if !valid_attr_name(&attr) {
                eprintln!("Update aborted, illegal attribute-name specified for attribute \"{attr}\".");
                aborted = true;
                break;
            }
            if val.trim().is_empty() || classad::Expr::parse_old(&val).is_err() {
                eprintln!("Update aborted, illegal value for : {attr}");
                aborted = true;
                break;
            }
            // The last value given for an attribute wins.
            edits.insert(attr, val);
        }
        i += 1;
    }
    if !aborted {
        if ids.is_empty() && constraints.is_empty() {
            if !edits.is_empty() {
                eprintln!("condor_qedit : Error - there were no jobs specified.\n\tuse -constraint, jobid or owner argument to indicate which jobs to edit");
            }
            return usage_exit(1);
        }
        if edits.is_empty() {
            eprintln!("condor_qedit : Error - no attributes specifed.");
            return usage_exit(1);
        }
        for attr in edits.keys() {
            if IMMUTABLE.iter().any(|x| x == attr) {
                eprintln!("Update of immutable attribute \"{attr}\" is not allowed.");
                aborted = true;
            }
        }
    }
    if aborted {
        return fail("Transaction failed.  No attributes were set.");
    }
    // Full ids alone are edited job by job; cluster ids or other
    // restrictions make one constraint of them all.
    let full: Vec<JobId> = ids.iter().filter_map(|s| if let JobSpec::Job(j) = s { Some(*j) } else { None }).collect();
    let by_ids = !ids.is_empty() && full.len() == ids.len() && constraints.is_empty();
    let mut parts = constraints.clone();
    if !ids.is_empty() && !by_ids {
        parts.push(jobid_constraint(&ids));
    }
    let constraint_text = query_text(&parts);
    let client = match connect_schedd(name.as_deref(), pool.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(&format!("condor_qedit: ERROR: Can't find address of local schedd\n{e}")),
    };
    let select = if by_ids {
        JobSelector { ids: full.iter().map(|j| JobSpec::Job(*j)).collect(), ..Default::default() }
    } else {
        let mut s = JobSelector { ids: ids.clone(), owners: owner.into_iter().collect(), ..Default::default() };
        let others: Vec<String> = constraints.iter().filter(|c| !c.starts_with("Owner==\"")).cloned().collect();
        if !others.is_empty() {
            s.constraint = Some(others.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(" && "));
        }
        s
    };
    let tag = if dry_run { "Can " } else { "" };
    for (attr, value) in &edits {
        if dry_run {
            // Ask which jobs match without changing them.
            let q = proto::schedd::QueryRequest { select: select.clone(), projection: vec!["ClusterId".into(), "ProcId".into()], ..Default::default() };
            let mut n = 0usize;
            if let Err(e) = client::schedd::query_each_blocking(&client, &q, |l| {
                if matches!(l, proto::schedd::QueryLine::Ad(_)) {
                    n += 1;
                }
                true
            }) {
                return fail(&format!("condor_qedit: {}", super::q::query_error(&e)));
            }
            if n == 0 && !by_ids {
                eprintln!("No jobs match the constraint: {constraint_text}");
                return fail("Queue transaction failed.  No attributes were set.");
            }
            println!("{tag}Set attribute \"{attr}\" for {n} matching jobs.");
            continue;
        }
        let req = EditRequest { select: select.clone(), attr: attr.clone(), value: value.clone() };
        let result = client::schedd::edit_blocking(&client, &req);
        let failed = match &result {
            Ok(r) if by_ids => full.iter().find(|j| !r.edited.contains(j)).map(|j| format!("Failed to set attribute \"{attr}\" for job {j}.")),
            Ok(r) if r.edited.is_empty() => Some(format!("Failed to set attribute \"{attr}\" by constraint: {constraint_text}")),
            Ok(_) => None,
            Err(_) if by_ids => Some(format!("Failed to set attribute \"{attr}\" for job {}.", full[0])),
            Err(_) => Some(format!("Failed to set attribute \"{attr}\" by constraint: {constraint_text}")),
        };
        if let Some(msg) = failed {
            eprintln!("{msg}");
            // Why, when the schedd says more than that nothing matched.
            if let Err(e) = &result {
                match e.api() {
                    Some(api) if api.code == "not_found" => {}
                    Some(api) => eprintln!("hint: {}", api.message),
                    None => eprintln!("hint: {e}"),
                }
            }
            return fail("Queue transaction failed.  No attributes were set.");
        }
        let n = result.map(|r| r.edited.len()).unwrap_or(0);
        let count = if n > 0 { n.to_string() } else { "all".to_string() };
        println!("{tag}Set attribute \"{attr}\" for {count} matching jobs.");
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_read_as_htcondor_writes_them() {
        let ids = vec![JobSpec::Job(JobId { cluster: 1, proc: 0 }), JobSpec::Cluster(2), JobSpec::Job(JobId { cluster: 3, proc: 1 }), JobSpec::Job(JobId { cluster: 3, proc: 4 })];
        assert_eq!(jobid_constraint(&ids), "( ClusterId == 1 && ProcId == 0 )|| ClusterId == 2 || ( ClusterId == 3 && (ProcId == 1  || ProcId == 4 ))");
        assert_eq!(query_text(&["JobStatus == 1".into()]), "( (JobStatus == 1) )");
        assert_eq!(query_text(&["a".into(), "b".into()]), "( (a) && (b) )");
        assert!(valid_attr_name("Foo_2") && !valid_attr_name("2x") && !valid_attr_name("a.b") && !valid_attr_name(""));
    }
}
