"""dask-jobqueue's HTCondorCluster against the pool in $CONDOR_CONFIG.

Scales to two workers (their job script goes through condor_submit), finds
them with condor_q the way coffea-casa users do (seed 000:
`condor_q -af:h Owner JobStartDate JobId DaskSchedulerAddress`), runs a
computation on them, and closes the cluster (condor_rm). Prints one JSON
object with what it saw; the Rust test asserts on it and on the queue.
Usage: dask_cluster.py LOG_DIRECTORY
"""
import json
import socket
import subprocess
import sys

from dask.distributed import Client
from dask_jobqueue import HTCondorCluster


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def condor_q(*args):
    out = subprocess.run(["condor_q", *args], capture_output=True, text=True, check=True)
    return out.stdout


def main():
    log_dir = sys.argv[1]
    address = f"tcp://127.0.0.1:{free_port()}"
    cluster = HTCondorCluster(
        cores=1,
        memory="256MB",
        disk="50MB",
        processes=1,
        python=sys.executable,
        log_directory=log_dir,
        scheduler_options={"host": address.removeprefix("tcp://")},
        worker_extra_args=["--host", "127.0.0.1"],
        job_extra_directives={"+DaskSchedulerAddress": f'"{address}"'},
        death_timeout=30,
    )
    result = {"scheduler_address": cluster.scheduler_address, "job_script": cluster.job_script()}
    cluster.scale(jobs=2)
    client = Client(cluster)
    client.wait_for_workers(2, timeout=120)
    result["dask_job_ids"] = sorted(job.job_id for job in cluster.workers.values())
    table = condor_q("-af:h", "Owner", "JobStartDate", "JobId", "DaskSchedulerAddress")
    result["condor_q_af_h"] = table
    total = client.submit(sum, client.map(lambda x: x * x, range(100))).result()
    result["sum_of_squares"] = total
    result["worker_count"] = len(client.scheduler_info()["workers"])
    client.close()
    cluster.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
