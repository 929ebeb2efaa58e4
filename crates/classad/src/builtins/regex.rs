//! Regular-expression functions: `regexp`, `regexpMember`, `regexps`,
//! `replace`, `replaceAll` and `stringList_regexpMember`.
//!
//! HTCondor uses PCRE2 on bytes; here the `regex` crate runs in its
//! byte-oriented, non-Unicode mode so `.` is one byte and `\w`, `\d`, case
//! folding are ASCII, as in PCRE2 without its UTF flag. The option letters
//! are HTCondor's: `i` caseless, `m` multi-line, `s` dot matches newline,
//! `x` extended; for the substituting functions `f` returns the whole
//! target with the replacement made in place and `g` replaces every match
//! (`replace` is `regexps` with `f`, `replaceAll` with `fg`). Unknown
//! letters are ignored. In a replacement `\0`…`\9` insert capture groups;
//! a group beyond the highest one that took part in the match makes the
//! result `error`, as in HTCondor.
//!
//! Compiled patterns are kept in a small per-thread cache, so a policy
//! expression evaluated for every slot compiles its pattern once.

use std::cell::RefCell;
use std::sync::Arc;

use regex::bytes::{Regex, RegexBuilder};

use super::conv::bytes_to_string;
use super::stringlists::tokens;
use super::Env;
use crate::Value;

/// Compile-time flags taken from an option string.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Flags {
    caseless: bool,
    multiline: bool,
    dotall: bool,
    extended: bool,
}

impl Flags {
    /// The flags of `regexp`-style option strings (lower-case letters only).
    fn from_lower(opts: &str) -> Flags {
        Flags {
            caseless: opts.contains('i'),
            multiline: opts.contains('m'),
            dotall: opts.contains('s'),
            extended: opts.contains('x'),
        }
    }

    /// The flags of `stringList_regexpMember` (either case).
    fn from_any_case(opts: &str) -> Flags {
        let has = |c: char| opts.chars().any(|o| o.eq_ignore_ascii_case(&c));
        Flags { caseless: has('i'), multiline: has('m'), dotall: has('s'), extended: has('x') }
    }
}

const CACHE_SIZE: usize = 16;

/// Recently compiled patterns: (pattern, flags, compiled or refused).
type Cache = Vec<(Arc<str>, Flags, Option<Regex>)>;

thread_local! {
    static CACHE: RefCell<Cache> = const { RefCell::new(Vec::new()) };
}

/// Compile `pattern` (cached); `None` when it is not a valid expression.
fn compile(pattern: &str, flags: Flags) -> Option<Regex> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(i) = cache.iter().position(|(p, f, _)| &**p == pattern && *f == flags) {
            let hit = cache.remove(i);
            let re = hit.2.clone();
            cache.push(hit);
            return re;
        }
        let re = RegexBuilder::new(pattern)
            .unicode(false)
            .case_insensitive(flags.caseless)
            .multi_line(flags.multiline)
            .dot_matches_new_line(flags.dotall)
            .ignore_whitespace(flags.extended)
            .size_limit(1 << 22)
            .build()
            .ok();
        if cache.len() >= CACHE_SIZE {
            cache.remove(0);
        }
        cache.push((Arc::from(pattern), flags, re.clone()));
        re
    })
}

/// Match `pattern` against `target`, or substitute `replace` for matches.
fn helper(pattern: &str, target: &str, replace: Option<&str>, opts: &str) -> Value {
    let Some(re) = compile(pattern, Flags::from_lower(opts)) else { return Value::Error };
    let Some(replace) = replace else {
        return Value::Bool(re.is_match(target.as_bytes()));
    };
    let full = opts.contains('f');
    let all = opts.contains('g');
    let t = target.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut idx = 0usize;
    let mut after_empty = false;
    let mut caps = re.capture_locations();
    loop {
        if idx > t.len() {
            // HTCondor steps past the end after an empty match there and
            // the next search fails with a bad offset: `error`.
            return Value::Error;
        }
        let found = if after_empty {
            // Only a non-empty match starting right here counts.
            re.captures_read_at(&mut caps, t, idx)
                .filter(|m| m.start() == idx && m.end() > idx)
        } else {
            re.captures_read_at(&mut caps, t, idx)
        };
        let Some(m) = found else {
            if after_empty {
                // Copy one byte and search on (HTCondor copies even
                // without `f`; at the end it copies the terminating NUL,
                // which ends the string).
                if let Some(&b) = t.get(idx) {
                    out.push(b);
                }
                idx += 1;
                after_empty = false;
                if all {
                    continue;
                }
            }
            break;
        };
        // PCRE2 reports one more than the highest group that took part.
        let ngroups = (0..caps.len()).rev().find(|&g| caps.get(g).is_some()).map_or(1, |g| g + 1);
        if full {
            out.extend_from_slice(&t[idx..m.start()]);
        }
        let r = replace.as_bytes();
        let mut i = 0;
        while i < r.len() {
            if r[i] == b'\\' {
                if let Some(d) = r.get(i + 1).filter(|c| c.is_ascii_digit()) {
                    let g = (d - b'0') as usize;
                    if g >= ngroups {
                        return Value::Error;
                    }
                    if let Some((s, e)) = caps.get(g) {
                        out.extend_from_slice(&t[s..e]);
                    }
                    i += 2;
                    continue;
                }
            }
            out.push(r[i]);
            i += 1;
        }
        idx = m.end();
        after_empty = m.start() == m.end();
        if !all {
            break;
        }
    }
    if full && idx <= t.len() {
        out.extend_from_slice(&t[idx..]);
    }
    // A copied NUL ends the C string.
    if let Some(nul) = out.iter().position(|&b| b == 0) {
        out.truncate(nul);
    }
    bytes_to_string(&out)
}

/// Shared argument checks: `error` first, then `undefined`, then types.
/// Returns the options string (empty when not given).
fn check_args<'a>(required: &'a [Value], options: Option<&'a Value>) -> Result<&'a str, Value> {
    if required.iter().any(Value::is_error) || options.is_some_and(Value::is_error) {
        return Err(Value::Error);
    }
    if required.iter().any(Value::is_undefined) || options.is_some_and(Value::is_undefined) {
        return Err(Value::Undefined);
    }
    match options {
        None => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(Value::Error),
    }
}

/// `regexp(pattern, target [, options])`: the pattern matches somewhere in `target`.
pub fn regexp(args: &[Value], _: &Env) -> Value {
    if args.len() != 2 && args.len() != 3 {
        return Value::Error;
    }
    let opts = match check_args(&args[..2], args.get(2)) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let (Value::String(p), Value::String(t)) = (&args[0], &args[1]) else { return Value::Error };
    helper(p, t, None, opts)
}

/// `regexpMember(pattern, list [, options])`: some string of the list
/// matches. A non-string member is `error`; with `undefined` members and
/// no match the answer is `undefined`; an invalid pattern matches nothing.
pub fn regexp_member(args: &[Value], _: &Env) -> Value {
    if args.len() != 2 && args.len() != 3 {
        return Value::Error;
    }
    let opts = match check_args(&args[..2], args.get(2)) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let (Value::String(p), Value::List(items)) = (&args[0], &args[1]) else { return Value::Error };
    let mut maybe = false;
    for item in items.iter() {
        match item {
            // A pattern that does not compile matches nothing (HTCondor
            // checks each member's answer for `true` only).
            Value::String(t) => {
                if let Value::Bool(true) = helper(p, t, None, opts) {
                    return Value::Bool(true);
                }
            }
            Value::Undefined => maybe = true,
            _ => return Value::Error,
        }
    }
    if maybe {
        Value::Undefined
    } else {
        Value::Bool(false)
    }
}

fn substitute(args: &[Value], extra: &str) -> Value {
    if args.len() != 3 && args.len() != 4 {
        return Value::Error;
    }
    let opts = match check_args(&args[..3], args.get(3)) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let (Value::String(p), Value::String(t), Value::String(r)) = (&args[0], &args[1], &args[2]) else {
        return Value::Error;
    };
    let opts = format!("{opts}{extra}");
    helper(p, t, Some(r), &opts)
}

/// `regexps(pattern, target, replacement [, options])`: the replacement
/// with `\N` filled from the first match (`""` when nothing matches);
/// with option `f` the whole target with the match replaced, with `g`
/// every match.
pub fn regexps(args: &[Value], _: &Env) -> Value {
    substitute(args, "")
}

/// `replace(pattern, target, replacement [, options])`: the target with
/// its first match replaced.
pub fn replace(args: &[Value], _: &Env) -> Value {
    substitute(args, "f")
}

/// `replaceAll(pattern, target, replacement [, options])`: the target with
/// every match replaced.
pub fn replace_all(args: &[Value], _: &Env) -> Value {
    substitute(args, "fg")
}

/// `stringList_regexpMember(pattern, list [, delims [, options]])`: some
/// item of the string list matches; `undefined` for an empty list. Every
/// argument must be a string (option letters in either case).
pub fn string_list_regexp_member(args: &[Value], _: &Env) -> Value {
    if args.len() < 2 || args.len() > 4 {
        return Value::Error;
    }
    let strs: Option<Vec<&str>> = args.iter().map(Value::as_str).collect();
    let Some(strs) = strs else { return Value::Error };
    let delims = strs.get(2).copied().unwrap_or(", ");
    let opts = strs.get(3).copied().unwrap_or("");
    let Some(re) = compile(strs[0], Flags::from_any_case(opts)) else { return Value::Error };
    let mut empty = true;
    let mut found = false;
    for item in tokens(strs[1], delims) {
        empty = false;
        if re.is_match(item.as_bytes()) {
            found = true;
        }
    }
    if empty {
        Value::Undefined
    } else {
        Value::Bool(found)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn regexp_matches_anywhere_with_options() {
        check("regexp(\"an\", \"banana\")", "true");
        check("regexp(\"^an\", \"banana\")", "false");
        check("regexp(\"A\", \"a\")", "false");
        check("regexp(\"A\", \"a\", \"i\")", "true");
        check("regexp(\"A\", \"a\", \"I\")", "false");
        check("regexp(\"^a\", \"b\\na\")", "false");
        check("regexp(\"^a\", \"b\\na\", \"m\")", "true");
        check("regexp(\"a.b\", \"a\\nb\")", "false");
        check("regexp(\"a.b\", \"a\\nb\", \"s\")", "true");
        check("regexp(\"a b\", \"ab\", \"x\")", "true");
        check("regexp(\"[[:alpha:]]+\", \"abc\")", "true");
        check("regexp(\"\\\\d\", \"x1\")", "true");
        check("regexp(\".\", \"é\")", "true");
        check("regexp(\"é\", \"é\")", "true");
        check("regexp(\"[\", \"a\")", "error");
        check("regexp(\"a\", \"A\", 1)", "error");
        check("regexp(\"a\", \"A\", undefined)", "undefined");
        check("regexp(undefined, \"a\")", "undefined");
        check("regexp(error, undefined)", "error");
        check("regexp(1, \"a\")", "error");
        check("regexp(\"a\")", "error");
    }

    #[test]
    fn regexp_member_over_lists() {
        check("regexpMember(\"a\", {\"b\", \"ab\"})", "true");
        check("regexpMember(\"a\", {\"b\"})", "false");
        check("regexpMember(\"a\", {})", "false");
        check("regexpMember(\"a\", {\"b\", undefined})", "undefined");
        check("regexpMember(\"a\", {\"a\", undefined})", "true");
        check("regexpMember(\"a\", {\"b\", 1})", "error");
        check("regexpMember(\"a\", {\"a\", 1})", "true");
        check("regexpMember(\"A\", {\"a\"}, \"i\")", "true");
        check("regexpMember(\"a\", \"a\")", "error");
        check("regexpMember(\"a\", undefined)", "undefined");
        check("regexpMember(\"[\", {\"a\"})", "false");
        check("regexpMember(\"[\", {\"a\", undefined})", "undefined");
    }

    #[test]
    fn substitutions() {
        check("regexps(\"(a)(b)?\", \"ac\", \"[\\\\1]\")", "\"[a]\"");
        check("regexps(\"(a)(b)?\", \"ac\", \"\\\\2\")", "error");
        check("regexps(\"(a)(b)?(c)\", \"ac\", \"[\\\\2]\")", "\"[]\"");
        check("regexps(\"(a)\", \"xay\", \"[\\\\0\\\\1\\\\x\\\\]\")", "\"[aa\\\\x\\\\]\"");
        check("regexps(\"a\", \"bbb\", \"x\")", "\"\"");
        check("regexps(\"a\", \"bab\", \"x\", \"g\")", "\"x\"");
        check("regexps(\"a\", \"banana\", \"x\", \"g\")", "\"xxx\"");
        check("regexps(\"a\", \"banana\", \"x\", \"fg\")", "\"bxnxnx\"");
        check("regexps(\"^(.*)@(.*)$\", \"user@host\", \"\\\\2:\\\\1\")", "\"host:user\"");
        check("replace(\"a\", \"banana\", \"x\")", "\"bxnana\"");
        check("replace(\"a\", \"banana\", \"x\", \"g\")", "\"bxnxnx\"");
        check("replace(\"A\", \"banana\", \"x\", \"i\")", "\"bxnana\"");
        check("replaceAll(\"a\", \"banana\", \"<\\\\0>\")", "\"b<a>n<a>n<a>\"");
        check("replaceAll(\"[0-9]+\", \"a1b22\", \"#\")", "\"a#b#\"");
        check("replaceAll(\"x\", \"abc\", \"-\")", "\"abc\"");
        // An empty match at the end runs HTCondor's search off the end.
        check("replaceAll(\"x*\", \"abc\", \"-\")", "error");
        check("replaceAll(\"b*\", \"abc\", \"-\")", "error");
        check("replace(\"x*\", \"abc\", \"-\")", "\"-abc\"");
        check("replace(undefined, \"a\", \"b\")", "undefined");
        check("replace(\"a\", \"a\", error)", "error");
        check("replace(\"a\", \"a\", \"b\", undefined)", "undefined");
        check("replace(\"a\", \"a\", \"b\", 1)", "error");
        check("replace(\"a\", 1, \"b\")", "error");
        check("replace(\"a\", \"a\")", "error");
        check("replace(\"[\", \"a\", \"b\")", "error");
    }

    #[test]
    fn string_list_regexp_member_items() {
        check("stringList_regexpMember(\"^b\", \"a, b,c\")", "true");
        check("stringList_regexpMember(\"^x\", \"a, b,c\")", "false");
        check("stringList_regexpMember(\"a\", \"\")", "undefined");
        check("stringList_regexpMember(\"A\", \"a,b\", \",\", \"I\")", "true");
        check("stringList_regexpMember(\"A\", \"a,b\", \",\", \"i\")", "true");
        check("stringList_regexpMember(\"a b\", \"a b;c\", \";\")", "true");
        check("stringList_regexpMember(\"[\", \"a\")", "error");
        check("stringList_regexpMember(\"a\", undefined)", "error");
        check("stringList_regexpMember(\"a\", \"a\", 1)", "error");
        check("stringList_regexpMember(\"a\")", "error");
    }
}
