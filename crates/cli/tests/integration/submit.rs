//! Integration tests for the submit language and `condor_submit`: the
//! real binary, run as `condor_submit` in a scratch directory, compared
//! with what HTCondor 25.0.14 printed (reference/golden) and with the
//! submit conformance corpus.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::harness::{aerie, closing_counts, condor_tool, shared_dir, text};

/// A scratch submit directory with a configuration of the golden pool's
/// two domain settings.
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::write(tmp.path().join("condor_config"), "FILESYSTEM_DOMAIN = localdomain\nUID_DOMAIN = localdomain\n")
            .expect("write config");
        Dir { tmp }
    }

    fn path(&self) -> PathBuf {
        self.tmp.path().canonicalize().expect("canonical temp dir")
    }

    fn write(&self, name: &str, text: &str) {
        let p = self.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write file");
    }

    fn submit(&self, args: &[&str]) -> Command {
        let mut cmd = condor_tool("condor_submit");
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().to_ascii_lowercase().starts_with("_condor_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("CONDOR_CONFIG", self.path().join("condor_config"));
        cmd.env("HOME", self.path());
        cmd.current_dir(self.path());
        cmd.args(args);
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.submit(args).stdin(Stdio::null()).output().expect("run condor_submit")
    }

    fn run_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .submit(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn condor_submit");
        child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        child.wait_with_output().expect("wait")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The stdout, stderr and exit status of a golden file.
fn golden(name: &str) -> (String, String, i32) {
    let path = shared_dir().join("reference/golden").join(name);
    let t = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let status = t.lines().find_map(|l| l.strip_prefix("# exit status: ")).and_then(|s| s.trim().parse().ok()).expect("status");
    let out_start = t.find("# ---- stdout ----\n").expect("stdout marker") + "# ---- stdout ----\n".len();
    let err_marker = t.find("# ---- stderr ----\n").expect("stderr marker");
    (t[out_start..err_marker].to_string(), t[err_marker + "# ---- stderr ----\n".len()..].to_string(), status)
}

/// Lines of `-dry-run -` output with the values that depend on the
/// machine, the time and the directory written as the golden file has them.
fn normalize_dry_run(out: &str, dir: &Path, golden_dir: &str) -> Vec<String> {
    let d = dir.to_string_lossy();
    out.lines()
        .map(|l| {
            let l = l.replace(&*d, golden_dir);
            let (k, _) = l.split_once('=').unwrap_or((&l, ""));
            match k {
                "QDate" | "EnteredCurrentStatus" => format!("{k}=<time>"),
                "CondorVersion" | "CondorPlatform" => format!("{k}=<version>"),
                "DiskUsage" | "ImageSize" | "ExecutableSize" => format!("{k}=<size of /bin/echo>"),
                _ => l,
            }
        })
        .collect()
}

#[test]
fn dry_run_to_standard_output_prints_what_htcondor_prints() {
    // golden 06: condor_submit -dry-run - echo.sub
    let d = Dir::new();
    d.write(
        "echo.sub",
        "executable = /bin/echo\narguments = \"hello world\"\noutput = echo.out\nerror = echo.err\nlog = echo.log\nleave_in_queue = true\nqueue\n",
    );
    let o = d.run(&["-dry-run", "-", "echo.sub"]);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{err}");
    let (gout, _, gstatus) = golden("06-submit_verbose_dry.txt");
    assert_eq!(gstatus, 0);
    let ours = normalize_dry_run(&out, &d.path(), "/home/condoruser/work");
    let theirs = normalize_dry_run(&gout, Path::new("/home/condoruser/work"), "/home/condoruser/work");
    assert_eq!(ours, theirs);
    assert!(out.ends_with(".\n1 job(s) dry-run to cluster 1.\n"), "{out}");
}

#[test]
fn dry_run_to_a_file_prints_progress_and_the_summary() {
    let d = Dir::new();
    d.write("sleep.sub", "executable = /bin/sleep\narguments = 600\nbatch_name = sleepers\n+DaskSchedulerAddress = \"tcp://10.0.0.1:8786\"\nrequest_memory = 100MB\nqueue 3\n");
    let o = d.run(&["-dry-run", "dry.out", "sleep.sub"]);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{err}");
    // golden 03 prints "Submitting job(s)..." and "3 job(s) submitted to cluster 2."
    assert_eq!(out, "Dry-Run job(s)...\n3 job(s) dry-run to cluster 1.\n");
    assert_eq!(err, "");
    let ads = submit::dryrun::read_dry_run(&d.read("dry.out"));
    assert_eq!(ads.len(), 3);
    let get = |i: usize, k: &str| ads[i].iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(get(2, "ProcId"), "2");
    assert_eq!(get(0, "JobBatchName"), "\"sleepers\"");
    assert_eq!(get(1, "DaskSchedulerAddress"), "\"tcp://10.0.0.1:8786\"");
    assert_eq!(get(0, "RequestMemory"), "100");
    assert_eq!(get(0, "Args"), "\"600\"");
}

#[test]
fn terse_prints_job_id_ranges() {
    let d = Dir::new();
    d.write("never.sub", "executable = /bin/true\nrequirements = Memory > 100000000\nqueue 3\n");
    let o = d.run(&["-terse", "-dry-run", "dry.out", "never.sub"]);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0);
    // golden 04: "3.0 - 3.0" for one job; Nextflow takes the first word
    assert_eq!(out, "1.0 - 1.2\n");
    let (_, gerr, _) = golden("04-submit_terse.txt");
    assert_eq!(err, gerr, "the same TARGET.Memory warning as HTCondor");
}

#[test]
fn a_missing_executable_is_refused_like_htcondor() {
    let d = Dir::new();
    d.write("bad1.sub", "executable = /no/such/program\nqueue\n");
    let o = d.run(&["-dry-run", "dry.out", "bad1.sub"]);
    let (out, err) = text(&o);
    let (gout, gerr, gstatus) = golden("07-submit_bad_exe.txt");
    assert_eq!(code(&o), gstatus);
    assert_eq!(out, gout.replace("Submitting", "Dry-Run"));
    assert!(err.starts_with(&gerr), "{err:?} should start with {gerr:?}");
    assert!(!d.path().join("dry.out").exists() || submit::dryrun::read_dry_run(&d.read("dry.out")).is_empty());
}

#[test]
fn an_unknown_universe_is_refused_like_htcondor() {
    let d = Dir::new();
    d.write("bad2.sub", "universe = nonsense\nexecutable = /bin/true\nqueue\n");
    let o = d.run(&["-dry-run", "dry.out", "bad2.sub"]);
    let (_, err) = text(&o);
    let (_, gerr, gstatus) = golden("08-submit_bad_universe.txt");
    assert_eq!(code(&o), gstatus);
    assert!(err.starts_with(&gerr), "{err:?}");
    assert!(err.contains("hint: "), "a refusal says what to do: {err}");
}

#[test]
fn an_unclosed_item_list_is_refused_with_its_line() {
    let d = Dir::new();
    d.write("bad3.sub", "executable = /bin/true\nqueue x from (\n");
    let o = d.run(&["-dry-run", "dry.out", "bad3.sub"]);
    let (_, err) = text(&o);
    let (_, gerr, gstatus) = golden("09-submit_bad_queue.txt");
    assert_eq!(code(&o), gstatus);
    assert!(err.starts_with(&gerr), "{err:?}");
}

#[test]
fn request_memory_that_is_a_word_is_an_expression() {
    // golden 10: HTCondor accepts request_memory = lots
    let d = Dir::new();
    d.write("bad4.sub", "executable = /bin/true\nrequest_memory = lots\nqueue\n");
    let o = d.run(&["-dry-run", "dry.out", "bad4.sub"]);
    assert_eq!(code(&o), 0);
    let ads = submit::dryrun::read_dry_run(&d.read("dry.out"));
    assert!(ads[0].contains(&("RequestMemory".to_string(), "lots".to_string())));
    // a unit that is not one is refused, naming the attribute
    d.write("bad5.sub", "executable = /bin/true\nrequest_memory = 2 GBB\nqueue\n");
    let o = d.run(&["-dry-run", "dry.out", "bad5.sub"]);
    let (_, err) = text(&o);
    assert_eq!(code(&o), 1);
    assert!(err.contains("Parse error in expression") && err.contains("RequestMemory = 2 GBB"), "{err}");
}

#[test]
fn command_line_variables_append_lines_batch_name_and_queue() {
    let d = Dir::new();
    d.write("job.sub", "executable = /bin/echo\narguments = $(greeting) $(Item)\n");
    let o = d.run(&[
        "greeting=hi",
        "-a",
        "output = out.$(Process)",
        "-batch-name",
        "nightly",
        "-dry-run",
        "dry.out",
        "job.sub",
        "-queue",
        "Item",
        "in",
        "(a,",
        "b)",
    ]);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert_eq!(out, "Dry-Run job(s)..\n2 job(s) dry-run to cluster 1.\n");
    let ads = submit::dryrun::read_dry_run(&d.read("dry.out"));
    let get = |i: usize, k: &str| ads[i].iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(get(1, "Args"), "\"hi b\"");
    assert_eq!(get(1, "Out"), "\"out.1\"");
    assert_eq!(get(0, "JobBatchName"), "\"nightly\"");
    // a file with its own queue statement conflicts with -queue
    d.write("q.sub", "executable = /bin/true\nqueue 2\n");
    let o = d.run(&["-dry-run", "dry.out", "q.sub", "-queue", "3"]);
    assert_eq!(code(&o), 1);
    assert!(text(&o).1.contains("-queue argument conflicts with queue statement in submit file"));
}

#[test]
fn a_description_on_standard_input_prints_each_job() {
    let d = Dir::new();
    let o = d.run_stdin(&["-dry-run", "dry.out", "-"], "executable = /bin/true\nqueue 2\n");
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{err}");
    // reading standard input implies -verbose (no summary line)
    assert!(out.contains("** Proc 1.0:") && out.contains("** Proc 1.1:"), "{out}");
    assert!(!out.contains("job(s) dry-run"), "{out}");
    assert_eq!(submit::dryrun::read_dry_run(&d.read("dry.out")).len(), 2);
}

#[test]
fn several_queue_statements_and_unused_lines_warn_like_htcondor() {
    let d = Dir::new();
    d.write("m.sub", "executable = /bin/true\ngreetng = hello\nqueue\narguments = second\nqueue x in (a)\n");
    let o = d.run(&["-dry-run", "dry.out", "m.sub"]);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{err}");
    assert_eq!(out, "Dry-Run job(s)..\n2 job(s) dry-run to cluster 1.\n");
    assert!(err.contains("\nWarning: Use of multiple queue statements in a single submit file is deprecated."), "{err}");
    assert!(err.contains("WARNING: the Queue variable 'x' was unused by condor_submit. Is it a typo?\n"), "{err}");
    assert!(err.contains("WARNING: the line 'greetng = hello' was unused by condor_submit. Is it a typo?\n"), "{err}");
}

#[test]
fn a_queue_from_file_with_a_slice() {
    let d = Dir::new();
    d.write("items.txt", "a 1\nb 2\nc 3\nd 4\n");
    d.write("f.sub", "executable = /bin/true\narguments = $(name) $(n)\nqueue name, n from [1::2] items.txt\n");
    let o = d.run(&["-dry-run", "dry.out", "f.sub"]);
    assert_eq!(code(&o), 0, "{}", text(&o).1);
    let ads = submit::dryrun::read_dry_run(&d.read("dry.out"));
    let args: Vec<String> = ads.iter().map(|a| a.iter().find(|(k, _)| k == "Args").map(|(_, v)| v.clone()).unwrap_or_default()).collect();
    assert_eq!(args, vec!["\"b 2\"", "\"d 4\""]);
}

#[test]
fn the_submit_conformance_corpus_passes() {
    let corpus = shared_dir().join("conformance/submit/random-1.jsonl");
    if !corpus.exists() {
        eprintln!("no submit corpus at {}; skipping", corpus.display());
        return;
    }
    let o = aerie(&["conformance", "submit", corpus.to_str().expect("utf-8 path")]).output().expect("run conformance");
    let (out, err) = text(&o);
    let (passed, failed) = closing_counts(&out).unwrap_or_else(|| panic!("no closing line: {out}\n{err}"));
    assert!(passed + failed >= 600, "{out}");
    assert!(passed * 100 >= (passed + failed) * 99, "{out}");
}
