"""HTCondor's version 1 ``htcondor`` module names, over Aerie's
``htcondor2``: ``import htcondor`` scripts keep working (``DaemonTypes``,
``AdTypes``, ``DaemonCommands``, ``param``, ``Schedd``, ``Collector``, …)."""

from htcondor2 import *  # noqa: F401,F403
from htcondor2 import __all__ as _all
from htcondor2 import param, version, platform, reload_config, set_subsystem  # noqa: F401
from htcondor2 import enable_debug, enable_log, log, send_command  # noqa: F401

HTCondorIOError = HTCondorException  # noqa: F405
HTCondorValueError = ValueError
HTCondorLocateError = HTCondorException  # noqa: F405
HTCondorInternalError = HTCondorException  # noqa: F405
HTCondorReplyError = HTCondorException  # noqa: F405

__all__ = list(_all) + ["HTCondorIOError", "HTCondorValueError", "HTCondorLocateError", "HTCondorInternalError", "HTCondorReplyError"]
