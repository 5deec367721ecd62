#!/usr/bin/env python3
"""Independent check of examples/pinterest/queries.sql (no code shared with the worker).

usage: check_queries.py OBJECTS_DIR QUERIES_SQL NULL_TEXT -- CLIENT_CMD...

OBJECTS_DIR holds the S3 bucket of the same run as an S3 client downloaded it (s3cmd sync):
the cleaned records under topics/pinterest.{pin,geo,user}/. From them this script computes
the seed's eight answers itself, in Python, with the semantics written at the top of
queries.sql (rank() ties kept, age groups, year ranges, lower median). Then it runs each
query of QUERIES_SQL through CLIENT_CMD (a database client reading SQL on stdin and printing
tab-separated rows without headers; NULL_TEXT is how it prints a NULL) and compares, as sets
of rows. Statements that start with CREATE set up (a view) and are run, not compared. Prints each answer as a small table; exits 1 on the first difference.
"""
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict


def load(objects_dir, topic):
    recs = {}
    base = os.path.join(objects_dir, "topics", topic)
    for dirpath, _, files in os.walk(base):
        for name in sorted(files):
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        r = json.loads(line)
                        recs[r["ind"]] = r
    return recs


def age_group(age):
    if age is None:
        return None
    if 18 <= age <= 24:
        return "18-24"
    if 25 <= age <= 35:
        return "25-35"
    if 36 <= age <= 50:
        return "36-50"
    return "+50" if age > 50 else None


def top_ranked(counts):
    """{group: Counter(item -> n)} -> rows (group, item, n) with n the group's maximum."""
    rows = []
    for g, c in counts.items():
        best = max(c.values())
        rows += [(g, item, n) for item, n in c.items() if n == best]
    return rows


def lower_median(values):
    v = sorted(values)
    return v[(len(v) + 1) // 2 - 1]


def answers(d):
    pin, geo, user = load(d, "pinterest.pin"), load(d, "pinterest.geo"), load(d, "pinterest.user")
    pg = [(p, geo[i]) for i, p in pin.items() if i in geo]
    pu = [(p, user[i]) for i, p in pin.items() if i in user]
    by_country, by_year, by_age = defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
    for p, g in pg:
        by_country[g["country"]][p["category"]] += 1
        y = g["timestamp"][:4]
        if "2018" <= y <= "2022":
            by_year[y][p["category"]] += 1
    q3 = defaultdict(set)
    for p, g in pg:
        if p["follower_count"] is not None:
            q3[g["country"]].add((p["poster_name"], p["follower_count"]))
    q3rows = []
    for c, s in q3.items():
        best = max(fc for _, fc in s)
        q3rows += [(c, name, fc) for name, fc in s if fc == best]
    fc_age, fc_year, fc_both = defaultdict(list), defaultdict(list), defaultdict(list)
    for p, u in pu:
        a = age_group(u["age"])
        if a is not None:
            by_age[a][p["category"]] += 1
        if p["follower_count"] is None:
            continue
        y = u["date_joined"][:4]
        if a is not None:
            fc_age[a].append(p["follower_count"])
        if "2015" <= y <= "2020":
            fc_year[y].append(p["follower_count"])
            if a is not None:
                fc_both[(a, y)].append(p["follower_count"])
    joined = Counter(u["date_joined"][:4] for u in user.values()
                     if "2015" <= u["date_joined"][:4] <= "2020")
    return [
        ("1. most popular category per country", top_ranked(by_country)),
        ("2. most popular category per year, 2018-2022", top_ranked(by_year)),
        ("3. user with most followers per country", q3rows),
        ("4. most popular category per age group", top_ranked(by_age)),
        ("5. median follower count per age group",
         [(a, lower_median(v)) for a, v in fc_age.items()]),
        ("6. users joined per year, 2015-2020", list(joined.items())),
        ("7. median follower count per joining year, 2015-2020",
         [(y, lower_median(v)) for y, v in fc_year.items()]),
        ("8. median follower count per age group and joining year, 2015-2020",
         [(a, y, lower_median(v)) for (a, y), v in fc_both.items()]),
    ]


def queries(path):
    text = "\n".join(l for l in open(path, encoding="utf-8").read().splitlines()
                     if not l.lstrip().startswith("--"))
    return [q.strip() for q in text.split(";") if q.strip()]


def norm(row):
    return tuple("" if v is None else str(v) for v in row)


def main():
    sep = sys.argv.index("--")
    objects_dir, sql_file, null_text = sys.argv[1:sep]
    cmd = sys.argv[sep + 1:]
    want = answers(objects_dir)
    qs = []
    for q in queries(sql_file):
        if q.upper().startswith("CREATE"):
            out = subprocess.run(cmd, input=q + ";\n", capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"the database refused {q.split(chr(10))[0]}: {out.stderr.strip()}")
        else:
            qs.append(q)
    if len(qs) != 8:
        sys.exit(f"{sql_file}: {len(qs)} queries, want 8")
    failed = False
    for (title, rows), q in zip(want, qs):
        out = subprocess.run(cmd, input=q + ";\n", capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{title}: the database refused the query: {out.stderr.strip()}")
        got = [tuple(None if v == null_text else v for v in line.split("\t"))
               for line in out.stdout.splitlines() if line]
        w, g = sorted(norm(r) for r in rows), sorted(norm(r) for r in got)
        print(f"{title}: {len(g)} row(s)")
        for r in g[:6]:
            print("   " + " | ".join(r))
        if len(g) > 6:
            print(f"   ... {len(g) - 6} more")
        if not w:
            print(f"FAIL {title}: the data gives no answer: nothing is tested")
            failed = True
        if w != g:
            print(f"FAIL {title}: the database differs from Python's answer")
            print("   only in Python:  ", sorted(set(w) - set(g))[:5])
            print("   only in database:", sorted(set(g) - set(w))[:5])
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
