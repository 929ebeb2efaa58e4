"""``send_command``, ``RemoteParam``, ``Credd``, ``Negotiator``, ``Startd``:
what Aerie's daemons offer of HTCondor's administration API."""

from collections.abc import MutableMapping
from typing import Optional

import classad2 as classad
from classad2 import _native

from ._enums import AdType, CredType, DaemonCommand
from ._native_errors import HTCondorException


def _address_of(ad, what="location ClassAd"):
    if not isinstance(ad, classad.ClassAd):
        raise TypeError("ad must be a ClassAd")
    addr = ad.get("MyAddress")
    if addr is None:
        raise ValueError("Address not available in %s." % what)
    return addr


def send_command(ad: classad.ClassAd, dc: DaemonCommand, target: Optional[str] = None):
    """Send an administrative command to the daemon *ad* locates (a master
    for the ``Daemon*``/``Off*``/``Restart`` commands)."""
    addr = _address_of(ad)
    my_type = ad.get("MyType")
    if my_type is None:
        raise ValueError("Daemon type not available in location ClassAd.")
    if AdType.from_MyType(my_type) is None:
        raise ValueError("Unknown daemon type.")
    if not isinstance(dc, DaemonCommand):
        raise TypeError("dc must be a DaemonCommand")
    if AdType.from_MyType(my_type) != AdType.Master:
        raise HTCondorException(
            "Aerie's %s does not take %s; send daemon commands to the master (Collector().locate(DaemonType.Master))"
            % (my_type, dc.name))
    master = _native._DaemonHandle("master", addr)
    targets = [target] if target else []
    name = dc.name
    if name in ("DaemonOff", "DaemonOffPeaceful"):
        if not target:
            raise ValueError("%s needs the daemon to turn off as target (e.g. \"SCHEDD\")" % name)
        master.master_off(targets, False)
    elif name == "DaemonOffFast":
        if not target:
            raise ValueError("DaemonOffFast needs the daemon to turn off as target (e.g. \"SCHEDD\")")
        master.master_off(targets, True)
    elif name == "DaemonOn":
        master.master_on(targets, False)
    elif name == "DaemonsOn":
        master.master_on([], False)
    elif name in ("OffGraceful", "OffPeaceful", "DaemonsOff", "DaemonsOffPeaceful"):
        master.master_off([], False)
    elif name in ("OffFast", "OffForce", "DaemonsOffFast"):
        master.master_off([], True)
    elif name in ("Restart", "RestartPeaceful"):
        master.master_on(targets, True)
    else:
        raise HTCondorException(
            "Aerie's master does not take %s yet (it takes DaemonOn/Off, DaemonsOn/Off, Off*, Restart)" % name)


class RemoteParam(MutableMapping):
    """The configuration of a remote daemon.

    Aerie's daemons do not serve their configuration over the API yet, so
    reading raises ``HTCondorException``; setting is refused as HTCondor
    refuses it unless ``ENABLE_RUNTIME_CONFIG`` allows it."""

    def __init__(self, location: classad.ClassAd):
        self._address = _address_of(location)
        self._location = location

    def _unsupported(self):
        return HTCondorException(
            "cannot read the configuration of the daemon at %s: Aerie's daemons do not serve it yet "
            "(run condor_config_val on that host)" % self._address)

    def __getitem__(self, key):
        raise self._unsupported()

    def __setitem__(self, key, value):
        raise HTCondorException("Failed to set remote daemon parameter.")

    def __delitem__(self, key):
        raise HTCondorException("Failed to unset remote daemon parameter.")

    def __iter__(self):
        raise self._unsupported()

    def __len__(self):
        raise self._unsupported()

    def refresh(self):
        raise self._unsupported()


class Credd:
    """A credential daemon. Aerie has none yet: every call raises."""

    def __init__(self, location: Optional[classad.ClassAd] = None):
        self._location = location

    def _missing(self, *args, **kwargs):
        raise HTCondorException(
            "Aerie has no credd yet: OAuth and password credentials cannot be stored; "
            "jobs that do not need them run without this step")

    add_password = delete_password = query_password = _missing
    add_user_cred = delete_user_cred = query_user_cred = _missing
    add_user_service_cred = delete_user_service_cred = query_user_service_cred = _missing
    check_user_service_creds = get_oauth2_credential = _missing


class CredCheck:
    def __init__(self, services, url_or_error):
        self._services = services
        self._url_or_error = url_or_error

    @property
    def services(self):
        return self._services

    @property
    def present(self):
        return not self._url_or_error

    @property
    def url(self):
        return self._url_or_error if str(self._url_or_error).startswith("http") else None

    @property
    def error(self):
        return None if self.present or self.url else self._url_or_error


class _Unsupported:
    _what = "daemon"

    def __init__(self, location: Optional[classad.ClassAd] = None):
        self._location = location

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def missing(*args, **kwargs):
            raise HTCondorException("%s.%s() is not offered by Aerie's %s API yet" % (type(self).__name__, name, self._what))
        return missing


class Negotiator:
    """The pool's negotiator: submitters' priorities and usage."""

    def __init__(self, location: Optional[classad.ClassAd] = None):
        addr = None if location is None else _address_of(location)
        self._handle = _native._DaemonHandle("negotiator", addr)

    def getPriorities(self, rollup: bool = False):
        """Every submitter's accounting record (``Name``, ``Priority``,
        ``PriorityFactor``, ``ResourcesUsed``, ``AccumulatedUsage``, …)."""
        return self._handle.negotiator_priorities(True)

    def getResourceUsage(self, user: str):
        return [ad for ad in self.getPriorities() if ad.get("Name") == user]

    def setFactor(self, user: str, factor: float) -> None:
        self._handle.negotiator_edit("factor", user, float(factor))

    def setPriority(self, user: str, priority: float) -> None:
        self._handle.negotiator_edit("priority", user, float(priority))

    def setUsage(self, user: str, usage: float) -> None:
        self._handle.negotiator_edit("usage", user, float(usage))

    def resetUsage(self, user: str) -> None:
        self._handle.negotiator_edit("reset", user, 0.0)

    def resetAllUsage(self) -> None:
        self._handle.negotiator_edit("reset_all", "", 0.0)

    def deleteUser(self, user: str) -> None:
        self._handle.negotiator_edit("delete", user, 0.0)

    def _missing(self, *args, **kwargs):
        raise HTCondorException("Aerie's negotiator does not take this change yet (it takes factor, priority, usage, reset, delete)")

    setBeginUsage = setLastUsage = setCeiling = _missing


class Startd(_Unsupported):
    _what = "startd"


class Placementd(_Unsupported):
    _what = "placementd"


class DAGMan(_Unsupported):
    _what = "DAGMan"

    def __init__(self, dag_id: int = 0):
        self._location = None
        self._dag_id = dag_id


class SecurityContext:
    """Which token to present (Aerie's local clients are known by their
    socket's credentials; tokens are for remote pools)."""

    def __init__(self, token: Optional[str] = None):
        self._token = token

    @property
    def preferred_token(self):
        return self._token


def ping(location, authz: Optional[str] = None, security=None) -> classad.ClassAd:
    """Check that a daemon answers (a schedd or collector)."""
    addr = location if isinstance(location, str) else _address_of(location, "location argument")
    my_type = None if isinstance(location, str) else location.get("MyType")
    kind = "collector" if my_type in (None, "Collector") else {"Scheduler": "schedd", "DaemonMaster": "master"}.get(my_type, "schedd")
    h = _native._DaemonHandle(kind, addr)
    if kind == "collector":
        h.collector_query("Collector", None, ["Name"], 1)
    elif kind == "schedd":
        h.schedd_query("false", [], 1, [], False)
    ad = classad.ClassAd()
    ad["MyAddress"] = h.address()
    ad["AuthorizationSucceeded"] = True
    ad["ValidCommands"] = authz or "DC_NOP"
    return ad
