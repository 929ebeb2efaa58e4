//! The configuration knobs the negotiator honours, with HTCondor's names
//! and defaults (where Aerie's default differs, the knob's doc says so).
//!
//! [`Settings::from_params`] reads them through a lookup function (the
//! service passes the configuration's `param`), so the core never touches
//! files. Values are read as ClassAd expressions, as HTCondor's
//! `param_integer`/`param_boolean` do, so `2 * 30` and `True` work.

use classad::{Expr, Value};

/// A knob whose value cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("configuration {knob} = {value}: {problem}; {hint}")]
pub struct SettingsError {
    pub knob: String,
    pub value: String,
    pub problem: String,
    pub hint: String,
}

/// What the negotiator's decisions depend on.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `NEGOTIATOR_INTERVAL` (60 s): the longest time between two cycles.
    pub interval_secs: f64,
    /// `NEGOTIATOR_MIN_INTERVAL`: the shortest time between the starts of
    /// two cycles. HTCondor's default is 5 s (its built-in table says so,
    /// and `condor_config_val` shows it); Aerie's is 0, since a cycle costs
    /// milliseconds and a submit should start jobs at once: storms of
    /// reschedules are held off by spacing cycles by their own cost
    /// (`core::wakeup`). Set it to get a fixed floor as in HTCondor.
    pub min_interval_secs: f64,
    /// `NEGOTIATOR_RESCHEDULE_DELAY` (Aerie's own, 0.005 s): how long a
    /// reschedule waits for others to arrive, so a burst of submits is
    /// served by one cycle.
    pub reschedule_delay_secs: f64,
    /// `NEGOTIATOR_PRE_JOB_RANK`, `NEGOTIATOR_POST_JOB_RANK`: candidate
    /// slots are ordered by pre-job rank, then the job's `Rank`, then
    /// post-job rank (each evaluated with the slot as `MY`, the job as `TARGET`).
    pub pre_job_rank: Option<Expr>,
    pub post_job_rank: Option<Expr>,
    /// `NEGOTIATOR_USE_SLOT_WEIGHTS` (true) and `SLOT_WEIGHT` (`Cpus`): what
    /// a slot costs a submitter. A slot ad's own `SlotWeight` expression wins.
    pub use_slot_weights: bool,
    pub slot_weight: Expr,
    /// `NEGOTIATOR_SLOT_CONSTRAINT`, `NEGOTIATOR_JOB_CONSTRAINT`: only slots
    /// and jobs for which these are true take part.
    pub slot_constraint: Option<Expr>,
    pub job_constraint: Option<Expr>,
    /// `NEGOTIATOR_IGNORE_USER_PRIORITIES` (false): no fair-share limits.
    pub ignore_user_priorities: bool,
    /// `PRIORITY_HALFLIFE` (86400 s), `DEFAULT_PRIO_FACTOR` (1000).
    pub half_life_secs: f64,
    pub default_prio_factor: f64,
    /// `MODIFY_REQUEST_EXPR_REQUESTCPUS` / `…MEMORY` / `…DISK`: how the
    /// startd rounds a job's requests when it carves a dynamic slot from a
    /// partitionable one (`quantize(RequestCpus, {1})`,
    /// `quantize(RequestMemory, {128})`, `quantize(RequestDisk, {TARGET.DiskQuantum ?: 1024})`);
    /// evaluated with the job as `MY` and the slot as `TARGET`.
    pub modify_request_cpus: Expr,
    pub modify_request_memory: Expr,
    pub modify_request_disk: Expr,
    /// `MATCH_TIMEOUT` (120 s): how long a match holds its slot while the
    /// slot's ad in the collector has not changed.
    pub match_timeout_secs: f64,
    /// `NEGOTIATOR_UPDATE_INTERVAL` (300 s): how often the negotiator advertises itself.
    pub update_interval_secs: f64,
    /// `NEGOTIATOR_TIMEOUT` (30 s): how long to wait for a schedd's answer.
    pub timeout_secs: f64,
}

pub const DEFAULT_PRE_JOB_RANK: &str =
    "(10000000 * My.Rank) + (1000000 * (RemoteOwner =?= UNDEFINED)) - (100000 * Cpus) - Memory";
pub const DEFAULT_POST_JOB_RANK: &str =
    "(RemoteOwner =?= UNDEFINED) * (ifthenElse(isUndefined(KFlops), 1000, Kflops) - SlotID - 1.0e10*(Offline=?=True))";
pub const DEFAULT_MODIFY_CPUS: &str = "quantize(RequestCpus,{1})";
pub const DEFAULT_MODIFY_MEMORY: &str = "quantize(RequestMemory,{128})";
pub const DEFAULT_MODIFY_DISK: &str = "quantize(RequestDisk,{Target.DiskQuantum?:1024})";

impl Default for Settings {
    fn default() -> Settings {
        Settings::from_params(|_| None).unwrap_or_else(|_| unreachable_defaults())
    }
}

/// The built-in defaults always parse; this is never reached.
fn unreachable_defaults() -> Settings {
    let lit = |v| Expr::literal(Value::Int(v));
    Settings {
        interval_secs: 60.0,
        min_interval_secs: 0.0,
        reschedule_delay_secs: 0.005,
        pre_job_rank: None,
        post_job_rank: None,
        use_slot_weights: true,
        slot_weight: Expr::attr("Cpus"),
        slot_constraint: None,
        job_constraint: None,
        ignore_user_priorities: false,
        half_life_secs: 86400.0,
        default_prio_factor: 1000.0,
        modify_request_cpus: Expr::attr("RequestCpus"),
        modify_request_memory: Expr::attr("RequestMemory"),
        modify_request_disk: lit(0),
        match_timeout_secs: 120.0,
        update_interval_secs: 300.0,
        timeout_secs: 30.0,
    }
}

impl Settings {
    /// Read every knob through `param` (name → expanded value, `None` when
    /// unset). An empty value counts as unset, as in HTCondor.
    pub fn from_params(param: impl Fn(&str) -> Option<String>) -> Result<Settings, SettingsError> {
        let get = |k: &str| param(k).filter(|v| !v.trim().is_empty());
        let num = |k: &str, default: f64, min: f64| -> Result<f64, SettingsError> {
            match get(k) {
                None => Ok(default),
                Some(v) => {
                    let n = eval_const(&v).and_then(|x| x.as_number()).ok_or_else(|| SettingsError {
                        knob: k.into(),
                        value: v.clone(),
                        problem: "not a number".into(),
                        hint: format!("set it to a number of seconds or a factor, e.g. {k} = {default}"),
                    })?;
                    if !n.is_finite() || n < min {
                        return Err(SettingsError {
                            knob: k.into(),
                            value: v,
                            problem: format!("must be at least {min}"),
                            hint: format!("remove it to get the default {default}"),
                        });
                    }
                    Ok(n)
                }
            }
        };
        let boolean = |k: &str, default: bool| -> Result<bool, SettingsError> {
            match get(k) {
                None => Ok(default),
                Some(v) => match eval_const(&v) {
                    Some(Value::Bool(b)) => Ok(b),
                    Some(Value::Int(i)) => Ok(i != 0),
                    _ => Err(SettingsError {
                        knob: k.into(),
                        value: v,
                        problem: "not a boolean".into(),
                        hint: format!("use {k} = True or {k} = False"),
                    }),
                },
            }
        };
        let expr = |k: &str, default: Option<&str>| -> Result<Option<Expr>, SettingsError> {
            let text = match get(k) {
                Some(v) => v,
                None => match default {
                    Some(d) => d.to_string(),
                    None => return Ok(None),
                },
            };
            Expr::parse(&text).map(Some).map_err(|e| SettingsError {
                knob: k.into(),
                value: text.clone(),
                problem: format!("not a ClassAd expression ({e})"),
                hint: "fix the expression or remove the setting to get HTCondor's default".into(),
            })
        };
        let required = |k: &str, default: &str| -> Result<Expr, SettingsError> {
            expr(k, Some(default)).map(|e| e.unwrap_or_else(|| Expr::literal(Value::Undefined)))
        };
        Ok(Settings {
            interval_secs: num("NEGOTIATOR_INTERVAL", 60.0, 1.0)?,
            min_interval_secs: num("NEGOTIATOR_MIN_INTERVAL", 0.0, 0.0)?,
            reschedule_delay_secs: num("NEGOTIATOR_RESCHEDULE_DELAY", 0.005, 0.0)?,
            pre_job_rank: expr("NEGOTIATOR_PRE_JOB_RANK", Some(DEFAULT_PRE_JOB_RANK))?,
            post_job_rank: expr("NEGOTIATOR_POST_JOB_RANK", Some(DEFAULT_POST_JOB_RANK))?,
            use_slot_weights: boolean("NEGOTIATOR_USE_SLOT_WEIGHTS", true)?,
            slot_weight: required("SLOT_WEIGHT", "Cpus")?,
            slot_constraint: expr("NEGOTIATOR_SLOT_CONSTRAINT", None)?,
            job_constraint: expr("NEGOTIATOR_JOB_CONSTRAINT", None)?,
            ignore_user_priorities: boolean("NEGOTIATOR_IGNORE_USER_PRIORITIES", false)?,
            half_life_secs: num("PRIORITY_HALFLIFE", 86400.0, 1.0)?,
            default_prio_factor: num("DEFAULT_PRIO_FACTOR", 1000.0, 1.0)?,
            modify_request_cpus: required("MODIFY_REQUEST_EXPR_REQUESTCPUS", DEFAULT_MODIFY_CPUS)?,
            modify_request_memory: required("MODIFY_REQUEST_EXPR_REQUESTMEMORY", DEFAULT_MODIFY_MEMORY)?,
            modify_request_disk: required("MODIFY_REQUEST_EXPR_REQUESTDISK", DEFAULT_MODIFY_DISK)?,
            match_timeout_secs: num("MATCH_TIMEOUT", 120.0, 0.0)?,
            update_interval_secs: num("NEGOTIATOR_UPDATE_INTERVAL", 300.0, 1.0)?,
            timeout_secs: num("NEGOTIATOR_TIMEOUT", 30.0, 1.0)?,
        })
    }
}

/// Evaluate a knob's text as a ClassAd expression with no ad.
fn eval_const(text: &str) -> Option<Value> {
    Expr::parse(text.trim()).ok().map(|e| e.eval(None, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_htcondors() {
        let s = Settings::default();
        assert_eq!(s.interval_secs, 60.0);
        assert_eq!(s.half_life_secs, 86400.0);
        assert_eq!(s.default_prio_factor, 1000.0);
        assert!(s.use_slot_weights && !s.ignore_user_priorities);
        assert!(s.pre_job_rank.is_some() && s.post_job_rank.is_some());
        assert_eq!(s.match_timeout_secs, 120.0);
    }

    #[test]
    fn knobs_read_as_expressions_and_bad_ones_name_the_knob() {
        let s = Settings::from_params(|k| match k {
            "NEGOTIATOR_INTERVAL" => Some("2 * 10".into()),
            "NEGOTIATOR_USE_SLOT_WEIGHTS" => Some("False".into()),
            "NEGOTIATOR_PRE_JOB_RANK" => Some("".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.interval_secs, 20.0);
        assert!(!s.use_slot_weights);
        assert!(s.pre_job_rank.is_some(), "an empty value means the default");
        let err = Settings::from_params(|k| (k == "PRIORITY_HALFLIFE").then(|| "soon".to_string())).unwrap_err();
        assert_eq!(err.knob, "PRIORITY_HALFLIFE");
        assert!(err.to_string().contains("not a number"));
        let err = Settings::from_params(|k| (k == "SLOT_WEIGHT").then(|| "Cpus +".to_string())).unwrap_err();
        assert!(err.to_string().starts_with("configuration SLOT_WEIGHT = Cpus +"));
    }
}
