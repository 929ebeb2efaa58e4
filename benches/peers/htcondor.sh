#!/usr/bin/env bash
# HTCondor as a benchmark peer.
#
# `aerie bench burst|latency --peer htcondor` runs the same workload as
# Aerie's (a fresh personal pool, condor_submit, condor_wait) through a real
# HTCondor's tools, found in $AERIE_HTCONDOR_BIN or on PATH. This script
# only looks for one: no package registry this project uses provides
# HTCondor's daemons —
#   - Debian 12 (bookworm) has no `htcondor` package (`apt-cache policy htcondor`: no candidate);
#   - PyPI's `htcondor` wheel carries the Python bindings (htcondor2, classad2)
#     and a few Python tools, not condor_master/condor_schedd/condor_startd.
# HTCondor's project publishes .deb packages in repositories of its own;
# on a machine that can reach them, install `condor` from there and the
# bench finds it on PATH.
set -euo pipefail
if [ -n "${AERIE_HTCONDOR_BIN:-}" ]; then
  dir="$AERIE_HTCONDOR_BIN"
elif m="$(command -v condor_master 2>/dev/null)"; then
  dir="$(dirname "$m")"
else
  dir=""
fi
if [ -n "$dir" ] && [ -x "$dir/condor_version" ] && ! "$dir/condor_version" | grep -q Aerie; then
  echo "HTCondor found in $dir: $("$dir/condor_version" | head -1)"
  exit 0
fi
if command -v apt-cache >/dev/null && apt-cache policy htcondor 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  echo "Debian offers htcondor here: sudo apt-get install htcondor"
  exit 1
fi
echo "No HTCondor installation found, and no package registry reachable here provides one (see the comment in $0)." >&2
exit 1
