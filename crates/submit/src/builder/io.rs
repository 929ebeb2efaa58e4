//! Standard input/output/error, file transfer, and the size attributes.

use super::{is_url, split_commas, trim_and_strip_quotes, universe, Job, Step};

/// What a file is to the job (decides how it is checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Input,
    Output,
}

/// HTCondor's `check_open`: with file checks enabled
/// (`SUBMIT_SKIP_FILECHECKS = false`), input files must open for reading
/// and output files for writing. With the default (checks skipped), a
/// missing input file is accepted — it may be made by an earlier job — but
/// one that exists and cannot be read by the submitter is refused, since
/// the job could never start.
pub(super) fn check_open(job: &mut Job, role: Role, name: &str) -> Step {
    if job.job_disable_file_checks() || name == "/dev/null" || is_url(name) || name.contains("$$(") {
        return Ok(());
    }
    if role == Role::Output && (job.disable_file_checks || job.opts.dry_run) {
        return Ok(());
    }
    let path = job.full_path(name, true);
    let trailing_slash = name.ends_with('/');
    match role {
        Role::Input => match std::fs::File::open(&path) {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && job.disable_file_checks => Ok(()),
            Err(e) if e.raw_os_error() == Some(21) || trailing_slash => Ok(()),
            Err(e) => {
                let text = crate::parse::os_error_text(&e);
                job.error(format!("Can't open \"{path}\"  with flags 00 ({text})\n"))
            }
        },
        Role::Output => {
            let exists = std::path::Path::new(&path).exists();
            let r = std::fs::OpenOptions::new().append(true).create(true).open(&path);
            match r {
                Ok(_) => {
                    if !exists {
                        let _ = std::fs::remove_file(&path);
                    }
                    Ok(())
                }
                Err(e) if e.raw_os_error() == Some(21) || trailing_slash => Ok(()),
                Err(e) => {
                    let text = crate::parse::os_error_text(&e);
                    job.error(format!("Can't open \"{path}\"  with flags 01101 ({text})\n"))
                }
            }
        }
    }
}

/// `CheckStdFile`: the file name to store, and whether it is transferred
/// or streamed.
fn check_std_file(job: &mut Job, role: Role, value: Option<&str>, transfer: &mut bool, stream: &mut bool) -> Result<String, super::Abort> {
    let file = value.unwrap_or("");
    if file.is_empty() || file == "/dev/null" {
        *transfer = false;
        *stream = false;
        return Ok("/dev/null".to_string());
    }
    if job.st.universe == universe::VM {
        job.error("You cannot use input, ouput, and error parameters in the submit description file for vm universe\n")?;
    }
    if *transfer {
        check_open(job, role, file)?;
    }
    Ok(file.to_string())
}

struct StdKeys {
    transfer_key: &'static str,
    transfer_attr: &'static str,
    stream_key: &'static str,
    stream_attr: &'static str,
    key: &'static str,
    alt: &'static str,
    attr: &'static str,
    role: Role,
}

fn set_std(job: &mut Job, k: &StdKeys) -> Step {
    let mut transfer = job.lookup_bool(k.transfer_attr).unwrap_or(true);
    let mut must_set = false;
    let (t, _) = job.param_bool(k.transfer_key, Some(k.transfer_attr), transfer)?;
    if t != transfer {
        must_set = true;
        transfer = t;
    }
    let stream_default = job.lookup_bool(k.stream_attr).unwrap_or(false);
    let (mut stream, _) = job.param_bool(k.stream_key, Some(k.stream_attr), stream_default)?;
    let value = job.param(k.key, Some(k.alt))?;
    if value.is_some() || !job.has(k.attr) {
        let file = check_std_file(job, k.role, value.as_deref(), &mut transfer, &mut stream)?;
        job.set_str(k.attr, &file);
    }
    if transfer {
        job.set_bool(k.stream_attr, stream);
        if must_set {
            job.set_bool(k.transfer_attr, transfer);
        }
    } else {
        job.set_bool(k.transfer_attr, false);
    }
    Ok(())
}

pub(super) fn set_stdin(job: &mut Job) -> Step {
    set_std(
        job,
        &StdKeys {
            transfer_key: "transfer_input",
            transfer_attr: "TransferIn",
            stream_key: "stream_input",
            stream_attr: "StreamIn",
            key: "input",
            alt: "stdin",
            attr: "In",
            role: Role::Input,
        },
    )
}

pub(super) fn set_stdout(job: &mut Job) -> Step {
    set_std(
        job,
        &StdKeys {
            transfer_key: "transfer_output",
            transfer_attr: "TransferOut",
            stream_key: "stream_output",
            stream_attr: "StreamOut",
            key: "output",
            alt: "stdout",
            attr: "Out",
            role: Role::Output,
        },
    )
}

pub(super) fn set_stderr(job: &mut Job) -> Step {
    set_std(
        job,
        &StdKeys {
            transfer_key: "transfer_error",
            transfer_attr: "TransferErr",
            stream_key: "stream_error",
            stream_attr: "StreamErr",
            key: "error",
            alt: "stderr",
            attr: "Err",
            role: Role::Output,
        },
    )
}

pub(super) fn set_image_size(job: &mut Job) -> Step {
    if job.st.universe != universe::VM && job.proc < 1 {
        let cmd = job.lookup_string("Cmd").unwrap_or_default();
        let gt = job.st.grid_type.to_ascii_lowercase();
        let size = if cmd.is_empty()
            || (job.st.universe == universe::GRID && matches!(gt.as_str(), "ec2" | "gce" | "azure"))
        {
            0
        } else {
            job.image_size_kb(&cmd)
        };
        job.set_int("ExecutableSize", size);
    }
    if let Some(v) = job.param("image_size", Some("ImageSize"))? {
        let kb = match crate::units::parse_bytes(&v, crate::units::KIB) {
            Some(q) => q.value,
            None => {
                job.msgs.errors.push(format!("'{v}' is not valid for Image Size\n"));
                0
            }
        };
        if kb < 1 {
            return job.error("Image Size must be positive\n");
        }
        job.set_int("ImageSize", kb);
    } else if !job.has("ImageSize") {
        let exe = job.lookup_int("ExecutableSize").unwrap_or(0);
        job.set_int("ImageSize", exe);
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Should {
    Yes,
    No,
    IfNeeded,
}

fn should_num(s: &str) -> Option<Should> {
    match s.to_ascii_uppercase().as_str() {
        "YES" | "TRUE" | "ALWAYS" => Some(Should::Yes),
        "NO" | "FALSE" | "NEVER" => Some(Should::No),
        "IF_NEEDED" | "AUTO" => Some(Should::IfNeeded),
        _ => None,
    }
}

fn should_str(s: Should) -> &'static str {
    match s {
        Should::Yes => "YES",
        Should::No => "NO",
        Should::IfNeeded => "IF_NEEDED",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Never,
    OnExit,
    OnExitOrEvict,
    OnSuccess,
}

fn when_num(s: &str) -> Option<When> {
    match s.to_ascii_uppercase().as_str() {
        "ON_EXIT_OR_EVICT" | "ALWAYS" => Some(When::OnExitOrEvict),
        "ON_EXIT" | "ONEXIT" => Some(When::OnExit),
        "NONE" | "NULL" => Some(When::Never),
        "ON_SUCCESS" | "ONSUCCESS" => Some(When::OnSuccess),
        _ => None,
    }
}

fn when_str(w: When) -> &'static str {
    match w {
        When::Never => "NONE",
        When::OnExit => "ON_EXIT",
        When::OnExitOrEvict => "ON_EXIT_OR_EVICT",
        When::OnSuccess => "ON_SUCCESS",
    }
}

/// Escape the characters in `chars` with a backslash.
fn escape_chars(s: &str, chars: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if chars.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn set_transfer_files(job: &mut Job) -> Step {
    let measure = !job.st.foreign_cluster;
    let mut input_kb: i64 = 0;
    let mut input_list: Vec<String> = Vec::new();
    if let Some(v) = job.param("transfer_input_files", Some("TransferInputFiles"))? {
        input_list = split_commas(trim_and_strip_quotes(&v));
    }
    for f in input_list.clone() {
        check_open(job, Role::Input, &f)?;
        if measure {
            input_kb += job.image_size_kb(&f);
        }
    }
    let in_files_specified = !input_list.is_empty();

    if job.lookup_bool("DockerSendCredentials").unwrap_or(false) {
        let home = job.opts.environ.iter().find(|(k, _)| k == "HOME").map(|(_, v)| v.clone());
        let Some(home) = home else { return job.error("ERROR: DOCKER_CONFIG directory is not defined\n") };
        let creds = format!("{home}/.docker/config.json");
        if let Err(e) = std::fs::metadata(&creds) {
            let text = crate::parse::os_error_text(&e);
            return job.error(format!("ERROR: Cannot locate docker credentials file {creds}: {text}\n"));
        }
    }

    if job.lookup_bool("TransferIn").unwrap_or(true) {
        if let Some(stdin) = job.lookup_string("In") {
            if !stdin.is_empty() && measure {
                input_kb += job.image_size_kb(&stdin);
            }
        }
    }

    let mut output_list: Vec<String> = Vec::new();
    let mut out_files_specified = false;
    if let Some(v) = job.param("transfer_output_files", Some("TransferOutputFiles"))? {
        out_files_specified = true;
        output_list = split_commas(trim_and_strip_quotes(&v));
    }

    let mut default_should = false;
    let mut should_text = job.param("ShouldTransferFiles", Some("should_transfer_files"))?;
    if should_text.is_none() {
        if let Some(s) = job.lookup_string("ShouldTransferFiles") {
            should_text = Some(s);
        } else if let Some(s) = job.params.get("SUBMIT_DEFAULT_SHOULD_TRANSFER_FILES") {
            if should_num(&s).is_some() {
                should_text = Some(s);
                default_should = true;
            }
        }
    }
    let should = match &should_text {
        None => {
            default_should = true;
            Should::IfNeeded
        }
        Some(s) => match should_num(s) {
            Some(n) => n,
            None => {
                return job.error(format!(
                    "ERROR: invalid value ({s}) for ShouldTransferFiles.  Please either specify YES, NO, or IF_NEEDED and try again.\n"
                ))
            }
        },
    };
    let mut should = should;
    let mut should_label = should_text.clone().unwrap_or_else(|| "IF_NEEDED".to_string());

    if should == Should::No && (in_files_specified || out_files_specified) {
        let what = match (in_files_specified, out_files_specified) {
            (true, true) => "transfer_input_files\" and \"transfer_output_files\",",
            (true, false) => "transfer_input_files\",",
            _ => "transfer_output_files\",",
        };
        return job.error(format!(
            "ERROR: you specified files you want Condor to transfer via \"{what} but you disabled should_transfer_files.\n"
        ));
    }

    let mut when_text = job.param("WhenToTransferOutput", Some("when_to_transfer_output"))?;
    if when_text.is_none() {
        when_text = job.lookup_string("WhenToTransferOutput");
    }
    let (mut when, default_when) = match &when_text {
        None => (When::OnExit, true),
        Some(w) => match when_num(w) {
            Some(n) => (n, false),
            None => {
                return job.error(format!(
                    "ERROR: invalid value ({w}) for WhenToTransferOutput.  Please either specify ON_EXIT, or ON_EXIT_OR_EVICT and try again.\n"
                ))
            }
        },
    };
    let mut when_label = when_text.clone().unwrap_or_else(|| "ON_EXIT".to_string());
    if !default_should && default_when && should == Should::No {
        when = When::Never;
        when_label = "NEVER".to_string();
    }
    if (should == Should::No && when != When::Never) || (should != Should::No && when == When::Never) {
        return job.error(format!(
            "ERROR: WhenToTransferOutput specified as {when_label} yet ShouldTransferFiles defined as {should_label}.  \
             Please remove this contradiction from your submit file and try again.\n"
        ));
    }
    if default_should && when == When::OnExitOrEvict && should == Should::IfNeeded {
        should = Should::Yes;
        should_label = "YES".to_string();
    }
    let _ = should_label;
    if when == When::OnExitOrEvict && should == Should::IfNeeded {
        return job.error(
            "ERROR: \"when_to_transfer_output = ON_EXIT_OR_EVICT\" and \"should_transfer_files = IF_NEEDED\" are incompatible.  \
             The behavior of these two settings together would produce incorrect file access in some cases.  \
             Please decide which one of those two settings you're more interested in. If you really want \"IF_NEEDED\", \
             set \"when_to_transfer_output = ON_EXIT\".  If you really want \"ON_EXIT_OR_EVICT\", please set \
             \"should_transfer_files = YES\".  After you have corrected this incompatibility, please try running condor_submit again.\n",
        );
    }

    job.set_str("ShouldTransferFiles", should_str(should));
    if should != Should::No {
        job.set_str("WhenToTransferOutput", when_str(when));
    }
    if should != Should::Yes && !job.has("FileSystemDomain") {
        if let Some(d) = job.params.get("FILESYSTEM_DOMAIN") {
            job.set_str("FileSystemDomain", &d);
        }
    }

    if should != Should::No {
        if let Some(tdp) = job.lookup_string("ToolDaemonCmd") {
            if !input_list.contains(&tdp) {
                input_list.push(tdp.clone());
                if measure {
                    input_kb += job.image_size_kb(&tdp);
                }
            }
            if let Some(tin) = job.lookup_string("ToolDaemonInput") {
                if !input_list.contains(&tin) {
                    input_list.push(tin.clone());
                    if measure {
                        input_kb += job.image_size_kb(&tin);
                    }
                }
            }
        }
    }

    if should != Should::No && job.st.universe == universe::JAVA {
        if let Some(cmd) = job.lookup_string("Cmd") {
            if cmd != "java" && !input_list.contains(&cmd) {
                input_list.push(cmd.clone());
                check_open(job, Role::Input, &cmd)?;
                if measure {
                    input_kb += job.image_size_kb(&cmd);
                }
            }
        }
        if let Some(jars) = job.lookup_string("JarFiles") {
            for jar in split_commas(&jars) {
                input_list.push(jar.clone());
                check_open(job, Role::Input, &jar)?;
                if measure {
                    input_kb += job.image_size_kb(&jar);
                }
            }
        }
        job.set_str("Cmd", "java");
        job.set_bool("TransferExecutable", false);
    }

    if let Some(du) = job.param("disk_usage", Some("DiskUsage"))? {
        match crate::units::parse_bytes(&du, crate::units::KIB) {
            Some(q) if q.value >= 1 => job.set_int("DiskUsage", q.value),
            _ => return job.error(format!("'{du}' is not valid for disk_usage. It must be >= 1\n")),
        }
    } else if measure {
        let exe = job.lookup_int("ExecutableSize").unwrap_or(0);
        job.set_int("TransferInputSizeMB", (exe + input_kb) / 1024);
        job.set_int("DiskUsage", exe + input_kb);
    }

    let mut remaps = String::new();
    if job.opts.spool {
        let output = job.lookup_string("Out").unwrap_or_default();
        let error = job.lookup_string("Err").unwrap_or_default();
        let stream_out = job.lookup_bool("StreamOut").unwrap_or(false);
        let stream_err = job.lookup_bool("StreamErr").unwrap_or(false);
        let basename = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
        if !output.is_empty() && output != basename(&output) && output != "/dev/null" && !stream_out {
            job.set_str("Out", "_condor_stdout");
            remaps.push_str(&format!("_condor_stdout={}", escape_chars(&output, ";=\\")));
        }
        if !error.is_empty() && error != basename(&error) && error != "/dev/null" && !stream_err {
            let working = if error == output { "_condor_stdout" } else { "_condor_stderr" };
            job.set_str("Err", working);
            if !remaps.is_empty() {
                remaps.push(';');
            }
            remaps.push_str(&format!("{working}={}", escape_chars(&error, ";=\\")));
        }
    }

    if should != Should::No {
        if in_files_specified {
            job.set_str("TransferInput", &input_list.join(","));
        }
        if out_files_specified {
            job.set_str("TransferOutput", &output_list.join(","));
        }
    }

    let uni = job.st.universe;
    if should == Should::No && uni != universe::GRID && uni != universe::JAVA && uni != universe::VM {
        let (xfer_exe, _) = job.param_bool("transfer_executable", Some("TransferExecutable"), false)?;
        if xfer_exe {
            return job.error(
                "ERROR: You explicitly requested that the executable be transfered, but for this to work, you must \
                 enable Condor's file transfer functionality.  You need to define either: \"when_to_transfer_output = ON_EXIT\" \
                 or \"when_to_transfer_output = ON_EXIT_OR_EVICT\".  Optionally, you can define \"should_transfer_files = \
                 IF_NEEDED\" if you do not want any files to be transfered if the job executes on a machine in the same \
                 FileSystemDomain.  See the Condor manual for more details.\n",
            );
        }
    }

    if let Some(v) = job.param("transfer_output_remaps", Some("TransferOutputRemaps"))? {
        let user = trim_and_strip_quotes(&v).to_string();
        if !remaps.is_empty() {
            remaps.push(';');
        }
        remaps.push_str(&user);
    }
    if !remaps.is_empty() {
        job.set_str("TransferOutputRemaps", &remaps);
    }

    for f in &output_list {
        let base = f.rsplit('/').next().unwrap_or("");
        if base.is_empty() {
            continue;
        }
        check_open(job, Role::Output, base)?;
    }
    Ok(())
}
