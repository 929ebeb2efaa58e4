//! Job environment and argument functions: `envV1ToV2`,
//! `mergeEnvironment`, `argsToList`, `listToArgs`.
//!
//! The two syntaxes are HTCondor's:
//! - V1 environment: `A=1;B=2`, entries separated by `;` (or by the
//!   punctuation character the string starts with), leading white space
//!   of an entry dropped.
//! - V2 (raw) environment and arguments: words separated by white space,
//!   single quotes group, `''` inside quotes is a literal quote.
//! - V1 arguments: words separated by white space, no quoting.
//!
//! Environments are kept sorted by variable name (byte order), as
//! HTCondor's `Env` table is, and printed back as V2 words `NAME=value`.

use std::collections::BTreeMap;

use super::conv::string_list;
use super::Env;
use crate::Value;

/// Characters that, leading a V1 environment string, choose its delimiter.
const PERMITTED_DELIMS: &[u8] = b"!#$%&*+,-/:;<>?@^`|~\x1f";

/// An environment: variable → value (`None` for an unexpanded `$$(...)`
/// entry kept verbatim without `=`).
type EnvTable = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Add one `NAME=value` entry; false when it is not one.
fn set_entry(env: &mut EnvTable, entry: &[u8]) -> bool {
    if entry.is_empty() {
        return false;
    }
    match entry.iter().position(|&c| c == b'=') {
        Some(0) => false,
        Some(i) => {
            env.insert(entry[..i].to_vec(), Some(entry[i + 1..].to_vec()));
            true
        }
        None if entry.windows(2).any(|w| w == b"$$") => {
            env.insert(entry.to_vec(), None);
            true
        }
        None => false,
    }
}

/// Merge a V1 environment string, choosing the delimiter as HTCondor does.
fn merge_v1(env: &mut EnvTable, s: &[u8]) -> bool {
    if s.is_empty() {
        return true;
    }
    let mut delim = b';';
    let mut input = s;
    if input[0] == delim {
        input = &input[1..];
    } else if PERMITTED_DELIMS.contains(&input[0]) {
        delim = input[0];
        input = &input[1..];
    }
    let mut i = 0;
    while i < input.len() {
        while i < input.len() && matches!(input[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        let start = i;
        while i < input.len() && input[i] != b'\n' && input[i] != delim {
            i += 1;
        }
        let entry = &input[start..i];
        if i < input.len() {
            i += 1; // the delimiter
        }
        if !entry.is_empty() && !set_entry(env, entry) {
            return false;
        }
    }
    true
}

/// Split V2 raw text into words; `None` for an unbalanced quote.
fn split_v2(s: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let mut token = false;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\'' => {
                token = true;
                i += 1;
                loop {
                    match s.get(i) {
                        None => return None,
                        Some(b'\'') if s.get(i + 1) == Some(&b'\'') => {
                            buf.push(b'\'');
                            i += 2;
                        }
                        Some(b'\'') => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            buf.push(c);
                            i += 1;
                        }
                    }
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                if token {
                    out.push(std::mem::take(&mut buf));
                    token = false;
                }
            }
            c => {
                token = true;
                buf.push(c);
                i += 1;
            }
        }
    }
    if token {
        out.push(buf);
    }
    Some(out)
}

/// Append one word to V2 raw text, quoting what needs it.
fn append_v2(out: &mut Vec<u8>, word: &[u8]) {
    if !out.is_empty() {
        out.push(b' ');
    }
    if word.is_empty() {
        out.extend_from_slice(b"''");
    }
    for &c in word {
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\'') {
            // Join with a quoted section just closed instead of reopening one.
            if out.last() == Some(&b'\'') {
                out.pop();
            } else {
                out.push(b'\'');
            }
            if c == b'\'' {
                out.push(b'\'');
            }
            out.push(c);
            out.push(b'\'');
        } else {
            out.push(c);
        }
    }
}

fn env_v2(env: &EnvTable) -> Value {
    let mut out = Vec::new();
    for (var, val) in env {
        let mut word = var.clone();
        if let Some(val) = val {
            word.push(b'=');
            word.extend_from_slice(val);
        }
        append_v2(&mut out, &word);
    }
    super::conv::bytes_to_string(&out)
}

/// `envV1ToV2(env)`: a V1 environment string in V2 syntax; `undefined`
/// stays `undefined` (so it can feed `mergeEnvironment` unchecked).
pub fn env_v1_to_v2(args: &[Value], _: &Env) -> Value {
    let [v] = args else { return Value::Error };
    match v {
        Value::Undefined => Value::Undefined,
        Value::String(s) => {
            let mut env = EnvTable::new();
            if merge_v1(&mut env, s.as_bytes()) {
                env_v2(&env)
            } else {
                Value::Error
            }
        }
        _ => Value::Error,
    }
}

/// `mergeEnvironment(env, …)`: V2 environments merged left to right (later
/// values win), `undefined` arguments skipped.
pub fn merge_environment(args: &[Value], _: &Env) -> Value {
    let mut env = EnvTable::new();
    for a in args {
        match a {
            Value::Undefined => continue,
            Value::String(s) => {
                let Some(words) = split_v2(s.as_bytes()) else { return Value::Error };
                for w in words {
                    if !set_entry(&mut env, &w) {
                        return Value::Error;
                    }
                }
            }
            _ => return Value::Error,
        }
    }
    env_v2(&env)
}

/// The optional syntax version argument: 1 or 2 (default 2).
fn version(args: &[Value]) -> Option<u8> {
    match args.get(1) {
        None => Some(2),
        Some(Value::Int(v)) => match super::conv::i64_to_i32(*v) {
            1 => Some(1),
            2 => Some(2),
            _ => None,
        },
        Some(_) => None,
    }
}

/// `argsToList(args [, version])`: an argument string (V2 by default, V1
/// with version 1) split into a list of words.
pub fn args_to_list(args: &[Value], _: &Env) -> Value {
    if args.is_empty() || args.len() > 2 {
        return Value::Error;
    }
    let Some(vers) = version(args) else { return Value::Error };
    let Value::String(s) = &args[0] else { return Value::Error };
    let words: Vec<Vec<u8>> = if vers == 1 {
        s.as_bytes()
            .split(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .filter(|w| !w.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    } else {
        match split_v2(s.as_bytes()) {
            Some(w) => w,
            None => return Value::Error,
        }
    };
    string_list(words.iter().map(|w| String::from_utf8_lossy(w).into_owned()))
}

/// `listToArgs(list [, version])`: a list of strings joined into an
/// argument string (V2 quoting by default; V1 refuses words with white space).
pub fn list_to_args(args: &[Value], _: &Env) -> Value {
    if args.is_empty() || args.len() > 2 {
        return Value::Error;
    }
    let Some(vers) = version(args) else { return Value::Error };
    let Value::List(items) = &args[0] else { return Value::Error };
    let mut out: Vec<u8> = Vec::new();
    for item in items.iter() {
        let Value::String(w) = item else { return Value::Error };
        let w = w.as_bytes();
        if vers == 1 {
            if w.iter().any(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')) {
                return Value::Error;
            }
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(w);
        } else {
            append_v2(&mut out, w);
        }
    }
    super::conv::bytes_to_string(&out)
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn env_v1_to_v2_sorts_and_quotes() {
        check("envV1ToV2(\"B=2;A=1\")", "\"A=1 B=2\"");
        check("envV1ToV2(\"A=x y;B=it's\")", "\"A=x' 'y B=it''''s\"");
        check("envV1ToV2(\"|A=1|B=2;3\")", "\"A=1 B=2;3\"");
        check("envV1ToV2(\";A=1\")", "\"A=1\"");
        check("envV1ToV2(\" A=1 ; B=\")", "\"A=1' ' B=\"");
        check("envV1ToV2(\"A=1;A=2\")", "\"A=2\"");
        check("envV1ToV2(\"A=1\\nB=2\")", "\"A=1 B=2\"");
        // A leading `$` is taken as the delimiter.
        check("envV1ToV2(\"$$(X)\")", "error");
        check("envV1ToV2(\";$$(X)\")", "\"$$(X)\"");
        check("envV1ToV2(\"\")", "\"\"");
        check("envV1ToV2(\"A\")", "error");
        check("envV1ToV2(\"=1\")", "error");
        check("envV1ToV2(undefined)", "undefined");
        check("envV1ToV2(1)", "error");
        check("envV1ToV2()", "error");
    }

    #[test]
    fn merge_environment_later_wins() {
        check("mergeEnvironment(\"A=1 B=2\", \"B=3\")", "\"A=1 B=3\"");
        check("mergeEnvironment(undefined, \"A=1\", undefined)", "\"A=1\"");
        check("mergeEnvironment(\"'A=x y'\")", "\"A=x' 'y\"");
        check("mergeEnvironment()", "\"\"");
        check("mergeEnvironment(\"'A=1\")", "error");
        check("mergeEnvironment(\"A\")", "error");
        check("mergeEnvironment(\"''\")", "error");
        check("mergeEnvironment(1)", "error");
        check("mergeEnvironment(error)", "error");
    }

    #[test]
    fn args_lists() {
        check("argsToList(\"a 'b c' d''e\")", "{\"a\", \"b c\", \"de\"}");
        check("argsToList(\"'it''s'\")", "{\"it's\"}");
        check("argsToList(\"a  b\", 1)", "{\"a\", \"b\"}");
        check("argsToList(\"'a b'\", 1)", "{\"'a\", \"b'\"}");
        check("argsToList(\"\")", "{}");
        check("argsToList(\"'a\")", "error");
        check("argsToList(\"a\", 3)", "error");
        check("argsToList(\"a\", 2.0)", "error");
        check("argsToList(undefined)", "error");
        check("argsToList()", "error");
        check("listToArgs({\"a\", \"b c\", \"\"})", "\"a b' 'c ''\"");
        check("listToArgs({\"a  b\"})", "\"a'  'b\"");
        check("listToArgs({\"it's\"})", "\"it''''s\"");
        check("listToArgs({\"a\", \"b\"}, 1)", "\"a b\"");
        check("listToArgs({\"a b\"}, 1)", "error");
        check("listToArgs({1})", "error");
        check("listToArgs({})", "\"\"");
        check("listToArgs(\"a\")", "error");
        check("listToArgs({\"a\"}, 0)", "error");
    }
}
