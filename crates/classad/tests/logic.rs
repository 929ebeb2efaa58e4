//! The operator tables: every unary, binary, ternary and elvis operator
//! applied to every kind of value (`true`, `false`, `undefined`, `error`,
//! integers, reals, strings in both cases, lists, ads, times), compared
//! with HTCondor's own answers (tests/data/operators.txt, written by
//! tests/reference/make_vectors.py from HTCondor's classad2 module). This
//! is the three-valued logic of `&&`/`||`/`!`, the strict and non-strict
//! comparisons, numeric promotion and the short-circuits.

mod common;

use classad::{Expr, Value};

#[test]
fn every_operator_on_every_kind_of_value_agrees_with_htcondor() {
    let env = common::env();
    let mut failures = Vec::new();
    let vectors = common::vectors(include_str!("data/operators.txt"));
    assert!(vectors.len() > 6000, "the table is complete");
    for (text, want) in &vectors {
        let e = match Expr::parse(text) {
            Ok(e) => e,
            Err(err) => {
                failures.push(format!("{text}: does not parse: {err}"));
                continue;
            }
        };
        let got = common::show(&e.eval_with_env(None, None, &env));
        if got != *want {
            failures.push(format!("{text}: HTCondor {want}, Aerie {got}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} differ:\n{}", failures.len(), vectors.len(), failures.join("\n"));
}

/// The three-valued truth tables, spelled out.
#[test]
fn and_or_not_truth_tables() {
    let t = |s: &str| Expr::parse(s).expect("parses").eval(None, None);
    let (tr, fa, un, er) = (Value::Bool(true), Value::Bool(false), Value::Undefined, Value::Error);
    let vals = [("true", &tr), ("false", &fa), ("undefined", &un), ("error", &er)];
    // Rows: left operand; columns: right operand (true, false, undefined, error).
    let and = [[&tr, &fa, &un, &er], [&fa, &fa, &fa, &fa], [&un, &fa, &un, &er], [&er, &er, &er, &er]];
    let or = [[&tr, &tr, &tr, &tr], [&tr, &fa, &un, &er], [&tr, &un, &un, &er], [&er, &er, &er, &er]];
    for (i, (a, _)) in vals.iter().enumerate() {
        for (j, (b, _)) in vals.iter().enumerate() {
            assert_eq!(&t(&format!("{a} && {b}")), and[i][j], "{a} && {b}");
            assert_eq!(&t(&format!("{a} || {b}")), or[i][j], "{a} || {b}");
        }
    }
    assert_eq!(t("!true"), fa);
    assert_eq!(t("!false"), tr);
    assert_eq!(t("!undefined"), un);
    assert_eq!(t("!error"), er);
    // The meta-comparisons never give undefined.
    assert_eq!(t("undefined =?= undefined"), tr);
    assert_eq!(t("undefined =!= 1"), tr);
    assert_eq!(t("undefined == 1"), un);
    assert_eq!(t("error =?= error"), tr);
}
