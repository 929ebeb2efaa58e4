//! The formats that print attribute values rather than tables:
//! `-af`/`-autoformat` with HTCondor's option letters, `-format FMT ATTR`
//! (printf-style), `-long` and `-json`. Shared by `condor_q` and
//! `condor_history`.

use std::io::Write;

use classad::{ClassAd, Expr, Value};

/// The letters after `-af:` (`-af:jlhVr,tngTY`), as HTCondor reads them:
/// `,` and `n` set the text after each value but the last (the later
/// letter wins), `t` the text between values, `g` puts each ad after a
/// newline with nothing between values.
#[derive(Debug, Clone, PartialEq)]
pub struct AfOptions {
    /// Between two values (` `; `\t` with `t`; nothing with `g`).
    pub col_prefix: Option<&'static str>,
    /// After each value but the last (`,` or `\n`).
    pub col_suffix: Option<&'static str>,
    /// Before each ad (`\n` with `g`).
    pub row_prefix: Option<&'static str>,
    /// `l`: `Attr = value`.
    pub label: bool,
    /// `V`: strings quoted.
    pub quoted: bool,
    /// `r`/`o`: the expression as written, not evaluated.
    pub raw: bool,
    /// `T`: the value as a duration (`  0+00:00:20`).
    pub time: bool,
    /// `Y`: the value as a date (`11/25 10:47`).
    pub date: bool,
    /// `h`: a heading line, columns padded.
    pub headings: bool,
    /// `j`: the job id first.
    pub job_id: bool,
}

impl Default for AfOptions {
    fn default() -> AfOptions {
        AfOptions {
            col_prefix: Some(" "),
            col_suffix: None,
            row_prefix: None,
            label: false,
            quoted: false,
            raw: false,
            time: false,
            date: false,
            headings: false,
            job_id: false,
        }
    }
}

impl AfOptions {
    pub fn parse(letters: &str) -> AfOptions {
        let mut o = AfOptions::default();
        for c in letters.chars() {
            match c {
                ',' => o.col_suffix = Some(","),
                'n' => o.col_suffix = Some("\n"),
                'g' => {
                    o.col_prefix = None;
                    o.row_prefix = Some("\n");
                }
                't' => o.col_prefix = Some("\t"),
                'l' => o.label = true,
                'V' => o.quoted = true,
                'r' | 'o' => o.raw = true,
                'T' => o.time = true,
                'Y' => o.date = true,
                'h' => o.headings = true,
                'j' => o.job_id = true,
                _ => {}
            }
        }
        o
    }
}

/// One `-format FMT ATTR` pair.
#[derive(Debug, Clone)]
pub struct FormatItem {
    pub format: String,
    pub attr: String,
}

/// The attribute names the expressions refer to (what to ask the schedd for).
pub fn attributes_of(exprs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for text in exprs {
        match Expr::parse(text) {
            Ok(e) => {
                let refs = e.references();
                if refs.is_empty() {
                    continue;
                }
                for r in refs {
                    let r = r.strip_prefix("MY.").map(str::to_string).unwrap_or(r);
                    if !out.iter().any(|o| o.eq_ignore_ascii_case(&r)) {
                        out.push(r);
                    }
                }
            }
            Err(_) => out.push(text.clone()),
        }
    }
    out
}

/// A value as `%v` prints it: strings bare, everything else unparsed.
pub fn value_text(v: &Value, quoted: bool) -> String {
    match v {
        Value::String(s) if !quoted => s.to_string(),
        other => classad::unparse::unparse_value(other),
    }
}

/// One `-af` value: `(text, defined)`. Raw (`:r`) prints an attribute's
/// expression as written (an expression given on the command line as
/// written, a missing attribute as `undefined`); otherwise the value is
/// evaluated, strings bare unless quoted (`:V`), durations (`:T`) and dates
/// (`:Y`) formatted.
fn eval_text(ad: &ClassAd, text: &str, o: &AfOptions) -> (String, bool) {
    let own = ad.get(text).cloned();
    let expr = match &own {
        Some(e) => e.clone(),
        None => match Expr::parse_old(text) {
            Ok(e) => e,
            Err(_) => return ("undefined".to_string(), false),
        },
    };
    if o.raw {
        return match own {
            Some(e) => (e.to_old_string(), true),
            None if matches!(expr.node(), classad::Node::Attr { .. } | classad::Node::Select { .. }) => ("undefined".to_string(), true),
            None => (expr.to_old_string(), true),
        };
    }
    let v = ad.eval_expr(&expr, None);
    let defined = !v.is_undefined();
    if o.time || o.date {
        return match v.as_number() {
            Some(n) if o.time => (super::render::format_time(n as i64), true),
            Some(n) => (super::render::format_date(n as i64), true),
            None => (String::new(), false),
        };
    }
    (value_text(&v, o.quoted), defined)
}

fn job_id_text(ad: &ClassAd) -> String {
    match (ad.eval_attr("ClusterId").as_int(), ad.eval_attr("ProcId").as_int()) {
        (Some(c), Some(p)) => format!("{c}.{p}"),
        (Some(c), None) => format!("{c}"),
        _ => "undefined".to_string(),
    }
}

/// Which whole-ad form to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdForm {
    #[default]
    None,
    Long,
    Json,
    Xml,
}

/// Prints ads as they arrive for the formats that need no look at the
/// whole answer, and the rest (`-af:h`, `-json`) at the end.
pub struct Streamer {
    af: Option<(AfOptions, Vec<String>)>,
    formats: Vec<FormatItem>,
    form: AdForm,
    count: usize,
}

impl Streamer {
    pub fn new(af: &Option<(AfOptions, Vec<String>)>, formats: &[FormatItem], form: AdForm) -> Streamer {
        Streamer { af: af.clone(), formats: formats.to_vec(), form, count: 0 }
    }

    /// True when ads can be printed one by one.
    pub fn streams(&self) -> bool {
        match &self.af {
            Some((o, _)) => !o.headings,
            None => self.form != AdForm::Json,
        }
    }

    pub fn ad(&mut self, out: &mut impl Write, ad: &ClassAd) {
        self.count += 1;
        if let Some((o, attrs)) = &self.af {
            let _ = out.write_all(af_row(ad, o, attrs, None).as_bytes());
        } else if !self.formats.is_empty() {
            let _ = out.write_all(format_row(ad, &self.formats).as_bytes());
        } else if self.form == AdForm::Long {
            let _ = out.write_all(long_text(ad).as_bytes());
        } else if self.form == AdForm::Xml {
            if self.count == 1 {
                let _ = out.write_all(super::xml::HEADER.as_bytes());
            }
            let _ = out.write_all(super::xml::ad(ad).as_bytes());
        }
    }

    /// Print what was held back (ads in id order), and closing lines.
    pub fn finish(&mut self, out: &mut impl Write, ads: &mut [ClassAd]) {
        ads.sort_by_key(|a| (a.eval_attr("ClusterId").as_int().unwrap_or(0), a.eval_attr("ProcId").as_int().unwrap_or(0)));
        if let Some((o, attrs)) = &self.af {
            if o.headings {
                let _ = out.write_all(af_table(ads, o, attrs).as_bytes());
            }
            return;
        }
        if self.form == AdForm::Json && !ads.is_empty() {
            let _ = out.write_all(json_text(ads).as_bytes());
        }
        if self.form == AdForm::Xml && self.formats.is_empty() {
            // HTCondor writes the XML frame even when no ad matched.
            if self.count == 0 {
                let _ = out.write_all(super::xml::HEADER.as_bytes());
            }
            let _ = out.write_all(super::xml::FOOTER.as_bytes());
        }
    }
}

pub(crate) fn af_row(ad: &ClassAd, o: &AfOptions, attrs: &[String], widths: Option<&[usize]>) -> String {
    let mut cells: Vec<String> = Vec::new();
    if o.job_id {
        cells.push(if o.label { format!("ID = {}", job_id_text(ad)) } else { job_id_text(ad) });
    }
    for a in attrs {
        let (t, _) = eval_text(ad, a, o);
        cells.push(if o.label && !o.headings { format!("{a} = {t}") } else { t });
    }
    join_row(&cells, o, widths)
}

fn join_row(cells: &[String], o: &AfOptions, widths: Option<&[usize]>) -> String {
    let mut s = String::new();
    if let Some(p) = o.row_prefix {
        s.push_str(p);
    }
    let last = cells.len().saturating_sub(1);
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            if let Some(p) = o.col_prefix {
                s.push_str(p);
            }
        }
        match widths.and_then(|w| w.get(i)) {
            Some(w) => s.push_str(&format!("{c:<w$}")),
            None => s.push_str(c),
        }
        if i < last {
            if let Some(x) = o.col_suffix {
                s.push_str(x);
            }
        }
    }
    s.push('\n');
    s
}

/// `-af:h`: a heading line, then the rows, each column as wide as its
/// heading or its widest defined value.
fn af_table(ads: &[ClassAd], o: &AfOptions, attrs: &[String]) -> String {
    let mut heads: Vec<String> = Vec::new();
    if o.job_id {
        heads.push(" ID".to_string());
    }
    heads.extend(attrs.iter().cloned());
    let mut widths: Vec<usize> = heads.iter().map(|h| h.len()).collect();
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(ads.len());
    for ad in ads {
        let mut cells = Vec::new();
        if o.job_id {
            let t = job_id_text(ad);
            widths[0] = widths[0].max(t.len());
            cells.push(t);
        }
        for (i, a) in attrs.iter().enumerate() {
            let (t, defined) = eval_text(ad, a, o);
            let col = i + o.job_id as usize;
            if defined {
                widths[col] = widths[col].max(t.len());
            }
            cells.push(t);
        }
        rows.push(cells);
    }
    let plain = o.clone();
    // Headings are padded to their columns' widths, like the values.
    let mut out = join_row(&heads, &plain, Some(&widths));
    for r in rows {
        out.push_str(&join_row(&r, o, Some(&widths)));
    }
    out
}

/// `-long`: every attribute, sorted by name, then a blank line.
pub fn long_text(ad: &ClassAd) -> String {
    let mut attrs: Vec<(&str, &Expr)> = ad.iter_all().collect();
    attrs.sort_by_key(|(n, _)| n.to_ascii_lowercase());
    let mut s = String::with_capacity(attrs.len() * 32);
    for (n, e) in attrs {
        s.push_str(n);
        s.push_str(" = ");
        s.push_str(&e.to_old_string());
        s.push('\n');
    }
    s.push('\n');
    s
}

/// One ad as JSON (`{` … `}`, no newline after), attributes sorted by name.
pub fn json_ad(ad: &ClassAd) -> String {
    let mut attrs: Vec<(&str, &Expr)> = ad.iter_all().collect();
    attrs.sort_by_key(|(n, _)| n.to_ascii_lowercase());
    let sorted: ClassAd = attrs.into_iter().map(|(n, e)| (n, e.clone())).collect();
    sorted.to_json()
}

/// One ad as a line of JSON (`-jsonl`): [`json_ad`] without its line breaks.
pub fn json_line(ad: &ClassAd) -> String {
    let text = json_ad(ad);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            // Structural breaks only: strings carry theirs as `\n`.
            while chars.peek() == Some(&' ') {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `-af:h` printed as ads arrive (`condor_history`): the headings first,
/// each column then as wide as its heading and the widest value so far.
pub struct GrowingTable {
    o: AfOptions,
    attrs: Vec<String>,
    widths: Vec<usize>,
}

impl GrowingTable {
    pub fn new(o: &AfOptions, attrs: &[String]) -> GrowingTable {
        let mut heads: Vec<String> = Vec::new();
        if o.job_id {
            heads.push(" ID".to_string());
        }
        heads.extend(attrs.iter().cloned());
        GrowingTable { o: o.clone(), attrs: attrs.to_vec(), widths: heads.iter().map(|h| h.len()).collect() }
    }

    /// The heading line.
    pub fn heading(&self) -> String {
        let mut heads: Vec<String> = Vec::new();
        if self.o.job_id {
            heads.push(" ID".to_string());
        }
        heads.extend(self.attrs.iter().cloned());
        join_row(&heads, &self.o, Some(&self.widths))
    }

    /// One ad's line.
    pub fn row(&mut self, ad: &ClassAd) -> String {
        let mut cells = Vec::new();
        if self.o.job_id {
            let t = job_id_text(ad);
            self.widths[0] = self.widths[0].max(t.len());
            cells.push(t);
        }
        for (i, a) in self.attrs.iter().enumerate() {
            let (t, defined) = eval_text(ad, a, &self.o);
            let col = i + self.o.job_id as usize;
            if defined {
                self.widths[col] = self.widths[col].max(t.len());
            }
            cells.push(t);
        }
        join_row(&cells, &self.o, Some(&self.widths))
    }
}

/// `-json`: a list of ads, attributes sorted by name.
pub fn json_text(ads: &[ClassAd]) -> String {
    let mut s = String::from("[\n");
    for (i, ad) in ads.iter().enumerate() {
        let mut attrs: Vec<(&str, &Expr)> = ad.iter_all().collect();
        attrs.sort_by_key(|(n, _)| n.to_ascii_lowercase());
        let sorted: ClassAd = attrs.into_iter().map(|(n, e)| (n, e.clone())).collect();
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&sorted.to_json());
    }
    s.push_str("\n]\n");
    s
}

/// `-format`: each item printed with its printf format; an item whose
/// value is undefined (or of the wrong type) prints nothing, not even the
/// rest of its format. `%s` of an attribute whose value is not a string
/// prints the attribute's expression as written (HTCondor's rule).
pub(crate) fn format_row(ad: &ClassAd, items: &[FormatItem]) -> String {
    let mut s = String::new();
    for it in items {
        let own = ad.get(&it.attr);
        let v = match own {
            Some(e) => ad.eval_expr(e, None),
            None => match Expr::parse_old(&it.attr) {
                Ok(e) => ad.eval_expr(&e, None),
                Err(_) => Value::Undefined,
            },
        };
        let raw = own.map(|e| e.to_old_string());
        if let Some(t) = printf_with(&unescape(&it.format), &v, raw.as_deref()) {
            s.push_str(&t);
        }
    }
    s
}

/// `\n`, `\t` and `\\` in a `-format` string, as the shell passed them.
fn unescape(f: &str) -> String {
    let mut out = String::with_capacity(f.len());
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A printf format applied to one ClassAd value; `None` when the value
/// does not fit the conversion (or is undefined).
#[cfg(test)]
fn printf(fmt: &str, v: &Value) -> Option<String> {
    printf_with(fmt, v, None)
}

/// [`printf`], with the attribute's expression as written (`raw`) for a
/// `%s` whose value is not a string.
fn printf_with(fmt: &str, v: &Value, raw: Option<&str>) -> Option<String> {
    let mut out = String::new();
    let b = fmt.as_bytes();
    let mut i = 0;
    let mut used = false;
    while i < b.len() {
        if b[i] != b'%' {
            let start = i;
            while i < b.len() && b[i] != b'%' {
                i += 1;
            }
            out.push_str(&fmt[start..i]);
            continue;
        }
        if b.get(i + 1) == Some(&b'%') {
            out.push('%');
            i += 2;
            continue;
        }
        let start = i;
        i += 1;
        let mut flags = String::new();
        while i < b.len() && b"-+ #0".contains(&b[i]) {
            flags.push(b[i] as char);
            i += 1;
        }
        let mut width = String::new();
        while i < b.len() && b[i].is_ascii_digit() {
            width.push(b[i] as char);
            i += 1;
        }
        let mut prec: Option<usize> = None;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let mut p = String::new();
            while i < b.len() && b[i].is_ascii_digit() {
                p.push(b[i] as char);
                i += 1;
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        while i < b.len() && b"hlLqjzt".contains(&b[i]) {
            i += 1;
        }
        let Some(&conv) = b.get(i) else {
            out.push_str(&fmt[start..]);
            break;
        };
        i += 1;
        if used {
            // One value per format: later conversions print as written.
            out.push_str(&fmt[start..i]);
            continue;
        }
        used = true;
        let left = flags.contains('-');
        let zero = flags.contains('0') && !left;
        let plus = flags.contains('+');
        let w: usize = width.parse().unwrap_or(0);
        let body = match conv {
            b'd' | b'i' | b'u' => {
                let n = match v {
                    Value::Int(n) => *n,
                    Value::Real(r) => *r as i64,
                    Value::Bool(x) => *x as i64,
                    _ => return None,
                };
                if plus && n >= 0 {
                    format!("+{n}")
                } else {
                    n.to_string()
                }
            }
            b'x' | b'X' | b'o' => {
                let n = match v {
                    Value::Int(n) => *n,
                    Value::Real(r) => *r as i64,
                    Value::Bool(x) => *x as i64,
                    _ => return None,
                };
                match conv {
                    b'x' => format!("{n:x}"),
                    b'X' => format!("{n:X}"),
                    _ => format!("{n:o}"),
                }
            }
            b'f' | b'F' | b'e' | b'E' | b'g' | b'G' => {
                let r = match v {
                    Value::Int(n) => *n as f64,
                    Value::Real(r) => *r,
                    Value::Bool(x) => *x as i64 as f64,
                    _ => return None,
                };
                let p = prec.unwrap_or(6);
                let t = match conv {
                    b'f' | b'F' => format!("{r:.p$}"),
                    b'e' => classad::unparse::printf_e(r, p, false),
                    b'E' => classad::unparse::printf_e(r, p, true),
                    b'g' => classad::unparse::printf_g(r, p, false),
                    _ => classad::unparse::printf_g(r, p, true),
                };
                if plus && r >= 0.0 {
                    format!("+{t}")
                } else {
                    t
                }
            }
            b's' => {
                let t = match (v, raw) {
                    (Value::String(s), _) => s.to_string(),
                    (_, Some(r)) => r.to_string(),
                    _ => return None,
                };
                match prec {
                    Some(p) => t.chars().take(p).collect(),
                    None => t,
                }
            }
            b'v' | b'V' => value_text(v, conv == b'V'),
            b'c' => match v {
                Value::Int(n) => char::from_u32(*n as u32).map(String::from).unwrap_or_default(),
                _ => return None,
            },
            _ => {
                out.push_str(&fmt[start..i]);
                continue;
            }
        };
        let padded = if body.len() >= w {
            body
        } else if left {
            format!("{body:<w$}")
        } else if zero && matches!(conv, b'd' | b'i' | b'u' | b'x' | b'X' | b'o' | b'f' | b'F' | b'e' | b'E' | b'g' | b'G') {
            let (sign, digits) = if body.starts_with('-') || body.starts_with('+') { body.split_at(1) } else { ("", body.as_str()) };
            format!("{sign}{}{digits}", "0".repeat(w - body.len()))
        } else {
            format!("{body:>w$}")
        };
        out.push_str(&padded);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ad(text: &str) -> ClassAd {
        ClassAd::parse_old(text).unwrap()
    }

    #[test]
    fn autoformat_options_match_htcondor_s_goldens() {
        let a = ad("ClusterId = 2\nProcId = 1\nJobStatus = 2\nCmd = \"/bin/sleep\"");
        let o = AfOptions::parse(",");
        assert_eq!(af_row(&a, &o, &["ClusterId".into(), "ProcId".into(), "Cmd".into()], None), "2, 1, /bin/sleep\n");
        let o = AfOptions::parse("jr");
        assert_eq!(af_row(&a, &o, &["JobStatus".into()], None), "2.1 2\n");
        let o = AfOptions::parse("lng");
        assert_eq!(af_row(&a, &o, &["ClusterId".into(), "JobStatus".into()], None), "\nClusterId = 2\nJobStatus = 2\n");
        assert_eq!(af_row(&a, &AfOptions::default(), &["JobId".into()], None), "undefined\n");
    }

    #[test]
    fn headings_pad_columns_to_their_defined_values() {
        let ads = vec![
            ad("Owner = \"condoruser\"\nJobStartDate = 1795603667"),
            ad("Owner = \"condoruser\"\nJobStartDate = 1795603667\nDaskSchedulerAddress = \"tcp://10.0.0.1:8786\""),
            ad("Owner = \"condoruser\""),
        ];
        let attrs: Vec<String> = ["Owner", "JobStartDate", "JobId", "DaskSchedulerAddress"].iter().map(|s| s.to_string()).collect();
        let t = af_table(&ads, &AfOptions::parse("h"), &attrs);
        let want = "Owner      JobStartDate JobId DaskSchedulerAddress\n\
condoruser 1795603667   undefined undefined           \n\
condoruser 1795603667   undefined tcp://10.0.0.1:8786 \n\
condoruser undefined    undefined undefined           \n";
        assert_eq!(t, want);
    }

    #[test]
    fn printf_formats() {
        assert_eq!(printf("%d.", &Value::Int(7)).as_deref(), Some("7."));
        assert_eq!(printf("%d\n", &Value::Int(0)).as_deref(), Some("0\n"));
        assert_eq!(printf("%5.2f|", &Value::Real(2.71828)).as_deref(), Some(" 2.72|"));
        assert_eq!(printf("%-4s|", &Value::string("ab")).as_deref(), Some("ab  |"));
        assert_eq!(printf("%03d", &Value::Int(7)).as_deref(), Some("007"));
        assert_eq!(printf("%V", &Value::string("x")).as_deref(), Some("\"x\""));
        assert_eq!(printf("%d", &Value::Undefined), None);
        assert_eq!(unescape("%d\\n"), "%d\n");
    }

    #[test]
    fn format_s_of_a_non_string_prints_the_expression_and_missing_values_print_nothing() {
        let a = ad("ClusterId = 7\nRequestDisk = DiskUsage\nDiskUsage = 35\nCmd = \"/bin/sleep\"");
        let f = |fmt: &str, attr: &str| format_row(&a, &[FormatItem { format: fmt.into(), attr: attr.into() }]);
        assert_eq!(f("%s|", "RequestDisk"), "DiskUsage|");
        assert_eq!(f("%s|", "ClusterId"), "7|");
        assert_eq!(f("%d|", "RequestDisk"), "35|");
        assert_eq!(f("%s|", "Cmd"), "/bin/sleep|");
        assert_eq!(f("x=%d\\n", "NoSuchAttr"), "");
        assert_eq!(f("%d|", "Cmd"), "");
        assert_eq!(f("%v|", "NoSuchAttr"), "undefined|");
        assert_eq!(f("%V|", "Cmd"), "\"/bin/sleep\"|");
        assert_eq!(f("%s|", "ClusterId + 1"), "", "an expression that is not a string prints nothing");
        assert_eq!(f("%.2f|", "ClusterId"), "7.00|");
    }

    #[test]
    fn autoformat_letters_follow_htcondor_s_rules() {
        let a = ad("ClusterId = 2\nProcId = 1\nRequestDisk = DiskUsage\nDiskUsage = 35\nQDate = 0\nT = 3725");
        let attrs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // The later of `,` and `n` wins.
        assert_eq!(af_row(&a, &AfOptions::parse(",n"), &attrs(&["ClusterId", "ProcId"]), None), "2\n 1\n");
        assert_eq!(af_row(&a, &AfOptions::parse("t"), &attrs(&["ClusterId", "ProcId"]), None), "2\t1\n");
        assert_eq!(af_row(&a, &AfOptions::parse("g"), &attrs(&["ClusterId", "ProcId"]), None), "\n21\n");
        // Raw: an attribute as written, an expression as given, a missing attribute undefined.
        let r = AfOptions::parse("r");
        assert_eq!(af_row(&a, &r, &attrs(&["RequestDisk", "ClusterId + 1", "Nope"]), None), "DiskUsage ClusterId + 1 undefined\n");
        assert_eq!(af_row(&a, &AfOptions::default(), &attrs(&["RequestDisk", "ClusterId + 1"]), None), "35 3\n");
        assert_eq!(af_row(&a, &AfOptions::parse("T"), &attrs(&["T"]), None), "  0+01:02:05\n");
        assert_eq!(af_row(&a, &AfOptions::parse("l"), &attrs(&["ClusterId"]), None), "ClusterId = 2\n");
        assert_eq!(af_row(&a, &AfOptions::parse("lj"), &attrs(&["ClusterId"]), None), "ID = 2.1 ClusterId = 2\n");
    }

    /// The stdout of a golden file.
    fn golden_stdout(name: &str) -> Option<String> {
        let shared = std::env::var("AERIE_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
        let text = std::fs::read_to_string(shared.join("reference/golden").join(name)).ok()?;
        Some(text.split("# ---- stdout ----\n").nth(1)?.split("# ---- stderr ----").next()?.to_string())
    }

    #[test]
    fn long_and_json_of_htcondor_s_own_ads_come_out_as_it_printed_them() {
        // Read the ad HTCondor printed and print it again: every value,
        // expression, nested ad and the framing must come out the same.
        let Some(long) = golden_stdout("19-q_long.txt") else { return };
        let a = ClassAd::parse_old(long.trim_end()).unwrap();
        assert_eq!(long_text(&a), long);
        let Some(json) = golden_stdout("20-q_json.txt") else { return };
        let body = json.trim_end().strip_prefix("[\n").and_then(|j| j.strip_suffix("\n]")).unwrap();
        let a = ClassAd::parse_json(body).unwrap();
        assert_eq!(json_text(&[a]), json);
    }

    #[test]
    fn long_sorts_attributes_ignoring_case() {
        let a = ad("b = 1\nGPUsProvisioned = 0\nGlobalJobId = \"x\"\nA = \"s\"");
        assert_eq!(long_text(&a), "A = \"s\"\nb = 1\nGlobalJobId = \"x\"\nGPUsProvisioned = 0\n\n");
    }
}
