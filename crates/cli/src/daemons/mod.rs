//! Entry points of the daemons (`aerie schedd`, `condor_schedd`, …).

pub mod master;
pub mod collector;
pub mod negotiator;
pub mod schedd;
pub mod startd;
pub mod starter;
