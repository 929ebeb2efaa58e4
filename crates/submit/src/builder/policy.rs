//! Job status at submit, notification, rank, periodic and exit policies,
//! retries, kill signals, deferral, and the attributes submit adds on its own.

use classad::{BinaryOp, Expr, Node};

use super::{expr_refs, literal_number, status, universe, Job, Refs, Step};

pub(super) fn set_job_status(job: &mut Job) -> Step {
    let (hold, _) = job.param_bool("hold", None, false)?;
    if hold {
        if job.opts.spool {
            return job.error("Cannot set hold to 'true' when using -remote or -spool\n");
        }
        job.set_int("JobStatus", status::HELD);
        job.set_int("HoldReasonCode", 15);
        job.set_str("HoldReason", "submitted on hold at user's request");
    } else if job.opts.spool {
        job.set_int("JobStatus", status::HELD);
        job.set_int("HoldReasonCode", 16);
        job.set_str("HoldReason", "Spooling input data files");
    } else {
        job.set_int("JobStatus", status::IDLE);
    }
    job.set_int("EnteredCurrentStatus", job.opts.submit_time);
    Ok(())
}

pub(super) fn set_gsi_credentials(job: &mut Job) -> Step {
    let proxy = job.param("x509userproxy", None)?;
    let (use_proxy, _) = job.param_bool("use_x509userproxy", None, false)?;
    let proxy = match proxy {
        Some(p) => Some(p),
        None if use_proxy && !job.st.foreign_cluster => {
            let from_env = job.opts.environ.iter().find(|(k, _)| k == "X509_USER_PROXY").map(|(_, v)| v.clone());
            match from_env {
                Some(p) => Some(p),
                None => {
                    return job.error("Can't determine proxy filename\nX509 user proxy is required for this job.\n")
                }
            }
        }
        None => None,
    };
    if let Some(p) = proxy {
        if !job.st.foreign_cluster {
            let full = job.full_path(&p, true);
            job.set_str("x509userproxy", &full);
        }
    }
    if let Some(v) = job.param("delegate_job_gsi_credentials_lifetime", Some("DelegateJobGSICredentialsLifetime"))? {
        match v.trim().parse::<i64>() {
            Ok(n) => job.set_int("DelegateJobGSICredentialsLifetime", n),
            Err(_) => {
                return job.error(format!("invalid integer setting delegate_job_gsi_credentials_lifetime = {v}\n"))
            }
        }
    }
    if !job.st.foreign_cluster {
        let cmd = job.param("use_scitokens", Some("use_scitoken"))?;
        let file = job.param("scitokens_file", Some("ScitokensFile"))?;
        let bearer = job.opts.environ.iter().find(|(k, _)| k == "BEARER_TOKEN_FILE").map(|(_, v)| v.clone());
        let mut use_tokens = file.is_some();
        if let Some(c) = &cmd {
            if c.eq_ignore_ascii_case("auto") {
                use_tokens = file.is_some() || bearer.as_deref().is_some_and(|b| !b.is_empty());
            } else {
                match crate::eval::bool_param(c) {
                    Some(b) => use_tokens = b,
                    None => return job.error("use_scitokens error. Value should be true, false, or auto.\n"),
                }
            }
        }
        if use_tokens {
            let Some(token) = file.or(bearer) else {
                return job.error(
                    "No Scitokens filename specified. Expected either scitokens_file command or the BEARER_TOKEN_FILE environment variable to be set.\n",
                );
            };
            let full = job.full_path(&token, true);
            job.set_str("ScitokensFile", &full);
        }
    }
    Ok(())
}

pub(super) fn set_notification(job: &mut Job) -> Step {
    let how = match job.param("notification", Some("JobNotification"))? {
        Some(h) => Some(h),
        None => {
            if job.st.foreign_cluster {
                return Ok(());
            }
            job.params.get("JOB_DEFAULT_NOTIFICATION")
        }
    };
    let n = match how.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("never") => 0,
        Some("always") => 1,
        Some("complete") => 2,
        Some("error") => 3,
        Some("start") => 4,
        Some(_) => return job.error("Notification must be 'Never', 'Always', 'Complete', 'Start', or 'Error'\n"),
    };
    job.set_int("JobNotification", n);
    Ok(())
}

pub(super) fn set_rank(job: &mut Job) -> Step {
    let orig = job.param("rank", Some("preferences"))?;
    let mut default_rank = None;
    let mut append_rank = None;
    if job.st.foreign_cluster {
        if orig.is_none() {
            return Ok(());
        }
    } else {
        if job.st.universe == universe::VANILLA {
            default_rank = job.params.get("DEFAULT_RANK_VANILLA");
            append_rank = job.params.get("APPEND_RANK_VANILLA");
        }
        if default_rank.is_none() {
            default_rank = job.params.get("DEFAULT_RANK");
        }
        if append_rank.is_none() {
            append_rank = job.params.get("APPEND_RANK");
        }
    }
    let mut rank = orig.or(default_rank);
    if let Some(app) = append_rank {
        rank = Some(match rank {
            Some(r) => format!("({r}) + ({app})"),
            None => app,
        });
    }
    match rank {
        Some(r) => job.set_expr("Rank", &r),
        None => {
            job.set_real("Rank", 0.0);
            Ok(())
        }
    }
}

pub(super) fn set_periodic_expressions(job: &mut Job) -> Step {
    for (key, attr) in [
        ("periodic_hold", "PeriodicHold"),
        ("periodic_hold_reason", "PeriodicHoldReason"),
        ("periodic_hold_subcode", "PeriodicHoldSubCode"),
        ("periodic_release", "PeriodicRelease"),
        ("periodic_remove", "PeriodicRemove"),
        ("periodic_vacate", "PeriodicVacate"),
        ("on_exit_hold_reason", "OnExitHoldReason"),
        ("on_exit_hold_subcode", "OnExitHoldSubCode"),
    ] {
        if let Some(v) = job.param(key, Some(attr))? {
            job.set_expr(attr, &v)?;
        }
    }
    Ok(())
}

pub(super) fn set_leave_in_queue(job: &mut Job) -> Step {
    match job.param("leave_in_queue", Some("LeaveJobInQueue"))? {
        Some(v) => job.set_expr("LeaveJobInQueue", &v),
        None => {
            if !job.has("LeaveJobInQueue") {
                if job.opts.spool {
                    job.set_expr(
                        "LeaveJobInQueue",
                        "JobStatus == 4 && (CompletionDate =?= UNDEFINED || CompletionDate == 0 || ((time() - CompletionDate) < 864000))",
                    )?;
                } else {
                    job.set_bool("LeaveJobInQueue", false);
                }
            }
            Ok(())
        }
    }
}

/// classad operator precedence (HTCondor's `Operation::PrecedenceLevel`).
fn precedence(e: &Expr) -> Option<u8> {
    Some(match e.node() {
        Node::Ternary { .. } => 1,
        Node::Binary { op, .. } => match op {
            BinaryOp::Elvis => 1,
            BinaryOp::Or => 2,
            BinaryOp::And => 3,
            BinaryOp::BitOr => 4,
            BinaryOp::BitXor => 5,
            BinaryOp::BitAnd => 6,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Is | BinaryOp::Isnt => 7,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 8,
            BinaryOp::Shl | BinaryOp::Shr | BinaryOp::UShr => 9,
            BinaryOp::Add | BinaryOp::Sub => 10,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 11,
        },
        Node::Unary { .. } => 12,
        _ => return None,
    })
}

/// Parenthesise `text` if its top operator binds more loosely than `||`.
/// `None` when it does not parse.
fn wrap_for_or(text: &str) -> Option<String> {
    let e = Expr::parse_old(text).ok()?;
    match precedence(&e) {
        Some(p) if p < 2 => Some(format!("({e})")),
        _ => Some(text.to_string()),
    }
}

pub(super) fn set_job_retries(job: &mut Job) -> Step {
    let erc = job.param("on_exit_remove", Some("OnExitRemove"))?.unwrap_or_default();
    let ehc = job.param("on_exit_hold", Some("OnExitHold"))?.unwrap_or_default();
    let mut enable = false;
    let mut num_retries = job.param_long("max_retries", Some("JobMaxRetries"), false)?;
    if num_retries.is_some() {
        enable = true;
    }
    let success_code = job.param_long("success_exit_code", Some("JobSuccessExitCode"), true)?;
    if success_code.is_some() {
        enable = true;
    }
    let mut retry_until = job.param("retry_until", None)?.unwrap_or_default();
    if !retry_until.is_empty() {
        enable = true;
    }
    if !enable {
        if !erc.is_empty() {
            job.set_expr("OnExitRemove", &erc)?;
        }
        if !ehc.is_empty() {
            job.set_expr("OnExitHold", &ehc)?;
        }
        return Ok(());
    }

    if !retry_until.is_empty() {
        let valid = match Expr::parse_old(&retry_until) {
            Err(_) => false,
            Ok(e) => {
                let mut refs = Refs::default();
                expr_refs(&e, &[], &mut refs);
                let no_refs = refs.job.is_empty() && refs.machine.is_empty();
                match crate::eval::long_param(&retry_until) {
                    Some(code) if no_refs => {
                        if code < i64::from(i32::MIN) || code > i64::from(i32::MAX) {
                            false
                        } else {
                            retry_until = format!("ExitCode =?= {code}");
                            true
                        }
                    }
                    _ => {
                        if let Some(w) = wrap_for_or(&retry_until) {
                            retry_until = w;
                        }
                        true
                    }
                }
            }
        };
        if !valid {
            return job.error(format!(
                "retry_until={retry_until} is invalid, it must be an integer or boolean expression.\n"
            ));
        }
    }

    if num_retries.is_none() && !job.has("JobMaxRetries") {
        num_retries = Some(job.params.integer("DEFAULT_JOB_MAX_RETRIES", 2));
    }
    if let Some(n) = num_retries {
        job.set_int("JobMaxRetries", n);
    }
    if ehc.is_empty() {
        if !job.has("OnExitHold") {
            job.set_bool("OnExitHold", false);
        }
    } else {
        job.set_expr("OnExitHold", &ehc)?;
    }
    if job.has("OnExitRemove") && success_code.is_none() && retry_until.is_empty() {
        return Ok(());
    }
    let mut code_check = match success_code {
        Some(c) => {
            job.set_int("JobSuccessExitCode", c);
            "JobSuccessExitCode".to_string()
        }
        None => "0".to_string(),
    };
    if !retry_until.is_empty() {
        code_check.push_str(" || ");
        code_check.push_str(&retry_until);
    }
    let mut onexit = format!("NumJobCompletions > JobMaxRetries || ExitCode =?= {code_check}");
    if !erc.is_empty() {
        let Some(w) = wrap_for_or(&erc) else {
            return job.error(format!("on_exit_remove={erc} is invalid, it must be a boolean expression.\n"));
        };
        onexit.push_str(" || ");
        onexit.push_str(&w);
    }
    job.set_expr("OnExitRemove", &onexit)
}

/// Linux signal numbers and names (HTCondor's table).
const SIGNALS: &[(i64, &str)] = &[
    (9, "SIGKILL"),
    (18, "SIGCONT"),
    (15, "SIGTERM"),
    (3, "SIGQUIT"),
    (1, "SIGHUP"),
    (19, "SIGSTOP"),
    (20, "SIGTSTP"),
    (10, "SIGUSR1"),
    (12, "SIGUSR2"),
    (17, "SIGCHLD"),
    (6, "SIGABRT"),
    (14, "SIGALRM"),
    (8, "SIGFPE"),
    (4, "SIGILL"),
    (2, "SIGINT"),
    (13, "SIGPIPE"),
    (11, "SIGSEGV"),
    (5, "SIGTRAP"),
    (21, "SIGTTIN"),
    (22, "SIGTTOU"),
    (29, "SIGIO"),
    (7, "SIGBUS"),
    (23, "SIGURG"),
    (27, "SIGPROF"),
    (28, "SIGWINCH"),
    (31, "SIGSYS"),
    (24, "SIGXCPU"),
    (25, "SIGXFSZ"),
];

/// A signal given by number or name, as the name HTCondor stores.
fn fixup_signal(job: &mut Job, sig: Option<String>) -> Result<Option<String>, super::Abort> {
    let Some(sig) = sig else { return Ok(None) };
    let n = crate::eval::c_atoi(&sig);
    if n != 0 {
        return match SIGNALS.iter().find(|(num, _)| *num == n) {
            Some((_, name)) => Ok(Some((*name).to_string())),
            None => {
                job.msgs.errors.push(format!("invalid signal {sig}\n"));
                Err(super::Abort)
            }
        };
    }
    if SIGNALS.iter().any(|(_, name)| name.eq_ignore_ascii_case(&sig)) {
        Ok(Some(sig.to_ascii_uppercase()))
    } else {
        job.msgs.errors.push(format!("invalid signal {sig}\n"));
        Err(super::Abort)
    }
}

pub(super) fn set_kill_sig(job: &mut Job) -> Step {
    let given = job.param("kill_sig", Some("KillSig"))?;
    let mut sig = fixup_signal(job, given)?;
    if sig.is_none() && job.st.universe != universe::VANILLA {
        sig = Some("SIGTERM".to_string());
    }
    if let Some(s) = sig {
        job.set_str("KillSig", &s);
    }
    for (key, attr) in [("remove_kill_sig", "RemoveKillSig"), ("hold_kill_sig", "HoldKillSig")] {
        let given = job.param(key, Some(attr))?;
        if let Some(s) = fixup_signal(job, given)? {
            job.set_str(attr, &s);
        }
    }
    if let Some(t) = job.param("kill_sig_timeout", Some("KillSigTimeout"))? {
        job.set_int("KillSigTimeout", crate::eval::c_atoi(&t) as i32 as i64);
    }
    Ok(())
}

pub(super) fn set_container_special(job: &mut Job) -> Step {
    if !(job.st.is_docker || job.st.is_container) {
        return Ok(());
    }
    let Some(services) = job.param("container_service_names", Some("ContainerServiceNames"))? else {
        return Ok(());
    };
    job.set_str("ContainerServiceNames", &services);
    for service in super::split_list(&services) {
        let key = format!("{service}_container_port");
        let port = match job.param(&key, None)? {
            Some(v) => match crate::eval::long_param(&v) {
                Some(p) => p,
                None => return job.error(format!("{key}={v} is invalid, must eval to an integer.\n")),
            },
            None => -1,
        };
        if (0..=65535).contains(&port) {
            job.set_int(&format!("{service}_ContainerPort"), port);
        } else {
            return job.error(format!(
                "Requested container service '{service}' was not assigned a port, or the assigned port was not valid.\n"
            ));
        }
    }
    Ok(())
}

/// The attribute that makes a job need deferral, if any.
pub(super) fn needs_job_deferral(job: &mut Job) -> Option<&'static str> {
    ["CronMinute", "CronHour", "CronDayOfMonth", "CronMonth", "CronDayOfWeek", "DeferralTime"]
        .into_iter()
        .find(|a| job.has(a))
}

fn set_deferral_value(job: &mut Job, attr: &str, key: &str, text: &str) -> Step {
    let ok = match job.parse_expr(text) {
        Some(e) => match e.as_literal() {
            Some(classad::Value::Int(n)) => {
                let ok = *n >= 0;
                job.set(attr, e);
                ok
            }
            Some(_) => false,
            None => {
                job.set(attr, e);
                true
            }
        },
        None => false,
    };
    if ok {
        Ok(())
    } else {
        job.error(format!("{key} = {text} is invalid, must eval to a non-negative integer.\n"))
    }
}

pub(super) fn set_job_deferral(job: &mut Job) -> Step {
    if let Some(t) = job.param("deferral_time", Some("DeferralTime"))? {
        set_deferral_value(job, "DeferralTime", "deferral_time", &t)?;
    }
    if needs_job_deferral(job).is_some() {
        let mut w = job.param("cron_window", Some("CronWindow"))?;
        if w.is_none() {
            w = job.param("deferral_window", Some("DeferralWindow"))?;
        }
        match w {
            Some(w) => set_deferral_value(job, "DeferralWindow", "deferral_window", &w)?,
            None => job.set_int("DeferralWindow", 0),
        }
        let mut p = job.param("cron_prep_time", Some("CronPrepTime"))?;
        if p.is_none() {
            p = job.param("deferral_prep_time", Some("DeferralPrepTime"))?;
        }
        match p {
            Some(p) => set_deferral_value(job, "DeferralPrepTime", "deferral_prep_time", &p)?,
            None => job.set_int("DeferralPrepTime", 300),
        }
    }
    Ok(())
}

pub(super) fn set_auto_attributes(job: &mut Job) -> Step {
    if !job.has("MaxHosts") && job.st.universe != universe::MPI {
        job.set_int("MinHosts", 1);
        job.set_int("MaxHosts", 1);
    }
    if !job.has("CurrentHosts") {
        job.set_int("CurrentHosts", 0);
    }
    if job.has("SuccessCheckpointExitCode") {
        job.set_bool("WantFTOnCheckpoint", true);
    }
    if job.opts.interactive && !job.has("JobDescription") {
        job.set_str("JobDescription", "interactive job");
    }
    if !job.has("MaxJobRetirementTime") && job.lookup_bool("NiceUser").unwrap_or(false) {
        job.set_int("MaxJobRetirementTime", 0);
    }
    let u = job.st.universe;
    let can_reconnect = matches!(u, universe::VANILLA | universe::JAVA | universe::PARALLEL | universe::VM);
    if can_reconnect && !job.has("JobLeaseDuration") {
        if let Some(d) = job.params.get("JOB_DEFAULT_LEASE_DURATION") {
            job.set_expr("JobLeaseDuration", &d)?;
        }
    }
    if !job.has("JobPrio") {
        job.set_int("JobPrio", 0);
    }
    if job.has("JobStarterLog") && !job.has("JobStarterDebug") {
        job.set_bool("JobStarterDebug", true);
    }
    Ok(())
}

pub(super) fn report_common_mistakes(job: &mut Job) -> Step {
    if !job.st.warned_notification_never {
        if let Some(who) = job.lookup_string("NotifyUser") {
            if who.eq_ignore_ascii_case("false") || who.eq_ignore_ascii_case("never") {
                let domain = job.params.get("UID_DOMAIN").unwrap_or_default();
                job.warning(format!(
                    "You used  notify_user={who}  in your submit file.\n\
                     This means notification email will go to user \"{who}@{domain}\".\n\
                     This is probably not what you expect!\n\
                     If you do not want notification email, put \"notification = never\"\n\
                     into your submit file, instead.\n"
                ));
                job.st.warned_notification_never = true;
            }
        }
    }
    if let Some(n) = job.lookup_int("JobMachineAttrsHistoryLength") {
        if !(0..=i64::from(i32::MAX)).contains(&n) {
            return job.error(format!(
                "job_machine_attrs_history_length={n} is out of bounds 0 to {}\n",
                i32::MAX
            ));
        }
    }
    if !job.st.warned_lease_too_small {
        if let Some(d) = job.lookup("JobLeaseDuration").and_then(literal_number) {
            if d > 0.0 && d < 20.0 {
                job.warning("JobLeaseDuration less than 20 seconds is not allowed, using 20 instead\n");
                job.st.warned_lease_too_small = true;
                job.set_int("JobLeaseDuration", 20);
            }
        }
    }
    if job.st.universe == universe::SCHEDULER && job.has("DeferralTime") {
        let attr = needs_job_deferral(job).unwrap_or("DeferralTime");
        return job.error(format!(
            "{attr} does not work for scheduler universe jobs.\nConsider submitting this job using the local universe, instead\n"
        ));
    }
    if job.has("OutputDestination") && job.has("OutputDirectory") {
        return job.error("You cannot use both output_destination and output_directory in the same submit file\n");
    }
    Ok(())
}
