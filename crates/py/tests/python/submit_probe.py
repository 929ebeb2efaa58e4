"""Answers `htcondor2.Submit` questions with whichever module this
interpreter has: printing, mapping protocol, queue arguments, item data,
and expansion."""

import json
import sys

import htcondor2

def answer(case):
    if "dict" in case:
        s = htcondor2.Submit(case["dict"], **case.get("kwargs", {}))
    else:
        s = htcondor2.Submit(case["text"])
    if case.get("qargs"):
        s.setQArgs(case["qargs"])
    out = {"str": str(s), "repr": repr(s), "dict": dict(s), "len": len(s), "qargs": s.getQArgs()}
    items = s.itemdata()
    out["items"] = None if items is None else list(items)
    out["expand"] = {k: s.expand(k) for k in case.get("expand", [])}
    return out


def main():
    cases = json.load(sys.stdin)
    res = []
    for c in cases:
        try:
            res.append(answer(c))
        except Exception as e:
            res.append(["exception", type(e).__name__])
    json.dump(res, sys.stdout)


main()
