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


# The other kinds of events Aerie's schedd writes, in the format its
# writer (crates/eventlog/src/format.rs) and HTCondor share.
MORE_EVENTS = """\
000 (010.000.000) 2026-11-25 10:47:40 Job submitted from host: <127.0.0.1:9618?addrs=127.0.0.1-9618>
    DAG Node: A
...
002 (010.000.000) 2026-11-25 10:47:41 (0) Job file not executable.
...
001 (010.001.000) 2026-11-25 10:47:42 Job executing on host: <127.0.0.1:9619>
...
006 (010.001.000) 2026-11-25 10:47:43 Image size of job updated: 2048
\t3  -  MemoryUsage of job (MB)
\t2900  -  ResidentSetSize of job (KB)
\t2500  -  ProportionalSetSize of job (KB)
...
010 (010.001.000) 2026-11-25 10:47:44 Job was suspended.
\tNumber of processes actually suspended: 2
...
011 (010.001.000) 2026-11-25 10:47:45 Job was unsuspended.
...
004 (010.001.000) 2026-11-25 10:47:46 Job was evicted.
\t(0) Job terminated and was requeued
\t\tUsr 0 00:00:01, Sys 0 00:00:02  -  Run Remote Usage
\t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Local Usage
\t10  -  Run Bytes Sent By Job
\t20  -  Run Bytes Received By Job
\t(1) Normal termination (return value 3)
\tthe job's OnExitRemove was false
...
005 (010.001.000) 2026-11-25 10:47:47 Job terminated.
\t(0) Abnormal termination (signal 9)
\t(0) No core file
\t\tUsr 0 00:00:01, Sys 0 00:00:02  -  Run Remote Usage
\t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Run Local Usage
\t\tUsr 1 02:03:04, Sys 0 00:00:02  -  Total Remote Usage
\t\tUsr 0 00:00:00, Sys 0 00:00:00  -  Total Local Usage
\t10  -  Run Bytes Sent By Job
\t20  -  Run Bytes Received By Job
\t30  -  Total Bytes Sent By Job
\t40  -  Total Bytes Received By Job
...
012 (010.002.000) 2026-11-25 10:47:48 Job was held.
\tReason unspecified
\tCode 0 Subcode 0
...
013 (010.002.000) 2026-11-25 10:47:49 Job was released.
\tvia condor_release (by user alice)
...
028 (010.002.000) 2026-11-25 10:47:50 Job ad information event triggered.
JobStatus = 2
MyNote = "hi"
...
"""


def test_other_event_kinds_read_as_htcondor_reads_them(oracle, ours, tmp_path):
    path = tmp_path / "more.log"
    path.write_text(MORE_EVENTS)
    compare_logs(oracle, ours, [str(path)])


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
