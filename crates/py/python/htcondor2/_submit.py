"""``htcondor2.Submit``: a submit description as a mapping of commands."""

from collections.abc import MutableMapping
from pathlib import Path
from typing import Dict, Iterator, Optional, Union

import classad2 as classad
from classad2 import _native

from ._enums import SubmitMethod
from ._native_errors import HTCondorException


def _text_of(value):
    if isinstance(value, classad.ClassAd):
        return repr(value)
    if isinstance(value, classad.ExprTree):
        return repr(value)
    if isinstance(value, (bool, int, float, Path)):
        return str(value)
    if not isinstance(value, str):
        raise TypeError("value must be a string")
    return value


class Submit(MutableMapping):
    """Submit commands (``executable``, ``arguments``, ``request_memory``,
    ``+Attr``, …) and a queue statement (``getQArgs()``/``setQArgs()``).

    Built from a dict (no queue statement in it: pass ``queue=`` or give
    ``count``/``itemdata`` to ``Schedd.submit()``), from the text of a
    submit description, or from keyword arguments."""

    def __init__(self, input: Union[Dict[str, str], str, None] = None, queue: str = None, **kwargs):
        if isinstance(input, dict):
            self._handle = _native._SubmitHandle()
            for key, value in input.items():
                if not isinstance(key, str):
                    raise TypeError("key must be a string")
                if key.casefold() == "queue":
                    raise ValueError("the queue statement can not be specified in a dictionary")
                self._handle.set(key, _text_of(value))
        elif isinstance(input, str):
            self._handle = _native._SubmitHandle.from_description(input)
        elif input is None:
            self._handle = _native._SubmitHandle()
        else:
            raise TypeError("input must be a dictionary mapping string to strings, a string, or None")
        for key, value in kwargs.items():
            self._handle.set(key, _text_of(value))
        if queue is not None:
            if not isinstance(queue, str):
                raise TypeError("queue must be a string")
            self.setQArgs(queue)
        self._submit_method = None

    def __getitem__(self, key):
        if not isinstance(key, str):
            raise TypeError("key must be a string")
        value = self._handle.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError("key must be a string")
        if not isinstance(value, str):
            raise TypeError("value must be a string")
        self._handle.set(key, value)

    def __delitem__(self, key):
        raise NotImplementedError("Submit object keys can not be removed, but the empty string is defined to have no effect.")

    def __iter__(self):
        return iter(self._handle.keys())

    def __len__(self):
        return len(self._handle.keys())

    def __str__(self):
        out = "".join("%s = %s\n" % (k, v) for k, v in self.items())
        qargs = self._handle.qargs()
        return out + ("queue\n" if qargs == "" else "queue %s\n" % qargs)

    def __repr__(self):
        return "Submit(%s)" % self

    def _copy(self):
        new = Submit.__new__(Submit)
        new._handle = self._handle.copy()
        new._submit_method = self._submit_method
        return new

    def expand(self, attr: str) -> str:
        """The value of *attr* with its macros expanded."""
        return self._handle.expand(attr)

    def getQArgs(self) -> str:
        """The queue statement's arguments (``""`` when there is none)."""
        return self._handle.qargs()

    def setQArgs(self, args: str):
        """Replace the queue statement (``"3"``, ``"x in (a, b)"``, ``"queue 2"``)."""
        if not isinstance(args, str):
            raise TypeError("args must be a string")
        self._handle.set_qargs(args)

    def itemdata(self, qargs: Optional[str] = None) -> Optional[Iterator[dict]]:
        """The items of the queue statement (or of *qargs*), one dict per
        job; None when the statement has no items."""
        h = self._handle
        if qargs is not None:
            h = h.copy()
            h.set_qargs(qargs)
        rows = h.itemdata()
        return None if rows is None else iter(rows)

    def jobs(self, count: int = 0, itemdata=None, clusterid: int = 1, procid: int = 0, qdate: int = 0, owner: str = ""):
        """The job ads a submit of this description would queue."""
        items = None if itemdata is None else list(itemdata)
        return iter(self._handle.jobs(count, items, clusterid, procid, qdate, owner, True))

    def procs(self, count: int = 0, itemdata=None, clusterid: int = 1, procid: int = 0, qdate: int = 0, owner: str = ""):
        """Each job's own attributes (not those it shares with its cluster)."""
        items = None if itemdata is None else list(itemdata)
        return iter(self._handle.jobs(count, items, clusterid, procid, qdate, owner, False))

    def getSubmitMethod(self) -> int:
        return int(self._submit_method if self._submit_method is not None else SubmitMethod.PythonBindings)

    def setSubmitMethod(self, method_value=-1, allow_reserved_values: bool = False):
        value = int(method_value)
        if 0 <= value < 100 and not allow_reserved_values:
            raise ValueError("submit methods below 100 are reserved; pass allow_reserved_values=True")
        self._submit_method = value
        self._handle.set("MY.JobSubmitMethod", str(value))

    def issue_credentials(self) -> Optional[str]:
        return None

    @staticmethod
    def from_dag(filename: str, options: Dict = {}) -> "Submit":
        raise HTCondorException("DAGMan is not part of Aerie yet; Submit.from_dag() cannot be used")
