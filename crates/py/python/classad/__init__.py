"""HTCondor's version 1 ``classad`` module names over Aerie's ``classad2``.

Besides everything of ``classad2``: ``Literal(value)``,
``Attribute(name)``, ``Function(name, *args)``, and ``ExprTree``s that
build bigger expressions with Python operators (``Attribute("x") + 1``,
``.and_()``, ``.or_()``, ``.is_()``, ``.isnt_()``).
"""

import classad2 as _classad2
from classad2 import *  # noqa: F401,F403
from classad2 import _native
from classad2._expr_tree import ExprTree as _ExprTree2


class ExprTree(_ExprTree2):
    """A v1 ``classad.ExprTree``: Python's operators build expressions,
    ``==`` and ``!=`` included (``sameAs()`` compares two trees)."""

    __hash__ = None


def _v1(result, *operands):
    # results of v1 trees stay v1 trees, so `==` keeps building expressions
    if any(isinstance(o, ExprTree) for o in operands):
        result.__class__ = ExprTree
    return result


def _v1_binary(name):
    base = getattr(_ExprTree2, name)

    def f(self, other):
        return _v1(base(self, other), self, other)
    return f


for _name in ["__add__", "__sub__", "__mul__", "__truediv__", "__mod__", "__lt__", "__le__", "__gt__", "__ge__",
              "__and__", "__or__", "__xor__", "__lshift__", "__rshift__", "__getitem__", "__radd__", "__rsub__",
              "__rmul__", "__rtruediv__", "__rmod__", "__rand__", "__ror__", "__rxor__", "and_", "or_", "is_", "isnt_"]:
    setattr(ExprTree, _name, _v1_binary(_name))
for _name in ["__neg__", "__pos__", "__invert__"]:
    setattr(ExprTree, _name, (lambda base: lambda self: _v1(base(self), self))(getattr(_ExprTree2, _name)))
ExprTree.__eq__ = lambda self, other: _v1(_native._expr_binary("==", self, other), self)
ExprTree.__ne__ = lambda self, other: _v1(_native._expr_binary("!=", self, other), self)
ExprTree.__bool__ = lambda self: bool(self.eval())
ExprTree.__int__ = lambda self: int(self.eval())
ExprTree.__float__ = lambda self: float(self.eval())


def _as_v1(tree):
    tree.__class__ = ExprTree
    return tree


def Literal(obj):
    """An expression that is the literal value *obj*."""
    return _as_v1(_native._expr_literal(obj))


def Attribute(name: str):
    """An expression referring to attribute *name*."""
    return _as_v1(_native._expr_attribute(name))


def Function(name: str, *args):
    """An expression calling the ClassAd function *name* with *args*."""
    return _as_v1(_native._expr_call(name, list(args)))


def register(function, name=None):
    """Not offered: ClassAd functions written in Python cannot be called
    from Aerie's evaluator."""
    raise _classad2.ClassAdException("registering Python functions as ClassAd functions is not supported by Aerie")


def version():
    return _classad2.version()
