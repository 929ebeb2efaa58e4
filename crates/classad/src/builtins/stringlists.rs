//! String-list functions: a "string list" is one string whose items are
//! separated by any of a set of delimiter characters (default comma and
//! space), as in `"a, b,c"`.
//!
//! `stringListSize`, `stringListSum`/`Avg`/`Min`/`Max`, `stringListMember`,
//! `stringListIMember`, `stringListSubsetMatch`, `stringListISubsetMatch`
//! and `stringListsIntersect`. (`stringList_regexpMember` lives with the
//! other regular-expression functions.)
//!
//! Items are trimmed of white space and empty items are skipped, except in
//! `stringListsIntersect`, which splits on the delimiters alone.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::Value;

use super::conv::{self, is_c_space};
use super::Env;

/// The items of `list`: split at any byte of `delims`, leading and trailing
/// white space dropped, empty items skipped.
pub fn tokens<'a>(list: &'a str, delims: &'a str) -> impl Iterator<Item = Cow<'a, str>> + 'a {
    let is_delim = move |c: u8| delims.as_bytes().contains(&c);
    let b = list.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && (is_delim(b[i]) || is_c_space(b[i])) {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let start = i;
        let mut end = i;
        while i < b.len() && !is_delim(b[i]) {
            if !is_c_space(b[i]) {
                end = i;
            }
            i += 1;
        }
        // A non-ASCII delimiter byte may cut a character apart.
        Some(String::from_utf8_lossy(&b[start..=end]))
    })
}

/// The list string and delimiter set from `(list [, delims])`, or `error`.
fn list_and_delims<'a>(args: &'a [Value], default: &'a str) -> Result<(&'a str, &'a str), Value> {
    match args {
        [Value::String(l)] => Ok((l, default)),
        [Value::String(l), Value::String(d)] => Ok((l, d)),
        _ => Err(Value::Error),
    }
}

/// `stringListSize(list [, delims])`: the number of items.
pub fn size(args: &[Value], _: &Env) -> Value {
    match list_and_delims(args, ", ") {
        Ok((l, d)) => Value::Int(tokens(l, d).count() as i64),
        Err(e) => e,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Summary {
    Sum,
    Avg,
    Min,
    Max,
}

/// C's `sscanf(item, "%lf")`: the number at the start of the item, if any.
fn scan_number(item: &str) -> Option<f64> {
    let (v, n) = conv::strtod(item);
    (n > 0).then_some(v)
}

fn summarize(args: &[Value], how: Summary) -> Value {
    if args.is_empty() || args.len() > 2 {
        return Value::Error;
    }
    let (list, delims) = match list_and_delims(args, ", ") {
        Ok(x) => x,
        Err(e) => return e,
    };
    // The starting points HTCondor uses (FLT_MAX / FLT_MIN as floats).
    let mut acc: f64 = match how {
        Summary::Sum | Summary::Avg => 0.0,
        Summary::Min => f32::MAX as f64,
        Summary::Max => f32::MIN_POSITIVE as f64,
    };
    let mut count = 0usize;
    let mut is_real = false;
    for item in tokens(list, delims) {
        count += 1;
        let Some(v) = scan_number(&item) else { return Value::Error };
        if !item.bytes().all(|c| matches!(c, b'+' | b'-' | b'0'..=b'9')) {
            is_real = true;
        }
        acc = match how {
            Summary::Sum | Summary::Avg => v + acc,
            Summary::Min => {
                if v < acc {
                    v
                } else {
                    acc
                }
            }
            Summary::Max => {
                if v > acc {
                    v
                } else {
                    acc
                }
            }
        };
    }
    if count == 0 {
        return match how {
            Summary::Sum | Summary::Avg => Value::Real(0.0),
            Summary::Min | Summary::Max => Value::Undefined,
        };
    }
    if how == Summary::Avg {
        acc /= count as f64;
    }
    if is_real {
        Value::Real(acc)
    } else {
        Value::Int(conv::f64_to_i64(acc))
    }
}

/// `stringListSum(list [, delims])`: an integer when every item is
/// written as an integer, else a real; `error` if an item is not a number.
pub fn sum(args: &[Value], _: &Env) -> Value {
    summarize(args, Summary::Sum)
}

/// `stringListAvg(list [, delims])`: the average (0.0 for an empty list).
pub fn avg(args: &[Value], _: &Env) -> Value {
    summarize(args, Summary::Avg)
}

/// `stringListMin(list [, delims])`: the smallest item (`undefined` for an
/// empty list). As in HTCondor the search starts from `FLT_MAX`, so
/// larger items are never chosen.
pub fn min(args: &[Value], _: &Env) -> Value {
    summarize(args, Summary::Min)
}

/// `stringListMax(list [, delims])`: the largest item (`undefined` for an
/// empty list). As in HTCondor the search starts from `FLT_MIN` (the
/// smallest positive float), so a list of negatives yields that.
pub fn max(args: &[Value], _: &Env) -> Value {
    summarize(args, Summary::Max)
}

/// How the member and subset functions compare items.
#[derive(Clone, Copy, PartialEq)]
enum MemberKind {
    Member,
    IMember,
    Subset,
    ISubset,
}

/// Argument as a string, `None` for `undefined`, `Err` for anything else.
fn string_or_undefined(v: &Value) -> Result<Option<&str>, Value> {
    match v {
        Value::String(s) => Ok(Some(s)),
        Value::Undefined => Ok(None),
        _ => Err(Value::Error),
    }
}

fn member_like(args: &[Value], kind: MemberKind) -> Value {
    if args.len() < 2 || args.len() > 3 {
        return Value::Error;
    }
    let item = match string_or_undefined(&args[0]) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let list = match string_or_undefined(&args[1]) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let delims = match args.get(2).map(string_or_undefined) {
        None | Some(Ok(None)) => ", \t\r\n",
        Some(Ok(Some(d))) => d,
        Some(Err(e)) => return e,
    };
    if item.is_none() && list.is_none() {
        return Value::Undefined;
    }
    // Otherwise `undefined` acts as the empty string.
    let item = item.unwrap_or("");
    let list = list.unwrap_or("");
    let found = match kind {
        MemberKind::Member => tokens(list, delims).any(|t| t == item),
        MemberKind::IMember => tokens(list, delims).any(|t| t.eq_ignore_ascii_case(item)),
        MemberKind::Subset | MemberKind::ISubset => {
            if item.is_empty() {
                return Value::Bool(true);
            }
            let fold = |s: &str| {
                if kind == MemberKind::ISubset {
                    s.to_ascii_lowercase()
                } else {
                    s.to_string()
                }
            };
            let set: BTreeSet<String> = tokens(list, delims).map(|t| fold(&t)).collect();
            // With no items at all the answer stays "no".
            let mut answer = false;
            for t in tokens(item, delims) {
                answer = set.contains(&fold(&t));
                if !answer {
                    break;
                }
            }
            answer
        }
    };
    Value::Bool(found)
}

/// `stringListMember(x, list [, delims])`: `x` is one of the items
/// (case-sensitive). `undefined` arguments act as empty strings, unless
/// both are `undefined`.
pub fn member(args: &[Value], _: &Env) -> Value {
    member_like(args, MemberKind::Member)
}

/// `stringListIMember(x, list [, delims])`: as `stringListMember`, ignoring case.
pub fn imember(args: &[Value], _: &Env) -> Value {
    member_like(args, MemberKind::IMember)
}

/// `stringListSubsetMatch(a, b [, delims])`: every item of `a` is an item of `b`.
pub fn subset_match(args: &[Value], _: &Env) -> Value {
    member_like(args, MemberKind::Subset)
}

/// `stringListISubsetMatch(a, b [, delims])`: as above, ignoring case.
pub fn isubset_match(args: &[Value], _: &Env) -> Value {
    member_like(args, MemberKind::ISubset)
}

/// Items split at delimiter bytes only (no trimming), empty ones skipped.
fn raw_items<'a>(s: &'a str, delims: &'a str) -> impl Iterator<Item = Cow<'a, str>> + 'a {
    s.as_bytes()
        .split(move |c| delims.as_bytes().contains(c))
        .filter(|t| !t.is_empty())
        .map(String::from_utf8_lossy)
}

/// `stringListsIntersect(a, b [, delims])`: the lists share an item
/// (case-sensitive). Errors and `undefined` propagate; an empty delimiter
/// set means the default `" ,"`.
pub fn intersect(args: &[Value], _: &Env) -> Value {
    if args.len() < 2 || args.len() > 3 {
        return Value::Error;
    }
    if args.iter().any(Value::is_error) {
        return Value::Error;
    }
    if args.iter().any(Value::is_undefined) {
        return Value::Undefined;
    }
    let delims = match args.get(2) {
        None => "",
        Some(Value::String(d)) => &**d,
        Some(_) => return Value::Error,
    };
    let delims = if delims.is_empty() { " ," } else { delims };
    let (Value::String(a), Value::String(b)) = (&args[0], &args[1]) else {
        return Value::Error;
    };
    let set: BTreeSet<Cow<'_, str>> = raw_items(b, delims).collect();
    Value::Bool(raw_items(a, delims).any(|t| set.contains(&t)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;
    use super::tokens;

    #[test]
    fn tokens_trim_and_skip_empty_items() {
        let t: Vec<_> = tokens(" a, b ,,c d\t", ", ").collect();
        assert_eq!(t, ["a", "b", "c", "d"]);
        let t: Vec<_> = tokens("x y;z", ";").collect();
        assert_eq!(t, ["x y", "z"]);
        assert_eq!(tokens("", ",").count(), 0);
        assert_eq!(tokens("a b", "").collect::<Vec<_>>(), ["a b"]);
    }

    #[test]
    fn size_counts_items() {
        check("stringListSize(\"a,b,c\")", "3");
        check("stringListSize(\"a, b ,c \")", "3");
        check("stringListSize(\"\")", "0");
        check("stringListSize(\" , \")", "0");
        check("stringListSize(\"a,,b\")", "2");
        check("stringListSize(\"a;b\", \";\")", "2");
        check("stringListSize(\"a;b\", \"\")", "1");
        check("stringListSize(\"a\\tb\")", "1");
        check("stringListSize(1)", "error");
        check("stringListSize(undefined)", "error");
        check("stringListSize(\"a\", undefined)", "error");
        check("stringListSize()", "error");
    }

    #[test]
    fn numeric_summaries() {
        check("stringListSum(\"1,2,3\")", "6");
        check("stringListSum(\"1,2.5\")", "3.5");
        check("stringListSum(\"1, 2 ,3\")", "6");
        check("stringListSum(\"\")", "0.0");
        check("stringListSum(\"a\")", "error");
        check("stringListSum(\"1,a\")", "error");
        check("stringListSum(\"1e2\")", "100.0");
        check("stringListSum(\"1x\")", "1.0");
        check("stringListSum(\"0x10\")", "16.0");
        check("stringListSum(\"+5,-3\")", "2");
        check("stringListSum(\"1.0\")", "1.0");
        check("stringListSum(\"9223372036854775807\")", "-9223372036854775808");
        check("stringListSum(\"1e308,1e308\")", "inf");
        check("stringListSum(\"1 2\")", "3");
        check("stringListSum(\"1\\t2\")", "1.0");
        check("stringListSum(undefined)", "error");
        check("stringListAvg(\"1,2\")", "1");
        check("stringListAvg(\"1,2,4\")", "2");
        check("stringListAvg(\"\")", "0.0");
        check("stringListAvg(\"1.5,2\")", "1.75");
        check("stringListMin(\"3,1,2\")", "1");
        check("stringListMin(\"\")", "undefined");
        check("stringListMin(\"3,1.5\")", "1.5");
        check("stringListMin(\"1e39\")", "3.4028234663852886e38");
        check("stringListMax(\"3,1,2\")", "3");
        check("stringListMax(\"-3,-1\")", "0");
        check("stringListMax(\"-3.5,-1\")", "1.1754943508222875e-38");
        check("stringListMin(\"1;2\", \";\")", "1");
    }

    #[test]
    fn membership() {
        check("stringListMember(\"a\", \"a,b\")", "true");
        check("stringListMember(\"A\", \"a,b\")", "false");
        check("stringListMember(\" a\", \"a,b\")", "false");
        check("stringListMember(\"\", \"a,,b\")", "false");
        check("stringListMember(\"a\", undefined)", "false");
        check("stringListMember(undefined, \"a\")", "false");
        check("stringListMember(undefined, undefined)", "undefined");
        check("stringListMember(\"a\", \"a\", undefined)", "true");
        check("stringListMember(1, \"1\")", "error");
        check("stringListMember(\"a\", error)", "error");
        check("stringListMember(\"a;b\", \"a;b,c\", \";\")", "false");
        check("stringListMember(\"b\", \"a\\tb\")", "true");
        check("stringListIMember(\"A\", \"a,b\")", "true");
        check("stringListMember(\"a\")", "error");
    }

    #[test]
    fn subsets() {
        check("stringListSubsetMatch(\"a,b\", \"b,a,c\")", "true");
        check("stringListSubsetMatch(\"a,d\", \"b,a,c\")", "false");
        check("stringListSubsetMatch(\"\", \"b,a,c\")", "true");
        check("stringListSubsetMatch(undefined, \"b,a,c\")", "true");
        check("stringListSubsetMatch(\"a\", undefined)", "false");
        check("stringListSubsetMatch(undefined, undefined)", "undefined");
        check("stringListSubsetMatch(\" , \", \"x\")", "false");
        check("stringListSubsetMatch(\"A\", \"a\")", "false");
        check("stringListISubsetMatch(\"A\", \"a\")", "true");
        check("stringListISubsetMatch(\"A,b\", \"a,B\")", "true");
        check("stringListSubsetMatch(\"a;b\", \"b;a\", \";\")", "true");
        check("stringListSubsetMatch(\"a\", 1)", "error");
    }

    #[test]
    fn intersections() {
        check("stringListsIntersect(\"a,b\", \"c,b\")", "true");
        check("stringListsIntersect(\"a,b\", \"c,d\")", "false");
        check("stringListsIntersect(\"a,b\", \"A,B\")", "false");
        check("stringListsIntersect(\"\", \"\")", "false");
        check("stringListsIntersect(undefined, \"a\")", "undefined");
        check("stringListsIntersect(\"a\", error)", "error");
        check("stringListsIntersect(\"a\", 1)", "error");
        check("stringListsIntersect(\"a b\", \"b\", \"\")", "true");
        check("stringListsIntersect(\" a \", \"a\")", "true");
        check("stringListsIntersect(\"a;b\", \"b\", \";\")", "true");
        check("stringListsIntersect(\"a\", \"a\", undefined)", "undefined");
        check("stringListsIntersect(\"a\", \"a\", 1)", "error");
        check("stringListsIntersect(\"a\\tb\", \"b\")", "false");
    }
}
