"""Print classad2 values the way the crate's tests print Aerie's (see tests/common/mod.rs)."""
import classad2 as c


def rfloat(f):
    return repr(f)


def rstr(s):
    out = '"'
    for ch in s:
        if ch == '"':
            out += '\\"'
        elif ch == '\\':
            out += '\\\\'
        elif ch == '\n':
            out += '\\n'
        elif ch == '\t':
            out += '\\t'
        elif ch == '\r':
            out += '\\r'
        elif ord(ch) < 32:
            out += '\\u{%x}' % ord(ch)
        else:
            out += ch
    return out + '"'


def show(v):
    if isinstance(v, c.Value):
        return 'error' if v == c.Value.Error else 'undefined'
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return rfloat(v)
    if isinstance(v, str):
        return rstr(v)
    if isinstance(v, list):
        return '{' + ', '.join(show(x) for x in v) + '}'
    if isinstance(v, c.ExprTree):
        ad = c.ClassAd()
        ad['R'] = v
        return ad.printOld().rstrip('\n')[len('R = '):]
    if isinstance(v, c.ClassAd):
        parts = []
        for line in v.printOld().splitlines():
            if line:
                parts.append(line)
        return '[' + '; '.join(parts) + ']'
    return None
