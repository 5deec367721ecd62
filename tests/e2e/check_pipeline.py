#!/usr/bin/env python3
"""Independent check of the Pinterest pipeline's output (no code shared with the worker).

usage: check_pipeline.py OBJECTS_DIR ROWS_DIR [--topics-dir topics]

OBJECTS_DIR holds the bucket as an S3 client downloaded it (s3cmd sync s3://bucket/ DIR/).
ROWS_DIR holds pin.jsonl, geo.jsonl, user.jsonl: every source row as a JSON object, as
MariaDB itself rendered it (SELECT JSON_OBJECT(...)).

Checks, per topic: Confluent's key layout (<topics.dir>/<topic>/partition=<p>/
<topic>+<p>+<offset padded to 10>.json), objects of a partition contiguous in offset order
(each starts where the previous ended: no gap, no overlap), every row present exactly once,
each record cleaned exactly as the recipe says (field set, order, values), and numbers in
their shortest form. Prints a summary line per topic; exits 1 with the first problems.
"""
import json
import os
import re
import sys
from collections import defaultdict

PLACEHOLDERS = {
    "", "No Title Data Available", "No description available Story format",
    "No description available", "User Info Error",
    "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", "Image src error.",
}
PIN_FIELDS = ["ind", "unique_id", "title", "description", "follower_count", "poster_name",
              "tag_list", "is_image_or_video", "image_src", "save_location", "category"]
GEO_FIELDS = ["ind", "country", "coordinates", "timestamp"]
USER_FIELDS = ["ind", "user_name", "age", "date_joined"]
NUMBER_TOKEN = re.compile(r'(?<=[:\[,])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?=[,\]}])')

problems = []


def problem(msg):
    problems.append(msg)


def human_int(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmMbB]?)", text)
    if not m:
        raise ValueError(text)
    mult = {"": 1, "k": 1000, "m": 1000000, "b": 1000000000}[m.group(2).lower()]
    # Decimal arithmetic on the digits, so 1.2k is exactly 1200.
    whole, _, frac = m.group(1).partition(".")
    digits = int(whole + frac) * mult
    return digits // (10 ** len(frac))


def iso_utc(text):
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.0+)?", text)
    if not m:
        raise ValueError(text)
    return f"{m.group(1)}T{m.group(2)}Z"


def clean_pin(row):
    r = {k: (None if isinstance(v, str) and v in PLACEHOLDERS else v) for k, v in row.items()}
    fc = r.get("follower_count")
    out = {
        "ind": int(r["index"]),
        "unique_id": r["unique_id"],
        "title": r["title"],
        "description": r["description"],
        "follower_count": None if fc is None else human_int(str(fc)),
        "poster_name": r["poster_name"],
        "tag_list": r["tag_list"],
        "is_image_or_video": r["is_image_or_video"],
        "image_src": r["image_src"],
        "save_location": None if r["save_location"] is None else
        re.sub(r"^Local save in ", "", r["save_location"]),
        "category": r["category"],
    }
    return out


def clean_geo(row):
    return {"ind": int(row["ind"]), "country": row["country"],
            "coordinates": [row["latitude"], row["longitude"]],
            "timestamp": iso_utc(row["timestamp"])}


def clean_user(row):
    return {"ind": int(row["ind"]), "user_name": f'{row["first_name"]} {row["last_name"]}',
            "age": int(row["age"]), "date_joined": iso_utc(row["date_joined"])}


RECIPES = {
    "pinterest.pin": ("pin.jsonl", clean_pin, PIN_FIELDS),
    "pinterest.geo": ("geo.jsonl", clean_geo, GEO_FIELDS),
    "pinterest.user": ("user.jsonl", clean_user, USER_FIELDS),
}


def load_objects(objects_dir, topics_dir, topic):
    """Returns {partition: [(start_offset, [lines])]} after checking every key's shape."""
    base = os.path.join(objects_dir, topics_dir, topic)
    key_re = re.compile(r"partition=(\d+)/" + re.escape(topic) + r"\+(\d+)\+(\d{10})\.json$")
    parts = defaultdict(list)
    if not os.path.isdir(base):
        problem(f"{topic}: no objects under {topics_dir}/{topic}/")
        return parts
    for dirpath, _, files in os.walk(base):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), base)
            m = key_re.fullmatch(rel)
            if not m:
                problem(f"{topic}: key {topics_dir}/{topic}/{rel} is not Confluent's layout")
                continue
            if m.group(1) != m.group(2):
                problem(f"{topic}: key {rel}: directory and file name disagree on partition")
            with open(os.path.join(dirpath, name), "rb") as f:
                data = f.read()
            if data and not data.endswith(b"\n"):
                problem(f"{topic}: {rel} does not end with a newline")
            lines = data.decode("utf-8").splitlines()
            parts[int(m.group(1))].append((int(m.group(3)), lines, rel))
    return parts


def check_topic(objects_dir, rows_dir, topics_dir, topic):
    rows_file, recipe, fields = RECIPES[topic]
    with open(os.path.join(rows_dir, rows_file), encoding="utf-8") as f:
        expected = {}
        for line in f:
            if line.strip():
                cleaned = recipe(json.loads(line))
                expected[cleaned["ind"]] = cleaned
    seen = defaultdict(int)
    objects = records = 0
    for partition, objs in sorted(load_objects(objects_dir, topics_dir, topic).items()):
        objs.sort()
        next_offset = objs[0][0]
        for start, lines, rel in objs:
            objects += 1
            if start != next_offset:
                problem(f"{topic}: {rel} starts at offset {start}, previous object ended at "
                        f"{next_offset} ({'gap' if start > next_offset else 'overlap'})")
            next_offset = start + len(lines)
            for i, line in enumerate(lines):
                records += 1
                where = f"{topic}: {rel} line {i + 1}"
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    problem(f"{where}: not JSON ({e})")
                    continue
                if not isinstance(rec, dict) or list(rec.keys()) != fields:
                    problem(f"{where}: fields {list(rec) if isinstance(rec, dict) else rec}"
                            f" != {fields}")
                    continue
                for tok in NUMBER_TOKEN.findall(line):
                    if "." in tok or "e" in tok.lower():
                        if repr(float(tok)) != tok:
                            problem(f"{where}: number {tok} is not in its shortest form")
                ind = rec["ind"]
                seen[ind] += 1
                want = expected.get(ind)
                if want is None:
                    problem(f"{where}: ind {ind} is not a source row")
                elif rec != want:
                    diff = {k: (rec[k], want[k]) for k in fields if rec[k] != want[k]}
                    problem(f"{where}: ind {ind} cleaned wrongly (got, want): {diff}")
    missing = [i for i in expected if seen[i] == 0]
    dups = [i for i, n in seen.items() if n > 1]
    if missing:
        problem(f"{topic}: {len(missing)} rows missing, e.g. ind {sorted(missing)[:5]}")
    if dups:
        problem(f"{topic}: {len(dups)} rows more than once, e.g. ind {sorted(dups)[:5]}")
    print(f"{topic}: {len(expected)} rows, {records} records in {objects} objects, "
          f"{len(missing)} missing, {len(dups)} duplicated")


def main():
    args = sys.argv[1:]
    topics_dir = "topics"
    if "--topics-dir" in args:
        i = args.index("--topics-dir")
        topics_dir = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for topic in RECIPES:
        check_topic(args[0], args[1], topics_dir, topic)
    if problems:
        for p in problems[:40]:
            print("PROBLEM:", p, file=sys.stderr)
        print(f"{len(problems)} problems", file=sys.stderr)
        return 1
    print("pipeline output OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
