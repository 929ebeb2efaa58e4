//! ClassAds in HTCondor's XML form: one `<c>` per ad, `<a n="Name">` per
//! attribute with its typed value (`<s>`, `<i>`, `<r>`, `<b v="t"/>`,
//! `<un/>`, `<er/>`, `<l>`, `<e>` for expressions), laid out as HTCondor's
//! XML unparser does with spacing on. `condor_q -xml` prints it inside a
//! `<classads>` document; an XML user log (`log_xml = true`) is a series
//! of event ads in it. [`parse_ads`] reads both back.

use classad::{ClassAd, Expr, Node, Value};

/// What precedes the first ad.
pub const HEADER: &str = "<?xml version=\"1.0\"?>\n<!DOCTYPE classads SYSTEM \"classads.dtd\">\n<classads>\n";
/// What follows the last ad (written even when no ad matched).
pub const FOOTER: &str = "</classads>\n";

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// A string's new-syntax escapes (`\\`, `\n`, …) without its quotes; a
/// quote inside stays as it is.
fn string_body(s: &str) -> String {
    let quoted = classad::unparse::unparse_value_new(&Value::string(s));
    let inner = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')).unwrap_or(&quoted);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'"') {
            out.push('"');
            chars.next();
        } else {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
        }
    }
    out
}

fn real(r: f64) -> String {
    if r == 0.0 {
        "0.0".to_string()
    } else if r.is_nan() {
        "NaN".to_string()
    } else if r.is_infinite() {
        if r < 0.0 { "-INF" } else { "INF" }.to_string()
    } else {
        classad::unparse::printf_e(r, 15, true)
    }
}

fn value(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str("<s>");
            escape(&string_body(s), out);
            out.push_str("</s>");
        }
        Value::Int(i) => out.push_str(&format!("<i>{i}</i>")),
        Value::Real(r) => out.push_str(&format!("<r>{}</r>", real(*r))),
        Value::Bool(b) => out.push_str(if *b { "<b v=\"t\"/>" } else { "<b v=\"f\"/>" }),
        Value::Undefined => out.push_str("<un/>"),
        Value::Error => out.push_str("<er/>"),
        Value::AbsTime { .. } | Value::RelTime(_) => {
            // `absTime("…")` / `relTime("…")` without the call around the text.
            let (tag, text) = (if matches!(v, Value::AbsTime { .. }) { "at" } else { "rt" }, classad::unparse::unparse_value_new(v));
            let inner = text.get(9..text.len().saturating_sub(2)).unwrap_or("");
            out.push_str(&format!("<{tag}>"));
            escape(inner, out);
            out.push_str(&format!("</{tag}>"));
        }
        Value::List(items) => {
            out.push_str("<l>");
            for i in items.iter() {
                value(i, indent, out);
            }
            out.push_str("</l>");
        }
        Value::Ad(ad) => attrs(&ad.iter().collect::<Vec<_>>(), indent, out),
    }
}

fn expr(e: &Expr, indent: usize, out: &mut String) {
    match e.node() {
        Node::Literal(v) => value(v, indent, out),
        Node::List(items) => {
            out.push_str("<l>");
            for i in items {
                expr(i, indent, out);
            }
            out.push_str("</l>");
        }
        Node::Ad(ad) => attrs(&ad.iter().collect::<Vec<_>>(), indent, out),
        _ => {
            out.push_str("<e>");
            escape(&e.to_new_string(), out);
            out.push_str("</e>");
        }
    }
}

fn attrs(list: &[(&str, &Expr)], indent: usize, out: &mut String) {
    out.push_str("<c>\n");
    for (name, e) in list {
        out.push_str(&" ".repeat(indent + 4));
        out.push_str("<a n=\"");
        escape(&string_body(name), out);
        out.push_str("\">");
        expr(e, indent + 4, out);
        out.push_str("</a>\n");
    }
    out.push_str(&" ".repeat(indent));
    out.push_str("</c>");
    if indent == 0 {
        out.push('\n');
    }
}

/// One ad, attributes sorted by name ignoring case (`condor_q -xml`).
pub fn ad(ad: &ClassAd) -> String {
    let mut list: Vec<(&str, &Expr)> = ad.iter_all().collect();
    list.sort_by_key(|(n, _)| n.to_ascii_lowercase());
    let mut out = String::new();
    attrs(&list, 0, &mut out);
    out
}

/// One ad, attributes in the ad's own order (the events of an XML user log).
pub fn ad_in_order(ad: &ClassAd) -> String {
    let list: Vec<(&str, &Expr)> = ad.iter_all().collect();
    let mut out = String::new();
    attrs(&list, 0, &mut out);
    out
}

/// Ads read from XML text, and how many bytes of it they used: up to the
/// end of the last complete `<c>` ad (an ad still being written is left
/// for the next read). A `<?xml …?>`, `<!DOCTYPE …>`, `<classads>` frame is
/// skipped.
#[derive(Debug, Default)]
pub struct ParsedAds {
    pub ads: Vec<ClassAd>,
    pub consumed: usize,
}

/// Why XML text is not ClassAds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("byte {offset}: {message}")]
pub struct XmlError {
    pub offset: usize,
    pub message: String,
}

/// Read the ads of XML text (see [`ParsedAds`]).
pub fn parse_ads(text: &str) -> Result<ParsedAds, XmlError> {
    let mut p = Parser { s: text.as_bytes(), text, i: 0 };
    let mut out = ParsedAds::default();
    loop {
        p.skip_ws();
        if p.i >= p.s.len() {
            out.consumed = p.i;
            return Ok(out);
        }
        let start = p.i;
        if p.starts_with("<?") || p.starts_with("<!") {
            match p.find(">") {
                Some(e) => p.i = e + 1,
                None => return Ok(out),
            }
            out.consumed = p.i;
            continue;
        }
        if p.starts_with("<classads>") || p.starts_with("</classads>") {
            p.i += if p.starts_with("<classads>") { 10 } else { 11 };
            out.consumed = p.i;
            continue;
        }
        if !p.starts_with("<c>") && !p.starts_with("<c ") {
            return Err(p.err("expected <c>"));
        }
        match p.ad() {
            Ok(ad) => {
                out.ads.push(ad);
                out.consumed = p.i;
            }
            Err(e) if e.message == INCOMPLETE => {
                out.consumed = start;
                return Ok(out);
            }
            Err(e) => return Err(e),
        }
    }
}

const INCOMPLETE: &str = "the text ends inside an ad";

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, m: &str) -> XmlError {
        XmlError { offset: self.i, message: m.to_string() }
    }

    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn starts_with(&self, t: &str) -> bool {
        self.s[self.i..].starts_with(t.as_bytes())
    }

    fn find(&self, t: &str) -> Option<usize> {
        self.text[self.i..].find(t).map(|k| self.i + k)
    }

    /// A tag at the cursor: `(name, attributes, self-closing, closing)`.
    fn tag(&mut self) -> Result<(String, Vec<(String, String)>, bool, bool), XmlError> {
        self.skip_ws();
        if self.i >= self.s.len() {
            return Err(self.err(INCOMPLETE));
        }
        if self.s[self.i] != b'<' {
            return Err(self.err("expected a tag"));
        }
        let end = self.find(">").ok_or_else(|| self.err(INCOMPLETE))?;
        let inner = &self.text[self.i + 1..end];
        self.i = end + 1;
        let closing = inner.starts_with('/');
        let empty = inner.ends_with('/');
        let inner = inner.trim_start_matches('/').trim_end_matches('/').trim();
        let (name, rest) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        let mut attrs = Vec::new();
        let mut r = rest.trim();
        while let Some(eq) = r.find('=') {
            let key = r[..eq].trim().to_string();
            let after = r[eq + 1..].trim_start();
            let q = after.chars().next().unwrap_or('"');
            let body = &after[1.min(after.len())..];
            let close = body.find(q).unwrap_or(body.len());
            attrs.push((key, decode_entities(&body[..close])));
            r = body.get(close + 1..).unwrap_or("").trim_start();
        }
        Ok((name.to_string(), attrs, empty, closing))
    }

    /// Text up to the next `<`, entities decoded.
    fn text_until_tag(&mut self) -> Result<String, XmlError> {
        let end = self.find("<").ok_or_else(|| self.err(INCOMPLETE))?;
        let t = decode_entities(&self.text[self.i..end]);
        self.i = end;
        Ok(t)
    }

    fn expect_close(&mut self, name: &str) -> Result<(), XmlError> {
        let (n, _, _, closing) = self.tag()?;
        if closing && n == name {
            Ok(())
        } else {
            Err(self.err(&format!("expected </{name}>, found <{n}>")))
        }
    }

    /// `<c>` … `</c>` (the opening tag not read yet).
    fn ad(&mut self) -> Result<ClassAd, XmlError> {
        let (name, _, empty, _) = self.tag()?;
        if name != "c" {
            return Err(self.err("expected <c>"));
        }
        let mut ad = ClassAd::new();
        if empty {
            return Ok(ad);
        }
        loop {
            let save = self.i;
            let (n, attrs, empty, closing) = self.tag()?;
            if closing && n == "c" {
                return Ok(ad);
            }
            if n != "a" || closing {
                self.i = save;
                return Err(self.err(&format!("expected <a> in <c>, found <{n}>")));
            }
            let attr = attrs.iter().find(|(k, _)| k == "n").map(|(_, v)| v.clone()).ok_or_else(|| self.err("<a> without n=\"…\""))?;
            if empty {
                continue;
            }
            let e = self.expr()?;
            self.expect_close("a")?;
            ad.insert(&attr, e);
        }
    }

    /// One value element.
    fn expr(&mut self) -> Result<Expr, XmlError> {
        let save = self.i;
        let (name, attrs, empty, closing) = self.tag()?;
        if closing {
            return Err(self.err(&format!("unexpected </{name}>")));
        }
        let lit = |v: Value| Ok(Expr::literal(v));
        match name.as_str() {
            "c" => {
                self.i = save;
                let ad = self.ad()?;
                Ok(Expr::literal(Value::Ad(std::sync::Arc::new(ad))))
            }
            "un" => lit(Value::Undefined),
            "er" => lit(Value::Error),
            "b" => {
                let v = attrs.iter().find(|(k, _)| k == "v").map(|(_, v)| v.as_str()).unwrap_or("f");
                lit(Value::Bool(v.starts_with('t') || v.starts_with('T')))
            }
            "l" => {
                let mut items = Vec::new();
                if !empty {
                    loop {
                        self.skip_ws();
                        if self.starts_with("</l>") {
                            self.i += 4;
                            break;
                        }
                        items.push(self.expr()?);
                    }
                }
                Ok(Expr::from(classad::Node::List(items)))
            }
            "s" | "i" | "r" | "e" | "at" | "rt" => {
                let body = if empty { String::new() } else { self.text_until_tag()? };
                if !empty {
                    self.expect_close(&name)?;
                }
                let fail = |what: &str| XmlError { offset: save, message: format!("<{name}>{body}</{name}>: {what}") };
                match name.as_str() {
                    "s" => lit(Value::string(&unescape_string(&body))),
                    "i" => body.trim().parse::<i64>().map(|i| Expr::literal(Value::Int(i))).map_err(|_| fail("not an integer")),
                    "r" => match body.trim() {
                        "NaN" => lit(Value::Real(f64::NAN)),
                        "INF" => lit(Value::Real(f64::INFINITY)),
                        "-INF" => lit(Value::Real(f64::NEG_INFINITY)),
                        t => t.parse::<f64>().map(|r| Expr::literal(Value::Real(r))).map_err(|_| fail("not a real")),
                    },
                    "e" => Expr::parse(&body).map_err(|e| fail(&e.to_string())),
                    "at" => Expr::parse(&format!("absTime(\"{body}\")")).map_err(|e| fail(&e.to_string())),
                    _ => Expr::parse(&format!("relTime(\"{body}\")")).map_err(|e| fail(&e.to_string())),
                }
            }
            other => Err(self.err(&format!("unknown element <{other}>"))),
        }
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(k) = rest.find('&') {
        out.push_str(&rest[..k]);
        let after = &rest[k..];
        let end = after.find(';').unwrap_or(0);
        let ent = &after[1..end.max(1)];
        let rep = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match (rep, end) {
            (Some(c), e) if e > 0 => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A string's new-syntax escapes undone (`\\`, `\n`, `\"`, octal `\101`).
fn unescape_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(d @ '0'..='7') => {
                let mut n = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(x) => {
                            n = n * 8 + x;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(n).unwrap_or('?'));
            }
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_expressions_take_htcondor_s_tags() {
        let a = ClassAd::parse_old(
            "Cmd = \"/bin/a&b<c>\"\nProcId = 0\nRank = 0.0\nX = 0.5\nLeaveJobInQueue = false\nMissing = undefined\n\
             Requirements = (TARGET.Memory >= RequestMemory) && (TARGET.OpSys == \"LINUX\")\nS = \"say \\\"hi\\\"\"\nN = [ a = 1 ]\nL = { 1, \"x\" }",
        )
        .unwrap();
        let want = "<c>
    <a n=\"Cmd\"><s>/bin/a&amp;b&lt;c&gt;</s></a>
    <a n=\"L\"><l><i>1</i><s>x</s></l></a>
    <a n=\"LeaveJobInQueue\"><b v=\"f\"/></a>
    <a n=\"Missing\"><un/></a>
    <a n=\"N\"><c>
        <a n=\"a\"><i>1</i></a>
    </c></a>
    <a n=\"ProcId\"><i>0</i></a>
    <a n=\"Rank\"><r>0.0</r></a>
    <a n=\"Requirements\"><e>(TARGET.Memory &gt;= RequestMemory) &amp;&amp; (TARGET.OpSys == \"LINUX\")</e></a>
    <a n=\"S\"><s>say \"hi\"</s></a>
    <a n=\"X\"><r>5.000000000000000E-01</r></a>
</c>
";
        assert_eq!(ad(&a), want);
        // And back: the same attributes and values.
        let back = parse_ads(&format!("{HEADER}{want}{FOOTER}")).unwrap();
        assert_eq!(back.ads.len(), 1);
        for (n, e) in a.iter() {
            assert_eq!(back.ads[0].get(n).map(|x| x.to_old_string()), Some(e.to_old_string()), "{n}");
        }
    }

    #[test]
    fn an_ad_still_being_written_is_left_for_the_next_read() {
        let one = ad(&ClassAd::parse_old("A = 1").unwrap());
        let text = format!("{one}{}", &one[..8]);
        let p = parse_ads(&text).unwrap();
        assert_eq!((p.ads.len(), p.consumed), (1, one.len()));
        assert!(parse_ads("<c>\n    <a n=\"A\"><zz>1</zz></a>\n</c>\n").is_err());
        assert_eq!(unescape_string("a\\\\b\\n\\101"), "a\\b\nA");
        assert_eq!(decode_entities("&lt;&amp;&#65;&bogus"), "<&A&bogus");
    }
}
