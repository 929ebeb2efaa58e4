//! Integration tests for the config language and its commands.
