//! Universe, initial directory, executable, arguments and environment.

use std::path::Path;

use classad::Value;

use super::{universe, Job, Step};
use crate::args::ArgList;
use crate::env::{Env, GetenvFilter};

/// HTCondor's universe names, indexed by number (`CondorUniverseNameUcFirst`).
const UNIVERSE_NAMES: [&str; 14] = [
    "NULL", "Standard", "Pipe", "Linda", "PVM", "Vanilla", "PVMD", "Scheduler", "MPI", "Grid", "Java", "Parallel",
    "Local", "VM",
];

/// The name of a universe number, `Unknown` when there is none.
pub fn universe_name(u: i64) -> &'static str {
    if u <= 0 || u >= universe::MAX {
        "Unknown"
    } else {
        UNIVERSE_NAMES[u as usize]
    }
}

/// `CondorUniverseNumberEx`: a number (`atoi`), or a name (any case).
/// Toppings such as `docker` are not universes here (0).
pub fn universe_number(s: &str) -> i64 {
    let n = crate::eval::c_atoi(s);
    if n != 0 {
        return n;
    }
    match s.to_ascii_lowercase().as_str() {
        "standard" => 1,
        "pipe" => 2,
        "linda" => 3,
        "pvm" => 4,
        "vanilla" => 5,
        "pvmd" => 6,
        "scheduler" => 7,
        "mpi" => 8,
        "grid" => 9,
        "java" => 10,
        "parallel" => 11,
        "local" => 12,
        "vm" => 13,
        _ => 0,
    }
}

pub(super) fn set_universe(job: &mut Job) -> Step {
    let univ = match job.param("universe", Some("JobUniverse"))? {
        Some(u) => Some(u),
        None => job.params.get("DEFAULT_UNIVERSE"),
    };
    job.st.is_docker = false;
    job.st.is_container = false;
    job.st.universe = 0;
    job.st.grid_type.clear();

    if let Some(u) = &univ {
        job.st.universe = universe_number(u);
        if job.st.universe == 0 {
            if u.eq_ignore_ascii_case("docker") {
                job.st.universe = universe::VANILLA;
                job.st.is_docker = true;
            }
            if u.eq_ignore_ascii_case("container") {
                job.st.universe = universe::VANILLA;
                job.st.is_container = true;
            }
        }
    } else {
        job.st.universe = universe::VANILLA;
    }
    let uni = job.st.universe;

    if job.st.foreign_cluster {
        if let Some(c) = job.st.cluster.clone() {
            job.st.is_container = c.get("ContainerImage").is_some() || c.get("WantContainer").is_some();
            if !job.st.is_container {
                job.st.is_docker = c.get("DockerImage").is_some();
            }
        }
    } else if uni == universe::VANILLA || uni == universe::LOCAL {
        let container_img = job.param("container_image", Some("ContainerImage"))?;
        if job.st.is_docker {
            if container_img.is_some() {
                return job.error("docker universe does not allow use of container_image.\n");
            }
        } else {
            let docker_img = job.param("docker_image", Some("DockerImage"))?;
            if docker_img.is_some() && container_img.is_some() {
                return job.error("cannot declare both docker_image and container_image\n");
            } else if docker_img.is_some() || container_img.is_some() {
                job.st.is_container = true;
                if docker_img.is_some() {
                    job.set_bool("WantDockerImage", true);
                }
            }
        }
    }

    job.set_int("JobUniverse", uni);

    for (key, alt, attr, label) in [
        ("Remote_universe", "Remote_JobUniverse", "Remote_JobUniverse", "Remote_Universe"),
        ("Remote_Remote_universe", "Remote_Remote_JobUniverse", "Remote_Remote_JobUniverse", "Remote_Remote_Universe"),
    ] {
        if let Some(r) = job.param(key, Some(alt))? {
            let n = universe_number(&r);
            if n == 0 {
                return job.error(format!("Unknown {label} of '{r}' specified\n"));
            }
            job.set_int(attr, n);
        }
    }

    let (want_parallel, _) = job.param_bool("WantParallelScheduling", None, false)?;
    if want_parallel {
        job.set_bool("WantParallelScheduling", true);
    }

    match uni {
        universe::JAVA => return Ok(()),
        universe::VANILLA | universe::LOCAL => {
            if job.st.is_docker {
                job.set_bool("WantDocker", true);
            }
            if job.st.is_container {
                job.set_bool("WantContainer", true);
            }
            return Ok(());
        }
        universe::SCHEDULER | universe::PARALLEL | universe::MPI => return Ok(()),
        universe::GRID => {
            let gr = match job.param("grid_resource", Some("GridResource"))? {
                Some(g) => g,
                None => match job.lookup_string("GridResource") {
                    Some(g) => g,
                    None => return job.error("grid_resource attribute not defined for grid universe job\n"),
                },
            };
            let gtype = gr.split([' ', '\t']).next().unwrap_or("").to_string();
            if !valid_grid_type(&gtype) {
                return job.error(format!(
                    "Invalid value '{gtype}' for grid type\nMust be one of: condor, batch, arc, ec2, gce, or azure\n"
                ));
            }
            job.st.grid_type = gtype;
            return Ok(());
        }
        universe::VM => {
            return job.error(
                "vm universe jobs are not supported: Aerie execute points do not run virtual machines; \
                 use a container (container_image = ...) instead\n",
            )
        }
        _ => {}
    }
    if univ.is_some() && uni == 0 {
        return job.error(format!("I don't know about the '{}' universe.\n", univ.unwrap_or_default()));
    }
    job.error(format!("'{}' is not a supported universe.\n", universe_name(uni)))
}

fn valid_grid_type(t: &str) -> bool {
    t.is_empty()
        || ["condor", "batch", "pbs", "lsf", "nqs", "sge", "slurm", "arc", "ec2", "gce", "azure"]
            .iter()
            .any(|g| g.eq_ignore_ascii_case(t))
}

/// `ComputeIWD`: the job's initial directory, checked to exist.
pub(super) fn compute_iwd(job: &mut Job) -> Step {
    let mut short = job.param("initialdir", Some("Iwd"))?;
    if short.is_none() {
        short = job.param("initial_dir", Some("job_iwd"))?;
    }
    if short.is_none() && job.st.foreign_cluster {
        short = job.param("FACTORY.Iwd", None)?;
    }
    let iwd = match &short {
        Some(s) if s.starts_with('/') => s.clone(),
        Some(s) => {
            let cwd = if job.st.foreign_cluster {
                job.param("FACTORY.Iwd", None)?.unwrap_or_default()
            } else {
                job.opts.base_dir.to_string_lossy().into_owned()
            };
            if cwd.ends_with('/') {
                format!("{cwd}{s}")
            } else {
                format!("{cwd}/{s}")
            }
        }
        None => job.opts.base_dir.to_string_lossy().into_owned(),
    };
    let iwd = super::compress_path(&iwd);
    if !job.st.iwd_initialized || (!job.st.foreign_cluster && iwd != job.st.iwd) {
        let path = super::compress_path(&format!("/{iwd}"));
        let ok = std::fs::metadata(&path).map(|m| m.is_dir()).unwrap_or(false) && dir_is_searchable(&path);
        if !ok {
            return job.error(format!("No such directory: {path}\n"));
        }
    }
    job.hash.set_cwd(Some(Path::new(&iwd).to_path_buf()));
    job.st.iwd = iwd;
    job.st.iwd_initialized = true;
    Ok(())
}

fn dir_is_searchable(path: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) => m.permissions().mode() & 0o111 != 0,
        Err(_) => false,
    }
}

pub(super) fn set_iwd(job: &mut Job) -> Step {
    compute_iwd(job)?;
    let iwd = job.st.iwd.clone();
    job.set_str("Iwd", &iwd);
    if let Some(f) = job.param("SUBMIT_FILE", None)? {
        job.set_str("JobSubmitFile", &f);
    }
    Ok(())
}

pub(super) fn set_executable(job: &mut Job) -> Step {
    let mut transfer_it = true;
    let mut ignore_it = false;
    let mut empty_job_exe = false;
    let mut pseudo = false;
    let gt = job.st.grid_type.to_ascii_lowercase();
    if job.st.universe == universe::GRID && matches!(gt.as_str(), "ec2" | "gce" | "azure") {
        ignore_it = true;
        pseudo = true;
    }

    if job.st.is_docker {
        match job.param("docker_image", Some("DockerImage"))? {
            Some(img) => {
                let image = super::trim_and_strip_quotes(&img).to_string();
                if image.is_empty() {
                    return job.error(format!("'{img}' is not a valid docker_image\n"));
                }
                job.set_str("DockerImage", &image);
            }
            None if !job.has("DockerImage") => return job.error("docker jobs require a docker_image\n"),
            None => {}
        }
        pseudo = true;
    }

    if job.st.is_container {
        if let Some(img) = job.param("docker_image", Some("DockerImage"))? {
            let image = super::trim_and_strip_quotes(&img).to_string();
            if image.is_empty() {
                return job.error(format!("'{img}' is not a valid docker_image for container universe\n"));
            }
            job.set_str("DockerImage", &image);
        }
        match job.param("container_image", Some("ContainerImage"))? {
            Some(img) => {
                let image = super::trim_and_strip_quotes(&img).to_string();
                let invalid = ["instance://", "library://", "shub://"].iter().any(|p| image.starts_with(p));
                if image.is_empty() || invalid {
                    return job.error(format!("'{img}' is not a valid container image\n"));
                }
                job.set_str("ContainerImage", &image);
                match container_image_type(&image) {
                    ImageType::DockerRepo => job.set_bool("WantDockerImage", true),
                    ImageType::Sif => job.set_bool("WantSIF", true),
                    ImageType::Sandbox => job.set_bool("WantSandboxImage", true),
                }
            }
            None if !job.has("ContainerImage") && !job.has("DockerImage") => {
                return job.error("container jobs require a container_image or docker_image\n")
            }
            None => {}
        }
        pseudo = true;
    }

    if job.param("shell", None)?.is_some() && !job.opts.interactive {
        job.set_str("Cmd", "/bin/sh");
        job.set_bool("TransferExecutable", false);
        return Ok(());
    }

    let mut ename = job.param("executable", Some("Cmd"))?;
    if ename.is_none() && job.opts.interactive {
        ename = job.param("interactive_executable", None)?;
        empty_job_exe = true;
    }
    if ename.is_none() {
        if job.has("Cmd") {
            return Ok(());
        }
        if job.st.is_docker || job.st.is_container {
            ignore_it = true;
            pseudo = true;
        } else {
            return job.error("No 'executable' parameter was provided\n");
        }
    }

    match job.param("transfer_executable", Some("TransferExecutable"))? {
        Some(v) => {
            if v.starts_with(['F', 'f']) {
                job.set_bool("TransferExecutable", false);
                transfer_it = false;
            }
        }
        None => {
            let never = job.params.boolean("SUBMIT_CONTAINER_NEVER_XFER_ABSOLUTE_CMD", false);
            if never && (job.st.is_docker || job.st.is_container) && ename.as_deref().is_some_and(|e| e.starts_with('/')) {
                job.set_bool("TransferExecutable", false);
                transfer_it = false;
                ignore_it = true;
            }
        }
    }
    if ignore_it && transfer_it {
        job.set_bool("TransferExecutable", false);
        transfer_it = false;
    }

    let ename_str = ename.clone().unwrap_or_default();
    let mut full = if transfer_it { job.full_path(&ename_str, false) } else { ename_str.clone() };

    if job.opts.interactive {
        if let Some(icmd) = job.param("interactive_executable", None)? {
            let is_transfer_exe = job.lookup_bool("TransferExecutable").unwrap_or(true);
            if is_transfer_exe {
                if !empty_job_exe {
                    job.set_str("OrigCmd", &full);
                }
                job.set_bool("TransferExecutable", false);
            }
            full = icmd;
        }
    }
    job.set_str("Cmd", &full);

    if job.opts.check_executable && !pseudo {
        check_executable(job, ename.as_deref(), transfer_it)?;
    }
    Ok(())
}

/// condor_submit's executable check: it exists, is not empty, and is not a
/// script with DOS line endings.
fn check_executable(job: &mut Job, ename: Option<&str>, transfer_it: bool) -> Step {
    let Some(ename) = ename else { return Ok(()) };
    if !transfer_it || ename.contains("$$") {
        return Ok(());
    }
    let path = if ename.starts_with('/') { Path::new(ename).to_path_buf() } else { job.opts.base_dir.join(ename) };
    let warn = job.file_checks_are_warnings;
    match std::fs::metadata(&path) {
        Err(e) => {
            let text = crate::parse::os_error_text(&e);
            if warn {
                job.warning(format!("Can't access executable file {ename}: {text}\n"));
                return Ok(());
            }
            job.error(format!("ERROR: Can't access executable file {ename}: {text}\n"))
        }
        Ok(m) if m.len() == 0 => {
            if warn {
                job.warning(format!("Executable file {ename}  has zero length\n"));
                return Ok(());
            }
            job.error(format!("ERROR: Executable file {ename} has zero length\n"))
        }
        Ok(_) => {
            if is_crlf_shebang(&path) {
                if warn {
                    job.warning(format!("Executable file {ename} is a script with CRLF (DOS/Windows) line endings.\n"));
                    return Ok(());
                }
                return job.error(format!(
                    "ERROR: Executable file {ename} is a script with CRLF (DOS/Windows) line endings.\n\
                     This generally doesn't work, and you should probably run 'dos2unix {ename}' -- or a similar tool -- before you resubmit.\n"
                ));
            }
            Ok(())
        }
    }
}

fn is_crlf_shebang(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else { return false };
    let mut buf = [0u8; 127];
    let Ok(n) = f.read(&mut buf) else { return false };
    let buf = &buf[..n];
    if buf.len() < 2 || &buf[..2] != b"#!" {
        return false;
    }
    match buf.iter().position(|&c| c == b'\n') {
        Some(nl) => nl >= 2 && buf[nl - 1] == b'\r',
        None => false,
    }
}

enum ImageType {
    DockerRepo,
    Sif,
    Sandbox,
}

fn container_image_type(image: &str) -> ImageType {
    if image.starts_with("docker:") || image.starts_with("oras:") {
        ImageType::DockerRepo
    } else if image.ends_with(".sif") {
        ImageType::Sif
    } else {
        ImageType::Sandbox
    }
}

pub(super) fn set_arguments(job: &mut Job) -> Step {
    let args1 = job.param("arguments", Some("Args"))?;
    let args2 = job.param("arguments2", None)?;
    let shell = job.param("shell", None)?;
    let (allow_v1, _) = job.param_bool("allow_arguments_v1", None, false)?;

    if let Some(sh) = shell {
        if !job.opts.interactive {
            let list = ArgList { args: vec!["-c".to_string(), sh], input_was_v1: false };
            job.set_str("Arguments", &list.to_v2_raw());
            return Ok(());
        }
    }
    if args1.is_some() && args2.is_some() && !allow_v1 {
        return job.error(
            "If you wish to specify both 'arguments' and\n'arguments2' for maximal compatibility with different\n\
             versions of Condor, then you must also specify\nallow_arguments_v1=true.\n",
        );
    }
    let parsed = if let Some(a2) = &args2 {
        ArgList::parse_v2_quoted(a2)
    } else if let Some(a1) = &args1 {
        ArgList::parse_v1_wacked_or_v2_quoted(a1)
    } else if job.has("Args") || job.has("Arguments") {
        return Ok(());
    } else {
        Ok(ArgList::default())
    };
    let list = match parsed {
        Ok(l) => l,
        Err(e) => {
            let msg = if e.0.is_empty() { "ERROR in arguments.".to_string() } else { e.0 };
            let given = args2.or(args1).unwrap_or_default();
            return job.error(format!("{msg}\nThe full arguments you specified were: {given}\n"));
        }
    };
    if list.input_was_v1 {
        match list.to_v1_raw() {
            Ok(v) => job.set_str("Args", &v),
            Err(e) => return job.error(format!("failed to insert arguments: {}\n", e.0)),
        }
    } else {
        job.set_str("Arguments", &list.to_v2_raw());
    }
    if job.st.universe == universe::JAVA && list.args.is_empty() {
        return job.error(
            "In Java universe, you must specify the class name to run.\nExample:\n\narguments = MyClass\n\n",
        );
    }
    if job.opts.interactive {
        if let Some(iargs) = job.param("interactive_args", None)? {
            match ArgList::parse_v1_wacked_or_v2_quoted(&iargs) {
                Err(e) => job.warning(format!("ignoring invalid interactive_args : {}\n", e.0)),
                Ok(il) => {
                    if list.input_was_v1 && il.input_was_v1 {
                        if let Some(v) = job.lookup_string("Args") {
                            if !job.has("OrigArgs") {
                                job.set_str("OrigArgs", &v);
                            }
                        }
                        job.set_str("Args", &il.to_v1_raw().unwrap_or_default());
                    } else {
                        if let Some(v) = job.lookup_string("Arguments") {
                            if !job.has("OrigArguments") {
                                job.set_str("OrigArguments", &v);
                            }
                        }
                        job.set_str("Arguments", &il.to_v2_raw());
                    }
                }
            }
        }
    }
    Ok(())
}

pub(super) fn set_grid_params(job: &mut Job) -> Step {
    if job.st.universe != universe::GRID {
        return Ok(());
    }
    match job.param("grid_resource", Some("GridResource"))? {
        Some(g) => {
            job.set_str("GridResource", &g);
            if g.eq_ignore_ascii_case("ec2") {
                return job.error("EC2 grid jobs require a service URL\n");
            }
            job.st.grid_type = g.split([' ', '\t']).next().unwrap_or("").to_string();
        }
        None if !job.has("GridResource") => return job.error("No resource identifier was found.\n"),
        None => {}
    }
    for (key, attr, as_expr) in [
        ("arc_rte", "ArcRte", false),
        ("arc_resources", "ArcResources", false),
        ("arc_application", "ArcApplication", false),
        ("arc_data_staging", "ArcDataStaging", false),
        ("batch_extra_submit_args", "BatchExtraSubmitArgs", false),
        ("batch_project", "BatchProject", false),
        ("batch_queue", "BatchQueue", false),
        ("batch_runtime", "BatchRuntime", true),
    ] {
        if let Some(v) = job.param(key, Some(attr))? {
            if as_expr {
                job.set_expr(attr, &v)?;
            } else {
                job.set_str(attr, &v);
            }
        }
    }
    Ok(())
}

pub(super) fn set_vm_params(_job: &mut Job) -> Step {
    // vm universe is refused in set_universe
    Ok(())
}

pub(super) fn set_java_vm_args(job: &mut Job) -> Step {
    let args1 = job.param("java_vm_args", None)?;
    let args1_ext = job.param("java_vm_arguments", Some("JavaVMArgs"))?;
    let args2 = job.param("java_vm_arguments2", None)?;
    let (allow_v1, _) = job.param_bool("allow_arguments_v1", None, false)?;
    if args1.is_some() && args1_ext.is_some() {
        return job.error("you specified a value for both java_vm_args and java_vm_arguments.\n");
    }
    let args1 = args1_ext.or(args1);
    let kept = job.has("JavaVMArguments") || job.has("JavaVMArgs");
    set_arg_attrs(job, ArgCommands { args1, args2, allow_v1, kept }, "java_vm_arguments", ("JavaVMArgs", "JavaVMArguments"), |e, given| {
        format!("failed to parse java VM arguments: {e}\nThe full arguments you specified were {given}\n")
    })
}

/// The V1 or V2 arguments of a command (the Java VM's, the tool daemon's).
struct ArgCommands {
    args1: Option<String>,
    args2: Option<String>,
    allow_v1: bool,
    /// The ad has the attributes already (from `+Attr`): neither given leaves them.
    kept: bool,
}

/// Set `attrs` (V1, V2) from `a` by HTCondor's rules: V2 wins, both only
/// with `allow_arguments_v1`, V1 input stays V1. `name` is the V1
/// command (its V2 form adds `2`) in the refusal.
fn set_arg_attrs(job: &mut Job, a: ArgCommands, name: &str, attrs: (&str, &str), parse_error: impl Fn(&str, &str) -> String) -> Step {
    if a.args2.is_some() && a.args1.is_some() && !a.allow_v1 {
        return job.error(format!(
            "If you wish to specify both '{name}' and\n'{name}2' for maximal compatibility with different\n\
             versions of Condor, then you must also specify\nallow_arguments_v1=true.\n"
        ));
    }
    let parsed = if let Some(a2) = &a.args2 {
        ArgList::parse_v2_quoted(a2)
    } else if let Some(a1) = &a.args1 {
        ArgList::parse_v1_wacked_or_v2_quoted(a1)
    } else if a.kept {
        return Ok(());
    } else {
        Ok(ArgList::default())
    };
    match parsed {
        Err(e) => {
            let given = a.args2.or(a.args1).unwrap_or_default();
            job.error(parse_error(&e.0, &given))
        }
        Ok(list) if list.input_was_v1 => {
            let v = list.to_v1_raw().unwrap_or_default();
            if !v.is_empty() {
                job.set_str(attrs.0, &v);
            }
            Ok(())
        }
        Ok(list) => {
            if !list.args.is_empty() {
                job.set_str(attrs.1, &list.to_v2_raw());
            }
            Ok(())
        }
    }
}

pub(super) fn set_parallel_params(job: &mut Job) -> Step {
    let want_parallel = job.lookup_bool("WantParallelScheduling").unwrap_or(false);
    let uni = job.st.universe;
    if uni == universe::MPI || uni == universe::PARALLEL || want_parallel {
        let mut count = job.param("machine_count", Some("MachineCount"))?;
        if count.is_none() {
            count = job.param("node_count", Some("NodeCount"))?;
        }
        match count {
            Some(c) => {
                let n = crate::eval::c_atoi(&c);
                job.set_int("MinHosts", n);
                job.set_int("MaxHosts", n);
            }
            None if !job.has("MaxHosts") => return job.error("No machine_count specified!\n"),
            None => {}
        }
        if !job.st.foreign_cluster {
            job.set_int("RequestCpus", 1);
        }
    }
    if uni == universe::PARALLEL && !job.st.foreign_cluster {
        job.set_bool("WantIOProxy", true);
        job.set_bool("JobRequiresSandbox", true);
    }
    Ok(())
}

pub(super) fn set_environment(job: &mut Job) -> Step {
    let env1 = job.param("environment", Some("env"))?;
    let env2 = job.param("environment2", None)?;
    let (allow_v1, _) = job.param_bool("allow_environment_v1", None, false)?;
    let mut prefer_v1 = false;
    if env1.is_some() && env2.is_none() {
        if let Some(v) = job.param("env", None)? {
            prefer_v1 = !crate::args::is_v2_quoted(&v);
        }
    }
    if env1.is_some() && env2.is_some() && !allow_v1 {
        return job.error(
            "If you wish to specify both 'environment' and\n'environment2' for maximal compatibility with different\n\
             versions of Condor, then you must also specify\nallow_environment_v1=true.\n",
        );
    }

    let mut env = Env::new();
    if job.st.foreign_cluster {
        if env1.is_none() && env2.is_none() {
            return Ok(());
        }
        if let Some(c) = job.st.cluster.clone() {
            if let Some(Value::String(s)) = c.get("Environment").and_then(|e| e.as_literal()) {
                let _ = env.merge_v2_raw(s);
            } else if let Some(Value::String(s)) = c.get("Env").and_then(|e| e.as_literal()) {
                let _ = env.merge_v1_raw(s, crate::env::V1_DELIM);
            }
        }
    }
    let merged = if let Some(e2) = &env2 {
        env.merge_v2_quoted(e2)
    } else if let Some(e1) = &env1 {
        env.merge_v1_raw_or_v2_quoted(e1)
    } else {
        Ok(())
    };
    if let Err(e) = merged {
        let given = env2.clone().or(env1.clone()).unwrap_or_default();
        return job.error(format!("{}\nThe environment you specified was: '{given}'\n", e.0));
    }

    if let Some(list) = job.param("getenv", Some("get_env"))? {
        let v1_only = env1.is_some() && env2.is_none();
        match crate::eval::bool_param(&list) {
            Some(true) => {
                if !job.params.boolean("SUBMIT_ALLOW_GETENV", true) {
                    return job.error(
                        "\ngetenv = true command not allowed because administrator has set SUBMIT_ALLOW_GETENV = false\n",
                    );
                }
                if !job.st.foreign_cluster {
                    let mut filter = GetenvFilter::all();
                    filter.v1_safe_only = v1_only;
                    env.import(job.opts.environ.iter().cloned(), |n, v| filter.accepts(n, v));
                }
            }
            Some(false) => {}
            None => {
                if !job.st.foreign_cluster {
                    let mut filter = GetenvFilter::from_list(&list);
                    filter.v1_safe_only = v1_only;
                    env.import(job.opts.environ.iter().cloned(), |n, v| filter.accepts(n, v));
                }
            }
        }
    }

    let ad_has_env1 = job.has("Env");
    let ad_has_env2 = job.has("Environment");
    let mut insert1 = prefer_v1;
    let mut insert2 = !insert1;
    if env1.is_none() && env2.is_none() && env.is_empty() && (ad_has_env1 || ad_has_env2) {
        insert1 = false;
        insert2 = false;
    }
    if insert1 && ad_has_env2 {
        insert2 = true;
    }
    if insert2 && ad_has_env1 {
        insert1 = true;
    }
    if insert1 {
        match env.to_v1_raw(crate::env::V1_DELIM) {
            Ok(raw) => {
                job.set_str("Env", &raw);
                job.set_str("EnvDelim", &crate::env::V1_DELIM.to_string());
            }
            Err(e) => return job.error(format!("failed to insert environment into job ad: {}\n", e.0)),
        }
    }
    if insert2 {
        job.set_str("Environment", &env.to_v2_raw());
    }
    Ok(())
}

pub(super) fn set_tdp(job: &mut Job) -> Step {
    let Some(cmd) = job.param("tool_daemon_cmd", Some("ToolDaemonCmd"))? else { return Ok(()) };
    let input = job.param("tool_daemon_input", Some("ToolDaemonInput"))?;
    let args1 = job.param("tool_daemon_args", None)?;
    let args1_ext = job.param("tool_daemon_arguments", Some("ToolDaemonArgs"))?;
    let args2 = job.param("tool_daemon_arguments2", None)?;
    let (allow_v1, _) = job.param_bool("allow_arguments_v1", None, false)?;
    let error = job.param("tool_daemon_error", Some("ToolDaemonError"))?;
    let output = job.param("tool_daemon_output", Some("ToolDaemonOutput"))?;
    let (suspend, suspend_given) = job.param_bool("suspend_job_at_exec", Some("SuspendJobAtExec"), false)?;
    job.set_str("ToolDaemonCmd", &cmd);
    if let Some(v) = input {
        job.set_str("ToolDaemonInput", &v);
    }
    if let Some(v) = output {
        job.set_str("ToolDaemonOutput", &v);
    }
    if let Some(v) = error {
        job.set_str("ToolDaemonError", &v);
    }
    if suspend_given {
        job.set_bool("SuspendJobAtExec", suspend);
    }
    if args1.is_some() && args1_ext.is_some() {
        return job.error("you specified both tdp_daemon_args and tdp_daemon_arguments\n");
    }
    let args1 = args1_ext.or(args1);
    let kept = job.has("ToolDaemonArgs") || job.has("ToolDaemonArguments");
    set_arg_attrs(job, ArgCommands { args1, args2, allow_v1, kept }, "tool_daemon_arguments", ("ToolDaemonArgs", "ToolDaemonArguments"), |e, given| {
        format!("failed to parse tool daemon arguments: {e}\nThe arguments you specified were: {given}\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn universe_names_and_numbers() {
        assert_eq!(universe_number("Vanilla"), 5);
        assert_eq!(universe_number("local"), 12);
        assert_eq!(universe_number("42"), 42);
        assert_eq!(universe_number("docker"), 0);
        assert_eq!(universe_number("vanila"), 0);
        assert_eq!(universe_name(42), "Unknown");
        assert_eq!(universe_name(1), "Standard");
    }
}
