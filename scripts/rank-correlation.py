#!/usr/bin/env python3
"""How well a supernet ranks candidates: Kendall's tau-b (and Spearman's rho) between their inherited
accuracy and their accuracy trained alone (docs/training.md, issue 17).

  scripts/rank-correlation.py INHERITED.csv STANDALONE.csv [--column validation_accuracy]

INHERITED.csv is what `cosim inherited SUPERNET --candidates FILE --format csv` writes; STANDALONE.csv has
the columns encoding,validation_accuracy,test_accuracy (scripts/train-standalone.sh writes it). Candidates
are joined by encoding; each one must be in both files. Standard library only.
"""
import argparse
import csv
import math
import sys


def kendall_tau_b(x, y):
    """Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties_x) * (n0 - ties_y)), n0 = n(n-1)/2,
    ties counted as pairs tied in one variable (Kendall 1945); pairs tied in both count in both."""
    n = len(x)
    if n != len(y) or n < 2:
        raise ValueError("tau needs two equally long lists of at least 2 values")
    concordant = discordant = ties_x = ties_y = 0
    for i in range(n):
        for j in range(i + 1, n):
            dx, dy = x[i] - x[j], y[i] - y[j]
            if dx == 0:
                ties_x += 1
            if dy == 0:
                ties_y += 1
            if dx * dy > 0:
                concordant += 1
            elif dx * dy < 0:
                discordant += 1
    pairs = n * (n - 1) // 2
    denominator = math.sqrt((pairs - ties_x) * (pairs - ties_y))
    if denominator == 0:
        raise ValueError("tau is undefined when every value of one list is equal")
    return (concordant - discordant) / denominator


def ranks(values):
    """Ranks 1..n, ties given the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman_rho(x, y):
    """Pearson's correlation of the ranks."""
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy)


def read_column(path, column):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or "encoding" not in reader.fieldnames or column not in reader.fieldnames:
            raise ValueError(f"{path}: needs the columns encoding and {column}")
        table = {}
        for line, row in enumerate(reader, start=2):
            try:
                table[row["encoding"]] = float(row[column])
            except (TypeError, ValueError):
                raise ValueError(f"{path}: line {line}: {column} is not a number")
        return table


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("inherited")
    p.add_argument("standalone")
    p.add_argument("--column", default="validation_accuracy",
                   help="the standalone column compared (validation_accuracy or test_accuracy)")
    a = p.parse_args()
    try:
        inherited = read_column(a.inherited, "validation_accuracy")
        alone = read_column(a.standalone, a.column)
        missing = sorted(set(inherited) ^ set(alone))
        if missing:
            raise ValueError(f"{missing[0]}: in one file only ({len(missing)} such candidates)")
        names = sorted(inherited, key=lambda k: -alone[k])
        x, y = [inherited[k] for k in names], [alone[k] for k in names]
        tau, rho = kendall_tau_b(x, y), spearman_rho(x, y)
    except (OSError, ValueError) as e:
        print(f"rank-correlation: error: {e}", file=sys.stderr)
        return 2
    print(f"{'candidate':<42} {'inherited':>9} {'alone':>7}")
    for k in names:
        print(f"{k:<42} {100 * inherited[k]:8.2f}% {100 * alone[k]:6.2f}%")
    print(f"candidates {len(names)}: Kendall tau-b {tau:.3f}, Spearman rho {rho:.3f} "
          f"(inherited validation accuracy vs {a.column} trained alone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
