//! The path functions `$F[fpdnxqabwu](..)`, `$BASENAME(..)` and
//! `$DIRNAME(..)`: pick parts of a file name (directory, base name,
//! extension), quote it, make it absolute, convert separators.

use crate::macro_funcs::{lookup_or_literal, FnResult};
use crate::macros::Expander;

pub(crate) const X: u8 = 1;
pub(crate) const N: u8 = 2;
pub(crate) const P: u8 = 4;
pub(crate) const D: u8 = 8;

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PathFlags {
    pub(crate) parts: u8,
    pub(crate) num_dirs: usize,
    pub(crate) quoted: bool,
    pub(crate) arg_quote: bool,
    pub(crate) full_path: bool,
    pub(crate) bare: bool,
    pub(crate) to_path_char: Option<u8>,
}

impl PathFlags {
    pub(crate) fn parse(flags: &str) -> PathFlags {
        let mut f = PathFlags::default();
        for c in flags.bytes() {
            match c | 0x20 {
                b'x' => f.parts |= X,
                b'n' => f.parts |= N,
                b'p' => f.parts |= P,
                b'd' => {
                    f.parts |= D;
                    f.num_dirs += 1;
                }
                b'a' => f.arg_quote = true,
                b'b' => f.bare = true,
                b'f' => f.full_path = true,
                b'w' => f.to_path_char = Some(b'\\'),
                b'u' => f.to_path_char = Some(b'/'),
                b'q' => f.quoted = true,
                _ => {}
            }
        }
        f
    }
}

/// Copy `s` dropping a leading `"` (or the requested quote) and the matching
/// trailing one, then add the requested quotes.
fn requote(s: &[u8], quote: Option<u8>) -> Vec<u8> {
    let mut s = s;
    let mut qc = None;
    if let Some(&c) = s.first() {
        if c == b'"' || Some(c) == quote {
            qc = Some(c);
            s = &s[1..];
        }
    }
    if let (Some(&last), Some(q)) = (s.last(), qc) {
        if last == q {
            s = &s[..s.len() - 1];
        }
    }
    let mut out = Vec::with_capacity(s.len() + 2);
    if let Some(q) = quote {
        out.push(q);
    }
    out.extend_from_slice(s);
    if let Some(q) = quote {
        out.push(q);
    }
    out
}

fn convert_path_chars(v: &mut [u8], to: Option<u8>) {
    if let Some(to) = to {
        let from = if to == b'/' { b'\\' } else { b'/' };
        for c in v.iter_mut() {
            if *c == from {
                *c = to;
            }
        }
    }
}

pub(crate) fn filename(ex: &mut Expander<'_>, body: &str, f: PathFlags, is_basename: bool, chain: &mut Vec<String>) -> FnResult {
    // $BASENAME(file, suffix) removes a matching suffix
    let mut name = body;
    let mut kill_suffix: Option<&str> = None;
    if ex.modern {
        // the newer expander takes only macro names here
        if ex.lookup(body, chain)?.is_none() {
            return Ok(Ok(String::new()));
        }
    } else if is_basename {
        if let Some(i) = body.rfind(',') {
            name = &body[..i];
            kill_suffix = Some(body[i + 1..].trim_start());
        }
    }
    let val = lookup_or_literal(ex, name, name, false, chain)?;
    let quote = if f.quoted { Some(if f.arg_quote { b'\'' } else { b'"' }) } else { None };
    // strip one level of matching quotes around the whole value
    let raw = val.as_bytes();
    let unq: &[u8] = if raw.len() > 1 && raw[0] == raw[raw.len() - 1] && (raw[0] == b'"' || raw[0] == b'\'') {
        &raw[1..raw.len() - 1]
    } else {
        raw
    };
    let mut buf: Vec<u8> = if f.full_path {
        match &ex.opts.cwd {
            Some(cwd) if unq.first() != Some(&b'/') && !cwd.as_os_str().is_empty() => {
                let cwd = cwd.to_string_lossy();
                let cwd = cwd.strip_suffix('/').unwrap_or(&cwd).to_string();
                let mut n = unq;
                if n.len() > 2 && n[0] == b'.' && n[1] == b'/' {
                    n = &n[2..];
                }
                let mut joined = cwd.into_bytes();
                joined.push(f.to_path_char.unwrap_or(b'/'));
                joined.extend_from_slice(n);
                let mut v = requote(&joined, quote);
                convert_path_chars(&mut v, f.to_path_char);
                v
            }
            _ => {
                let mut v = requote(unq, quote);
                convert_path_chars(&mut v, f.to_path_char);
                v
            }
        }
    } else {
        let mut v = requote(unq, quote);
        convert_path_chars(&mut v, f.to_path_char);
        v
    };
    let len = buf.len();
    let ixn = buf.iter().rposition(|&c| c == b'/' || c == b'\\').map(|i| i + 1).unwrap_or(0);
    let ixx = buf[ixn..].iter().rposition(|&c| c == b'.').map(|i| i + ixn).unwrap_or(len);
    let mut ixx = ixx;
    let mut parts = f.parts;
    if let Some(suffix) = kill_suffix {
        let cch = suffix.len();
        if len >= cch && len - cch >= ixn && buf[len - cch..].eq_ignore_ascii_case(suffix.as_bytes()) {
            ixx = len - cch;
            parts &= !X;
        }
    }
    if ixn == 0 && parts & (N | X) != 0 {
        parts &= !(P | D);
    }
    let mut start = 0usize;
    let mut end = len;
    match parts & 0xF {
        1 => {
            start = ixx;
            if f.bare && ixx < len {
                start += 1;
            }
        }
        3 => start = ixn,
        2 => {
            start = ixn;
            end = ixx;
        }
        0 | 7 | 5 => {}
        4 => {
            end = ixn;
            if f.bare && ixn > 0 {
                end = ixn - 1;
            }
        }
        6 => end = ixx,
        _ => {
            if ixn > 0 {
                // keep the basename plus `num_dirs` directories
                let seps: Vec<usize> = buf.iter().enumerate().filter(|(_, &c)| c == b'/' || c == b'\\').map(|(i, _)| i + 1).collect();
                let keep = seps.len().saturating_sub(f.num_dirs);
                start = if keep > 0 { seps[keep - 1] } else { 0 };
                match parts & 3 {
                    2 => end = ixx,
                    0 => {
                        end = ixn;
                        if f.bare && ixn > 0 {
                            end = ixn - 1;
                        }
                    }
                    _ => {}
                }
            } else {
                start = len.min(1);
                end = start;
            }
        }
    }
    if end < start {
        end = start;
    }
    if let Some(q) = quote {
        let mut out = Vec::with_capacity(end - start + 2);
        if buf.get(start) != Some(&q) || start == end {
            out.push(q);
        }
        let mut e = end;
        if e > 1 && e > start && buf[e - 1] == q {
            e -= 1;
        }
        out.extend_from_slice(&buf[start..e]);
        out.push(q);
        buf = out;
    } else {
        buf = buf[start..end].to_vec();
    }
    Ok(Ok(String::from_utf8_lossy(&buf).into_owned()))
}
