"""Stock `nbgrader autograde` (in-kernel Execute) against `rnnquiz autograde`.

Builds synthetic submissions (correct, typical mistakes, crashes) in two
scratch courses, grades them with both, and prints per-submission cost, the
marginal cost of rnnquiz, the ratio and peak memory; then the self-check
against importing torch.  Usage:

    python benchmarks/bench_autograde.py [--n 200] [--n-stock 6] [--jobs 2]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rnnquiz import content, samples

COURSE_ROOT = Path(__file__).resolve().parent.parent  # this repository is a course

AID = "rnn_from_scratch"
STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "rnnquiz"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.solution_directory = "solutions"
"""


def nbgrader(*args, cwd):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    return done


def make_course(root: Path, config: str) -> Path:
    shutil.copytree(COURSE_ROOT / "source" / AID, root / "source" / AID)
    shutil.copytree(COURSE_ROOT / content.CONTENT_DIR / AID, root / content.CONTENT_DIR / AID)
    (root / "nbgrader_config.py").write_text(config)
    nbgrader("generate_assignment", AID, cwd=root)
    return root


def synthetic(n: int, seed: int = 0) -> list:
    """(student, notebook): a third correct, a third one typical mistake, a third crashing."""
    rng = random.Random(seed)
    assignment = content.course_catalog(COURSE_ROOT).get(AID)
    solution = samples.solution(assignment, COURSE_ROOT)
    mistakes = samples.load(assignment).samples
    crashes = ["import os\nos._exit(1)", "raise RuntimeError('boom')", "while True:\n    pass"]
    out = []
    for i in range(n):
        kind = i % 3
        if kind == 0:
            nb = solution
        elif kind == 1:
            s = rng.choice(mistakes)
            nb = samples.with_answers(solution, {s.question: s.code})
        else:
            s = rng.choice(mistakes)
            nb = samples.with_answers(solution, {s.question: rng.choice(crashes[:2]) + "\n" + s.code})
        out.append((f"s{i:04d}", nb))
    return out


def submit(course: Path, subs: list):
    for student, nb in subs:
        folder = course / "submitted" / student / AID
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{AID}.ipynb").write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text("2026-11-22 12:00:00.000000 UTC")


def timed(cmd, cwd) -> tuple:
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # MiB, largest child so far
    return seconds, peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--n-stock", type=int, default=6)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rnnquiz-bench-") as tmp:
        tmp = Path(tmp)
        subs = synthetic(args.n)
        stock = make_course(tmp / "stock", STOCK_CONFIG)
        submit(stock, subs[:args.n_stock])
        t_stock, mem_stock = timed([sys.executable, "-m", "nbgrader", "autograde", AID, "--create"], stock)
        ours = make_course(tmp / "ours", (COURSE_ROOT / "nbgrader_config.py").read_text())
        small = max(10, args.n // 10)
        submit(ours, subs[:small])
        t_small, _ = timed([sys.executable, "-m", "rnnquiz.cli", "autograde", AID, "--jobs", str(args.jobs)], ours)
        shutil.rmtree(ours / "submitted")
        submit(ours, subs)
        autograde_cmd = [sys.executable, "-m", "rnnquiz.cli", "autograde", AID, "--jobs", str(args.jobs)]
        t_ours, mem_ours = timed(autograde_cmd, ours)
        graded = len(list((ours / "autograded").glob(f"*/{AID}/{AID}.ipynb")))
        t_torch, _ = timed([sys.executable, "-c", "import torch"], tmp)
        release = samples.release_path(AID, COURSE_ROOT)
        t_check, _ = timed([sys.executable, "-m", "rnnquiz.cli", "check", str(release)], tmp)

    per_stock = t_stock / args.n_stock
    per_ours = t_ours / args.n
    marginal = (t_ours - t_small) / (args.n - small)
    print(f"stock nbgrader autograde : {args.n_stock} submissions in {t_stock:.1f} s = {per_stock * 1000:.0f} ms each")
    print(f"rnnquiz autograde        : {args.n} submissions in {t_ours:.1f} s = {per_ours * 1000:.1f} ms each "
          f"({graded} autograded notebooks written, --jobs {args.jobs})")
    print(f"rnnquiz marginal cost    : {marginal * 1000:.1f} ms per submission "
          f"({small} -> {args.n} submissions: {t_small:.1f} s -> {t_ours:.1f} s)")
    print(f"speed-up per submission  : {per_stock / per_ours:.0f}x (marginal: {per_stock / marginal:.0f}x)")
    print(f"peak memory (largest process): stock {mem_stock:.0f} MiB, rnnquiz (so far) {mem_ours:.0f} MiB")
    print(f"self-check               : rnnquiz check {t_check:.2f} s vs import torch {t_torch:.2f} s "
          f"= {t_check / t_torch:.2f}x")


if __name__ == "__main__":
    main()
