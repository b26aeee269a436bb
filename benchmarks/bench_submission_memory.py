"""Private memory of one submission's process after a full garbage collection.

A submission's process is forked from the zygote, which holds torch and
numpy.  Whatever the child writes to is copied (copy-on-write) and counted
against the submission's memory budget; a full collection in the child would
touch every object's header unless the zygote froze them (``gc.freeze``).
Figures only.  Needs the zygote's process tree readable in /proc (run as the
user that runs rnnquiz).  Usage:

    python benchmarks/bench_submission_memory.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import time

from rnnquiz.isolation.limits import Limits
from rnnquiz.isolation.pool import Pool
from rnnquiz.sandboxed.wire import Op

CELL = "import gc, numpy as np, torch\nx = [[i] for i in range(1000)]\ngc.collect()"


def descendants_leaf(pid: int) -> int:
    """The newest process under ``pid``: the submission's process (forked by
    the zygote, itself under bubblewrap when there is one)."""
    kids = [int(k) for t in os.listdir(f"/proc/{pid}/task")
            for k in open(f"/proc/{pid}/task/{t}/children").read().split()]
    leaves = [descendants_leaf(k) for k in kids]
    return max(leaves) if leaves else pid


def private_mib(pid: int) -> float:
    kib = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Dirty", "Private_Clean")):
                kib += int(line.split()[1])
    return kib / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    pool = Pool(Limits()).launch()
    pool.wait_ready()
    figures = []
    try:
        for _ in range(args.runs):
            conn = pool.spawn()
            conn.request({"op": Op.RUN, "cells": [[0, CELL]]}, 30)
            time.sleep(0.05)
            figures.append(private_mib(descendants_leaf(pool.proc.pid)))
            conn.kill()
    finally:
        pool.close()
    print(f"private memory of a submission after a full collection: "
          f"{', '.join(f'{m:.1f}' for m in figures)} MiB ({args.runs} submissions)")


if __name__ == "__main__":
    main()
