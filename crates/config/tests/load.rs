//! Loading real configuration trees through the public API: the order of
//! sources, prefixes, typed lookups, templates, refusals, reload.

use std::path::Path;

use config::{Config, EnvMap, ErrorKind, HostInfo, LoadOptions, ParamType, ParamValue, Subsystem};

struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new(top: &str) -> Tree {
        let t = Tree { dir: tempfile::tempdir().expect("temp dir") };
        t.write("condor_config", top);
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
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        std::fs::write(path, text.replace("@D@", &self.path().to_string_lossy())).expect("write");
    }
    fn opts(&self, subsystem: Subsystem) -> LoadOptions {
        self.opts_env(subsystem, &[])
    }
    fn opts_env(&self, subsystem: Subsystem, vars: &[(&str, &str)]) -> LoadOptions {
        let mut env = EnvMap::new();
        env.insert("CONDOR_CONFIG".into(), self.p("condor_config"));
        env.insert("HOME".into(), self.p("home"));
        for (k, v) in vars {
            env.insert(k.to_string(), v.to_string());
        }
        let mut o = LoadOptions::new(subsystem).with_env(env);
        o.host = Some(HostInfo::fixed());
        o
    }
    fn load(&self) -> Config {
        Config::load(&self.opts(Subsystem::Tool)).expect("configuration loads")
    }
    fn refuse(&self) -> config::ConfigError {
        Config::load(&self.opts(Subsystem::Tool)).expect_err("configuration is refused")
    }
}

#[test]
fn sources_are_read_in_htcondor_order() {
    let t = Tree::new("ORDER = top\nLOCAL_CONFIG_DIR = @D@/d\nLOCAL_CONFIG_FILE = @D@/l1 @D@/l2\n");
    t.write("d/b.conf", "ORDER = $(ORDER) dir-b\n");
    t.write("d/a.conf", "ORDER = $(ORDER) dir-a\n");
    t.write("d/c.conf~", "ORDER = $(ORDER) backup\n");
    t.write("l1", "ORDER = $(ORDER) local1\n");
    t.write("l2", "ORDER = $(ORDER) local2\n");
    t.write("home/.condor/user_config", "ORDER = $(ORDER) user\n");
    let cfg = Config::load(&t.opts_env(Subsystem::Tool, &[("_CONDOR_LATE", "$(ORDER) env")])).expect("loads");
    assert_eq!(cfg.get("ORDER").as_deref(), Some("top dir-a dir-b local1 local2 user"));
    assert_eq!(cfg.get("LATE").as_deref(), Some("top dir-a dir-b local1 local2 user env"));
    assert_eq!(
        cfg.files_read(),
        vec![t.p("condor_config"), t.p("d/a.conf"), t.p("d/b.conf"), t.p("l1"), t.p("l2"), t.p("home/.condor/user_config")]
    );
    assert_eq!(cfg.source("LATE").map(|s| s.to_string()).as_deref(), Some("<Environment>"));
    assert_eq!(cfg.source("ORDER").map(|s| s.to_string()), Some(format!("{}, line 1", t.p("home/.condor/user_config"))));
}

#[test]
fn a_local_file_may_change_the_list_of_local_files() {
    let t = Tree::new("LOCAL_CONFIG_FILE = @D@/first\n");
    t.write("first", "LOCAL_CONFIG_FILE = @D@/first, @D@/second\nA = 1\n");
    t.write("second", "B = 2\n");
    let cfg = t.load();
    assert_eq!(cfg.get("B").as_deref(), Some("2"));
    assert_eq!(cfg.local_files(), &[t.p("first"), t.p("second")]);
}

#[test]
fn subsystem_and_local_name_select_prefixed_settings() {
    let t = Tree::new("X = plain\nSCHEDD.X = for schedd\nSCHEDD2.X = for schedd2\nSCHEDD.Y = $(X) and y\nLIST = a\nSCHEDD.LIST = $(LIST) b\n");
    let tool = t.load();
    assert_eq!(tool.get("X").as_deref(), Some("plain"));
    assert_eq!(tool.get("Y"), None);
    assert_eq!(tool.get("SCHEDD.Y").as_deref(), Some("plain and y"));
    let schedd = Config::load(&t.opts(Subsystem::Schedd)).expect("loads");
    assert_eq!(schedd.get("X").as_deref(), Some("for schedd"));
    assert_eq!(schedd.get("Y").as_deref(), Some("for schedd and y"));
    // a prefixed self-reference appends to the unprefixed value
    assert_eq!(schedd.get("LIST").as_deref(), Some("a b"));
    let named = Config::load(&t.opts(Subsystem::Schedd).with_local_name("SCHEDD2")).expect("loads");
    assert_eq!(named.get("X").as_deref(), Some("for schedd2"));
    assert_eq!(named.get("LOCALNAME").as_deref(), Some("SCHEDD2"));
    assert_eq!(named.get("SUBSYSTEM").as_deref(), Some("SCHEDD"));
}

#[test]
fn typed_lookups_follow_htcondor_rules() {
    let t = Tree::new(
        "MAX_JOBS_RUNNING = 10 * 20\nNEGOTIATOR_INTERVAL = soon\nENABLE_SSH_TO_JOB = truex\nSTART = $(NOPE)\n\
         UPDATE_INTERVAL = 99999999999\nMINE = 7\nSCHEDD.ONLY = 1\nEMPTY =\n",
    );
    let cfg = t.load();
    assert_eq!(cfg.get_int("MAX_JOBS_RUNNING"), Some(200));
    // not a number: the built-in default, and an error for callers who ask
    assert_eq!(cfg.get_int("NEGOTIATOR_INTERVAL"), Some(60));
    assert!(cfg.try_get_int("NEGOTIATOR_INTERVAL").is_err());
    assert_eq!(cfg.get_int("UPDATE_INTERVAL"), Some(i32::MAX as i64));
    assert_eq!(cfg.get_bool("ENABLE_SSH_TO_JOB"), Some(true));
    assert!(cfg.try_get_bool("ENABLE_SSH_TO_JOB").is_err());
    assert_eq!(cfg.get_int("MINE"), Some(7));
    assert_eq!(cfg.get_int("NOT_SET_ANYWHERE"), None);
    assert_eq!(cfg.get_int_or("NOT_SET_ANYWHERE", 5), 5);
    assert_eq!(cfg.get_real("MINE"), Some(7.0));
    assert_eq!(cfg.param_type("NUM_CPUS"), ParamType::Int);
    assert_eq!(cfg.param_type("ENABLE_SSH_TO_JOB"), ParamType::Bool);
    // what htcondor2.param answers
    assert_eq!(cfg.value("MAX_JOBS_RUNNING"), Some(ParamValue::Int(200)));
    assert_eq!(cfg.value("NUM_CPUS"), Some(ParamValue::Int(4)));
    assert_eq!(cfg.value("ENABLE_SSH_TO_JOB"), Some(ParamValue::Bool(true)));
    assert_eq!(cfg.value("START"), None);
    assert_eq!(cfg.value("EMPTY"), None);
    assert_eq!(cfg.value("MINE"), Some(ParamValue::String("7".into())));
    assert_eq!(cfg.value("ONLY"), None);
    assert_eq!(cfg.get_list("DAEMON_LIST"), vec!["MASTER"]);
}

#[test]
fn values_expand_at_lookup_time() {
    let t = Tree::new(
        "A = $(B) later\nB = early\nPATH = /bin\nPATH = $(PATH):/usr/bin\nL = x\nL +,= y\nL +&&= z\n\
         ML @=end\nline one $(B)\n  line two\n@end\nD = cost $(DOLLAR)5 and $$(KEEP)\nE = $ENV(MYVAR) $ENV(NOVAR:none)\n\
         R = $RANDOM_INTEGER(1, 1000)\nF = $Fn(PATH2) $Fx(PATH2) $Fp(PATH2)\nPATH2 = /opt/a/b.tar.gz\n",
    );
    let mut opts = t.opts_env(Subsystem::Tool, &[("MYVAR", "given")]);
    opts.random_seed = Some(42);
    let cfg = Config::load(&opts).expect("loads");
    assert_eq!(cfg.get("A").as_deref(), Some("early later"));
    assert_eq!(cfg.get("PATH").as_deref(), Some("/bin:/usr/bin"));
    assert_eq!(cfg.get("L").as_deref(), Some("x,y && z"));
    assert_eq!(cfg.get("ML").as_deref(), Some("line one early\nline two"));
    assert_eq!(cfg.get("D").as_deref(), Some("cost $5 and $$(KEEP)"));
    assert_eq!(cfg.get("E").as_deref(), Some("given none"));
    assert_eq!(cfg.get("F").as_deref(), Some("b.tar .gz /opt/a/"));
    let r: i64 = cfg.get("R").and_then(|v| v.parse().ok()).expect("a number");
    assert!((1..=1000).contains(&r));
    let again = Config::load(&opts).expect("loads");
    assert_eq!(again.get("R"), cfg.get("R"), "a seed makes $RANDOM_INTEGER repeatable");
    // other code layers its variables over the configuration
    let text = config::macros::expand("$(FULL_HOSTNAME):$(B)", &cfg, cfg.expand_options()).expect("expands");
    assert_eq!(text, "vm.example:early");
}

#[test]
fn conditionals_select_lines() {
    let t = Tree::new(
        "A = 1\nif defined A\n  X = a-defined\nelif true\n  X = never\nelse\n  X = never\nendif\n\
         if version >= 8.0\n  if ! defined NOPE\n    Y = nested\n  endif\nelse\n  Y = old\nendif\n\
         if $(NOPE)\n  Z = empty-is-false\nelse\n  Z = else-branch\nendif\n",
    );
    let cfg = t.load();
    assert_eq!(cfg.get("X").as_deref(), Some("a-defined"));
    assert_eq!(cfg.get("Y").as_deref(), Some("nested"));
    assert_eq!(cfg.get("Z").as_deref(), Some("else-branch"));
}

#[test]
fn templates_set_values_and_say_so() {
    let t = Tree::new("use ROLE : Personal\nuse FEATURE : GPUs\n");
    let cfg = t.load();
    assert_eq!(cfg.get("DAEMON_LIST").as_deref(), Some("MASTER COLLECTOR NEGOTIATOR STARTD SCHEDD"));
    assert_eq!(cfg.get("COLLECTOR_HOST").as_deref(), Some("127.0.0.1:0"));
    let src = cfg.source("DAEMON_LIST").expect("defined");
    assert_eq!(src.to_string(), format!("{}, line 1, use ROLE:Personal+2", t.p("condor_config")));
    assert!(cfg.get("MACHINE_RESOURCE_INVENTORY_GPUs").is_some());
}

#[test]
fn refusals_name_the_file_and_line() {
    type Case = (&'static str, fn(&ErrorKind) -> bool, u32);
    let cases: Vec<Case> = vec![
        ("A = 1\nif $(A) == 1\nB = 2\nendif\n", |k| matches!(k, ErrorKind::IfCondition { .. }), 2),
        ("A = 1\nelse\n", |k| matches!(k, ErrorKind::IfStructure(_)), 2),
        ("A = 1\nif true\nB = 2\n", |k| matches!(k, ErrorKind::UnclosedIf), 3),
        ("A = 1\ninclude : @D@/nope.conf\n", |k| matches!(k, ErrorKind::IncludeOpen { .. }), 2),
        ("error : not today\n", |k| matches!(k, ErrorKind::ErrorStatement(m) if m == "not today"), 1),
        ("A = 1\nBAD-NAME = 2\n", |k| matches!(k, ErrorKind::IllegalName(n) if n == "BAD-NAME"), 2),
        ("A = 1\njust words\n", |k| matches!(k, ErrorKind::NoOperator), 2),
        ("ML @=end\nnever closed\n", |k| matches!(k, ErrorKind::UnclosedMultiLine(_)), 2),
        ("use ROLE : Nonsense\n", |k| matches!(k, ErrorKind::UnknownTemplate { .. }), 1),
        ("A = $(B)\nB = $(C)\nC = $(A)\n", |k| matches!(k, ErrorKind::MacroLoop { .. }), 1),
        ("#opt:strict\nA : 1\n", |k| matches!(k, ErrorKind::ColonAssignment { .. }), 2),
    ];
    for (text, kind, line) in cases {
        let t = Tree::new(text);
        let e = t.refuse();
        assert!(kind(&e.kind), "{text:?}: {e}");
        let at = e.top_location().unwrap_or_else(|| panic!("{text:?}: no location in {e}"));
        assert_eq!((at.file.as_str(), at.line), (t.p("condor_config").as_str(), line), "{text:?}: {e}");
        assert!(e.to_string().contains("hint:"), "{e}");
    }
}

#[test]
fn an_error_in_an_included_file_shows_the_include_chain() {
    let t = Tree::new("A = 1\ninclude : @D@/mid.conf\n");
    t.write("mid.conf", "B = 2\ninclude : @D@/deep.conf\n");
    t.write("deep.conf", "C = 3\nerror : stop in deep\n");
    let e = t.refuse();
    let at = e.at.clone().expect("innermost location");
    assert_eq!((at.file, at.line), (t.p("deep.conf"), 2));
    let chain: Vec<(String, u32)> = e.included_from.iter().map(|l| (l.file.clone(), l.line)).collect();
    assert_eq!(chain, vec![(t.p("mid.conf"), 2), (t.p("condor_config"), 2)]);
    assert_eq!(
        e.htcondor_line().as_deref(),
        Some(format!("Configuration Error Line 2 while reading global config source {}", t.p("condor_config")).as_str())
    );
}

#[test]
fn include_ifexist_and_include_command() {
    let t = Tree::new("include ifexist : @D@/missing.conf\ninclude command : /bin/echo FROM_CMD = hello\nA = $(FROM_CMD) world\n");
    let cfg = t.load();
    assert_eq!(cfg.get("A").as_deref(), Some("hello world"));
    assert!(cfg.local_files().iter().any(|f| f.starts_with("/bin/echo")));
}

#[test]
fn warnings_are_kept_for_the_caller() {
    let t = Tree::new("OLD : style\nwarning : look at $(OLD)\n");
    let cfg = t.load();
    assert_eq!(cfg.get("OLD").as_deref(), Some("style"));
    let w: Vec<String> = cfg.warnings().iter().map(|w| w.to_string()).collect();
    assert_eq!(
        w,
        vec![
            format!("Config source Warning \"{}\", Line 1: obsolete use of ':' for parameter assignment at OLD : style", t.p("condor_config")),
            format!("Config source Warning \"{}\", Line 2: look at style", t.p("condor_config")),
        ]
    );
}

#[test]
fn reload_reports_what_changed_and_keeps_the_old_on_error() {
    let t = Tree::new("A = 1\nB = 2\nC = 3\n");
    let mut cfg = t.load();
    t.write("condor_config", "A = 1\nB = two\nD = 4\n");
    let ch = cfg.reload().expect("reloads");
    assert_eq!(ch.changed, vec![("B".to_string(), "2".to_string(), "two".to_string())]);
    assert_eq!(ch.added, vec!["D".to_string()]);
    assert_eq!(ch.removed, vec!["C".to_string()]);
    assert!(ch.touches("b") && !ch.touches("A"));
    assert_eq!(cfg.get("B").as_deref(), Some("two"));
    t.write("condor_config", "A = 1\nif\n");
    assert!(cfg.reload().is_err());
    assert_eq!(cfg.get("B").as_deref(), Some("two"), "a failed reload keeps the old configuration");
    t.write("condor_config", "A = 1\nB = two\nD = 4\n");
    assert!(cfg.reload().expect("reloads").is_empty());
}

#[test]
fn defaults_only_and_missing_configuration() {
    let t = Tree::new("");
    let mut env = EnvMap::new();
    env.insert("CONDOR_CONFIG".into(), "/dev/null".into());
    env.insert("HOME".into(), t.p("home"));
    let mut opts = LoadOptions::new(Subsystem::Tool).with_env(env.clone());
    opts.host = Some(HostInfo::fixed());
    let cfg = Config::load(&opts).expect("defaults load");
    assert!(cfg.warnings().is_empty());
    assert_eq!(cfg.files_read(), Vec::<String>::new());
    assert_eq!(cfg.get("SPOOL").as_deref(), Some("/spool"));
    assert_eq!(cfg.get("RELEASE_DIR").as_deref(), Some("/usr"));
    assert_eq!(cfg.get("FULL_HOSTNAME").as_deref(), Some("vm.example"));
    assert_eq!(cfg.get("UID_DOMAIN").as_deref(), Some("vm.example"));
    env.insert("CONDOR_CONFIG".into(), t.p("not-there"));
    let mut opts = LoadOptions::new(Subsystem::Tool).with_env(env);
    opts.host = Some(HostInfo::fixed());
    let e = Config::load(&opts).expect_err("missing CONDOR_CONFIG is refused");
    assert!(matches!(e.kind, ErrorKind::ConfigEnv { .. }), "{e}");
    let from_text = Config::from_text("<test>", "A = 1\nB = $(A)2\n", &LoadOptions { host: Some(HostInfo::fixed()), ..LoadOptions::default() })
        .expect("text loads");
    assert_eq!(from_text.get("B").as_deref(), Some("12"));
}

#[test]
fn entries_and_dump_describe_parameters() {
    let t = Tree::new("SCHEDD.MAX_JOBS_RUNNING = 50\nMY_LOG = $(LOG)/Mine\n");
    let cfg = Config::load(&t.opts(Subsystem::Schedd)).expect("loads");
    let e = cfg.entry("MAX_JOBS_RUNNING").expect("known");
    assert_eq!(e.name, "SCHEDD.MAX_JOBS_RUNNING");
    assert_eq!(e.raw.as_deref(), Some("50"));
    assert_eq!(e.source.to_string(), format!("{}, line 1", t.p("condor_config")));
    let d = cfg.entry("SCHEDD_LOG").expect("known");
    assert_eq!((d.name.as_str(), d.raw.as_deref(), d.source.to_string().as_str()), ("SCHEDD_LOG", Some("$(LOG)/SchedLog"), "<Default>"));
    let names: Vec<String> = cfg.dump(Some("^MY_")).expect("valid pattern").into_iter().map(|e| e.name).collect();
    assert_eq!(names, vec!["MY_LOG".to_string()]);
    assert!(cfg.dump(Some("(")).is_err());
}
