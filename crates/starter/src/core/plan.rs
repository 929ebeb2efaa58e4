//! From a job ad to a launch plan: what to run, where, with which
//! environment and standard streams, which files come in and which go back.
//!
//! Pure: the plan names paths; the service creates the sandbox, moves the
//! files and spawns. Paths the job supplies for output are confined to the
//! sandbox (no absolute paths, no `..`).

use std::path::{Component, Path, PathBuf};

use proto::startd::StarterJob;
use proto::{JobId, WireAd};

use super::args;

/// The file names HTCondor's starter keeps in a sandbox for itself.
pub const JOB_AD_FILE: &str = ".job.ad";
pub const MACHINE_AD_FILE: &str = ".machine.ad";
pub const STDOUT_FILE: &str = "_condor_stdout";
pub const STDERR_FILE: &str = "_condor_stderr";
pub const EXEC_FILE: &str = "condor_exec.exe";

/// HTCondor's default `STARTER_NUM_THREADS_ENV_VARS`.
pub const THREAD_ENV_VARS: &[&str] = &[
    "CUBACORES",
    "GOMAXPROCS",
    "JULIA_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "OMP_NUM_THREADS",
    "OMP_THREAD_LIMIT",
    "OPENBLAS_NUM_THREADS",
    "PYTHON_CPU_COUNT",
    "ROOT_MAX_THREADS",
    "TF_LOOP_PARALLEL_ITERATIONS",
    "TF_NUM_THREADS",
];

/// Why a job cannot be launched, with the hold code HTCondor gives it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct PlanError {
    pub message: String,
    pub hold_code: i64,
    pub hold_subcode: i64,
}

impl PlanError {
    pub fn new(hold_code: i64, hold_subcode: i64, message: impl Into<String>) -> PlanError {
        PlanError { message: message.into(), hold_code, hold_subcode }
    }
}

/// One file to bring into the sandbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// On the submit side (absolute).
    pub from: PathBuf,
    /// In the sandbox (relative). A source ending in `/` brings the
    /// directory's contents: `to` is then empty.
    pub to: PathBuf,
}

/// Which sandbox files go back after the job.
#[derive(Debug, Clone, PartialEq)]
pub enum Outputs {
    /// `TransferOutput` unset: every top-level file created or changed.
    NewAndChanged,
    /// The listed names (relative to the sandbox).
    Listed(Vec<PathBuf>),
}

/// Everything the service needs to run one job.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchPlan {
    pub job_id: JobId,
    pub sandbox: PathBuf,
    /// The program to execute (absolute).
    pub program: PathBuf,
    /// Copy the executable into the sandbox as `condor_exec.exe` first.
    pub fetch_executable: Option<PathBuf>,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
    /// `None`: `/dev/null`.
    pub stdin: Option<PathBuf>,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    /// Run in the sandbox and transfer files (false: `ShouldTransferFiles = "NO"`).
    pub sandboxed: bool,
    pub inputs: Vec<Input>,
    pub outputs: Outputs,
    /// `Out` and `Err` destinations on the submit side (`None`: discarded).
    pub out_to: Option<PathBuf>,
    pub err_to: Option<PathBuf>,
    /// Output name → destination (relative to `Iwd` unless absolute).
    pub remaps: Vec<(String, String)>,
    pub iwd: PathBuf,
    /// The job's `Owner`.
    pub owner: Option<String>,
    /// Seconds between SIGTERM and SIGKILL on vacate (`JobMaxVacateTime`).
    pub vacate_secs: u64,
    /// The signal that asks the job to stop (`KillSig`, SIGTERM by default).
    pub kill_sig: i32,
    /// Text of `.job.ad` and `.machine.ad`.
    pub job_ad_text: String,
    pub machine_ad_text: String,
}

fn string(ad: &WireAd, attr: &str) -> Option<String> {
    ad.get(attr).and_then(proto::collector::unquote)
}

fn int(ad: &WireAd, attr: &str) -> Option<i64> {
    let text = ad.get(attr)?.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(i);
    }
    match classad::Expr::parse_old(text).ok()?.eval(None, None) {
        classad::Value::Int(i) => Some(i),
        classad::Value::Real(r) => Some(r as i64),
        _ => None,
    }
}

fn boolean(ad: &WireAd, attr: &str) -> Option<bool> {
    match ad.get(attr)?.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Old-syntax text of an ad, one `Name = expr` per line.
pub fn ad_text(ad: &WireAd) -> String {
    let mut s = String::with_capacity(ad.0.iter().map(|(k, v)| k.len() + v.len() + 4).sum());
    for (k, v) in &ad.0 {
        s.push_str(k);
        s.push_str(" = ");
        s.push_str(v);
        s.push('\n');
    }
    s
}

/// A job-supplied relative path that stays inside its base directory.
pub fn confined(name: &str) -> Option<PathBuf> {
    let p = Path::new(name.trim());
    if p.as_os_str().is_empty() || p.is_absolute() {
        return None;
    }
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// `sig` names (`SIGTERM`, `TERM`, `15`) as numbers.
pub fn signal_number(name: &str) -> Option<i32> {
    let n = name.trim();
    if let Ok(i) = n.parse::<i32>() {
        return Some(i);
    }
    let up = n.to_ascii_uppercase();
    let bare = up.strip_prefix("SIG").unwrap_or(&up);
    Some(match bare {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "KILL" => 9,
        "USR1" => 10,
        "USR2" => 12,
        "TERM" => 15,
        "CONT" => 18,
        "STOP" => 19,
        _ => return None,
    })
}

/// What the plan needs to know about where it runs.
#[derive(Debug, Clone)]
pub struct Context {
    /// The sandbox directory for this job (`EXECUTE/dir_<pid>_<n>`).
    pub sandbox: PathBuf,
    pub starter_pid: u32,
    /// The machine's `FileSystemDomain`.
    pub filesystem_domain: Option<String>,
}

/// Plan `job`.
pub fn plan(job: &StarterJob, ctx: &Context) -> Result<LaunchPlan, PlanError> {
    use proto::job::hold_code;
    let ad = &job.job;
    let iwd = PathBuf::from(string(ad, "Iwd").unwrap_or_else(|| "/".into()));
    if !iwd.is_absolute() {
        return Err(PlanError::new(hold_code::IWD_ERROR, 0, format!("the job's Iwd ({}) is not an absolute path", iwd.display())));
    }
    let cmd = string(ad, "Cmd").filter(|c| !c.is_empty()).ok_or_else(|| {
        PlanError::new(hold_code::FAILED_TO_CREATE_PROCESS, 0, "the job ad has no Cmd (the executable to run)")
    })?;
    let cmd_path = if Path::new(&cmd).is_absolute() { PathBuf::from(&cmd) } else { iwd.join(&cmd) };
    let stf = string(ad, "ShouldTransferFiles").unwrap_or_else(|| "IF_NEEDED".into()).to_ascii_uppercase();
    let sandboxed = stf != "NO";
    let same_fs = match (string(ad, "FileSystemDomain"), &ctx.filesystem_domain) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => true,
    };
    // On the same file system the executable runs where it is; elsewhere it
    // travels into the sandbox, as HTCondor does.
    let transfer_exe = boolean(ad, "TransferExecutable").unwrap_or(true) && sandboxed && !same_fs;
    let (program, fetch_executable) =
        if transfer_exe { (ctx.sandbox.join(EXEC_FILE), Some(cmd_path.clone())) } else { (cmd_path.clone(), None) };
    let args = args::job_arguments(string(ad, "Arguments").as_deref(), string(ad, "Args").as_deref())
        .map_err(|e| PlanError::new(hold_code::FAILED_TO_CREATE_PROCESS, 0, format!("the job's arguments do not read: {e}")))?;
    let job_env = args::job_environment(string(ad, "Environment").as_deref(), string(ad, "Env").as_deref())
        .map_err(|e| PlanError::new(hold_code::FAILED_TO_CREATE_PROCESS, 0, format!("the job's environment does not read: {e}")))?;
    let cwd = if sandboxed { ctx.sandbox.clone() } else { iwd.clone() };
    let scratch = ctx.sandbox.display().to_string();
    let mut env = job_env;
    let mut set = |k: &str, v: String| {
        match env.iter_mut().find(|(n, _)| n == k) {
            Some(e) => e.1 = v,
            None => env.push((k.to_string(), v)),
        };
    };
    set("BATCH_SYSTEM", "HTCondor".into());
    set("_CONDOR_JOB_IWD", cwd.display().to_string());
    set("_CONDOR_JOB_PIDS", String::new());
    set("_CONDOR_JOB_AD", ctx.sandbox.join(JOB_AD_FILE).display().to_string());
    set("_CONDOR_MACHINE_AD", ctx.sandbox.join(MACHINE_AD_FILE).display().to_string());
    set("CONDOR_STARTER_PID", ctx.starter_pid.to_string());
    set("_CONDOR_SCRATCH_DIR", scratch.clone());
    set("APPTAINER_CACHEDIR", scratch.clone());
    set("SINGULARITY_CACHEDIR", scratch.clone());
    set("_CONDOR_SLOT", job.slot.clone());
    set("TMPDIR", scratch.clone());
    set("TEMP", scratch.clone());
    set("TMP", scratch);
    let cpus = int(&job.machine, "Cpus").or_else(|| int(ad, "RequestCpus")).unwrap_or(1).max(1);
    for v in THREAD_ENV_VARS {
        if !env.iter().any(|(n, _)| n == v) {
            env.push((v.to_string(), cpus.to_string()));
        }
    }
    // Standard streams.
    let on_submit_side = |name: &str| -> Option<PathBuf> {
        let n = name.trim();
        if n.is_empty() || n == "/dev/null" {
            None
        } else if Path::new(n).is_absolute() {
            Some(PathBuf::from(n))
        } else {
            Some(iwd.join(n))
        }
    };
    let stdin = string(ad, "In").and_then(|i| on_submit_side(&i));
    let out_to = string(ad, "Out").and_then(|o| on_submit_side(&o));
    let err_to = string(ad, "Err").and_then(|e| on_submit_side(&e));
    let (stdout, stderr) = if sandboxed {
        (ctx.sandbox.join(STDOUT_FILE), ctx.sandbox.join(STDERR_FILE))
    } else {
        (
            out_to.clone().unwrap_or_else(|| PathBuf::from("/dev/null")),
            err_to.clone().unwrap_or_else(|| PathBuf::from("/dev/null")),
        )
    };
    // Input files.
    let mut inputs = Vec::new();
    if sandboxed {
        for item in string(ad, "TransferInput").unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item.contains("://") {
                return Err(PlanError::new(
                    hold_code::TRANSFER_INPUT_ERROR,
                    0,
                    format!("transfer_input_files names the URL {item}; URL transfers are not supported on this execute point yet"),
                ));
            }
            let from = if Path::new(item).is_absolute() { PathBuf::from(item) } else { iwd.join(item) };
            let to = if item.ends_with('/') {
                PathBuf::new()
            } else {
                PathBuf::from(Path::new(item.trim_end_matches('/')).file_name().unwrap_or_default())
            };
            inputs.push(Input { from, to });
        }
    }
    let outputs = match string(ad, "TransferOutput") {
        None => Outputs::NewAndChanged,
        Some(list) => {
            let mut v = Vec::new();
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let p = confined(item).ok_or_else(|| {
                    PlanError::new(
                        hold_code::TRANSFER_OUTPUT_ERROR,
                        0,
                        format!("transfer_output_files names '{item}', which is not a path inside the job's sandbox (no absolute paths or '..')"),
                    )
                })?;
                v.push(p);
            }
            Outputs::Listed(v)
        }
    };
    let remaps = string(ad, "TransferOutputRemaps")
        .map(|r| {
            r.split(';')
                .filter_map(|pair| {
                    let (a, b) = pair.split_once('=')?;
                    let (a, b) = (a.trim(), b.trim());
                    (!a.is_empty() && !b.is_empty()).then(|| (a.to_string(), b.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let kill_sig = string(ad, "KillSig").and_then(|s| signal_number(&s)).unwrap_or(15);
    Ok(LaunchPlan {
        job_id: job.job_id,
        sandbox: ctx.sandbox.clone(),
        program,
        fetch_executable,
        args,
        env,
        cwd,
        stdin,
        stdout,
        stderr,
        sandboxed,
        inputs,
        outputs,
        out_to,
        err_to,
        remaps,
        iwd,
        owner: string(ad, "Owner"),
        vacate_secs: int(ad, "JobMaxVacateTime").unwrap_or(10).max(0) as u64,
        kill_sig,
        job_ad_text: ad_text(ad),
        machine_ad_text: ad_text(&job.machine),
    })
}

impl LaunchPlan {
    /// Where output `name` (relative to the sandbox) goes on the submit side.
    pub fn destination(&self, name: &Path) -> PathBuf {
        let key = name.to_string_lossy();
        let target = self.remaps.iter().find(|(a, _)| *a == key).map(|(_, b)| b.clone()).unwrap_or_else(|| key.to_string());
        if Path::new(&target).is_absolute() {
            PathBuf::from(target)
        } else {
            self.iwd.join(target)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::collector::quote;

    fn job(attrs: &[(&str, &str)]) -> StarterJob {
        let mut ad = WireAd::new();
        ad.set("Cmd", quote("/bin/echo"));
        ad.set("Iwd", quote("/home/u/work"));
        ad.set("Owner", quote("u"));
        for (k, v) in attrs {
            ad.set(k, v.to_string());
        }
        let mut machine = WireAd::new();
        machine.set("Cpus", "2");
        StarterJob { job_id: JobId { cluster: 3, proc: 1 }, job: ad, machine, slot: "slot1_2".into(), execute_dir: "/x".into() }
    }

    fn ctx() -> Context {
        Context { sandbox: "/x/dir_10_1".into(), starter_pid: 10, filesystem_domain: Some("vm".into()) }
    }

    fn env_of<'a>(p: &'a LaunchPlan, k: &str) -> Option<&'a str> {
        p.env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_default_plan_runs_in_the_sandbox_with_htcondor_variables() {
        let p = plan(
            &job(&[("Arguments", "\"hello world\""), ("Out", "\"echo.out\""), ("In", "\"/dev/null\""), ("Environment", "\"A=1\"")]),
            &ctx(),
        )
        .unwrap();
        assert_eq!(p.program, PathBuf::from("/bin/echo"));
        assert_eq!(p.args, ["hello", "world"]);
        assert_eq!(p.cwd, PathBuf::from("/x/dir_10_1"));
        assert_eq!(p.stdout, PathBuf::from("/x/dir_10_1/_condor_stdout"));
        assert_eq!(p.out_to, Some(PathBuf::from("/home/u/work/echo.out")));
        assert_eq!(p.err_to, None);
        assert_eq!(p.stdin, None);
        assert_eq!(env_of(&p, "A"), Some("1"));
        assert_eq!(env_of(&p, "_CONDOR_SCRATCH_DIR"), Some("/x/dir_10_1"));
        assert_eq!(env_of(&p, "_CONDOR_SLOT"), Some("slot1_2"));
        assert_eq!(env_of(&p, "_CONDOR_JOB_AD"), Some("/x/dir_10_1/.job.ad"));
        assert_eq!(env_of(&p, "OMP_NUM_THREADS"), Some("2"));
        assert_eq!(env_of(&p, "TMPDIR"), Some("/x/dir_10_1"));
        assert_eq!(p.outputs, Outputs::NewAndChanged);
        assert!(p.job_ad_text.contains("Cmd = \"/bin/echo\"\n"));
    }

    #[test]
    fn should_transfer_no_runs_in_iwd_writing_out_directly() {
        let p = plan(&job(&[("ShouldTransferFiles", "\"NO\""), ("Out", "\"o.txt\"")]), &ctx()).unwrap();
        assert_eq!(p.cwd, PathBuf::from("/home/u/work"));
        assert_eq!(p.stdout, PathBuf::from("/home/u/work/o.txt"));
        assert_eq!(p.stderr, PathBuf::from("/dev/null"));
        assert!(!p.sandboxed);
    }

    #[test]
    fn inputs_outputs_and_remaps() {
        let p = plan(
            &job(&[
                ("TransferInput", "\"aux.dat,lib/,/abs/conf.ini\""),
                ("TransferOutput", "\"out.dat,b.txt\""),
                ("TransferOutputRemaps", "\"out.dat = results/3.dat; x = y\""),
            ]),
            &ctx(),
        )
        .unwrap();
        assert_eq!(
            p.inputs,
            vec![
                Input { from: "/home/u/work/aux.dat".into(), to: "aux.dat".into() },
                Input { from: "/home/u/work/lib/".into(), to: "".into() },
                Input { from: "/abs/conf.ini".into(), to: "conf.ini".into() },
            ]
        );
        assert_eq!(p.destination(Path::new("out.dat")), PathBuf::from("/home/u/work/results/3.dat"));
        assert_eq!(p.destination(Path::new("b.txt")), PathBuf::from("/home/u/work/b.txt"));
    }

    #[test]
    fn outputs_that_escape_the_sandbox_are_refused() {
        let err = plan(&job(&[("TransferOutput", "\"../../etc/passwd\"")]), &ctx()).unwrap_err();
        assert_eq!(err.hold_code, proto::job::hold_code::TRANSFER_OUTPUT_ERROR);
        assert!(plan(&job(&[("TransferOutput", "\"/etc/passwd\"")]), &ctx()).is_err());
        assert_eq!(confined("a/./b"), Some(PathBuf::from("a/b")));
    }

    #[test]
    fn a_url_input_is_refused_with_the_input_hold_code() {
        let err = plan(&job(&[("TransferInput", "\"lib,http://example.com/x.tgz\"")]), &ctx()).unwrap_err();
        assert_eq!(err.hold_code, proto::job::hold_code::TRANSFER_INPUT_ERROR);
        assert!(err.message.contains("http://example.com/x.tgz"));
    }

    #[test]
    fn a_remote_file_system_fetches_the_executable() {
        let p = plan(&job(&[("FileSystemDomain", "\"elsewhere\"")]), &ctx()).unwrap();
        assert_eq!(p.program, PathBuf::from("/x/dir_10_1/condor_exec.exe"));
        assert_eq!(p.fetch_executable, Some(PathBuf::from("/bin/echo")));
    }

    #[test]
    fn vacate_time_and_kill_signal() {
        let p = plan(&job(&[("JobMaxVacateTime", "60"), ("KillSig", "\"SIGUSR1\"")]), &ctx()).unwrap();
        assert_eq!(p.vacate_secs, 60);
        assert_eq!(p.kill_sig, 10);
    }
}
