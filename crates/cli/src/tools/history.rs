//! `condor_history`: finished jobs, newest first, read backwards so the
//! newest come at once without reading the whole store — from the
//! schedd's history (its file and rotated files), or from a history file
//! named with `-file` (HTCondor's format, also one HTCondor wrote).
//!
//! Formats as HTCondor prints them: the default table, `-af` (with `:h`
//! headings printed first), `-format`, `-long`, `-json`, `-jsonl`, `-xml`,
//! `-attributes`; selection by ids, owners, `-constraint`, `-limit`/`-match`,
//! `-scanlimit`, `-since`, `-completedsince`; `-forwards` for oldest first.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use classad::{ClassAd, Expr, Value};
use proto::job::JobSpec;
use proto::schedd::{JobSelector, QueryLine, QueryRequest};

use super::q::autoformat::{self, AfOptions, FormatItem, GrowingTable};
use super::q::{ad_of, connect_schedd, only, render, xml};

const USAGE: &str = "Usage: condor_history [source] [restriction-list] [options]

   where [source] is one of
\t-file <file>\t\tRead history data from specified file
\t-name <schedd-name>\tRemote schedd to read from
\t-pool <collector-name>\tPool remote schedd lives in.

   and [restriction-list] is one or more of
\t<cluster>\t\tGet information about specific cluster
\t<cluster>.<proc>\tGet information about specific job
\t<owner>\t\t\tInformation about jobs owned by <owner>
\t-constraint <expr>\tInformation about jobs matching <expr>
\t-scanlimit <num>\tStop scanning when <num> jobs have been read
\t-since <jobid>|<expr>\tStop scanning when <expr> is true or <jobid> is read
\t-completedsince <time>\tDisplay jobs completed on/after time

   and [options] are one or more of
\t-help\t\t\tDisplay this screen
\t-backwards\t\tList jobs in reverse chronological order
\t-forwards\t\tList jobs in chronological order
\t-limit <number>\t\tLimit the number of jobs displayed
\t-match <number>\t\tOld name for -limit
\t-long\t\t\tDisplay entire classads
\t-xml\t\t\tDisplay classads in XML format
\t-json\t\t\tDisplay classads in JSON format
\t-jsonl\t\t\tDisplay classads in JSON-Lines format: one ad per line
\t-attributes <attr-list>\tDisplay only the given attributes
\t-wide\t\t\tDon't truncate fields to fit into the terminal
\t-format <fmt> <attr>\tDisplay attr using printf formatting
\t-af[:jlhVr,tng] <attr> [attr2 [...]]
\t    Print attr(s) with automatic formatting";

/// Whole-ad forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Table,
    Long,
    Json,
    JsonLines,
    Xml,
}

#[derive(Debug)]
struct Args {
    ids: Vec<JobSpec>,
    owners: Vec<String>,
    constraints: Vec<String>,
    limit: Option<usize>,
    scan_limit: Option<usize>,
    since: Option<Expr>,
    form: Form,
    af: Option<(AfOptions, Vec<String>)>,
    formats: Vec<FormatItem>,
    attributes: Vec<String>,
    forwards: bool,
    file: Option<PathBuf>,
    name: Option<String>,
    pool: Option<String>,
    wide: bool,
}

/// HTCondor's option matching: at least `min` letters of `name`.
fn is_opt(arg: &str, name: &str, min: usize) -> bool {
    let a = arg.strip_prefix('-').unwrap_or("");
    !a.is_empty() && a.len() >= min.min(name.len()) && name.starts_with(a)
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        ids: Vec::new(),
        owners: Vec::new(),
        constraints: Vec::new(),
        limit: None,
        scan_limit: None,
        since: None,
        form: Form::Table,
        af: None,
        formats: Vec::new(),
        attributes: Vec::new(),
        forwards: false,
        file: None,
        name: None,
        pool: None,
        wide: false,
    };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        let mut value = |what: &str| -> Result<String, String> {
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("Error: Argument {what} requires another parameter"))
        };
        let (opt, colon) = match arg.split_once(':') {
            Some((o, c)) if arg.starts_with('-') => (o, Some(c)),
            _ => (arg, None),
        };
        if !arg.starts_with('-') || arg == "-" {
            match arg.parse::<JobSpec>() {
                Ok(s) => a.ids.push(s),
                Err(_) if arg.starts_with(|c: char| c.is_ascii_digit()) => return Err(format!("Error: {arg} is not a valid job id")),
                Err(_) => a.owners.push(arg.to_string()),
            }
        } else if is_opt(opt, "long", 1) {
            a.form = Form::Long;
        } else if is_opt(opt, "xml", 3) {
            a.form = Form::Xml;
        } else if is_opt(opt, "jsonl", 5) {
            a.form = Form::JsonLines;
        } else if is_opt(opt, "json", 4) {
            a.form = Form::Json;
        } else if is_opt(opt, "backwards", 1) {
            a.forwards = false;
        } else if is_opt(opt, "nobackwards", 3) || is_opt(opt, "forwards", 4) {
            if a.since.is_some() {
                return Err("Error: Argument -forwards cannot be combined with -since.".into());
            }
            a.forwards = true;
        } else if is_opt(opt, "wide", 1) {
            a.wide = true;
        } else if is_opt(opt, "match", 1) || is_opt(opt, "limit", 3) {
            let v = value("-match")?;
            a.limit = Some(v.parse().map_err(|_| format!("Error: Argument -match requires a number value as a parameter, not '{v}'."))?);
        } else if is_opt(opt, "scanlimit", 4) {
            let v = value("-scanlimit")?;
            a.scan_limit = Some(v.parse().map_err(|_| format!("Error: Argument -scanlimit requires a number value  as a parameter, not '{v}'."))?);
        } else if is_opt(opt, "file", 2) {
            a.file = Some(PathBuf::from(value("-file")?));
        } else if is_opt(opt, "attributes", 2) {
            let list = value("-attributes")?;
            a.attributes.extend(list.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string));
        } else if is_opt(opt, "format", 1) {
            let format = value("-format")?;
            let attr = value("-format")?;
            a.formats.push(FormatItem { format, attr });
        } else if is_opt(opt, "af", 2) || is_opt(opt, "autoformat", 5) {
            let mut attrs = Vec::new();
            while i + 1 < args.len() && !args[i + 1].starts_with('-') {
                i += 1;
                attrs.push(args[i].clone());
            }
            if attrs.is_empty() {
                return Err(format!("Error: Argument {arg} requires at least one attribute parameter"));
            }
            a.af = Some((AfOptions::parse(colon.unwrap_or("")), attrs));
        } else if is_opt(opt, "constraint", 1) {
            a.constraints.push(value("-constraint")?);
        } else if is_opt(opt, "since", 4) {
            if a.forwards {
                return Err("Error: Argument -forwards cannot be combined with -since.".into());
            }
            let v = value("-since")?;
            a.since = Some(since_expr(&v).ok_or_else(|| format!("Error: invalid -since constraint: {v}\n\tconstraint must be a job-id, or expression."))?);
        } else if is_opt(opt, "completedsince", 3) {
            let v = value("-completedsince")?;
            a.since = Some(Expr::parse_old(&format!("CompletionDate <= {v}")).map_err(|_| format!("Error: '{v}' not valid parameter for -completedsince "))?);
        } else if is_opt(opt, "name", 1) {
            a.name = Some(value("-name")?);
        } else if is_opt(opt, "pool", 1) {
            a.pool = Some(value("-pool")?);
        } else if is_opt(opt, "help", 1) {
            return Err(String::new());
        } else {
            return Err(format!("Error: Unknown argument {arg}"));
        }
        i += 1;
    }
    Ok(a)
}

/// `-since`: a job id stops at that job, an expression at the first ad it holds for.
fn since_expr(v: &str) -> Option<Expr> {
    if let Ok(spec) = v.parse::<JobSpec>() {
        let text = match spec {
            JobSpec::Cluster(c) => format!("ClusterId == {c}"),
            JobSpec::Job(j) => format!("ClusterId == {} && ProcId == {}", j.cluster, j.proc),
        };
        return Expr::parse_old(&text).ok();
    }
    let e = Expr::parse_old(v).ok()?;
    (!matches!(e.node(), classad::Node::Literal(_))).then_some(e)
}

/// The constraint the restrictions make: `-constraint`s and-ed.
fn constraint_of(a: &Args) -> Option<String> {
    match a.constraints.len() {
        0 => None,
        1 => Some(a.constraints[0].clone()),
        _ => Some(a.constraints.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(" && ")),
    }
}

pub fn main(args: &[String]) -> ExitCode {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}");
            println!("{USAGE}");
            return ExitCode::from(1);
        }
    };
    let stdout = std::io::stdout();
    let mut out = Printer::new(&a, std::io::BufWriter::new(stdout.lock()));
    out.header();
    let result = match &a.file {
        Some(path) => read_file(&a, path, &mut out),
        None => read_schedd(&a, &mut out),
    };
    out.footer();
    let _ = out.out.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// Feeds ads to the printer in the order asked for, stopping at the
/// limits; returns false when reading should stop.
struct Feeder<'a, W: Write> {
    a: &'a Args,
    out: &'a mut Printer<W>,
    constraint: Option<Expr>,
    matched: usize,
    scanned: usize,
    /// With `-forwards`, the ads to print once all are read.
    held: Vec<ClassAd>,
}

impl<W: Write> Feeder<'_, W> {
    /// One ad, newest first; false to stop reading.
    fn ad(&mut self, ad: ClassAd, check: bool) -> bool {
        self.scanned += 1;
        if let Some(s) = &self.a.since {
            if classad::ops::bool_equiv(&ad.eval_expr(s, None)) == Some(true) {
                return false;
            }
        }
        if check && !self.selected(&ad) {
            return self.a.scan_limit.is_none_or(|n| self.scanned < n);
        }
        if self.a.forwards {
            self.held.push(ad);
        } else {
            self.matched += 1;
            self.out.ad(&ad);
            if self.a.limit.is_some_and(|n| self.matched >= n) {
                return false;
            }
        }
        self.a.scan_limit.is_none_or(|n| self.scanned < n)
    }

    /// Ids, owners and constraint (a file from elsewhere may hold anything).
    fn selected(&self, ad: &ClassAd) -> bool {
        let int = |n: &str| ad.eval_attr(n).as_int();
        if !self.a.ids.is_empty() {
            let (Some(c), Some(p)) = (int("ClusterId"), int("ProcId")) else { return false };
            if !self.a.ids.iter().any(|s| s.covers(proto::JobId { cluster: c, proc: p })) {
                return false;
            }
        }
        if !self.a.owners.is_empty() {
            let owner = match ad.eval_attr("Owner") {
                Value::String(s) => s.to_string(),
                _ => return false,
            };
            if !self.a.owners.iter().any(|o| o == &owner) {
                return false;
            }
        }
        match &self.constraint {
            Some(c) => classad::ops::bool_equiv(&ad.eval_expr(c, None)) == Some(true),
            None => true,
        }
    }

    fn finish(&mut self) {
        let held = std::mem::take(&mut self.held);
        for ad in held.iter().rev() {
            self.matched += 1;
            self.out.ad(ad);
            if self.a.limit.is_some_and(|n| self.matched >= n) {
                break;
            }
        }
    }
}

/// `-file`: the file itself, backwards, skipping by banner lines the ads
/// of other jobs and owners without parsing them.
fn read_file<W: Write>(a: &Args, path: &std::path::Path, out: &mut Printer<W>) -> Result<(), String> {
    let constraint = match constraint_of(a) {
        Some(c) => Some(Expr::parse_old(&c).map_err(|e| format!("Error:  could not parse constraint {c}: {e}"))?),
        None => None,
    };
    let reader = jobqueue::NewestFirst::open_filtered(path, &a.ids, &a.owners)
        .map_err(|e| format!("Error: cannot read the history file {}: {e}", path.display()))?;
    let mut f = Feeder { a, out, constraint, matched: 0, scanned: 0, held: Vec::new() };
    for item in reader {
        match item {
            Ok(ad) => {
                if !f.ad(ad, true) {
                    break;
                }
            }
            Err(e) => eprintln!("Warning: {e}"),
        }
    }
    f.finish();
    Ok(())
}

/// The schedd's history (its file and the rotated ones), newest first.
fn read_schedd<W: Write>(a: &Args, out: &mut Printer<W>) -> Result<(), String> {
    let client = connect_schedd(a.name.as_deref(), a.pool.as_deref())?;
    let projection = out.projection();
    let server_limit = if a.forwards || a.since.is_some() || a.scan_limit.is_some() { None } else { a.limit };
    let req = QueryRequest {
        select: JobSelector { ids: a.ids.clone(), owners: a.owners.clone(), constraint: constraint_of(a), all: false },
        projection,
        limit: server_limit,
        ..Default::default()
    };
    let mut f = Feeder { a, out, constraint: None, matched: 0, scanned: 0, held: Vec::new() };
    let mut error = None;
    let result = client::schedd::history_each_blocking(&client, &req, |line| match line {
        QueryLine::Ad(w) => f.ad(ad_of(&w), false),
        QueryLine::Error(e) => {
            error = Some(e.message);
            false
        }
        QueryLine::Summary(_) => true,
    });
    f.finish();
    result.map_err(|e| super::q::query_error(&e))?;
    match error {
        Some(e) => Err(format!("Error: {e}")),
        None => Ok(()),
    }
}

/// The default table's columns:
/// ` ID          OWNER            SUBMITTED   RUN_TIME   ST   COMPLETED CMD`.
const TABLE_ATTRS: &[&str] = &[
    "ClusterId", "ProcId", "Owner", "QDate", "RemoteWallClockTime", "RemoteUserCpu", "JobStatus", "CompletionDate", "Cmd", "Args",
    "Arguments", "JobDescription", "MATCH_EXP_JobDescription",
];

/// Prints each ad as it comes, in the chosen form.
struct Printer<W: Write> {
    out: W,
    form: Form,
    af: Option<(AfOptions, GrowingTable, Vec<String>)>,
    formats: Vec<FormatItem>,
    attributes: Vec<String>,
    count: usize,
    /// The ID column of the table: as wide as its heading or the widest id so far.
    id_width: usize,
    /// Lines of the table are cut at the terminal's width (less one) unless `-wide`.
    max_width: Option<usize>,
}

impl<W: Write> Printer<W> {
    fn new(a: &Args, out: W) -> Printer<W> {
        let af = a.af.as_ref().map(|(o, attrs)| (o.clone(), GrowingTable::new(o, attrs), attrs.clone()));
        let on_terminal = nix::unistd::isatty(1).unwrap_or(false);
        let max_width = (on_terminal && !a.wide).then(|| (render::display_width() - 1).max(1) as usize);
        Printer { out, form: a.form, af, formats: a.formats.clone(), attributes: a.attributes.clone(), count: 0, id_width: 12, max_width }
    }

    fn custom(&self) -> bool {
        self.af.is_some() || !self.formats.is_empty()
    }

    /// What to ask the schedd for (empty: everything).
    fn projection(&self) -> Vec<String> {
        if let Some((_, _, attrs)) = &self.af {
            let mut p = autoformat::attributes_of(attrs);
            if self.af.as_ref().is_some_and(|(o, _, _)| o.job_id) {
                p.extend(["ClusterId".to_string(), "ProcId".to_string()]);
            }
            return p;
        }
        if !self.formats.is_empty() {
            return self.formats.iter().flat_map(|f| autoformat::attributes_of(std::slice::from_ref(&f.attr))).collect();
        }
        match self.form {
            Form::Table => TABLE_ATTRS.iter().map(|s| s.to_string()).collect(),
            _ => self.attributes.clone(),
        }
    }

    fn write(&mut self, s: &str) {
        let _ = self.out.write_all(s.as_bytes());
    }

    fn table_line(&mut self, line: &str) {
        match self.max_width {
            Some(w) if line.chars().count() > w => {
                let cut: String = line.chars().take(w).collect();
                self.write(&format!("{cut}\n"));
            }
            _ => self.write(&format!("{line}\n")),
        }
    }

    fn header(&mut self) {
        if let Some((o, t, _)) = &self.af {
            if o.headings {
                let h = t.heading();
                self.write(&h);
            }
            return;
        }
        if !self.formats.is_empty() {
            return;
        }
        match self.form {
            Form::Table => self.table_line(" ID          OWNER            SUBMITTED   RUN_TIME   ST   COMPLETED CMD"),
            Form::Xml => self.write(&format!("{}\n", xml::HEADER)),
            Form::Json => self.write("[\n"),
            Form::Long | Form::JsonLines => {}
        }
    }

    fn footer(&mut self) {
        if self.custom() {
            return;
        }
        match self.form {
            Form::Xml => self.write(&format!("{}\n", xml::FOOTER)),
            Form::Json => self.write("]\n"),
            _ => {}
        }
    }

    fn ad(&mut self, ad: &ClassAd) {
        if let Some((o, t, attrs)) = &mut self.af {
            let line = if o.headings { t.row(ad) } else { autoformat::af_row(ad, o, attrs, None) };
            self.write(&line);
            self.count += 1;
            return;
        }
        if !self.formats.is_empty() {
            let line = autoformat::format_row(ad, &self.formats);
            self.write(&line);
            self.count += 1;
            return;
        }
        let shown = if self.attributes.is_empty() { None } else { Some(only(ad, &self.attributes)) };
        let ad = shown.as_ref().unwrap_or(ad);
        match self.form {
            Form::Table => {
                let line = self.table_row(ad);
                self.table_line(&line);
            }
            Form::Long => self.write(&autoformat::long_text(ad)),
            Form::Json => {
                let sep = if self.count > 0 { ",\n" } else { "" };
                self.write(&format!("{sep}{}\n", autoformat::json_ad(ad)));
            }
            Form::JsonLines => self.write(&format!("{}\n", autoformat::json_line(ad))),
            Form::Xml => self.write(&format!("{}\n", xml::ad(ad))),
        }
        self.count += 1;
    }

    fn table_row(&mut self, ad: &ClassAd) -> String {
        let int = |n: &str| ad.eval_attr(n).as_int();
        let id = match (int("ClusterId"), int("ProcId")) {
            (Some(c), Some(p)) => format!("{c}.{p}"),
            _ => "??".to_string(),
        };
        self.id_width = self.id_width.max(id.len());
        let id_w = self.id_width;
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
        let cmd = render::description_of(ad).unwrap_or_default();
        format!("{id:<id_w$} {owner:<14} {qdate:>11} {:>12} {st}  {completed:>11} {cmd}", render::format_time(run as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Args {
        parse(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn ad(text: &str) -> ClassAd {
        ClassAd::parse_old(text).unwrap()
    }

    fn printed(a: &Args, ads: &[ClassAd]) -> String {
        let mut p = Printer::new(a, Vec::new());
        p.max_width = None;
        p.header();
        for x in ads {
            p.ad(x);
        }
        p.footer();
        String::from_utf8(p.out).unwrap()
    }

    #[test]
    fn options_parse_like_condor_history() {
        let a = args(&["-lim", "3", "-forw", "alice", "12", "-const", "ExitCode == 0", "-af:h", "ClusterId", "Owner", "-json"]);
        assert_eq!((a.limit, a.forwards, a.form), (Some(3), true, Form::Json));
        assert_eq!(a.owners, ["alice"]);
        assert_eq!(a.ids, [JobSpec::Cluster(12)]);
        assert!(a.af.as_ref().unwrap().0.headings);
        assert!(parse(&["-forwards".into(), "-since".into(), "3.0".into()]).is_err());
        assert!(parse(&["-bogus".into()]).is_err());
        let s = args(&["-since", "3.1"]).since.unwrap();
        assert!(classad::ops::bool_equiv(&ad("ClusterId = 3\nProcId = 1").eval_expr(&s, None)) == Some(true));
    }

    #[test]
    fn json_and_xml_are_framed_as_condor_history_frames_them() {
        let ads = [ad("ClusterId = 2\nProcId = 1"), ad("ClusterId = 2\nProcId = 0")];
        assert_eq!(
            printed(&args(&["-json"]), &ads),
            "[\n{\n  \"ClusterId\": 2,\n  \"ProcId\": 1\n}\n,\n{\n  \"ClusterId\": 2,\n  \"ProcId\": 0\n}\n]\n"
        );
        assert_eq!(printed(&args(&["-json"]), &[]), "[\n]\n");
        assert_eq!(printed(&args(&["-jsonl"]), &ads[..1]), "{\"ClusterId\": 2,\"ProcId\": 1}\n");
        assert_eq!(
            printed(&args(&["-xml"]), &ads[..1]),
            format!("{}\n<c>\n    <a n=\"ClusterId\"><i>2</i></a>\n    <a n=\"ProcId\"><i>1</i></a>\n</c>\n\n{}\n", xml::HEADER, xml::FOOTER)
        );
        assert_eq!(printed(&args(&["-long", "-attributes", "ProcId"]), &ads[..1]), "ProcId = 1\n\n");
    }

    #[test]
    fn headings_come_first_and_columns_grow_with_the_ads() {
        let ads = [ad("ClusterId = 7\nCmd = \"/bin/true\""), ad("ClusterId = 123456\nCmd = \"/bin/a-longer-name\"")];
        assert_eq!(
            printed(&args(&["-af:h", "ClusterId", "Cmd"]), &ads),
            "ClusterId Cmd\n7         /bin/true\n123456    /bin/a-longer-name\n"
        );
    }
}
