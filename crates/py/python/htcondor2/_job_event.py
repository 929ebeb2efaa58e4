"""``htcondor2.JobEvent``: one event of a job event log."""

import datetime
from collections.abc import Mapping

from ._enums import JobEventType


class JobEvent(Mapping):
    """An event's properties (``ReturnValue``, ``HoldReason``, …) as a
    mapping, with ``type``, ``cluster``, ``proc`` and ``timestamp``."""

    def __init__(self, data, event_text: str):
        self._data = data
        self._event_text = event_text

    @property
    def type(self) -> JobEventType:
        return JobEventType(self._data["EventTypeNumber"])

    @property
    def cluster(self) -> int:
        return self._data.get("Cluster", -1)

    @property
    def proc(self) -> int:
        return self._data.get("Proc", -1)

    @property
    def timestamp(self) -> int:
        iso = self._data["EventTime"]
        fmt = "%Y-%m-%dT%H:%M:%S"
        if "." in iso:
            fmt += ".%f"
        if iso.endswith("Z"):
            fmt += "Z"
        return int(datetime.datetime.strptime(iso, fmt).timestamp())

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        return f"JobEvent(type={self.type}, cluster={self.cluster}, proc={self.proc}, timestamp={self.timestamp})"

    def __str__(self):
        return self._event_text
