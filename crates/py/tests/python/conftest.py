"""Shared fixtures of the Python API tests.

The tests run under the interpreter that has Aerie's modules installed
(test.sh builds them into a venv with maturin). HTCondor's own modules,
the oracle of the differential tests, live in another venv
(``AERIE_PYTHON``, by default ``~/.cache/aerie-venv/bin/python``) and are
only ever run in a subprocess, never imported here.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[3]
SHARED = pathlib.Path(os.environ.get("AERIE_SHARED", REPO.parent / "shared"))


def oracle_python():
    path = os.environ.get("AERIE_PYTHON") or os.path.expanduser("~/.cache/aerie-venv/bin/python")
    return path if os.access(path, os.X_OK) else None


def run_script(python, script, payload, env_extra=None, cwd=None):
    """Run ``script`` (a file in this folder) under ``python`` with ``payload``
    as JSON on stdin; return its JSON answer."""
    env = dict(os.environ)
    env.setdefault("CONDOR_CONFIG", "/dev/null")
    env["TZ"] = "UTC"
    if env_extra:
        env.update(env_extra)
    out = subprocess.run(
        [python, str(HERE / script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
    if out.returncode != 0:
        raise AssertionError(f"{script} under {python} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def oracle():
    """Run a script under HTCondor's own Python modules."""
    py = oracle_python()
    if py is None:
        pytest.skip("HTCondor's Python modules (the oracle) are not installed; run test.sh once")

    def run(script, payload, **kw):
        return run_script(py, script, payload, **kw)

    return run


@pytest.fixture(scope="session")
def ours():
    """Run a script under Aerie's modules (this interpreter)."""

    def run(script, payload, **kw):
        return run_script(sys.executable, script, payload, **kw)

    return run


def aerie_binary():
    """The `aerie` binary the pool tests start pools with."""
    for cand in (os.environ.get("AERIE_BIN"), REPO / "target" / "debug" / "aerie", REPO / "target" / "release" / "aerie"):
        if cand and os.access(str(cand), os.X_OK):
            return str(cand)
    found = shutil.which("aerie")
    return found
