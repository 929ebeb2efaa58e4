"""Refusals a user meets first say what to do."""

import os
import subprocess
import sys


def run(code, **env):
    e = dict(os.environ)
    e.pop("CONDOR_CONFIG", None)
    e.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, timeout=60)


def test_no_pool_configured_says_how_to_point_at_one():
    out = run("import htcondor2\ntry:\n    htcondor2.Schedd()\nexcept htcondor2.HTCondorException as e:\n    print(e)",
              CONDOR_CONFIG="/dev/null")
    assert out.returncode == 0, out.stderr
    assert "CONDOR_CONFIG=/dev/null" in out.stdout and "aerie pool start" in out.stdout


def test_broken_configuration_names_the_file_and_line(tmp_path):
    cfg = tmp_path / "condor_config"
    cfg.write_text("A = 1\nif true\nB = 2\n")
    out = run("import htcondor2\ntry:\n    htcondor2.param['A']\nexcept htcondor2.HTCondorException as e:\n    print(e)",
              CONDOR_CONFIG=str(cfg))
    assert out.returncode == 0, out.stderr
    assert str(cfg) in out.stdout


def test_unreachable_collector_names_the_address():
    out = run("import htcondor2\ntry:\n    htcondor2.Collector('127.0.0.1:1').query()\nexcept htcondor2.HTCondorException as e:\n    print(e)")
    assert out.returncode == 0, out.stderr
    assert "tcp:127.0.0.1:1" in out.stdout
