//! Commands copied into the job ad with little processing (HTCondor's
//! "simple" keywords), `+Attr` / `MY.Attr`, and `SUBMIT_ATTRS`.

use classad::{ClassAd, Expr};

use super::{split_list, trim_and_strip_quotes, Job, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A ClassAd expression.
    Expr,
    /// A string value.
    Str,
    /// A boolean (`true`, `false`, or an expression evaluating to one).
    Bool,
    /// An integer (or an expression evaluating to a number).
    Int,
    /// A non-negative integer.
    UInt,
}

/// An alternate name: ignored when the entry before it was given.
const ALT: u8 = 1;
/// Surrounding double quotes are removed from the value.
const STRIP: u8 = 2;
/// The value is a list; items are rejoined with `,`.
const LIST: u8 = 4;
/// The value is a file name, made absolute against the initial directory.
const FILE: u8 = 8;

struct Kw {
    key: &'static str,
    attr: &'static str,
    kind: Kind,
    flags: u8,
}

/// The simple commands, in HTCondor 25.0's order (the order decides which
/// of two commands setting the same attribute wins).
const SIMPLE: &[Kw] = &[
    Kw { key: "next_job_start_delay", attr: "NextJobStartDelay", kind: Kind::Expr, flags: 0 },
    Kw { key: "keep_claim_idle", attr: "KeepClaimIdle", kind: Kind::Expr, flags: 0 },
    Kw { key: "job_ad_information_attrs", attr: "JobAdInformationAttrs", kind: Kind::Str, flags: 0 },
    Kw { key: "ulog_execute_attrs", attr: "UserLogExecuteEventAttrs", kind: Kind::Str, flags: 0 },
    Kw { key: "max_idle", attr: "JobMaterializeMaxIdle", kind: Kind::Expr, flags: 0 },
    Kw { key: "materialize_max_idle", attr: "JobMaterializeMaxIdle", kind: Kind::Expr, flags: ALT },
    Kw { key: "docker_network_type", attr: "DockerNetworkType", kind: Kind::Str, flags: 0 },
    Kw { key: "docker_pull_policy", attr: "DockerPullPolicy", kind: Kind::Str, flags: 0 },
    Kw { key: "docker_override_entrypoint", attr: "DockerOverrideEntrypoint", kind: Kind::Bool, flags: 0 },
    Kw { key: "docker_send_credentials", attr: "DockerSendCredentials", kind: Kind::Bool, flags: 0 },
    Kw { key: "container_target_dir", attr: "ContainerTargetDir", kind: Kind::Str, flags: STRIP },
    Kw { key: "mount_under_scratch", attr: "MountUnderScratch", kind: Kind::Str, flags: STRIP },
    Kw { key: "transfer_container", attr: "TransferContainer", kind: Kind::Bool, flags: 0 },
    Kw { key: "transfer_plugins", attr: "TransferPlugins", kind: Kind::Str, flags: 0 },
    Kw { key: "want_io_proxy", attr: "WantIOProxy", kind: Kind::Bool, flags: 0 },
    Kw { key: "want_job_networking", attr: "WantJobNetworking", kind: Kind::Bool, flags: 0 },
    Kw { key: "starter_debug", attr: "JobStarterDebug", kind: Kind::Str, flags: STRIP },
    Kw { key: "starter_log", attr: "JobStarterLog", kind: Kind::Str, flags: STRIP | FILE },
    Kw { key: "job_machine_attrs", attr: "JobMachineAttrs", kind: Kind::Str, flags: 0 },
    Kw { key: "job_machine_attrs_history_length", attr: "JobMachineAttrsHistoryLength", kind: Kind::Int, flags: 0 },
    Kw { key: "notify_user", attr: "NotifyUser", kind: Kind::Str, flags: 0 },
    Kw { key: "email_attributes", attr: "EmailAttributes", kind: Kind::Str, flags: LIST },
    Kw { key: "remote_initialdir", attr: "RemoteIwd", kind: Kind::Str, flags: 0 },
    Kw { key: "Remote_grid_resource", attr: "Remote_GridResource", kind: Kind::Str, flags: 0 },
    Kw { key: "Remote_Remote_grid_resource", attr: "Remote_Remote_GridResource", kind: Kind::Str, flags: 0 },
    Kw { key: "output_destination", attr: "OutputDestination", kind: Kind::Str, flags: 0 },
    Kw { key: "output_directory", attr: "OutputDirectory", kind: Kind::Str, flags: FILE },
    Kw { key: "want_graceful_removal", attr: "WantGracefulRemoval", kind: Kind::Expr, flags: 0 },
    Kw { key: "job_max_vacate_time", attr: "JobMaxVacateTime", kind: Kind::Expr, flags: 0 },
    Kw { key: "encrypt_execute_directory", attr: "EncryptExecuteDirectory", kind: Kind::Bool, flags: 0 },
    Kw { key: "encrypt_input_files", attr: "EncryptInputFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "encrypt_output_files", attr: "EncryptOutputFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "dont_encrypt_input_files", attr: "DontEncryptInputFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "dont_encrypt_output_files", attr: "DontEncryptOutputFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "load_profile", attr: "LoadProfile", kind: Kind::Bool, flags: 0 },
    Kw { key: "primary_unix_group", attr: "PrimaryUnixGroup", kind: Kind::Str, flags: 0 },
    Kw { key: "file_remaps", attr: "FileRemaps", kind: Kind::Expr, flags: 0 },
    Kw { key: "buffer_files", attr: "BufferFiles", kind: Kind::Expr, flags: 0 },
    Kw { key: "buffer_size", attr: "BufferSize", kind: Kind::Expr, flags: 0 },
    Kw { key: "buffer_block_size", attr: "BufferBlockSize", kind: Kind::Expr, flags: 0 },
    Kw { key: "fetch_files", attr: "FetchFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "compress_files", attr: "CompressFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "append_files", attr: "AppendFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "local_files", attr: "LocalFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "log", attr: "UserLog", kind: Kind::Str, flags: FILE },
    Kw { key: "dagman_log", attr: "DAGManNodesLog", kind: Kind::Str, flags: FILE },
    Kw { key: "log_xml", attr: "UserLogUseXML", kind: Kind::Bool, flags: 0 },
    Kw { key: "noop_job", attr: "IsNoopJob", kind: Kind::Expr, flags: 0 },
    Kw { key: "noop_job_exit_signal", attr: "NoopJobExitSignal", kind: Kind::Expr, flags: 0 },
    Kw { key: "noop_job_exit_code", attr: "NoopJobExitCode", kind: Kind::Expr, flags: 0 },
    Kw { key: "dag_node_name", attr: "DAGNodeName", kind: Kind::Str, flags: 0 },
    Kw { key: "match_list_length", attr: "LastMatchListLength", kind: Kind::Int, flags: 0 },
    Kw { key: "dagman_job_id", attr: "DAGManJobId", kind: Kind::UInt, flags: 0 },
    Kw { key: "submit_event_notes", attr: "SubmitEventNotes", kind: Kind::Str, flags: 0 },
    Kw { key: "submit_event_user_notes", attr: "SubmitEventUserNotes", kind: Kind::Str, flags: 0 },
    Kw { key: "stack_size", attr: "StackSize", kind: Kind::Expr, flags: 0 },
    Kw { key: "jar_files", attr: "JarFiles", kind: Kind::Str, flags: 0 },
    Kw { key: "parallel_script_shadow", attr: "ParallelScriptShadow", kind: Kind::Str, flags: 0 },
    Kw { key: "parallel_script_starter", attr: "ParallelScriptStarter", kind: Kind::Str, flags: 0 },
    Kw { key: "cron_minute", attr: "CronMinute", kind: Kind::Str, flags: 0 },
    Kw { key: "cron_hour", attr: "CronHour", kind: Kind::Str, flags: 0 },
    Kw { key: "cron_day_of_month", attr: "CronDayOfMonth", kind: Kind::Str, flags: 0 },
    Kw { key: "cron_month", attr: "CronMonth", kind: Kind::Str, flags: 0 },
    Kw { key: "cron_day_of_week", attr: "CronDayOfWeek", kind: Kind::Str, flags: 0 },
    Kw { key: "description", attr: "JobDescription", kind: Kind::Str, flags: 0 },
    Kw { key: "batch_name", attr: "JobBatchName", kind: Kind::Str, flags: STRIP },
    Kw { key: "batch_id", attr: "JobBatchId", kind: Kind::Str, flags: STRIP },
    Kw { key: "max_job_retirement_time", attr: "MaxJobRetirementTime", kind: Kind::Expr, flags: 0 },
    Kw { key: "job_lease_duration", attr: "JobLeaseDuration", kind: Kind::Expr, flags: 0 },
    Kw { key: "core_size", attr: "CoreSize", kind: Kind::Int, flags: 0 },
    Kw { key: "priority", attr: "JobPrio", kind: Kind::Int, flags: 0 },
    Kw { key: "prio", attr: "JobPrio", kind: Kind::Int, flags: ALT },
    Kw { key: "run_as_owner", attr: "RunAsOwner", kind: Kind::Bool, flags: 0 },
    Kw { key: "max_transfer_input_mb", attr: "MaxTransferInputMB", kind: Kind::Expr, flags: 0 },
    Kw { key: "max_transfer_output_mb", attr: "MaxTransferOutputMB", kind: Kind::Expr, flags: 0 },
    Kw { key: "manifest", attr: "ManifestDesired", kind: Kind::Bool, flags: 0 },
    Kw { key: "manifest_dir", attr: "ManifestDir", kind: Kind::Str, flags: 0 },
    Kw { key: "checkpoint_exit_code", attr: "SuccessCheckpointExitCode", kind: Kind::Int, flags: 0 },
    Kw { key: "checkpoint_destination", attr: "CheckpointDestination", kind: Kind::Str, flags: 0 },
    Kw { key: "aws_region", attr: "AWSRegion", kind: Kind::Str, flags: 0 },
    Kw { key: "aws_access_key_id_file", attr: "EC2AccessKeyId", kind: Kind::Str, flags: 0 },
    Kw { key: "aws_secret_access_key_file", attr: "EC2SecretAccessKey", kind: Kind::Str, flags: 0 },
    Kw { key: "s3_access_key_id_file", attr: "EC2AccessKeyId", kind: Kind::Str, flags: 0 },
    Kw { key: "s3_secret_access_key_file", attr: "EC2SecretAccessKey", kind: Kind::Str, flags: 0 },
    Kw { key: "gs_access_key_id_file", attr: "EC2AccessKeyId", kind: Kind::Str, flags: 0 },
    Kw { key: "gs_secret_access_key_file", attr: "EC2SecretAccessKey", kind: Kind::Str, flags: 0 },
    Kw { key: "erase_output_and_error_on_restart", attr: "EraseOutputAndErrorOnRestart", kind: Kind::Bool, flags: 0 },
    Kw { key: "transfer_checkpoint_files", attr: "TransferCheckpoint", kind: Kind::Str, flags: 0 },
    Kw { key: "preserve_relative_paths", attr: "PreserveRelativePaths", kind: Kind::Bool, flags: 0 },
    Kw { key: "cuda_version", attr: "CUDAVersion", kind: Kind::Str, flags: 0 },
    Kw { key: "skip_if_dataflow", attr: "SkipIfDataflow", kind: Kind::Bool, flags: 0 },
    Kw { key: "allowed_job_duration", attr: "AllowedJobDuration", kind: Kind::Expr, flags: 0 },
    Kw { key: "allowed_execute_duration", attr: "AllowedExecuteDuration", kind: Kind::Expr, flags: 0 },
    Kw { key: "jobset", attr: "JobSetName", kind: Kind::Str, flags: STRIP },
];

pub(super) fn set_simple_job_exprs(job: &mut Job) -> Step {
    let mut last_existed = false;
    for kw in SIMPLE {
        if kw.flags & ALT != 0 && last_existed {
            last_existed = false;
            continue;
        }
        let value = job.param(kw.key, Some(kw.attr))?;
        last_existed = value.is_some();
        let Some(value) = value else { continue };
        match kw.kind {
            Kind::Str => {
                let mut s: String = if kw.flags & STRIP != 0 { trim_and_strip_quotes(&value).to_string() } else { value.clone() };
                if kw.flags & LIST != 0 {
                    s = split_list(&s).join(",");
                }
                if kw.flags & FILE != 0 && !s.is_empty() {
                    s = job.full_path(&s, true);
                }
                job.set_str(kw.attr, &s);
            }
            Kind::Bool => match crate::eval::bool_param(&value) {
                Some(b) => job.set_bool(kw.attr, b),
                None => return job.error(format!("{}={value} is invalid, must eval to a boolean.\n", kw.key)),
            },
            Kind::Int | Kind::UInt => match crate::eval::long_param(&value) {
                None => return job.error(format!("{}={value} is invalid, must eval to an integer.\n", kw.key)),
                Some(n) if n < 0 && kw.kind == Kind::UInt => {
                    return job.error(format!("{}={value} is invalid, must eval to a non-negative integer.\n", kw.key))
                }
                Some(n) => job.set_int(kw.attr, n),
            },
            Kind::Expr => job.set_expr(kw.attr, &value)?,
        }
    }
    Ok(())
}

/// The attribute names listed in `SUBMIT_ATTRS`, `SUBMIT_EXPRS` and
/// `SYSTEM_SUBMIT_ATTRS`.
fn submit_attr_names(params: &crate::params::Params) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for knob in ["SUBMIT_ATTRS", "SUBMIT_EXPRS", "SYSTEM_SUBMIT_ATTRS"] {
        if let Some(v) = params.get(knob) {
            for n in split_list(&v) {
                if !names.iter().any(|m| m.eq_ignore_ascii_case(&n)) {
                    names.push(n);
                }
            }
        }
    }
    names
}

/// `SUBMIT_ATTRS` entries without `+`/`MY.`: configuration values put in
/// every job ad (the submit description may override them).
pub(super) fn insert_submit_attrs(base: &mut ClassAd, params: &crate::params::Params) {
    for name in submit_attr_names(params) {
        if name.starts_with('+') || (name.len() > 3 && name[..3].eq_ignore_ascii_case("MY.")) {
            continue;
        }
        if let Some(v) = params.get(&name) {
            if let Ok(e) = Expr::parse_old(&v) {
                base.insert(&name, e);
            }
        }
    }
}

/// `SUBMIT_ATTRS` entries written `+Attr` or `MY.Attr`: configuration
/// values that win over the submit description.
pub(super) fn set_forced_submit_attrs(job: &mut Job) -> Step {
    if job.st.foreign_cluster {
        return Ok(());
    }
    for name in submit_attr_names(job.params) {
        let attr = if let Some(a) = name.strip_prefix('+') {
            a.to_string()
        } else if name.len() > 3 && name[..3].eq_ignore_ascii_case("MY.") {
            name[3..].to_string()
        } else {
            continue;
        };
        if let Some(v) = job.params.get(&attr) {
            job.set_expr(&attr, &v)?;
        }
    }
    Ok(())
}

/// `+Attr = value` and `MY.Attr = value`: expressions copied into the ad
/// (an empty value becomes `undefined`), then `ProcId`.
pub(super) fn set_forced_attributes(job: &mut Job) -> Step {
    let names = match job.st.forced_names.take() {
        Some(n) => n,
        None => {
            let mut names: Vec<String> = job
                .hash
                .entries()
                .iter()
                .filter(|e| e.name.starts_with('+') || (e.name.len() > 3 && e.name[..3].eq_ignore_ascii_case("MY.")))
                .map(|e| e.name.clone())
                .collect();
            names.sort_by(|a, b| crate::hash::cmp_nocase(a, b));
            names
        }
    };
    let result = set_forced_from(job, &names);
    if job.st.templates.enabled {
        job.st.forced_names = Some(names);
    }
    result
}

fn set_forced_from(job: &mut Job, names: &[String]) -> Step {
    for name in names {
        let attr = if let Some(a) = name.strip_prefix('+') { a } else { &name[3..] };
        let raw = job.hash.peek(name).unwrap_or_default().to_string();
        job.hash.reset_touched();
        let value = if raw.is_empty() {
            String::new()
        } else {
            match job.hash.expand(&raw) {
                Ok(v) => v,
                Err(_) => {
                    return job.error(format!("Failed to expand macros in: {name}\n"));
                }
            }
        };
        job.note_param(name);
        let attr = attr.to_string();
        job.set_expr(&attr, if value.is_empty() { "undefined" } else { &value })?;
    }
    Ok(())
}

/// `JOBSET.*` commands: every job of a submission must be in the same job set.
pub(super) fn process_jobset_attributes(job: &mut Job) -> Step {
    if job.proc > 0 && job.ad.chained().is_some() && job.has("JobSetName") && job.ad.get_own("JobSetName").is_some() {
        let name1 = job.ad.chained().and_then(|c| c.get_own("JobSetName")).map(|e| e.to_string()).unwrap_or_default();
        let name2 = job.ad.get_own("JobSetName").map(|e| e.to_string()).unwrap_or_default();
        return job.error(format!(
            "({c}.0:{name1} != {c}.{p}:{name2}) All jobs from a single submission must be in the same JOBSET\n",
            c = job.cluster,
            p = job.proc
        ));
    }
    Ok(())
}
