//! Core tests: each one describes a pool and the schedds' requests, runs
//! cycles through the plan-recording [`harness`], and checks the plans.

mod harness;

mod fair_share;
mod held_matches;
mod matching;
