//! condor_status and condor_version against a running pool (filled in with the tools).
