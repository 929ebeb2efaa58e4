//! The starter.
