"""The enumerations of ``htcondor2``, with HTCondor's names and values."""

import enum


class AdType(enum.IntEnum):
    """Which kind of ad a collector query asks for."""

    Startd = 0
    Schedd = 1
    Master = 2
    StartdPrivate = 5
    Submitter = 6
    Collector = 7
    License = 8
    Any = 10
    Negotiator = 13
    HAD = 14
    Generic = 15
    Credd = 16
    Grid = 19
    Placementd = 20
    Defrag = 22
    Accounting = 23
    Slot = 24
    StartDaemon = 25

    @staticmethod
    def from_MyType(my_type: str):
        """The ad type of an ad whose ``MyType`` is *my_type* (None if unknown)."""
        return _AD_TYPE_OF_MYTYPE.get(str(my_type).lower())


# The MyType of the ads each AdType selects (the collector's names).
_MYTYPE_OF_AD_TYPE = {
    AdType.Startd: "Machine",
    AdType.Slot: "Machine",
    AdType.StartDaemon: "StartDaemon",
    AdType.StartdPrivate: "MachinePrivate",
    AdType.Schedd: "Scheduler",
    AdType.Master: "DaemonMaster",
    AdType.Submitter: "Submitter",
    AdType.Collector: "Collector",
    AdType.License: "License",
    AdType.Any: None,
    AdType.Negotiator: "Negotiator",
    AdType.HAD: "HAD",
    AdType.Generic: "Generic",
    AdType.Credd: "CredD",
    AdType.Grid: "Grid",
    AdType.Placementd: "Placementd",
    AdType.Defrag: "Defrag",
    AdType.Accounting: "Accounting",
}

_AD_TYPE_OF_MYTYPE = {
    "machine": AdType.Startd,
    "scheduler": AdType.Schedd,
    "daemonmaster": AdType.Master,
    "submitter": AdType.Submitter,
    "collector": AdType.Collector,
    "negotiator": AdType.Negotiator,
    "generic": AdType.Generic,
    "had": AdType.HAD,
    "credd": AdType.Credd,
    "placementd": AdType.Placementd,
    "accounting": AdType.Accounting,
    "defrag": AdType.Defrag,
    "license": AdType.License,
    "grid": AdType.Grid,
    "startdaemon": AdType.StartDaemon,
}


class DaemonType(enum.IntEnum):
    """Which daemon ``Collector.locate()`` looks for."""

    none = 0
    Any = 1
    Master = 2
    Schedd = 3
    Startd = 4
    Collector = 5
    Negotiator = 6
    Credd = 13
    Placementd = 15
    HAD = 17
    Generic = 18


_AD_TYPE_OF_DAEMON_TYPE = {
    DaemonType.Master: AdType.Master,
    DaemonType.Schedd: AdType.Schedd,
    DaemonType.Startd: AdType.Startd,
    DaemonType.Collector: AdType.Collector,
    DaemonType.Negotiator: AdType.Negotiator,
    DaemonType.Credd: AdType.Credd,
    DaemonType.Placementd: AdType.Placementd,
    DaemonType.HAD: AdType.HAD,
    DaemonType.Generic: AdType.Generic,
    DaemonType.Any: AdType.Any,
}


class SubsystemType(enum.IntEnum):
    Master = 1
    Collector = 2
    Negotiator = 3
    Schedd = 4
    Shadow = 5
    Startd = 6
    Starter = 7
    GAHP = 8
    Dagman = 9
    SharedPort = 10
    Daemon = 11
    Tool = 12
    Submit = 13
    Job = 14
    Auto = 15


class DrainType(enum.IntEnum):
    Graceful = 0
    Quick = 10
    Fast = 20


class VacateType(enum.IntEnum):
    Graceful = 0
    Fast = 1


class CompletionType(enum.IntEnum):
    Nothing = 0
    Resume = 1
    Exit = 2
    Restart = 3
    Reconfig = 4


class CredType(enum.IntEnum):
    Password = 36
    Kerberos = 32
    OAuth = 40


class QueryOpt(enum.IntFlag):
    """Options of ``Schedd.query()``."""

    Default = 0
    AutoCluster = 1
    GroupBy = 2
    DefaultMyJobsOnly = 4
    SummaryOnly = 8
    IncludeClusterAd = 16
    IncludeJobsetAds = 32


class JobAction(enum.IntEnum):
    """What ``Schedd.act()`` does to jobs."""

    Hold = 1
    Release = 2
    Remove = 3
    RemoveX = 4
    Vacate = 5
    VacateFast = 6
    Suspend = 8
    Continue = 9


class TransactionFlag(enum.IntFlag):
    Default = 0
    NonDurable = 1
    SetDirty = 4
    ShouldLog = 8


class JobEventType(enum.IntEnum):
    """The kinds of events of a job event log (``ULogEventNumber``)."""

    SUBMIT = 0
    EXECUTE = 1
    EXECUTABLE_ERROR = 2
    CHECKPOINTED = 3
    JOB_EVICTED = 4
    JOB_TERMINATED = 5
    IMAGE_SIZE = 6
    SHADOW_EXCEPTION = 7
    GENERIC = 8
    JOB_ABORTED = 9
    JOB_SUSPENDED = 10
    JOB_UNSUSPENDED = 11
    JOB_HELD = 12
    JOB_RELEASED = 13
    NODE_EXECUTE = 14
    NODE_TERMINATED = 15
    POST_SCRIPT_TERMINATED = 16
    GLOBUS_SUBMIT = 17
    GLOBUS_SUBMIT_FAILED = 18
    GLOBUS_RESOURCE_UP = 19
    GLOBUS_RESOURCE_DOWN = 20
    REMOTE_ERROR = 21
    JOB_DISCONNECTED = 22
    JOB_RECONNECTED = 23
    JOB_RECONNECT_FAILED = 24
    GRID_RESOURCE_UP = 25
    GRID_RESOURCE_DOWN = 26
    GRID_SUBMIT = 27
    JOB_AD_INFORMATION = 28
    JOB_STATUS_UNKNOWN = 29
    JOB_STATUS_KNOWN = 30
    JOB_STAGE_IN = 31
    JOB_STAGE_OUT = 32
    ATTRIBUTE_UPDATE = 33
    PRESKIP = 34
    CLUSTER_SUBMIT = 35
    CLUSTER_REMOVE = 36
    FACTORY_PAUSED = 37
    FACTORY_RESUMED = 38
    NONE = 39
    FILE_TRANSFER = 40
    RESERVE_SPACE = 41
    RELEASE_SPACE = 42
    FILE_COMPLETE = 43
    FILE_USED = 44
    FILE_REMOVED = 45
    DATAFLOW_JOB_SKIPPED = 46
    COMMON_FILES = 47
    EP_STARTUP = 100
    EP_READY = 101
    EP_RECONFIG = 102
    EP_SHUTDOWN = 103
    EP_REQUEST_CLAIM = 104
    EP_RELEASE_CLAIM = 105
    EP_ACTIVATE_CLAIM = 106
    EP_DEACTIVATE_CLAIM = 107
    EP_VACATE_CLAIM = 108
    EP_DRAIN = 109
    EP_RESOURCE_BREAK = 110
    EP_RESOURCE_MEND = 111


class FileTransferEventType(enum.IntEnum):
    IN_QUEUED = 1
    IN_STARTED = 2
    IN_FINISHED = 3
    OUT_QUEUED = 4
    OUT_STARTED = 5
    OUT_FINISHED = 6


class CommonFilesEventType(enum.IntEnum):
    TransferQueued = 1
    TransferStarted = 2
    TransferFinished = 3
    WaitStarted = 4
    WaitFinished = 5


class JobStatus(enum.IntEnum):
    """``JobStatus`` codes."""

    IDLE = 1
    RUNNING = 2
    REMOVED = 3
    COMPLETED = 4
    HELD = 5
    TRANSFERRING_OUTPUT = 6
    SUSPENDED = 7


class LogLevel(enum.IntEnum):
    """Levels and flags of ``htcondor2.log()``."""

    Always = 0
    Error = 1
    Status = 2
    Job = 4
    Machine = 5
    Config = 6
    Protocol = 7
    Priv = 8
    DaemonCore = 9
    Verbose = 10
    Security = 11
    Network = 14
    Hostname = 22
    Audit = 24
    Terse = 0
    FullDebug = 1024
    SubSecond = 1 << 26
    Timestamp = 1 << 27
    PID = 1 << 28
    NoHeader = 1 << 31


class DaemonCommand(enum.IntEnum):
    """Commands ``send_command()`` sends to a daemon (most go to the master)."""

    DaemonOn = 469
    DaemonOff = 467
    DaemonOffFast = 468
    DaemonOffPeaceful = 469
    DaemonsOn = 483
    DaemonsOff = 454
    DaemonsOffFast = 461
    DaemonsOffPeaceful = 484
    OffFast = 60006
    OffForce = 60042
    OffGraceful = 60005
    OffPeaceful = 60015
    Reconfig = 60004
    Restart = 453
    RestartPeaceful = 485
    SetForceShutdown = 60041
    SetPeacefulShutdown = 60016


class SubmitMethod(enum.IntEnum):
    CondorSubmit = 0
    DAGMan = 1
    PythonBindings = 2
    HTCondorJobSubmit = 3
    HTCondorDagSubmit = 4
    HTCondorJobSetSubmit = 5
    UserSet = 100
    MinReserved = 0
    MaxReserved = 100


class HistorySrc(enum.IntEnum):
    ScheddJob = 0
    StartdJob = 1
    JobEpoch = 2
    Daemon = 3
