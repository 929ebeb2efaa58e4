"""``htcondor2.param``: this process's configuration as a typed mapping."""

from collections.abc import MutableMapping

from classad2 import _native


class _Param(MutableMapping):
    """``param[name]`` is the value HTCondor's ``param`` gives: an ``int``,
    ``bool`` or ``float`` for typed parameters, else the expanded string.
    Assignments change this process's configuration in memory only."""

    def __getitem__(self, key: str):
        if not isinstance(key, str):
            raise TypeError("key must be a string")
        return _native._param_get(key)

    def __setitem__(self, key: str, value: str):
        if not isinstance(key, str):
            raise TypeError("key must be a string")
        if not isinstance(value, str):
            raise TypeError("value must be a string")
        _native._param_set(key, value)

    def __delitem__(self, key: str):
        if not isinstance(key, str):
            raise TypeError("key must be a string")
        _native._param_del(key)

    def __iter__(self):
        return iter(_native._param_keys())

    def __len__(self):
        return len(_native._param_keys())

    def __repr__(self):
        return "<htcondor2.param: the configuration of subsystem %s>" % _native._subsystem()


_param = _Param()
