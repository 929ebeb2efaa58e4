//! Evaluate expressions read one per line from standard input, with the
//! ads of a conformance `contexts.json` (first argument) as `MY` and
//! `TARGET`, printing each result in old syntax:
//!
//! ```text
//! echo 'TARGET.Memory >= RequestMemory' | cargo run -p classad --example eval -- contexts.json
//! ```
//!
//! A line starting with `refs ` prints the expression's external and
//! internal references in the `MY` ad instead.

use std::io::BufRead;

use classad::{ClassAd, Expr};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: eval CONTEXTS.json < expressions");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let ctx: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let ad = |k: &str| ClassAd::parse_old(ctx.get(k).and_then(|v| v.as_str()).unwrap_or("")).unwrap_or_default();
    let (my, target) = (ad("my"), ad("target"));
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        if let Some(text) = line.strip_prefix("refs ") {
            match Expr::parse(text) {
                Ok(e) => println!("{text} | ext {:?} | int {:?}", my.external_refs(&e), my.internal_refs(&e)),
                Err(err) => println!("{text} -> parse error: {err}"),
            }
            continue;
        }
        match Expr::parse(&line) {
            Ok(e) => println!("{line} -> {}", e.eval(Some(&my), Some(&target))),
            Err(err) => println!("{line} -> parse error: {err}"),
        }
    }
}
