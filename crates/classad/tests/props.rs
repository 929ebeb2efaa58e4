//! Property tests for the parser, evaluator and unparser:
//! - any text (biased towards ClassAd tokens) parses or is refused with an
//!   error, never a panic; what parses evaluates without a panic;
//! - generated expressions print (old and new syntax) and parse back to
//!   the same tree (parse(unparse(e)) == e, up to what HTCondor's printing
//!   itself loses: `- 1` and `-1` both print as `-1`, and reals print with
//!   16 significant digits);
//! - printing a value and parsing it back gives the value again (reals to
//!   the 16 digits printed).

use classad::{ClassAd, Expr, Node, UnaryOp, Value};
use proptest::prelude::*;

/// A real to the 16 significant digits HTCondor prints.
fn real16(r: f64) -> String {
    format!("Real({r:.15e})")
}

/// A value with reals to 16 significant digits.
fn value16(v: &Value) -> String {
    match v {
        Value::Real(r) | Value::RelTime(r) => real16(*r),
        other => format!("{other:?}"),
    }
}

/// The tree with `-` applied to a non-negative number literal folded into
/// the literal and reals to 16 digits (what a print-and-parse round trip
/// changes).
fn canonical(e: &Expr) -> String {
    match e.node() {
        Node::Unary { op: UnaryOp::Minus, arg } => match arg.node() {
            Node::Literal(Value::Int(i)) if *i >= 0 => format!("Int({})", -i),
            Node::Literal(Value::Real(r)) if r.is_sign_positive() => real16(-r),
            _ => format!("Neg({})", canonical(arg)),
        },
        Node::Literal(v) => value16(v),
        Node::Attr { name, absolute } => format!("Attr({name:?},{absolute})"),
        Node::Select { base, name } => format!("Sel({},{name:?})", canonical(base)),
        Node::Unary { op, arg } => format!("{op:?}({})", canonical(arg)),
        Node::Binary { op, lhs, rhs } => format!("{op:?}({},{})", canonical(lhs), canonical(rhs)),
        Node::Ternary { cond, then, otherwise } => {
            format!("If({},{},{})", canonical(cond), canonical(then), canonical(otherwise))
        }
        Node::Paren(inner) => format!("P({})", canonical(inner)),
        Node::Index { base, index } => format!("Idx({},{})", canonical(base), canonical(index)),
        Node::Call(c) => {
            format!("{}({})", c.name, c.args.iter().map(canonical).collect::<Vec<_>>().join(","))
        }
        Node::List(items) => format!("{{{}}}", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        Node::Ad(ad) => format!(
            "[{}]",
            ad.iter().map(|(n, e)| format!("{n}={}", canonical(e))).collect::<Vec<_>>().join(";")
        ),
    }
}

fn context() -> (ClassAd, ClassAd) {
    let my = ClassAd::parse_old(
        "x = 3\ny = 4.5\nname = \"foo\"\nflag = true\nlst = {1, 2.5, \"a\"}\nnested = [a = 1; b = {2, 3}]\n\
         self = x + 1\nloop = loop2\nloop2 = loop\nMemory = 2048\nRequirements = TARGET.Memory >= Memory\n\
         strlist = \"a, b,c\"\nbig = 9223372036854775807",
    )
    .expect("my ad");
    let target = ClassAd::parse_old("x = 10\nMemory = 4096\nArch = \"X86_64\"\nRequirements = true").expect("target ad");
    (my, target)
}

/// Text made of ClassAd tokens, spaces and the odd stray character.
fn token_soup() -> impl Strategy<Value = String> {
    const TOKENS: &[&str] = &[
        "(", ")", "[", "]", "{", "}", ",", ";", ".",
        "=", "==", "!=", "=?=", "=!=", "is", "isnt", "<",
        "<=", ">", ">=", "&&", "||", "!", "~", "-", "+",
        "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>",
        "?", ":", "?:", "x", "y", "MY", "TARGET", "PARENT",
        "nested", "lst", "loop", "'quoted name'", "true", "undefined",
        "error", "0", "1", "-1", "017", "0x1F", "2.5", "1e300",
        ".5", "9223372036854775808", "\"s\"", "\"a\\\"b\"", "\"\\777\"", "\"",
        "size(", "strcat(", "regexp(", "ifThenElse(", "eval(", "unparse(",
        "absTime(\"2020-01-01\")", "relTime(\"1:00\")", "countMatches(", "split(",
        "/*", "*/", "//", " ", "\n", "é", "\u{0}",
    ];
    let token = prop::sample::select(TOKENS);
    prop::collection::vec(token, 0..40).prop_map(|t| t.join(" "))
}

/// Syntactically valid expression text.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("MY.y".to_string()),
        Just("TARGET.Memory".to_string()),
        Just("nested.b".to_string()),
        Just(".x".to_string()),
        Just("'a b'".to_string()),
        Just("undefined".to_string()),
        Just("error".to_string()),
        Just("true".to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        (-1e6f64..1e6).prop_map(|r| format!("{r:?}")),
        prop_oneof![Just(1e300), Just(1e-300), Just(0.0015), Just(2.0), Just(-0.0)].prop_map(|r| format!("{r:e}")),
        // (Not ending in a backslash: HTCondor's old syntax cannot print
        // `"\\"` inside an expression so that it reads back.)
        "[a-zA-Z0-9 ,@.\"\\\\é]{0,8}".prop_map(|s| format!("{:?}", s + "z")),
        Just("relTime(\"1+02:03:04\")".to_string()),
        Just("absTime(\"2020-01-01T00:00:00Z\")".to_string()),
    ];
    leaf.prop_recursive(5, 64, 4, |inner| {
        const OPS: &[&str] = &[
            "+", "-", "*", "/", "%", "<", "<=", ">", ">=",
            "==", "!=", "=?=", "=!=", "&&", "||", "&", "|",
            "^", "<<", ">>", ">>>", "?:",
        ];
        let op = prop::sample::select(OPS);
        prop_oneof![
            // `?:` takes a postfix expression on its right, as in HTCondor.
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| {
                if o == "?:" {
                    format!("{a} ?: ({b})")
                } else {
                    format!("{a} {o} {b}")
                }
            }),
            inner.clone().prop_map(|a| format!("({a})")),
            (prop_oneof![Just("-"), Just("!"), Just("~"), Just("+")], inner.clone())
                .prop_map(|(o, a)| format!("{o}({a})")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(a, b, c)| format!("{a} ? {b} : {c}")),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("{{{}}}", v.join(", "))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| {
                let attrs: Vec<String> = v.iter().enumerate().map(|(i, e)| format!("k{i} = {e}")).collect();
                format!("[{}]", attrs.join("; "))
            }),
            (
                prop_oneof![
                    Just("strcat"), Just("size"), Just("ifThenElse"), Just("member"), Just("sum"), Just("regexp"),
                    Just("substr"), Just("string"), Just("int"), Just("unknownFn"), Just("eval"), Just("split"),
                ],
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(f, v)| format!("{f}({})", v.join(", "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})[{b}]")),
            inner.prop_map(|a| format!("({a}).attr")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_or_is_refused_and_evaluates_without_panicking(text in token_soup()) {
        let (my, target) = context();
        if let Ok(e) = Expr::parse(&text) {
            let _ = e.eval(Some(&my), Some(&target));
            let _ = e.eval(None, None);
            let _ = e.to_old_string();
            let _ = e.to_new_string();
            let _ = my.external_refs(&e);
            let _ = my.internal_refs(&e);
        }
        let _ = ClassAd::parse_old(&format!("R = {text}"));
        let _ = ClassAd::parse(&format!("[R = {text}]"));
        let _ = ClassAd::parse_json(&text);
    }

    #[test]
    fn printed_expressions_parse_back_to_the_same_tree(text in expression()) {
        let e = Expr::parse(&text).map_err(|err| TestCaseError::fail(format!("{text}: {err}")))?;
        // Old syntax is read back with the old-syntax rules (a backslash is
        // literal there), new syntax with the new.
        let old = e.to_old_string();
        let again = Expr::parse_old(&old).map_err(|err| TestCaseError::fail(format!("{old}: {err}")))?;
        prop_assert_eq!(canonical(&again), canonical(&e), "{} printed as {}", text, old);
        let new = e.to_new_string();
        let again = Expr::parse(&new).map_err(|err| TestCaseError::fail(format!("{new}: {err}")))?;
        prop_assert_eq!(canonical(&again), canonical(&e), "{} printed as {}", text, new);
        // And the value does not change either (as printed: reals to 16 digits).
        let (my, target) = context();
        let v = e.eval(Some(&my), Some(&target)).to_string();
        let w = again.eval(Some(&my), Some(&target)).to_string();
        prop_assert_eq!(v, w);
    }

    #[test]
    fn printed_values_read_back_as_the_same_value(text in expression()) {
        let (my, target) = context();
        let v = Expr::parse(&text).map_err(|err| TestCaseError::fail(err.to_string()))?.eval(Some(&my), Some(&target));
        // Ads and lists print their expressions; scalars print exactly.
        if matches!(v, Value::Int(_) | Value::Real(_) | Value::String(_) | Value::Bool(_) | Value::Undefined | Value::Error) {
            let printed = v.to_string();
            let back = Expr::parse_old(&printed)
                .map_err(|err| TestCaseError::fail(format!("{printed}: {err}")))?
                .eval(None, None);
            prop_assert_eq!(value16(&v), value16(&back), "{}", printed);
        }
    }
}
