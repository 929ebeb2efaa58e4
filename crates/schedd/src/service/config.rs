//! The schedd's configuration: the knobs it reads, with HTCondor's names.

use std::path::PathBuf;
use std::time::Duration;

use classad::Expr;
use daemon::Settings;
use proto::address::Address;

use crate::core::policy::{SystemPolicies, SystemPolicy};
use crate::core::Config;

/// Everything the service needs beyond the core's [`Config`].
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub core: Config,
    /// `$(SPOOL)/job_queue.sqlite3` (`JOB_QUEUE_LOG`).
    pub queue_path: PathBuf,
    /// `HISTORY` (`$(SPOOL)/history`).
    pub history_path: PathBuf,
    /// `UPDATE_INTERVAL` (`SCHEDD_UPDATE_INTERVAL`): how often ads are sent at most.
    pub update_interval: Duration,
    /// How long a reschedule request waits for others to join it.
    pub reschedule_delay: Duration,
    /// `SCHEDD_QUERY_WORKERS`-like limit on ads per answer chunk.
    pub chunk: usize,
}

/// The schedd's `Name`: `SCHEDD_NAME` (`name@host` unless it has an `@`),
/// else `user@host` for a schedd not run by root (a personal pool), else
/// the host name.
pub fn schedd_name(settings: &Settings) -> String {
    daemon::host::daemon_name(settings.get("SCHEDD_NAME").as_deref())
}

fn expr_knob(settings: &Settings, name: &str) -> Option<Expr> {
    let text = settings.get(name)?;
    match Expr::parse_old(&text) {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::warn!("{name} = {text} is not a ClassAd expression ({e}); ignored");
            None
        }
    }
}

fn system_policy(settings: &Settings, name: &str) -> Option<SystemPolicy> {
    Some(SystemPolicy {
        expr: expr_knob(settings, name)?,
        reason: expr_knob(settings, &format!("{name}_REASON")),
        subcode: expr_knob(settings, &format!("{name}_SUBCODE")),
    })
}

impl ServiceConfig {
    /// Read the schedd's knobs. `address` is where startds reach it.
    pub fn from_settings(settings: &Settings, address: Address) -> ServiceConfig {
        let name = schedd_name(settings);
        let mut core = Config::new(&name, address);
        core.uid_domain = settings.get_or("UID_DOMAIN", &daemon::host::hostname());
        let mut supers = settings.list("QUEUE_SUPER_USERS");
        if supers.is_empty() {
            supers = vec!["root".to_string(), "condor".to_string()];
        }
        // The user a personal schedd runs as administers it.
        let me = daemon::host::current_user();
        if !me.is_empty() && !supers.contains(&me) {
            supers.push(me);
        }
        core.super_users = supers;
        core.system = SystemPolicies {
            hold: system_policy(settings, "SYSTEM_PERIODIC_HOLD"),
            release: system_policy(settings, "SYSTEM_PERIODIC_RELEASE"),
            remove: system_policy(settings, "SYSTEM_PERIODIC_REMOVE"),
        };
        core.periodic_interval = settings.int("PERIODIC_EXPR_INTERVAL", 60).max(1);
        core.alive_interval = settings.int("ALIVE_INTERVAL", 300).max(1);
        core.claim_lease = settings.int("JOB_LEASE_DURATION", 2400).max(10) as u64;
        core.max_request_memory_mb = settings.int("SUBMIT_MAX_REQUEST_MEMORY", 1 << 30);
        core.claim_linger = settings.int("SCHEDD_CLAIM_IDLE_LINGER", 2).max(0);
        let max_jobs = settings.int("MAX_JOBS_SUBMITTED", i64::MAX);
        core.max_jobs_submitted = if max_jobs <= 0 { usize::MAX } else { max_jobs.min(usize::MAX as i64) as usize };
        let spool = settings.spool_dir();
        let queue_path = settings.get_configured("JOB_QUEUE_LOG").map(PathBuf::from).unwrap_or_else(|| spool.join("job_queue.sqlite3"));
        let history_path = settings.path("HISTORY").unwrap_or_else(|| spool.join("history"));
        let update = settings.int("SCHEDD_UPDATE_INTERVAL", settings.int("UPDATE_INTERVAL", 300)).max(1);
        ServiceConfig {
            core,
            queue_path,
            history_path,
            update_interval: Duration::from_secs(update as u64),
            reschedule_delay: Duration::from_millis(settings.int("SCHEDD_RESCHEDULE_DELAY_MS", 2).max(0) as u64),
            chunk: 512,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knobs_with_htcondor_names() {
        let s = Settings::from_text(
            "SCHEDD",
            "SPOOL = /p/spool\nSCHEDD_NAME = s1@h\nSYSTEM_PERIODIC_HOLD = NumJobStarts > 3\nSYSTEM_PERIODIC_HOLD_REASON = \"too many\"\nALIVE_INTERVAL = 7\nQUEUE_SUPER_USERS = admin\n",
        )
        .unwrap();
        let c = ServiceConfig::from_settings(&s, Address::Unix("/p/lock/schedd.sock".into()));
        assert_eq!(c.core.name, "s1@h");
        assert_eq!(c.queue_path, PathBuf::from("/p/spool/job_queue.sqlite3"));
        assert_eq!(c.history_path, PathBuf::from("/p/spool/history"));
        assert_eq!(c.core.alive_interval, 7);
        assert!(c.core.system.hold.is_some() && c.core.system.hold.as_ref().unwrap().reason.is_some());
        assert!(c.core.super_users.contains(&"admin".to_string()));
    }
}
