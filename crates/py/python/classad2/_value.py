"""The special ClassAd values ``undefined`` and ``error``."""

import enum


class Value(enum.IntEnum):
    """``classad2.Value.Undefined`` and ``classad2.Value.Error``."""

    Error = 1 << 0
    Undefined = 1 << 1
