//! The starter process.
