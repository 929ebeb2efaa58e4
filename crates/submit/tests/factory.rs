//! Late materialization: a cluster submitted with `max_materialize` is a
//! cluster ad plus a digest; the procs the schedd makes from the digest
//! later are the procs an ordinary submit of the description makes.

use std::sync::Arc;

use submit::{BuildOptions, CollectSink, Factory, FactoryMode, Params, SubmitOptions, Submission};

fn opts(dir: &std::path::Path, mode: FactoryMode) -> SubmitOptions {
    SubmitOptions {
        build: BuildOptions {
            base_dir: dir.to_path_buf(),
            environ: Arc::new(vec![("HOME".into(), "/home/u".into()), ("TOKEN".into(), "t-1".into())]),
            user: "u".into(),
            submit_time: 1_750_000_000,
            ..BuildOptions::default()
        },
        params: Params::from_pairs([("FILESYSTEM_DOMAIN", "example.org")]),
        submit_file: Some("job.sub".into()),
        factory: mode,
        ..SubmitOptions::default()
    }
}

const DESCRIPTION: &str = "executable = run.sh\n\
    arguments = $(x) $(Process) $(Step)\n\
    output = out.$(x).$(Step)\n\
    request_memory = $(mem)\n\
    +Token = \"$ENV(TOKEN)\"\n\
    max_materialize = 2\n\
    queue 2 x, mem from [1:] (\n  skip, 1\n  a, 100\n  b, 200\n\n  c, 1 GB\n)\n";

#[test]
fn materialized_procs_equal_submitted_procs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("run.sh"), "#!/bin/sh\n").unwrap();

    let mut direct = CollectSink::default();
    Submission::from_text("job.sub", DESCRIPTION, opts(dir.path(), FactoryMode::Never)).run(&mut direct).unwrap();
    assert_eq!(direct.procs.len(), 8, "4 selected rows, 2 jobs each");

    let mut lazy = CollectSink::default();
    let report = Submission::from_text("job.sub", DESCRIPTION, opts(dir.path(), FactoryMode::WhenRequested)).run(&mut lazy).unwrap();
    assert!(lazy.procs.is_empty(), "nothing is materialized at submit");
    let f = &lazy.factories[0];
    assert_eq!((f.total_procs, f.max_materialize), (8, 2));
    assert_eq!(report.clusters[0].jobs, 8);
    assert_eq!(f.cluster.ad.get("JobMaterializeLimit").map(|e| e.to_string()), None);

    // the schedd stores the digest and the items as text, and reloads them
    let reloaded = Factory::from_digest(&f.factory.digest(), f.factory.items().to_vec()).unwrap();
    let mut m = reloaded.materializer(f.cluster.clone(), Params::from_pairs([("FILESYSTEM_DOMAIN", "example.org")]));
    assert_eq!(m.job_count(), 8);
    for want in &direct.procs {
        let got = m.proc_ad(want.proc).unwrap();
        let flat = |ad: &classad::ClassAd| {
            let mut v: Vec<(String, String)> = ad.iter_all().map(|(k, e)| (k.to_string(), e.to_string())).collect();
            v.sort();
            v
        };
        assert_eq!(flat(&got.ad), flat(&want.ad), "proc {}", want.proc);
    }
    assert!(m.proc_ad(8).is_err());
}
