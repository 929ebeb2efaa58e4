//! Matchmaking does not allocate: evaluating a typical job `Requirements`
//! against a slot ad (attribute lookups, `TARGET.` references, comparisons
//! of numbers and strings) makes no heap allocation at all, however many
//! attributes it looks up. Counted with a global allocator that tallies the
//! allocations of the current thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use classad::{symmetric_match, ClassAd, Expr, Value};

#[path = "../benches/ads.rs"]
mod ads;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn requirements_evaluation_does_not_allocate() {
    let job = ClassAd::parse_old(ads::JOB).expect("job ad");
    let machine = ClassAd::parse_old(&ads::machine()).expect("machine ad");
    // Warm up once (lazily initialised tables).
    assert_eq!(job.eval_attr_against("Requirements", &machine), Value::Bool(true));
    let n = allocations_during(|| {
        for _ in 0..100 {
            assert_eq!(job.eval_attr_against("Requirements", &machine), Value::Bool(true));
            assert!(symmetric_match(&job, &machine));
        }
    });
    assert_eq!(n, 0, "allocations in 100 evaluations");
}

#[test]
fn lookups_do_not_allocate_however_many() {
    let machine = ClassAd::parse_old(&ads::machine()).expect("machine ad");
    // 80 clauses, each an attribute lookup in the machine ad.
    let clauses: Vec<String> = (0..80).map(|i| format!("TARGET.Stat{i}_Count >= {i}")).collect();
    let mut job = ClassAd::new();
    job.insert("Requirements", Expr::parse(&clauses.join(" && ")).expect("parses"));
    assert_eq!(job.eval_attr_against("Requirements", &machine), Value::Bool(true));
    let n = allocations_during(|| {
        assert_eq!(job.eval_attr_against("Requirements", &machine), Value::Bool(true));
    });
    assert_eq!(n, 0);
}
