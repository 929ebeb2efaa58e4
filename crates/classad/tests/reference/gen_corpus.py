"""Write a ClassAd conformance corpus answered by HTCondor's classad2 module.

    python3 gen_corpus.py SEED COUNT PREFIX CONTEXTS.json > cases.jsonl

Random expressions in the style of the shared corpora (literals, the
attributes of the contexts' MY and TARGET ads, operators, lists, nested
ads and calls of every builtin), each evaluated in a forked process so a
crash of the reference loses only that case. The reference's library is
configured (htcondor2 loaded) unless UNCONF=1, when it is left unconfigured
for the whole run. Functions that read the clock or draw random numbers
are left out, so the answers do not depend on when they were computed.
"""
import os
import time

os.environ['TZ'] = 'UTC'
time.tzset()
import classad2 as c, json, sys, random
UNCONF = os.environ.get('UNCONF') == '1'
seed = int(sys.argv[1]); n = int(sys.argv[2]); prefix = sys.argv[3]
ctx = json.load(open(sys.argv[4]))
if UNCONF:
    # Stay unconfigured: never hand an ad to Python in this process.
    def new(s): return c.ClassAd('[' + ';'.join(s.split('\n')) + ']')
    my = new(ctx['my']); target = new(ctx['target'])
else:
    import htcondor2
    my = c.parseOne(ctx['my'], c.ParserType.Old)
    target = c.parseOne(ctx['target'], c.ParserType.Old)
rnd = random.Random(seed)

INTS = ['0', '1', '-1', '7', '42', '1024', '2147483648', '9223372036854775807', '-13', '10', '3', '100', '2', '5', '60']
REALS = ['0.1', '.5', '1.5e-3', '1e300', '1E2', '2.5', '3.14159', '-0.5', '1e3', '0.0', '1.0', '-1e-5', '1e-300', '4.5']
STRS = ['"abc"', '"a,b"', '"x y z"', '"1,2,3"', '"A,B"', '"a, b,c , d"', '"1.5, 2, foo"', '""', '"x\\"y"', '"é"',
        '"Hello World"', '"10.0.0"', '"1.10"', '"1.9"', '"8.9.11"', '"slot1_2@host"', '"a@b.c"', '"%d"',
        '"/path/to/f.root"', '"12abc"', '"true"', '"  sp  "', '"3.5"', '"1+2"', '"x * 2"', '"banana"', '"ABC"', '"a b,c"',
        '"A=1;B=2"', '"a \'b c\' d"', '"FOO=bar BAZ=1"', '"2020-01-01T00:00:00Z"']
OTHER = ['TRUE', 'false', 'True', 'FALSE', 'undefined', 'error']
ATTRS = ['x', 'y', 'name', 'Name', 'flag', 'lst', 'nested', 'nested.a', 'nested.b', 'nested.c', 'nested.c.d', 'u', 'err',
         'self', 'loop', 'Memory', 'MEMORY', 'RequestMemory', 'MY.RequestMemory', 'Owner', 'Cpus', 'Requirements', 'strlist',
         'zero', 'neg', 'big', 'tiny', 'ver', 'emptystr', 'path', 'missing', 'TARGET.x', 'TARGET.Memory', 'TARGET.Cpus',
         'TARGET.Arch', 'TARGET.OpSys', 'TARGET.Owner', 'TARGET.y', 'TARGET.Disk', 'TARGET.HasFileTransfer', 'TARGET.OSPool',
         'TARGET.PoolName', 'TARGET.missing', 'PARENT.x', 'Arch', 'OpSys', 'Disk', 'MY.Memory', 'TARGET.RequestMemory']
PATS = ['"[0-9]+"', '"^h.*o$"', '"an"', '"b.*"', '"(a)(b)?"', '"\\\\d"', '"i"', '"A"', '"^(.*)@(.*)$"', '"^a"', '"a|b"', '"[a-c]+"']
REPL = ['"x"', '"<\\\\0>"', '"\\\\1"', '""', '"-"']
OPTS = ['"i"', '"g"', '"f"', '"m"', '"ig"', '""', '"fg"']
FMTS = ['"%H:%M:%S"', '"%Y-%m-%d"', '"%a %b %e"', '"%c"', '"%j"', '"%s"', '"%A %B %d"', '"%U %W %u"']
FUNCS = {
    'isUndefined': 1, 'isError': 1, 'isString': 1, 'isInteger': 1, 'isReal': 1, 'isBoolean': 1, 'isList': 1, 'isClassAd': 1,
    'isAbstime': 1, 'isReltime': 1, 'int': 1, 'real': 1, 'string': 1, 'bool': 1, 'strcat': -1, 'join': -1, 'toUpper': 1,
    'toLower': 1, 'substr': (2, 3), 'strcmp': 2, 'stricmp': 2, 'size': 1, 'split': (1, 2), 'splitUserName': 1,
    'splitSlotName': 1, 'versioncmp': 2, 'versionLT': 2, 'versionGE': 2, 'version_in_range': 3, 'stringListSize': (1, 2),
    'stringListSum': (1, 2), 'stringListAvg': (1, 2), 'stringListMin': (1, 2), 'stringListMax': (1, 2),
    'stringListMember': (2, 3), 'stringListIMember': (2, 3), 'stringListsIntersect': (2, 3), 'stringListSubsetMatch': (2, 3),
    'stringListISubsetMatch': (2, 3), 'member': 2, 'identicalMember': 2, 'sum': 1, 'avg': 1, 'min': 1, 'max': 1,
    'anyCompare': 3, 'allCompare': 3, 'floor': 1, 'ceiling': 1, 'round': 1, 'pow': 2, 'quantize': 2, 'ifThenElse': 3,
    'unparse': 1, 'eval': 1, 'interval': 1, 'formatTime': (1, 2), 'envV1ToV2': 1, 'mergeEnvironment': -1, 'argsToList': (1, 2),
    'listToArgs': (1, 2), 'countMatches': 2, 'evalInEachContext': 2, 'strlen': 1, 'length': 1, 'splitTime': 1,
    'getDays': 1, 'getHours': 1, 'getSeconds': 1, 'relTime': 1, 'getMinutes': 1, 'debug': 1,
    'stringListsIntersect': (2, 3), 'versionGT': 2, 'versionLE': 2, 'versionEQ': 2, 'userMap': (2, 4),
    'sprintf': 2, 'unresolved': 1,
}
BIN = ['+', '-', '*', '/', '%', '<', '<=', '>', '>=', '==', '!=', '=?=', '=!=', 'is', 'isnt', '&&', '||', '&', '|', '^', '<<', '>>', '>>>']

def atom():
    r = rnd.random()
    if r < 0.15: return rnd.choice(INTS)
    if r < 0.27: return rnd.choice(REALS)
    if r < 0.45: return rnd.choice(STRS)
    if r < 0.52: return rnd.choice(OTHER)
    if r < 0.85: return rnd.choice(ATTRS)
    return rnd.choice(['{1, 2, 3}', '{}', '{"a", "b"}', '[]', '[a = 5; b = a + 1]', '[b = {1, 2}].b', '[c = [z = 1]].c',
                       'relTime("1:00:00")', 'relTime("-1:30")', 'relTime("90")', 'relTime(90)'])

def call(depth):
    f = rnd.choice(list(FUNCS))
    a = FUNCS[f]
    if a == -1: k = rnd.randint(0, 3)
    elif isinstance(a, tuple): k = rnd.randint(*a)
    else: k = a
    args = []
    for i in range(k):
        if f in ('regexp', 'regexps', 'replace', 'replaceAll', 'regexpMember', 'stringList_regexpMember') and i == 0:
            args.append(rnd.choice(PATS))
        elif f in ('anyCompare', 'allCompare') and i == 0:
            args.append(rnd.choice(['"<"', '"=="', '">="', '"!="', '"is"', '"isnt"', '"<="']))
        elif f == 'formatTime' and i == 1:
            args.append(rnd.choice(FMTS))
        elif f == 'formatTime' and i == 0:
            args.append(rnd.choice(['0', '-1', '1700000000', '86399', 'x']) if rnd.random() < 0.7 else gen(depth + 1))
        else:
            args.append(gen(depth + 1))
    return f + '(' + ', '.join(args) + ')'

def regex_call(depth):
    f = rnd.choice(['regexp', 'regexps', 'replace', 'replaceAll', 'regexpMember', 'stringList_regexpMember'])
    t = gen(depth + 1) if rnd.random() < 0.4 else rnd.choice(STRS)
    if f == 'regexp': args = [rnd.choice(PATS), t] + ([rnd.choice(OPTS)] if rnd.random() < 0.3 else [])
    elif f == 'regexpMember': args = [rnd.choice(PATS), rnd.choice(['{"a", "b"}', 'lst', '{"banana", "123"}', gen(depth + 1)])]
    elif f == 'stringList_regexpMember': args = [rnd.choice(PATS), rnd.choice(STRS + ['strlist'])]
    else: args = [rnd.choice(PATS), t, rnd.choice(REPL)] + ([rnd.choice(OPTS)] if rnd.random() < 0.3 else [])
    return f + '(' + ', '.join(args) + ')'

def gen(depth=0):
    if depth > 3: return atom()
    r = rnd.random()
    if depth == 0 and r < 0.35:
        return call(2) if rnd.random() < 0.7 else regex_call(2)
    if r < 0.3: return atom()
    if r < 0.5: return call(depth)
    if r < 0.58: return regex_call(depth)
    if r < 0.78: return '(' + gen(depth + 1) + ' ' + rnd.choice(BIN) + ' ' + gen(depth + 1) + ')'
    if r < 0.83: return rnd.choice(['-', '!', '~', '+']) + gen(depth + 1)
    if r < 0.88: return '(' + gen(depth + 1) + ' ? ' + gen(depth + 1) + ' : ' + gen(depth + 1) + ')'
    if r < 0.91: return '(' + gen(depth + 1) + ' ?: ' + gen(depth + 1) + ')'
    if r < 0.95: return '{' + ', '.join(gen(depth + 1) for _ in range(rnd.randint(0, 4))) + '}'
    if r < 0.97: return '[' + '; '.join('k%d = %s' % (i, gen(depth + 1)) for i in range(rnd.randint(0, 3))) + ']'
    return gen(depth + 1) + '[' + rnd.choice(['0', '1', '2', '-1', '5']) + ']'

def old_unparse(e):
    ad = c.ClassAd(); ad['R'] = e
    return ad.printOld().rstrip('\n')

def canon(v):
    if isinstance(v, c.Value):
        return {'t': 'error' if v == c.Value.Error else 'undefined'}
    if isinstance(v, bool): return {'t': 'bool', 'v': v}
    if isinstance(v, int): return {'t': 'int', 'v': v}
    if isinstance(v, float): return {'t': 'real', 'v': repr(v)}
    if isinstance(v, str): return {'t': 'string', 'v': v}
    if isinstance(v, list): return {'t': 'list', 'v': [canon(x) for x in v]}
    if isinstance(v, c.ExprTree): return {'t': 'expr', 'v': old_unparse(v)[len('R = '):]}
    if isinstance(v, c.ClassAd):
        out = {}
        for line in v.printOld().splitlines():
            if not line: continue
            k, _, rest = line.partition(' = ')
            out[k] = rest
        return {'t': 'ad', 'v': out}
    return {'t': 'exception', 'v': type(v).__name__}

for i in range(n):
    expr = gen()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            e = c.ExprTree(expr)
        except Exception:
            out = {'value': {'t': 'parse_error'}, 'unparse': None}
        else:
            try:
                v = e.eval(my, target)
                out = {'value': canon(v), 'unparse': old_unparse(e)}
            except Exception as ex:
                out = {'value': {'t': 'exception', 'v': type(ex).__name__}, 'unparse': old_unparse(e)}
        os.write(w, json.dumps(out).encode()); os._exit(0)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b: break
        chunks.append(b)
    os.close(r); os.waitpid(pid, 0)
    data = b''.join(chunks).decode()
    if not data:
        continue  # the reference crashed
    out = json.loads(data)
    print(json.dumps({'id': '%s-%d' % (prefix, i), 'expr': expr, 'value': out['value'], 'unparse': out['unparse']}))
