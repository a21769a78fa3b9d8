#!/usr/bin/python3
"""What `cosim.run` costs from Python per workload (the module in build/python, one worker per architecture
already elaborated): the median of N runs, to set beside the in-process figure of `cosim_bench
--benchmark_filter=BM_CosimRun` (the same read, map, simulate and price, without the JSON crossing).

    PYTHONPATH=build/python bench/python_run.py [N]
"""
import os
import statistics
import sys
import time

import cosim

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
for name in ["vit", "deit_tiny", "deit_base", "mobilenetv2_cifar", "resnet20_hybrid"]:
    path = os.path.join(SRC, "workloads", name + ".json")
    cosim.run(path)  # the worker exists and has elaborated
    times = []
    for _ in range(n):
        t = time.perf_counter()
        cosim.run(path)
        times.append(time.perf_counter() - t)
    print(f"cosim.run {name:20s} median {1e3 * statistics.median(times):8.1f} ms over {n} runs")
print(f"elaborations: {cosim.elaborations()}")
