//! The on-disk form of an ad's own attributes: a compact binary record.
//!
//! ```text
//! record    = version:u8 (= 1) attribute*
//! attribute = name_len:varint name:utf8 tag:u8 payload
//! tag 0 integer   payload = zigzag varint
//!     1 real      payload = 8 bytes, little-endian IEEE bits
//!     2 string    payload = len:varint utf8
//!     3 true, 4 false, 5 undefined, 6 error   (no payload)
//!     7 expression payload = len:varint new-syntax text
//! ```
//!
//! Literals (nearly every attribute of a proc ad) are stored exactly and
//! decode without running the parser; any other expression is stored as its
//! new-syntax text, which parses back to the same expression. A proc ad
//! with `ProcId`, `JobStatus` and `EnteredCurrentStatus` takes about 50 bytes.
//! Decoding never panics: a damaged record is a [`DecodeError`].

use classad::{ClassAd, Expr, Value};

use crate::intern::Interner;

const VERSION: u8 = 1;

const T_INT: u8 = 0;
const T_REAL: u8 = 1;
const T_STR: u8 = 2;
const T_TRUE: u8 = 3;
const T_FALSE: u8 = 4;
const T_UNDEFINED: u8 = 5;
const T_ERROR: u8 = 6;
const T_EXPR: u8 = 7;

/// A stored record that does not decode (damaged or written by something else).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset} of the stored ad: {message}")]
pub struct DecodeError {
    pub offset: usize,
    pub message: String,
}

/// Append the record of `ad`'s own attributes (its chain is not stored) to `out`.
pub fn encode_ad(ad: &ClassAd, out: &mut Vec<u8>) {
    out.push(VERSION);
    for (name, expr) in ad.iter() {
        put_bytes(out, name.as_bytes());
        match expr.as_literal() {
            Some(Value::Int(i)) => {
                out.push(T_INT);
                put_varint(out, ((*i << 1) ^ (*i >> 63)) as u64);
            }
            Some(Value::Real(r)) => {
                out.push(T_REAL);
                out.extend_from_slice(&r.to_bits().to_le_bytes());
            }
            Some(Value::String(s)) => {
                out.push(T_STR);
                put_bytes(out, s.as_bytes());
            }
            Some(Value::Bool(true)) => out.push(T_TRUE),
            Some(Value::Bool(false)) => out.push(T_FALSE),
            Some(Value::Undefined) => out.push(T_UNDEFINED),
            Some(Value::Error) => out.push(T_ERROR),
            _ => {
                out.push(T_EXPR);
                put_bytes(out, expr.to_new_string().as_bytes());
            }
        }
    }
}


/// Decode a record into an unchained ad, sharing names and literals through `interner`.
pub fn decode_ad(bytes: &[u8], interner: &mut Interner) -> Result<ClassAd, DecodeError> {
    let mut r = Reader { bytes, pos: 0 };
    let version = r.byte()?;
    if version != VERSION {
        return Err(r.err(0, format!("unknown record format {version} (this build reads format {VERSION})")));
    }
    let mut ad = ClassAd::new();
    while r.pos < bytes.len() {
        let at = r.pos;
        let name = r.str()?;
        if name.is_empty() {
            return Err(r.err(at, "empty attribute name".into()));
        }
        let name = interner.name(name);
        let tag_at = r.pos;
        let expr = match r.byte()? {
            T_INT => {
                let z = r.varint()?;
                interner.literal(Value::Int(((z >> 1) as i64) ^ -((z & 1) as i64)))
            }
            T_REAL => {
                let b = r.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                interner.literal(Value::Real(f64::from_bits(u64::from_le_bytes(a))))
            }
            T_STR => {
                let s = r.str()?;
                interner.string(s)
            }
            T_TRUE => interner.literal(Value::Bool(true)),
            T_FALSE => interner.literal(Value::Bool(false)),
            T_UNDEFINED => interner.literal(Value::Undefined),
            T_ERROR => interner.literal(Value::Error),
            T_EXPR => {
                let text_at = r.pos;
                let text = r.str()?;
                Expr::parse(text).map_err(|e| {
                    r.err(text_at, format!("attribute {}: expression {text:?} does not parse: {e}", name.as_str()))
                })?
            }
            t => return Err(r.err(tag_at, format!("attribute {}: unknown value tag {t}", name.as_str()))),
        };
        ad.insert_name(name, expr);
    }
    Ok(ad)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn err(&self, offset: usize, message: String) -> DecodeError {
        DecodeError { offset, message }
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.err(self.pos, "record ends early".into()))?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, DecodeError> {
        let start = self.pos;
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err(start, "number longer than 10 bytes".into()))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| self.err(self.pos, format!("record ends early (wanted {n} more bytes)")))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn str(&mut self) -> Result<&'a str, DecodeError> {
        let n = self.varint()?;
        let at = self.pos;
        let n = usize::try_from(n).map_err(|_| self.err(at, "length does not fit in memory".into()))?;
        let b = self.take(n)?;
        std::str::from_utf8(b).map_err(|e| self.err(at, format!("text is not UTF-8: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_to_vec(ad: &ClassAd) -> Vec<u8> {
        let mut v = Vec::with_capacity(64);
        encode_ad(ad, &mut v);
        v
    }

    fn round_trip(text: &str) -> ClassAd {
        let ad = ClassAd::parse(text).unwrap();
        let bytes = encode_to_vec(&ad);
        let back = decode_ad(&bytes, &mut Interner::new()).unwrap();
        assert_eq!(back.to_new_string(), ad.to_new_string(), "{text}");
        back
    }

    #[test]
    fn literals_and_expressions_round_trip() {
        round_trip(r#"[ ProcId = 0; JobStatus = 1; EnteredCurrentStatus = 1700000000; Neg = -9223372036854775808 ]"#);
        round_trip(r#"[ S = "a\nb\\c\"d"; E = ""; T = true; F = false; U = undefined; X = error ]"#);
        round_trip(r#"[ R = 0.1; Big = 1e300; Requirements = TARGET.Memory >= RequestMemory && (Arch == "X86_64") ]"#);
        round_trip(r#"[ L = { 1, "x", [ a = 1 ] }; N = [ b = { } ]; C = ifThenElse(x, strcat("a", y), 3) ]"#);
        let r = round_trip("[ R = 0.30000000000000004 ]");
        assert_eq!(r.eval_attr("R"), Value::Real(0.30000000000000004));
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        let ad = ClassAd::parse(r#"[ ProcId = 3; Cmd = "/bin/sleep"; Req = a && b ]"#).unwrap();
        let good = encode_to_vec(&ad);
        for cut in 1..good.len() {
            // Every prefix either decodes to fewer attributes or is refused.
            let _ = decode_ad(&good[..cut], &mut Interner::new());
        }
        for i in 0..good.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[i] ^= flip;
                let _ = decode_ad(&bad, &mut Interner::new());
            }
        }
        let e = decode_ad(&[9, 1, 2], &mut Interner::new()).unwrap_err();
        assert!(e.message.contains("unknown record format 9"), "{e}");
        let e = decode_ad(&[1, 1, b'A', 42], &mut Interner::new()).unwrap_err();
        assert!(e.message.contains("unknown value tag 42"), "{e}");
        assert!(decode_ad(&[], &mut Interner::new()).is_err());
    }
}
