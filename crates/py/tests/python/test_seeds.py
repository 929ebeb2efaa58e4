"""The seeds' htcondor2/htcondor scripts, run unchanged in spirit against
a personal pool (see each script's docstring for what is adapted)."""

import json

import pytest


def lines_of(out):
    assert out.returncode == 0, f"the script failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout.splitlines()


def value(lines, key):
    for line in lines:
        if line.startswith(key + ":"):
            return line[len(key) + 1:].strip()
    raise AssertionError(f"no line {key!r} in:\n" + "\n".join(lines))


def test_seed_001_remote_submission_workflow(pool, tmp_path, oracle, ours):
    out = pool.run_script("seed001_remote_submission.py", tmp_path)
    lines = lines_of(out)
    assert value(lines, "version").startswith("$CondorVersion: ")
    assert value(lines, "jobs before") == "0 0"
    assert value(lines, "credd ads") == "0"
    assert "no credd" in value(lines, "credd")
    assert value(lines, "before spool") == "[(5, 16)]"  # held: Spooling input data files
    assert value(lines, "test.out") == "Arguments are 'rst' and '123'."
    assert value(lines, "test.err") == "This is an error message"
    assert 'contains a "badger"' in value(lines, "result.txt")
    assert value(lines, "edited") == "1"
    assert value(lines, "history").startswith("[(") and ", 4, 0)]" in value(lines, "history")
    # the job's event log, read by HTCondor's reader and by ours
    log = str(tmp_path / "test.log")
    want = oracle("event_probe.py", {"files": [log]})[log]
    got = ours("event_probe.py", {"files": [log]})[log]
    assert [e["type"] for e in got][:1] == ["SUBMIT"] and "JOB_TERMINATED" in [e["type"] for e in got]
    assert got == want


def test_seed_004_daemon_administration(fresh_pool, tmp_path):
    out = fresh_pool.run_script("seed004_daemon_admin.py", tmp_path)
    lines = lines_of(out)
    assert value(lines, "SCHEDD_LOG") == fresh_pool.dir + "/log/SchedLog"
    assert value(lines, "TOOL_LOG get") == "None"
    assert value(lines, "TOOL_LOG setdefault") == "/tmp/log"
    assert value(lines, "before reload") == "/tmp/log"
    assert value(lines, "after reload") == "None"
    i = lines.index("after reload: None")
    assert lines[i + 1:i + 5] == ["bar", "baz", "bar", "baz"]
    assert value(lines, "master address").startswith("unix:")
    assert value(lines, "local UPDATE_INTERVAL") == "300" or value(lines, "local UPDATE_INTERVAL").isdigit()
    assert "do not serve" in value(lines, "remote read refused")
    assert value(lines, "remote set refused") == "Failed to set remote daemon parameter."
    assert value(lines, "log has config line") == "True"
    assert value(lines, "log has message") == "True"
    assert value(lines, "schedd off") == "yes"
    assert value(lines, "schedd on") == "yes"
    assert value(lines, "pool off") == "yes"
