"""Seed 004 (interacting with daemons, v1 `htcondor` names), run against a
personal pool, in the seed's order. Where Aerie's daemons lack a feature
(remote configuration reads, Reconfig), the call must fail clearly."""

import os
import sys
import time

import htcondor

print("SCHEDD_LOG:", htcondor.param["SCHEDD_LOG"])
print("TOOL_LOG get:", htcondor.param.get("TOOL_LOG"))
print("TOOL_LOG setdefault:", htcondor.param.setdefault("TOOL_LOG", "/tmp/log"))
print("TOOL_LOG:", htcondor.param["TOOL_LOG"])

print("before reload:", htcondor.param.get("TOOL_LOG"))
htcondor.reload_config()
print("after reload:", htcondor.param.get("TOOL_LOG"))

print(htcondor.param.setdefault("TEST_FOO", "bar"))
print(htcondor.param.setdefault("SCHEDD.TEST_FOO", "baz"))
print(htcondor.param["TEST_FOO"])
htcondor.set_subsystem("SCHEDD")
print(htcondor.param["TEST_FOO"])

master_ad = htcondor.Collector().locate(htcondor.DaemonTypes.Master)
print("master address:", master_ad["MyAddress"])
master_param = htcondor.RemoteParam(master_ad)
print("local UPDATE_INTERVAL:", repr(htcondor.param["UPDATE_INTERVAL"]))
try:
    print("remote UPDATE_INTERVAL:", repr(master_param["UPDATE_INTERVAL"]))
except htcondor.HTCondorException as e:
    print("remote read refused:", e)
try:
    master_param["UPDATE_INTERVAL"] = "500"
    print("remote set: accepted")
except RuntimeError as e:
    print("remote set refused:", e)

log_path = os.path.join(os.getcwd(), "tool.log")
htcondor.set_subsystem("TOOL")
htcondor.param["TOOL_DEBUG"] = "D_FULLDEBUG"
htcondor.param["TOOL_LOG"] = log_path
htcondor.enable_log()
htcondor.enable_debug()
htcondor.log(htcondor.LogLevel.Always, "a message from the script")
print("log:", open(log_path).read().count("\n"), "lines")
print("log has config line:", "Reading condor configuration from" in open(log_path).read())
print("log has message:", "a message from the script" in open(log_path).read())

try:
    htcondor.send_command(master_ad, htcondor.DaemonCommands.Reconfig)
    print("reconfig: sent")
except htcondor.HTCondorException as e:
    print("reconfig refused:", e)

htcondor.send_command(master_ad, htcondor.DaemonCommands.DaemonOff, "SCHEDD")
deadline = time.time() + 30
while True:
    try:
        htcondor.Schedd().query("false")
    except htcondor.HTCondorException:
        break
    assert time.time() < deadline, "the schedd still answers after DaemonOff"
    time.sleep(0.2)
print("schedd off: yes")
print("master log mentions the schedd stopping:", "SCHEDD" in open(htcondor.param["MASTER_LOG"]).read())

htcondor.send_command(master_ad, htcondor.DaemonCommands.DaemonOn, "SCHEDD")
deadline = time.time() + 30
while True:
    try:
        htcondor.Schedd().query("false")
        break
    except htcondor.HTCondorException:
        assert time.time() < deadline, "the schedd did not come back after DaemonOn"
        time.sleep(0.2)
print("schedd on: yes")

pid = int(open(os.path.join(os.path.dirname(os.environ["CONDOR_CONFIG"]), "log", ".master_pid")).read())
htcondor.send_command(master_ad, htcondor.DaemonCommands.OffFast)
deadline = time.time() + 30
while True:
    try:
        os.kill(pid, 0)
    except OSError:
        break
    assert time.time() < deadline, "the master still runs after OffFast"
    time.sleep(0.2)
print("pool off: yes")
