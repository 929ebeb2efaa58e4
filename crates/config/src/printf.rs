//! The small part of C's `printf` that `$INT(x,fmt)`, `$REAL(x,fmt)` and
//! `$STRING(x,fmt)` accept: text around exactly one conversion
//! (`%[flags][width][.precision][length]conv`), plus `%%`.

/// What a format's conversion must print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FmtKind {
    Int,
    Float,
    Str,
}

#[derive(Debug, Clone, Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
    conv: u8,
}

/// A parsed format: literal text before and after one conversion.
#[derive(Debug, Clone)]
pub struct Format {
    before: String,
    spec: Spec,
    after: String,
}

fn unescape_percent(s: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '%' {
            if it.peek() == Some(&'%') {
                it.next();
                out.push('%');
            } else {
                return Err("more than one conversion".to_string());
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

impl Format {
    /// Parse `fmt`, which must convert one value of kind `kind`.
    pub fn parse(fmt: &str, kind: FmtKind) -> Result<Format, String> {
        let b = fmt.as_bytes();
        // find the first `%` that is not `%%`
        let mut i = 0;
        let mut start = None;
        while i < b.len() {
            if b[i] == b'%' {
                if i + 1 < b.len() && b[i + 1] == b'%' {
                    i += 2;
                    continue;
                }
                start = Some(i);
                break;
            }
            i += 1;
        }
        let Some(start) = start else { return Err("no conversion".to_string()) };
        let before = unescape_percent(&fmt[..start])?;
        let mut spec = Spec::default();
        let mut j = start + 1;
        while j < b.len() {
            match b[j] {
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'#' => spec.alt = true,
                b'0' => spec.zero = true,
                b'\'' => {}
                _ => break,
            }
            j += 1;
        }
        let mut width = 0usize;
        while j < b.len() && b[j].is_ascii_digit() {
            width = width.saturating_mul(10).saturating_add((b[j] - b'0') as usize);
            j += 1;
        }
        spec.width = width.min(4096);
        if j < b.len() && b[j] == b'.' {
            j += 1;
            let mut p = 0usize;
            while j < b.len() && b[j].is_ascii_digit() {
                p = p.saturating_mul(10).saturating_add((b[j] - b'0') as usize);
                j += 1;
            }
            spec.precision = Some(p.min(4096));
        }
        while j < b.len() && b"hlLqjzt".contains(&b[j]) {
            j += 1;
        }
        let Some(&conv) = b.get(j) else { return Err("incomplete conversion".to_string()) };
        let ok = match kind {
            FmtKind::Int => b"diuxXoc".contains(&conv),
            FmtKind::Float => b"fFeEgGaA".contains(&conv),
            FmtKind::Str => conv == b's',
        };
        if !ok {
            return Err(format!("conversion %{} does not fit", conv as char));
        }
        spec.conv = conv;
        let after = unescape_percent(&fmt[j + 1..])?;
        Ok(Format { before, spec, after })
    }

    pub fn int(&self, v: i64) -> String {
        let s = &self.spec;
        let (neg, digits) = match s.conv {
            b'x' => (false, format!("{:x}", v as u64)),
            b'X' => (false, format!("{:X}", v as u64)),
            b'o' => (false, format!("{:o}", v as u64)),
            b'u' => (false, (v as u64).to_string()),
            b'c' => (false, char::from_u32((v & 0xff) as u32).map(String::from).unwrap_or_default()),
            _ => (v < 0, v.unsigned_abs().to_string()),
        };
        let mut digits = digits;
        if let Some(p) = s.precision {
            if digits.len() < p {
                digits = "0".repeat(p - digits.len()) + &digits;
            }
        }
        let mut prefix = String::new();
        if neg {
            prefix.push('-');
        } else if s.plus && matches!(s.conv, b'd' | b'i') {
            prefix.push('+');
        } else if s.space && matches!(s.conv, b'd' | b'i') {
            prefix.push(' ');
        }
        if s.alt && v != 0 {
            match s.conv {
                b'x' => prefix.push_str("0x"),
                b'X' => prefix.push_str("0X"),
                b'o' if !digits.starts_with('0') => prefix.push('0'),
                _ => {}
            }
        }
        self.wrap(pad(&prefix, &digits, s.width, s.left, s.zero && s.precision.is_none()))
    }

    pub fn float(&self, v: f64) -> String {
        let s = &self.spec;
        let upper = s.conv.is_ascii_uppercase();
        let prec = s.precision.unwrap_or(6);
        let mut prefix = String::new();
        if v.is_sign_negative() {
            prefix.push('-');
        } else if s.plus {
            prefix.push('+');
        } else if s.space {
            prefix.push(' ');
        }
        let a = v.abs();
        let body = if !a.is_finite() {
            let t = if a.is_nan() { "nan" } else { "inf" };
            if upper { t.to_ascii_uppercase() } else { t.to_string() }
        } else {
            match s.conv.to_ascii_lowercase() {
                b'f' => fmt_f(a, prec, s.alt),
                b'e' => fmt_e(a, prec, upper, s.alt),
                b'a' => fmt_e(a, prec, upper, s.alt),
                _ => fmt_g(a, prec, upper, s.alt),
            }
        };
        let zero = s.zero && a.is_finite();
        self.wrap(pad(&prefix, &body, s.width, s.left, zero))
    }

    pub fn string(&self, v: &str) -> String {
        let s = &self.spec;
        let text: String = match s.precision {
            Some(p) => v.chars().take(p).collect(),
            None => v.to_string(),
        };
        self.wrap(pad("", &text, s.width, s.left, false))
    }

    fn wrap(&self, core: String) -> String {
        format!("{}{}{}", self.before, core, self.after)
    }
}

fn pad(prefix: &str, body: &str, width: usize, left: bool, zero: bool) -> String {
    let len = prefix.chars().count() + body.chars().count();
    if len >= width {
        return format!("{prefix}{body}");
    }
    let fill = width - len;
    if left {
        format!("{prefix}{body}{}", " ".repeat(fill))
    } else if zero {
        format!("{prefix}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{prefix}{body}", " ".repeat(fill))
    }
}

/// `%.Nf` of a non-negative finite number.
pub fn fmt_f(a: f64, prec: usize, alt: bool) -> String {
    let mut s = format!("{:.*}", prec, a);
    if alt && prec == 0 {
        s.push('.');
    }
    s
}

/// `%.Ne` of a non-negative finite number: `d.ddde+XX`.
pub fn fmt_e(a: f64, prec: usize, upper: bool, alt: bool) -> String {
    let s = format!("{:.*e}", prec, a);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut mant = mant.to_string();
    if alt && prec == 0 {
        mant.push('.');
    }
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}{e}{sign}{:02}", exp.unsigned_abs())
}

/// `%.NG` / `%.Ng` of a non-negative finite number.
pub fn fmt_g(a: f64, prec: usize, upper: bool, alt: bool) -> String {
    let p = if prec == 0 { 1 } else { prec };
    if a == 0.0 {
        return if alt { format!("{:.*}", p - 1, 0.0) } else { "0".to_string() };
    }
    // exponent after rounding to p significant digits
    let es = format!("{:.*e}", p - 1, a);
    let exp: i32 = es.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    let mut out = if exp < -4 || exp >= p as i32 {
        fmt_e(a, p - 1, upper, alt)
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        format!("{:.*}", decimals, a)
    };
    if !alt {
        // strip trailing zeros of the fraction
        let (num, exp_part) = match out.find(['e', 'E']) {
            Some(i) => (out[..i].to_string(), out[i..].to_string()),
            None => (out.clone(), String::new()),
        };
        let num = if num.contains('.') {
            num.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            num
        };
        out = num + &exp_part;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format() {
        assert_eq!(fmt_g(5.0, 16, true, false), "5");
        assert_eq!(fmt_g(1e301, 16, true, false), "1E+301");
        assert_eq!(fmt_g(0.1, 16, true, false), "0.1");
        assert_eq!(fmt_g(2.5, 16, true, false), "2.5");
        assert_eq!(fmt_g(1.0 / 3.0, 16, true, false), "0.3333333333333333");
        assert_eq!(fmt_g(123456.0, 6, false, false), "123456");
        assert_eq!(fmt_g(1234567.0, 6, false, false), "1.23457e+06");
        assert_eq!(fmt_g(0.0001, 6, false, false), "0.0001");
        assert_eq!(fmt_g(0.00001, 6, false, false), "1e-05");
    }

    #[test]
    fn int_formats() {
        let f = Format::parse(" %05d", FmtKind::Int).expect("valid");
        assert_eq!(f.int(2), " 00002");
        assert_eq!(Format::parse("%x", FmtKind::Int).expect("valid").int(255), "ff");
        assert_eq!(Format::parse("%-4d|", FmtKind::Int).expect("valid").int(7), "7   |");
        assert!(Format::parse("%s", FmtKind::Int).is_err());
        assert!(Format::parse("%d %d", FmtKind::Int).is_err());
    }

    #[test]
    fn float_formats() {
        assert_eq!(Format::parse("%.2f", FmtKind::Float).expect("valid").float(2.5), "2.50");
        assert_eq!(Format::parse("%e", FmtKind::Float).expect("valid").float(1234.5), "1.234500e+03");
    }
}
