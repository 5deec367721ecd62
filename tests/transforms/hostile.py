#!/usr/bin/env python3
"""Writes hostile record values (one per line) to stdout: random JSON of every type with
the field names the hostile configs use, deep nesting, numbers beyond int64 and double,
invalid UTF-8, invalid JSON, non-objects, empty lines (tombstones). Seeded: reproducible."""
import json, random, sys

rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
FIELDS = ["a", "b", "c", "ts", "user", "ind", "first_name", "last_name", "follower_count",
          "index", "timestamp", "latitude", "longitude", "date_joined", "save_location"]

def scalar():
    return rnd.choice([
        None, True, False, 0, -1, 2**63 - 1, -2**63, 1.5, -89.9787, 1e308, 5e-324,
        "", " ", "10k", "1.5k", "3M", "892", "abc", "2020-08-28 03:52:47",
        "2020-02-30 00:00:00", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59",
        "Local save in ", "\u00e9\u4e2d\U0001F600", "x" * rnd.randint(0, 3000),
        "%s%n%x", "${topic}", "$1\\", "1" * 40, "-" , "+", ".5k", "1.k",
    ])

def value(depth=0):
    if rnd.random() < 0.002:
        return "\u0000nul"
    r = rnd.random()
    if depth > 4 or r < 0.5:
        return scalar()
    if r < 0.75:
        return [value(depth + 1) for _ in range(rnd.randint(0, 4))]
    return {rnd.choice(FIELDS + ["x.y", "user.name"]): value(depth + 1) for _ in range(rnd.randint(0, 5))}

out = sys.stdout.buffer
def emit(b): out.write(b + b"\n")

for _ in range(400):
    obj = {f: value() for f in rnd.sample(FIELDS, rnd.randint(0, len(FIELDS)))}
    emit(json.dumps(obj, ensure_ascii=rnd.random() < 0.5).encode())
for v in [None, True, 3, -2.5, "str", [1, 2], [], {}]:
    emit(json.dumps(v).encode())
emit(b"")                                   # tombstone
emit(b"[" * 5000 + b"]" * 5000)             # nesting beyond the parser's limit
emit(b'{"a":' * 1000 + b"1" + b"}" * 1000)  # deep but parseable
emit(b'{"a":' * 3000 + b"1" + b"}" * 3000)
emit(b'{"a":123456789012345678901234567890}')
emit(b'{"a":1e400,"b":-1e400}')
emit(b'{"a":"\xff\xfe","b":"ok"}')          # invalid UTF-8 inside a string
emit(b'{"a":"\xc3\x28"}')
emit(b'\xef\xbb\xbf{"a":1}')                 # BOM
emit(b'{"a":1,"a":2}')                      # duplicate key
emit(b'{"a":"\\u0000"}')
emit(b'{"a":"\\ud800"}')                    # lone surrogate
emit(b'{"a":1')                             # truncated
emit(b'not json at all')
emit(b'{"a":NaN}')
emit(b'"' + b"x" * 100000 + b'"')
