#!/usr/bin/env python3
"""An example accuracy estimator for `cosim search --accuracy command:...`: it shows the protocol, not accuracy.

cosim writes one JSON line per candidate on stdin ({"encoding", "space", "genes", "workload"}) and reads one
line {"accuracy": x} back for each. This stand-in answers with a number between 0 and 1 that grows with the
widths the candidate's layers declare (out_features, out_channels); put the evaluation of your trained
supernet in its place.
"""
import json
import math
import sys


def declared_width(node):
    """The sum of every out_features and out_channels in the workload document."""
    if isinstance(node, dict):
        return sum(v if k in ("out_features", "out_channels") and isinstance(v, int) else declared_width(v)
                   for k, v in node.items())
    if isinstance(node, list):
        return sum(declared_width(v) for v in node)
    return 0


for line in sys.stdin:
    candidate = json.loads(line)
    score = 1.0 - 1.0 / (1.0 + math.log10(1 + declared_width(candidate["workload"])))
    print(json.dumps({"accuracy": round(score, 6)}), flush=True)
