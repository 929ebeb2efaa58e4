//! When to negotiate: on demand, debounced, with an interval as the upper bound.
//!
//! - A reschedule asks for a cycle `NEGOTIATOR_RESCHEDULE_DELAY` from now,
//!   so requests arriving together are served by one cycle; never sooner
//!   than `NEGOTIATOR_MIN_INTERVAL` after the previous cycle started.
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
}

impl Wakeup {
    /// The first cycle is due `delay` after `now` (start-up).
    pub fn new(now: f64, interval: f64, min_interval: f64, delay: f64) -> Wakeup {
        Wakeup { interval, min_interval, delay, due: now + delay, running: false, again: false, last_start: None }
    }

    pub fn reconfigure(&mut self, interval: f64, min_interval: f64, delay: f64) {
        self.interval = interval;
        self.min_interval = min_interval;
        self.delay = delay;
    }

    fn earliest(&self, now: f64) -> f64 {
        let soon = now + self.delay;
        match self.last_start {
            Some(t) => soon.max(t + self.min_interval),
            None => soon,
        }
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
        w.on_cycle_finished(0.5);
        assert_eq!(w.poll(0.505), Wake::Negotiate);
        w.on_cycle_finished(0.6);
        assert_eq!(w.poll(0.7), Wake::SleepUntil(60.6));
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
}
