//! Meta-knob helpers: splitting `use CATEGORY : A, B(args)` into templates
//! and their arguments, and substituting `$(1)`, `$(2?)`, `$(0#)`, `$(1+)`,
//! `$(1:default)` in a template's text.

/// One `NAME(args)` item of the right-hand side of a `use` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnobUse {
    pub name: String,
    pub args: String,
}

/// Index just past the brace matching the one at `open` (nested `(` and
/// `[` are skipped), or `None` when unbalanced or nested over `depth`.
fn find_close(b: &[u8], open: usize, depth: usize) -> Option<usize> {
    let close = match b[open] {
        b'(' => b')',
        b'[' => b']',
        b'{' => b'}',
        b'<' => b'>',
        c => c,
    };
    let mut i = open + 1;
    while i < b.len() && b[i] != close {
        if b[i] == b'(' || b[i] == b'[' {
            if depth == 0 {
                return None;
            }
            i = find_close(b, i, depth - 1)?;
        }
        i += 1;
    }
    if i < b.len() {
        Some(i)
    } else {
        None
    }
}

/// Split the right-hand side of `use CAT : ...` into template uses.
pub fn split_uses(rhs: &str) -> Vec<KnobUse> {
    let b = rhs.as_bytes();
    let mut out = Vec::new();
    let mut p = 0;
    loop {
        while p < b.len() && (b[p].is_ascii_whitespace() || b[p] == b',') {
            p += 1;
        }
        let start = p;
        while p < b.len() && !b[p].is_ascii_whitespace() && b[p] != b',' && b[p] != b'(' {
            p += 1;
        }
        if p == start {
            return out;
        }
        let name = rhs[start..p].to_string();
        while p < b.len() && b[p].is_ascii_whitespace() {
            p += 1;
        }
        let mut args = String::new();
        if p < b.len() && b[p] == b'(' {
            if let Some(e) = find_close(b, p, 25) {
                args = rhs[p + 1..e].to_string();
                p = e;
            }
            p += 1;
            while p < b.len() && b[p].is_ascii_whitespace() {
                p += 1;
            }
        }
        out.push(KnobUse { name, args });
    }
}

/// True when `text` has a `$(<digit>...)` argument reference.
pub fn has_meta_args(text: &str) -> bool {
    text.match_indices("$(").any(|(i, _)| text.as_bytes().get(i + 2).is_some_and(u8::is_ascii_digit))
}

/// The non-empty comma-separated arguments, trimmed.
fn tokens(args: &str) -> Vec<&str> {
    args.split(',').map(str::trim).filter(|t| !t.is_empty()).collect()
}

/// Everything after the `n`th comma-separated argument (with HTCondor's
/// skipping of empty items), `None` when there is no such argument.
fn remain_from(args: &str, index: usize) -> Option<String> {
    // walk tokens the way HTCondor's iterator does: skip separators and
    // white space, then a token up to the next comma
    let b = args.as_bytes();
    let mut pos = 0;
    let mut ix = 1;
    while ix < index {
        while pos < b.len() && (b[pos] == b',' || b[pos].is_ascii_whitespace()) {
            pos += 1;
        }
        if pos >= b.len() {
            return None;
        }
        while pos < b.len() && b[pos] != b',' {
            pos += 1;
        }
        ix += 1;
    }
    if pos > b.len() {
        return None;
    }
    let mut rest = &args[pos..];
    if let Some(r) = rest.strip_prefix(',') {
        rest = r;
    }
    Some(rest.to_string())
}

/// Substitute the `$(N…)` references of a template with `args`.
pub fn expand_meta_args(text: &str, args: &str) -> String {
    let mut s = text.to_string();
    let mut from = 0;
    let mut colon_sticky: Option<usize> = None;
    loop {
        let Some(found) = s[from..].find("$(") else { return s };
        let dollar = from + found;
        let body = dollar + 2;
        let b = s.as_bytes();
        if !b.get(body).is_some_and(u8::is_ascii_digit) {
            from = dollar + 1;
            continue;
        }
        // scan the body: digits and ?#+ before a colon, anything after
        let mut v = body;
        let mut colon: Option<usize> = None;
        let mut ok = true;
        while v < b.len() && b[v] != b')' {
            let c = b[v];
            v += 1;
            if c == b':' && colon.is_none() {
                colon = Some(v);
                continue;
            }
            if colon.is_some() {
                if c == b'(' {
                    if let Some(close) = s[v..].find(')') {
                        v += close + 1;
                    }
                }
                continue;
            }
            if !c.is_ascii_digit() && c != b'?' && c != b'#' && c != b'+' {
                ok = false;
                break;
            }
        }
        if !ok || v >= b.len() {
            from = dollar + 1;
            continue;
        }
        let right = v + 1;
        let inner = &s[body..v];
        let ndig = inner.bytes().take_while(u8::is_ascii_digit).count();
        let index: usize = inner[..ndig].parse().unwrap_or(0);
        let after = &inner[ndig..];
        let empty_check = after.starts_with('?');
        let num_args = after.starts_with('#') || after.starts_with('+');
        if let Some(c) = colon {
            colon_sticky = Some(c - body);
        }
        let default = colon_sticky.and_then(|c| inner.get(c..)).map(str::to_string);
        let toks = tokens(args);
        let value = if index == 0 {
            if num_args {
                toks.len().to_string()
            } else {
                args.to_string()
            }
        } else if num_args {
            match remain_from(args, index) {
                Some(r) if !r.is_empty() => r,
                _ => default.clone().filter(|_| colon.is_some()).unwrap_or_default(),
            }
        } else {
            match toks.get(index - 1) {
                Some(t) => t.to_string(),
                None => default.clone().filter(|_| colon.is_some()).unwrap_or_default(),
            }
        };
        let mut value = value.trim().to_string();
        if empty_check {
            value = if value.is_empty() { "0".into() } else { "1".into() };
        }
        s.replace_range(dollar..right, &value);
        from = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uses_and_args() {
        assert_eq!(
            split_uses("Execute Submit"),
            vec![KnobUse { name: "Execute".into(), args: String::new() }, KnobUse { name: "Submit".into(), args: String::new() }]
        );
        assert_eq!(split_uses(" GPUs, Knob(a, (b), c) "), vec![
            KnobUse { name: "GPUs".into(), args: String::new() },
            KnobUse { name: "Knob".into(), args: "a, (b), c".into() }
        ]);
    }

    #[test]
    fn meta_args() {
        assert_eq!(expand_meta_args("X=$(1) Y=$(2) N=$(0#) Z=$(3?) W=$(2?)", "a, b"), "X=a Y=b N=2 Z=0 W=1");
        assert_eq!(expand_meta_args("T=$(1:3600)", ""), "T=3600");
        assert_eq!(expand_meta_args("A=$(0)", " p, q "), "A=p, q");
        assert_eq!(expand_meta_args("R=$(2+)", "a, b, c"), "R=b, c");
        assert_eq!(expand_meta_args("keep $(NAME) $(DOLLAR)", "a"), "keep $(NAME) $(DOLLAR)");
    }
}
