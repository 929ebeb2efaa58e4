//! Nextflow's condor executor, by its own rules.
//!
//! Nextflow (`nextflow.executor.CondorExecutor`) writes a `.command.condor`
//! submit description and a `.command.run` wrapper in each task's work
//! directory, and drives the scheduler with three commands whose output it
//! parses. Restated here from its source, in our own code:
//!
//! - Submit: `condor_submit --terse .command.condor`, run in the task
//!   directory. The job id is the first token of the output when it is cut
//!   at every space and `-` (Groovy's `tokenize(' -')`, which drops empty
//!   tokens): `15.0 - 15.0` gives `15.0`.
//! - Status: `condor_q -nobatch`. Lines are skipped up to and including the
//!   first one that starts with ` ID `; then every line up to the first
//!   blank one is a job: cut at spaces (empty tokens dropped), column 0 is
//!   the id and column 5 the status letter, decoded as `U`, `I` pending,
//!   `R` running, `X`, `E` error, `C` done, `H` hold (anything else:
//!   unknown). A job missing from the table has finished; Nextflow then
//!   reads the exit status the wrapper wrote to `.exitcode`.
//! - Kill: `condor_rm ID`.
//!
//! The directives are those of `getDirectives`: `universe = vanilla`,
//! `executable = .command.run`, `log = .command.log`, `getenv = true`, then
//! `request_cpus` + `machine_count = 1` for more than one cpu,
//! `request_memory`, `request_disk`, `periodic_remove = (RemoteWallClockTime
//! - CumulativeSuspensionTime) > SECONDS` for a time limit, the
//! `clusterOptions` lines, and `queue`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{pool, run_in};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueueStatus {
    Pending,
    Running,
    Hold,
    Error,
    Done,
    Unknown,
}

/// Nextflow's `parseJobId` for condor.
fn parse_job_id(text: &str) -> Option<String> {
    text.split([' ', '-']).find(|t| !t.is_empty()).map(str::to_string)
}

/// Nextflow's `DECODE_STATUS`.
fn decode(letter: &str) -> QueueStatus {
    match letter {
        "U" | "I" => QueueStatus::Pending,
        "R" => QueueStatus::Running,
        "X" | "E" => QueueStatus::Error,
        "C" => QueueStatus::Done,
        "H" => QueueStatus::Hold,
        _ => QueueStatus::Unknown,
    }
}

/// Nextflow's `parseQueueStatus` for condor.
fn parse_queue_status(text: &str) -> BTreeMap<String, QueueStatus> {
    let mut out = BTreeMap::new();
    let mut started = false;
    for line in text.lines() {
        if !started {
            started = line.starts_with(" ID ");
            continue;
        }
        if line.trim().is_empty() {
            break;
        }
        let cols: Vec<&str> = line.split(' ').filter(|c| !c.is_empty()).collect();
        let (Some(id), Some(st)) = (cols.first(), cols.get(5)) else {
            panic!("Nextflow would fail on the condor_q line {line:?} (it reads columns 0 and 5)");
        };
        out.insert(id.to_string(), decode(st));
    }
    out
}

/// The stdout of a golden file (what HTCondor itself printed), if the shared reference is here.
fn golden_stdout(name: &str) -> Option<String> {
    let shared = std::env::var("AERIE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let text = std::fs::read_to_string(shared.join("reference/golden").join(name)).ok()?;
    let start = text.find("# ---- stdout ----\n")? + "# ---- stdout ----\n".len();
    let end = text.find("# ---- stderr ----")?;
    Some(text[start..end].to_string())
}

#[test]
fn nextflows_rules_read_htcondors_own_output() {
    // The restated rules against what HTCondor prints, so that the pool
    // test below checks Aerie against rules known to fit HTCondor.
    let Some(q) = golden_stdout("12-q_nobatch.txt") else {
        eprintln!("skipped: the golden files are not here (set AERIE_SHARED)");
        return;
    };
    let st = parse_queue_status(&q);
    assert_eq!(st.len(), 7, "{st:?}");
    assert_eq!(st["1.0"], QueueStatus::Done);
    assert_eq!(st["2.1"], QueueStatus::Running);
    assert_eq!(st["3.0"], QueueStatus::Pending);
    assert_eq!(st["4.0"], QueueStatus::Hold);
    let terse = golden_stdout("04-submit_terse.txt").unwrap();
    assert_eq!(parse_job_id(&terse).as_deref(), Some("3.0"));
    assert!(parse_queue_status("").is_empty());
}

/// One Nextflow task: its work directory with `.command.sh`, the wrapper
/// and the submit description.
struct Task {
    name: &'static str,
    dir: PathBuf,
    id: String,
}

fn write_task(root: &Path, name: &'static str, script: &str, directives: &[&str]) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".command.sh"), format!("#!/bin/bash -ue\n{script}\n")).unwrap();
    // The wrapper's essentials: run the task in its work directory, keep
    // its output, and leave the exit status in .exitcode.
    let wrapper = format!(
        "#!/bin/bash\ncd {dir}\n/bin/bash -ue .command.sh > .command.out 2> .command.err\necho $? > .exitcode\n",
        dir = dir.display()
    );
    let run = dir.join(".command.run");
    std::fs::write(&run, wrapper).unwrap();
    std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut lines = vec!["universe = vanilla", "executable = .command.run", "log = .command.log", "getenv = true"];
    lines.extend_from_slice(directives);
    lines.push("queue");
    std::fs::write(dir.join(".command.condor"), lines.join("\n") + "\n").unwrap();
    dir
}

#[test]
fn nextflow_condor_executor_submits_polls_and_kills_tasks() {
    let p = pool(2, 2048);
    let work = p.dir().join("work");
    let specs: [(&'static str, &str, Vec<&str>); 3] = [
        (
            "hello",
            "echo Hello world!",
            vec!["request_cpus = 2", "machine_count = 1", "request_memory = 256 MB", "request_disk = 10 MB", "periodic_remove = (RemoteWallClockTime - CumulativeSuspensionTime) > 3600"],
        ),
        ("fails", "echo about to fail >&2\nexit 3", vec!["request_memory = 128 MB"]),
        // clusterOptions 'hold = true' (one option per line, as tokenize(';\n') gives them).
        ("held", "echo never runs", vec!["hold = true"]),
    ];
    let mut tasks = Vec::new();
    for (name, script, directives) in &specs {
        let dir = write_task(&work, name, script, directives);
        let (code, out, err) = run_in(&p, "submit", &["--terse", ".command.condor"], &dir);
        assert_eq!(code, 0, "condor_submit --terse for {name}: {err}");
        let id = parse_job_id(&out).unwrap_or_else(|| panic!("no job id in {out:?}"));
        assert_eq!(out, format!("{id} - {id}\n"));
        tasks.push(Task { name, dir, id });
    }
    // Poll as Nextflow's monitor does; kill the held task once it shows H.
    let mut seen: BTreeMap<&str, Vec<QueueStatus>> = BTreeMap::new();
    let mut finished: BTreeMap<&str, bool> = BTreeMap::new();
    let mut killed = false;
    let t0 = Instant::now();
    while finished.len() < tasks.len() {
        assert!(t0.elapsed() < Duration::from_secs(60), "tasks still queued after 60 s: {seen:?}");
        let (code, q, err) = run_in(&p, "q", &["-nobatch"], &work);
        assert_eq!(code, 0, "{err}");
        let st = parse_queue_status(&q);
        for t in &tasks {
            match st.get(&t.id) {
                Some(s) => {
                    let v = seen.entry(t.name).or_default();
                    if v.last() != Some(s) {
                        v.push(*s);
                    }
                    if *s == QueueStatus::Hold && !killed {
                        let (code, out, err) = run_in(&p, "rm", &[&t.id], &work);
                        assert_eq!((code, out.as_str()), (0, format!("Job {} marked for removal\n", t.id).as_str()), "{err}");
                        killed = true;
                    }
                }
                None => {
                    finished.insert(t.name, true);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let exit = |t: &Task| std::fs::read_to_string(t.dir.join(".exitcode")).ok().map(|s| s.trim().to_string());
    let hello = &tasks[0];
    assert_eq!(exit(hello).as_deref(), Some("0"));
    assert_eq!(std::fs::read_to_string(hello.dir.join(".command.out")).unwrap(), "Hello world!\n");
    let fails = &tasks[1];
    assert_eq!(exit(fails).as_deref(), Some("3"));
    assert_eq!(std::fs::read_to_string(fails.dir.join(".command.err")).unwrap(), "about to fail\n");
    let held = &tasks[2];
    assert_eq!(seen.get("held").map(|v| v.as_slice()), Some(&[QueueStatus::Hold][..]), "{seen:?}");
    assert!(killed);
    assert_eq!(exit(held), None, "a killed task never ran");
    for t in &tasks[..2] {
        let statuses = seen.get(t.name).cloned().unwrap_or_default();
        assert!(statuses.iter().all(|s| matches!(s, QueueStatus::Pending | QueueStatus::Running)), "{}: {statuses:?}", t.name);
        // The user log Nextflow asked for is there and readable.
        let log = std::fs::read_to_string(t.dir.join(".command.log")).unwrap();
        assert!(log.starts_with(&format!("000 ({:03}.000.000) ", t.id.trim_end_matches(".0").parse::<i64>().unwrap())), "{log}");
    }
}
