//! `condor_qedit`: set attributes of queued jobs, selected by id, cluster,
//! owner or constraint: `Set attribute "Foo" for 1 matching jobs.`

use std::process::ExitCode;

use proto::job::JobSpec;
use proto::schedd::{EditRequest, JobSelector};

use super::q::connect_schedd;

const USAGE: &str = "Usage: condor_qedit [general-opts] target attribute-name attribute-value ...
 [general-opts] are
\t-name <schedd-name>\tUse the named schedd
\t-pool <pool-name>\tUse the given central manager to find the schedd
 target is one of
\t<cluster-id>\t\tEdit the jobs of a cluster
\t<cluster-id>.<proc-id>\tEdit one job
\t<owner>\t\t\tEdit all jobs of an owner
\t-constraint <expr>\tEdit all jobs matching the expression
 attribute-value is a ClassAd expression (quote strings: '\"text\"')";

pub fn main(args: &[String]) -> ExitCode {
    let mut name = None;
    let mut pool = None;
    let mut constraint: Option<String> = None;
    let mut owner: Option<String> = None;
    let mut ids: Vec<JobSpec> = Vec::new();
    let mut rest: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let takes = |i: &mut usize| -> Option<String> {
            *i += 1;
            args.get(*i).cloned()
        };
        match a {
            "-n" | "-name" => match takes(&mut i) {
                Some(v) => name = Some(v),
                None => return fail("condor_qedit: -name requires a SCHEDD name as an argument"),
            },
            "-pool" => match takes(&mut i) {
                Some(v) => pool = Some(v),
                None => return fail("condor_qedit: -pool requires a HTCondor collector name or address as an argument"),
            },
            "-constraint" | "-const" => match takes(&mut i) {
                Some(v) => constraint = Some(v),
                None => return fail("condor_qedit: -constraint requires a ClassAd expression an argument"),
            },
            "-owner" => match takes(&mut i) {
                Some(v) => owner = Some(v),
                None => return fail("condor_qedit: -owner requires a owner name argument"),
            },
            "-debug" => {}
            "-h" | "-help" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if a.starts_with('-') && a.len() > 1 && rest.is_empty() && a.chars().nth(1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                return fail(&format!("condor_qedit: {a} is not a valid option\n{USAGE}"));
            }
            _ => {
                let target_done = constraint.is_some() || owner.is_some() || !rest.is_empty();
                if !target_done && a.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    match a.parse::<JobSpec>() {
                        Ok(s) => ids.push(s),
                        Err(e) => return fail(&format!("condor_qedit: {e}")),
                    }
                } else if !target_done && ids.is_empty() && owner.is_none() {
                    owner = Some(a.to_string());
                } else {
                    rest.push(a.to_string());
                }
            }
        }
        i += 1;
    }
    if !ids.is_empty() && constraint.is_some() {
        return fail("condor_qedit : Error, cannot use both constraint and jobids");
    }
    if ids.is_empty() && constraint.is_none() && owner.is_none() {
        return fail("condor_qedit : Error - there were no jobs specified.\n\tuse -constraint, jobid or owner argument to indicate which jobs to edit");
    }
    if rest.is_empty() {
        return fail("condor_qedit : Error - no attributes specifed.");
    }
    if rest.len() % 2 == 1 {
        return fail(&format!("condor_qedit : expression required after attribute {}", rest[rest.len() - 1]));
    }
    // HTCondor applies the edits in attribute-name order.
    let mut pairs: Vec<(String, String)> = rest.chunks(2).map(|c| (c[0].clone(), c[1].clone())).collect();
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    pairs.dedup_by(|a, b| a.0 == b.0);
    for (attr, value) in &pairs {
        if attr.is_empty() || !attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || attr.starts_with(|c: char| c.is_ascii_digit()) {
            eprintln!("Update aborted, illegal attribute-name specified for attribute \"{attr}\".");
            return fail("Queue transaction failed.  No attributes were set.");
        }
        if classad::Expr::parse_old(if value.is_empty() { "undefined" } else { value }).is_err() {
            eprintln!("Update aborted, illegal value for : {attr}");
            return fail("Queue transaction failed.  No attributes were set.");
        }
    }
    let client = match connect_schedd(name.as_deref(), pool.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(&format!("condor_qedit: {e}")),
    };
    let select = JobSelector { ids: ids.clone(), owners: owner.into_iter().collect(), constraint: constraint.clone(), all: false };
    for (attr, value) in pairs {
        let value = if value.is_empty() { "undefined".to_string() } else { value };
        let req = EditRequest { select: select.clone(), attr: attr.clone(), value };
        match client::schedd::edit_blocking(&client, &req) {
            Ok(r) => {
                if !r.denied.is_empty() && r.edited.is_empty() {
                    if let Some(id) = r.denied.first() {
                        eprintln!("Failed to set attribute \"{attr}\" for job {id}.");
                    }
                    return fail("Queue transaction failed.  No attributes were set.");
                }
                let count = if r.edited.is_empty() { "all".to_string() } else { r.edited.len().to_string() };
                println!("Set attribute \"{attr}\" for {count} matching jobs.");
            }
            Err(e) => {
                let why = e.api().map(|a| a.message.clone()).unwrap_or_else(|| e.to_string());
                match (&constraint, ids.first()) {
                    (Some(c), _) => eprintln!("Failed to set attribute \"{attr}\" by constraint: {c}"),
                    (None, Some(JobSpec::Job(j))) => eprintln!("Failed to set attribute \"{attr}\" for job {j}."),
                    _ => eprintln!("Failed to set attribute \"{attr}\": {why}"),
                }
                if e.api().is_some() {
                    eprintln!("({why})");
                }
                return fail("Queue transaction failed.  No attributes were set.");
            }
        }
    }
    ExitCode::SUCCESS
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(1)
}
