"""Gradescope's grading of one submission against `python -c "import torch"`.

Builds the autograder zip of an assignment, makes Gradescope's layout once in a
scratch folder (as `rnnquiz gradescope-try` does: the zip's wheel in a scratch
virtualenv, the solution as the submission), then runs what `run_autograder`
starts (`python -I -m rnnquiz.gradescope.run_autograder`) interleaved with
`python -c "import torch"` in the same virtualenv, --pairs times each, and
prints the median of each and their ratio beside the target.  Figures only,
never assertions: the load of the machine moves them.  Usage:

    python benchmarks/bench_gradescope.py [--assignment rnn_from_scratch_en] [--pairs 7]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from rnnquiz.gradescope import autograder_zip, local_try
from rnnquiz.gradescope.layout import LOCAL_TRY, Layout
from rnnquiz.model import content, samples

COURSE_ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5  # run_autograder on one submission: at most this many times `import torch`


def timed(cmd: list, env: dict) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="rnn_from_scratch_en")
    parser.add_argument("--pairs", type=int, default=7)
    args = parser.parse_args()
    assignment = content.course_catalog(COURSE_ROOT).get(args.assignment)
    with tempfile.TemporaryDirectory(prefix="rnnquiz-bench-gradescope-") as tmp:
        tmp = Path(tmp)
        os.chmod(tmp, 0o755)
        zip_path = autograder_zip.build(args.assignment, out=tmp / "zip", course=COURSE_ROOT)
        layout = Layout(tmp / "autograder")
        layout.source.mkdir(parents=True)
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(layout.source)
            [wheel] = [n for n in archive.namelist() if n.endswith(".whl") and "/" not in n]
        layout.submission.mkdir()
        nb = samples.solution(assignment, COURSE_ROOT)
        (layout.submission / f"{args.assignment}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
        layout.metadata.write_text(json.dumps(local_try.metadata("1")), encoding="utf-8")
        python = local_try.virtualenv(tmp / "venv", layout.source / wheel)
        env = {**os.environ, "RNNQUIZ_VENV": str(tmp / "venv")}
        grade = [str(python), "-I", "-m", "rnnquiz.gradescope.run_autograder", str(layout.root), LOCAL_TRY]
        torch = [str(python), "-c", "import torch"]
        timed(grade, env)  # the first run pays the file system cache's warm-up
        runs, imports, scores = [], [], set()
        for _ in range(args.pairs):
            runs.append(timed(grade, env))
            imports.append(timed(torch, env))
            scores.add(json.loads(layout.results.read_text(encoding="utf-8")).get("score"))  # it did grade
            shutil.rmtree(layout.results.parent, ignore_errors=True)
    grade_s, torch_s = statistics.median(runs), statistics.median(imports)
    ratio = grade_s / torch_s
    print(f"load average {os.getloadavg()[0]:.2f}; {args.assignment}, the solution (scores {sorted(scores)} "
          f"of {assignment.max_score:g})")
    print(f"run_autograder, one submission: {grade_s:.2f} s (median of {args.pairs}); import torch {torch_s:.2f} s")
    print(f"  = {ratio:.2f}x import torch [target <= {TARGET}x: {'met' if ratio <= TARGET else 'NOT met'}]")
    print("  pairs (s): " + ", ".join(f"{g:.2f}/{t:.2f}" for g, t in zip(runs, imports)))


if __name__ == "__main__":
    main()
