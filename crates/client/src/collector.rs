//! Typed calls to the collector's `/v1` endpoints.
