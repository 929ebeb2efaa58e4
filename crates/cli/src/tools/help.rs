//! `aerie help [COMMAND]`: one place that documents every command's
//! options, its JSON output (`-json`) and its exit statuses. The tools'
//! own `-help` prints HTCondor's usage text; this is the reference behind
//! it (`aerie help q`, `aerie help condor_q` and `condor_q -help` name the
//! same command).

use std::process::ExitCode;

/// One command's page.
pub struct Page {
    pub name: &'static str,
    pub summary: &'static str,
    pub options: &'static str,
    pub json: &'static str,
    pub exit: &'static str,
}

pub const PAGES: &[Page] = &[
    Page {
        name: "submit",
        summary: "condor_submit [options] [FILE | -] [- < FILE]: queue jobs from a submit description",
        options: "-terse (--terse)  print `C.first - C.last` only\n-batch-name NAME  JobBatchName of the jobs\n-append LINE / -a LINE  a submit command added before the queue line\n-dry-run FILE  the job ads, nothing queued\n-verbose  the job ads, and queue them\n-queue ARGS  queue statement given on the command line\n-name SCHEDD, -pool HOST  another schedd\n-spool  (not supported yet: refused with a message)",
        json: "none (ads with -dry-run are printed in the long form)",
        exit: "0 all jobs queued; 1 the description was refused (nothing is queued; the message names the file, line and command)",
    },
    Page {
        name: "q",
        summary: "condor_q [options] [cluster | cluster.proc | owner ...]: jobs in the queue",
        options: "-batch (default), -nobatch, -run, -hold, -idle, -totals, -wide\n-af[:jlhVr,tng] ATTR..., -format FMT ATTR, -long, -json, -xml, -attributes A,B\n-constraint EXPR, -allusers, -limit N, -name SCHEDD, -pool HOST",
        json: "-json: a JSON array of job ads, attributes as JSON values (expressions as \"\\/Expr(...)\\/\" strings); nothing at all when no job matches",
        exit: "0 (also when no job matches); 1 bad arguments or the schedd cannot be reached",
    },
    Page {
        name: "rm",
        summary: "condor_rm [options] (cluster | cluster.proc | user | -constraint EXPR | -all)...: remove jobs",
        options: "-forcex  forget jobs already marked removed\n-constraint EXPR, -all, -name SCHEDD, -pool HOST",
        json: "none; prints `Job C.P marked for removal`, `All jobs in cluster C have been marked for removal`, `All jobs of user \"u\" have been marked for removal`",
        exit: "0 every selection matched; 1 some did not (`Job C.P not found`, `Couldn't find/remove all jobs ...`)",
    },
    Page { name: "hold", summary: "condor_hold [-reason TEXT] [-subcode N] selection...: hold jobs", options: "as condor_rm, plus -reason and -subcode", json: "none; prints `Job C.P held`", exit: "as condor_rm" },
    Page { name: "release", summary: "condor_release selection...: release held jobs", options: "as condor_rm", json: "none; prints `Job C.P released`", exit: "as condor_rm" },
    Page {
        name: "qedit",
        summary: "condor_qedit (cluster | cluster.proc | owner | -constraint EXPR) ATTR VALUE...: edit job attributes",
        options: "VALUE is ClassAd expression text (quote strings: '\"bar\"')",
        json: "none; prints `Set attribute \"ATTR\" for N matching jobs.`",
        exit: "0 edited; 1 no job matched, permission denied or a value that does not parse",
    },
    Page {
        name: "history",
        summary: "condor_history [options] [cluster | cluster.proc | owner]: jobs that left the queue, newest first",
        options: "-af..., -format, -long, -json, -limit N, -match N, -constraint EXPR, -file PATH",
        json: "-json: a JSON array of job ads, as condor_q -json",
        exit: "0 (also when nothing matches); 1 bad arguments or an unreadable history",
    },
    Page {
        name: "wait",
        summary: "condor_wait [-wait SECS] [-num N] [-status] [-echo] LOGFILE [JOBID]: wait for jobs of a user log to end",
        options: "-wait SECS  give up after SECS\n-num N  stop after N jobs ended",
        json: "none; prints `All jobs done.` or `Time expired.`",
        exit: "0 the jobs ended; 1 time expired or the log cannot be read",
    },
    Page {
        name: "watch_q",
        summary: "condor_watch_q [options]: a table of the jobs' progress, redrawn when their event logs change",
        options: "-users U..., -clusters C..., -larger-than C, -files LOG..., -batches NAME..., -schedd S, -collector C\n-exit all|any|none,active|done|idle|held[,CODE]  end when the condition holds\n-groupby batch|log|cluster, -interval SECS (shortest time between redraws)\n-[no-]table, -[no-]progress, -[no-]row-progress, -[no-]summary, -summary-type totals|percentages\n-[no-]updated-at, -[no-]color, -[no-]refresh, -[no-]display-exited, -[no-]exit-on-key-press",
        json: "none",
        exit: "0 no jobs to track, a key press or ^C; CODE of the -exit condition that was met; 1 bad arguments",
    },
    Page {
        name: "transfer_data",
        summary: "condor_transfer_data (user | cluster | cluster.proc | -constraint EXPR | -all)...: fetch spooled output",
        options: "-name SCHEDD, -pool HOST, -addr ADDRESS",
        json: "none; prints `Fetching data files...`",
        exit: "0 done (Aerie does not spool jobs yet, so no job has output left to fetch); 1 no jobs named or the schedd cannot be asked",
    },
    Page {
        name: "tail",
        summary: "condor_tail [options] JOBID [FILE...]: the end of a running job's output",
        options: "-stderr  its standard error instead of its output\n-no-stdout  only the FILEs named\n-f, -follow  keep printing what it writes until it ends\n-maxbytes N  how much of the end to print first (1024)\n-auto-retry  wait for the job to start\n-name SCHEDD, -pool HOST",
        json: "none",
        exit: "0 printed; 1 the job is not running, runs on another host, or the file is missing",
    },
    Page {
        name: "status",
        summary: "condor_status [options] [NAME]: slots and daemons of the pool",
        options: "-af..., -format, -long, -json, -compact, -total, -schedd, -collector, -master, -negotiator, -submitters, -state, -avail, -run, -constraint EXPR, -pool HOST",
        json: "-json: a JSON array of ads",
        exit: "0; 1 bad arguments or the collector cannot be reached",
    },
    Page {
        name: "userprio",
        summary: "condor_userprio [options] [users]: the negotiator's user priorities and usage",
        options: "-allusers  also users with no usage in the last day\n-priority, -usage, -most, -all  which columns\n-long  one ad per user; -json  the records as JSON\n-setfactor U F, -setprio U P, -setaccum U SECS, -resetusage U, -resetall, -delete U  (the pool's administrators)\n-name NEGOTIATOR, -pool HOST",
        json: "-json: an array of {name, effective_priority, real_priority, priority_factor, resources_used, weighted_resources_used, accumulated_usage, weighted_accumulated_usage, begin_usage_time, last_usage_time, share}",
        exit: "0; 1 the negotiator cannot be reached, bad arguments, or an edit was refused",
    },
    Page {
        name: "ping",
        summary: "condor_ping [-type DAEMON] [-name N] [-pool P] [-address A] [-quiet|-table|-verbose] LEVEL...: reach a daemon and check authorization",
        options: "LEVEL: ALL, READ, WRITE, ADMINISTRATOR, CONFIG, DAEMON, NEGOTIATOR, OWNER, ALLOW, ADVERTISE_STARTD|SCHEDD|MASTER, a DC_NOP_ name or number (default WRITE)\n-type master|collector|negotiator|schedd|startd (default schedd)",
        json: "none",
        exit: "0 reached and authorized for every level; 1 otherwise",
    },
    Page { name: "reschedule", summary: "condor_reschedule [-name SCHEDD]: ask for a negotiation cycle now", options: "-name SCHEDD, -pool HOST", json: "none; prints `Sent \"Reschedule\" command to local schedd`", exit: "0 sent; 1 the schedd cannot be reached" },
    Page { name: "version", summary: "condor_version: the HTCondor version Aerie answers as, its platform, and Aerie's own version", options: "none", json: "none", exit: "0" },
    Page { name: "config_val", summary: "condor_config_val [options] NAME...: configuration values", options: "-v, -dump [PREFIX], -subsystem S, -local-name N, -config", json: "none", exit: "0 every name is defined; 1 one is not (`Not defined: NAME`)" },
    Page {
        name: "pool",
        summary: "aerie pool start|stop|status DIR: a personal pool in DIR",
        options: "start: --slots N, --memory MB, --daemons LIST, --timeout SECS; stop: --fast, --timeout SECS",
        json: "none; start prints `export CONDOR_CONFIG=DIR/condor_config`",
        exit: "0 done; 1 a daemon did not come up (named, with the end of its log) or the pool is not running",
    },
];

/// The page of `name` (`q`, `condor_q` or `aerie q`).
pub fn page(name: &str) -> Option<&'static Page> {
    let n = name.strip_prefix("condor_").unwrap_or(name);
    PAGES.iter().find(|p| p.name == n)
}

pub fn render(p: &Page) -> String {
    let indent = |t: &str| t.lines().map(|l| format!("    {l}\n")).collect::<String>();
    format!(
        "{}\n\nOptions:\n{}\nJSON output:\n{}\nExit status:\n{}",
        p.summary,
        indent(p.options),
        indent(p.json),
        indent(p.exit)
    )
}

pub fn main(args: &[String], usage: &str) -> ExitCode {
    match args.first() {
        None => {
            println!("{usage}\n\n`aerie help COMMAND` documents a command's options, JSON output and exit status:");
            for p in PAGES {
                println!("  {:<14} {}", p.name, p.summary.split(':').next().unwrap_or(""));
            }
            ExitCode::SUCCESS
        }
        Some(n) => match page(n) {
            Some(p) => {
                print!("{}", render(p));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("aerie help: no command '{n}' (try `aerie help` for the list)");
                ExitCode::from(2)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_says_options_json_and_exit_status() {
        for p in PAGES {
            let t = render(p);
            assert!(t.contains("Options:\n") && t.contains("JSON output:\n") && t.contains("Exit status:\n"), "{}", p.name);
            assert!(!p.exit.is_empty(), "{}", p.name);
        }
        assert_eq!(page("condor_watch_q").map(|p| p.name), Some("watch_q"));
        assert!(page("nonsense").is_none());
    }
}
