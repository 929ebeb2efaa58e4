//! The function macros: `$INT()`, `$REAL()`, `$STRING()`, `$EVAL()`,
//! `$SUBSTR()`, `$CHOICE()`, `$RANDOM_CHOICE()`, `$RANDOM_INTEGER()`; the
//! path functions (`$F[fpdnxqabwu]()`, `$BASENAME()`, `$DIRNAME()`) are in
//! `macro_paths`.
//!
//! Each returns `Ok(Ok(text))`, `Ok(Err(reason))` when the function cannot
//! be evaluated (the macro then expands to nothing, as in HTCondor), or
//! `Err` when expansion must stop (a loop).

use crate::eval;
use crate::macros::{Expander, MacroError, MacroKind, MacroPos};
use crate::macro_paths::{filename, PathFlags, N, P, X};
use crate::printf::{FmtKind, Format};

pub(crate) type FnResult = Result<Result<String, String>, MacroError>;

/// The `index`th comma separated item, trimmed.
fn nth_item(list: &str, index: usize) -> Option<&str> {
    list.split(',').nth(index).map(str::trim)
}

/// The `index`th item, untrimmed, followed by the rest of the list.
fn nth_item_rest(list: &str, index: usize) -> Option<&str> {
    let mut rest = list;
    for _ in 0..index {
        let comma = rest.find(',')?;
        rest = &rest[comma + 1..];
    }
    Some(rest)
}

/// `strtoll(s, &end, 10)` followed only by white space.
pub(crate) fn parse_c_long(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let b = t.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: i64 = 0;
    let mut overflow = false;
    while i < b.len() && b[i].is_ascii_digit() {
        let d = (b[i] - b'0') as i64;
        match v.checked_mul(10).and_then(|x| if neg { x.checked_sub(d) } else { x.checked_add(d) }) {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    if !t[i..].trim_start().is_empty() {
        return None;
    }
    if overflow {
        return Some(if neg { i64::MIN } else { i64::MAX });
    }
    Some(v)
}

/// `strtod(s, &end)` followed only by white space (decimal and hex floats,
/// `inf`, `nan`).
pub(crate) fn parse_c_double(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    let (sign, body) = match lower.as_bytes()[0] {
        b'-' => (-1.0, &lower[1..]),
        b'+' => (1.0, &lower[1..]),
        _ => (1.0, &lower[..]),
    };
    match body {
        "inf" | "infinity" => return Some(sign * f64::INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.starts_with("0x") {
        return None;
    }
    // Rust's parser accepts what strtod accepts for decimal numbers, except
    // for a few spellings it adds ("inf" handled above).
    if !body.bytes().all(|c| c.is_ascii_digit() || b".e+-".contains(&c)) {
        return None;
    }
    body.parse::<f64>().ok().map(|v| sign * v)
}

/// HTCondor's "string is an integer parameter": a C integer literal, else a
/// ClassAd expression that evaluates to a number.
pub(crate) fn string_is_long(s: &str) -> Option<i64> {
    parse_c_long(s).or_else(|| eval::eval_int(s))
}

/// HTCondor's "string is a double parameter".
pub(crate) fn string_is_double(s: &str) -> Option<f64> {
    parse_c_double(s).or_else(|| eval::eval_real(s))
}

/// Look `name` up as a macro (falling back to `fallback` itself when it
/// names nothing) and expand the text when it holds a `$`. `keep_dollar`
/// leaves `$(DOLLAR)` in place.
pub(crate) fn lookup_or_literal(
    ex: &mut Expander<'_>,
    name: &str,
    fallback: &str,
    keep_dollar: bool,
    chain: &mut Vec<String>,
) -> Result<String, MacroError> {
    let (text, pushed) = match ex.lookup(name, chain)? {
        Some(v) => (v, true),
        None => (fallback.to_string(), false),
    };
    if !text.contains('$') {
        return Ok(text);
    }
    if pushed {
        chain.push(ex.chain_key(name));
    }
    let r = ex.expand_nested(&text, chain);
    if pushed {
        chain.pop();
    }
    let r = r?;
    Ok(if keep_dollar { r } else { crate::macros::replace_dollar_macros(&r) })
}

pub(crate) fn eval_function(ex: &mut Expander<'_>, s: &str, m: &MacroPos, chain: &mut Vec<String>) -> FnResult {
    let body = m.body(s);
    match m.kind {
        MacroKind::Int | MacroKind::Real => int_real(ex, body, m.kind == MacroKind::Int, chain),
        MacroKind::Str => string_fn(ex, body, chain),
        MacroKind::Eval => eval_fn(ex, body, chain),
        MacroKind::Substr => substr(ex, body, chain),
        MacroKind::Choice => choice(ex, body, chain),
        MacroKind::RandomChoice => random_choice(ex, body, chain),
        MacroKind::RandomInteger => Ok(random_integer(ex, body)),
        MacroKind::Basename | MacroKind::Dirname | MacroKind::Filename => {
            let flags = match m.kind {
                MacroKind::Basename => PathFlags { parts: X | N, ..PathFlags::default() },
                MacroKind::Dirname => PathFlags { parts: P, ..PathFlags::default() },
                _ => PathFlags::parse(&m.func_name(s)[1..]),
            };
            filename(ex, body, flags, m.kind == MacroKind::Basename, chain)
        }
        MacroKind::Normal | MacroKind::Env => Ok(Ok(String::new())),
    }
}

/// Split `body` at its first comma: (name, Some(format)).
fn split_fmt(body: &str) -> (&str, Option<&str>) {
    match body.split_once(',') {
        Some((n, f)) => (n, Some(f)),
        None => (body, None),
    }
}

/// Keep at most 55 bytes, as HTCondor's formatting buffer does.
fn clip55(mut s: String) -> String {
    if s.len() > 55 {
        let mut cut = 55;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

fn int_real(ex: &mut Expander<'_>, body: &str, is_int: bool, chain: &mut Vec<String>) -> FnResult {
    let label = if is_int { "$INT()" } else { "$REAL()" };
    let (name, fmt_text) = split_fmt(body);
    let name = if ex.modern { name.trim() } else { name };
    let fmt = match fmt_text {
        Some(f) => match Format::parse(f, if is_int { FmtKind::Int } else { FmtKind::Float }) {
            Ok(fm) => Some(fm),
            Err(_) => {
                if ex.modern {
                    return Ok(Err(format!("{label} error: '{f}' is not a valid format specifier")));
                }
                // HTCondor puts the bad format itself in the value
                ex.warn(body, format!("{label} macro: '{f}' is not a valid format specifier"));
                return Ok(Ok(f.to_string()));
            }
        },
        None => None,
    };
    let val = lookup_or_literal(ex, name, name, false, chain)?;
    if is_int {
        match string_is_long(&val) {
            Some(v) => Ok(Ok(clip55(match fmt {
                Some(f) => f.int(v),
                None => v.to_string(),
            }))),
            None => Ok(Err(format!("$INT() macro: {val} does not evaluate to an integer"))),
        }
    } else {
        match string_is_double(&val) {
            Some(v) => Ok(Ok(clip55(match fmt {
                Some(f) => {
                    let mut t = f.float(v);
                    if !t.contains('.') {
                        t.push_str(".0");
                    }
                    t
                }
                None => format_real_default(v),
            }))),
            None => Ok(Err(format!("$REAL() macro: {val} does not evaluate to a real"))),
        }
    }
}

/// `%.16G`.
pub(crate) fn format_real_default(v: f64) -> String {
    let a = v.abs();
    let body = if a.is_nan() {
        "NAN".to_string()
    } else if a.is_infinite() {
        "INF".to_string()
    } else {
        crate::printf::fmt_g(a, 16, true, false)
    };
    if v.is_sign_negative() && !a.is_nan() {
        format!("-{body}")
    } else {
        body
    }
}

fn string_fn(ex: &mut Expander<'_>, body: &str, chain: &mut Vec<String>) -> FnResult {
    let (name, fmt_text) = split_fmt(body);
    let fmt = match fmt_text {
        Some(f) => match Format::parse(f, FmtKind::Str) {
            Ok(fm) => Some(fm),
            Err(_) => {
                ex.warn(body, format!("$STRING macro: '{f}' is not a valid format specifier"));
                return Ok(Ok(f.to_string()));
            }
        },
        None => None,
    };
    let val = lookup_or_literal(ex, name, name, false, chain)?;
    let val = eval::eval_string(&val).unwrap_or(val);
    Ok(Ok(match fmt {
        Some(f) => f.string(&val),
        None => val,
    }))
}

fn eval_fn(ex: &mut Expander<'_>, body: &str, chain: &mut Vec<String>) -> FnResult {
    let (text, found) = match ex.lookup(body, chain)? {
        Some(v) => (v, true),
        None => (body.to_string(), false),
    };
    let mut expanded = None;
    let mut text = text;
    if text.contains('$') {
        if found {
            chain.push(ex.chain_key(body));
        }
        let r = ex.expand_nested(&text, chain);
        if found {
            chain.pop();
        }
        text = crate::macros::replace_dollar_macros(&r?);
        expanded = Some(text.clone());
    }
    match eval::eval_to_text(&text) {
        Some(v) => Ok(Ok(v)),
        None => Ok(Ok(expanded.unwrap_or_default())),
    }
}

fn substr(ex: &mut Expander<'_>, body: &str, chain: &mut Vec<String>) -> FnResult {
    if ex.modern {
        return substr_modern(ex, body, chain);
    }
    let Some((name, rest)) = body.split_once(',') else {
        return Ok(Err("$SUBSTR() macro: no length specified".to_string()));
    };
    let (start_arg, len_arg) = match rest.split_once(',') {
        Some((s, l)) => (s, Some(l)),
        None => (rest, None),
    };
    let start_text = lookup_or_literal(ex, start_arg, start_arg, false, chain)?;
    let Some(start) = string_is_long(&start_text).filter(|v| (i32::MIN as i64..i32::MAX as i64).contains(v)) else {
        return Ok(Err(format!("$SUBSTR() macro: {start_text} is invalid start index")));
    };
    let mut sub_len: i64 = (i32::MAX / 2) as i64;
    if let Some(l) = len_arg {
        let t = lookup_or_literal(ex, l, l, false, chain)?;
        match string_is_long(&t).filter(|v| (i32::MIN as i64..=i32::MAX as i64).contains(v)) {
            Some(v) => sub_len = v,
            None => return Ok(Err(format!("$SUBSTR() macro: {t} is invalid length"))),
        }
    }
    let Some(val) = ex.lookup(name, chain)? else { return Ok(Ok(String::new())) };
    let val = if val.contains('$') {
        chain.push(ex.chain_key(name));
        let r = ex.expand_nested(&val, chain);
        chain.pop();
        crate::macros::replace_dollar_macros(&r?)
    } else {
        val
    };
    let b = val.as_bytes();
    let cch = b.len() as i64;
    let start = if start < 0 { cch + start } else { start }.clamp(0, cch);
    let rest = cch - start;
    let n = if sub_len < 0 { rest + sub_len } else { sub_len }.clamp(0, rest);
    Ok(Ok(String::from_utf8_lossy(&b[start as usize..(start + n) as usize]).into_owned()))
}

fn choice(ex: &mut Expander<'_>, body: &str, chain: &mut Vec<String>) -> FnResult {
    if ex.modern {
        return choice_modern(ex, body, chain);
    }
    // the index: a number, or the name of a macro holding one; HTCondor
    // expands it with its newer expander
    let first = nth_item(body, 0).unwrap_or("");
    let saved = ex.modern;
    ex.modern = true;
    let ival = lookup_or_literal(ex, first, first, true, chain);
    ex.modern = saved;
    let ival = ival?;
    let index = match string_is_long(&ival) {
        Some(i) if (0..i32::MAX as i64).contains(&i) => i as usize,
        _ => {
            // HTCondor reports the bad index and then uses item 0
            ex.warn(body, format!("$CHOICE() error: '{ival}' is invalid index"));
            0
        }
    };
    let Some(rest) = nth_item_rest(body, 1) else {
        return Ok(Err("$CHOICE() error: no list".to_string()));
    };
    let owned;
    let items: &str = if !rest.contains(',') {
        let list_name = rest.trim();
        match ex.lookup(list_name, chain)? {
            None => return Ok(Err(format!("$CHOICE() macro: no list named \"{list_name}\""))),
            Some(v) => {
                chain.push(ex.chain_key(list_name));
                let r = ex.expand_nested(&v, chain);
                chain.pop();
                owned = crate::macros::replace_dollar_macros(&r?);
                &owned
            }
        }
    } else {
        rest
    };
    match nth_item(items, index) {
        Some(item) => Ok(Ok(item.to_string())),
        None => Ok(Err(format!("$CHOICE() config macro: index {index} is out of range"))),
    }
}

/// HTCondor's `get_lookup_and_expand_macro_arg`: the `index`th item,
/// trimmed, replaced by the value of the macro it names (if any), expanded.
fn arg_lookup_expand(ex: &mut Expander<'_>, args: &str, index: usize, chain: &mut Vec<String>) -> Result<Option<String>, MacroError> {
    match nth_item(args, index) {
        None => Ok(None),
        Some(item) => {
            let item = item.to_string();
            lookup_or_literal(ex, &item, &item, true, chain).map(Some)
        }
    }
}

/// HTCondor's `count_list_items`: a leading separator counts as an item.
fn count_list_items(list: &str) -> usize {
    let lead = list.starts_with(',') as usize;
    lead + list.matches(',').count() + 1 - lead
}

/// `$CHOICE(index, items...)` as the newer expander reads it: every
/// problem is an error.
fn choice_modern(ex: &mut Expander<'_>, body: &str, chain: &mut Vec<String>) -> FnResult {
    let Some(rest) = nth_item_rest(body, 1) else {
        return Ok(Err("$CHOICE() error: no list".to_string()));
    };
    let rest = rest.trim_start();
    let ival = arg_lookup_expand(ex, body, 0, chain)?.unwrap_or_default();
    let index = match string_is_long(&ival) {
        Some(i) if (0..i32::MAX as i64).contains(&i) => i as usize,
        _ => return Ok(Err(format!("$CHOICE() error: '{ival}' is invalid index"))),
    };
    let owned;
    let items: &str = if count_list_items(rest) == 1 {
        let list_name = rest.trim();
        if list_name.is_empty() {
            return Ok(Err("$CHOICE() error: no list".to_string()));
        }
        match ex.lookup(list_name, chain)? {
            None => return Ok(Err(format!("$CHOICE() error: no list named {list_name}"))),
            Some(v) => {
                if v.contains('$') {
                    chain.push(ex.chain_key(list_name));
                    let r = ex.expand_nested(&v, chain);
                    chain.pop();
                    owned = r?;
                } else {
                    owned = v;
                }
                &owned
            }
        }
    } else {
        rest
    };
    match nth_item(items, index) {
        Some(item) => Ok(Ok(item.to_string())),
        None => Ok(Err(format!("$CHOICE() error: index {index} is out of range"))),
    }
}

/// `$SUBSTR(name, length)` or `$SUBSTR(name, start, length)` as the newer
/// expander reads it (the name may be a literal; errors stop).
fn substr_modern(ex: &mut Expander<'_>, body: &str, chain: &mut Vec<String>) -> FnResult {
    let val = match arg_lookup_expand(ex, body, 0, chain)? {
        Some(v) if !v.is_empty() => v,
        _ => return Ok(Ok(String::new())),
    };
    let (has_start, len_text) = match arg_lookup_expand(ex, body, 2, chain)? {
        Some(l) => (true, l),
        None => (false, arg_lookup_expand(ex, body, 1, chain)?.unwrap_or_default()),
    };
    let Some(sub_len) = string_is_long(&len_text).filter(|v| (i32::MIN as i64..i32::MAX as i64).contains(v)) else {
        return Ok(Err(format!("$SUBSTR() error: {len_text} is invalid length")));
    };
    let mut start = 0i64;
    if has_start {
        let t = arg_lookup_expand(ex, body, 1, chain)?.unwrap_or_default();
        match string_is_long(&t).filter(|v| (i32::MIN as i64..i32::MAX as i64).contains(v)) {
            Some(v) => start = v,
            None => return Ok(Err(format!("$SUBSTR() error: {t} is invalid start"))),
        }
    }
    let b = val.as_bytes();
    let cch = b.len() as i64;
    let start = if start < 0 { cch + start } else { start }.clamp(0, cch);
    let rest = cch - start;
    let n = if sub_len < 0 { rest + sub_len } else { sub_len }.clamp(0, rest);
    Ok(Ok(String::from_utf8_lossy(&b[start as usize..(start + n) as usize]).into_owned()))
}

/// HTCondor's `split()`: items separated by any of `delims`, trimmed, empty
/// items dropped.
fn split_items<'a>(s: &'a str, delims: &[char]) -> Vec<&'a str> {
    s.split(|c| delims.contains(&c)).map(str::trim).filter(|t| !t.is_empty()).collect()
}

fn random_choice(ex: &mut Expander<'_>, body: &str, chain: &mut Vec<String>) -> FnResult {
    let mut items: Vec<String> = split_items(body, &[',']).into_iter().map(str::to_string).collect();
    if items.len() == 1 {
        let list_name = items[0].clone();
        if let Some(v) = ex.lookup(&list_name, chain)? {
            let v = if v.contains('$') {
                chain.push(ex.chain_key(&list_name));
                let r = ex.expand_nested(&v, chain);
                chain.pop();
                crate::macros::replace_dollar_macros(&r?)
            } else {
                v
            };
            items = split_items(&v, &[',', ' ', '\t', '\r', '\n']).into_iter().map(str::to_string).collect();
        }
    }
    if items.is_empty() {
        return Ok(Err("$RANDOM_CHOICE() macro is empty".to_string()));
    }
    let pick = (ex.next_random() % items.len() as u64) as usize;
    Ok(Ok(items[pick].clone()))
}

/// `strtol` prefix parse: digits after optional space and sign; `None` when
/// no digits.
fn strtol_prefix(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let d0 = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == d0 {
        return None;
    }
    Some(t[..i].parse::<i64>().unwrap_or(if b[0] == b'-' { i64::MIN } else { i64::MAX }))
}

fn random_integer(ex: &mut Expander<'_>, body: &str) -> Result<String, String> {
    let parts: Vec<&str> = split_items(body, &[',']);
    let mut min = match parts.first().and_then(|t| strtol_prefix(t)) {
        Some(v) => v,
        None => {
            ex.warn(body, "$RANDOM_INTEGER() config macro: invalid min".to_string());
            0
        }
    };
    let max = match parts.get(1).and_then(|t| strtol_prefix(t)) {
        Some(v) => v,
        None => {
            ex.warn(body, "$RANDOM_INTEGER() config macro: invalid max".to_string());
            min
        }
    };
    let mut step = 1i64;
    if let Some(t) = parts.get(2) {
        if let Some(v) = strtol_prefix(t) {
            step = v;
        }
    }
    if step < 1 {
        ex.warn(body, "$RANDOM_INTEGER() config macro: invalid step".to_string());
        step = 1;
    }
    if min > max {
        ex.warn(body, "$RANDOM_INTEGER() config macro: min > max".to_string());
        min = max;
    }
    let range = (max as i128 - min as i128 + step as i128) / step as i128;
    let range = range.max(1) as u128;
    let pick = (ex.next_random() as u128 % range) as i128;
    Ok((min as i128 + pick * step as i128).to_string())
}

#[cfg(test)]
mod tests {
    use crate::macros::{expand, ExpandOptions, MacroMap};

    fn ex(text: &str, pairs: &[(&str, &str)]) -> String {
        let mut m = MacroMap::new();
        for (k, v) in pairs {
            m.set(k, v);
        }
        expand(text, &m, &ExpandOptions { random_seed: Some(7), ..ExpandOptions::default() }).expect("expands")
    }

    #[test]
    fn path_functions() {
        let p = [("P", "/opt/x/y.cfg")];
        assert_eq!(
            ex("$Fp(P) $Fn(P) $Fx(P) $Fd(P) $Fq(P) $Fa(P) $Fqa(P) $Fnx(P) $Fdd(P) $Fb(P) $Fpb(P) $Fxb(P)", &p),
            "/opt/x/ y .cfg x/ \"/opt/x/y.cfg\" /opt/x/y.cfg '/opt/x/y.cfg' y.cfg opt/x/ /opt/x/y.cfg /opt/x cfg"
        );
        assert_eq!(ex("$Ff(P) $Fpq(P) $Fnq(P) $Fdq(P)", &p), "/opt/x/y.cfg \"/opt/x/\" \"y\" \"x/\"");
        let q = [("Q", "rel/f.tar.gz")];
        assert_eq!(ex("$Ff(Q) $Fp(Q) $Fd(Q) $Fn(Q) $Fx(Q) $Fq(Q)", &q), "rel/f.tar.gz rel/ rel/ f.tar .gz \"rel/f.tar.gz\"");
        assert_eq!(ex("[$Fp(NOPE)]", &q), "[]");
        assert_eq!(ex("$BASENAME(Q) $DIRNAME(Q)", &q), "f.tar.gz rel/");
    }

    #[test]
    fn choice_substr() {
        let v = [("NUM", "4"), ("P", "/opt/x/y.cfg"), ("L", "a, b ,c")];
        assert_eq!(ex("$CHOICE(1, a, b, c)", &v), "b");
        assert_eq!(ex("[$CHOICE(5, a, b, c)]", &v), "[]");
        assert_eq!(ex("$CHOICE(2, L)", &v), "c");
        assert_eq!(ex("[$SUBSTR(NUM, 1)]", &v), "[]");
        assert_eq!(ex("$SUBSTR(NUM, 0)", &v), "4");
        assert_eq!(ex("$SUBSTR(P, 1)", &v), "opt/x/y.cfg");
        assert_eq!(ex("$SUBSTR(P, -3)", &v), "cfg");
        assert_eq!(ex("$SUBSTR(P, 2, -2)", &v), "pt/x/y.c");
        assert_eq!(ex("<$SUBSTR(NOPE, 2, -2)>", &v), "<>");
    }

    #[test]
    fn int_real_literals() {
        let v = [("NUM", "4"), ("R", "2.5")];
        assert_eq!(ex("$INT(NUM)", &v), "4");
        assert_eq!(ex("$INT(R, %05d)", &v), " 00002");
        assert_eq!(ex("$REAL(NUM)", &v), "4");
        assert_eq!(ex("a $INT(abc) b $(NUM)", &v), "a  b 4");
    }

    #[test]
    fn random_is_deterministic_under_a_seed() {
        let a = ex("$RANDOM_INTEGER(1, 100) $RANDOM_CHOICE(a,b,c,d)", &[]);
        let b = ex("$RANDOM_INTEGER(1, 100) $RANDOM_CHOICE(a,b,c,d)", &[]);
        assert_eq!(a, b);
        assert_eq!(ex("$RANDOM_INTEGER(1, 1)", &[]), "1");
        assert_eq!(ex("$RANDOM_INTEGER(10, 20, 10)", &[]).len(), 2);
    }
}
