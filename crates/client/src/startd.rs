//! Typed calls to the startd's `/v1` endpoints.
