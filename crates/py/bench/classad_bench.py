"""Times common classad2 work under whichever `classad2` this interpreter
has and prints one line per operation: `name: N ops in S s (R ops/s)`.

    ~/.cache/aerie-py-venv/bin/python crates/py/bench/classad_bench.py      # Aerie's
    ~/.cache/aerie-venv/bin/python crates/py/bench/classad_bench.py         # HTCondor's
    python3 crates/py/bench/compare.py                                      # both, with ratios
"""

import json
import os
import sys
import time

os.environ.setdefault("CONDOR_CONFIG", "/dev/null")
import classad2  # noqa: E402

JOB = """[ ClusterId = 12; ProcId = 3; Owner = "alice"; RequestMemory = 2048; RequestCpus = 1; RequestDisk = 1024;
  Requirements = (TARGET.Arch == "X86_64") && (TARGET.OpSys == "LINUX") && (TARGET.Disk >= RequestDisk) &&
                 (TARGET.Memory >= RequestMemory) && (TARGET.Cpus >= RequestCpus) && ((TARGET.FileSystemDomain == MY.FileSystemDomain) || TARGET.HasFileTransfer);
  FileSystemDomain = "example.org"; Cmd = "/bin/echo"; Args = "hello world"; JobStatus = 1; QDate = 1700000000;
  Environment = "A=1 B=2"; Iwd = "/home/alice/run"; Out = "out.txt"; Err = "err.txt"; JobPrio = 0 ]"""
SLOT = """[ Arch = "X86_64"; OpSys = "LINUX"; Disk = 100000000; Memory = 16384; Cpus = 8; HasFileTransfer = true;
  FileSystemDomain = "other.org"; Name = "slot1@host"; Requirements = TARGET.RequestMemory <= Memory ]"""


def timed(name, n, f):
    t = time.perf_counter()
    for _ in range(n):
        f()
    s = time.perf_counter() - t
    return {"name": name, "n": n, "secs": s}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    job = classad2.ClassAd(JOB)
    slot = classad2.ClassAd(SLOT)
    req = job.lookup("Requirements")
    old = job.printOld()
    many_old = "\n".join(classad2.ClassAd(JOB).printOld() for _ in range(200))
    results = [
        timed("parse new-syntax ad", n, lambda: classad2.ClassAd(JOB)),
        timed("parseAds 200 old-syntax ads", max(1, n // 100), lambda: list(classad2.parseAds(many_old))),
        timed("eval Requirements against a slot", n, lambda: req.eval(job, slot)),
        timed("symmetricMatch", n, lambda: job.symmetricMatch(slot)),
        timed("ad[key] for every key", n // 4, lambda: [job[k] for k in job]),
        timed("printOld", n, job.printOld),
        timed("printJson", n, job.printJson),
        timed("ExprTree(text).eval()", n, lambda: classad2.ExprTree("strcat(\"a\", \"b\") + 1").eval()),
        timed("set 20 Python values", n // 4, lambda: [job.__setitem__("X%d" % i, i) for i in range(20)]),
        timed("parse old-syntax ad", n, lambda: classad2.parseOne(old)),
    ]
    json.dump(results, sys.stdout)


main()
