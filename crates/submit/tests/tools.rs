//! The submit files that dask-jobqueue, parsl and Nextflow write, and the
//! seed 001 `htcondor2.Submit` dict, turned into job ads; the assertions
//! are what those tools (and their users) rely on.

use std::path::Path;
use std::sync::Arc;

use submit::{BuildOptions, CollectSink, Params, SubmitOptions, Submission};

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
}

fn options(dir: &Path) -> SubmitOptions {
    SubmitOptions {
        build: BuildOptions {
            base_dir: dir.to_path_buf(),
            environ: Arc::new(vec![
                ("HOME".into(), "/home/alice".into()),
                ("USER".into(), "alice".into()),
                ("PATH".into(), "/usr/bin:/bin".into()),
            ]),
            user: "alice".into(),
            submit_time: 1_700_000_000,
            ..BuildOptions::default()
        },
        params: Params::from_pairs([("FILESYSTEM_DOMAIN", "example.org"), ("UID_DOMAIN", "example.org")]),
        submit_file: Some("job.sub".into()),
        ..SubmitOptions::default()
    }
}

/// The value text of `attr` in proc `i`'s full ad.
fn attr(sink: &CollectSink, i: usize, attr: &str) -> String {
    sink.procs[i].ad.get(attr).map(|e| e.to_string()).unwrap_or_else(|| panic!("proc {i} has no {attr}"))
}

fn run(text: &str, dir: &Path) -> (CollectSink, submit::Report) {
    let mut sub = Submission::from_text("job.sub", text, options(dir));
    let mut sink = CollectSink::default();
    let report = sub.run(&mut sink).unwrap_or_else(|f| panic!("submit refused: {}", f.error));
    (sink, report)
}

#[test]
fn dask_jobqueue_htcondor_cluster_job_script() {
    let dir = tempfile::tempdir().unwrap();
    let (sink, report) = run(&fixture("dask_jobqueue.sub"), dir.path());
    assert_eq!(sink.clusters.len(), 1);
    assert_eq!(sink.procs.len(), 1);
    assert_eq!(report.clusters[0].jobs, 1);
    // the worker name dask reads back from the queue: quotes stripped by $F()
    assert_eq!(attr(&sink, 0, "DaskWorkerName"), "\"htcondor--1.0--\"");
    assert_eq!(attr(&sink, 0, "JobId"), "\"1.0\"");
    // resource requests stay expressions over the worker attributes
    assert_eq!(attr(&sink, 0, "RequestCpus"), "MY.DaskWorkerCores");
    assert_eq!(attr(&sink, 0, "RequestMemory"), "floor(MY.DaskWorkerMemory / 1048576)");
    assert_eq!(attr(&sink, 0, "RequestDisk"), "floor(MY.DaskWorkerDisk / 1024)");
    assert_eq!(attr(&sink, 0, "DaskWorkerMemory"), "2000000000");
    assert_eq!(attr(&sink, 0, "ProjectName"), "\"osg.dask\"");
    assert_eq!(attr(&sink, 0, "JobBatchName"), "\"dummy-name\"");
    assert_eq!(attr(&sink, 0, "Cmd"), "\"/bin/sh\"");
    // two arguments: -c and the worker command (its spaces quoted the V2 way)
    assert!(
        attr(&sink, 0, "Arguments").starts_with("\"-c /tmp/venv-fixtures/bin/python' '-m' 'distributed.cli.dask_worker' 'tcp://"),
        "{}",
        attr(&sink, 0, "Arguments")
    );
    // expressions for memory and cpus are not literals, so Requirements checks them
    let req = attr(&sink, 0, "Requirements");
    assert!(req.contains("(TARGET.Memory >= RequestMemory)"), "{req}");
    assert!(req.contains("(TARGET.Cpus >= RequestCpus)"), "{req}");
    assert!(req.contains("(TARGET.Disk >= RequestDisk)"), "{req}");
    assert!(report.warnings.is_empty() && report.unused.is_empty(), "{report:?}");
}

#[test]
fn parsl_condor_provider_block() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_string_lossy().into_owned();
    let text = fixture("parsl_condor.submit").replace("@DIR@", &d);
    std::fs::write(dir.path().join("parsl.htex.block-0.script"), "#!/bin/bash\nprocess_worker_pool.py\n").unwrap();
    let (sink, _) = run(&text, dir.path());
    assert_eq!(sink.procs.len(), 1);
    // float memory from `mem_per_slot * 1024` is a number of MiB with a fraction
    assert_eq!(attr(&sink, 0, "RequestMemory"), "1536");
    assert_eq!(attr(&sink, 0, "RequestCpus"), "2");
    // `+projectname =` with nothing after it
    assert_eq!(attr(&sink, 0, "projectname"), "undefined");
    assert_eq!(attr(&sink, 0, "LeaveJobInQueue"), "true");
    assert_eq!(attr(&sink, 0, "TransferExecutable"), "false");
    assert_eq!(attr(&sink, 0, "Cmd"), "\"/bin/bash\"");
    assert_eq!(attr(&sink, 0, "Args"), "\"parsl.htex.block-0.script\"");
    assert_eq!(attr(&sink, 0, "Environment"), "\"JOBNAME=parsl.htex.block-0\"");
    assert_eq!(attr(&sink, 0, "WhenToTransferOutput"), "\"ON_EXIT_OR_EVICT\"");
    assert_eq!(attr(&sink, 0, "TransferInput"), format!("\"{d}/parsl.htex.block-0.script\""));
    assert_eq!(attr(&sink, 0, "UserLog"), format!("\"{d}/parsl.htex.block-0.log\""));
    assert_eq!(attr(&sink, 0, "MaxHosts"), "1");
    // an empty `requirements =` is as if there were none
    let req = attr(&sink, 0, "Requirements");
    assert!(req.starts_with("(TARGET.Arch == "), "{req}");
    assert!(req.ends_with("&& (TARGET.HasFileTransfer)"), "{req}");
    assert!(!req.contains("FileSystemDomain"), "should_transfer_files = YES needs no shared file system: {req}");
}

#[test]
fn nextflow_condor_executor_task() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".command.run"), "#!/bin/bash\necho task\n").unwrap();
    let (sink, report) = run(&fixture("nextflow_command.condor"), dir.path());
    assert_eq!(sink.procs.len(), 1);
    assert_eq!(report.clusters[0].first_proc, 0);
    assert_eq!(attr(&sink, 0, "RequestCpus"), "4");
    assert_eq!(attr(&sink, 0, "RequestMemory"), "2048");
    assert_eq!(attr(&sink, 0, "PeriodicRemove"), "(RemoteWallClockTime - CumulativeSuspensionTime) > 3600");
    assert_eq!(attr(&sink, 0, "UserLog"), format!("\"{}/.command.log\"", dir.path().display()));
    // getenv = true: the submitter's environment goes with the job
    assert_eq!(attr(&sink, 0, "Environment"), "\"HOME=/home/alice PATH=/usr/bin:/bin USER=alice\"");
    let req = attr(&sink, 0, "Requirements");
    assert!(req.contains("(TARGET.Cpus >= RequestCpus)"), "{req}");
    assert!(req.contains("(TARGET.FileSystemDomain == MY.FileSystemDomain)"), "{req}");
    assert_eq!(attr(&sink, 0, "FileSystemDomain"), "\"example.org\"");
}

#[test]
fn seed_001_submit_dict() {
    // the dict of the CHTC remote-submission guide
    let default_submit_requirements = "(TARGET.PoolName == \"CHTC\") && ((((Target.OpSysMajorVer == 9) && (Target.OpSysName =!= \"Debian\") &&  !(Target.OSPool ?: false))) || (((Target.OSPool ?: false) && ((Target.OSGVO_OS_STRING ?: \"\") == \"RHEL 9\")))) && (TARGET.Arch == \"X86_64\") && (TARGET.OpSys == \"LINUX\") && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory) && ((TARGET.FileSystemDomain == MY.FileSystemDomain) || (TARGET.HasFileTransfer))";
    let job = submit::Submit::from_pairs([
        ("executable", "test.sh"),
        ("arguments", "rst 123"),
        ("log", "test.log"),
        ("output", "test.out"),
        ("error", "test.err"),
        ("transfer_executable", "false"),
        ("transfer_input_files", "test.txt, test.sh"),
        ("request_cpus", "1"),
        ("request_memory", "1 GB"),
        ("request_disk", "1 GB"),
        ("FileSystemDomain", "ap2002.chtc.wisc.edu"),
        ("Requirements", default_submit_requirements),
    ]);
    assert_eq!(job.queue_args(), "");
    let dir = tempfile::tempdir().unwrap();
    let (sink, report) = job.jobs(1, None, 42, options(dir.path())).unwrap_or_else(|f| panic!("{}", f.error));
    assert_eq!(sink.clusters[0].id, 42);
    assert_eq!(sink.procs.len(), 1);
    let p = &sink.procs[0];
    assert_eq!((p.cluster, p.proc), (42, 0));
    assert_eq!(attr(&sink, 0, "Cmd"), "\"test.sh\"", "not transferred: the name is left as given");
    assert_eq!(attr(&sink, 0, "TransferExecutable"), "false");
    assert_eq!(attr(&sink, 0, "Args"), "\"rst 123\"");
    assert_eq!(attr(&sink, 0, "TransferInput"), "\"test.txt,test.sh\"");
    assert_eq!(attr(&sink, 0, "RequestMemory"), "1024");
    assert_eq!(attr(&sink, 0, "RequestDisk"), "1048576");
    assert_eq!(attr(&sink, 0, "RequestCpus"), "1");
    assert_eq!(attr(&sink, 0, "JobSubmitMethod"), "2");
    assert_eq!(attr(&sink, 0, "LeaveJobInQueue"), "false");
    assert_eq!(attr(&sink, 0, "Out"), "\"test.out\"");
    assert_eq!(attr(&sink, 0, "UserLog"), format!("\"{}/test.log\"", dir.path().display()));
    // the user's Requirements already check everything: nothing is added but
    // the request checks it does not name
    let req = attr(&sink, 0, "Requirements");
    assert!(req.starts_with("((TARGET.PoolName == \"CHTC\")"), "{req}");
    assert!(req.ends_with("|| (TARGET.HasFileTransfer))) && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory)"), "{req}");
    // a submit variable named like an attribute is not an attribute
    assert_eq!(attr(&sink, 0, "FileSystemDomain"), "\"example.org\"");
    assert!(report.unused.iter().any(|w| w.contains("FileSystemDomain = ap2002.chtc.wisc.edu")), "{report:?}");
    assert!(report.warnings.iter().any(|w| w.contains("refers to TARGET.Memory")), "{report:?}");
}
