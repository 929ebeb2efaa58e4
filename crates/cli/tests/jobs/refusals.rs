//! Bad submits are refused before anything is queued, with a message that
//! names what is wrong.

use crate::{pool, q_af, run};

#[test]
fn bad_submits_are_refused_and_queue_nothing() {
    let p = pool(1, &[]);
    let cases = [
        ("noexe.sub", "executable = /no/such/program\nqueue 3\n", "/no/such/program"),
        ("noinput.sub", "executable = /bin/cat\ninput = no_such_input_file\nqueue\n", "no_such_input_file"),
        ("memory.sub", "executable = /bin/true\nrequest_memory = 2000 TB\nqueue 2\n", "RequestMemory"),
    ];
    for (name, text, mention) in cases {
        std::fs::write(p.dir().join(name), text).unwrap();
        let (code, _, err) = run(&p, "submit", &[name]);
        assert_eq!(code, 1, "{name} was accepted");
        assert!(err.contains(mention), "{name}: the error does not name {mention}: {err}");
    }
    assert!(q_af(&p, &["ClusterId"]).is_empty(), "nothing was queued");
    // A good submit afterwards works (the refused ones consumed cluster ids, as in HTCondor).
    std::fs::write(p.dir().join("ok.sub"), "executable = /bin/true\nqueue\n").unwrap();
    let (code, out, err) = run(&p, "submit", &["ok.sub"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("job(s) submitted to cluster 4.\n") || out.contains("submitted to cluster"), "{out}");
}
