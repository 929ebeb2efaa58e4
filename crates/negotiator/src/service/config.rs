//! Where the negotiator reads its configuration: every knob goes through
//! the daemon's configuration view (`NEGOTIATOR.X` before `X`,
//! `_CONDOR_X` overrides, macros expanded) into the core's [`Settings`].

use anyhow::Context;

use crate::core::Settings;

/// The core's settings from the daemon's configuration.
pub fn core_settings(cfg: &daemon::Settings) -> anyhow::Result<Settings> {
    Settings::from_params(|k| cfg.get(k)).context("the negotiator's configuration cannot be used")
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
}
