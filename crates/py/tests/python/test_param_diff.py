"""Differential tests of `htcondor2.param` and the enumerations against
HTCondor's own module, over the same configuration files."""

import pytest

CONFIG = """
LOCAL_DIR = {dir}
LOG = $(LOCAL_DIR)/log
SPOOL = $(LOCAL_DIR)/spool
MAX_JOBS_RUNNING = 500
NEGOTIATOR_INTERVAL = 20
SCHEDD.SPECIAL = for the schedd
SPECIAL = for everyone
TOOL.SPECIAL = for tools
ENABLE_SSH_TO_JOB = False
MY_LIST = a, b, c
FLOATY = 2.5
START = TARGET.Memory > 10
EMPTY =
"""

NAMES = [
    "LOCAL_DIR", "LOG", "SPOOL", "SCHEDD_LOG", "MAX_JOBS_RUNNING", "NEGOTIATOR_INTERVAL", "SPECIAL",
    "ENABLE_SSH_TO_JOB", "MY_LIST", "FLOATY", "START", "EMPTY", "NOT_DEFINED_ANYWHERE", "UPDATE_INTERVAL",
    "SCHEDD_INTERVAL", "JOB_START_DELAY", "COLLECTOR_HOST", "TOOL_LOG", "SCHEDD.SPECIAL",
]

ENUMS = [
    "AdType", "DaemonType", "SubsystemType", "QueryOpt", "JobAction", "JobEventType", "JobStatus", "DaemonCommand",
    "LogLevel", "DrainType", "VacateType", "CompletionType", "CredType", "TransactionFlag", "SubmitMethod",
    "FileTransferEventType", "CommonFilesEventType", "HistorySrc", "AdTypes", "DaemonTypes", "DaemonCommands",
    "QueryOpts", "CredTypes", "DrainTypes", "TransactionFlags",
]


def test_param_answers_as_htcondor(oracle, ours, tmp_path):
    cfg = tmp_path / "condor_config"
    cfg.write_text(CONFIG.format(dir=tmp_path))
    payload = {"names": NAMES, "enums": ENUMS}
    env = {"CONDOR_CONFIG": str(cfg)}
    want = oracle("param_probe.py", payload, env_extra=env)
    got = ours("param_probe.py", payload, env_extra=env)
    assert got["values"] == want["values"]
    assert got["steps"] == want["steps"]
    assert got["has_keys"] == want["has_keys"]
    assert got["enums"] == want["enums"]
