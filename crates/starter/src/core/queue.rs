//! The starter's job queue: one job runs at a time, the next ones wait in
//! order, signals reach the running job's process group or drop a waiting
//! job, and a shutdown (or the end of input) stops everything.

use std::collections::VecDeque;

use proto::startd::{JobExit, Signal, StarterCommand, StarterEvent, StarterJob};
use proto::JobId;

/// Signals the service sends to a job's process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    /// The job's `KillSig` (SIGTERM unless it says otherwise).
    Soft,
    Kill,
    Stop,
    Cont,
}

/// What the service must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Prepare and spawn this job, then call `on_launched` or `on_launch_failed`.
    Launch(Box<StarterJob>),
    /// Signal the running job's process group.
    Signal { job_id: JobId, sig: Sig },
    /// Tell the startd.
    Emit(StarterEvent),
    /// Call `on_timer` at this time.
    Timer(f64),
    /// Nothing is left to do: exit.
    Exit,
}

#[derive(Debug, Clone)]
struct Running {
    job_id: JobId,
    launched: bool,
    stop_requested: bool,
    kill_at: Option<f64>,
    vacate_secs: u64,
    /// A stop asked for while the job was being prepared.
    pending: Option<Signal>,
}

/// The starter's state.
#[derive(Debug, Default)]
pub struct Starter {
    queue: VecDeque<StarterJob>,
    running: Option<Running>,
    shutting_down: bool,
    /// Kill at once (input closed) rather than vacate gracefully.
    hard: bool,
    exited: bool,
}

/// Default seconds between the soft signal and SIGKILL.
pub const DEFAULT_VACATE_SECS: u64 = 10;

fn dropped(job_id: JobId, stopped: bool) -> StarterEvent {
    let mut e = JobExit::empty("", job_id);
    e.not_started = true;
    e.stopped_by_request = stopped;
    StarterEvent::Exited(Box::new(e))
}

impl Starter {
    pub fn new() -> Starter {
        Starter::default()
    }

    pub fn is_idle(&self) -> bool {
        self.running.is_none() && self.queue.is_empty()
    }

    /// The job now running, if any.
    pub fn running(&self) -> Option<JobId> {
        self.running.as_ref().map(|r| r.job_id)
    }

    fn next(&mut self) -> Vec<Action> {
        if self.running.is_some() {
            return Vec::new();
        }
        if self.shutting_down {
            let mut out: Vec<Action> =
                self.queue.drain(..).map(|j| Action::Emit(dropped(j.job_id, true))).collect();
            if !self.exited {
                self.exited = true;
                out.push(Action::Exit);
            }
            return out;
        }
        match self.queue.pop_front() {
            Some(job) => {
                self.running = Some(Running {
                    job_id: job.job_id,
                    launched: false,
                    stop_requested: false,
                    kill_at: None,
                    vacate_secs: DEFAULT_VACATE_SECS,
                    pending: None,
                });
                vec![Action::Launch(Box::new(job))]
            }
            None => Vec::new(),
        }
    }

    /// A command from the startd.
    pub fn on_command(&mut self, cmd: StarterCommand, now: f64) -> Vec<Action> {
        match cmd {
            StarterCommand::Run(job) => {
                if self.shutting_down {
                    return vec![Action::Emit(dropped(job.job_id, true))];
                }
                self.queue.push_back(*job);
                self.next()
            }
            StarterCommand::Signal { job_id, signal, vacate_secs } => self.signal(job_id, signal, vacate_secs, now),
            StarterCommand::Shutdown => self.shutdown(false, now),
        }
    }

    fn signal(&mut self, job_id: JobId, signal: Signal, vacate_secs: u64, now: f64) -> Vec<Action> {
        if let Some(pos) = self.queue.iter().position(|j| j.job_id == job_id) {
            return match signal {
                Signal::Vacate | Signal::Kill => {
                    self.queue.remove(pos);
                    vec![Action::Emit(dropped(job_id, true))]
                }
                Signal::Suspend | Signal::Continue => Vec::new(),
            };
        }
        let Some(r) = self.running.as_mut().filter(|r| r.job_id == job_id) else { return Vec::new() };
        match signal {
            Signal::Kill => {
                r.stop_requested = true;
                r.kill_at = None;
                if r.launched {
                    vec![Action::Signal { job_id, sig: Sig::Kill }]
                } else {
                    r.pending = Some(Signal::Kill);
                    Vec::new()
                }
            }
            Signal::Vacate => {
                r.stop_requested = true;
                let secs = if vacate_secs > 0 { vacate_secs } else { r.vacate_secs };
                if !r.launched {
                    if r.pending.is_none() {
                        r.pending = Some(Signal::Vacate);
                    }
                    return Vec::new();
                }
                if r.kill_at.is_none() {
                    let at = now + secs as f64;
                    r.kill_at = Some(at);
                    vec![Action::Signal { job_id, sig: Sig::Soft }, Action::Timer(at)]
                } else {
                    Vec::new()
                }
            }
            Signal::Suspend => vec![Action::Signal { job_id, sig: Sig::Stop }],
            Signal::Continue => vec![Action::Signal { job_id, sig: Sig::Cont }],
        }
    }

    fn shutdown(&mut self, hard: bool, now: f64) -> Vec<Action> {
        self.shutting_down = true;
        self.hard |= hard;
        let mut out: Vec<Action> = self.queue.drain(..).map(|j| Action::Emit(dropped(j.job_id, true))).collect();
        match self.running.as_ref().map(|r| r.job_id) {
            Some(id) => {
                let how = if self.hard { Signal::Kill } else { Signal::Vacate };
                out.extend(self.signal(id, how, 0, now));
            }
            None => out.extend(self.next()),
        }
        out
    }

    /// The startd went away (end of input): kill everything and exit.
    pub fn on_input_closed(&mut self, now: f64) -> Vec<Action> {
        self.shutdown(true, now)
    }

    /// The job's process was spawned; `vacate_secs` is its `JobMaxVacateTime`.
    pub fn on_launched(&mut self, job_id: JobId, pid: u32, vacate_secs: u64, now: f64) -> Vec<Action> {
        let mut out = vec![Action::Emit(StarterEvent::Started { job_id, pid, time: now })];
        if let Some(r) = self.running.as_mut().filter(|r| r.job_id == job_id) {
            r.launched = true;
            r.vacate_secs = vacate_secs;
            // A stop that arrived while the job was being prepared.
            if let Some(sig) = r.pending.take() {
                out.extend(self.signal(job_id, sig, 0, now));
            }
        }
        out
    }

    /// The job could not be started (`exit` says why).
    pub fn on_launch_failed(&mut self, exit: JobExit) -> Vec<Action> {
        if self.running.as_ref().is_some_and(|r| r.job_id == exit.job_id) {
            self.running = None;
        }
        let mut out = vec![Action::Emit(StarterEvent::Exited(Box::new(exit)))];
        out.extend(self.next());
        out
    }

    /// The job ended and its output was transferred (`exit` is filled in
    /// but for `stopped_by_request`, which the queue knows).
    pub fn on_job_done(&mut self, mut exit: JobExit) -> Vec<Action> {
        if let Some(r) = self.running.take() {
            if r.job_id == exit.job_id {
                exit.stopped_by_request |= r.stop_requested || r.kill_at.is_some();
            } else {
                self.running = Some(r);
            }
        }
        let mut out = vec![Action::Emit(StarterEvent::Exited(Box::new(exit)))];
        out.extend(self.next());
        out
    }

    /// Time passed: a vacating job that outlived its grace period is killed.
    pub fn on_timer(&mut self, now: f64) -> Vec<Action> {
        match self.running.as_mut() {
            Some(r) if r.kill_at.is_some_and(|t| t <= now) => {
                r.kill_at = None;
                r.stop_requested = true;
                vec![Action::Signal { job_id: r.job_id, sig: Sig::Kill }]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::WireAd;

    fn id(p: i64) -> JobId {
        JobId { cluster: 1, proc: p }
    }

    fn job(p: i64) -> StarterCommand {
        StarterCommand::Run(Box::new(StarterJob {
            job_id: id(p),
            job: WireAd::new(),
            machine: WireAd::new(),
            slot: "slot1_1".into(),
            execute_dir: "/x".into(),
        }))
    }

    fn launched(a: &[Action]) -> Vec<JobId> {
        a.iter().filter_map(|x| if let Action::Launch(j) = x { Some(j.job_id) } else { None }).collect()
    }

    fn exits(a: &[Action]) -> Vec<(JobId, bool, bool)> {
        a.iter()
            .filter_map(|x| match x {
                Action::Emit(StarterEvent::Exited(e)) => Some((e.job_id, e.not_started, e.stopped_by_request)),
                _ => None,
            })
            .collect()
    }

    fn done(p: i64) -> JobExit {
        let mut e = JobExit::empty("", id(p));
        e.exit_code = Some(0);
        e
    }

    #[test]
    fn jobs_run_one_after_the_other_in_order() {
        let mut s = Starter::new();
        assert_eq!(launched(&s.on_command(job(0), 0.0)), [id(0)]);
        assert!(launched(&s.on_command(job(1), 0.0)).is_empty());
        let a = s.on_launched(id(0), 100, 10, 0.1);
        assert!(matches!(a[..], [Action::Emit(StarterEvent::Started { pid: 100, .. })]));
        let a = s.on_job_done(done(0));
        assert_eq!(exits(&a), [(id(0), false, false)]);
        assert_eq!(launched(&a), [id(1)], "the queued job starts as soon as the first is reported");
        s.on_launched(id(1), 101, 10, 0.2);
        let a = s.on_job_done(done(1));
        assert!(launched(&a).is_empty());
        assert!(s.is_idle());
    }

    #[test]
    fn vacate_sends_the_soft_signal_then_kills_after_the_grace_period() {
        let mut s = Starter::new();
        s.on_command(job(0), 0.0);
        s.on_launched(id(0), 100, 30, 0.0);
        let a = s.on_command(StarterCommand::Signal { job_id: id(0), signal: Signal::Vacate, vacate_secs: 0 }, 1.0);
        assert_eq!(a, [Action::Signal { job_id: id(0), sig: Sig::Soft }, Action::Timer(31.0)]);
        assert!(s.on_timer(30.0).is_empty());
        assert_eq!(s.on_timer(31.0), [Action::Signal { job_id: id(0), sig: Sig::Kill }]);
        let a = s.on_job_done(done(0));
        assert_eq!(exits(&a), [(id(0), false, true)]);
    }

    #[test]
    fn a_queued_job_that_is_removed_never_starts() {
        let mut s = Starter::new();
        s.on_command(job(0), 0.0);
        s.on_command(job(1), 0.0);
        let a = s.on_command(StarterCommand::Signal { job_id: id(1), signal: Signal::Kill, vacate_secs: 0 }, 0.0);
        assert_eq!(exits(&a), [(id(1), true, true)]);
        s.on_launched(id(0), 100, 10, 0.0);
        assert!(launched(&s.on_job_done(done(0))).is_empty());
    }

    #[test]
    fn shutdown_drops_the_queue_vacates_the_job_and_exits_after_it() {
        let mut s = Starter::new();
        s.on_command(job(0), 0.0);
        s.on_command(job(1), 0.0);
        s.on_launched(id(0), 100, 5, 0.0);
        let a = s.on_command(StarterCommand::Shutdown, 1.0);
        assert_eq!(exits(&a), [(id(1), true, true)]);
        assert!(a.contains(&Action::Signal { job_id: id(0), sig: Sig::Soft }));
        let a = s.on_job_done(done(0));
        assert_eq!(exits(&a), [(id(0), false, true)]);
        assert!(a.contains(&Action::Exit));
        // A job sent after the shutdown is refused at once.
        assert_eq!(exits(&s.on_command(job(2), 2.0)), [(id(2), true, true)]);
    }

    #[test]
    fn end_of_input_kills_at_once() {
        let mut s = Starter::new();
        s.on_command(job(0), 0.0);
        s.on_launched(id(0), 100, 5, 0.0);
        let a = s.on_input_closed(1.0);
        assert_eq!(a, [Action::Signal { job_id: id(0), sig: Sig::Kill }]);
        let mut idle = Starter::new();
        assert_eq!(idle.on_input_closed(0.0), [Action::Exit]);
    }

    #[test]
    fn a_kill_during_preparation_is_applied_once_spawned() {
        let mut s = Starter::new();
        s.on_command(job(0), 0.0);
        assert!(s.on_command(StarterCommand::Signal { job_id: id(0), signal: Signal::Kill, vacate_secs: 0 }, 0.0).is_empty());
        let a = s.on_launched(id(0), 100, 5, 0.0);
        assert!(a.contains(&Action::Signal { job_id: id(0), sig: Sig::Kill }), "{a:?}");
    }

    #[test]
    fn a_failed_launch_reports_and_moves_on() {
        let mut s = Starter::new();
        s.on_command(job(0), 0.0);
        s.on_command(job(1), 0.0);
        let mut e = JobExit::empty("", id(0));
        e.start_error = Some("no such file".into());
        let a = s.on_launch_failed(e);
        assert_eq!(exits(&a), [(id(0), false, false)]);
        assert_eq!(launched(&a), [id(1)]);
    }
}
