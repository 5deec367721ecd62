#!/usr/bin/env python3
"""Config rows are the one home of defaults: no code repeats a default its row holds.

Reads every config row (cw_config_def_t) of the core, the bundled plugins and the example,
then looks, within the same module, for
  - a typed getter (config_get_int / _bool / _double) whose fallback is not 0 (or false) for
    a key whose row has a default, or whose key is not a literal (it cannot be checked);
  - a ternary fallback `x ? x : "<default>"`, x read with a config getter shortly before,
    that spells a row's non-empty default again.
Exit status 1 with one line per finding (file:line), 0 when there are none.
Usage: defaults_once.py SOURCE_DIR
"""
import os
import re
import sys

ROW = re.compile(r'\{\s*"([^"]+)"\s*,\s*(?:CW_CFG_\w+|[A-Z])\s*,\s*("(?:[^"\\]|\\.)*"|NULL|\w+)')
GETTER = re.compile(r'config_get_(?:int|bool|double)\s*\(\s*[^,()]+,\s*([^,]+?)\s*,\s*([^()]+?)\s*\)')
TERNARY = re.compile(r'([\w\->.]+)\s*(?:&&\s*\*?\1\s*)?\?\s*\1\s*:\s*"((?:[^"\\]|\\.)*)"')
ZERO = {"0", "0.0", "0.", "false", "CW_FALSE"}


def modules(root):
    """(name, [C files]) for core/src, each plugin directory and each example."""
    dirs = [os.path.join(root, "core", "src")]
    for parent in ("plugins", "examples"):
        base = os.path.join(root, parent)
        dirs += [os.path.join(base, d) for d in sorted(os.listdir(base))
                 if os.path.isdir(os.path.join(base, d))]
    for d in dirs:
        files = [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".c")]
        if files:
            yield d, files


def check(files):
    texts = {f: open(f, encoding="utf-8").read() for f in files}
    defaults = {}
    row_lines = set()
    for f, text in texts.items():
        for m in ROW.finditer(text):
            value = m.group(2)
            defaults[m.group(1)] = None if value == "NULL" else value.strip('"')
            row_lines.add((f, text.count("\n", 0, m.start()) + 1))
    findings = []
    for f, text in texts.items():
        for m in GETTER.finditer(text):
            key, fallback = m.group(1), m.group(2)
            line = text.count("\n", 0, m.start()) + 1
            if fallback in ZERO or " " in key:  # 0, or the getter's own definition
                continue
            if not key.startswith('"'):
                findings.append(f"{f}:{line}: key {key} is not a literal and the fallback "
                                f"{fallback} is not 0: the row cannot be checked")
            elif defaults.get(key.strip('"')) is not None:
                findings.append(f"{f}:{line}: {key} falls back to {fallback}; its row "
                                f"already holds the default {defaults[key.strip(chr(34))]!r}")
        by_default = {d: k for k, d in defaults.items() if d}
        for m in TERNARY.finditer(text):
            key = by_default.get(m.group(2))
            if key is None:
                continue
            line = text.count("\n", 0, m.start()) + 1
            var = re.escape(m.group(1))
            before = text[max(0, m.start() - 800):m.start()]
            read = re.search(var + r'\s*=\s*[^;]*config_get\w*\s*\(', before) or \
                re.search(r'config_get\w*\s*\(', m.group(0))
            if read and (f, line) not in row_lines:
                findings.append(f"{f}:{line}: repeats the default \"{m.group(2)}\" of {key}")
    return findings, len(defaults)


def main():
    root = sys.argv[1]
    findings, rows = [], 0
    for _, files in modules(root):
        f, n = check(files)
        findings += f
        rows += n
    for line in findings:
        print(line)
    if rows < 100:  # the row pattern no longer matches the tables: the check would be empty
        print(f"only {rows} config rows found; the row pattern is out of date")
        return 1
    print(f"{rows} config rows, {len(findings)} repeated default(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
