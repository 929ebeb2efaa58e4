//! Load time of a large configuration: 5,000 lines spread over a
//! top-level file and 200 included files, with the statements real pools
//! use (assignments with macros, self-references, subsystem prefixes,
//! `if` blocks, continuations, comments, multi-line values, a `use`).
//!
//! Run: `cargo bench -p config --bench load`. Prints the median and best
//! of the timed loads; the goal is under 20 ms.

use std::time::{Duration, Instant};

use config::{Config, EnvMap, HostInfo, LoadOptions, Subsystem};

const INCLUDES: usize = 200;
const LINES_PER_FILE: usize = 24;

fn write_tree(dir: &std::path::Path) -> usize {
    let mut lines = 0;
    let mut top = String::from("# a large pool configuration\nuse ROLE : Personal\nLOCAL_DIR = /srv/condor\n");
    lines += 3;
    for i in 0..INCLUDES {
        top.push_str(&format!("include : {}/conf.d/part{i:03}.conf\n", dir.display()));
        lines += 1;
        let mut part = String::new();
        let mut n = 0;
        while n < LINES_PER_FILE {
            let k = n % 12;
            let s = match k {
                0 => format!("# part {i} block {n}\n"),
                1 => format!("P{i}_LOG_{n} = $(LOG)/Part{i}Log{n}\n"),
                2 => format!("P{i}_LIST = $(P{i}_LIST) item{n}\n"),
                3 => format!("SCHEDD.P{i}_LIMIT_{n} = $INT(DETECTED_CPUS * {n})\n"),
                4 => format!("if defined P{i}_LOG_1\n  P{i}_FLAG_{n} = true\nelse\n  P{i}_FLAG_{n} = false\nendif\n"),
                5 => format!("P{i}_EXPR_{n} = (Memory > {n}) && \\\n   (Cpus >= 1) \\\n   && $(P{i}_FLAG_4:true)\n"),
                6 => format!("P{i}_PATH_{n} = $Fp(P{i}_LOG_1)$Fn(P{i}_LOG_1).bak\n"),
                7 => format!("P{i}_TEXT_{n} @=end\n  first line {n}\n  second line\n@end\n"),
                8 => "DAEMON_LIST = $(DAEMON_LIST)\n".to_string(),
                9 => format!("P{i}_ENV_{n} = $ENV(HOME:/nonexistent)/x{n}\n"),
                10 => format!("P{i}_CHOICE_{n} = $CHOICE({}, a, b, c)\n", n % 3),
                _ => format!("p{i}_lower_{n} = $(P{i}_LOG_{}) $(FULL_HOSTNAME)\n", n - 10),
            };
            n += s.lines().count();
            part.push_str(&s);
        }
        lines += part.lines().count();
        std::fs::write(dir.join(format!("conf.d/part{i:03}.conf")), part).expect("write part");
    }
    std::fs::write(dir.join("condor_config"), top).expect("write top");
    lines
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("conf.d")).expect("mkdir");
    let lines = write_tree(dir.path());
    let mut env = EnvMap::new();
    env.insert("CONDOR_CONFIG".into(), dir.path().join("condor_config").to_string_lossy().into_owned());
    env.insert("HOME".into(), dir.path().join("home").to_string_lossy().into_owned());
    let mut opts = LoadOptions::new(Subsystem::Schedd).with_env(env);
    opts.host = Some(HostInfo::fixed());

    // warm up (page cache, the defaults table)
    let cfg = Config::load(&opts).expect("the bench configuration loads");
    assert_eq!(cfg.local_files().len(), INCLUDES);
    let defined = cfg.defined_names().len();

    let (median, best, n) = measure(&opts);
    println!(
        "config load: {lines} lines, {INCLUDES} includes, {defined} names defined: median {:.2} ms, best {:.2} ms over {n} loads (goal < 20 ms)",
        median.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3,
    );
    opts.check_loops = false;
    let (median, best, n) = measure(&opts);
    println!(
        "  of which reading and parsing (no loop check): median {:.2} ms, best {:.2} ms over {n} loads",
        median.as_secs_f64() * 1e3,
        best.as_secs_f64() * 1e3,
    );
}

/// Median and best load time.
fn measure(opts: &LoadOptions) -> (Duration, Duration, usize) {
    let mut times: Vec<Duration> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while times.len() < 20 || (Instant::now() < deadline && times.len() < 200) {
        let t0 = Instant::now();
        let c = Config::load(opts).expect("loads");
        times.push(t0.elapsed());
        std::hint::black_box(c);
    }
    times.sort();
    (times[times.len() / 2], times[0], times.len())
}
