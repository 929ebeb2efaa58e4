//! The two states HTCondor's ClassAd library is seen in.
//!
//! HTCondor's daemons and tools load their configuration first, which
//! switches the library to "old ClassAd semantics" and registers the
//! functions defined outside the core library (`stringList*`, `split*`,
//! `userHome`, `userMap`, `envV1ToV2`, `mergeEnvironment`, `argsToList`,
//! `listToArgs`, `evalInEachContext`, `countMatches`). That configured
//! state is what every HTCondor user sees and is Aerie's default.
//!
//! The bare library, before any configuration (for example HTCondor's
//! `classad2` Python module used on its own), differs in three visible
//! ways, which [`Dialect::Unconfigured`] reproduces:
//! - integer literals with a leading zero are read as decimal (`017` is 17)
//!   and `0x1F` reads as `0`, where the configured parser refuses both;
//! - `;` does not separate function arguments;
//! - bare attribute names do not fall through to the other ad of a match;
//! - the functions listed above do not exist (a call is `error`).

/// Which state of HTCondor's library to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// As HTCondor's configured tools and daemons behave (the default).
    #[default]
    Configured,
    /// The ClassAd library before HTCondor's configuration is loaded.
    Unconfigured,
}

impl Dialect {
    /// True for the configured state (old ClassAd semantics).
    pub fn is_configured(self) -> bool {
        self == Dialect::Configured
    }
}

/// Functions that exist only once HTCondor's configuration has registered
/// them (lower case).
pub(crate) const CONFIGURED_ONLY: &[&str] = &[
    "argstolist",
    "countmatches",
    "envv1tov2",
    "evalineachcontext",
    "listtoargs",
    "mergeenvironment",
    "split",
    "splitslotname",
    "splitusername",
    "stringlist_regexpmember",
    "stringlistavg",
    "stringlistimember",
    "stringlistisubsetmatch",
    "stringlistmax",
    "stringlistmember",
    "stringlistmin",
    "stringlistsize",
    "stringlistsubsetmatch",
    "stringlistsum",
    "userhome",
    "usermap",
];

/// True when `name` (any case) is one of [`CONFIGURED_ONLY`].
pub(crate) fn configured_only(name: &str) -> bool {
    CONFIGURED_ONLY.iter().any(|n| n.eq_ignore_ascii_case(name))
}
