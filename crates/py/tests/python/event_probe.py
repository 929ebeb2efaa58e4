"""Reads job event logs with whichever `htcondor2` this interpreter has and
prints every event (type, ids, time, fields, text) as JSON."""

import json
import sys

import classad2
import htcondor2


def describe(v):
    if isinstance(v, classad2.Value):
        return ["Value", v.name]
    if isinstance(v, (bool, int, str)):
        return [type(v).__name__, v]
    if isinstance(v, float):
        return ["float", repr(v)]
    if isinstance(v, (classad2.ClassAd, classad2.ExprTree)):
        return [type(v).__name__, repr(v)]
    if isinstance(v, list):
        return ["list", [describe(x) for x in v]]
    return [type(v).__name__, repr(v)]


def main():
    payload = json.load(sys.stdin)
    out = {}
    for path in payload["files"]:
        events = []
        for e in htcondor2.JobEventLog(path).events(stop_after=0):
            events.append({
                "type": e.type.name,
                "cluster": e.cluster,
                "proc": e.proc,
                "timestamp": e.timestamp,
                "keys": list(e),
                "fields": {k: describe(e[k]) for k in e},
                "text": str(e),
            })
        out[path] = events
    json.dump(out, sys.stdout)


main()
