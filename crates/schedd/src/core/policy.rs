//! Job policy: what `periodic_*`, `on_exit_*`, `TimerRemove` and the
//! `SYSTEM_PERIODIC_*` macros decide, evaluated at HTCondor's moments and
//! in its order, with its hold codes and reason texts.
//!
//! Order (the first that fires wins): allowed job/execute duration
//! (running jobs), periodic vacate (running, periodic check only),
//! `TimerRemove`, periodic hold (not held or completed), periodic release
//! (held, not by the user), periodic remove; then at exit only:
//! `OnExitHold`, `OnExitRemove` (anything but false removes — that is, the
//! job completes and leaves the queue).

use classad::{ClassAd, Expr, Value};
use proto::job::hold_code;
use proto::JobStatus;

use super::ads::AdExt;

/// `SYSTEM_PERIODIC_*` expressions from the configuration, each with its
/// optional `_REASON` and `_SUBCODE` expressions.
#[derive(Debug, Clone, Default)]
pub struct SystemPolicies {
    pub hold: Option<SystemPolicy>,
    pub release: Option<SystemPolicy>,
    pub remove: Option<SystemPolicy>,
}

#[derive(Debug, Clone)]
pub struct SystemPolicy {
    pub expr: Expr,
    pub reason: Option<Expr>,
    pub subcode: Option<Expr>,
}

/// Why a policy fired: `HoldReason`/`RemoveReason` text and codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Firing {
    pub reason: String,
    pub code: i64,
    pub subcode: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PeriodicDecision {
    Stay,
    Hold(Firing),
    Release(Firing),
    Remove(Firing),
    Vacate(Firing),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExitDecision {
    /// The job is done: it completes and leaves the queue (unless `LeaveJobInQueue`).
    Complete,
    /// `OnExitRemove` was false: back to Idle to run again.
    Requeue(Firing),
    Hold(Firing),
    /// A periodic remove fired at exit.
    Remove(Firing),
}

/// True when a policy value counts as "fire": a non-zero number or true.
fn fires(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Real(r) => *r != 0.0,
        _ => false,
    }
}

/// A value that counts as a number: HTCondor's `IsNumber` (booleans too).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Bool(b) => Some(*b as i64 as f64),
        Value::Int(i) => Some(*i as f64),
        Value::Real(r) => Some(*r),
        _ => None,
    }
}

fn job_attr_firing(ad: &ClassAd, attr: &str, expr: &Expr) -> Firing {
    let reason = ad
        .string(&format!("{attr}Reason"))
        .unwrap_or_else(|| format!("The job attribute {attr} expression '{}' evaluated to TRUE", expr.to_old_string()));
    let subcode = ad.int(&format!("{attr}SubCode")).unwrap_or(0);
    Firing { reason, code: hold_code::JOB_POLICY, subcode }
}

/// Evaluate the job's own `attr` (e.g. `PeriodicHold`); `Some` when it fires.
fn job_policy(ad: &ClassAd, attr: &str) -> Option<Firing> {
    let expr = ad.get(attr)?;
    if fires(&ad.eval_expr(expr, None)) {
        Some(job_attr_firing(ad, attr, expr))
    } else {
        None
    }
}

fn system_policy(ad: &ClassAd, name: &str, p: Option<&SystemPolicy>) -> Option<Firing> {
    let p = p?;
    if !fires(&ad.eval_expr(&p.expr, None)) {
        return None;
    }
    let reason = p
        .reason
        .as_ref()
        .and_then(|r| match ad.eval_expr(r, None) {
            Value::String(s) if !s.is_empty() => Some(s.to_string()),
            _ => None,
        })
        .unwrap_or_else(|| format!("The system macro {name} expression '{}' evaluated to TRUE", p.expr.to_old_string()));
    let subcode = p.subcode.as_ref().and_then(|s| number(&ad.eval_expr(s, None))).unwrap_or(0.0) as i64;
    Some(Firing { reason, code: hold_code::SYSTEM_POLICY, subcode })
}

fn short_duration(secs: i64) -> String {
    let (d, h, m, s) = (secs / 86400, (secs % 86400) / 3600, (secs % 3600) / 60, secs % 60);
    if d > 0 {
        format!("{d}+{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// The periodic part of the policy for a job in `status` at time `now`.
pub fn periodic(ad: &ClassAd, status: JobStatus, now: i64, sys: &SystemPolicies, check_vacate: bool) -> PeriodicDecision {
    if status == JobStatus::Removed {
        return PeriodicDecision::Stay;
    }
    if matches!(status, JobStatus::Running | JobStatus::Suspended) {
        if let (Some(allowed), Some(bday)) = (ad.int("AllowedJobDuration"), ad.int("ShadowBday")) {
            if now - bday >= allowed {
                return PeriodicDecision::Hold(Firing {
                    reason: format!("The job exceeded allowed job duration of {}", short_duration(allowed)),
                    code: 46,
                    subcode: 0,
                });
            }
        }
        if let (Some(allowed), Some(began), Some(bday)) =
            (ad.int("AllowedExecuteDuration"), ad.int("JobCurrentStartExecutingDate"), ad.int("ShadowBday"))
        {
            if began >= bday && now - began > allowed {
                return PeriodicDecision::Hold(Firing {
                    reason: format!("The job exceeded allowed execute duration of {}", short_duration(allowed)),
                    code: 47,
                    subcode: 0,
                });
            }
        }
        if check_vacate {
            if let Some(f) = job_policy(ad, "PeriodicVacate") {
                return PeriodicDecision::Vacate(f);
            }
        }
    }
    if let Some(expr) = ad.get("TimerRemove") {
        if let Some(t) = ad.int("TimerRemove") {
            if t >= 0 && t < now {
                return PeriodicDecision::Remove(Firing {
                    reason: format!("The job attribute TimerRemove expression '{}' evaluated to TRUE", expr.to_old_string()),
                    code: hold_code::JOB_POLICY,
                    subcode: 0,
                });
            }
        }
    }
    if status != JobStatus::Held && status != JobStatus::Completed {
        if let Some(f) = job_policy(ad, "PeriodicHold").or_else(|| system_policy(ad, "SYSTEM_PERIODIC_HOLD", sys.hold.as_ref())) {
            return PeriodicDecision::Hold(f);
        }
    }
    if status == JobStatus::Held && ad.int("HoldReasonCode") != Some(hold_code::USER_REQUEST) {
        if let Some(f) =
            job_policy(ad, "PeriodicRelease").or_else(|| system_policy(ad, "SYSTEM_PERIODIC_RELEASE", sys.release.as_ref()))
        {
            return PeriodicDecision::Release(f);
        }
    }
    if let Some(f) = job_policy(ad, "PeriodicRemove").or_else(|| system_policy(ad, "SYSTEM_PERIODIC_REMOVE", sys.remove.as_ref())) {
        return PeriodicDecision::Remove(f);
    }
    PeriodicDecision::Stay
}

/// The policy when a job's process exited: `ad` already holds `ExitCode`,
/// `ExitBySignal`, … of this run.
pub fn at_exit(ad: &ClassAd, now: i64, sys: &SystemPolicies) -> ExitDecision {
    match periodic(ad, JobStatus::Running, now, sys, false) {
        PeriodicDecision::Hold(f) => return ExitDecision::Hold(f),
        PeriodicDecision::Remove(f) => return ExitDecision::Remove(f),
        _ => {}
    }
    if let Some(f) = job_policy(ad, "OnExitHold") {
        return ExitDecision::Hold(f);
    }
    if let Some(expr) = ad.get("OnExitRemove") {
        if number(&ad.eval_expr(expr, None)) == Some(0.0) {
            return ExitDecision::Requeue(Firing {
                reason: format!("The job attribute OnExitRemove expression '{}' evaluated to FALSE", expr.to_old_string()),
                code: hold_code::JOB_POLICY,
                subcode: 0,
            });
        }
    }
    ExitDecision::Complete
}

/// Whether a finished job stays in the queue (`LeaveJobInQueue`).
pub fn leave_in_queue(ad: &ClassAd) -> bool {
    ad.boolean("LeaveJobInQueue").unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ad(text: &str) -> ClassAd {
        ClassAd::parse_old(text).unwrap()
    }

    #[test]
    fn on_exit_hold_fires_with_htcondor_reason_text() {
        let a = ad("ExitCode = 1\nExitBySignal = false\nOnExitHold = ExitCode != 0");
        assert_eq!(
            at_exit(&a, 0, &SystemPolicies::default()),
            ExitDecision::Hold(Firing {
                reason: "The job attribute OnExitHold expression 'ExitCode != 0' evaluated to TRUE".into(),
                code: 3,
                subcode: 0
            })
        );
        let ok = ad("ExitCode = 0\nOnExitHold = ExitCode != 0");
        assert_eq!(at_exit(&ok, 0, &SystemPolicies::default()), ExitDecision::Complete);
    }

    #[test]
    fn custom_reason_and_subcode_are_used() {
        let a = ad("ExitCode = 2\nOnExitHold = ExitCode == 2\nOnExitHoldReason = \"exit two\"\nOnExitHoldSubCode = 42");
        assert_eq!(
            at_exit(&a, 0, &SystemPolicies::default()),
            ExitDecision::Hold(Firing { reason: "exit two".into(), code: 3, subcode: 42 })
        );
    }

    #[test]
    fn on_exit_remove_false_requeues_and_undefined_completes() {
        let retry = ad("ExitCode = 1\nNumJobCompletions = 1\nJobMaxRetries = 3\nOnExitRemove = ExitCode == 0 || NumJobCompletions > JobMaxRetries");
        assert!(matches!(at_exit(&retry, 0, &SystemPolicies::default()), ExitDecision::Requeue(_)));
        let last = ad("ExitCode = 1\nNumJobCompletions = 4\nJobMaxRetries = 3\nOnExitRemove = ExitCode == 0 || NumJobCompletions > JobMaxRetries");
        assert_eq!(at_exit(&last, 0, &SystemPolicies::default()), ExitDecision::Complete);
        let undef = ad("OnExitRemove = Nope");
        assert_eq!(at_exit(&undef, 0, &SystemPolicies::default()), ExitDecision::Complete);
    }

    #[test]
    fn periodic_hold_then_release_then_remove_in_order() {
        let sys = SystemPolicies::default();
        let a = ad("PeriodicHold = true\nPeriodicRemove = true");
        assert!(matches!(periodic(&a, JobStatus::Idle, 0, &sys, true), PeriodicDecision::Hold(_)));
        // A held job is not held again; remove is next.
        assert!(matches!(periodic(&a, JobStatus::Held, 0, &sys, true), PeriodicDecision::Remove(_)));
        let r = ad("PeriodicRelease = NumJobStarts < 3\nNumJobStarts = 1\nHoldReasonCode = 3");
        assert!(matches!(periodic(&r, JobStatus::Held, 0, &sys, true), PeriodicDecision::Release(_)));
        // Jobs held by their user are not released by policy.
        let u = ad("PeriodicRelease = true\nHoldReasonCode = 1");
        assert_eq!(periodic(&u, JobStatus::Held, 0, &sys, true), PeriodicDecision::Stay);
        // Removed jobs are left alone.
        assert_eq!(periodic(&a, JobStatus::Removed, 0, &sys, true), PeriodicDecision::Stay);
    }

    #[test]
    fn system_macros_fire_with_system_codes() {
        let sys = SystemPolicies {
            hold: Some(SystemPolicy {
                expr: Expr::parse("NumJobStarts > 2").unwrap(),
                reason: Some(Expr::parse("\"too many starts\"").unwrap()),
                subcode: Some(Expr::parse("7").unwrap()),
            }),
            ..Default::default()
        };
        let a = ad("NumJobStarts = 3");
        assert_eq!(
            periodic(&a, JobStatus::Idle, 0, &sys, true),
            PeriodicDecision::Hold(Firing { reason: "too many starts".into(), code: 26, subcode: 7 })
        );
        let quiet = SystemPolicies { remove: Some(SystemPolicy { expr: Expr::parse("true").unwrap(), reason: None, subcode: None }), ..Default::default() };
        assert_eq!(
            periodic(&a, JobStatus::Idle, 0, &quiet, true),
            PeriodicDecision::Remove(Firing {
                reason: "The system macro SYSTEM_PERIODIC_REMOVE expression 'true' evaluated to TRUE".into(),
                code: 26,
                subcode: 0
            })
        );
    }

    #[test]
    fn timer_remove_and_durations() {
        let sys = SystemPolicies::default();
        let t = ad("TimerRemove = 100");
        assert!(matches!(periodic(&t, JobStatus::Idle, 101, &sys, true), PeriodicDecision::Remove(_)));
        assert_eq!(periodic(&t, JobStatus::Idle, 99, &sys, true), PeriodicDecision::Stay);
        let d = ad("AllowedJobDuration = 60\nShadowBday = 1000");
        match periodic(&d, JobStatus::Running, 1060, &sys, true) {
            PeriodicDecision::Hold(f) => {
                assert_eq!(f.code, 46);
                assert_eq!(f.reason, "The job exceeded allowed job duration of 00:01:00");
            }
            other => panic!("{other:?}"),
        }
    }
}
