"""Runs classad_bench.py under HTCondor's classad2 and Aerie's and prints
both rates and their ratio (Aerie / HTCondor; above 1 means Aerie is faster)."""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.environ.get("AERIE_PY", os.path.expanduser("~/.cache/aerie-py-venv/bin/python"))
THEIRS = os.environ.get("AERIE_PYTHON", os.path.expanduser("~/.cache/aerie-venv/bin/python"))


def run(py, n):
    out = subprocess.run([py, os.path.join(HERE, "classad_bench.py"), str(n)], capture_output=True, text=True,
                         env=dict(os.environ, CONDOR_CONFIG="/dev/null"), check=True)
    return {r["name"]: r for r in json.loads(out.stdout)}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    ours, theirs = run(OURS, n), run(THEIRS, n)
    print(f"{'operation':36} {'HTCondor ops/s':>15} {'Aerie ops/s':>12} {'ratio':>7}")
    for name, o in ours.items():
        t = theirs[name]
        ro, rt = o["n"] / o["secs"], t["n"] / t["secs"]
        print(f"{name:36} {rt:15.0f} {ro:12.0f} {ro / rt:7.2f}")


main()
