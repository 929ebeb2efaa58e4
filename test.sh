#!/usr/bin/env bash
# Runs every Aerie test: unit tests, golden and conformance tests, and the
# differential tests against HTCondor's own Python modules.
#
# The client tests (cargo test -p aerie-cli --test clients) run the real
# dask-jobqueue, parsl and htcondor2 against a personal pool; they install
# tests/requirements-clients.txt into ~/.cache/aerie-clients-venv on first use.
#
# HTCondor's `htcondor` wheel (PyPI) is the oracle for the differential tests;
# it is installed into a virtual environment under ~/.cache on first use.
set -euo pipefail
cd "$(dirname "$0")"
export AERIE_SHARED="${AERIE_SHARED:-$(cd .. && pwd)/shared}"
[ -d "$AERIE_SHARED/conformance" ] || echo "note: $AERIE_SHARED not found; corpus and golden tests will say they were skipped"

venv="${AERIE_VENV:-$HOME/.cache/aerie-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import htcondor2" 2>/dev/null; then
  echo "setting up $venv (htcondor from PyPI, the reference implementation for differential tests)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
fi
export AERIE_PYTHON="$venv/bin/python"

cargo test --workspace --locked "$@"

# The Python API (crates/py): build the extension into a venv of its own
# (maturin and pytest from PyPI, installed once) and run its tests: the
# differential tests against HTCondor's modules and the seeds' scripts
# against a personal pool (started with the aerie binary built above).
pyvenv="${AERIE_PY_VENV:-$HOME/.cache/aerie-py-venv}"
if [ ! -x "$pyvenv/bin/maturin" ] || ! "$pyvenv/bin/python" -c "import pytest" 2>/dev/null; then
  echo "setting up $pyvenv (maturin and pytest from PyPI, to build and test the Python API)"
  python3 -m venv "$pyvenv"
  "$pyvenv/bin/pip" install --quiet --disable-pip-version-check -r crates/py/tests/requirements.txt
fi
cargo build --locked -p aerie-cli
(cd crates/py && VIRTUAL_ENV="$pyvenv" PATH="$pyvenv/bin:$PATH" maturin develop --quiet --locked)
AERIE_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/aerie" "$pyvenv/bin/python" -m pytest -q crates/py/tests/python
