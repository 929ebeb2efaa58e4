#!/usr/bin/env bash
# HyperQueue as a benchmark peer, from PyPI.
#
#   benches/peers/hyperqueue.sh          make the venv and install PyPI's `hyperqueue`
#
# HyperQueue's `hq` binary is published neither on crates.io nor on PyPI
# (its project ships it as release archives, or it is built from the
# source repository — not done here). PyPI's `hyperqueue` package carries
# the same server and worker inside its extension module; its
# `LocalCluster` starts both in the calling Python process, and that is
# what `aerie bench burst|latency --peer hyperqueue` drives. The venv is
# ${AERIE_PEERS_DIR:-$HOME/.cache/aerie-peers}/hyperqueue-venv, where the
# bench looks for it (or set AERIE_HQ_PYTHON to another python).
set -euo pipefail
VENV="${AERIE_PEERS_DIR:-$HOME/.cache/aerie-peers}/hyperqueue-venv"
command -v python3 >/dev/null || { echo "hyperqueue.sh: python3 not found (apt-get install python3 python3-venv)" >&2; exit 1; }
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade hyperqueue
echo "hyperqueue $("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("hyperqueue"))') in $VENV"
