"""``htcondor2.JobEventLog``: the events of a job event log, as they come."""

import time
from typing import Optional

from classad2 import _native

from ._job_event import JobEvent


class JobEventLog:
    """Iterate over the events of a job event log (``log = FILE``).

    ``events(stop_after=None)`` waits for new events forever,
    ``stop_after=0`` never waits, ``stop_after=N`` waits up to N seconds
    for each next event; iteration can resume after it stops."""

    def __init__(self, filename: str):
        if not isinstance(filename, str):
            raise TypeError("filename must be a string")
        if len(filename) == 0:
            raise ValueError("filename must not be empty")
        self._deadline = 0
        self._filename = filename
        self._handle = _native._EventReader(filename)

    def events(self, stop_after: Optional[int] = None) -> "JobEventLog":
        if stop_after is None:
            self._deadline = 0
        elif isinstance(stop_after, int):
            self._deadline = time.time() + stop_after if stop_after > 0 else -1
        else:
            raise TypeError("deadline must be an integer")
        return self

    def close(self) -> None:
        self._handle.close()

    def __iter__(self) -> "JobEventLog":
        return self

    def __next__(self) -> JobEvent:
        deadline = self._deadline
        if deadline < 0:
            deadline = 1e-9  # already passed: do not wait
        got = self._handle.next(float(deadline))
        if got is None:
            raise StopIteration
        text, data = got
        return JobEvent(data, text)

    def __enter__(self):
        self._deadline = 0
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.close()
        return False

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return (state, self._handle.offset())

    def __setstate__(self, t):
        self.__dict__ = t[0]
        self._handle = _native._EventReader(self._filename)
        self._handle.set_offset(t[1])
