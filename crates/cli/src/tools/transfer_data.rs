//! `condor_transfer_data [-name S] [-pool P] [-addr A] [user | cluster |
//! cluster.proc | -constraint EXPR | -all]…`: fetch the output of spooled
//! jobs (submitted with `-spool`, or remotely) from the schedd into their
//! `Iwd`.
//!
//! Prints `Fetching data files...` as HTCondor does, then asks the schedd
//! for the selected jobs. Aerie's schedd does not spool jobs yet: every
//! job's output is transferred straight to its `Iwd` when it ends, so no
//! selected job has anything left to fetch and the command succeeds (as
//! HTCondor's does for jobs that were not spooled). Seed 002 runs it as
//! `condor_transfer_data $USER` before `condor_rm $USER -constraint
//! 'JobStatus == 4'`. Exit status: 0, or 1 when the arguments are wrong or
//! the schedd cannot be asked.

use std::process::ExitCode;

use proto::job::JobSpec;
use proto::schedd::{JobSelector, QueryLine, QueryRequest};

use super::q::connect_schedd;

const USAGE: &str = "Usage: condor_transfer_data [options] [constraints]
 where [options] is zero or more of:
  -help               Display this message and exit
  -version            Display version information and exit
  -name schedd_name   Connect to the given schedd
  -pool hostname      Use the given central manager to find daemons
  -addr <ip:port>     Connect directly to the given \"sinful string\"
 and where [constraints] is one or more of:
  cluster.proc        transfer data for the given job
  cluster             transfer data for the given cluster of jobs
  user                transfer data for all jobs owned by user
  -constraint expr    transfer data for all jobs matching the boolean expression
  -all                transfer data for all jobs (cannot be used with other constraints)
Options and exit status: aerie help transfer_data";

fn usage(code: u8) -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(code)
}

pub fn main(args: &[String]) -> ExitCode {
    let (mut name, mut pool) = (None, None);
    let mut select = JobSelector::default();
    let mut any = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if let Some(opt) = a.strip_prefix('-') {
            let is = |n: &str, min: usize| opt.len() >= min && n.starts_with(opt);
            if is("help", 1) {
                return usage(0);
            } else if is("version", 1) {
                println!("{}\n{}", super::version::version_line(), super::version::platform_line());
                return ExitCode::SUCCESS;
            } else if is("constraint", 1) {
                let Some(c) = args.get(i + 1) else {
                    eprintln!("condor_transfer_data: -constraint requires another argument");
                    return ExitCode::from(1);
                };
                select.constraint = Some(match select.constraint.take() {
                    Some(prev) => format!("({prev}) || ({c})"),
                    None => c.clone(),
                });
                any = true;
                i += 1;
            } else if is("all", 1) {
                select.all = true;
                any = true;
            } else if is("name", 1) || is("pool", 1) || is("addr", 2) {
                let Some(v) = args.get(i + 1).cloned() else {
                    eprintln!("condor_transfer_data: -{opt} requires another argument");
                    return ExitCode::from(1);
                };
                if is("pool", 1) {
                    pool = Some(v);
                } else {
                    name = Some(v);
                }
                i += 1;
            } else if is("debug", 1) {
            } else {
                eprintln!("Unrecognized option: {a}");
                return usage(1);
            }
        } else if a.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            match a.parse::<JobSpec>() {
                Ok(s) => select.ids.push(s),
                Err(_) => {
                    eprintln!("Warning: unrecognized \"{a}\" skipped.");
                    i += 1;
                    continue;
                }
            }
            any = true;
        } else {
            select.owners.push(a.to_string());
            any = true;
        }
        i += 1;
    }
    if !any {
        eprintln!("You did not specify any jobs");
        return usage(1);
    }
    let client = match connect_schedd(name.as_deref(), pool.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("condor_transfer_data: {e}");
            return ExitCode::from(1);
        }
    };
    println!("Fetching data files...");
    // The selected jobs: none has spooled output (Aerie transfers output to
    // the Iwd when a job ends), so there is nothing to copy; asking still
    // checks the constraint and that the schedd answers.
    let req = QueryRequest { select, projection: vec!["ClusterId".into(), "ProcId".into()], ..Default::default() };
    let mut failure = None;
    let r = client::schedd::query_each_blocking(&client, &req, |l| {
        if let QueryLine::Error(e) = l {
            failure = Some(e.to_string());
        }
        true
    });
    if let Some(e) = r.err().map(|e| e.to_string()).or(failure) {
        eprintln!("\n{e}\nERROR: Failed to spool job files.");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
