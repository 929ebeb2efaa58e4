"""Seed 001 (CHTC remote submission with htcondor2), run against a personal
pool: the collector and schedd are this host's instead of cm.chtc.wisc.edu
and ap2002, and the job's Requirements are ones a laptop's slot meets.
Every other call is the seed's, in the seed's order. Prints what a user
looks at; exits non-zero (an assertion) when a step does not do what the
seed says it does."""

import getpass
import os
import time

import htcondor2 as htcondor

print("version:", htcondor.version())

collector = htcondor.Collector()
schedd_ad = collector.locate(htcondor.DaemonType.Schedd)
name = schedd_ad["Name"]
print("schedd:", name)
ap2002 = htcondor.Schedd(collector.locate(htcondor.DaemonType.Schedd, name))

user = getpass.getuser()
mine = ap2002.query(f'Owner == "{user}"', projection=["ClusterID", "ProcID", "JobStatus"])
also_mine = ap2002.query(opts=htcondor.QueryOpt.DefaultMyJobsOnly, projection=["ClusterID", "ProcID", "JobStatus"])
print("jobs before:", len(mine), len(also_mine))

default_submit_requirements = '(TARGET.Arch == "X86_64") && (TARGET.OpSys == "LINUX") && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory) && ((TARGET.FileSystemDomain == MY.FileSystemDomain) || (TARGET.HasFileTransfer))'

test_job_dict = {
    "executable": "test.sh",
    "arguments": "rst 123",
    "log": "test.log",
    "output": "test.out",
    "error": "test.err",
    "transfer_executable": False,
    "transfer_input_files": "test.txt, test.sh",
    "request_cpus": "1",
    "request_memory": "128 MB",
    "request_disk": "1 MB",
    "FileSystemDomain": "ap2002.chtc.wisc.edu",
    "Requirements": default_submit_requirements,
}
test_job = htcondor.Submit(test_job_dict)

test_sh = '''#!/bin/bash

echo "Running on $(hostname) in directory $(pwd)."
echo "Arguments are '${1}' and '${2}'."

echo "This is an error message" >&2

grep -i "badger" test.txt > result.txt
'''
with open("test.sh", "w") as f:
    f.write(test_sh)
os.chmod("test.sh", 0o755)

test_txt = '''Bucky Badger says hi!
This line contains a "badger" and will be in the output.
This line does not and so will not be in the output.
'''
with open("test.txt", "w") as f:
    f.write(test_txt)

# Credentials: Aerie has no credd yet; the collector says so.
creds = collector.query(htcondor.AdTypes.Credd, constraint=f"Name == {htcondor.classad.quote(name)}")
print("credd ads:", len(creds))
try:
    htcondor.Credd().add_user_service_cred(htcondor.CredType.OAuth, b"", "scitokens")
    print("credd: stored")
except htcondor.HTCondorException as e:
    print("credd: refused:", e)

submit_object = ap2002.submit(test_job, spool=True)
print("submitted cluster:", submit_object.cluster(), "procs:", submit_object.num_procs())
held = ap2002.query(f"ClusterID == {submit_object.cluster()}", projection=["ProcID", "JobStatus", "HoldReasonCode"])
print("before spool:", [(a["JobStatus"], a.get("HoldReasonCode")) for a in held])
ap2002.spool(submit_object)

ads = ap2002.query(f"ClusterID == {submit_object.cluster()}", projection=["ProcID", "JobStatus"])
print("after spool:", [a["JobStatus"] for a in ads])

done = False
deadline = time.time() + 90
print("Waiting for job completion...")
while not done:
    ads = ap2002.query(f"ClusterID == {submit_object.cluster()}", projection=["ProcID", "JobStatus"])
    done = all(i["JobStatus"] == 4 for i in ads) and len(ads) == 1
    assert time.time() < deadline, f"the job did not complete: {[dict(a) for a in ads]}"
    time.sleep(0.5)
print("Job(s) have completed!")

ap2002.retrieve(f"ClusterID == {submit_object.cluster()}")
print("test.out:", open("test.out").read().strip().splitlines()[-1])
print("test.err:", open("test.err").read().strip())
print("result.txt:", open("result.txt").read().strip().replace("\n", " | "))

edited = ap2002.edit(submit_object.cluster(), "LeaveJobInQueue", False)
print("edited:", edited)
deadline = time.time() + 30
while ap2002.query(f"ClusterID == {submit_object.cluster()}", projection=["ProcID"]):
    assert time.time() < deadline, "the job stayed in the queue after LeaveJobInQueue = False"
    time.sleep(0.2)
hist = ap2002.history(f"ClusterID == {submit_object.cluster()}", projection=["ClusterId", "JobStatus", "ExitCode"])
print("history:", [(h["ClusterId"], h["JobStatus"], h.get("ExitCode")) for h in hist])
