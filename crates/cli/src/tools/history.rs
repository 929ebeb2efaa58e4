//! `condor_history`: finished jobs, newest first, from the schedd's
//! history store; the default table, `-af`, `-format`, `-long`, `-json`,
//! `-limit`/`-match`, `-constraint`, ids and owners.

use std::io::Write;
use std::process::ExitCode;

use classad::{ClassAd, Value};
use proto::job::JobSpec;
use proto::schedd::{JobSelector, QueryLine, QueryRequest};

use super::q::{ad_of, connect_schedd, render};

/// The default table's columns (` ID          OWNER            SUBMITTED   RUN_TIME   ST   COMPLETED CMD`).
fn row(ad: &ClassAd, id_w: usize) -> String {
    let int = |n: &str| ad.eval_attr(n).as_int();
    let id = match (int("ClusterId"), int("ProcId")) {
        (Some(c), Some(p)) => format!("{c}.{p}"),
        _ => "??".to_string(),
    };
    let owner = match ad.eval_attr("Owner") {
        Value::String(s) => s.to_string(),
        _ => "??".to_string(),
    };
    let qdate = int("QDate").map(render::format_date).unwrap_or_else(|| "??".to_string());
    let run = ad
        .eval_attr("RemoteWallClockTime")
        .as_number()
        .or_else(|| ad.eval_attr("RemoteUserCpu").as_number())
        .unwrap_or(0.0);
    let st = int("JobStatus").and_then(proto::JobStatus::from_code).map(|s| s.letter()).unwrap_or(' ');
    let completed = int("CompletionDate").filter(|c| *c > 0).map(render::format_date).unwrap_or_default();
    let cmd = super::q::render::description_of(ad).unwrap_or_default();
    format!(
        "{id:<id_w$} {owner:<14} {qdate:>11} {:>12} {st}  {completed:>11} {cmd}\n",
        render::format_time(run as i64)
    )
}

pub fn main(args: &[String]) -> ExitCode {
    let mut ids = Vec::new();
    let mut owners = Vec::new();
    let mut constraint: Option<String> = None;
    let mut limit: Option<usize> = None;
    let mut long = false;
    let mut json = false;
    let mut af: Option<Vec<String>> = None;
    let mut af_opts = String::new();
    let mut name = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (opt, colon) = a.split_once(':').map(|(o, c)| (o, c.to_string())).unwrap_or((a, String::new()));
        match opt {
            "-limit" | "-match" | "-m" => {
                i += 1;
                match args.get(i).and_then(|s| s.parse().ok()) {
                    Some(n) => limit = Some(n),
                    None => return fail(&format!("Error: {opt} requires a number")),
                }
            }
            "-constraint" => {
                i += 1;
                match args.get(i) {
                    Some(c) => constraint = Some(c.clone()),
                    None => return fail("Error: -constraint requires another parameter"),
                }
            }
            "-long" | "-l" => long = true,
            "-json" => json = true,
            "-af" | "-autoformat" => {
                af_opts = colon;
                let mut attrs = Vec::new();
                while i + 1 < args.len() && !args[i + 1].starts_with('-') {
                    i += 1;
                    attrs.push(args[i].clone());
                }
                af = Some(attrs);
            }
            "-name" => {
                i += 1;
                name = args.get(i).cloned();
            }
            "-backwards" | "-forwards" => {}
            _ if a.starts_with('-') => return fail(&format!("Error: unrecognized argument {a}")),
            _ => match a.parse::<JobSpec>() {
                Ok(s) => ids.push(s),
                Err(_) => owners.push(a.to_string()),
            },
        }
        i += 1;
    }
    let client = match connect_schedd(name.as_deref(), None) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let projection = match &af {
        Some(attrs) => attrs.clone(),
        None if long || json => Vec::new(),
        None => [
            "ClusterId", "ProcId", "Owner", "QDate", "RemoteWallClockTime", "RemoteUserCpu", "JobStatus", "CompletionDate", "Cmd",
            "Args", "Arguments", "JobDescription", "MATCH_EXP_JobDescription",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    };
    let req = QueryRequest { select: JobSelector { ids, owners, constraint, all: false }, projection, limit, ..Default::default() };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut ads: Vec<ClassAd> = Vec::new();
    let af_o = af.as_ref().map(|_| super::q::autoformat_options(&af_opts));
    if af.is_none() && !long && !json {
        let _ = out.write_all(b" ID          OWNER            SUBMITTED   RUN_TIME   ST   COMPLETED CMD\n");
    }
    let result = client::schedd::history_each_blocking(&client, &req, |line| {
        if let QueryLine::Ad(w) = line {
            let ad = ad_of(&w);
            if let (Some(attrs), Some(o)) = (&af, &af_o) {
                let _ = out.write_all(super::q::af_line(&ad, o, attrs).as_bytes());
            } else if long {
                let _ = out.write_all(super::q::long_of(&ad).as_bytes());
            } else if json {
                ads.push(ad);
            } else {
                let _ = out.write_all(row(&ad, 12).as_bytes());
            }
        }
        true
    });
    if json && !ads.is_empty() {
        let _ = out.write_all(super::q::json_of(&ads).as_bytes());
    }
    let _ = out.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&super::q::query_error(&e)),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::from(1)
}
