"""The exception every ``htcondor2`` call raises when a daemon, the
configuration or a description refuses (a ``RuntimeError``, as in v1)."""

from classad2._native import HTCondorException

__all__ = ["HTCondorException"]
