"""parsl's CondorProvider with a HighThroughputExecutor against the pool in
$CONDOR_CONFIG: one block (a pilot job submitted with condor_submit, its
status read with `condor_q ID -af:jr JobStatus`, cancelled with condor_rm
at cleanup) runs 20 apps. Prints one JSON object with what it saw.
Usage: parsl_condor.py RUN_DIR
"""
import json
import os
import sys

import parsl
from parsl.config import Config
from parsl.executors import HighThroughputExecutor
from parsl.jobs.states import JobState
from parsl.providers import CondorProvider


@parsl.python_app
def square(x):
    import os
    return x * x, os.environ.get("_CONDOR_SCRATCH_DIR", "")


def main():
    run_dir = sys.argv[1]
    provider = CondorProvider(
        init_blocks=1,
        min_blocks=1,
        max_blocks=1,
        nodes_per_block=1,
        worker_init=f"export PATH={os.path.dirname(sys.executable)}:$PATH",
        cmd_timeout=30,
    )
    executor = HighThroughputExecutor(
        label="condor_htex",
        address="127.0.0.1",
        max_workers_per_node=2,
        provider=provider,
    )
    parsl.load(Config(executors=[executor], run_dir=run_dir, strategy="none"))
    results = [f.result() for f in [square(i) for i in range(20)]]
    job_ids = sorted(provider.resources.keys())
    states = [s.state.name for s in provider.status(job_ids)]
    parsl.dfk().cleanup()
    print(json.dumps({
        "values": [v for v, _ in results],
        "scratch_dirs": sorted({d for _, d in results}),
        "job_ids": job_ids,
        "states_while_running": states,
        "running": JobState.RUNNING.name,
    }))


if __name__ == "__main__":
    main()
