//! Evaluate the bench's job Requirements N times (for profiling).
#[path = "../benches/ads.rs"]
mod bench_ads;
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let job = classad::ClassAd::parse_old(bench_ads::JOB).unwrap();
    let machine = classad::ClassAd::parse_old(&bench_ads::machine()).unwrap();
    let t = std::time::Instant::now();
    let mut ok = 0;
    for _ in 0..n {
        if std::hint::black_box(&job).eval_attr_against("Requirements", std::hint::black_box(&machine)) == classad::Value::Bool(true) { ok += 1; }
    }
    println!("{ok} in {:?} = {:?}/eval", t.elapsed(), t.elapsed() / n as u32);
}
