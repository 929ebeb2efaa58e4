"""HTCondor's version 1 ``htcondor`` module names, over Aerie's
``htcondor2``: ``import htcondor`` scripts keep working (``DaemonTypes``,
``AdTypes``, ``DaemonCommands``, ``param``, ``Schedd``, ``Collector``, …)."""

from htcondor2 import *  # noqa: F401,F403
from htcondor2 import __all__ as _all
from htcondor2 import param, version, platform, reload_config, set_subsystem  # noqa: F401
from htcondor2 import enable_debug, enable_log, log, send_command  # noqa: F401

HTCondorIOError = HTCondorException  # noqa: F405
HTCondorValueError = ValueError
HTCondorLocateError = HTCondorException  # noqa: F405
HTCondorInternalError = HTCondorException  # noqa: F405
HTCondorReplyError = HTCondorException  # noqa: F405

__all__ = list(_all) + ["HTCondorIOError", "HTCondorValueError", "HTCondorLocateError", "HTCondorInternalError", "HTCondorReplyError"]


# --- v1 calls that scripts written for the version 1 module still make ---

from htcondor2 import Schedd as _Schedd, Submit as _Submit  # noqa: E402


class Transaction:
    """v1 ``schedd.transaction()``: a context in which ``Submit.queue()``
    submits. Each submit is committed by the schedd when it is made (Aerie
    commits every submit as one transaction)."""

    def __init__(self, schedd, flags=0, continue_txn=False):
        self._schedd = schedd

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        return False


def _transaction(self, flags=0, continue_txn=False):
    return Transaction(self, flags, continue_txn)


def _xquery(self, requirements="true", projection=[], limit=-1, opts=0, name=None):
    return iter(self.query(requirements, projection, limit=limit))


def _queue(self, txn, count=1, ad_results=None):
    """v1 ``Submit.queue(txn, count)``: submit *count* jobs; the cluster id."""
    if not isinstance(txn, Transaction):
        raise TypeError("queue() needs the transaction of schedd.transaction()")
    result = txn._schedd.submit(self, count=count)
    if ad_results is not None:
        ad_results.append(result.clusterad())
    return result.cluster()


def _queue_with_itemdata(self, txn, count=1, itemdata=None):
    """v1 ``Submit.queue_with_itemdata(txn, count, itemdata)``: a SubmitResult."""
    if not isinstance(txn, Transaction):
        raise TypeError("queue_with_itemdata() needs the transaction of schedd.transaction()")
    if itemdata is None:
        return txn._schedd.submit(self, count=count)
    return txn._schedd.submit(self, count=count, itemdata=itemdata)


_Schedd.transaction = _transaction
_Schedd.xquery = _xquery
_Submit.queue = _queue
_Submit.queue_with_itemdata = _queue_with_itemdata
__all__.append("Transaction")
