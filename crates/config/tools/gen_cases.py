#!/usr/bin/env python3
"""Generate config conformance cases and answer them with HTCondor itself.

Cases have the shape of ../shared/conformance/config/random-1.jsonl (see
../shared/conformance/README.md): a condor_config and an extra.conf built
at random from the statements users write (assignments, self-references,
multi-line values, continuations, comments, if/else, include, use, macros
of every kind, subsystem prefixes), a subsystem, an environment, and the
names to ask about. Each case is answered by `htcondor2.param` from the
htcondor wheel in a fresh Python process (a configuration HTCondor refuses
ends that process; its first error line becomes the case's "error"; a
process that crashes or hangs gives "?").

usage: gen_cases.py [--seed N] [--count N] [--python PATH] OUT.jsonl
"""

import argparse
import concurrent.futures
import json
import os
import random
import subprocess
import sys
import tempfile

NAMES = ["A", "B", "C", "D", "E", "F", "G", "X1", "X2", "FLAG", "HOST", "LIST", "NUM", "Path"]
LOWER = ["a", "b", "c", "d", "e", "f", "g", "x", "x1", "x2", "list", "num", "path", "host", "flag"]
SUBSYSTEMS = ["TOOL", "SCHEDD", "STARTD", "MASTER", "COLLECTOR", "NEGOTIATOR"]
DEFAULT_NAMES = [
    "ALLOW_WRITE", "COLLECTOR_HOST", "CONDOR_HOST", "DAEMON_LIST", "ENABLE_SSH_TO_JOB", "EXECUTE",
    "JOB_DEFAULT_REQUESTMEMORY", "LOCAL_DIR", "LOG", "MAX_JOBS_RUNNING", "NEGOTIATOR_INTERVAL",
    "PREEMPT", "SCHEDD_INTERVAL", "SCHEDD_LOG", "SEC_DEFAULT_AUTHENTICATION_METHODS", "SPOOL",
    "START", "SUSPEND", "UPDATE_INTERVAL", "NUM_SLOTS", "STARTER_LOG", "LOCK", "RELEASE_DIR",
]
LITERALS = [
    "a, b, c", "/opt/x/y.cfg", "true", "4", "#notcomment?", "false", "x=y", "$$", "a b c", "2",
    " spaced ", "100MB", "foo", "4 * 2", "True", "3.5", "", "1", "yes", "/tmp/x", "a,b, c", "10",
    "rel/f.tar.gz", "-7", "0x10", "1e3", "\"quoted\"", "x:y", "(1+2)",
]
FUNCS = [
    "$ENV(HOME)", "$ENV(NOPE_VAR)", "$ENV(TESTVAR)", "$ENV(NOPE_VAR:dflt)", "$REAL(NUM)", "$REAL(2.5 * 2)",
    "$REAL(NUM / 4)", "$INT(A)", "$INT(3 + 4)", "$INT(NUM)", "$INT(1.5)", "$INT(NUM * 2)", "$INT(NUM, %03d)",
    "$REAL(NUM, %.2f)", "$CHOICE(0, a, b, c)", "$CHOICE(2, a, b, c)", "$CHOICE(1, a, b, c)",
    "$CHOICE(5, a, b, c)", "$CHOICE(NUM, a, b, c)", "$CHOICE(1, LIST)", "$STRING(FLAG)", "$EVAL(NUM + 1)",
    "$(DOLLAR)", "$(CFGDIR)", "$(SPOOL)", "$(LOG)", "$(SCHEDD_INTERVAL)", "$(UPDATE_INTERVAL)",
    "$(MAX_JOBS_RUNNING)", "$(NEGOTIATOR_INTERVAL)", "$(SUBSYSTEM)", "$(LOCALNAME)", "$(RELEASE_DIR)",
    "$BASENAME(Path)", "$DIRNAME(Path)",
]
PATH_ARGS = ["rel/f.tar.gz", "Path", "$(Path)", "/a/b/c.txt"]
PATH_FLAGS = ["a", "nx", "q", "p", "x", "d", "pd", "n", "dd", "b", "pb", "xb", "qa"]
CONDITIONS = [
    "$(FLAG)", "true", "version >= 8.0", "yes", "version > 99.0", "1", "false", "defined A", "0",
    "defined NOPE", "! defined B", "$(NUM)", "defined use ROLE:Personal", "no", "! $(EMPTYNAME)",
    "version < 9.0", "$(A:0)",
]
USES = [
    "use ROLE:CentralManager", "use ROLE : Personal", "use ROLE : Nonsense", "use FEATURE : GPUs",
    "use ROLE : Execute", "use ROLE: Submit", "use POLICY : ALWAYS_RUN_JOBS", "use ROLE : Execute, Submit",
    "use SECURITY : HOST_BASED", "use POLICY : UWCS_DESKTOP", "use ROLE : Personal", "use FEATURE : GPUs",
    "use ROLE:CentralManager", "use ROLE : Execute", "use SECURITY : HOST_BASED", "use FEATURE : PartitionableSlot",
]


def atom(r):
    k = r.random()
    if k < 0.35:
        return r.choice(LITERALS)
    if k < 0.55:
        return "$(%s)" % r.choice(NAMES + ["NOPE"])
    if k < 0.7:
        return "$(%s:%s)" % (r.choice(NAMES + ["NOPE"]), r.choice(LITERALS + ["$(DOLLAR)", "$(C)"]))
    if k < 0.8:
        flags = r.choice(PATH_FLAGS)
        # $Fdd of a path with fewer than two directories reads outside
        # HTCondor's buffer (see KNOWN_DIFFERENCES.md); keep it to deep paths
        arg = "/a/b/c.txt" if "dd" in flags else r.choice(PATH_ARGS)
        return "$F%s(%s)" % (flags, arg)
    if k < 0.87:
        args = r.choice(["1", "0", "-2", "1, 2", "2, -2", "NUM"])
        return "$SUBSTR(%s, %s)" % (r.choice(NAMES), args)
    return r.choice(FUNCS)


def value(r):
    v = "".join(atom(r) + r.choice(["", " ", "", ","]) for _ in range(r.randint(1, 3))).rstrip(",")
    k = r.random()
    if k < 0.08:
        v += "  # trailing"
    elif k < 0.16:
        v += " \\\n   " + atom(r)
    return v


def name(r):
    k = r.random()
    if k < 0.08:
        return r.choice(LOWER)
    if k < 0.22:
        return "%s.%s" % (r.choice(SUBSYSTEMS[1:]), r.choice(NAMES))
    return r.choice(NAMES)


def statements(r, n, top):
    out = []
    for _ in range(n):
        k = r.random()
        if k < 0.45:
            out.append("%s = %s" % (name(r), value(r)))
        elif k < 0.5:
            nm = r.choice(NAMES)
            out.append("%s = $(%s) %s" % (nm, nm, atom(r)))
        elif k < 0.53:
            out.append("%s += %s" % (r.choice(NAMES), atom(r)))
        elif k < 0.6:
            lines = [value(r).replace("\\\n", "") for _ in range(r.randint(1, 2))]
            out.append("%s @=end\n%s\n@end" % (name(r), "\n".join(lines)))
        elif k < 0.64:
            out.append("# comment %s = ignored" % r.choice(NAMES))
        elif k < 0.76:
            body = statements(r, r.randint(1, 2), False) if r.random() < 0.9 else ["foo"]
            block = ["if %s" % r.choice(CONDITIONS)] + body
            if r.random() < 0.4:
                block += ["else"] + statements(r, 1, False)
            block.append("endif")
            out.append("\n".join(block))
        elif k < 0.84 and top:
            out.append(r.choice(["include : $(CFGDIR)/extra.conf"] * 8 + ["include : $(CFGDIR)/missing.conf",
                                  "include ifexist : $(CFGDIR)/missing.conf", "include ifexist : $(CFGDIR)/missing.conf"]))
        elif k < 0.9:
            out.append(r.choice(USES))
        elif k < 0.91:
            out.append(r.choice(["foo", "NAME-X = 1", "X @= ", "error : stop here", "warning : careful", "warning : $(A) here"]))
        elif k < 0.96:
            out.append("")
        else:
            out.append("%s = %s" % (name(r), r.choice(LITERALS)))
    return out


def make_case(r, ident):
    top = ["CFGDIR = @CFGDIR@"] + statements(r, r.randint(3, 14), True)
    extra = statements(r, r.randint(1, 5), False)
    names = sorted(set(NAMES + ["CFGDIR", "NOPE", "a", "b", "c"] + r.sample(DEFAULT_NAMES, 4)), key=str.lower)
    return {
        "id": ident,
        "files": {"condor_config": "\n".join(top) + "\n", "extra.conf": "\n".join(extra) + "\n"},
        "env": {"TESTVAR": r.choice(["", "hello", "a b"]), "HOME": "/home/tester"},
        "subsystem": r.choice(SUBSYSTEMS),
        "names": names,
    }


WORKER = r"""
import json, os, sys
req = json.loads(sys.stdin.read())
import htcondor2 as h
# importing reads the configuration as TOOL; a refusal before this line is TOOL's
print("IMPORTED", flush=True)
h.set_subsystem(req["subsystem"])
h.reload_config()
# values that name this host are left out of the expectations
host = [h.param.get(k) for k in ("FULL_HOSTNAME", "HOSTNAME", "IP_ADDRESS", "IPV4_ADDRESS", "IPV6_ADDRESS")]
host = [x for x in host if isinstance(x, str) and len(x) >= 2]
out = {}
for k in req["names"]:
    try:
        v = h.param[k]
    except KeyError:
        out[k] = None
        continue
    if isinstance(v, str) and any(x in v for x in host):
        continue
    if isinstance(v, bool):
        out[k] = {"bool": v}
    elif isinstance(v, int):
        out[k] = {"int": v}
    elif isinstance(v, float):
        out[k] = {"float": v}
    else:
        out[k] = v
print(json.dumps(out))
"""


def answer(case, python):
    with tempfile.TemporaryDirectory() as d:
        for fname, text in case["files"].items():
            with open(os.path.join(d, fname), "w") as f:
                f.write(text.replace("@CFGDIR@", d))
        env = {k: v for k, v in os.environ.items() if not k.lower().startswith("_condor_")}
        env.update(case["env"])
        env["CONDOR_CONFIG"] = os.path.join(d, "condor_config")
        req = json.dumps({"subsystem": case["subsystem"], "names": case["names"]})
        try:
            p = subprocess.run([python, "-c", WORKER], input=req, capture_output=True, text=True, env=env, timeout=20)
        except subprocess.TimeoutExpired:
            return {"error": "?"}
        fix = lambda s: s.replace(d, "@CFGDIR@")
        base = os.path.basename(d)
        if p.returncode == 0:
            try:
                got = json.loads(p.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                return {"error": "?"}
            # values that hold the temporary directory's name other than as @CFGDIR@ are left out
            return {"expect": {k: (fix(v) if isinstance(v, str) else v) for k, v in got.items()
                               if not (isinstance(v, str) and base in fix(v))}}
        if "IMPORTED" not in p.stdout:
            case["subsystem"] = "TOOL"
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        if p.returncode < 0 or not lines or "Traceback" in p.stderr:
            return {"error": "?"}
        # the line naming the top-level file and line, else the first error
        for l in lines:
            if l.startswith("Configuration Error Line"):
                return {"error": fix(l)}
        for l in lines:
            if "Error" in l or "error" in l or "can't open" in l or "not a valid" in l:
                return {"error": fix(l)}
        return {"error": fix(lines[0])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--python", default=os.path.expanduser("~/.cache/aerie-venv/bin/python"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("out")
    a = ap.parse_args()
    r = random.Random(a.seed)
    cases = [make_case(r, "c%d-%d" % (a.seed, i)) for i in range(a.count)]
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        answers = list(ex.map(lambda c: answer(c, a.python), cases))
    with open(a.out, "w") as f:
        for c, ans in zip(cases, answers):
            rec = {"id": c["id"], "files": c["files"], "env": c["env"], "subsystem": c["subsystem"]}
            rec.update(ans)
            f.write(json.dumps(rec) + "\n")
    errors = sum(1 for x in answers if "error" in x)
    print(f"{len(cases)} cases ({errors} refused by HTCondor) written to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
