//! Where the negotiator reads its configuration: every knob goes through
//! the daemon's configuration view (`NEGOTIATOR.X` before `X`,
//! `_CONDOR_X` overrides, macros expanded) into the core's [`Settings`].

use anyhow::Context;

use crate::core::Settings;

/// Knobs whose default in Aerie differs from the one in HTCondor's
/// built-in table: only a value the configuration sets counts, else the
/// core's own default applies.
const AERIE_DEFAULTS: &[&str] = &["NEGOTIATOR_MIN_INTERVAL"];

/// The core's settings from the daemon's configuration.
pub fn core_settings(cfg: &daemon::Settings) -> anyhow::Result<Settings> {
    Settings::from_params(|k| {
        if AERIE_DEFAULTS.iter().any(|a| a.eq_ignore_ascii_case(k)) {
            cfg.get_configured(k)
        } else {
            cfg.get(k)
        }
    })
    .context("the negotiator's configuration cannot be used")
}

/// The negotiator's `Name` as HTCondor names it: `NEGOTIATOR_NAME`
/// (`name@host` unless it has an `@`), else the host name, or `user@host`
/// when not run by root (a personal pool).
pub fn name(cfg: &daemon::Settings) -> String {
    daemon::host::daemon_name(cfg.get("NEGOTIATOR_NAME").as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsystem_prefixed_knobs_win_and_bad_values_name_the_knob() {
        let cfg = daemon::Settings::from_text("NEGOTIATOR", "NEGOTIATOR_INTERVAL = 30\nNEGOTIATOR.NEGOTIATOR_INTERVAL = 7\n").unwrap();
        assert_eq!(core_settings(&cfg).unwrap().interval_secs, 7.0);
        let cfg = daemon::Settings::from_text("NEGOTIATOR", "PRIORITY_HALFLIFE = often\n").unwrap();
        let err = format!("{:#}", core_settings(&cfg).unwrap_err());
        assert!(err.contains("PRIORITY_HALFLIFE = often"), "{err}");
    }

    #[test]
    fn regression_htcondors_table_default_of_negotiator_min_interval_does_not_apply() {
        // HTCondor's table says 5 s; a negotiator that took it made every
        // submit wait up to 5 s for its cycle.
        let cfg = daemon::Settings::from_text("NEGOTIATOR", "").unwrap();
        assert_eq!(cfg.get("NEGOTIATOR_MIN_INTERVAL").as_deref(), Some("5"), "the table's default is HTCondor's");
        assert_eq!(core_settings(&cfg).unwrap().min_interval_secs, 0.0);
        let cfg = daemon::Settings::from_text("NEGOTIATOR", "NEGOTIATOR_MIN_INTERVAL = 2\n").unwrap();
        assert_eq!(core_settings(&cfg).unwrap().min_interval_secs, 2.0, "a configured value is honoured");
    }
}
