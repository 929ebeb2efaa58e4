//! Typed calls to the schedd's `/v1` endpoints.
