"""Answers `param` questions with whichever `htcondor2` this interpreter
has: typed values, missing names, in-memory changes, reload_config and
set_subsystem, and the enumerations' names and values."""

import enum
import json
import sys

import htcondor2


def typed(v):
    return [type(v).__name__, v]


def main():
    payload = json.load(sys.stdin)
    p = htcondor2.param
    out = {"values": {}, "steps": []}
    for name in payload["names"]:
        try:
            out["values"][name] = typed(p[name])
        except KeyError:
            out["values"][name] = ["missing"]
    s = out["steps"]
    s.append(typed(p.get("TOOL_LOG")))
    s.append(typed(p.setdefault("TOOL_LOG", "/tmp/log")))
    s.append(typed(p["TOOL_LOG"]))
    htcondor2.reload_config()
    s.append(typed(p.get("TOOL_LOG")))
    s.append(typed(p.setdefault("TEST_FOO", "bar")))
    s.append(typed(p.setdefault("SCHEDD.TEST_FOO", "baz")))
    s.append(typed(p["TEST_FOO"]))
    p["MY_INT_KNOB"] = "12"
    s.append(typed(p["MY_INT_KNOB"]))
    p["MAX_JOBS_RUNNING"] = "77"
    s.append(typed(p["MAX_JOBS_RUNNING"]))
    htcondor2.set_subsystem("SCHEDD")
    s.append(typed(p["TEST_FOO"]))
    s.append(typed(p["SPECIAL"]))
    s.append("MY_INT_KNOB" in p)
    for bad in (5, None):
        try:
            p["X"] = bad
            s.append("accepted")
        except TypeError:
            s.append("TypeError")
    try:
        p[5]
    except TypeError:
        s.append("TypeError")
    keys = set(p)
    out["has_keys"] = {k: k in keys for k in payload["names"]}
    out["enums"] = {}
    for n in payload["enums"]:
        e = getattr(htcondor2, n)
        out["enums"][n] = [[k, int(v)] for k, v in e.__members__.items()]
    json.dump(out, sys.stdout)


main()
