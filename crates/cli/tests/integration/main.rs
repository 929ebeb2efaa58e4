//! Aerie's integration tests: one test binary that drives the real `aerie`
//! binary (under its own name and its `condor_*` names) as a user would.

mod harness;

mod classad;
mod config;
mod submit;
