//! Integration tests for the submit language and its commands.
