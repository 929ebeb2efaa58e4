"""Drive HyperQueue for `aerie bench --peer hyperqueue` through its PyPI
package: LocalCluster starts a real HyperQueue server and worker (the same
Rust code as the `hq` binary, inside this process), the public Client
submits and waits.

    python hq_driver.py burst JOBS CORES DIR   -> {"version", "submit", "total"}
    python hq_driver.py latency JOBS DIR       -> {"version", "samples"}

Times are seconds, measured with time.perf_counter(); the last line of
standard output is one JSON object.
"""
import json
import os
import sys
import time
from importlib.metadata import version

os.environ.setdefault("TQDM_DISABLE", "1")

from hyperqueue import Job, LocalCluster  # noqa: E402
from hyperqueue.cluster import WorkerConfig  # noqa: E402


def burst(jobs, cores, directory):
    with LocalCluster(server_dir=directory) as cluster:
        cluster.start_worker(WorkerConfig(cores=cores))
        client = cluster.client()
        t0 = time.perf_counter()
        job = Job()
        for _ in range(jobs):
            job.program(["/bin/true"], stdout=None, stderr=None)
        submitted = client.submit(job)
        t1 = time.perf_counter()
        ok = client.wait_for_jobs([submitted], raise_on_error=False)
        t2 = time.perf_counter()
        if not ok:
            raise SystemExit("some HyperQueue tasks failed")
        return {"submit": t1 - t0, "total": t2 - t0}


def latency(jobs, directory):
    samples = []
    with LocalCluster(server_dir=directory) as cluster:
        cluster.start_worker(WorkerConfig(cores=1))
        client = cluster.client()
        for i in range(jobs + 1):
            t0 = time.perf_counter()
            job = Job()
            job.program(["/bin/true"], stdout=None, stderr=None)
            submitted = client.submit(job)
            if not client.wait_for_jobs([submitted], raise_on_error=False):
                raise SystemExit("a HyperQueue task failed")
            if i > 0:  # the first job warms up, as in the Aerie run
                samples.append(time.perf_counter() - t0)
    return {"samples": samples}


def main():
    what = sys.argv[1]
    if what == "burst":
        out = burst(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif what == "latency":
        out = latency(int(sys.argv[2]), sys.argv[3])
    else:
        raise SystemExit(f"unknown workload {what}")
    out["version"] = version("hyperqueue")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
