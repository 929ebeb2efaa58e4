//! Probe: which nesting overflows (development aid).
use classad::{ClassAd, Expr};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (open, inner, close) = (args[1].clone(), args[2].clone(), args[3].clone());
    let n: usize = args[4].parse().unwrap_or(100);
    let stage = args[5].clone();
    let t = std::thread::Builder::new().stack_size(2 << 20).spawn(move || {
        let text = format!("{}{}{}", open.repeat(n), inner, close.repeat(n));
        let ad = ClassAd::parse("[x = true; l = {1}; a = [b = 1]]").unwrap_or_default();
        let e = match Expr::parse(&text) { Ok(e) => e, Err(err) => { println!("parse error {err}"); return; } };
        if stage.contains('e') { let _ = e.eval(Some(&ad), Some(&ad)); }
        if stage.contains('n') { let _ = e.to_new_string(); }
        if stage.contains('o') { let _ = e.to_old_string(); }
        println!("ok");
    }).unwrap();
    let _ = t.join();
}
