//! The master's decisions: a state machine over its children.
//!
//! Time comes in as seconds since the epoch; the shell turns the returned
//! [`Action`]s into process spawns, signals and a timer. Rules, after
//! HTCondor's master:
//!
//! - The collector (when it is in `DAEMON_LIST`) starts first; the others
//!   start once it answers, or after [`Policy::collector_wait`] seconds.
//! - A child that exits unasked is restarted after
//!   `MASTER_BACKOFF_CONSTANT + ceil(MASTER_BACKOFF_FACTOR ^ restarts)`
//!   seconds, capped by `MASTER_BACKOFF_CEILING`; a child that ran
//!   `MASTER_RECOVER_FACTOR` seconds has its restart count reset.
//! - Shutdown sends SIGTERM to every child but the collector, then to the
//!   collector once the others are gone (so they can withdraw their ads);
//!   children still alive after `SHUTDOWN_GRACEFUL_TIMEOUT` get SIGKILL.
//!   Then the master exits.

use proto::master::{ChildState, ChildStatus};

/// Restart and shutdown timing.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub backoff_constant: f64,
    pub backoff_factor: f64,
    pub backoff_ceiling: f64,
    pub recover_after: f64,
    pub graceful_timeout: f64,
    /// How long the other daemons wait for the collector to answer.
    pub collector_wait: f64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            backoff_constant: 9.0,
            backoff_factor: 2.0,
            backoff_ceiling: 3600.0,
            recover_after: 300.0,
            graceful_timeout: 1800.0,
            collector_wait: 10.0,
        }
    }
}

/// How a signal should stop a child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    Term,
    Kill,
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Start child `name` (its address file should be removed first).
    Spawn(String),
    /// Signal child `name` (process `pid`).
    Signal { name: String, pid: u32, how: Stop },
    /// Call [`Master::on_timer`] at this time (the latest request wins).
    Timer(f64),
    /// Write a line to the MasterLog.
    Log(String),
    /// Every child is gone and a shutdown was asked: exit.
    Exit,
}

#[derive(Debug, Clone)]
struct Child {
    name: String,
    state: ChildState,
    pid: Option<u32>,
    starts: u32,
    restarts: u32,
    started_at: Option<f64>,
    last_exit: Option<String>,
    restart_at: Option<f64>,
    stop_deadline: Option<f64>,
    /// Turned off by `condor_off -daemon` (or stopping for a restart that
    /// brings it back: `restart_after_stop`).
    off: bool,
    restart_after_stop: bool,
    ready: bool,
}

/// The master's children and what happens to them next.
#[derive(Debug, Clone)]
pub struct Master {
    policy: Policy,
    children: Vec<Child>,
    shutting_down: bool,
    shutdown_fast: bool,
    started: f64,
    exited: bool,
}

fn is_collector(name: &str) -> bool {
    name.eq_ignore_ascii_case("COLLECTOR")
}

impl Master {
    /// A master for the `DAEMON_LIST` names (`MASTER` itself is skipped).
    pub fn new(daemon_list: &[String], policy: Policy) -> Master {
        let mut seen: Vec<String> = Vec::new();
        let mut children = Vec::new();
        // The collector first, then the others in their listed order.
        let mut names: Vec<String> = daemon_list.iter().map(|n| n.to_ascii_uppercase()).collect();
        names.sort_by_key(|n| !is_collector(n));
        for name in names {
            if name == "MASTER" || seen.contains(&name) {
                continue;
            }
            seen.push(name.clone());
            children.push(Child {
                name,
                state: ChildState::Waiting,
                pid: None,
                starts: 0,
                restarts: 0,
                started_at: None,
                last_exit: None,
                restart_at: None,
                stop_deadline: None,
                off: false,
                restart_after_stop: false,
                ready: false,
            });
        }
        Master { policy, children, shutting_down: false, shutdown_fast: false, started: 0.0, exited: false }
    }

    fn child(&mut self, name: &str) -> Option<&mut Child> {
        self.children.iter_mut().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    fn has_collector(&self) -> bool {
        self.children.iter().any(|c| is_collector(&c.name))
    }

    fn collector_ready(&self) -> bool {
        self.children.iter().any(|c| is_collector(&c.name) && c.ready)
    }

    fn spawn(c: &mut Child, out: &mut Vec<Action>) {
        c.state = ChildState::Starting;
        c.restart_at = None;
        c.ready = false;
        out.push(Action::Spawn(c.name.clone()));
    }

    /// The master started at `now`: start the collector (or everything).
    pub fn on_start(&mut self, now: f64) -> Vec<Action> {
        self.started = now;
        let mut out = Vec::new();
        let has_collector = self.has_collector();
        for c in &mut self.children {
            if !has_collector || is_collector(&c.name) {
                Self::spawn(c, &mut out);
            }
        }
        if has_collector && self.children.len() > 1 {
            out.push(Action::Timer(now + self.policy.collector_wait));
        }
        out
    }

    /// The shell spawned child `name` as `pid`.
    pub fn on_spawned(&mut self, name: &str, pid: u32, now: f64) -> Vec<Action> {
        let mut out = Vec::new();
        if let Some(c) = self.child(name) {
            c.pid = Some(pid);
            c.starts += 1;
            c.started_at = Some(now);
            out.push(Action::Log(format!("Started DaemonCore process \"{}\", pid {pid}", c.name)));
        }
        out
    }

    /// Spawning child `name` failed (missing binary, …): treat as an exit.
    pub fn on_spawn_failed(&mut self, name: &str, reason: &str, now: f64) -> Vec<Action> {
        let mut out = vec![Action::Log(format!("cannot start {name}: {reason}"))];
        out.extend(self.exited_unasked(name, format!("could not start: {reason}"), now));
        out
    }

    /// Child `name` answers requests (its address file appeared).
    pub fn on_ready(&mut self, name: &str, now: f64) -> Vec<Action> {
        let mut out = Vec::new();
        let Some(c) = self.child(name) else { return out };
        if c.pid.is_none() || c.state != ChildState::Starting {
            return out;
        }
        c.state = ChildState::Running;
        c.ready = true;
        let _ = now;
        let collector = is_collector(&c.name);
        if collector && !self.shutting_down {
            out.extend(self.start_waiting());
        }
        out
    }

    fn start_waiting(&mut self) -> Vec<Action> {
        let mut out = Vec::new();
        for c in &mut self.children {
            if c.state == ChildState::Waiting && !c.off {
                Self::spawn(c, &mut out);
            }
        }
        out
    }

    /// Child `name` exited; `how` says how (`exited with status 1`).
    pub fn on_exit(&mut self, name: &str, how: &str, now: f64) -> Vec<Action> {
        let shutting_down = self.shutting_down;
        let Some(c) = self.child(name) else { return Vec::new() };
        c.pid = None;
        c.ready = false;
        c.last_exit = Some(how.to_string());
        c.stop_deadline = None;
        let mut out = Vec::new();
        if c.state == ChildState::Stopping || shutting_down {
            out.push(Action::Log(format!("The {} {how}", c.name)));
            if c.restart_after_stop && !shutting_down {
                c.restart_after_stop = false;
                c.off = false;
                Self::spawn(c, &mut out);
            } else {
                c.state = ChildState::Stopped;
            }
            if shutting_down {
                out.extend(self.continue_shutdown(now));
            }
            return out;
        }
        out.extend(self.exited_unasked(name, how.to_string(), now));
        out
    }

    fn exited_unasked(&mut self, name: &str, how: String, now: f64) -> Vec<Action> {
        let policy = self.policy.clone();
        let Some(c) = self.child(name) else { return Vec::new() };
        // A child that ran long enough has recovered.
        if c.started_at.is_some_and(|t| now - t >= policy.recover_after) {
            c.restarts = 0;
        }
        let delay = (policy.backoff_constant + policy.backoff_factor.powi(c.restarts as i32).ceil()).min(policy.backoff_ceiling);
        c.restarts += 1;
        c.state = ChildState::Backoff;
        c.pid = None;
        c.last_exit = Some(how.clone());
        c.restart_at = Some(now + delay);
        vec![
            Action::Log(format!("The {} {how}; restarting it in {delay} seconds", c.name)),
            Action::Timer(now + delay),
        ]
    }

    /// Time passed: restart children whose backoff is over, start waiting
    /// ones if the collector took too long, SIGKILL children that ignore
    /// SIGTERM past the graceful timeout.
    pub fn on_timer(&mut self, now: f64) -> Vec<Action> {
        let mut out = Vec::new();
        let collector_late = now >= self.started + self.policy.collector_wait;
        let shutting = self.shutting_down;
        let collector_ready = self.collector_ready();
        for c in &mut self.children {
            if shutting || c.off {
                continue;
            }
            if c.state == ChildState::Backoff && c.restart_at.is_some_and(|t| t <= now) {
                Self::spawn(c, &mut out);
            } else if c.state == ChildState::Waiting && (collector_late || collector_ready) {
                if collector_late && !collector_ready {
                    out.push(Action::Log(format!("the collector does not answer yet; starting {} anyway", c.name)));
                }
                Self::spawn(c, &mut out);
            }
        }
        for c in &mut self.children {
            if let (Some(deadline), Some(pid)) = (c.stop_deadline, c.pid) {
                if deadline <= now {
                    c.stop_deadline = None;
                    out.push(Action::Log(format!("The {} did not stop in time; killing it", c.name)));
                    out.push(Action::Signal { name: c.name.clone(), pid, how: Stop::Kill });
                }
            }
        }
        if let Some(next) = self.next_deadline() {
            out.push(Action::Timer(next));
        }
        out
    }

    fn next_deadline(&self) -> Option<f64> {
        let mut t: Option<f64> = None;
        let mut take = |v: f64| t = Some(t.map_or(v, |x: f64| x.min(v)));
        for c in &self.children {
            if let Some(r) = c.restart_at {
                if !self.shutting_down && !c.off {
                    take(r);
                }
            }
            if let (Some(d), Some(_)) = (c.stop_deadline, c.pid) {
                take(d);
            }
            if c.state == ChildState::Waiting && !self.shutting_down && !c.off {
                take(self.started + self.policy.collector_wait);
            }
        }
        t
    }

    fn stop_child(c: &mut Child, how: Stop, deadline: f64, out: &mut Vec<Action>) {
        match c.pid {
            Some(pid) => {
                c.state = ChildState::Stopping;
                c.stop_deadline = if how == Stop::Term { Some(deadline) } else { None };
                out.push(Action::Signal { name: c.name.clone(), pid, how });
            }
            None => {
                c.state = ChildState::Stopped;
                c.restart_at = None;
            }
        }
    }

    /// Stop everything and exit (SIGTERM, `condor_off -master`, `aerie pool stop`).
    pub fn on_shutdown(&mut self, fast: bool, now: f64) -> Vec<Action> {
        let mut out = Vec::new();
        if self.shutting_down && (!fast || self.shutdown_fast) {
            return out;
        }
        out.push(Action::Log(format!("shutting down {}", if fast { "fast" } else { "gracefully" })));
        self.shutting_down = true;
        self.shutdown_fast |= fast;
        out.extend(self.continue_shutdown(now));
        out
    }

    fn continue_shutdown(&mut self, now: f64) -> Vec<Action> {
        let mut out = Vec::new();
        let how = if self.shutdown_fast { Stop::Kill } else { Stop::Term };
        let deadline = now + self.policy.graceful_timeout;
        let others_alive = self.children.iter().any(|c| !is_collector(&c.name) && c.pid.is_some());
        for c in &mut self.children {
            let last = is_collector(&c.name) && others_alive;
            if last {
                continue;
            }
            match c.state {
                ChildState::Stopping if how == Stop::Term => {}
                ChildState::Stopped => {}
                _ => Self::stop_child(c, how, deadline, &mut out),
            }
        }
        if self.children.iter().all(|c| c.pid.is_none()) {
            if !self.exited {
                self.exited = true;
                out.push(Action::Log("All daemons are gone.  Exiting.".into()));
                out.push(Action::Exit);
            }
        } else if let Some(t) = self.next_deadline() {
            out.push(Action::Timer(t));
        }
        out
    }

    /// `condor_off -daemon NAME…`: stop those children and keep them off.
    /// Unknown names are returned as errors (in the order given).
    pub fn on_off(&mut self, names: &[String], fast: bool, now: f64) -> (Vec<Action>, Vec<String>) {
        if names.is_empty() {
            return (self.on_shutdown(fast, now), Vec::new());
        }
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        let deadline = now + self.policy.graceful_timeout;
        for n in names {
            match self.child(n) {
                Some(c) => {
                    c.off = true;
                    c.restart_after_stop = false;
                    c.restart_at = None;
                    if c.pid.is_some() {
                        Self::stop_child(c, if fast { Stop::Kill } else { Stop::Term }, deadline, &mut out);
                    } else {
                        c.state = ChildState::Stopped;
                    }
                }
                None => unknown.push(n.clone()),
            }
        }
        if let Some(t) = self.next_deadline() {
            out.push(Action::Timer(t));
        }
        (out, unknown)
    }

    /// `condor_on` (start children that are off) and `condor_restart`
    /// (`restart`: also stop and start running ones). Empty `names`: all.
    pub fn on_on(&mut self, names: &[String], restart: bool, now: f64) -> (Vec<Action>, Vec<String>) {
        let mut out = Vec::new();
        if self.shutting_down {
            return (out, Vec::new());
        }
        let unknown: Vec<String> =
            names.iter().filter(|n| !self.children.iter().any(|c| c.name.eq_ignore_ascii_case(n))).cloned().collect();
        let deadline = now + self.policy.graceful_timeout;
        for c in &mut self.children {
            if !names.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(&c.name)) {
                continue;
            }
            match c.state {
                ChildState::Stopped | ChildState::Backoff | ChildState::Waiting => {
                    c.off = false;
                    c.restarts = 0;
                    Self::spawn(c, &mut out);
                }
                ChildState::Running | ChildState::Starting if restart => {
                    c.restart_after_stop = true;
                    Self::stop_child(c, Stop::Term, deadline, &mut out);
                }
                ChildState::Stopping => {
                    c.restart_after_stop = true;
                }
                _ => {}
            }
        }
        if let Some(t) = self.next_deadline() {
            out.push(Action::Timer(t));
        }
        (out, unknown)
    }

    pub fn shutting_down(&self) -> bool {
        self.shutting_down
    }

    /// The pid of a running child.
    pub fn pid_of(&self, name: &str) -> Option<u32> {
        self.children.iter().find(|c| c.name.eq_ignore_ascii_case(name)).and_then(|c| c.pid)
    }

    /// The children's names, in start order.
    pub fn names(&self) -> Vec<String> {
        self.children.iter().map(|c| c.name.clone()).collect()
    }

    /// What `/v1/master/status` reports for each child.
    pub fn status(&self) -> Vec<ChildStatus> {
        self.children
            .iter()
            .map(|c| ChildStatus {
                name: c.name.clone(),
                state: c.state,
                pid: c.pid,
                starts: c.starts,
                started_at: c.started_at.map(|t| t as i64),
                addresses: Vec::new(),
                last_exit: c.last_exit.clone(),
                restart_at: c.restart_at.map(|t| t as i64),
                log: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn spawned(actions: &[Action]) -> Vec<String> {
        actions.iter().filter_map(|a| if let Action::Spawn(n) = a { Some(n.clone()) } else { None }).collect()
    }

    fn fast_policy() -> Policy {
        Policy { backoff_constant: 1.0, collector_wait: 5.0, ..Policy::default() }
    }

    #[test]
    fn collector_starts_first_then_the_rest_when_it_answers() {
        let mut m = Master::new(&list(&["MASTER", "SCHEDD", "COLLECTOR", "STARTD"]), fast_policy());
        let a = m.on_start(0.0);
        assert_eq!(spawned(&a), ["COLLECTOR"]);
        m.on_spawned("COLLECTOR", 10, 0.0);
        let a = m.on_ready("COLLECTOR", 0.2);
        assert_eq!(spawned(&a), ["SCHEDD", "STARTD"]);
    }

    #[test]
    fn others_start_anyway_if_the_collector_is_slow() {
        let mut m = Master::new(&list(&["COLLECTOR", "SCHEDD"]), fast_policy());
        m.on_start(0.0);
        m.on_spawned("COLLECTOR", 10, 0.0);
        assert!(spawned(&m.on_timer(4.0)).is_empty());
        assert_eq!(spawned(&m.on_timer(5.0)), ["SCHEDD"]);
    }

    #[test]
    fn a_crashed_child_is_restarted_with_growing_backoff() {
        let mut m = Master::new(&list(&["SCHEDD"]), fast_policy());
        assert_eq!(spawned(&m.on_start(0.0)), ["SCHEDD"]);
        m.on_spawned("SCHEDD", 11, 0.0);
        m.on_ready("SCHEDD", 0.1);
        let a = m.on_exit("SCHEDD", "died on signal 9 (Killed)", 10.0);
        // 1 + ceil(2^0) = 2 seconds.
        assert!(a.contains(&Action::Timer(12.0)), "{a:?}");
        assert!(spawned(&m.on_timer(11.9)).is_empty());
        assert_eq!(spawned(&m.on_timer(12.0)), ["SCHEDD"]);
        m.on_spawned("SCHEDD", 12, 12.0);
        let a = m.on_exit("SCHEDD", "exited with status 1", 13.0);
        // 1 + ceil(2^1) = 3 seconds.
        assert!(a.contains(&Action::Timer(16.0)), "{a:?}");
        let st = m.status();
        assert_eq!(st[0].state, ChildState::Backoff);
        assert_eq!(st[0].starts, 2);
        assert_eq!(st[0].last_exit.as_deref(), Some("exited with status 1"));
    }

    #[test]
    fn a_child_that_ran_long_enough_restarts_at_the_first_backoff() {
        let mut m = Master::new(&list(&["STARTD"]), fast_policy());
        m.on_start(0.0);
        m.on_spawned("STARTD", 5, 0.0);
        m.on_exit("STARTD", "x", 1.0);
        m.on_timer(3.0);
        m.on_spawned("STARTD", 6, 3.0);
        let a = m.on_exit("STARTD", "x", 1000.0);
        assert!(a.contains(&Action::Timer(1002.0)), "{a:?}");
    }

    #[test]
    fn shutdown_stops_the_collector_last_and_then_exits() {
        let mut m = Master::new(&list(&["COLLECTOR", "SCHEDD", "STARTD"]), fast_policy());
        m.on_start(0.0);
        m.on_spawned("COLLECTOR", 1, 0.0);
        m.on_ready("COLLECTOR", 0.0);
        m.on_spawned("SCHEDD", 2, 0.0);
        m.on_spawned("STARTD", 3, 0.0);
        let a = m.on_shutdown(false, 1.0);
        let signalled: Vec<_> =
            a.iter().filter_map(|x| if let Action::Signal { name, .. } = x { Some(name.as_str()) } else { None }).collect();
        assert_eq!(signalled, ["SCHEDD", "STARTD"]);
        assert!(!m.on_exit("SCHEDD", "exited with status 0", 1.1).contains(&Action::Exit));
        let a = m.on_exit("STARTD", "exited with status 0", 1.2);
        assert!(a.iter().any(|x| matches!(x, Action::Signal { name, how: Stop::Term, .. } if name == "COLLECTOR")));
        let a = m.on_exit("COLLECTOR", "exited with status 0", 1.3);
        assert!(a.contains(&Action::Exit));
        // A crash during shutdown is not restarted.
        assert!(spawned(&m.on_timer(100.0)).is_empty());
    }

    #[test]
    fn children_ignoring_sigterm_are_killed_after_the_graceful_timeout() {
        let mut m = Master::new(&list(&["SCHEDD"]), Policy { graceful_timeout: 5.0, ..fast_policy() });
        m.on_start(0.0);
        m.on_spawned("SCHEDD", 2, 0.0);
        m.on_shutdown(false, 10.0);
        let a = m.on_timer(15.0);
        assert!(a.contains(&Action::Signal { name: "SCHEDD".into(), pid: 2, how: Stop::Kill }), "{a:?}");
    }

    #[test]
    fn off_keeps_a_daemon_down_and_on_brings_it_back() {
        let mut m = Master::new(&list(&["SCHEDD", "STARTD"]), fast_policy());
        m.on_start(0.0);
        m.on_spawned("SCHEDD", 2, 0.0);
        m.on_spawned("STARTD", 3, 0.0);
        let (a, unknown) = m.on_off(&list(&["schedd", "nope"]), false, 1.0);
        assert_eq!(unknown, ["nope"]);
        assert!(a.iter().any(|x| matches!(x, Action::Signal { name, .. } if name == "SCHEDD")));
        m.on_exit("SCHEDD", "exited with status 0", 1.5);
        assert!(spawned(&m.on_timer(100.0)).is_empty());
        assert_eq!(m.status()[0].state, ChildState::Stopped);
        let (a, _) = m.on_on(&list(&["SCHEDD"]), false, 101.0);
        assert_eq!(spawned(&a), ["SCHEDD"]);
    }

    #[test]
    fn restart_stops_and_starts_again() {
        let mut m = Master::new(&list(&["STARTD"]), fast_policy());
        m.on_start(0.0);
        m.on_spawned("STARTD", 3, 0.0);
        m.on_ready("STARTD", 0.1);
        let (a, _) = m.on_on(&[], true, 1.0);
        assert!(a.iter().any(|x| matches!(x, Action::Signal { how: Stop::Term, .. })));
        let a = m.on_exit("STARTD", "exited with status 0", 1.2);
        assert_eq!(spawned(&a), ["STARTD"]);
    }

    #[test]
    fn shutdown_with_no_children_exits_at_once() {
        let mut m = Master::new(&list(&["MASTER"]), fast_policy());
        m.on_start(0.0);
        assert!(m.on_shutdown(false, 1.0).contains(&Action::Exit));
    }
}
