"""HTCondor's ``classad2`` module, over Aerie's ClassAd library.

ClassAds (``ClassAd``), expressions (``ExprTree``), the special values
(``Value``), parsing (``parseAds``, ``parseOne``, ``parseNext``) and
quoting (``quote``, ``unquote``), with the names and behaviour of
HTCondor's own module.
"""

from ._class_ad import ClassAd
from ._value import Value
from ._expr_tree import ExprTree
from ._parser_type import ParserType
from ._parser_type import ParserType as Parser
from ._class_ad import _parseAds as parseAds
from ._class_ad import _parseOne as parseOne
from ._class_ad import _parseNext as parseNext
from ._class_ad import _quote as quote
from ._class_ad import _unquote as unquote
from ._class_ad import _lastError as lastError
from ._class_ad import _version as version
from ._native import ClassAdException

__all__ = [
    "ClassAd", "ExprTree", "Value", "ParserType", "Parser", "parseAds", "parseOne",
    "parseNext", "quote", "unquote", "lastError", "version", "ClassAdException",
]
