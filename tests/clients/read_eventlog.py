"""Read a user log with HTCondor's own reader (htcondor2.JobEventLog) and
print its events as one JSON object: {"events": [{"type", "cluster",
"proc", "attrs"}...]}. Usage: read_eventlog.py LOGFILE
"""
import json
import os
import sys

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")
import htcondor2  # noqa: E402


def plain(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def main():
    events = []
    for ev in htcondor2.JobEventLog(sys.argv[1]).events(stop_after=0):
        events.append({
            "type": htcondor2.JobEventType(ev.type).name,
            "cluster": ev.cluster,
            "proc": ev.proc,
            "attrs": {k: plain(v) for k, v in ev.items()},
        })
    print(json.dumps({"events": events}))


if __name__ == "__main__":
    main()
