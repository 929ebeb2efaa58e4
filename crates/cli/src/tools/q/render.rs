//! `condor_q`'s tables, byte for byte as HTCondor prints them: the batch
//! view (one line per batch), the one-line-per-job view (`-nobatch`),
//! `-run`, `-hold`, and the totals lines. Each renderer takes the ads and
//! the schedd's summary and returns the text.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Local, TimeZone};
use classad::{ClassAd, Value};
use proto::schedd::{QuerySummary, StatusCounts};

use super::View;

/// An attribute evaluated as an integer (reals truncated, booleans 0/1).
pub(super) fn int(ad: &ClassAd, name: &str) -> Option<i64> {
    match ad.eval_attr(name) {
        Value::Int(i) => Some(i),
        Value::Real(r) if r.is_finite() => Some(r as i64),
        Value::Bool(b) => Some(b as i64),
        _ => None,
    }
}

fn real(ad: &ClassAd, name: &str) -> Option<f64> {
    match ad.eval_attr(name) {
        Value::Int(i) => Some(i as f64),
        Value::Real(r) => Some(r),
        _ => None,
    }
}

fn string(ad: &ClassAd, name: &str) -> Option<String> {
    match ad.eval_attr(name) {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

/// `MM/DD hh:mm` in local time (HTCondor's `format_date`: `%2d/%-2d %02d:%02d`).
pub(crate) fn format_date(t: i64) -> String {
    if t < 0 {
        return "    ???    ".to_string();
    }
    match Local.timestamp_opt(t, 0).single() {
        Some(d) => {
            use chrono::{Datelike, Timelike};
            format!("{:2}/{:<2} {:02}:{:02}", d.month(), d.day(), d.hour(), d.minute())
        }
        None => "    ???    ".to_string(),
    }
}

/// `ddd+hh:mm:ss` (HTCondor's `format_time`).
pub(crate) fn format_time(secs: i64) -> String {
    let s = secs.max(0);
    format!("{:3}+{:02}:{:02}:{:02}", s / 86400, (s % 86400) / 3600, (s % 3600) / 60, s % 60)
}

/// An address as `condor_q`'s banner shows it: cut at its `?` (`<127.0.0.1:40601?...`).
pub(crate) fn summarize_address(addr: &str) -> String {
    match addr.find('?') {
        Some(q) => format!("{}?...", &addr[..q]),
        None => addr.to_string(),
    }
}

/// The `-- Schedd: NAME : <ADDR?... @ MM/DD/YY hh:mm:ss` line (with the
/// two blank lines before it).
pub(crate) fn source_line(summary: &QuerySummary) -> String {
    let addr = summarize_address(&summary.schedd_address);
    let now = Local::now().format(" @ %m/%d/%y %H:%M:%S");
    format!("\n\n-- Schedd: {} : {}{}\n", summary.schedd_name, addr, now)
}

fn counts_text(label: &str, c: &StatusCounts) -> String {
    format!(
        "Total for {label}: {} jobs; {} completed, {} removed, {} idle, {} running, {} held, {} suspended",
        c.jobs, c.completed, c.removed, c.idle, c.running + c.transferring_output, c.held, c.suspended
    )
}

/// The two totals lines, as `SUMMARY STANDARD` prints them.
pub(crate) fn summary_lines(summary: &QuerySummary) -> String {
    format!("{} \n{}\n\n", counts_text("query", &summary.query), counts_text("all users", &summary.all_users))
}

/// Everything `condor_q` prints for a table view.
pub fn render(ads: &[ClassAd], summary: &QuerySummary, view: View, totals: bool, partial: bool, wide: bool) -> String {
    let mut out = source_line(summary);
    if totals {
        out.push_str(&summary_lines(summary));
        return out;
    }
    let mut sorted: Vec<&ClassAd> = ads.iter().collect();
    sorted.sort_by_key(|ad| (int(ad, "ClusterId").unwrap_or(0), int(ad, "ProcId").unwrap_or(0)));
    match view {
        View::Batch => out.push_str(&batch(&sorted, partial, wide)),
        View::NoBatch => out.push_str(&nobatch(&sorted)),
        View::Run => {
            out.push_str(&run(&sorted));
            return out;
        }
        View::Hold => out.push_str(&hold(&sorted)),
    }
    out.push('\n');
    out.push_str(&summary_lines(summary));
    out
}

/// The width of a number as `%d` prints it (HTCondor's `number_width`).
fn number_width(n: i64) -> usize {
    n.max(0).to_string().len()
}

/// One line of the batch view.
struct BatchRow {
    owner: String,
    name: String,
    submitted: Option<i64>,
    done: i64,
    run: i64,
    idle: i64,
    held: i64,
    total: i64,
    ids: String,
}

/// Jobs grouped one line per batch: by `JobBatchName` (and owner) when set,
/// else by cluster.
fn batch_rows(ads: &[&ClassAd], partial: bool) -> Vec<BatchRow> {
    // Batch key → (first job id, the ads, in id order).
    let mut groups: BTreeMap<(i64, i64), Vec<&ClassAd>> = BTreeMap::new();
    let mut by_name: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for ad in ads {
        let id = (int(ad, "ClusterId").unwrap_or(0), int(ad, "ProcId").unwrap_or(0));
        let owner = string(ad, "Owner").unwrap_or_default();
        let key = match string(ad, "JobBatchName") {
            Some(name) => *by_name.entry((name, owner)).or_insert(id),
            None => match by_name.get(&(format!("\0cluster {}", id.0), owner.clone())) {
                Some(k) => *k,
                None => {
                    by_name.insert((format!("\0cluster {}", id.0), owner), id);
                    id
                }
            },
        };
        groups.entry(key).or_default().push(ad);
    }
    let mut rows = Vec::with_capacity(groups.len());
    for ((first_cluster, _), members) in groups {
        let first = members[0];
        let (mut run, mut idle, mut held) = (0, 0, 0);
        let mut per_cluster: BTreeMap<i64, (i64, Option<i64>)> = BTreeMap::new();
        let (mut min_id, mut max_id) = ((i64::MAX, i64::MAX), (i64::MIN, i64::MIN));
        for ad in &members {
            let id = (int(ad, "ClusterId").unwrap_or(0), int(ad, "ProcId").unwrap_or(0));
            min_id = min_id.min(id);
            max_id = max_id.max(id);
            match int(ad, "JobStatus").unwrap_or(0) {
                1 | 7 => idle += 1,
                2 | 6 => run += 1,
                5 => held += 1,
                _ => {}
            }
            let e = per_cluster.entry(id.0).or_insert((0, int(ad, "TotalSubmitProcs")));
            e.0 += 1;
        }
        let unknown = per_cluster.values().any(|(_, t)| t.is_none());
        let total: i64 = per_cluster.values().map(|(_, t)| t.unwrap_or(0)).sum();
        let present: i64 = per_cluster.values().map(|(n, _)| *n).sum();
        let (done, total) = if unknown { (0, 0) } else { (if partial { 0 } else { total - present }, total) };
        let name = string(first, "JobBatchName").unwrap_or_else(|| format!("ID: {first_cluster}"));
        let ids = if min_id == max_id {
            format!("{}.{}", min_id.0, min_id.1)
        } else if min_id.0 == max_id.0 {
            format!("{}.{}-{}", min_id.0, min_id.1, max_id.1)
        } else {
            format!("{}.{} ... {}.{}", min_id.0, min_id.1, max_id.0, max_id.1)
        };
        rows.push(BatchRow {
            owner: string(first, "Owner").unwrap_or_else(|| "??".to_string()),
            name,
            submitted: int(first, "QDate"),
            done,
            run,
            idle,
            held,
            total,
            ids,
        });
    }
    rows
}

/// The terminal's width (80 when output is not a terminal), as condor_q takes it.
pub(crate) fn display_width() -> i64 {
    let mut ws = nix::libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ fills a winsize struct; on failure it leaves it untouched.
    let r = unsafe { nix::libc::ioctl(1, nix::libc::TIOCGWINSZ, &mut ws) };
    if r == 0 && ws.ws_col > 0 {
        ws.ws_col as i64
    } else {
        80
    }
}

fn pad_left(s: &str, w: usize) -> String {
    format!("{s:<w$}")
}

fn pad_right(s: &str, w: usize) -> String {
    format!("{s:>w$}")
}

fn cut(s: &str, w: usize) -> String {
    s.chars().take(w).collect()
}

fn batch(ads: &[&ClassAd], partial: bool, wide: bool) -> String {
    let rows = batch_rows(ads, partial);
    let mut out = String::new();
    if rows.is_empty() {
        // No data to size the columns by: the format's own widths.
        out.push_str("OWNER BATCH_NAME      SUBMITTED   DONE   RUN    IDLE   HOLD  TOTAL JOB_IDS\n");
        return out;
    }
    let mut owner_w = rows.iter().map(|r| r.owner.len()).max().unwrap_or(0) as i64;
    let mut batch_w = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(10) as i64;
    let ids_w = rows.iter().map(|r| r.ids.len()).max().unwrap_or(0) as i64;
    if !wide {
        let var_wid = display_width() - 50;
        if batch_w + owner_w + ids_w > var_wid {
            let var_min = 8 + 10 + 9;
            let (mut bw, mut nw, iw) = ((var_wid - var_min) / 3, (var_wid - var_min) / 3, (var_wid - var_min) / 3);
            if iw + 9 > ids_w {
                let rw = iw + 9 - ids_w;
                nw += rw / 2;
                bw += rw - rw / 2;
            }
            if bw + 10 > batch_w {
                let rw = bw + 10 - batch_w;
                nw = (8 + nw + rw).min(owner_w) - 8;
            }
            if nw + 8 > owner_w {
                let rw = nw + 8 - owner_w;
                bw = (10 + bw + rw).min(batch_w) - 10;
            }
            batch_w = batch_w.min(bw + 10);
            owner_w = owner_w.min(nw + 8);
        }
    }
    // OWNER's width: the header's (5) grows to the data; narrower data gets 8.
    let owner_w = if owner_w < 5 { 8 } else { owner_w } as usize;
    let batch_w = batch_w.max(1) as usize;
    let cw = |f: fn(&BatchRow) -> i64| rows.iter().map(|r| number_width(f(r))).max().unwrap_or(1).max(6);
    let (w_done, w_run, w_idle, w_held, w_total) =
        (cw(|r| r.done), cw(|r| r.run), cw(|r| r.idle), cw(|r| r.held), cw(|r| r.total));
    let any_held = rows.iter().any(|r| r.held > 0);
    let _ = write!(
        out,
        "{} {} {} {} {} {}",
        pad_left("OWNER", owner_w),
        pad_left("BATCH_NAME", batch_w),
        pad_right("   SUBMITTED", 12),
        pad_right("  DONE", w_done),
        pad_right("  RUN ", w_run),
        pad_right("  IDLE", w_idle),
    );
    if any_held {
        let _ = write!(out, " {}", pad_right("  HOLD", w_held));
    }
    let _ = writeln!(out, " {} JOB_IDS", pad_right(" TOTAL", w_total));
    let num = |n: i64, w: usize| if n > 0 { pad_right(&n.to_string(), w) } else { pad_right("_", w) };
    for r in &rows {
        let submitted = r.submitted.map(format_date).unwrap_or_default();
        let _ = write!(
            out,
            "{} {} {} {} {} {}",
            pad_left(&cut(&r.owner, owner_w), owner_w),
            pad_left(&cut(&r.name, batch_w), batch_w),
            pad_right(&submitted, 12),
            num(r.done, w_done),
            num(r.run, w_run),
            num(r.idle, w_idle),
        );
        if any_held {
            let _ = write!(out, " {}", num(r.held, w_held));
        }
        let _ = writeln!(out, " {} {}", num(r.total, w_total), r.ids);
    }
    out
}

/// `RUN_TIME`: wall-clock time of the job's runs, the current one included.
fn run_time(ad: &ClassAd) -> Option<String> {
    real(ad, "RemoteUserCpu")?;
    let now = int(ad, "ServerTime").unwrap_or(0);
    if now == 0 {
        return Some("   ?????".to_string());
    }
    let status = int(ad, "JobStatus").unwrap_or(0);
    let bday = int(ad, "ShadowBday").unwrap_or(0);
    let mut total = real(ad, "RemoteWallClockTime").unwrap_or(0.0);
    if matches!(status, 2 | 6 | 7) && bday != 0 {
        total += (now - bday) as f64;
    }
    Some(format_time(total as i64))
}

/// `SIZE`: `MemoryUsage` in MB, else `ImageSize` in MB.
fn size(ad: &ClassAd) -> Option<String> {
    let mb = match int(ad, "MemoryUsage") {
        Some(m) => m as f64,
        None => int(ad, "ImageSize")? as f64 / 1024.0,
    };
    Some(format!("{mb:.1}"))
}

/// `ST`: the status letter, with file-transfer markers.
fn status_chars(ad: &ClassAd) -> String {
    let Some(st) = int(ad, "JobStatus") else { return "  ".to_string() };
    let letter = proto::JobStatus::from_code(st).map(|s| s.letter()).unwrap_or('?');
    let mut c = [letter, ' '];
    let b = |n: &str| matches!(ad.eval_attr(n), Value::Bool(true));
    if b("TransferringInput") {
        c = ['<', if b("TransferQueued") { 'q' } else { ' ' }];
    }
    if b("TransferringOutput") || st == 6 {
        c = [if b("TransferQueued") { 'q' } else { ' ' }, '>'];
    }
    c.iter().collect()
}

/// `CMD` as the job tools show it.
pub(crate) fn description_of(ad: &ClassAd) -> Option<String> {
    description(ad)
}

/// `CMD`: `(JobDescription)`, else the executable's base name and arguments.
fn description(ad: &ClassAd) -> Option<String> {
    let cmd = string(ad, "Cmd")?;
    let desc = string(ad, "MATCH_EXP_JobDescription").or_else(|| string(ad, "JobDescription")).unwrap_or_default();
    if !desc.is_empty() {
        return Some(format!("({desc})"));
    }
    let base = cmd.rsplit('/').next().unwrap_or(&cmd).to_string();
    let args = string(ad, "Arguments").or_else(|| string(ad, "Args")).unwrap_or_default();
    let args = display_args(&args);
    Some(if args.is_empty() { base } else { format!("{base} {args}") })
}

/// Arguments as `condor_q` shows them: new-syntax quoting is undone
/// (`'a b' c` → `a b c`), old syntax is shown as written.
fn display_args(args: &str) -> String {
    let mut out = String::with_capacity(args.len());
    let mut chars = args.chars().peekable();
    let mut in_quote = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            if in_quote && chars.peek() == Some(&'\'') {
                out.push('\'');
                chars.next();
            } else {
                in_quote = !in_quote;
            }
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// ` ID      OWNER            SUBMITTED     RUN_TIME ST PRI SIZE CMD`
fn nobatch(ads: &[&ClassAd]) -> String {
    let mut out = String::new();
    let prios: Vec<String> = ads.iter().map(|ad| int(ad, "JobPrio").map(|p| p.to_string()).unwrap_or_default()).collect();
    let pri_w = prios.iter().map(|p| p.len()).max().unwrap_or(0).max(3);
    let _ = writeln!(
        out,
        " ID      {} {} {} ST {} SIZE CMD",
        pad_left("OWNER", 14),
        pad_right("  SUBMITTED", 11),
        pad_right("    RUN_TIME", 12),
        pad_left("PRI", pri_w)
    );
    for (ad, prio) in ads.iter().zip(&prios) {
        let _ = writeln!(
            out,
            "{}{} {} {} {} {} {} {} {}",
            id_cells(ad).0,
            id_cells(ad).1,
            pad_left(&string(ad, "Owner").unwrap_or_else(|| "??".into()), 14),
            pad_right(&int(ad, "QDate").map(format_date).unwrap_or_default(), 11),
            pad_right(&run_time(ad).unwrap_or_default(), 12),
            status_chars(ad),
            pad_left(prio, pri_w),
            pad_right(&size(ad).unwrap_or_default(), 4),
            description(ad).unwrap_or_default()
        );
    }
    out
}

/// The `   4.` and `0  ` cells of the id column.
fn id_cells(ad: &ClassAd) -> (String, String) {
    let c = int(ad, "ClusterId").map(|c| format!("{c:4}.")).unwrap_or_else(|| "     ".into());
    let p = int(ad, "ProcId").map(|p| format!("{p:<3}")).unwrap_or_else(|| "   ".into());
    (c, p)
}

/// `-run`: ` ID      OWNER            SUBMITTED     RUN_TIME HOST(S)`
fn run(ads: &[&ClassAd]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, " ID      {} {} {} HOST(S)", pad_left("OWNER", 14), pad_right("  SUBMITTED", 11), pad_right("    RUN_TIME", 12));
    for ad in ads {
        let (c, p) = id_cells(ad);
        let _ = writeln!(
            out,
            "{c}{p} {} {} {} {}",
            pad_left(&string(ad, "Owner").unwrap_or_else(|| "??".into()), 14),
            pad_right(&int(ad, "QDate").map(format_date).unwrap_or_else(|| "??".into()), 11),
            pad_right(&run_time(ad).unwrap_or_else(|| "??".into()), 12),
            string(ad, "RemoteHost").unwrap_or_else(|| "??".into())
        );
    }
    out
}

/// `-hold`: ` ID      OWNER          HELD_SINCE  CODE/SUB HOLD_REASON`
fn hold(ads: &[&ClassAd]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, " ID      {} {} CODE/SUB HOLD_REASON", pad_left("OWNER", 14), pad_left("HELD_SINCE", 11));
    for ad in ads {
        let (c, p) = id_cells(ad);
        let code = int(ad, "HoldReasonCode").map(|c| format!("{c:4}")).unwrap_or_else(|| "   ?".into());
        let sub = int(ad, "HoldReasonSubCode").map(|s| cut(&format!("/{s:<3}"), 4)).unwrap_or_else(|| "    ".into());
        let _ = writeln!(
            out,
            "{c}{p} {} {} {code}{sub} {}",
            pad_left(&string(ad, "Owner").unwrap_or_else(|| "??".into()), 14),
            pad_right(&int(ad, "EnteredCurrentStatus").map(format_date).unwrap_or_else(|| "??".into()), 11),
            string(ad, "HoldReason").unwrap_or_default()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ads of the queue in `shared/reference/golden/11-q_default.txt`.
    fn golden_queue() -> Vec<ClassAd> {
        let q = 1795603666; // QDate of every job there
        let common = format!("Owner = \"condoruser\"\nQDate = {q}\nRemoteUserCpu = 0.0\nServerTime = 1795603687\nJobPrio = 0\n");
        let mk = |extra: &str| ClassAd::parse_old(&format!("{common}{extra}")).unwrap();
        vec![
            mk("ClusterId = 1\nProcId = 0\nJobStatus = 4\nTotalSubmitProcs = 1\nCmd = \"/bin/echo\"\nArguments = \"hello world\"\nResidentSetSize = 7500\nMemoryUsage = ((ResidentSetSize + 1023) / 1024)"),
            mk("ClusterId = 2\nProcId = 0\nJobStatus = 2\nTotalSubmitProcs = 3\nJobBatchName = \"sleepers\"\nCmd = \"/bin/sleep\"\nArgs = \"600\"\nShadowBday = 1795603667\nResidentSetSize = 1500\nMemoryUsage = ((ResidentSetSize + 1023) / 1024)"),
            mk("ClusterId = 2\nProcId = 1\nJobStatus = 2\nTotalSubmitProcs = 3\nJobBatchName = \"sleepers\"\nCmd = \"/bin/sleep\"\nArgs = \"600\"\nShadowBday = 1795603667\nResidentSetSize = 1500\nMemoryUsage = ((ResidentSetSize + 1023) / 1024)"),
            mk("ClusterId = 2\nProcId = 2\nJobStatus = 2\nTotalSubmitProcs = 3\nJobBatchName = \"sleepers\"\nCmd = \"/bin/sleep\"\nArgs = \"600\"\nShadowBday = 1795603667\nResidentSetSize = 1500\nMemoryUsage = ((ResidentSetSize + 1023) / 1024)"),
            mk("ClusterId = 3\nProcId = 0\nJobStatus = 1\nTotalSubmitProcs = 1\nCmd = \"/bin/true\"\nImageSize = 0"),
            mk("ClusterId = 4\nProcId = 0\nJobStatus = 5\nTotalSubmitProcs = 1\nCmd = \"/bin/false\"\nResidentSetSize = 7500\nMemoryUsage = ((ResidentSetSize + 1023) / 1024)"),
            mk("ClusterId = 7\nProcId = 0\nJobStatus = 1\nTotalSubmitProcs = 1\nCmd = \"/bin/true\"\nImageSize = 0"),
        ]
    }

    fn summary(q: StatusCounts) -> QuerySummary {
        let all = StatusCounts { jobs: 7, completed: 1, idle: 2, running: 3, held: 1, ..Default::default() };
        QuerySummary { schedd_name: "condoruser@vm".into(), schedd_address: "<127.0.0.1:40601?addrs=127.0.0.1-40601>".into(), query: q, all_users: all }
    }

    /// The golden file's stdout without its first three lines (blank, blank, `-- Schedd:` with the time).
    fn golden_body(name: &str) -> Option<String> {
        let shared = std::env::var("AERIE_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
        let Ok(text) = std::fs::read_to_string(shared.join("reference/golden").join(name)) else {
            eprintln!("skipped: shared/reference/golden/{name} not found");
            return None;
        };
        let out = text.split("# ---- stdout ----\n").nth(1)?.split("# ---- stderr ----").next()?;
        Some(out.lines().skip(3).map(|l| format!("{l}\n")).collect())
    }

    fn body(text: &str) -> String {
        text.lines().skip(3).map(|l| format!("{l}\n")).collect()
    }

    #[test]
    fn batch_and_nobatch_views_match_htcondor_byte_for_byte() {
        std::env::set_var("TZ", "UTC");
        let ads = golden_queue();
        let all = summary(StatusCounts { jobs: 7, completed: 1, idle: 2, running: 3, held: 1, ..Default::default() });
        let Some(want) = golden_body("11-q_default.txt") else { return };
        assert_eq!(body(&render(&ads, &all, View::Batch, false, false, false)), want);
        let want = golden_body("12-q_nobatch.txt").unwrap();
        // The golden's RUN_TIME of running jobs is 20 s: ServerTime - ShadowBday.
        assert_eq!(body(&render(&ads, &all, View::NoBatch, false, false, false)), want);
        let want = golden_body("22-q_totals.txt").unwrap();
        assert_eq!(body(&render(&ads, &all, View::Batch, true, false, false)), want);
    }

    #[test]
    fn run_and_hold_views_match_htcondor() {
        std::env::set_var("TZ", "UTC");
        let mut ads: Vec<ClassAd> = golden_queue().into_iter().filter(|a| int(a, "JobStatus") == Some(2)).collect();
        for (i, ad) in ads.iter_mut().enumerate() {
            ad.insert("RemoteHost", classad::Expr::literal(Value::string(&format!("slot1_{}@vm", i + 2))));
        }
        let Some(want) = golden_body("24-q_run.txt") else { return };
        let s = summary(StatusCounts::default());
        assert_eq!(body(&render(&ads, &s, View::Run, false, true, false)), want);
        let mut held = golden_queue().remove(5);
        held.insert("EnteredCurrentStatus", classad::Expr::literal(Value::Int(1795603667)));
        held.insert("HoldReasonCode", classad::Expr::literal(Value::Int(3)));
        held.insert("HoldReasonSubCode", classad::Expr::literal(Value::Int(0)));
        held.insert(
            "HoldReason",
            classad::Expr::literal(Value::string("The job attribute OnExitHold expression 'ExitCode != 0' evaluated to TRUE")),
        );
        let s = summary(StatusCounts { jobs: 1, held: 1, ..Default::default() });
        assert_eq!(body(&render(&[held], &s, View::Hold, false, true, false)), golden_body("23-q_hold.txt").unwrap());
    }

    #[test]
    fn an_empty_batch_view_and_the_view_after_removals() {
        std::env::set_var("TZ", "UTC");
        let s = summary(StatusCounts::default());
        let Some(want) = golden_body("26-q_nomatch.txt") else { return };
        assert_eq!(body(&render(&[], &s, View::Batch, false, false, false)), want);
        // After condor_rm -all: only the LeaveJobInQueue job, removed; no HOLD column.
        let mut ad = golden_queue().remove(0);
        ad.insert("JobStatus", classad::Expr::literal(Value::Int(3)));
        let one = StatusCounts { jobs: 1, removed: 1, ..Default::default() };
        let s = QuerySummary { query: one, all_users: one, ..summary(one) };
        assert_eq!(body(&render(&[ad], &s, View::Batch, false, false, false)), golden_body("51-q_after_rm.txt").unwrap());
    }

    #[test]
    fn source_line_summarizes_the_address() {
        let s = summary(StatusCounts::default());
        let line = source_line(&s);
        assert!(line.starts_with("\n\n-- Schedd: condoruser@vm : <127.0.0.1:40601?... @ "), "{line}");
        assert_eq!(format_time(20), "  0+00:00:20");
        assert_eq!(display_args("'a b' c ''''"), "a b c '");
    }
}
