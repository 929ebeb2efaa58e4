//! When to negotiate: on demand, debounced, with an interval as the upper bound.
//!
//! - A reschedule asks for a cycle `NEGOTIATOR_RESCHEDULE_DELAY` from now
//!   (5 ms), so requests arriving together are served by one cycle.
//! - Against storms of reschedules, a requested cycle never starts sooner
//!   than `NEGOTIATOR_MIN_INTERVAL` after the previous cycle started (0 in
//!   Aerie, 5 s in HTCondor), nor sooner after the previous cycle ended
//!   than that cycle took: the negotiator spends at most half its time
//!   negotiating, however often it is asked. A cycle of a few milliseconds
//!   delays the next by as much; one of a big pool spaces them by its cost.
//! - A reschedule arriving during a cycle causes exactly one more cycle
//!   after it (what it asks for may have been read too early).
//! - Without reschedules, a cycle starts `NEGOTIATOR_INTERVAL` after the
//!   previous one ended.
//!
//! Times are seconds on any monotonic clock the caller chooses.

/// What the service should do now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Wake {
    /// Start a cycle now (then report [`Wakeup::on_cycle_finished`]).
    Negotiate,
    /// Sleep until this time, or until a reschedule arrives.
    SleepUntil(f64),
    /// A cycle is running: wait for it.
    Busy,
}

#[derive(Debug, Clone)]
pub struct Wakeup {
    interval: f64,
    min_interval: f64,
    delay: f64,
    due: f64,
    running: bool,
    again: bool,
    last_start: Option<f64>,
    /// When the previous cycle ended and how long it took.
    last_end: Option<(f64, f64)>,
}

impl Wakeup {
    /// The first cycle is due `delay` after `now` (start-up).
    pub fn new(now: f64, interval: f64, min_interval: f64, delay: f64) -> Wakeup {
        Wakeup { interval, min_interval, delay, due: now + delay, running: false, again: false, last_start: None, last_end: None }
    }

    pub fn reconfigure(&mut self, interval: f64, min_interval: f64, delay: f64) {
        self.interval = interval;
        self.min_interval = min_interval;
        self.delay = delay;
    }

    /// The soonest a requested cycle may start.
    fn earliest(&self, now: f64) -> f64 {
        let mut t = now + self.delay;
        if let Some(start) = self.last_start {
            t = t.max(start + self.min_interval);
        }
        if let Some((end, took)) = self.last_end {
            t = t.max(end + took);
        }
        t
    }

    /// A reschedule arrived.
    pub fn on_reschedule(&mut self, now: f64) {
        if self.running {
            self.again = true;
        } else {
            self.due = self.due.min(self.earliest(now));
        }
    }

    /// What to do at `now`; `Negotiate` marks the cycle as started.
    pub fn poll(&mut self, now: f64) -> Wake {
        if self.running {
            return Wake::Busy;
        }
        if now >= self.due {
            self.running = true;
            self.last_start = Some(now);
            return Wake::Negotiate;
        }
        Wake::SleepUntil(self.due)
    }

    pub fn on_cycle_finished(&mut self, now: f64) {
        self.running = false;
        let took = self.last_start.map_or(0.0, |s| (now - s).max(0.0));
        self.last_end = Some((now, took));
        if self.again {
            self.again = false;
            self.due = self.earliest(now);
        } else {
            self.due = now + self.interval;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reschedules_together_make_one_cycle() {
        let mut w = Wakeup::new(0.0, 60.0, 0.0, 0.005);
        assert_eq!(w.poll(0.01), Wake::Negotiate);
        w.on_cycle_finished(0.02);
        assert_eq!(w.poll(1.0), Wake::SleepUntil(60.02));
        w.on_reschedule(1.0);
        w.on_reschedule(1.001);
        w.on_reschedule(1.002);
        assert_eq!(w.poll(1.003), Wake::SleepUntil(1.005));
        assert_eq!(w.poll(1.005), Wake::Negotiate);
        w.on_cycle_finished(1.01);
        assert_eq!(w.poll(1.02), Wake::SleepUntil(61.01), "no second cycle for the same burst");
    }

    #[test]
    fn a_reschedule_during_a_cycle_runs_one_more() {
        let mut w = Wakeup::new(0.0, 60.0, 0.0, 0.005);
        assert_eq!(w.poll(0.005), Wake::Negotiate);
        w.on_reschedule(0.006);
        w.on_reschedule(0.007);
        assert_eq!(w.poll(0.008), Wake::Busy);
        w.on_cycle_finished(0.015);
        assert_eq!(w.poll(0.025), Wake::Negotiate);
        w.on_cycle_finished(0.03);
        assert_eq!(w.poll(0.7), Wake::SleepUntil(60.03));
    }

    #[test]
    fn min_interval_and_interval_bound_the_cycles() {
        let mut w = Wakeup::new(0.0, 10.0, 5.0, 0.005);
        assert_eq!(w.poll(0.005), Wake::Negotiate);
        w.on_cycle_finished(0.1);
        w.on_reschedule(1.0);
        assert_eq!(w.poll(1.01), Wake::SleepUntil(5.005), "not sooner than MIN_INTERVAL after the last start");
        assert_eq!(w.poll(10.1), Wake::Negotiate);
    }

    #[test]
    fn regression_a_reschedule_starts_a_cycle_within_the_debounce_not_after_htcondors_min_interval() {
        // A submit right after a cycle: with Aerie's default
        // NEGOTIATOR_MIN_INTERVAL (0) it waits for the 5 ms debounce, not
        // for HTCondor's 5 s.
        let s = crate::core::Settings::default();
        let mut w = Wakeup::new(0.0, s.interval_secs, s.min_interval_secs, s.reschedule_delay_secs);
        assert_eq!(w.poll(0.005), Wake::Negotiate);
        w.on_cycle_finished(0.007);
        w.on_reschedule(1.1);
        assert_eq!(w.poll(1.1), Wake::SleepUntil(1.105));
        assert_eq!(w.poll(1.105), Wake::Negotiate);
    }

    #[test]
    fn a_storm_of_reschedules_keeps_the_negotiator_busy_at_most_half_the_time() {
        // Times in binary fractions, so the sums are exact.
        let mut w = Wakeup::new(0.0, 60.0, 0.0, 0.0078125);
        assert_eq!(w.poll(0.25), Wake::Negotiate);
        // A cycle of 0.25 s, with reschedules arriving all along.
        w.on_reschedule(0.375);
        w.on_cycle_finished(0.5);
        assert_eq!(w.poll(0.5), Wake::SleepUntil(0.75), "the next cycle waits as long as the last one took");
        w.on_reschedule(0.625);
        assert_eq!(w.poll(0.75), Wake::Negotiate);
        w.on_cycle_finished(0.75 + 0.00390625);
        w.on_reschedule(0.875);
        assert_eq!(w.poll(0.875), Wake::SleepUntil(0.8828125), "a cheap cycle barely delays the next: the debounce rules");
    }
}
