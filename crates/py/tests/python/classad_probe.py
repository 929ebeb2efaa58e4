"""Answers ClassAd cases with whichever `classad2` this interpreter has.

Reads a JSON list of cases on stdin and prints one JSON answer per case.
Run under HTCondor's modules and under Aerie's, the answers must agree.
A case is {"expr": TEXT} (an expression evaluated with the my/target ads)
or {"ad": TEXT} (an ad in new syntax) or {"old": TEXT} (old syntax).
"""

import datetime
import json
import sys

try:  # HTCondor's library is configured once htcondor2 is imported
    import htcondor2  # noqa: F401
except Exception:
    pass
import classad2


def describe(v):
    if isinstance(v, classad2.Value):
        return ["Value", v.name]
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", v]
    if isinstance(v, float):
        return ["float", repr(v)]
    if isinstance(v, str):
        return ["str", v]
    if isinstance(v, list):
        return ["list", [describe(x) for x in v]]
    if isinstance(v, classad2.ClassAd):
        return ["ClassAd", repr(v)]
    if isinstance(v, classad2.ExprTree):
        return ["ExprTree", repr(v)]
    if isinstance(v, datetime.datetime):
        return ["datetime", v.isoformat()]
    return [type(v).__name__, repr(v)]


def guard(f):
    try:
        return f()
    except Exception as e:  # the kind of failure is compared, not the words
        return ["exception", type(e).__name__]


def expr_case(case, my, target):
    e = guard(lambda: classad2.ExprTree(case["expr"]))
    if isinstance(e, list):
        return {"parse": e}
    return {
        "str": str(e),
        "repr": repr(e),
        "eval": guard(lambda: describe(e.eval(my, target))),
        "eval_alone": guard(lambda: describe(e.eval())),
        "simplify": guard(lambda: repr(e.simplify(my, target))),
        "in_ad": guard(lambda: ad_with(case["expr"])),
    }


def ad_with(text):
    ad = classad2.ClassAd()
    ad["R"] = classad2.ExprTree(text)
    return [ad.printOld(), repr(ad), describe(ad["R"])]


def ad_case(ad):
    out = {
        "repr": repr(ad),
        "str": str(ad),
        "old": ad.printOld(),
        "json": ad.printJson(),
        "keys": list(ad),
        "len": len(ad),
    }
    out["items"] = {k: guard(lambda k=k: describe(ad[k])) for k in ad}
    out["evals"] = {k: guard(lambda k=k: describe(ad.eval(k))) for k in ad}
    out["lookups"] = {k: guard(lambda k=k: repr(ad.lookup(k))) for k in ad}
    out["refs"] = {k: guard(lambda k=k: [sorted(ad.externalRefs(ad.lookup(k))), sorted(ad.internalRefs(ad.lookup(k)))]) for k in ad}
    out["flatten"] = {k: guard(lambda k=k: repr(ad.flatten(ad.lookup(k)))) for k in ad}
    out["roundtrip"] = guard(lambda: classad2.ClassAd(repr(ad)) == ad)
    return out


def main():
    payload = json.load(sys.stdin)
    my = classad2.parseOne(payload["my"], classad2.ParserType.Old) if payload.get("my") else None
    target = classad2.parseOne(payload["target"], classad2.ParserType.Old) if payload.get("target") else None
    answers = []
    for case in payload["cases"]:
        if "expr" in case:
            answers.append(expr_case(case, my, target))
        elif "ad" in case:
            ad = guard(lambda: classad2.ClassAd(case["ad"]))
            answers.append({"parse": ad} if isinstance(ad, list) else ad_case(ad))
        elif "old" in case:
            ads = guard(lambda: list(classad2.parseAds(case["old"], classad2.ParserType.Old)))
            answers.append({"parse": ads} if ads and ads[0] == "exception" else [ad_case(a) for a in ads])
        elif "py" in case:
            answers.append(guard(lambda: py_case(case["py"])))
        elif "file" in case:
            answers.append(guard(lambda: file_case(case["file"], case["text"])))
    json.dump(answers, sys.stdout)


def file_case(path, text):
    """Ads read from a file object: parseAds (and where the file is left),
    parseNext twice, parseOne."""
    with open(path, "w") as f:
        f.write(text)
    out = {}
    with open(path) as f:
        out["all"] = [repr(a) for a in classad2.parseAds(f)]
    with open(path) as f:
        first = classad2.parseNext(f, classad2.ParserType.Old)
        second = classad2.parseNext(f, classad2.ParserType.Old)
        out["next"] = [repr(first), repr(second)]
    with open(path) as f:
        out["one"] = repr(classad2.parseOne(f))
    return out


def py_case(values):
    """Python values stored in an ad and read back."""
    ad = classad2.ClassAd()
    for k, v in values.items():
        ad[k] = v
    return [repr(ad), ad.printOld(), {k: describe(ad[k]) for k in ad}]


main()
