"""HTCondor's ``htcondor2`` module for Aerie pools.

The configuration (``param``, ``reload_config``, ``set_subsystem``), the
debug log (``enable_debug``, ``enable_log``, ``log``), the daemons
(``Collector``, ``Schedd``, ``send_command``), job descriptions
(``Submit``) and job event logs (``JobEventLog``), with HTCondor's names,
enumerations and behaviour. ``DaemonTypes``, ``AdTypes`` and the other v1
names are aliases of the v2 ones.
"""

import os as _os


def _set_null_config():
    # As HTCondor's module: with no configuration anywhere, use none at all.
    if "CONDOR_CONFIG" in _os.environ:
        return
    paths = ("/etc/condor/condor_config", "/usr/local/etc/condor_config", _os.path.expanduser("~condor/condor_config"))
    if not any(_os.path.isfile(p) for p in paths):
        _os.environ["CONDOR_CONFIG"] = "/dev/null"


_set_null_config()

import classad2 as classad  # noqa: E402
from classad2 import _native as _native  # noqa: E402

from ._native_errors import HTCondorException  # noqa: E402
from ._param import _param as param  # noqa: E402
from ._enums import (  # noqa: E402
    AdType, CommonFilesEventType, CompletionType, CredType, DaemonCommand, DaemonType, DrainType,
    FileTransferEventType, HistorySrc, JobAction, JobEventType, JobStatus, LogLevel, QueryOpt,
    SubmitMethod, SubsystemType, TransactionFlag, VacateType,
)
from ._collector import Collector  # noqa: E402
from ._schedd import Schedd  # noqa: E402
from ._submit import Submit  # noqa: E402
from ._submit_result import SubmitResult  # noqa: E402
from ._job_event import JobEvent  # noqa: E402
from ._job_event_log import JobEventLog  # noqa: E402
from ._daemons import (  # noqa: E402
    CredCheck, Credd, DAGMan, Negotiator, Placementd, RemoteParam, SecurityContext, Startd, ping, send_command,
)

# v1 names
DaemonTypes = DaemonType
AdTypes = AdType
CredTypes = CredType
DrainTypes = DrainType
TransactionFlags = TransactionFlag
QueryOpts = QueryOpt
DaemonCommands = DaemonCommand


def version() -> str:
    """``$CondorVersion: 25.0.14 <date> Aerie $``."""
    return _native._version()


def platform() -> str:
    """``$CondorPlatform: X86_64-<OS> $``."""
    return _native._platform()


def reload_config(root_config_file=None) -> None:
    """Read the configuration files again (``root_config_file`` instead of
    ``CONDOR_CONFIG`` when given); changes made through ``param`` are lost."""
    _native._reload_config(root_config_file)


def set_subsystem(subsystem, type=None) -> None:
    """Answer ``param`` as *subsystem* (``"SCHEDD"``, …) would."""
    if isinstance(subsystem, SubsystemType):
        subsystem = subsystem.name
    if not isinstance(subsystem, str):
        raise TypeError("subsystem must be a string")
    _native._set_subsystem(subsystem)


def enable_debug(flags=None) -> None:
    """Write debug messages to stderr, with *flags* (or ``<SUBSYS>_DEBUG``)."""
    _native._enable_debug(flags)


def disable_debug() -> None:
    """Stop writing debug messages to stderr."""
    _native._disable_debug()


def enable_log() -> None:
    """Write debug messages to the file ``<SUBSYS>_LOG`` names."""
    _native._enable_log()


def log(level, message: str) -> None:
    """Write *message* to the debug outputs if *level* is enabled."""
    if not isinstance(level, int):
        raise TypeError("level must a LogLevel or a bitwise-or of such")
    _native._log(int(level), message)


def send_alive(ad=None, pid=None, timeout=None) -> None:
    raise HTCondorException("send_alive() is for daemons started by an HTCondor master; Aerie's master does not take it")


def set_ready_state(state: str = "Ready") -> None:
    raise HTCondorException("set_ready_state() is for daemons started by an HTCondor master; Aerie's master does not take it")


def reload_config_usermaps(*args, **kwargs) -> None:
    return None


def load_a_config_usermap_file(*args, **kwargs) -> None:
    return None


__all__ = [n for n in dir() if not n.startswith("_")]
