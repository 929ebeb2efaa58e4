//! HTCondor's submit language: submit descriptions to job ClassAds.
//!
//! Data flows text → statements → variables → job ads:
//!
//! - [`reader`] splits a description into logical lines (continuations,
//!   comments) and [`parse`] reads statements (`name = value`, `+Attr`,
//!   `include`, `if`/`else`) into the submit variables ([`hash`]), stopping
//!   at each `queue` statement;
//! - [`queue`] parses the queue statement and [`items`] loads and walks its
//!   item data (inline rows, files, commands, globs, slices);
//! - the builder (private) turns the variables into one job ad, exactly as
//!   condor_submit does (names, types, defaults, automatic `Requirements`);
//! - [`submission`] runs the whole loop and hands each cluster ad and proc
//!   ad to a [`JobSink`] (the schedd client, [`DryRunWriter`], or memory);
//! - [`factory`] keeps a cluster's digest for late materialization;
//! - [`python`] is the `htcondor2.Submit` shape over all of this.
//!
//! Configuration values (`FILESYSTEM_DOMAIN`, `JOB_DEFAULT_REQUESTMEMORY`,
//! …) come from any [`config::MacroSource`] through [`Params`].

pub mod args;
pub mod dryrun;
pub mod env;
pub mod error;
pub mod eval;
pub mod factory;
pub mod hash;
pub mod items;
pub mod params;
pub mod parse;
pub mod python;
pub mod queue;
pub mod reader;
pub mod submission;
pub mod units;

pub(crate) mod builder;

pub use builder::{universe, BuildOptions, CONDOR_VERSION};
pub use dryrun::DryRunWriter;
pub use error::SubmitError;
pub use factory::{Factory, Materializer};
pub use params::Params;
pub use python::Submit;
pub use submission::{
    ClusterAd, ClusterSummary, CollectSink, FactoryMode, FactorySubmit, JobSink, ProcAd, Report, SubmitFailure,
    SubmitOptions, Submission,
};
