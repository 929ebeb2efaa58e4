"""``htcondor2.Schedd``: submit, query, act on and edit jobs; history."""

import re
from typing import Callable, Iterator, List, Optional, Union

import classad2 as classad
from classad2 import _native

from ._enums import JobAction, QueryOpt, TransactionFlag
from ._native_errors import HTCondorException
from ._submit import Submit
from ._submit_result import SubmitResult

_NO_ITEMDATA = object()


def _constraint_text(constraint):
    if constraint is None:
        return None
    if isinstance(constraint, classad.ExprTree):
        return constraint._handle.old()  # daemons read constraints in old syntax
    if not isinstance(constraint, str):
        raise TypeError("constraint must be a string or an ExprTree")
    text = constraint.strip()
    return text or None


def _is_trivial(constraint):
    return constraint is None or constraint.strip().lower() in ("", "true")


def _job_spec(job_spec):
    """A job_spec as (job ids, constraint), as HTCondor reads it."""
    if isinstance(job_spec, bool):
        raise TypeError("job_spec must be a job id, a list of them, a cluster id or a constraint")
    if isinstance(job_spec, int):
        return [str(job_spec)], None
    if isinstance(job_spec, classad.ExprTree):
        return [], job_spec._handle.old()
    if isinstance(job_spec, list):
        if not all(isinstance(i, str) for i in job_spec):
            raise TypeError("All elements of the job_spec list must be strings.")
        for i in job_spec:
            if not re.fullmatch(r"\s*\d+(\.\d+)?\s*", i):
                raise ValueError("All elements of the job_spec list must be strings of the form clusterID[.procID]")
        return [i.strip() for i in job_spec], None
    if isinstance(job_spec, str):
        parts = [p for p in re.split(r"[\s,]+", job_spec.strip()) if p]
        if parts and all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
            return parts, None
        try:
            classad.ExprTree(job_spec)
        except classad.ClassAdException:
            raise ValueError("The job_spec string must be a clusterID[.procID] or the string form of an ExprTree.")
        return [], job_spec
    raise TypeError("job_spec must be a job id, a list of them, a cluster id or a constraint")


class Schedd:
    """A schedd: this host's when *location* is None, else the one a
    location ad (``Collector.locate(DaemonType.Schedd, name)``) names."""

    def __init__(self, location: Optional[classad.ClassAd] = None):
        address = None
        if location is not None:
            if not isinstance(location, classad.ClassAd):
                raise TypeError("location must be a ClassAd")
            address = location.get("MyAddress")
            if address is None:
                raise ValueError("Address not available in location ClassAd.")
        self._location = location
        self._handle = _native._DaemonHandle("schedd", address)

    def __repr__(self):
        return "Schedd(%s)" % self._handle.address()

    def query(self, constraint: Union[str, classad.ExprTree] = "True", projection: List[str] = [],
              callback: Callable = None, limit: int = -1, opts: QueryOpt = QueryOpt.Default) -> List[classad.ClassAd]:
        """The job ads matching *constraint*, with only the *projection*
        attributes when one is given; with ``QueryOpt.DefaultMyJobsOnly``
        and no constraint, only this user's jobs."""
        text = _constraint_text(constraint)
        owners = []
        if int(opts) & int(QueryOpt.DefaultMyJobsOnly) and _is_trivial(text):
            owners = [_native._current_user()]
        if _is_trivial(text):
            text = None
        lim = None if limit is None or limit < 0 else int(limit)
        ads = self._handle.schedd_query(text, list(projection or []), lim, owners, False)
        if callback is not None:
            return [r for r in (callback(a) for a in ads) if r is not None]
        return ads

    def history(self, constraint: Union[str, classad.ExprTree, None] = None, projection: List[str] = [],
                match: int = -1, since=None) -> List[classad.ClassAd]:
        """Ads of jobs that left the queue, newest first."""
        text = _constraint_text(constraint)
        if _is_trivial(text):
            text = None
        if since is not None:
            if isinstance(since, int):
                since_c = "ClusterId > %d" % since
            elif isinstance(since, str) and re.fullmatch(r"\d+\.\d+", since):
                c, p = since.split(".")
                since_c = "(ClusterId > %s || (ClusterId == %s && ProcId > %s))" % (c, c, p)
            else:
                since_c = "!(%s)" % _constraint_text(since)
            text = since_c if text is None else "(%s) && %s" % (text, since_c)
        lim = None if match is None or match < 0 else int(match)
        return self._handle.schedd_query(text, list(projection or []), lim, [], True)

    def jobEpochHistory(self, constraint=None, projection: List[str] = [], match: int = -1, since=None, **kwargs):
        raise HTCondorException("job epoch history is not kept by Aerie's schedd yet")

    def act(self, action: JobAction, job_spec, reason: str = None) -> classad.ClassAd:
        """Hold, release, remove, vacate, suspend or continue jobs; the
        answer counts what happened (``TotalSuccess``, ``TotalNotFound``, …)."""
        if not isinstance(action, JobAction):
            raise TypeError("action must be a JobAction")
        ids, constraint = _job_spec(job_spec)
        return self._handle.schedd_act(action.name, ids, constraint, reason)

    def edit(self, job_spec, attr: str, value, flags: TransactionFlag = TransactionFlag.Default) -> int:
        """Set *attr* to *value* (an expression) in the jobs; the number of
        jobs edited."""
        if not isinstance(flags, TransactionFlag):
            raise TypeError("flags must be a TransactionFlag")
        value = value._handle.old() if isinstance(value, classad.ExprTree) else str(value)
        ids, constraint = _job_spec(job_spec)
        return self._handle.schedd_edit(ids, constraint, attr, value)

    def submit(self, description: Submit, count: int = 0, spool: bool = False,
               itemdata: Union[Iterator[str], Iterator[dict], None] = _NO_ITEMDATA, queue: str = None) -> SubmitResult:
        """Queue the jobs *description* describes: *count* per item (0: as its
        queue statement says), one per element of *itemdata* when given.
        With *spool*, the jobs wait held until ``spool()`` sends their files."""
        if not isinstance(description, Submit):
            raise TypeError("description must be an htcondor2.Submit")
        if not isinstance(count, int) or count < 0:
            raise ValueError("count must be a non-negative integer")
        desc = description
        if queue is not None:
            if itemdata is not _NO_ITEMDATA:
                raise ValueError("use queue or itemdata, not both")
            desc = description._copy()
            desc.setQArgs(queue)
        items = None if itemdata is _NO_ITEMDATA or itemdata is None else list(itemdata)
        cluster, first, num, cluster_ad, procs = self._handle.schedd_submit(desc._handle, count, bool(spool), items)
        return SubmitResult(cluster, first, num, cluster_ad, procs if spool else None)

    def spool(self, result: SubmitResult) -> None:
        """Send the input files of spooled jobs and let them run.

        Aerie's schedd shares this host's file system when reached on its
        Unix socket, so the files are already where the jobs read them;
        the jobs are released. A schedd on another host cannot take input
        files yet."""
        if not isinstance(result, SubmitResult):
            raise TypeError("result must be a SubmitResult")
        if not self._handle.is_local():
            raise HTCondorException(
                "spooling input files to a schedd on another host is not supported by Aerie yet; "
                "submit without spool=True on the schedd's host (or a host sharing its file system)")
        ids = ["%d.%d" % (result.cluster(), result.first_proc() + i) for i in range(result.num_procs())]
        self._handle.schedd_act("Release", ids, None, "Data files spooled")

    def retrieve(self, job_spec) -> None:
        """Fetch the output files of completed spooled jobs.

        From a schedd on this host the outputs are already in the jobs'
        directories; this checks that the jobs exist and are done."""
        if not self._handle.is_local():
            raise HTCondorException("retrieving output files from a schedd on another host is not supported by Aerie yet")
        ids, constraint = _job_spec(job_spec)
        if ids:
            parts = []
            for i in ids:
                if "." in i:
                    c, p = i.split(".")
                    parts.append("(ClusterId == %s && ProcId == %s)" % (c, p))
                else:
                    parts.append("ClusterId == %s" % i)
            constraint = " || ".join(parts)
        ads = self._handle.schedd_query(constraint, ["ClusterId", "ProcId", "JobStatus"], None, [], False)
        if not ads:
            raise HTCondorException("no job matches %s" % constraint)
        running = [a for a in ads if a.get("JobStatus") not in (3, 4)]
        if running:
            raise HTCondorException(
                "job(s) %s have not completed yet; retrieve their output once JobStatus is 4"
                % ", ".join("%s.%s" % (a["ClusterId"], a["ProcId"]) for a in running))

    def reschedule(self) -> None:
        """Ask for a negotiation cycle now."""
        self._handle.schedd_reschedule()

    def export_jobs(self, *args, **kwargs):
        raise HTCondorException("exporting jobs is not supported by Aerie's schedd yet")

    def get_claims(self, *args, **kwargs):
        raise HTCondorException("listing claims is not supported by Aerie's schedd API yet")
