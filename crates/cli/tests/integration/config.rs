//! Integration tests for the config language and its commands:
//! `condor_config_val` (the `aerie` binary under that name) run against
//! temporary configuration trees, its output compared line by line with
//! HTCondor's (the goldens in ../shared/reference/golden), and a
//! differential test against `htcondor2.param` when HTCondor's Python
//! modules are installed in ~/.cache/aerie-venv.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::harness::{condor_tool, shared_dir, text};

/// A temporary configuration tree: `condor_config` and friends in a fresh
/// directory.
struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new(condor_config: &str) -> Tree {
        let dir = tempfile::tempdir().expect("temp dir");
        let t = Tree { dir };
        t.write("condor_config", condor_config);
        t
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn p(&self, name: &str) -> String {
        self.path().join(name).to_string_lossy().into_owned()
    }

    fn write(&self, name: &str, text: &str) {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        let d = self.path().to_string_lossy();
        std::fs::write(path, text.replace("@D@", &d)).expect("write config file");
    }

    /// `condor_config_val ARGS` with only this tree's configuration.
    fn ccv(&self, args: &[&str]) -> Output {
        self.ccv_env(args, &[])
    }

    fn ccv_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = condor_tool("condor_config_val");
        isolate(&mut cmd, self.path());
        cmd.env("CONDOR_CONFIG", self.p("condor_config"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(args).output().expect("run condor_config_val")
    }
}

/// Keep the machine's `_CONDOR_*` settings and the user's ~/.condor out.
fn isolate(cmd: &mut Command, home: &Path) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().to_ascii_lowercase().starts_with("_condor_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home.join("home"));
}

/// The stdout, stderr and exit status a golden file records.
fn golden(name: &str) -> (String, String, i32) {
    let path = shared_dir().join("reference/golden").join(name);
    let t = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let status = t
        .lines()
        .find_map(|l| l.strip_prefix("# exit status: "))
        .and_then(|s| s.trim().parse().ok())
        .expect("golden has an exit status");
    let out_start = t.find("# ---- stdout ----\n").expect("stdout marker") + "# ---- stdout ----\n".len();
    let err_marker = t.find("# ---- stderr ----\n").expect("stderr marker");
    let stdout = t[out_start..err_marker].to_string();
    let stderr = t[err_marker + "# ---- stderr ----\n".len()..].to_string();
    (stdout, stderr, status)
}

fn status(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The pool layout the goldens were recorded with.
const GOLDEN_POOL: &str = "LOCAL_DIR = /srv/condor/local\nRELEASE_DIR = /usr\n";

#[test]
fn config_val_prints_the_expanded_value_like_htcondor() {
    let t = Tree::new(GOLDEN_POOL);
    let o = t.ccv(&["SCHEDD_LOG"]);
    let (out, err) = text(&o);
    let (g_out, g_err, g_status) = golden("46-config_val.txt");
    assert_eq!(out, g_out);
    assert_eq!(err, g_err);
    assert_eq!(status(&o), g_status);
}

#[test]
fn config_val_verbose_names_the_source_like_htcondor() {
    let t = Tree::new(GOLDEN_POOL);
    let o = t.ccv(&["-v", "SCHEDD_LOG"]);
    let (out, err) = text(&o);
    let (g_out, g_err, g_status) = golden("47-config_val_v.txt");
    assert_eq!(out, g_out);
    assert_eq!(err, g_err);
    assert_eq!(status(&o), g_status);
}

#[test]
fn config_val_reports_undefined_names_like_htcondor() {
    let t = Tree::new(GOLDEN_POOL);
    let o = t.ccv(&["NO_SUCH_KNOB"]);
    let (out, err) = text(&o);
    let (g_out, g_err, g_status) = golden("48-config_val_missing.txt");
    assert_eq!(out, g_out);
    assert_eq!(err, g_err);
    assert_eq!(status(&o), g_status);
    // one missing name among defined ones still fails, after printing the others
    let o = t.ccv(&["LOG", "NOPE1", "SPOOL"]);
    let (out, err) = text(&o);
    assert_eq!(out, "/srv/condor/local/log\n/srv/condor/local/spool\n");
    assert_eq!(err, "Not defined: NOPE1\n");
    assert_eq!(status(&o), 1);
}

#[test]
fn config_val_dump_lists_defaults_and_settings_like_htcondor() {
    // the golden pool's configuration set these negotiator knobs
    let t = Tree::new(
        "LOCAL_DIR = /srv/condor/local\nNEGOTIATOR_INTERVAL = 1\nNEGOTIATOR_CYCLE_DELAY = 1\n\
         NEGOTIATOR_MIN_INTERVAL = 0\nNEGOTIATOR_UPDATE_AFTER_CYCLE = True\n",
    );
    let o = t.ccv(&["-dump", "NEGOTIATOR_"]);
    let (out, _) = text(&o);
    assert_eq!(status(&o), 0);
    let (g_out, _, _) = golden("49-config_val_dump.txt");
    let ours: Vec<&str> = out.lines().collect();
    let theirs: Vec<String> = g_out.lines().map(|l| l.replace("/srv/condor/condor_config", &t.p("condor_config"))).collect();
    // the first line names this machine
    let host = text(&t.ccv(&["FULL_HOSTNAME"])).0;
    assert_eq!(ours[0], format!("# Configuration from machine: {}", host.trim()));
    // HTCondor 25.0's table lacks FORCE_NEGOTIATOR_SLOT_WEIGHT, which the
    // newer table Aerie's defaults come from has (KNOWN_DIFFERENCES.md)
    let ours_rest: Vec<&str> = ours[1..].iter().copied().filter(|l| !l.starts_with("FORCE_NEGOTIATOR_SLOT_WEIGHT ")).collect();
    let theirs_rest: Vec<&str> = theirs[1..].iter().map(String::as_str).collect();
    assert_eq!(ours_rest, theirs_rest);
}

#[test]
fn config_val_reads_local_files_directories_and_includes_in_order() {
    let t = Tree::new(
        "A = global\nLOCAL_CONFIG_DIR = @D@/config.d\nLOCAL_CONFIG_FILE = @D@/local1, @D@/local2\n\
         include : @D@/inc.conf\nB = $(A) and more\n",
    );
    t.write("inc.conf", "INC = included\n");
    t.write("config.d/20-second", "ORDER = $(ORDER) second\n");
    t.write("config.d/10-first", "ORDER = first\n");
    t.write("config.d/30-skipped.rpmsave", "ORDER = broken\n");
    t.write("config.d/.hidden", "ORDER = hidden\n");
    t.write("local1", "A = local1\nLOCAL = one\n");
    t.write("local2", "LOCAL = $(LOCAL) two\n");
    let o = t.ccv(&["A", "B", "INC", "ORDER", "LOCAL"]);
    let (out, err) = text(&o);
    assert_eq!(err, "");
    assert_eq!(out, "local1\nlocal1 and more\nincluded\nfirst second\none two\n");
    // -config: descriptions on stderr, one file per line on stdout
    let o = t.ccv(&["-config"]);
    let (out, err) = text(&o);
    assert_eq!(status(&o), 0);
    let want = format!(
        "\t{}\n\t{}\n\t{}\n\t{}\n\t{}\n\t{}\n",
        t.p("condor_config"),
        t.p("inc.conf"),
        t.p("config.d/10-first"),
        t.p("config.d/20-second"),
        t.p("local1"),
        t.p("local2")
    );
    assert_eq!(out, want);
    assert_eq!(err, "Configuration source:\nLocal configuration sources:\n\n");
    // -v says which file and line set each value
    let o = t.ccv(&["-v", "LOCAL", "INC"]);
    let (out, _) = text(&o);
    let want = format!(
        "LOCAL = one two\n # at: {}, line 1\n # raw: LOCAL = one two\n\nINC = included\n # at: {}, line 1\n # raw: INC = included\n\n",
        t.p("local2"),
        t.p("inc.conf")
    );
    assert_eq!(out, want);
}

#[test]
fn config_val_applies_subsystem_local_name_and_environment() {
    let t = Tree::new(
        "X = plain\nSCHEDD.X = schedd\nMYSCHEDD.X = mine\nSTARTD.Y = startd-only\nZ = file\n\
         use ROLE : Personal\nDAEMON_LIST = $(DAEMON_LIST) EXTRA\n",
    );
    let out = |args: &[&str]| text(&t.ccv(args)).0;
    assert_eq!(out(&["X"]), "plain\n");
    assert_eq!(out(&["-subsystem", "SCHEDD", "X"]), "schedd\n");
    assert_eq!(out(&["-subsystem", "SCHEDD", "-local-name", "MYSCHEDD", "X"]), "mine\n");
    assert_eq!(out(&["-subsystem", "startd", "Y"]), "startd-only\n");
    assert_eq!(out(&["DAEMON_LIST"]), "MASTER COLLECTOR NEGOTIATOR STARTD SCHEDD EXTRA\n");
    assert_eq!(out(&["CONDOR_HOST", "COLLECTOR_HOST"]), "127.0.0.1\n127.0.0.1:0\n");
    let o = t.ccv_env(&["Z", "NEW"], &[("_CONDOR_Z", "from env"), ("_condor_NEW", "$(Z) too")]);
    assert_eq!(text(&o).0, "from env\nfrom env too\n");
    let o = t.ccv_env(&["-v", "Z"], &[("_CONDOR_Z", "from env")]);
    assert_eq!(text(&o).0, "Z = from env\n # at: <Environment>\n # raw: Z = from env\n\n");
}

#[test]
fn config_val_refuses_broken_configurations_with_file_and_line() {
    let t = Tree::new("A = 1\ninclude : @D@/missing.conf\nB = 2\n");
    let o = t.ccv(&["A"]);
    let (out, err) = text(&o);
    assert_eq!(status(&o), 1);
    assert_eq!(out, "");
    let first = err.lines().next().unwrap_or("");
    assert_eq!(first, format!("Configuration Error Line 2 while reading global config source {}", t.p("condor_config")));
    assert!(err.contains(&format!("can't open file {}: No such file or directory", t.p("missing.conf"))), "{err}");
    assert!(err.contains("hint: use `include ifexist : FILE`"), "{err}");

    let t = Tree::new("A = 1\ninclude : @D@/inner.conf\n");
    t.write("inner.conf", "X = 1\nif $(X) == 1\nY = 2\nendif\n");
    let (_, err) = text(&t.ccv(&["A"]));
    assert!(err.starts_with(&format!("Configuration Error Line 2 while reading global config source {}", t.p("condor_config"))), "{err}");
    assert!(err.contains(&format!("{}, line 2", t.p("inner.conf"))), "{err}");
    assert!(err.contains("complex conditionals are not supported"), "{err}");
    assert!(err.contains(&format!("included from {}, line 2", t.p("condor_config"))), "{err}");

    let t = Tree::new("A = $(B)\nB = x $(A)\n");
    let o = t.ccv(&["A"]);
    assert_eq!(status(&o), 1);
    assert!(text(&o).1.contains("macro loop"), "{}", text(&o).1);

    let t = Tree::new("error : stop right here\n");
    let (_, err) = text(&t.ccv(&["A"]));
    assert!(err.contains("line 1") && err.contains("stop right here"), "{err}");
}

#[test]
fn config_val_without_a_config_file_uses_defaults_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cmd = condor_tool("condor_config_val");
    isolate(&mut cmd, dir.path());
    let o = cmd.env("CONDOR_CONFIG", "/dev/null").args(["RELEASE_DIR", "NEGOTIATOR_INTERVAL"]).output().expect("run");
    let (out, err) = text(&o);
    assert_eq!(status(&o), 0);
    assert_eq!(out, "/usr\n60\n");
    assert_eq!(err, "");
    // CONDOR_CONFIG naming a file that is not there is refused, as HTCondor does
    let mut cmd = condor_tool("condor_config_val");
    isolate(&mut cmd, dir.path());
    let o = cmd.env("CONDOR_CONFIG", dir.path().join("nope")).arg("RELEASE_DIR").output().expect("run");
    assert_eq!(status(&o), 1);
    assert!(text(&o).1.starts_with("File specified in CONDOR_CONFIG environment variable:"), "{}", text(&o).1);
}

#[test]
fn config_val_raw_default_evaluate_and_templates() {
    let t = Tree::new("LOCAL_DIR = /srv/condor/local\nMAX_JOBS_RUNNING = 10 * 20\nML @=end\nfirst\nsecond\n@end\n");
    let out = |args: &[&str]| text(&t.ccv(args)).0;
    assert_eq!(out(&["-raw", "SPOOL"]), "$(LOCAL_DIR)/spool\n");
    assert_eq!(out(&["-default", "MAX_JOBS_RUNNING"]), "MIN({$(DETECTED_MEMORY), 10000})\n");
    assert_eq!(out(&["MAX_JOBS_RUNNING"]), "10 * 20\n");
    assert_eq!(out(&["-evaluate", "MAX_JOBS_RUNNING"]), "200\n");
    assert_eq!(out(&["ML"]), "first\nsecond\n");
    assert_eq!(out(&["-v", "ML"]).lines().take(4).collect::<Vec<_>>(), vec!["ML @=end", "   first", "   second", "@end"]);
    let roles = out(&["use", "ROLE"]);
    assert!(roles.starts_with("use ROLE accepts\n"), "{roles}");
    assert!(roles.lines().any(|l| l == "  Personal"), "{roles}");
    let personal = out(&["use", "ROLE:Personal"]);
    assert!(personal.starts_with("use ROLE:Personal is\n"), "{personal}");
    assert!(personal.contains("CONDOR_HOST=127.0.0.1"), "{personal}");
    let summary = out(&["-summary"]);
    assert!(summary.contains(&format!("\n#\n# from {}\n#\nLOCAL_DIR = /srv/condor/local\nMAX_JOBS_RUNNING = 10 * 20\n", t.p("condor_config"))), "{summary}");
}

#[test]
fn config_val_remote_options_say_they_need_a_daemon() {
    let t = Tree::new(GOLDEN_POOL);
    let o = t.ccv(&["-set", "FOO = 1"]);
    assert_eq!(status(&o), 1);
    let err = text(&o).1;
    assert!(err.contains("needs the daemon's remote configuration interface"), "{err}");
    let o = t.ccv(&["-set", "FOO 1"]);
    assert_eq!(status(&o), 1);
    assert!(text(&o).1.contains("Can't set configuration value"), "{}", text(&o).1);
    let o = t.ccv(&["-name", "somewhere", "SCHEDD_LOG"]);
    assert_eq!(status(&o), 1);
    assert!(text(&o).1.starts_with("Can't find address for master 'somewhere' in local pool"), "{}", text(&o).1);
}

#[test]
fn conformance_runner_reports_counts() {
    // the shared corpus, and one generated the same way by
    // crates/config/tools/gen_cases.py --seed 5 (answered by htcondor2)
    let generated = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/tests/corpora/generated-5.jsonl");
    for corpus in [shared_dir().join("conformance/config/random-1.jsonl"), generated] {
        if !corpus.exists() {
            eprintln!("skipping: {} is not there", corpus.display());
            continue;
        }
        let o = crate::harness::aerie(&["conformance", "config", &corpus.to_string_lossy()]).output().expect("run conformance");
        let (out, _) = text(&o);
        let (passed, failed) = crate::harness::closing_counts(&out).expect("closing counts line");
        assert!(passed + failed > 400, "{out}");
        assert!(passed * 100 >= (passed + failed) * 99, "{}: below 99%: {passed} passed, {failed} failed\n{out}", corpus.display());
    }
}

/// Asks `htcondor2.param` for each name (as the subsystem in argv[1]) and
/// prints `{name: [type, value]}`.
const REFERENCE_SCRIPT: &str = r#"
import json, sys
import htcondor2 as h
h.set_subsystem(sys.argv[1])
h.reload_config()
out = {}
for k in sys.argv[2:]:
    try:
        v = h.param[k]
    except KeyError:
        v = None
    out[k] = [type(v).__name__, v]
print(json.dumps(out))
"#;

/// The Python interpreter with HTCondor's modules, if installed.
fn reference_python() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let py = PathBuf::from(home).join(".cache/aerie-venv/bin/python");
    if !py.exists() {
        return None;
    }
    let ok = Command::new(&py).args(["-c", "import htcondor2"]).output().ok()?.status.success();
    ok.then_some(py)
}

#[test]
fn config_val_agrees_with_htcondor2_param() {
    let Some(py) = reference_python() else {
        eprintln!("skipping: no htcondor2 module in ~/.cache/aerie-venv (pip install htcondor there to run this test)");
        return;
    };
    let t = Tree::new(
        "LOCAL_DIR = /srv/pool\nRELEASE_DIR = /opt/condor\nuse ROLE : Personal\nuse FEATURE : GPUs\n\
         NUM = 4\nPATHX = /opt/x/y.tar.gz\nLIST = a, b ,c\nA = $(NUM) $INT(NUM * 3) $REAL(NUM / 8)\n\
         B = $Fn(PATHX) $Fx(PATHX) $Fp(PATHX) $CHOICE(1, LIST) $SUBSTR(PATHX, -6)\nC = $(NOPE:fallback) $ENV(HOME)\n\
         SCHEDD.D = schedd value\nD = plain value\nMAX_JOBS_RUNNING = $(NUM) * 100\nSCHEDD_INTERVAL = 2 * 60\n\
         ENABLE_SSH_TO_JOB = false\nSELF = one\nSELF = $(SELF) two\nif defined NUM\nIFD = yes\nelse\nIFD = no\nendif\n\
         if version >= 8.0\nVER = new\nendif\nML @=end\nline one\nline two\n@end\ninclude : @D@/more.conf\n\
         LOCAL_CONFIG_FILE = @D@/local.conf\n",
    );
    t.write("more.conf", "MORE = $(A) more\nHOST_SPEC = $(FULL_HOSTNAME)\n");
    t.write("local.conf", "LOCALV = $(MORE) local\nUPDATE_INTERVAL = 120\n");
    let names = [
        "NUM", "A", "B", "C", "D", "SELF", "IFD", "VER", "ML", "MORE", "LOCALV", "MAX_JOBS_RUNNING", "SCHEDD_INTERVAL",
        "ENABLE_SSH_TO_JOB", "UPDATE_INTERVAL", "SPOOL", "LOG", "SCHEDD_LOG", "EXECUTE", "LOCK", "BIN", "SBIN", "LIBEXEC",
        "DAEMON_LIST", "CONDOR_HOST", "COLLECTOR_HOST", "NEGOTIATOR_INTERVAL", "SEC_DEFAULT_AUTHENTICATION_METHODS",
        "ALLOW_WRITE", "ALLOW_READ", "NUM_CPUS", "FULL_HOSTNAME", "HOSTNAME", "HOST_SPEC", "FILESYSTEM_DOMAIN", "UID_DOMAIN",
        "ARCH", "OPSYS", "OPSYSANDVER", "START", "SUSPEND", "PREEMPT", "JOB_DEFAULT_REQUESTMEMORY", "NOPE", "TOOL_LOG",
        "MACHINE_RESOURCE_INVENTORY_GPUs", "STARTER_LOG", "MASTER_LOG", "SHADOW_LOG", "RUNBENCHMARKS",
    ];
    for subsystem in ["TOOL", "SCHEDD"] {
        let script = REFERENCE_SCRIPT;
        let mut cmd = Command::new(&py);
        isolate(&mut cmd, t.path());
        cmd.env("CONDOR_CONFIG", t.p("condor_config")).arg("-c").arg(script).arg(subsystem).args(names);
        let o = cmd.output().expect("run python");
        assert!(o.status.success(), "reference failed: {}", text(&o).1);
        let answers: serde_json::Value = serde_json::from_slice(&o.stdout).expect("reference answers are JSON");
        for name in names {
            let (ty, v) = (&answers[name][0], &answers[name][1]);
            let typed = matches!(ty.as_str(), Some("int" | "bool" | "float"));
            let args: Vec<&str> = if typed { vec!["-subsystem", subsystem, "-evaluate", name] } else { vec!["-subsystem", subsystem, name] };
            let o = t.ccv(&args);
            let (out, err) = text(&o);
            let ours = out.strip_suffix('\n').unwrap_or(&out);
            match v {
                serde_json::Value::Null => {
                    assert_eq!(status(&o), 1, "{subsystem} {name}: htcondor2 says undefined, we print {out:?}");
                    assert_eq!(err, format!("Not defined: {}\n", name.to_ascii_uppercase()));
                }
                serde_json::Value::String(s) => assert_eq!(ours, s, "{subsystem} {name}"),
                serde_json::Value::Bool(b) => assert_eq!(ours, if *b { "true" } else { "false" }, "{subsystem} {name}"),
                serde_json::Value::Number(n) => {
                    let ours_n: f64 = ours.parse().unwrap_or_else(|_| panic!("{subsystem} {name}: {ours:?} is not a number"));
                    assert_eq!(Some(ours_n), n.as_f64(), "{subsystem} {name}");
                }
                other => panic!("unexpected reference answer {other}"),
            }
        }
    }
}
