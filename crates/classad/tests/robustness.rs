//! Hostile input: deep nesting, long chains, self-reference and
//! exponential re-evaluation must give a parse error or `error`/`undefined`,
//! never a panic or a stack overflow. Each check runs in a spawned thread
//! with the default (2 MiB) stack, smaller than a main thread's.

use classad::{ClassAd, Expr, Node, UnaryOp, Value};

/// `e` with a unary minus applied to a non-negative number literal folded
/// into the literal: HTCondor prints both as `-1`, so that is the one
/// change a print-and-parse round trip makes.
fn fold_negative_literals(e: &Expr) -> String {
    fn walk(e: &Expr, out: &mut String) {
        match e.node() {
            Node::Unary { op: UnaryOp::Minus, arg } => match arg.node() {
                Node::Literal(Value::Int(i)) if *i >= 0 => out.push_str(&format!("Int({})", -i)),
                Node::Literal(Value::Real(r)) if r.is_sign_positive() => out.push_str(&format!("Real({:?})", -r)),
                _ => {
                    out.push_str("Neg(");
                    walk(arg, out);
                    out.push(')');
                }
            },
            Node::Literal(Value::Int(i)) => out.push_str(&format!("Int({i})")),
            Node::Literal(Value::Real(r)) => out.push_str(&format!("Real({r:?})")),
            _ => out.push_str(&format!("{:?}", e)),
        }
    }
    let mut s = String::new();
    walk(e, &mut s);
    s
}

/// Run `f` on a thread with the standard spawned-thread stack.
fn on_small_stack<F: FnOnce() + Send + 'static>(f: F) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn test thread")
        .join()
        .expect("the check panicked or overflowed its stack");
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    let mut s = String::with_capacity((open.len() + close.len()) * n + inner.len());
    for _ in 0..n {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..n {
        s.push_str(close);
    }
    s
}

fn deep_inputs(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("parentheses", nested("(", "1", ")", n)),
        ("unary minus", nested("- ", "1", "", n)),
        ("not", nested("!", "true", "", n)),
        ("bit not", nested("~", "1", "", n)),
        ("lists", nested("{", "1", "}", n)),
        ("nested ads", nested("[a = ", "1", "]", n / 2)),
        ("calls", nested("size(", "1", ")", n)),
        ("subscripts", nested("", "l", "[0]", n)),
        ("selections", nested("", "a", ".b", n)),
        ("elvis", nested("", "a", " ?: b", n)),
        ("ternaries", nested("true ? ", "1", " : 2", n)),
        ("or chain", nested("", "x", " || x", n)),
        ("and chain", nested("", "x", " && x", n)),
        ("sum chain", nested("", "1", " + 1", n)),
        ("right-nested sum", nested("1 + (", "1", ")", n)),
        ("mixed", nested("-(!{[a = size(", "x", ")]})", n / 6)),
    ]
}

#[test]
fn deeply_nested_input_is_a_parse_error_not_a_crash() {
    on_small_stack(|| {
        for (what, text) in deep_inputs(100_000) {
            let r = Expr::parse(&text);
            let err = r.expect_err(what);
            assert!(
                err.message.contains("nested too deeply") || err.message.contains("too long or deep"),
                "{what}: {err}"
            );
            // The old-syntax parser and the ad parser refuse it the same way.
            assert!(ClassAd::parse_old(&format!("R = {text}")).is_err(), "{what}");
            assert!(ClassAd::parse(&format!("[R = {text}]")).is_err(), "{what}");
        }
    });
}

#[test]
fn moderately_nested_input_parses_evaluates_and_unparses() {
    on_small_stack(|| {
        let ad = ClassAd::parse("[x = true; l = {1}; a = [b = 1]]").expect("context ad");
        for (what, text) in deep_inputs(60) {
            let e = Expr::parse(&text).unwrap_or_else(|err| panic!("{what}: {err}"));
            let _ = e.eval(Some(&ad), None);
            let _ = e.eval(Some(&ad), Some(&ad));
            let again = Expr::parse(&e.to_new_string()).unwrap_or_else(|err| panic!("{what} (new syntax): {err}"));
            assert_eq!(fold_negative_literals(&again), fold_negative_literals(&e), "{what}");
            let again = Expr::parse(&e.to_old_string()).unwrap_or_else(|err| panic!("{what} (old syntax): {err}"));
            assert_eq!(fold_negative_literals(&again), fold_negative_literals(&e), "{what}");
            drop(e);
        }
    });
}

#[test]
fn long_operator_chains_evaluate() {
    on_small_stack(|| {
        let terms: Vec<String> = (0..900).map(|i| format!("x == {i}")).collect();
        let e = Expr::parse(&terms.join(" || ")).expect("900-term disjunction parses");
        let mut ad = ClassAd::new();
        ad.insert_value("x", Value::Int(899));
        assert_eq!(ad.eval_expr(&e, None), Value::Bool(true));
        ad.insert_value("x", Value::Int(-1));
        assert_eq!(ad.eval_expr(&e, None), Value::Bool(false));
    });
}

#[test]
fn self_reference_is_undefined_and_reference_chains_are_bounded() {
    on_small_stack(|| {
        let ad = ClassAd::parse("[a = a; b = c + 1; c = b; d = d + 1]").expect("ad");
        assert_eq!(ad.eval_attr("a"), Value::Undefined);
        assert_eq!(ad.eval_attr("b"), Value::Undefined);
        assert_eq!(ad.eval_attr("d"), Value::Undefined);

        // a0 = a1 + 1, a1 = a2 + 1, … : deeper than the reference limit.
        let n = 5000;
        let mut ad = ClassAd::new();
        for i in 0..n {
            ad.insert(&format!("a{i}"), Expr::parse(&format!("a{} + 1", i + 1)).expect("parses"));
        }
        ad.insert_value(&format!("a{n}"), Value::Int(0));
        assert_eq!(ad.eval_attr("a0"), Value::Error);
        assert_eq!(ad.eval_attr(&format!("a{}", n - 10)), Value::Int(10));

        // e0 = e1 + e1, … : 2^60 evaluations unless bounded.
        let mut ad = ClassAd::new();
        for i in 0..60 {
            ad.insert(&format!("e{i}"), Expr::parse(&format!("e{} + e{}", i + 1, i + 1)).expect("parses"));
        }
        ad.insert_value("e60", Value::Int(1));
        assert_eq!(ad.eval_attr("e0"), Value::Error);
        assert_eq!(ad.eval_attr("e50"), Value::Int(1024));
    });
}

#[test]
fn eval_of_computed_text_is_bounded() {
    on_small_stack(|| {
        // eval() re-parses text at run time: a self-feeding string must end.
        let ad = ClassAd::parse("[s = \"eval(s)\"; t = eval(s)]").expect("ad");
        assert!(matches!(ad.eval_attr("t"), Value::Error | Value::Undefined));
        let deep = nested("(", "1", ")", 100_000);
        let mut ad = ClassAd::new();
        ad.insert_value("s", Value::string(&deep));
        ad.insert("t", Expr::parse("eval(s)").expect("parses"));
        assert_eq!(ad.eval_attr("t"), Value::Error);
    });
}
