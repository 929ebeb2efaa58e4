//! Reading a job's `Arguments`/`Args` and `Environment`/`Env` as the job
//! ad stores them (the raw forms `condor_submit` writes).
//!
//! - `Arguments` (V2 raw): words separated by white space; `'…'` groups a
//!   word, `''` inside it is a literal `'`.
//! - `Args` (V1 raw): words separated by white space, no quoting.
//! - `Environment` (V2 raw): the same word syntax, one `NAME=value` per word.
//! - `Env` (V1 raw): `NAME=value` entries separated by `;`.

/// An argument or environment string that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ArgsError(pub String);

/// Split a V2 raw string into words.
pub fn split_v2(raw: &str) -> Result<Vec<String>, ArgsError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            cur.push('\'');
                        }
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err(ArgsError(format!("unterminated single quote in '{raw}'"))),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// The program arguments: `Arguments` when present, else `Args`.
pub fn job_arguments(arguments: Option<&str>, args: Option<&str>) -> Result<Vec<String>, ArgsError> {
    match (arguments, args) {
        (Some(v2), _) => split_v2(v2),
        (None, Some(v1)) => Ok(v1.split_whitespace().map(str::to_string).collect()),
        (None, None) => Ok(Vec::new()),
    }
}

/// The environment entries: `Environment` when present, else `Env`.
pub fn job_environment(environment: Option<&str>, env: Option<&str>) -> Result<Vec<(String, String)>, ArgsError> {
    let entries: Vec<String> = match (environment, env) {
        (Some(v2), _) => split_v2(v2)?,
        (None, Some(v1)) => v1.split(';').map(str::to_string).filter(|e| !e.trim().is_empty()).collect(),
        (None, None) => Vec::new(),
    };
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        match e.split_once('=') {
            Some((k, v)) if !k.is_empty() => out.push((k.to_string(), v.to_string())),
            _ => return Err(ArgsError(format!("environment entry '{e}' is not NAME=value"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_words_and_quotes() {
        assert_eq!(split_v2("hello world").unwrap(), ["hello", "world"]);
        assert_eq!(split_v2("x q hello alpha' 'beta").unwrap(), ["x", "q", "hello", "alpha beta"]);
        assert_eq!(split_v2("'it''s' ''").unwrap(), ["it's", ""]);
        assert!(split_v2("'open").is_err());
    }

    #[test]
    fn arguments_prefer_v2_then_v1() {
        assert_eq!(job_arguments(Some("a 'b c'"), Some("z")).unwrap(), ["a", "b c"]);
        assert_eq!(job_arguments(None, Some("1 -v a'b")).unwrap(), ["1", "-v", "a'b"]);
        assert!(job_arguments(None, None).unwrap().is_empty());
    }

    #[test]
    fn environments_in_both_syntaxes() {
        let e = job_environment(Some("A=3 B=it''''s FOO_2=a' 'b N="), None).unwrap();
        assert_eq!(e[0], ("A".into(), "3".into()));
        assert_eq!(e[1], ("B".into(), "it's".into()));
        assert_eq!(e[2], ("FOO_2".into(), "a b".into()));
        assert_eq!(e[3], ("N".into(), "".into()));
        let e = job_environment(None, Some("A=1;B=x y")).unwrap();
        assert_eq!(e, [("A".to_string(), "1".to_string()), ("B".to_string(), "x y".to_string())]);
        assert!(job_environment(Some("=x"), None).is_err());
    }
}
