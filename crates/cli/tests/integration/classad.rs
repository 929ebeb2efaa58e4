//! Integration tests for the classad language and its commands.
