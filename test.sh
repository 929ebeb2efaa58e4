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
