//! String functions: `strcat`, `join`, `toUpper`, `toLower`, `substr`,
//! `strcmp`, `stricmp`, `size`, `split`, `splitUserName`, `splitSlotName`.
//!
//! Strings are handled as bytes, like HTCondor does: `size("é")` is 2,
//! `substr` offsets count bytes, case changes touch ASCII letters only.

use std::cmp::Ordering;

use crate::Value;

use super::conv::{self, bytes_to_string, string_list};
use super::ops::strcasecmp;
use super::Env;

/// `strcat(a, b, …)`: the arguments converted with `string()` and
/// concatenated. The first `undefined` argument makes the result
/// `undefined`, the first `error` makes it `error`.
pub fn strcat(args: &[Value], env: &Env) -> Value {
    let mut buf = String::new();
    for a in args {
        match conv::to_str_env(a, env) {
            Ok(s) => buf.push_str(&s),
            Err(e) => return e,
        }
    }
    Value::string(&buf)
}

/// `join(sep, a, b, …)`, `join(sep, list)`, `join(list)`: the non-undefined
/// items converted with `string()`, separated by `sep` (items that are
/// empty strings add no separator before the first non-empty one).
/// `undefined` when nothing but `undefined` was given; `error` when any
/// item (or the separator) is `error`.
pub fn join(args: &[Value], env: &Env) -> Value {
    // With one or two arguments whose last is a list, the list's members
    // are the items (and the separator is the first argument, or empty).
    let expanded: Vec<Value>;
    let items: &[Value] = match args {
        [Value::List(l)] => {
            let mut v = Vec::with_capacity(l.len() + 1);
            v.push(Value::string(""));
            v.extend(l.iter().cloned());
            expanded = v;
            &expanded
        }
        [sep, Value::List(l)] => {
            let mut v = Vec::with_capacity(l.len() + 1);
            v.push(sep.clone());
            v.extend(l.iter().cloned());
            expanded = v;
            &expanded
        }
        _ => args,
    };
    let mut buf = String::new();
    let mut sep = String::new();
    let mut undefined = false;
    let mut defined = false;
    for (i, item) in items.iter().enumerate() {
        let s = match conv::to_str_env(item, env) {
            Ok(s) => s,
            Err(Value::Undefined) => {
                undefined = true;
                continue;
            }
            Err(e) => return e,
        };
        if i == 0 {
            sep = s.into_owned();
            continue;
        }
        if !buf.is_empty() {
            buf.push_str(&sep);
        }
        defined = true;
        buf.push_str(&s);
    }
    if undefined && !defined {
        return Value::Undefined;
    }
    Value::string(&buf)
}

fn change_case(args: &[Value], env: &Env, upper: bool) -> Value {
    let [v] = args else { return Value::Error };
    match conv::to_str_env(v, env) {
        Ok(s) => {
            let out = if upper { s.to_ascii_uppercase() } else { s.to_ascii_lowercase() };
            Value::string(&out)
        }
        Err(e) => e,
    }
}

/// `toUpper(x)`: `string(x)` with ASCII letters in upper case.
pub fn to_upper(args: &[Value], env: &Env) -> Value {
    change_case(args, env, true)
}

/// `toLower(x)`: `string(x)` with ASCII letters in lower case.
pub fn to_lower(args: &[Value], env: &Env) -> Value {
    change_case(args, env, false)
}

/// `substr(s, offset [, length])`: Perl-like; a negative offset counts
/// from the end, a negative length leaves that many bytes off the end,
/// out-of-range parts are clipped. Offsets and lengths are read as 32-bit
/// integers.
pub fn substr(args: &[Value], _: &Env) -> Value {
    if args.len() < 2 || args.len() > 3 {
        return Value::Error;
    }
    if args.iter().any(Value::is_undefined) {
        return Value::Undefined;
    }
    let (Value::String(s), Value::Int(off)) = (&args[0], &args[1]) else {
        return Value::Error;
    };
    let len_arg = match args.get(2) {
        None => None,
        Some(Value::Int(l)) => Some(conv::i64_to_i32(*l)),
        Some(_) => return Value::Error,
    };
    let bytes = s.as_bytes();
    let alen = bytes.len().min(i32::MAX as usize) as i64;
    let mut offset = conv::i64_to_i32(*off) as i64;
    let mut len = len_arg.unwrap_or(0) as i64;
    if offset < 0 {
        offset = (alen + offset).max(0);
    } else if offset >= alen {
        offset = alen;
    }
    if len <= 0 {
        len = (alen - offset + len).max(0);
    } else if len > alen - offset {
        len = alen - offset;
    }
    if len_arg == Some(0) {
        len = 0;
    }
    let start = offset as usize;
    bytes_to_string(&bytes[start..start + len as usize])
}

fn compare_strings(args: &[Value], env: &Env, fold: bool) -> Value {
    let [a, b] = args else { return Value::Error };
    if a.is_undefined() || b.is_undefined() {
        return Value::Undefined;
    }
    let (Ok(x), Ok(y)) = (conv::to_str_env(a, env), conv::to_str_env(b, env)) else {
        return Value::Error;
    };
    let ord = if fold { strcasecmp(&x, &y) } else { x.as_bytes().cmp(y.as_bytes()) };
    Value::Int(match ord {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    })
}

/// `strcmp(a, b)`: -1, 0 or 1 comparing `string(a)` and `string(b)` byte by byte.
pub fn strcmp(args: &[Value], env: &Env) -> Value {
    compare_strings(args, env, false)
}

/// `stricmp(a, b)`: as `strcmp`, ignoring ASCII case.
pub fn stricmp(args: &[Value], env: &Env) -> Value {
    compare_strings(args, env, true)
}

/// `size(x)`: bytes in a string, members of a list, attributes of an ad.
pub fn size(args: &[Value], _: &Env) -> Value {
    match args {
        [Value::Undefined] => Value::Undefined,
        [Value::String(s)] => Value::Int(s.len() as i64),
        [Value::List(l)] => Value::Int(l.len() as i64),
        [Value::Ad(ad)] => Value::Int(ad.len() as i64),
        _ => Value::Error,
    }
}

/// `split(s [, separators])`: the pieces of `s` between separator
/// characters (default: comma and white space). Runs of white space, or
/// white space around one separator, count as one separator; a repeated
/// non-space separator yields empty pieces (`"a,,b"` → `{"a", "", "b"}`).
pub fn split(args: &[Value], _: &Env) -> Value {
    let (s, seps) = match args {
        [Value::String(s)] => (s, ", \t"),
        [Value::String(s), Value::String(seps)] => (s, &**seps),
        _ => return Value::Error,
    };
    let b = s.as_bytes();
    let is_sep = |c: u8| seps.as_bytes().contains(&c);
    let mut out: Vec<&[u8]> = Vec::new();
    let mut last = 0;
    if !seps.is_empty() {
        // The previous non-space separator seen, to spot repeats.
        let mut prev: Option<u8> = None;
        let mut ix = last;
        while let Some(pos) = b[ix..].iter().position(|&c| is_sep(c)) {
            let at = ix + pos;
            let c = b[at];
            if at > last {
                out.push(&b[last..at]);
            } else if prev == Some(c) && !conv::is_c_space(c) {
                out.push(b"");
            }
            if !conv::is_c_space(c) {
                prev = Some(c);
            }
            last = at + 1;
            ix = last;
        }
    }
    if b.len() > last {
        out.push(&b[last..]);
    }
    Value::list(out.into_iter().map(bytes_to_string).collect())
}

fn split_at(args: &[Value], slot: bool) -> Value {
    let [Value::String(s)] = args else { return Value::Error };
    match s.find('@') {
        Some(i) => string_list([&s[..i], &s[i + 1..]]),
        None if slot => string_list(["", &**s]),
        None => string_list([&**s, ""]),
    }
}

/// `splitUserName("user@domain")` → `{"user", "domain"}`; without `@` the
/// domain is empty.
pub fn split_user_name(args: &[Value], _: &Env) -> Value {
    split_at(args, false)
}

/// `splitSlotName("slot1@machine")` → `{"slot1", "machine"}`; without `@`
/// the slot is empty.
pub fn split_slot_name(args: &[Value], _: &Env) -> Value {
    split_at(args, true)
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn strcat_converts_and_stops_at_undefined_or_error() {
        check("strcat()", "\"\"");
        check("strcat(\"a\", 1, 2.5, true)", "\"a12.500000000000000E+00true\"");
        check("strcat(\"a\", undefined)", "undefined");
        check("strcat(undefined, \"a\")", "undefined");
        check("strcat(\"a\", error)", "error");
        check("strcat(undefined, error)", "undefined");
        check("strcat(error, undefined)", "error");
        check("strcat({1, 2}, [a = 1])", "\"{ 1,2 }[ a = 1 ]\"");
        check("strcat(absTime(0, 0), relTime(5))", "\"1970-01-01T00:00:00-00:0005\"");
    }

    #[test]
    fn join_forms() {
        check("join()", "\"\"");
        check("join(\",\")", "\"\"");
        check("join(\",\", \"a\")", "\"a\"");
        check("join(\",\", \"a\", \"b\", 3)", "\"a,b,3\"");
        check("join(\",\", undefined, \"a\", undefined, \"b\")", "\"a,b\"");
        check("join(undefined, \"a\", \"b\")", "\"ab\"");
        check("join(undefined)", "undefined");
        check("join({\"a\", \"b\"})", "\"ab\"");
        check("join(\",\", {\"a\", \"b\"})", "\"a,b\"");
        check("join(\",\", {\"a\", undefined, \"b\"})", "\"a,b\"");
        check("join(\",\", {\"a\", error, \"b\"})", "error");
        check("join({})", "\"\"");
        check("join(\",\", {})", "\"\"");
        check("join(1, 2, 3)", "\"213\"");
        check("join({1, 2}, \"x\")", "\"x\"");
        check("join(\",\", {\"a\"}, \"b\")", "\"{ \\\"a\\\" },b\"");
        check("join(\",\", \"\", \"b\")", "\"b\"");
        check("join(\",\", \"a\", \"\", \"b\")", "\"a,,b\"");
        check("join(error, \"a\")", "error");
        check("join(\",\", error)", "error");
        check("join(\",\", undefined)", "undefined");
        check("join({undefined})", "undefined");
        check("join(\",\", {{1}, \"a\"})", "\"{ 1 },a\"");
        check("join(\",\", split(\"a b c\"))", "\"a,b,c\"");
    }

    #[test]
    fn case_changes_are_ascii_only() {
        check("toUpper(\"abc é\")", "\"ABC é\"");
        check("toLower(\"ABC É\")", "\"abc É\"");
        check("toUpper(1.5)", "\"1.500000000000000E+00\"");
        check("toUpper(undefined)", "undefined");
        check("toUpper(error)", "error");
        check("toUpper({1})", "\"{ 1 }\"");
        check("toUpper()", "error");
        check("toLower(true)", "\"true\"");
    }

    #[test]
    fn substr_clips_like_perl() {
        check("substr(\"hello\", 1)", "\"ello\"");
        check("substr(\"hello\", 1, 2)", "\"el\"");
        check("substr(\"hello\", -2)", "\"lo\"");
        check("substr(\"hello\", -10)", "\"hello\"");
        check("substr(\"hello\", 10)", "\"\"");
        check("substr(\"hello\", 5)", "\"\"");
        check("substr(\"hello\", 1, -1)", "\"ell\"");
        check("substr(\"hello\", 1, -10)", "\"\"");
        check("substr(\"hello\", 1, 0)", "\"\"");
        check("substr(\"hello\", 1, 100)", "\"ello\"");
        check("substr(\"hello\", -3, 2)", "\"ll\"");
        check("substr(\"hello\", 1.5)", "error");
        check("substr(\"hello\", 1, 1.5)", "error");
        check("substr(5, 1)", "error");
        check("substr(\"hello\", undefined)", "undefined");
        check("substr(undefined, 1)", "undefined");
        check("substr(\"hello\", error)", "error");
        check("substr(error, undefined)", "undefined");
        check("substr(\"hello\", 1, undefined)", "undefined");
        check("substr(\"hello\")", "error");
        check("substr(\"hello\", true)", "error");
        check("substr(\"hello\", 9223372036854775807)", "\"o\"");
        check("substr(\"hello\", -9223372036854775807)", "\"ello\"");
        check("substr(\"hello\", 4294967297)", "\"ello\"");
        check("substr(\"hello\", 1, 4294967297)", "\"e\"");
    }

    #[test]
    fn string_comparisons() {
        check("strcmp(\"a\", \"b\")", "-1");
        check("strcmp(\"b\", \"a\")", "1");
        check("strcmp(\"a\", \"a\")", "0");
        check("strcmp(\"a\", \"A\")", "1");
        check("strcmp(\"abc\", \"ab\")", "1");
        check("stricmp(\"a\", \"A\")", "0");
        check("stricmp(\"a\", \"B\")", "-1");
        check("stricmp(\"[\", \"a\")", "-1");
        check("strcmp(1, \"1\")", "0");
        check("strcmp(1.5, \"1\")", "1");
        check("strcmp(undefined, \"a\")", "undefined");
        check("strcmp(\"a\", error)", "error");
        check("strcmp(error, undefined)", "undefined");
        check("strcmp(\"a\")", "error");
        check("strcmp({1}, \"{ 1 }\")", "0");
        check("strcmp(\"é\", \"e\")", "1");
        check("stricmp(\"É\", \"é\")", "-1");
    }

    #[test]
    fn size_of_strings_lists_and_ads() {
        check("size(\"abc\")", "3");
        check("size(\"é\")", "2");
        check("size(\"\")", "0");
        check("size({1, 2, 3})", "3");
        check("size([a = 1; b = 2])", "2");
        check("size(undefined)", "undefined");
        check("size(error)", "error");
        check("size(1)", "error");
        check("size(true)", "error");
        check("size()", "error");
        check("size(relTime(1))", "error");
    }

    #[test]
    fn split_pieces() {
        check("split(\"a b  c\")", "{\"a\", \"b\", \"c\"}");
        check("split(\" a,b, c \")", "{\"a\", \"b\", \"c\"}");
        check("split(\"a,,b\")", "{\"a\", \"\", \"b\"}");
        check("split(\"a , b\", \",\")", "{\"a \", \" b\"}");
        check("split(\"a, ,b\", \", \")", "{\"a\", \"\", \"b\"}");
        check("split(\"a\\tb\\nc\")", "{\"a\", \"b\\nc\"}");
        check("split(\"\")", "{}");
        check("split(\"   \")", "{}");
        check("split(\"a\", \"\")", "{\"a\"}");
        check("split(\"abc\", \"b\")", "{\"a\", \"c\"}");
        check("split(\",a,\", \",\")", "{\"a\"}");
        check("split(\",,a,,\", \",\")", "{\"\", \"a\", \"\"}");
        check("split(\"a  b\", \" \")", "{\"a\", \"b\"}");
        check("split(\"a;;b;\", \";\")", "{\"a\", \"\", \"b\"}");
        check("split(\"a , , b\")", "{\"a\", \"\", \"b\"}");
        check("split(\"a,;b\", \",;\")", "{\"a\", \"b\"}");
        check("split(\"a;;,b\", \",;\")", "{\"a\", \"\", \"b\"}");
        check("split(1)", "error");
        check("split(undefined)", "error");
        check("split(\"a\", undefined)", "error");
        check("split(\"a b\", \" \", 1)", "error");
        check("split()", "error");
    }

    #[test]
    fn user_and_slot_names() {
        check("splitUserName(\"a@b@c\")", "{\"a\", \"b@c\"}");
        check("splitUserName(\"@\")", "{\"\", \"\"}");
        check("splitUserName(\"abc\")", "{\"abc\", \"\"}");
        check("splitSlotName(\"abc\")", "{\"\", \"abc\"}");
        check("splitSlotName(\"s@m\")", "{\"s\", \"m\"}");
        check("splitUserName(1)", "error");
        check("splitUserName(undefined)", "error");
        check("splitUserName()", "error");
        check("splitUserName(\"a\", \"b\")", "error");
    }
}
