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
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for cand in (os.environ.get("AERIE_BIN"), target / "debug" / "aerie", target / "release" / "aerie"):
        if cand and os.access(str(cand), os.X_OK):
            return str(cand)
    found = shutil.which("aerie")
    return found


class PersonalPool:
    """A personal pool started with `aerie pool start DIR`, stopped at the end."""

    def __init__(self, slots=2):
        import tempfile
        binary = aerie_binary()
        if binary is None:
            pytest.skip("the aerie binary is not built (cargo build -p aerie-cli)")
        self.binary = binary
        # short path: Unix socket paths are limited to 107 bytes
        self.dir = tempfile.mkdtemp(prefix="aerie-py-", dir="/tmp")
        # the pool's own settings go here (aerie pool start reads it last)
        pathlib.Path(self.dir, "condor_config.local").write_text("")
        env = dict(os.environ)
        env.pop("CONDOR_CONFIG", None)
        out = subprocess.run([binary, "pool", "start", self.dir, "--slots", str(slots), "--timeout", "60"],
                             capture_output=True, text=True, env=env, timeout=120)
        if out.returncode != 0 or "export CONDOR_CONFIG=" not in out.stdout:
            self.stop()
            raise AssertionError(f"aerie pool start failed:\n{out.stdout}\n{out.stderr}")
        self.config = os.path.join(self.dir, "condor_config")
        self.env = dict(os.environ, CONDOR_CONFIG=self.config)

    def run_script(self, script, cwd, timeout=180):
        """Run a user's script (a file in seeds/) against this pool."""
        out = subprocess.run([sys.executable, str(HERE / "seeds" / script)], capture_output=True, text=True,
                             env=self.env, cwd=str(cwd), timeout=timeout)
        return out

    def log(self, name):
        try:
            return pathlib.Path(self.dir, "log", name).read_text()
        except OSError:
            return ""

    def stop(self):
        if getattr(self, "stopped", False):
            return
        self.stopped = True
        env = dict(os.environ)
        env.pop("CONDOR_CONFIG", None)
        try:
            subprocess.run([self.binary, "pool", "stop", self.dir, "--fast"], capture_output=True, env=env, timeout=60)
        except Exception:
            pass
        pid_file = pathlib.Path(self.dir, "log", ".master_pid")
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, 0)
            import signal
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pool():
    """One personal pool shared by the tests that only submit and query."""
    p = PersonalPool()
    yield p
    p.stop()


@pytest.fixture
def fresh_pool():
    """A pool of its own, for tests that turn daemons off."""
    p = PersonalPool(slots=1)
    yield p
    p.stop()
