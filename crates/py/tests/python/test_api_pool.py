"""htcondor2 calls against a personal pool, as scripts make them:
queries, submits with counts and item data, job actions, edits, history,
collector queries."""

import getpass
import os
import time

import pytest


@pytest.fixture(scope="module")
def htc(pool):
    import htcondor2
    before = os.environ.get("CONDOR_CONFIG", "/dev/null")
    os.environ["CONDOR_CONFIG"] = pool.config
    htcondor2.reload_config()
    yield htcondor2
    os.environ["CONDOR_CONFIG"] = before
    htcondor2.reload_config()


def wait_for(what, check, timeout=60):
    deadline = time.time() + timeout
    while True:
        got = check()
        if got:
            return got
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_collector_knows_the_pool(htc):
    coll = htc.Collector()
    slots = coll.query(htc.AdType.Startd, projection=["Name", "Cpus", "Memory", "MyType"])
    assert slots and all(s["MyType"] == "Machine" for s in slots)
    assert all(set(s.keys()) <= {"Name", "Cpus", "Memory", "MyType"} for s in slots)
    schedds = coll.locateAll(htc.DaemonType.Schedd)
    assert len(schedds) == 1 and schedds[0]["MyAddress"].startswith("unix:")
    assert coll.query(htc.AdTypes.Schedd, constraint="false") == []
    with pytest.raises(htc.HTCondorException, match="no-such-schedd"):
        coll.locate(htc.DaemonType.Schedd, "no-such-schedd")


def test_submit_count_and_itemdata_then_act_and_history(htc, tmp_path, monkeypatch, oracle, ours):
    monkeypatch.chdir(tmp_path)
    schedd = htc.Schedd()
    sub = htc.Submit({"executable": "/bin/sleep", "arguments": "$(secs)", "log": "jobs.log", "request_memory": "16MB"})
    result = schedd.submit(sub, itemdata=iter([{"secs": "0"}, {"secs": "300"}, {"secs": "301"}]))
    c = result.cluster()
    assert result.num_procs() == 3 and result.first_proc() == 0
    assert result.clusterad()["Cmd"] == "/bin/sleep"

    ads = schedd.query(f"ClusterId == {c}", projection=["ProcId", "Args", "Owner"])
    assert sorted((a["ProcId"], a["Args"]) for a in ads) == [(0, "0"), (1, "300"), (2, "301")]
    assert {a["Owner"] for a in ads} == {getpass.getuser()}
    assert len(schedd.query(f"ClusterId == {c}", limit=2)) == 2
    procs = schedd.query(f"ClusterId == {c}", ["ProcId"], callback=lambda ad: ad["ProcId"])
    assert sorted(procs) == [0, 1, 2]
    mine = schedd.query(opts=htc.QueryOpt.DefaultMyJobsOnly, projection=["ClusterId"])
    assert c in {a["ClusterId"] for a in mine}

    wait_for("proc 0 to finish", lambda: not schedd.query(f"ClusterId == {c} && ProcId == 0", ["JobStatus"]))
    r = schedd.act(htc.JobAction.Hold, f"{c}.1", reason="testing holds")
    assert r["TotalSuccess"] == 1 and r["TotalNotFound"] == 0
    held = wait_for("the hold", lambda: [a for a in schedd.query(f"ClusterId == {c} && ProcId == 1", ["JobStatus", "HoldReason"]) if a["JobStatus"] == 5])
    assert held[0]["HoldReason"].startswith("testing holds")
    # Aerie's schedd answers BadStatus to a release while the held job is
    # still stopping on its slot (HTCondor accepts it); ask until it stopped.
    r = wait_for("the release", lambda: (lambda r: r if r["TotalSuccess"] == 1 else None)(
        schedd.act(htc.JobAction.Release, [f"{c}.1"])), timeout=20)
    assert r["TotalBadStatus"] == 0
    assert schedd.edit(f"{c}.2", "MyNote", '"hello"') == 1
    assert schedd.query(f"ClusterId == {c} && ProcId == 2", ["MyNote"])[0]["MyNote"] == "hello"
    assert schedd.edit(htc.classad.ExprTree(f"ClusterId == {c}"), "MyNumber", 7) == 2
    r = schedd.act(htc.JobAction.Remove, f"ClusterId == {c}", reason="done testing")
    assert r["TotalSuccess"] == 2
    wait_for("the removal", lambda: not schedd.query(f"ClusterId == {c}"))
    hist = schedd.history(f"ClusterId == {c}", projection=["ProcId", "JobStatus", "MyNumber"])
    assert sorted((h["ProcId"], h["JobStatus"]) for h in hist) == [(0, 4), (1, 3), (2, 3)]
    assert [h.get("MyNumber") for h in sorted(hist, key=lambda h: h["ProcId"])] == [None, 7, 7]
    assert len(schedd.history(f"ClusterId == {c}", match=1)) == 1

    # the job event log of the cluster, as scripts follow it
    events = [(e.type, e.proc) for e in htc.JobEventLog("jobs.log").events(stop_after=0)]
    assert (htc.JobEventType.JOB_HELD, 1) in events and (htc.JobEventType.JOB_TERMINATED, 0) in events
    assert (htc.JobEventType.JOB_ABORTED, 2) in events
    # and HTCondor's own reader reads the log the same way
    log = str(tmp_path / "jobs.log")
    assert ours("event_probe.py", {"files": [log]}) == oracle("event_probe.py", {"files": [log]})


def test_submit_descriptions_with_queue_statements(htc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    schedd = htc.Schedd()
    r = schedd.submit(htc.Submit("executable = /bin/true\nhold = true\nqueue 2\n"))
    assert r.num_procs() == 2
    r2 = schedd.submit(htc.Submit({"executable": "/bin/true", "hold": "true"}), count=3)
    assert r2.num_procs() == 3 and r2.cluster() > r.cluster()
    r3 = schedd.submit(htc.Submit({"executable": "/bin/echo", "arguments": "$(x)", "hold": "true"}), queue="x in (p, q)")
    args = sorted(a["Args"] for a in schedd.query(f"ClusterId == {r3.cluster()}", ["Args"]))
    assert args == ["p", "q"]
    for c in (r.cluster(), r2.cluster(), r3.cluster()):
        assert schedd.act(htc.JobAction.Remove, c)["TotalSuccess"] > 0


def test_refusals_say_what_is_wrong(htc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    schedd = htc.Schedd()
    with pytest.raises(htc.HTCondorException, match="MyNote"):
        schedd.edit("999999", "MyNote", "1 +")
    with pytest.raises(ValueError):
        schedd.act(htc.JobAction.Hold, ["not-a-job-id"])
    with pytest.raises(htc.HTCondorException):
        schedd.submit(htc.Submit({"executable": "/bin/true", "request_memory": "-5"}))
    with pytest.raises(htc.HTCondorException, match="tcp"):
        htc.Schedd(htc.classad.ClassAd({"MyAddress": "<10.0.0.1:9618?addrs=x>"}))


def test_negotiator_priorities_and_collector_advertise(htc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    schedd = htc.Schedd()
    r = schedd.submit(htc.Submit({"executable": "/bin/true"}), count=1)
    wait_for("the job to finish", lambda: not schedd.query(f"ClusterId == {r.cluster()}", ["JobStatus"]))
    neg = htc.Negotiator()
    prios = wait_for("a priority record", lambda: [p for p in neg.getPriorities() if p["Name"].startswith(getpass.getuser() + "@")])
    name = prios[0]["Name"]
    assert prios[0]["Priority"] >= 0.5 and prios[0]["PriorityFactor"] >= 1
    neg.setFactor(name, 7.0)
    assert [p["PriorityFactor"] for p in neg.getPriorities() if p["Name"] == name] == [7.0]
    with pytest.raises(htc.HTCondorException):
        neg.setFactor(name, 0.1)  # factors are at least 1

    coll = htc.Collector()
    ad = htc.classad.ClassAd({"MyType": "Generic", "Name": "py-test-ad", "Answer": 42})
    coll.advertise([ad])
    got = coll.query(htc.AdType.Generic, constraint='Name == "py-test-ad"', projection=["Answer"])
    assert [g["Answer"] for g in got] == [42]


def test_v1_transactions_queue_and_xquery(htc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import htcondor
    schedd = htcondor.Schedd()
    sub = htcondor.Submit({"executable": "/bin/echo", "arguments": "$(word)", "hold": "true"})
    with schedd.transaction() as txn:
        c1 = sub.queue(txn, 2)
        r = sub.queue_with_itemdata(txn, 1, iter([{"word": "a"}, {"word": "b"}]))
    assert c1 > 0 and r.cluster() == c1 + 1 and r.num_procs() == 2
    assert len(list(schedd.xquery(f"ClusterId == {c1}", ["ProcId"]))) == 2
    args = sorted(a["Args"] for a in schedd.xquery(f"ClusterId == {r.cluster()}", ["Args"]))
    assert args == ["a", "b"]
    assert schedd.act(htcondor.JobAction.Remove, [str(c1), str(r.cluster())])["TotalSuccess"] == 4


def test_constraints_and_values_with_backslashes_and_reals(htc, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    schedd = htc.Schedd()
    r = schedd.submit(htc.Submit({"executable": "/bin/true", "hold": "true", "+WinPath": '"C:\\\\data\\\\x"', "+Ratio": "2.5"}))
    c = r.cluster()
    ads = schedd.query(htc.classad.ExprTree(f'ClusterId == {c} && Ratio == 2.5'), ["WinPath"])
    assert [a["WinPath"] for a in ads] == ["C:\\\\data\\\\x"]
    assert schedd.edit(c, "Ratio", htc.classad.ExprTree("3.25")) == 1
    assert schedd.query(f"ClusterId == {c}", ["Ratio"])[0]["Ratio"] == 3.25
    assert schedd.act(htc.JobAction.Remove, c)["TotalSuccess"] == 1
