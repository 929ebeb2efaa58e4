"""Differential tests of `htcondor2.Submit` against HTCondor's own."""

import pytest

CASES = [
    {"dict": {"executable": "/bin/echo", "arguments": "hello world", "request_memory": "1 GB", "+MyProject": "\"x\"",
              "transfer_executable": False, "request_cpus": 2}, "count": 2, "expand": ["request_memory", "executable"]},
    {"text": "executable = /bin/true\narguments = $(Item) $(Process)\nqueue Item in (a, b, c)\n", "expand": ["arguments"]},
    {"text": "executable = /bin/sleep\narguments = 1\nlog = job.log\noutput = out.$(Process)\nqueue 3\n"},
    {"dict": {"executable": "/bin/echo"}, "kwargs": {"universe": "vanilla"}, "count": 1},
    {"dict": {"executable": "/bin/echo", "request_memory": "-5"}, "count": 1},
]


MULTILINE_QARGS = {"dict": {"executable": "/bin/echo", "arguments": "$(x) $(y)"}, "qargs": "x, y from (\n 1, 2\n 3, 4\n)"}


@pytest.mark.xfail(strict=True, reason="submit::Submit::set_queue_args keeps a multi-line item list whole and "
                   "itemdata() then reads one row; HTCondor keeps the first line and reads every row")
def test_set_qargs_with_a_multiline_item_list(oracle, ours, tmp_path):
    want = oracle("submit_probe.py", [MULTILINE_QARGS], cwd=str(tmp_path))
    got = ours("submit_probe.py", [MULTILINE_QARGS], cwd=str(tmp_path))
    assert got == want


def test_submit_objects_answer_as_htcondor(oracle, ours, tmp_path):
    want = oracle("submit_probe.py", CASES, cwd=str(tmp_path))
    got = ours("submit_probe.py", CASES, cwd=str(tmp_path))
    for case, w, g in zip(CASES, want, got):
        assert g == w, f"case {case}"


def test_jobs_builds_the_ads_a_submit_queues(tmp_path, monkeypatch):
    # HTCondor's htcondor2 leaves Submit.jobs() unimplemented; Aerie's
    # builds the ads with the submit language's rules.
    import htcondor2
    monkeypatch.chdir(tmp_path)
    s = htcondor2.Submit({"executable": "/bin/echo", "arguments": "$(Item)", "request_memory": "1 GB", "+Proj": '"x"'})
    jobs = list(s.jobs(count=1, itemdata=iter([{"Item": "a"}, {"Item": "b"}]), clusterid=7))
    assert [(j["ClusterId"], j["ProcId"], j["Args"]) for j in jobs] == [(7, 0, "a"), (7, 1, "b")]
    assert all(j["RequestMemory"] == 1024 and j["Proj"] == "x" and j["JobSubmitMethod"] == 2 for j in jobs)
    assert all(j["Cmd"] == "/bin/echo" and j["Iwd"] == str(tmp_path) for j in jobs)
