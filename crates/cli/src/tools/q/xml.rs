//! `-xml`: ads in HTCondor's ClassAd XML form (`<classads>`, one `<c>` per
//! ad, `<a n="Name">` per attribute with its typed value), laid out as
//! HTCondor's XML unparser does with spacing on.

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

/// One ad, attributes sorted by name ignoring case.
pub fn ad(ad: &ClassAd) -> String {
    let mut list: Vec<(&str, &Expr)> = ad.iter_all().collect();
    list.sort_by_key(|(n, _)| n.to_ascii_lowercase());
    let mut out = String::new();
    attrs(&list, 0, &mut out);
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
    }
}
