"""Write tests/data/builtins.txt: calls of every builtin function, answered
by HTCondor's classad2 module (configured, in UTC), evaluated with the
tests/data/contexts.json ads as MY and TARGET.

Run from crates/classad:  python3 tests/reference/make_builtin_vectors.py

The calls are the builtin unit tests' own expressions (src/builtins/*.rs,
except those that read the clock, which the unit tests pin) plus calls on
attributes of the context ads.
"""
import glob
import json
import os
import re
import sys
import time

os.environ['TZ'] = 'UTC'
time.tzset()
import htcondor2  # noqa: F401  (loads the configuration: the configured library)
import classad2 as c

here = os.path.dirname(__file__)
sys.path.insert(0, here)
from show import show  # noqa: E402

ctx = json.load(open(os.path.join(here, '..', 'data', 'contexts.json')))
my = c.parseOne(ctx['my'], c.ParserType.Old)
target = c.parseOne(ctx['target'], c.ParserType.Old)

CHECK = re.compile(r'check\(\s*"((?:[^"\\]|\\.)*)"\s*,', re.S)
CLOCK = re.compile(r'\b(time|currentTime|dayTime|timeZoneOffset|random)\(|formatTime\(\)|absTime\(\)|absTime\(\d+\)|'
                   r'getYear|getMonth|getDay|getHours|getMinutes|getSeconds|splitTime\(\d|formatTime\(-?\d', re.I)


def unrust(s):
    return bytes(s, 'utf-8').decode('unicode_escape').encode('latin-1').decode('utf-8')


exprs = []
for f in sorted(glob.glob(os.path.join(here, '..', '..', 'src', 'builtins', '*.rs'))):
    for m in CHECK.finditer(open(f).read()):
        e = unrust(m.group(1))
        if not CLOCK.search(e):
            exprs.append(e)

# Calls on the context ads and the forms that need the evaluator.
exprs += [
    'strcat(Owner, "@", TARGET.Arch)', 'toUpper(name)', 'size(lst)', 'size(nested)', 'member(2, nested.b)',
    'sum(nested.b)', 'avg(lst)', 'min({x, y, TARGET.x})', 'max({Cpus, TARGET.Cpus})', 'stringListSize(strlist)',
    'stringListMember("b", strlist)', 'split(strlist)', 'splitUserName(Owner)', 'versioncmp(ver, "1.9.0")',
    'ifThenElse(flag, x, y)', 'ifThenElse(u, 1, 2)', 'ifThenElse(err, 1, 2)', 'ifThenElse(1.5, "a", "b")',
    'ifThenElse("x", 1, 2)', 'ifThenElse(true, 1)', 'eval("x + 1")', 'eval(strcat("TARGET.", "Memory"))',
    'eval("1 +")', 'eval(undefined)', 'eval(3)', 'unparse(Requirements)', 'unparse(self)', 'unparse(missing)',
    'unparse(1 + 2)', 'unparse(TARGET.Memory)', 'debug(x + 1)', 'debug(1, 2)',
    'evalInEachContext(a, {nested, nested.c, [a = 7]})', 'evalInEachContext(d, {nested.c})',
    'countMatches(a > 0, {nested, [a = 0], [a = 5]})', 'countMatches(x, undefined)',
    'evalInEachContext(x, 5)', 'unresolved(Requirements)', 'unresolved(Requirements, "^mem")',
    'unresolved(self)', 'unresolved(missing)', 'unresolved(1)', 'unresolved(x, "[")',
    'regexp("^a", Owner)', 'regexps("(.)l(.*)", Owner, "\\\\2\\\\1")', 'replaceAll("o", TARGET.Owner, "0")',
    'regexpMember("^1", {ver, path})', 'stringList_regexpMember("^c", strlist)', 'envV1ToV2(u)',
    'mergeEnvironment(envV1ToV2("A=1;B=2"), "B=3 C=4")', 'argsToList("a b")', 'listToArgs(split(strlist))',
    'formatTime(x, "%H:%M:%S")', 'formatTime(absTime(3600, 3600), "%H %Z")', 'interval(RequestMemory)',
    'quantize(RequestMemory, 1000)', 'quantize(y, {1, 2, 8})', 'pow(Cpus, 2)', 'floor(y)', 'ceiling(y)',
    'round(y)', 'int(y)', 'real(x)', 'string(nested)', 'string(lst)', 'bool(zero)', 'isUndefined(TARGET.y)',
    'isError(err)', 'anyCompare("<", lst, 2)', 'allCompare(">", nested.b, 1)', 'identicalMember(1, lst)',
    'join(", ", lst)', 'join(split(strlist))', 'substr(path, -4)', 'strcmp(name, Name)', 'stricmp(name, Name)',
    'splitSlotName("slot1@host")', 'version_in_range(ver, "1.9", "1.11")', 'versionLT(ver, "1.10.10")',
    'versionGT(ver, "1.9")', 'versionLE(ver, ver)', 'versionGE("2", ver)', 'versionEQ(ver, "1.10.2")',
    'stringListSum("1, 2.5")', 'stringListAvg("2, 4")', 'stringListMin("3 1 2")', 'stringListMax("3 1 2")',
    'stringListIMember("A", strlist)', 'stringListSubsetMatch("a,d", strlist)', 'stringListISubsetMatch("A,D", strlist)',
    'stringListsIntersect(strlist, "d e")', 'userMap("groups", Owner)', 'userMap("groups", Owner, "x", "none")',
    'isString(name)', 'isInteger(x)', 'isReal(y)', 'isBoolean(flag)', 'isList(lst)', 'isClassAd(nested)',
    'isAbstime(absTime(0, 0))', 'isReltime(relTime(5))', 'splitTime(relTime(90061))', 'relTime(x)', 'absTime(x, 0)',
    'getDays(relTime(90061))', 'getHours(relTime(90061))', 'getMinutes(relTime(90061))', 'getSeconds(relTime(90061))',
    'getYear(absTime(1700000000, 0))', 'getMonth(absTime(1700000000, 0))', 'getDayOfMonth(absTime(1700000000, 0))',
    'getDayOfWeek(absTime(1700000000, 0))', 'getDayOfYear(absTime(1700000000, 0))', 'ceil(2.5)',
    'random(0)', 'random(-1.0)', 'random("x")', 'random(1, 2)', 'time(1)', 'currentTime(1)', 'dayTime(1)',
    'timeZoneOffset(1)', 'splitTime(absTime(0, 3600))', 'formatTime(absTime(0, 0))',
    'userHome(Owner)', 'userHome(Owner, "/home/x")', 'userHome(x)', 'userHome(u)', 'userHome(u, path)', 'userHome()',
]

out = []
for e in exprs:
    try:
        v = c.ExprTree(e).eval(my, target)
    except Exception:
        continue
    s = show(v)
    if s is None:
        continue
    out.append(f'{e}\t{s}')
path = os.path.join(here, '..', 'data', 'builtins.txt')
with open(path, 'w') as f:
    f.write('\n'.join(out) + '\n')
print(len(out), 'vectors written to', os.path.normpath(path))
