"""JobEventLog: Aerie's reader against HTCondor's own, and following a
log as it grows."""

import os
import threading
import time

import pytest

from conftest import SHARED

GOLDEN = SHARED / "reference" / "golden"


def golden_logs(tmp_path):
    """The job event logs HTCondor wrote in the golden runs (which Aerie's
    writer reproduces byte for byte), as files."""
    paths = []
    for f in sorted(GOLDEN.glob("*eventlog_*.txt")):
        text = f.read_text()
        body = text.split("# ---- stdout ----\n", 1)[1].split("# ---- stderr ----", 1)[0]
        p = tmp_path / (f.stem + ".log")
        p.write_text(body)
        paths.append(str(p))
    return paths


def compare_logs(oracle, ours, paths):
    want = oracle("event_probe.py", {"files": paths})
    got = ours("event_probe.py", {"files": paths})
    for p in paths:
        assert len(got[p]) == len(want[p]), p
        for i, (w, g) in enumerate(zip(want[p], got[p])):
            assert g == w, f"{os.path.basename(p)} event {i}: HTCondor {w}\nAerie {g}"


def test_golden_logs_read_as_htcondor_reads_them(oracle, ours, tmp_path):
    paths = golden_logs(tmp_path)
    if not paths:
        pytest.skip("golden logs (shared/reference/golden) are not here")
    compare_logs(oracle, ours, paths)


def test_events_follow_a_growing_log(tmp_path):
    import htcondor2
    path = tmp_path / "job.log"
    path.write_text(
        "000 (007.000.000) 2026-11-25 10:47:46 Job submitted from host: <127.0.0.1:1>\n...\n"
    )
    jel = htcondor2.JobEventLog(str(path))
    first = list(jel.events(stop_after=0))
    assert [(e.type, e.cluster, e.proc) for e in first] == [(htcondor2.JobEventType.SUBMIT, 7, 0)]
    assert list(jel.events(stop_after=0)) == []

    def writer():
        time.sleep(0.3)
        with open(path, "a") as f:
            # an event written in two parts: the reader must wait for its end
            f.write("005 (007.000.000) 2026-11-25 10:47:50 Job terminated.\n\t(1) Normal termination (return value 3)\n")
            f.flush()
            time.sleep(0.3)
            f.write("\t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Remote Usage\n...\n")

    t = threading.Thread(target=writer)
    t.start()
    started = time.time()
    events = jel.events(stop_after=10)
    e = next(events)
    t.join()
    assert e.type == htcondor2.JobEventType.JOB_TERMINATED
    assert e["ReturnValue"] == 3 and e["TerminatedNormally"] is True
    assert time.time() - started < 9
    with pytest.raises(StopIteration):
        next(jel.events(stop_after=1))


def test_missing_log_is_an_error_naming_the_file(tmp_path):
    import htcondor2
    with pytest.raises(htcondor2.HTCondorException, match="nope.log"):
        htcondor2.JobEventLog(str(tmp_path / "nope.log"))
