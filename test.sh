#!/usr/bin/env bash
# Runs every Aerie test: unit tests, the conformance corpora (via the cli
# crate's integration tests), and, where present, the Python client tests.
set -euo pipefail
cd "$(dirname "$0")"
export AERIE_SHARED="${AERIE_SHARED:-$(cd .. && pwd)/shared}"
cargo test --workspace --locked "$@"
