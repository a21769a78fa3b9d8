#!/usr/bin/env python3
"""An example estimator for `cosim search --accuracy batch:...` (docs/search.md): the protocol, not accuracy.

cosim writes one JSON line per generation on stdin,
    {"space": NAME, "candidates": [{"encoding": ..., "genes": {GENE: OPTION, ...}, "workload": {...}}, ...]}
while its workers simulate those candidates, and reads one line {"accuracies": [x, ...]} back, one number per
candidate in the order given. Put your supernet here: load it once before the loop, then for each candidate
pick the path its genes name, recalibrate batch norm and measure on held-out data.

This stand-in scores a candidate from its genes alone: a little for each block on multipliers, less for shift
and adder blocks (the order NASA and ShiftAddNAS report for accuracy), nothing for skipped blocks.
"""
import json
import sys

SCORE = {"mult": 1.0, "shift+add": 0.7, "shift": 0.8, "adder": 0.75, "skip": 0.0}


def score(genes):
    """Mean per-gene score of the options that name an operator; 0.5 when none does (e.g. depth genes)."""
    values = []
    for option in genes.values():
        words = str(option).split("/")
        if words and words[0] in SCORE:
            values.append(SCORE[words[0]])
    return 0.5 if not values else sum(values) / len(values)


for generation, line in enumerate(sys.stdin, 1):
    request = json.loads(line)
    accuracies = [round(score(c["genes"]), 6) for c in request["candidates"]]
    # Anything else on stdout is passed to cosim's stderr; progress could as well go to stderr directly.
    print(f"generation {generation}: {len(accuracies)} candidates of {request['space']}", file=sys.stderr)
    print(json.dumps({"accuracies": accuracies}), flush=True)
