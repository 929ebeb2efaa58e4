"""``htcondor2.Collector``: ask a pool's collector for daemon and slot ads."""

from typing import List, Optional, Tuple, Union

import classad2 as classad
from classad2 import _native

from ._enums import AdType, DaemonType, _AD_TYPE_OF_DAEMON_TYPE, _MYTYPE_OF_AD_TYPE
from ._native_errors import HTCondorException


def _constraint_text(constraint):
    if constraint is None:
        return None
    if isinstance(constraint, classad.ExprTree):
        return constraint._handle.old()  # daemons read constraints in old syntax
    if not isinstance(constraint, str):
        raise TypeError("constraint must be a string or an ExprTree")
    return constraint or None


class Collector:
    """The collector of a pool: this host's (from the configuration) when
    *pool* is None, else the one at *pool* (``host[:port]``, an address, or
    a location ad)."""

    def __init__(self, pool: Union[str, classad.ClassAd, List[str], Tuple[str, ...], None] = None, security=None):
        if isinstance(pool, (list, tuple)):
            pool = pool[0] if pool else None
        if isinstance(pool, classad.ClassAd):
            pool = pool.get("MyAddress")
        self._pool = pool
        self._handle = _native._DaemonHandle("collector", pool)

    def __repr__(self):
        return "Collector(%r)" % (self._pool or self._handle.address(),)

    def query(self, ad_type: AdType = AdType.Any, constraint=None, projection: Optional[List[str]] = None, statistics: Optional[str] = None) -> List[classad.ClassAd]:
        """Ads of *ad_type* for which *constraint* is true, with only the
        *projection* attributes when one is given."""
        if not isinstance(ad_type, AdType):
            raise TypeError("ad_type must be an AdType")
        my_type = _MYTYPE_OF_AD_TYPE.get(ad_type)
        return self._handle.collector_query(my_type, _constraint_text(constraint), list(projection or []), None)

    def locateAll(self, daemon_type: DaemonType) -> List[classad.ClassAd]:
        """The location ads of every daemon of *daemon_type*."""
        ad_type = _ad_type_of(daemon_type)
        return self.query(ad_type)

    def locate(self, daemon_type: DaemonType, name: Optional[str] = None) -> classad.ClassAd:
        """The location ad of the daemon of *daemon_type* named *name*
        (this host's when *name* is None)."""
        ad_type = _ad_type_of(daemon_type)
        constraint = None
        if name is not None:
            constraint = "Name =?= %s" % classad.quote(name)
            ads = self.query(ad_type, constraint)
            if not ads:
                # a schedd named after its host is also found by the host name
                ads = self.query(ad_type, "Machine =?= %s" % classad.quote(name))
        else:
            ads = self.query(ad_type)
            local = _local_address(daemon_type)
            if local is not None:
                mine = [a for a in ads if local in str(a.get("MyAddress", ""))]
                ads = mine or ads
        if not ads:
            what = daemon_type.name if isinstance(daemon_type, DaemonType) else str(daemon_type)
            raise HTCondorException(
                "Unable to locate the %s%s: the collector at %s has no such ad (is the daemon running? `condor_status -any` lists what it knows)"
                % (what.lower(), "" if name is None else " named %r" % name, self._handle.address())
            )
        return ads[0]

    def directQuery(self, daemon_type: DaemonType, name: Optional[str] = None, projection: Optional[List[str]] = None, statistics: str = None) -> classad.ClassAd:
        """The ad the daemon itself would send (here: its ad in the collector)."""
        ad = self.locate(daemon_type, name)
        if projection:
            return classad.ClassAd({k: ad.lookup(k) for k in projection if k in ad})
        return ad

    def advertise(self, ad_list, command: str = "UPDATE_AD_GENERIC", use_tcp: bool = True) -> None:
        """Store (or replace) ads in the collector; each needs ``MyType`` and ``Name``."""
        if isinstance(ad_list, classad.ClassAd):
            ad_list = [ad_list]
        for ad in ad_list:
            if not isinstance(ad, classad.ClassAd):
                raise TypeError("ad_list must be a list of ClassAds")
            if "MyType" not in ad or "Name" not in ad:
                raise ValueError("every advertised ad needs MyType and Name")
        if command.upper().startswith("INVALIDATE"):
            raise HTCondorException("invalidating ads through Collector.advertise() is not supported yet")
        self._handle.collector_advertise([ad._handle for ad in ad_list])


def _ad_type_of(daemon_type):
    if not isinstance(daemon_type, DaemonType):
        raise TypeError("daemon_type must be a DaemonType")
    ad_type = _AD_TYPE_OF_DAEMON_TYPE.get(daemon_type)
    if ad_type is None:
        raise HTCondorException("cannot locate daemons of type %s" % daemon_type.name)
    return ad_type


def _local_address(daemon_type):
    """This host's address of the daemon (from its address file), if it runs here."""
    kind = {DaemonType.Schedd: "schedd", DaemonType.Master: "master", DaemonType.Startd: "startd",
            DaemonType.Negotiator: "negotiator", DaemonType.Collector: "collector"}.get(daemon_type)
    if kind is None:
        return None
    try:
        return _native._DaemonHandle(kind, None).address()
    except Exception:
        return None
