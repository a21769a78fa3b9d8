#!/usr/bin/python3
"""Fails when a function of the product (not tests) runs longer than LIMIT lines (default 90: "about 80").

    scripts/check-function-size.py [SOURCE_DIR] [LIMIT]

A function is a line ending in `) {` (or `) const {`, ...) that is not an if/for/while/switch, up to the
brace that closes it; lambdas and blocks inside it count as part of it. Prints each long function with its
file, line and length.
"""
import os
import re
import subprocess
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 90
files = subprocess.run(["git", "-C", root, "ls-files", "*.cpp", "*.hpp"], capture_output=True, text=True,
                       check=True).stdout.split()
start_re = re.compile(r"\)\s*(const)?\s*(override)?\s*(->\s*[\w:<>]+)?\s*\{\s*$")
control_re = re.compile(r"\s*(if|for|while|switch|else|do)\b")
long_ones = []
for f in files:
    if f.startswith("tests/") or f.startswith("bench/"):
        continue
    depth, start, base = 0, None, 0
    for i, line in enumerate(open(os.path.join(root, f), encoding="utf-8")):
        code = re.sub(r"//.*", "", re.sub(r'"([^"\\]|\\.)*"', '""', re.sub(r"'([^'\\]|\\.)'", "''", line)))
        if start is None and start_re.search(code) and not control_re.match(code):
            start, base = i, depth
        depth += code.count("{") - code.count("}")
        if start is not None and depth <= base:
            if i - start + 1 > limit:
                long_ones.append(f"{f}:{start + 1}: {i - start + 1} lines")
            start = None
for x in long_ones:
    print(x)
sys.exit(1 if long_ones else 0)
