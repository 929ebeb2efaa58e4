#!/usr/bin/env python3
"""Regenerate data/defaults.tsv and data/metaknobs.txt from HTCondor's
parameter table (src/condor_utils/param_info.in).

The table holds facts Aerie must agree with: every parameter's built-in
default, its type, its range, and the `use CATEGORY : template` meta-knobs.
This script reads the table's simple format ("[NAME]" followed by
"key=value" lines or "key : @tag" ... "@tag" blocks) and writes the two data
files the config crate embeds. Descriptions and other help text are dropped.

usage: gen_param_table.py PARAM_INFO_IN OUT_DIR
   or: gen_param_table.py --git GIT_DIR OUT_DIR   (reads HEAD:src/condor_utils/param_info.in)
"""

import re
import subprocess
import sys

# Values of the C preprocessor macros some entries name with `macro=`: what
# an x86_64 Linux build with Kerberos and SciTokens (HTCondor's release
# wheels) puts there.
C_MACROS = {
    "SEC_STD_AUTH_METHOD_NAMES": "FS,IDTOKENS,KERBEROS,SCITOKENS,SSL",
    "CONDOR_VERSION": "25.0.14",
    "PLATFORM": "X86_64-Linux",
    "PYTHON3_MODULE_SUFFIX": ".so",
    "PYTHON3_VERSION_MINOR": "0",
    "HAVE_EXT_KRB5": "1",
}


def parse(text):
    """Yield (title, {property: value}) in file order."""
    lines = text.split("\n")
    i = 0
    title = None
    props = {}
    while i < len(lines):
        line = lines[i]
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = re.match(r"^\[([$A-Za-z0-9_.]+)\]\s*$", stripped)
        if m:
            if title is not None:
                yield title, props
            title, props = m.group(1), {}
            continue
        m = re.match(r"^([A-Za-z0-9_-]+)\s*(:|=)(.*)$", line)
        if not m:
            raise SystemExit(f"line {i}: cannot parse: {line!r}")
        key, op, rest = m.group(1), m.group(2), m.group(3)
        if op == "=":
            value = rest.lstrip(" ")
            props[key] = value
        else:
            tag = rest.strip()
            body = []
            while i < len(lines) and lines[i] != tag:
                body.append(lines[i])
                i += 1
            i += 1  # the closing tag
            props[key] = "\n".join(body)
    if title is not None:
        yield title, props


INT_EXPR = re.compile(r"^[0-9\-*/() \t]*$")
DBL_EXPR = re.compile(r"^[0-9.\-eE+*/() \t]*$")


def c_int_expr(text):
    # C integer arithmetic: / truncates toward zero (no negatives appear here)
    return int(eval(text.replace("/", "//"), {"__builtins__": {}}))


def cooked(typ, default):
    """The compile-time value HTCondor stores for typed defaults, or ''."""
    d = default.strip()
    if not d:
        return ""
    if typ in ("INT", "LONG"):
        if INT_EXPR.match(default):
            return str(c_int_expr(d))
        return ""
    if typ == "DOUBLE":
        if DBL_EXPR.match(default):
            return repr(float(eval(d, {"__builtins__": {}})))
        return ""
    if typ == "BOOL":
        low = d.lower()
        if low in ("true", "1"):
            return "1"
        if low in ("false", "0"):
            return "0"
        return ""
    return ""


def escape(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--git":
        text = subprocess.run(
            ["git", "-C", args[1], "show", "HEAD:src/condor_utils/param_info.in"],
            check=True, capture_output=True, text=True).stdout
        out_dir = args[2]
    elif len(args) == 2:
        text = open(args[0], encoding="utf-8").read()
        out_dir = args[1]
    else:
        raise SystemExit(__doc__)

    defaults = {}  # a later entry of the same name replaces an earlier one
    metas = {}
    for title, props in parse(text):
        if title.startswith("$"):
            cat, _, knob = title[1:].partition(".")
            metas[title] = (cat, knob, props.get("default", ""))
            continue
        typ = props.get("type", "string").upper()
        path = typ == "PATH"
        if path:
            typ = "STRING"
        default = props.get("default", "")
        if "macro" in props:
            default = C_MACROS.get(props["macro"], default)
        flags = ""
        if path:
            flags += "p"
        cust = props.get("customization", "")
        if cust == "const":
            flags += "c"
        restart = props.get("restart", "")
        if restart == "true":
            flags += "r"
        elif restart == "never":
            flags += "n"
        lo = hi = ""
        rng = props.get("range", "")
        if rng and re.match(r"^[0-9.\-eE+, \t]*$", rng):
            lo, _, hi = (x.strip() for x in rng.partition(","))
        defaults[title] = (title, typ[0], flags, lo, hi, cooked(typ, default), default)

    defaults = sorted(defaults.values(), key=lambda d: d[0].lower())
    with open(f"{out_dir}/defaults.tsv", "w", encoding="utf-8") as f:
        f.write("# Built-in parameter defaults, generated by tools/gen_param_table.py from\n")
        f.write("# HTCondor's param_info.in. Columns: name, type (S string, I int, B bool,\n")
        f.write("# D double, L long), flags (p path, c constant, r restart, n not on reconfig),\n")
        f.write("# range min, range max, compile-time typed value, raw default (\\n \\t \\\\ escaped).\n")
        for row in defaults:
            f.write("\t".join(escape(c) for c in row) + "\n")
    metas = sorted(metas.values(), key=lambda m: (m[0].lower(), m[1].lower()))
    with open(f"{out_dir}/metaknobs.txt", "w", encoding="utf-8") as f:
        f.write("# Meta-knob templates for `use CATEGORY : NAME`, generated by\n")
        f.write("# tools/gen_param_table.py from HTCondor's param_info.in.\n")
        f.write("# Each template: a [CATEGORY.NAME] line, its statements, a line @@\n")
        for cat, knob, body in metas:
            f.write(f"[{cat}.{knob}]\n")
            for line in body.split("\n"):
                f.write(line.rstrip() + "\n")
            f.write("@@\n")
    print(f"{len(defaults)} parameters, {len(metas)} meta-knobs")


if __name__ == "__main__":
    main()
