//! Replaying the steps of a job from the previous job of its statement
//! must give exactly the ads that building every job from scratch gives.
//! Checked on every case of the submit conformance corpus (HTCondor's own
//! answers live beside it; here only the two ways of building are
//! compared, with the same clock).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use submit::{BuildOptions, DryRunWriter, Params, SubmitOptions, Submission};

fn corpus() -> Option<PathBuf> {
    let shared = std::env::var_os("AERIE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let p = shared.join("conformance/submit/random-1.jsonl");
    p.exists().then_some(p)
}

fn dry_run(dir: &Path, file: &str, text: &str, env: &[(String, String)], replay: bool) -> Result<String, String> {
    let opts = SubmitOptions {
        build: BuildOptions {
            base_dir: dir.to_path_buf(),
            environ: Arc::new(env.to_vec()),
            user: "tester".into(),
            submit_time: 1_800_000_000,
            dry_run: true,
            ..BuildOptions::default()
        },
        params: Params::from_pairs([("FILESYSTEM_DOMAIN", "localdomain"), ("UID_DOMAIN", "localdomain")]),
        submit_file: Some(file.to_string()),
        replay,
        ..SubmitOptions::default()
    };
    let mut sub = Submission::from_text(file, text, opts);
    let mut w = DryRunWriter::new(Vec::new());
    match sub.run(&mut w) {
        Ok(r) => Ok(format!("{}{}", String::from_utf8_lossy(&w.into_inner()), r.stderr_text())),
        Err(f) => Err(f.error.to_string()),
    }
}

#[test]
fn replayed_jobs_equal_jobs_built_from_scratch_on_the_corpus() {
    let Some(path) = corpus() else {
        eprintln!("no submit corpus beside the repository; nothing to compare");
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let mut compared = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = case["files"].as_object().unwrap();
        for (name, content) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, content.as_str().unwrap()).unwrap();
            if case["exec"].as_array().unwrap().iter().any(|e| e == name.as_str()) {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        let env: Vec<(String, String)> = case["env"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().replace("@USER@", "tester")))
            .collect();
        let argv = case["argv"].as_array().unwrap();
        let sub_name = argv.last().unwrap().as_str().unwrap();
        let sub_text = files[sub_name].as_str().unwrap();
        let with = dry_run(dir.path(), sub_name, sub_text, &env, true);
        let without = dry_run(dir.path(), sub_name, sub_text, &env, false);
        assert_eq!(with, without, "case {}", case["id"]);
        compared += 1;
    }
    assert!(compared > 100, "only {compared} cases");
}

#[test]
fn replay_follows_values_that_feed_other_steps() {
    let dir = tempfile::tempdir().unwrap();
    for d in ["a", "b", "c"] {
        std::fs::create_dir_all(dir.path().join(d)).unwrap();
        std::fs::write(dir.path().join(d).join("in.dat"), d.repeat(3000)).unwrap();
    }
    std::fs::write(dir.path().join("run.sh"), "#!/bin/sh\n").unwrap();
    let env = vec![("HOME".to_string(), "/home/t".to_string()), ("X".to_string(), "1".to_string())];
    let cases = [
        // the initial directory changes per job: relative log, input and
        // transfer sizes follow it
        "executable = run.sh\ninitialdir = $(d)\nlog = job.log\ninput = in.dat\ntransfer_input_files = in.dat\nqueue d in (a, b, c, a)\n",
        // memory and cpus change per job: Requirements and the request attributes follow
        "executable = run.sh\nrequest_memory = $(m)\nrequest_cpus = $(c)\nqueue m, c from (\n1\n2000, 2\n\n1024, 1\n)\n",
        // per-job warnings (nice_user conflict) repeat for every job
        "executable = run.sh\nnice_user = true\naccounting_group = g\nargs = $(Process)\nqueue 4\n",
        // environment from a queue variable, with getenv
        "executable = run.sh\ngetenv = true\nenvironment = \"V=$(Item)\"\nqueue Item in (p, q, q, r)\n",
        // should_transfer_files changes per job: FileSystemDomain and Requirements follow
        "executable = run.sh\nshould_transfer_files = $(s)\nqueue s in (YES, IF_NEEDED, YES, IF_NEEDED)\n",
        // several statements in one cluster, the second changing a command
        "executable = run.sh\noutput = o.$(Process)\nqueue 2\nrequest_disk = 2 GB\nhold = true\nqueue 3\n",
        // steps that read attributes other steps set per job
        "executable = run.sh\ntransfer_output_files = $(f)\nwhen_to_transfer_output = ON_EXIT_OR_EVICT\nqueue f in (a, b)\n",
    ];
    for text in cases {
        let with = dry_run(dir.path(), "job.sub", text, &env, true);
        let without = dry_run(dir.path(), "job.sub", text, &env, false);
        assert!(with.is_ok(), "{text}: {with:?}");
        assert_eq!(with, without, "{text}");
    }
}
