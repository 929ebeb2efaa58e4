//! Matchmaking speed: a typical job `Requirements` evaluated against a
//! typical slot ad, the symmetric match of the two, and the parse of the
//! job ad. Run with `cargo bench -p classad --bench eval`.

use std::hint::black_box;

use classad::{symmetric_match, ClassAd, Expr};
use criterion::{criterion_group, criterion_main, Criterion};

mod ads;

use ads::{machine, JOB};

fn bench(c: &mut Criterion) {
    let job = ClassAd::parse_old(JOB).expect("job ad parses");
    let machine = ClassAd::parse_old(&machine()).expect("machine ad parses");
    assert!(symmetric_match(&job, &machine), "the bench ads match");

    c.bench_function("job Requirements against a machine", |b| {
        b.iter(|| black_box(&job).eval_attr_against("Requirements", black_box(&machine)))
    });
    c.bench_function("symmetric match (both Requirements)", |b| {
        b.iter(|| symmetric_match(black_box(&job), black_box(&machine)))
    });
    c.bench_function("job Rank of a machine", |b| b.iter(|| classad::rank(black_box(&job), black_box(&machine))));
    let constraint = Expr::parse("Owner == \"alice\" && JobStatus == 1 && RequestMemory > 1024").expect("parses");
    c.bench_function("condor_q constraint on a job", |b| {
        b.iter(|| black_box(&job).eval_expr(black_box(&constraint), None))
    });
    c.bench_function("parse the job ad (old syntax)", |b| b.iter(|| ClassAd::parse_old(black_box(JOB))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
