//! Attribute references (`ClassAd::external_refs`/`internal_refs`,
//! `Expr::external_refs`), checked against what HTCondor's
//! `GetExprReferences` reports for the same ad and expressions, and the
//! two library dialects.

use std::sync::Arc;

use classad::{ClassAd, Dialect, Expr, Value};

fn my() -> ClassAd {
    let v: serde_json::Value = serde_json::from_str(include_str!("data/contexts.json")).expect("contexts.json");
    ClassAd::parse_old(v["my"].as_str().expect("my ad")).expect("parses")
}

#[test]
fn references_match_htcondor() {
    let my = my();
    // (expression, external, internal) as HTCondor's classad2 reports them
    // (trimmed as GetExprReferences trims them).
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("TARGET.Memory >= RequestMemory", &["Memory"], &["RequestMemory"]),
        ("Requirements", &["Memory"], &["RequestMemory", "Requirements"]),
        ("x + y + missing", &["missing"], &["x", "y"]),
        ("MY.x + MY.missing", &["missing"], &["x"]),
        ("TARGET.Arch == \"X86_64\" && OpSys == \"LINUX\"", &["Arch", "OpSys"], &[]),
        ("nested.a + nested.zz", &["zz"], &["nested"]),
        ("[a = x; b = TARGET.Disk]", &["Disk"], &["x"]),
        ("{x, TARGET.Cpus, Foo}", &["Cpus", "Foo"], &["x"]),
        ("ifThenElse(flag, TARGET.A, B)", &["A", "B"], &["flag"]),
        ("self", &[], &["self", "x"]),
        ("other.Memory", &["Memory"], &[]),
        ("strcat(Owner, TARGET.Owner, undefined)", &["Owner"], &["Owner"]),
        ("zz.yy.ww", &["zz"], &[]),
        ("lst[0] + TARGET.lst[1]", &["lst"], &["lst"]),
    ];
    for (text, ext, int) in cases {
        let e = Expr::parse(text).expect("parses");
        assert_eq!(my.external_refs(&e), *ext, "external refs of {text}");
        assert_eq!(my.internal_refs(&e), *int, "internal refs of {text}");
    }
    // A cycle is walked once instead of failing.
    let e = Expr::parse("loop + loop2").expect("parses");
    assert_eq!(my.internal_refs(&e), ["loop", "loop2"]);
    assert!(my.external_refs(&e).is_empty());
    assert_eq!(my.external_refs_of("Requirements"), ["Memory"]);
    assert!(my.external_refs_of("NoSuchAttribute").is_empty());
}

#[test]
fn references_of_an_expression_alone_are_all_external() {
    let e = Expr::parse("TARGET.Memory >= RequestMemory && (Arch == \"X86_64\" || other.HasGPU) && MY.Cpus > 1")
        .expect("parses");
    assert_eq!(e.external_refs(), ["Arch", "Cpus", "HasGPU", "Memory", "RequestMemory"]);
}

#[test]
fn chained_parent_attributes_are_internal() {
    let cluster = Arc::new(ClassAd::parse_old("RequestMemory = 2048\nOwner = \"alice\"").expect("cluster ad"));
    let mut proc_ad = ClassAd::parse_old("ProcId = 3\nRequirements = TARGET.Memory >= RequestMemory").expect("proc ad");
    proc_ad.chain_to(cluster);
    assert_eq!(proc_ad.external_refs_of("Requirements"), ["Memory"]);
    assert_eq!(proc_ad.internal_refs_of("Requirements"), ["RequestMemory"]);
}

#[test]
fn unconfigured_dialect_reads_and_evaluates_like_the_bare_library() {
    let my = my();
    let target = ClassAd::parse_old("Arch = \"X86_64\"\nMemory = 4096").expect("target ad");
    // Leading-zero integers.
    assert!(Expr::parse("017").is_err());
    assert_eq!(Expr::parse_with("017", Dialect::Unconfigured).map(|e| e.to_string()).ok().as_deref(), Some("17"));
    assert_eq!(Expr::parse_with("0x1F", Dialect::Unconfigured).map(|e| e.to_string()).ok().as_deref(), Some("0"));
    assert!(Expr::parse_with("019", Dialect::Unconfigured).is_err());
    // ';' between arguments.
    assert!(Expr::parse("strcat(\"a\"; \"b\")").is_ok());
    assert!(Expr::parse_with("strcat(\"a\"; \"b\")", Dialect::Unconfigured).is_err());
    // Functions HTCondor registers with its configuration.
    let e = Expr::parse_with("stringListSize(\"a,b\")", Dialect::Unconfigured).expect("parses");
    assert_eq!(e.eval(None, None), Value::Error);
    assert_eq!(Expr::parse("stringListSize(\"a,b\")").expect("parses").eval(None, None), Value::Int(2));
    // Bare names do not fall through to the other ad.
    let e = Expr::parse("Arch").expect("parses");
    let lazy = |d| match e.eval_lazy_with(Some(&my), Some(&target), d) {
        classad::Lazy::Value(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(lazy(Dialect::Configured), Value::string("X86_64"));
    assert_eq!(lazy(Dialect::Unconfigured), Value::Undefined);
}

#[test]
fn eval_of_a_list_keeps_its_element_expressions() {
    // eval() converts its argument as string() does: a list prints as
    // written, so the result is the list of the same expressions.
    let my = my();
    let e = Expr::parse("eval({x, y + 1, \"s\"})").expect("parses");
    match e.eval_lazy(Some(&my), None) {
        classad::Lazy::List(items) => {
            let shown: Vec<String> = items
                .iter()
                .map(|i| match i {
                    classad::Lazy::Expr(e) => e.to_string(),
                    classad::Lazy::Value(v) => v.to_string(),
                    classad::Lazy::List(_) => "list".into(),
                })
                .collect();
            assert_eq!(shown, ["x", "y + 1", "\"s\""]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(Expr::parse("size(eval({x, y}))").expect("parses").eval(Some(&my), None), Value::Int(2));
}
