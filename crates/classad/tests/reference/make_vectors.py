"""Write tests/data/operators.txt: every operator applied to every kind of
value, answered by HTCondor's classad2 module (configured, in UTC).

Run from crates/classad:  python3 tests/reference/make_vectors.py
Each line is `expression<TAB>value` with the value printed as
tests/common/mod.rs prints Aerie's.
"""
import os
import sys
import time

os.environ['TZ'] = 'UTC'
time.tzset()
import htcondor2  # noqa: F401  (loads the configuration: the configured library)
import classad2 as c

sys.path.insert(0, os.path.dirname(__file__))
from show import show  # noqa: E402

VALUES = ['true', 'false', 'undefined', 'error', '0', '1', '-3', '2.5', '0.0', '"a"', '"A"', '""', '{1}', '[a = 1]',
          'relTime(60)', 'absTime(0, 0)']
UNARY = ['!', '-', '+', '~']
BINARY = ['&&', '||', '==', '!=', '<', '<=', '>', '>=', '=?=', '=!=', 'is', 'isnt', '+', '-', '*', '/', '%',
          '&', '|', '^', '<<', '>>', '>>>', '?:']

lines = []
for a in VALUES:
    for op in UNARY:
        lines.append(f'{op}{a}' if op != '-' else f'-({a})')
    lines.append(f'{a} ? 1 : 2')
    lines.append(f'ifThenElse({a}, 1, 2)')
    for b in VALUES:
        for op in BINARY:
            lines.append(f'{a} {op} {b}')
# Short-circuiting: the right side is not evaluated at all.
for a in VALUES:
    lines.append(f'{a} && (1 / 0 == 1)')
    lines.append(f'{a} || (1 / 0 == 1)')

out = []
for e in lines:
    v = c.ExprTree(e).eval()
    s = show(v)
    if s is None:
        continue
    out.append(f'{e}\t{s}')
path = os.path.join(os.path.dirname(__file__), '..', 'data', 'operators.txt')
with open(path, 'w') as f:
    f.write('\n'.join(out) + '\n')
print(len(out), 'vectors written to', os.path.normpath(path))
