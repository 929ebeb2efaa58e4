//! The `queue` statement and its item data.
//!
//! ```text
//! queue [<count>] [<var>[,<var>...] in|from|matching [files|dirs|any] [<slice>] <items>]
//! ```
//!
//! - `queue`, `queue N`: N jobs (N may be any expression that evaluates to
//!   a whole number, `queue 1.5` is one job).
//! - `queue x in (a, b, c)` / `queue x in a b c`: one row per item.
//! - `queue x,y from (rows)` / `queue x,y from FILE` / `... from cmd |`: one
//!   row per line, fields split on `,`/whitespace (or the ASCII unit
//!   separator when a line has one).
//! - `queue x matching [files|dirs] glob...`: one row per matching path.
//! - `[start:end:step]` selects rows like a Python slice.
//!
//! An item list in parentheses may continue over the following lines up to
//! a line starting with `)`. Parsing follows HTCondor's scanner, including
//! the forms it accepts that look wrong (`queue x in a b c`, `queue 2 x y in
//! (a b)`, `queue x, from (a)`).

/// How the items of a queue statement are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForeachMode {
    /// `queue` or `queue N`: no items.
    #[default]
    Not,
    In,
    From,
    Matching,
    MatchingFiles,
    MatchingDirs,
    MatchingAny,
}

/// A Python-style slice `[start:end:step]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Slice {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub step: Option<i64>,
    /// A slice was written at all.
    pub set: bool,
}

impl Slice {
    /// Parse a slice at the start of `s` (which begins with `[`). Returns the
    /// slice and the number of bytes consumed, or `None` if malformed.
    pub fn parse(s: &str) -> Option<(Slice, usize)> {
        let b = s.as_bytes();
        if b.first() != Some(&b'[') {
            return None;
        }
        let mut sl = Slice { set: true, ..Slice::default() };
        let mut p = 1usize;
        let mut field = 0;
        loop {
            let (val, used) = strtol(&s[p..]);
            let next = p + used;
            let ch = b.get(next).copied();
            let allowed_end = if field < 2 { ch == Some(b':') || ch == Some(b']') } else { ch == Some(b']') };
            if !allowed_end {
                return None;
            }
            if used > 0 {
                match field {
                    0 => sl.start = Some(val),
                    1 => sl.end = Some(val),
                    _ => sl.step = Some(val),
                }
            }
            if ch == Some(b']') {
                return Some((sl, next + 1));
            }
            field += 1;
            p = next + 1;
        }
    }

    fn bounds(&self, len: i64) -> (i64, i64) {
        let is = match self.start {
            Some(s) if s < 0 => s + len,
            Some(s) => s,
            None => 0,
        };
        let ie = match self.end {
            Some(e) if e < 0 => e + len,
            Some(e) => e,
            None => len,
        };
        (is, ie)
    }

    /// Map the n-th selected position to a row index; `None` once past the
    /// end of the slice.
    pub fn translate(&self, ix: i64, len: i64) -> Option<i64> {
        if !self.set {
            return (ix >= 0 && ix < len).then_some(ix);
        }
        let step = self.step.unwrap_or(1);
        let step = if step <= 0 { 1 } else { step };
        let (is, ie) = self.bounds(len);
        let iy = is + ix * step;
        (iy >= is && iy < ie).then_some(iy)
    }

    /// Number of rows the slice selects from `len` rows (HTCondor's count,
    /// which decides whether a queue statement is empty).
    pub fn length_for(&self, len: i64) -> i64 {
        if !self.set {
            return len;
        }
        let (is, ie) = self.bounds(len);
        let mut ret = ie - is;
        if let Some(step) = self.step {
            if step > 1 {
                ret = (ret + step - 1) / step;
            }
        }
        ret.max(0).min(len)
    }
}

/// C `strtol(s, &end, 10)` without overflow: value and bytes consumed (0 if
/// no number).
fn strtol(s: &str) -> (i64, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && crate::reader::is_c_space(b[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add(i64::from(b[i] - b'0'));
        i += 1;
    }
    if i == start {
        return (0, 0);
    }
    (if neg { -v } else { v }, i)
}

/// Why a queue statement could not be parsed (HTCondor's messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("Invalid Queue count expression")]
    InvalidCount,
    #[error("Queue count out of range")]
    CountOutOfRange,
    #[error("Queue keyword conflict")]
    KeywordConflict,
    #[error("Invalid [::] statement")]
    BadSlice,
    #[error("Invalid TABLE options")]
    BadTableOptions,
}

/// The parsed arguments of one queue statement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueArgs {
    /// Jobs per item.
    pub count: i64,
    /// Loop variable names as written.
    pub vars: Vec<String>,
    pub mode: ForeachMode,
    pub slice: Slice,
    /// Items given on the statement line itself.
    pub items: Vec<String>,
    /// Where the rest of the items come from: `Some("<")` means the lines
    /// that follow in the submit file (up to `)`), any other value is a
    /// file name, `-` (standard input) or a command ending in `|`.
    pub items_source: Option<String>,
}

/// The argument text of a queue statement (`queue ...` or `iterate ...`), or
/// `None` when the line is not one.
pub fn queue_statement_args(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let is_queue = b.len() >= 5
        && b[..5].eq_ignore_ascii_case(b"queue")
        && (b.len() == 5 || crate::reader::is_c_space(b[5]));
    let args = if is_queue {
        &line[5..]
    } else {
        let t = line.trim_start_matches([' ', '\t', '\r', '\n']);
        let word_end = t.find([' ', '\t', '\r', '\n']).unwrap_or(t.len());
        let word = t[..word_end].to_ascii_lowercase();
        if (4..=7).contains(&word.len()) && "iterate".starts_with(&word) {
            &t[word_end..]
        } else {
            return None;
        }
    };
    Some(args.trim_start_matches(|c: char| c.is_ascii() && crate::reader::is_c_space(c as u8)))
}

fn is_space(c: u8) -> bool {
    crate::reader::is_c_space(c)
}

/// Scan for one of `tokens` as a whole word delimited by whitespace or `(`.
/// Returns (index of keyword in tokens, start of token, position after
/// scanning). With `until_match == false`, stops after the first word.
fn token_scan(s: &str, from: usize, tokens: &[&str], until_match: bool) -> (Option<usize>, Option<usize>, usize) {
    // HTCondor compares words of up to 9 characters ("matching" + 1).
    const MAXTOK: usize = 9;
    let b = s.as_bytes();
    let mut p = from;
    let mut tok_start: Option<usize> = None;
    let mut cch = 0usize;
    while p < b.len() {
        let ch = b[p];
        if is_space(ch) || ch == b'(' {
            if (1..=MAXTOK).contains(&cch) {
                if let Some(ts) = tok_start {
                    let word = &s[ts..ts + cch];
                    if let Some(ix) = tokens.iter().position(|t| t.eq_ignore_ascii_case(word)) {
                        return (Some(ix), tok_start, p);
                    }
                }
            }
            if !until_match {
                return (None, if cch > 0 { tok_start } else { None }, p);
            }
            cch = 0;
        } else {
            if cch == 0 {
                tok_start = Some(p);
            }
            cch += 1;
        }
        p += 1;
    }
    (None, None, p)
}

fn split_items_into(text: &str, out: &mut Vec<String>) {
    for item in text.split([',', ' ', '\t', '\r', '\n']).filter(|t| !t.is_empty()) {
        out.push(item.to_string());
    }
}

/// Evaluates a queue count expression (`2`, `1.5`, `2*3`) to a whole number.
pub type CountEval<'a> = &'a dyn Fn(&str) -> Option<i64>;

impl QueueArgs {
    /// Parse the (already macro-expanded) arguments of a queue statement.
    pub fn parse(args: &str, eval_count: CountEval<'_>) -> Result<QueueArgs, QueueError> {
        let mut qa = QueueArgs { count: 1, ..QueueArgs::default() };
        let s = args.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
        if s.is_empty() {
            return Ok(qa);
        }
        let b = s.as_bytes();
        let (kw, kw_start, after) = token_scan(s, 0, &["in", "from", "matching"], true);
        let mut num_end = after;
        if let (Some(kw), Some(kw_start)) = (kw, kw_start) {
            qa.mode = match kw {
                0 => ForeachMode::In,
                1 => ForeachMode::From,
                _ => ForeachMode::Matching,
            };
            let mut p = after;
            while p < b.len() && is_space(b[p]) {
                p += 1;
            }
            // qualifiers after the keyword: files|dirs|any|table, and a slice
            if p < b.len() && b[p] != b'(' {
                loop {
                    let (qual, qtok, p2) = token_scan(s, p, &["files", "dirs", "any", "table"], false);
                    let mut p2 = p2;
                    let qual = if qtok.map(|t| b[t] == b'[').unwrap_or(false) { Some(99) } else { qual };
                    let Some(qual) = qual else { break };
                    match qual {
                        0..=2 => {
                            if qa.mode != ForeachMode::Matching {
                                return Err(QueueError::KeywordConflict);
                            }
                            qa.mode = match qual {
                                0 => ForeachMode::MatchingFiles,
                                1 => ForeachMode::MatchingDirs,
                                _ => ForeachMode::MatchingAny,
                            };
                        }
                        3 => {
                            if qa.mode != ForeachMode::From {
                                return Err(QueueError::KeywordConflict);
                            }
                            // TABLE options are accepted but only the standard
                            // splitting is implemented.
                            if p2 < b.len() && b[p2] == b'(' {
                                match s[p2..].find(')') {
                                    Some(close) => p2 += close + 1,
                                    None => return Err(QueueError::BadTableOptions),
                                }
                            }
                        }
                        _ => {
                            let start = qtok.unwrap_or(p);
                            match Slice::parse(&s[start..]) {
                                Some((sl, used)) => {
                                    qa.slice = sl;
                                    p2 = start + used;
                                    if p2 < b.len() && b[p2] == b']' {
                                        p2 += 1;
                                    }
                                }
                                None => return Err(QueueError::BadSlice),
                            }
                        }
                    }
                    if p2 == p {
                        break;
                    }
                    p = p2;
                    while p < b.len() && is_space(b[p]) {
                        p += 1;
                    }
                }
            }
            // the item list (or its first line)
            let mut plist = &s[p.min(s.len())..];
            let mut one_line = false;
            if plist.len() >= 2 && plist.starts_with('(') && plist.ends_with(')') {
                plist = &plist[1..plist.len() - 1];
                one_line = true;
            }
            let trim_ws = |t: &str| t.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8)).to_string();
            if let Some(rest) = plist.strip_prefix('(') {
                // the list continues on the following lines
                let first = trim_ws(rest);
                if !first.is_empty() {
                    if qa.mode == ForeachMode::From {
                        qa.items.clear();
                        qa.items.push(first);
                    } else {
                        split_items_into(&first, &mut qa.items);
                    }
                }
                qa.items_source = Some("<".to_string());
            } else if qa.mode == ForeachMode::From {
                let t = trim_ws(plist);
                if one_line {
                    qa.items.clear();
                    qa.items.push(t);
                } else {
                    qa.items_source = Some(crate::reader::trim_c(&t).to_string());
                }
            } else {
                split_items_into(plist, &mut qa.items);
            }

            // loop variables: scan backwards from the keyword over names,
            // commas, dots and spaces.
            let mut pv = kw_start;
            while pv > 0 && is_space(b[pv - 1]) {
                pv -= 1;
            }
            let vars_end = pv;
            if pv > 0 {
                let mut pt = pv;
                while pt > 0 {
                    let mut ch = b[pt - 1];
                    if ch.is_ascii_digit() {
                        pt -= 1;
                        while pt > 0 {
                            ch = b[pt - 1];
                            if ch.is_ascii_alphabetic() {
                                break;
                            }
                            if !ch.is_ascii_digit() {
                                ch = b'!';
                                break;
                            }
                            pt -= 1;
                        }
                    }
                    if is_space(ch) || ch.is_ascii_alphabetic() || ch == b',' || ch == b'_' || ch == b'.' {
                        pv = pt - 1;
                    } else {
                        break;
                    }
                    pt -= 1;
                }
                let vars_text = &s[pv..vars_end];
                qa.vars = vars_text
                    .split([',', ' ', '\t', '\r', '\n'])
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            num_end = pv;
        }
        let count_text = s[..num_end].trim_end_matches(|c: char| c.is_ascii() && is_space(c as u8));
        if !count_text.is_empty() {
            let v = eval_count(count_text).ok_or(QueueError::InvalidCount)?;
            if v < 0 || v >= i64::from(i32::MAX) {
                return Err(QueueError::CountOutOfRange);
            }
            qa.count = v;
        }
        Ok(qa)
    }

    /// The loop variables, with `Item` when items are used without naming one.
    pub fn effective_vars(&self) -> Vec<String> {
        if self.vars.is_empty() && self.mode != ForeachMode::Not {
            vec!["Item".to_string()]
        } else {
            self.vars.clone()
        }
    }

    /// Number of rows selected (1 when there are no items).
    pub fn selected_item_count(&self) -> i64 {
        if self.mode == ForeachMode::Not {
            return 1;
        }
        self.slice.length_for(self.items.len() as i64)
    }

}

/// Split one row of item data into `ncols` fields the way HTCondor does:
/// trim spaces/tabs, then split on `,`/space/tab (or only on the ASCII unit
/// separator when the row contains one), the last field taking the rest.
/// Missing fields are empty.
pub fn split_row(row: &str, ncols: usize) -> Vec<String> {
    split_row_slices(row, ncols).into_iter().map(str::to_string).collect()
}

/// [`split_row`] without copying: the fields as slices of `row`.
pub fn split_row_slices(row: &str, ncols: usize) -> Vec<&str> {
    let mut item = row;
    if let Some(x) = item.strip_suffix('\n') {
        item = x;
    }
    if let Some(x) = item.strip_suffix('\r') {
        item = x;
    }
    let (seps, ws): (&[char], &[char]) = if item.contains('\x1f') {
        (&['\x1f'], &[' ', '\t'])
    } else {
        (&[',', ' ', '\t'], &[' ', '\t'])
    };
    let item = item.trim_matches(ws);
    if item.is_empty() {
        return Vec::new();
    }
    let mut values: Vec<&str> = Vec::with_capacity(ncols.min(64));
    values.push(item);
    while values.len() < ncols {
        let last = values.len() - 1;
        let prev = values[last];
        match prev.find(seps) {
            None => values.push(""),
            Some(end) => {
                let sep_len = prev[end..].chars().next().map_or(1, char::len_utf8);
                let head = prev[..end].trim_end_matches(ws);
                let tail = prev[end + sep_len..].trim_start_matches(ws);
                values[last] = head;
                values.push(tail);
            }
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(s: &str) -> Option<i64> {
        let t = s.trim();
        t.parse::<i64>().ok().or_else(|| t.parse::<f64>().ok().map(|f| f as i64))
    }

    fn parse(s: &str) -> QueueArgs {
        QueueArgs::parse(s, &eval).unwrap()
    }

    #[test]
    fn counts() {
        assert_eq!(parse("").count, 1);
        assert_eq!(parse("5").count, 5);
        assert_eq!(parse("1.5").count, 1);
        assert_eq!(QueueArgs::parse("-1", &eval), Err(QueueError::CountOutOfRange));
        assert_eq!(QueueArgs::parse("lots", &eval), Err(QueueError::InvalidCount));
    }

    #[test]
    fn in_lists() {
        let q = parse("x in (a, b, c)");
        assert_eq!((q.mode, q.vars.clone(), q.items.clone()), (ForeachMode::In, vec!["x".to_string()], vec!["a".into(), "b".into(), "c".into()]));
        let q = parse("x in a b c");
        assert_eq!(q.items.len(), 3);
        let q = parse("2 x y in (a b)");
        assert_eq!((q.count, q.vars.clone()), (2, vec!["x".to_string(), "y".to_string()]));
        let q = parse(" in (p, q)");
        assert!(q.vars.is_empty());
        assert_eq!(q.effective_vars(), vec!["Item"]);
        let q = parse("x in (");
        assert_eq!(q.items_source.as_deref(), Some("<"));
    }

    #[test]
    fn from_sources() {
        let q = parse("x,y from items.txt");
        assert_eq!(q.items_source.as_deref(), Some("items.txt"));
        assert_eq!(q.vars, vec!["x", "y"]);
        let q = parse("x, from (a)");
        assert_eq!(q.vars, vec!["x"]);
        assert_eq!(q.items, vec!["a"]);
        let q = parse("a,b,c from (");
        assert_eq!(q.items_source.as_deref(), Some("<"));
        let q = parse("x from [1:3] list.in");
        assert_eq!(q.slice, Slice { start: Some(1), end: Some(3), step: None, set: true });
        assert_eq!(q.items_source.as_deref(), Some("list.in"));
        assert_eq!(QueueArgs::parse("1 2 3 from x.txt", &eval), Err(QueueError::InvalidCount));
    }

    #[test]
    fn matching_qualifiers_and_slices() {
        let q = parse("2 f matching files [1:] *.in");
        assert_eq!(q.mode, ForeachMode::MatchingFiles);
        assert_eq!(q.count, 2);
        assert_eq!(q.items, vec!["*.in"]);
        assert_eq!(q.slice.start, Some(1));
        assert_eq!(parse("matching dirs *.in").mode, ForeachMode::MatchingDirs);
        assert_eq!(QueueArgs::parse("x in files (a)", &eval), Err(QueueError::KeywordConflict));
        assert_eq!(QueueArgs::parse("x in [1:2 (a)", &eval), Err(QueueError::BadSlice));
    }

    #[test]
    fn slices_select_like_htcondor() {
        let s = Slice::parse("[::2]").unwrap().0;
        let picked: Vec<i64> = (0..10).map_while(|i| s.translate(i, 5)).collect();
        assert_eq!(picked, vec![0, 2, 4]);
        let s = Slice::parse("[-1:]").unwrap().0;
        assert_eq!((0..10).map_while(|i| s.translate(i, 4)).collect::<Vec<_>>(), vec![3]);
        assert_eq!(s.length_for(4), 1);
        let s = Slice::parse("[5:]").unwrap().0;
        assert_eq!(s.length_for(3), 0);
    }

    #[test]
    fn rows_split_into_fields() {
        assert_eq!(split_row("  v0, /p/q, v0", 3), vec!["v0", "/p/q", "v0"]);
        assert_eq!(split_row("z z z z z z", 3), vec!["z", "z", "z z z z"]);
        assert_eq!(split_row("a", 3), vec!["a", "", ""]);
        assert_eq!(split_row("a\x1f b c\x1fd", 2), vec!["a", "b c\x1fd"]);
        assert_eq!(split_row("a,,b", 3), vec!["a", "", "b"]);
    }

    #[test]
    fn queue_statements_are_recognised() {
        assert_eq!(queue_statement_args("queue"), Some(""));
        assert_eq!(queue_statement_args("QUEUE 2 x in (a)"), Some("2 x in (a)"));
        assert_eq!(queue_statement_args("queued = 1"), None);
        assert_eq!(queue_statement_args("iterate x in (a)"), Some("x in (a)"));
        assert_eq!(queue_statement_args("iter x"), Some("x"));
        assert_eq!(queue_statement_args("executable = x"), None);
    }
}
