"""Stock `nbgrader autograde` against `rnnquiz autograde`, and the self-check against importing torch.

Builds synthetic submissions (correct, typical mistakes, crashes) in scratch
courses and, in one run, measures side by side:

- stock `nbgrader autograde` on a few submissions (seconds per submission);
- `rnnquiz autograde` on classes of --small and --n submissions (each in a
  fresh copy of the course): total time, time per submission with start-up
  included, its ratio to stock, and the marginal cost per submission
  (t_n - t_small) / (n - small); and on a class of --tiny (its start-up,
  mostly);
- `rnnquiz check NOTEBOOK` against `python -c "import torch"`: the median of
  --pairs runs each, interleaved;
- each class run as a ratio to `python -c "import torch"` (the median of every
  torch import of the run: one beside each class run, and the check's);

and prints each figure beside its target.  Figures only, never assertions:
the load of the machine moves them.  The engine measured is the `rnnquiz`
importable here, or each `--engine NAME=PATH` (a folder holding the rnnquiz
package), their runs interleaved so that they see the same load; --rounds
repeats everything (stock included).  Usage:

    python benchmarks/bench_autograde.py [--small 60] [--n 200] [--n-stock 6] [--jobs 2] [--pairs 7]
    python benchmarks/bench_autograde.py --engine old=../old/engine --engine new=engine --rounds 3
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rnnquiz.model import content, samples

COURSE_ROOT = Path(__file__).resolve().parent.parent  # this repository is a course

AID = "rnn_from_scratch"
STOCK_CONFIG = """c = get_config()
c.CourseDirectory.course_id = "rnnquiz"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.solution_directory = "solutions"
"""
# per submission, start-up included, against stock nbgrader
TARGET_SMALL, TARGET_N = 50, 90     # at least this many times faster (classes of --small and --n)
# against `python -c "import torch"` measured in the same run
TARGET_CLASS = {2: 1.5, 60: 2.0, 200: 3.5}  # class size -> `rnnquiz autograde` at most this many times
TARGET_MARGINAL_MS = 15             # at most, per submission
TARGET_CHECK = 1.0                  # `rnnquiz check` at most this many times


def env(engine: str | None = None) -> dict:
    out = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    if engine:
        out["PYTHONPATH"] = engine
    return out


def nbgrader(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env(),
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


def rnnquiz_command(engine: str | None) -> list:
    """``python -m rnnquiz`` (an engine from before the layout by layers: ``rnnquiz.cli``)."""
    old = engine and not (Path(engine) / "rnnquiz" / "__main__.py").exists()
    return [sys.executable, "-m", "rnnquiz.cli" if old else "rnnquiz"]


def timed(cmd, cwd, engine: str | None = None, check: bool = True, ok: tuple = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env(engine), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if check and done.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds


def children_cpu() -> float:
    """CPU seconds (user and system) of every finished child process and its
    own children so far: what a command cost the machine, whatever its wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest child so far


def rnnquiz_class(template: Path, where: Path, subs: list, jobs: int, engine: str | None) -> tuple:
    """Seconds, and CPU seconds of its whole process tree, for `rnnquiz
    autograde` on ``subs`` in a fresh copy of the course."""
    course = shutil.copytree(template, where)
    submit(course, subs)
    cpu = children_cpu()
    seconds = timed([*rnnquiz_command(engine), "autograde", AID, "--jobs", str(jobs)], course, engine)
    graded = len(list((course / "autograded").glob(f"*/{AID}/{AID}.ipynb")))
    shutil.rmtree(course)
    if graded != len(subs):
        raise SystemExit(f"rnnquiz autograde wrote {graded} of {len(subs)} notebooks ({engine or 'rnnquiz'})")
    return seconds, children_cpu() - cpu


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def one_round(args, engines: dict, subs: list, tmp: Path) -> dict:
    """Every figure once: stock, then each engine's classes and checks, interleaved."""
    stock = make_course(tmp / "stock", STOCK_CONFIG)
    submit(stock, subs[:args.n_stock])
    t_stock = timed([sys.executable, "-m", "nbgrader", "autograde", AID, "--create"], stock, check=False)
    shutil.rmtree(stock)
    template = make_course(tmp / "ours", (COURSE_ROOT / "nbgrader_config.py").read_text())
    times = {name: {} for name in engines}
    cpus = {name: {} for name in engines}
    torches, torch_cpus = [], []
    for size in (args.tiny, args.small, args.n):
        for name, path in engines.items():
            cpu = children_cpu()
            torches.append(timed([sys.executable, "-c", "import torch"], tmp))  # the load of this moment
            torch_cpus.append(children_cpu() - cpu)
            times[name][size], cpus[name][size] = rnnquiz_class(template, tmp / "class", subs[:size], args.jobs,
                                                                path)
    shutil.rmtree(template)
    release = samples.release_path(AID, COURSE_ROOT)
    checks = {name: [] for name in engines}
    for _ in range(args.pairs):  # interleaved: all see the same load
        for name, path in engines.items():
            # the released notebook fails its checks: `rnnquiz check` exits 1 (0 before it said so)
            checks[name].append(timed([*rnnquiz_command(path), "check", str(release)], tmp, path, ok=(0, 1)))
        torches.append(timed([sys.executable, "-c", "import torch"], tmp))
    return {"stock": t_stock, "times": times, "cpus": cpus, "checks": checks, "torches": torches,
            "torch_cpus": torch_cpus}


def report(args, name: str, r: dict):
    per_stock = r["stock"] / args.n_stock
    t = r["times"][name]
    marginal = (t[args.n] - t[args.small]) / (args.n - args.small)
    t_check, t_torch = statistics.median(r["checks"][name]), statistics.median(r["torches"])
    print(f"[{name}] rnnquiz autograde N={args.tiny:<4}: {t[args.tiny]:.1f} s total (start-up, mostly)")
    for n, target in ((args.small, TARGET_SMALL), (args.n, TARGET_N)):
        ratio = per_stock / (t[n] / n)
        print(f"[{name}] rnnquiz autograde N={n:<4}: {t[n]:.1f} s total = {t[n] / n * 1000:.1f} ms per "
              f"submission (start-up included), {ratio:.0f}x stock per submission "
              f"[target >= {target}x: {verdict(ratio >= target)}]")
    print(f"[{name}] against python -c 'import torch' = {t_torch:.2f} s (median of the run's "
          f"{len(r['torches'])}):")
    for n in (args.tiny, args.small, args.n):
        target = TARGET_CLASS.get(n)
        goal = f"[target <= {target}x: {verdict(t[n] / t_torch <= target)}]" if target else "[no target for this size]"
        print(f"[{name}]   {'class of ' + str(n):<20}: {t[n]:.2f} s = {t[n] / t_torch:.2f}x import torch {goal}")
    print(f"[{name}]   {'marginal':<20}: {marginal * 1000:.1f} ms per submission = (t{args.n} - "
          f"t{args.small}) / {args.n - args.small} "
          f"[target <= {TARGET_MARGINAL_MS} ms: {verdict(marginal * 1000 <= TARGET_MARGINAL_MS)}]")
    # what the work itself cost: a run's CPU spread over every core is a wall time
    # that run could not have beaten, so a target below it needs less work, not more overlap
    cpu, cores, torch_cpu = r["cpus"][name], os.cpu_count(), statistics.median(r["torch_cpus"])
    print(f"[{name}] the CPU each run took (user and system, every process the run reaped; import torch "
          f"took {torch_cpu:.2f} s of CPU), spread over {cores} cores:")
    for n in (args.tiny, args.small, args.n):
        floor = cpu[n] / cores
        print(f"[{name}]   {'class of ' + str(n):<20}: {cpu[n]:.2f} s of CPU: its wall time could not be "
              f"below {floor:.2f} s = {floor / t_torch:.2f}x import torch")
    cpu_marginal = (cpu[args.n] - cpu[args.small]) / (args.n - args.small)
    print(f"[{name}]   {'marginal':<20}: {cpu_marginal * 1000:.1f} ms of CPU per submission, about "
          f"{cpu_marginal / cores * 1000:.1f} ms of wall time over {cores} cores")
    print(f"[{name}]   {'rnnquiz check':<20}: {t_check:.2f} s (median of {args.pairs}, interleaved with the "
          f"torch imports) = {t_check / t_torch:.2f}x import torch "
          f"[target <= {TARGET_CHECK}x: {verdict(t_check / t_torch <= TARGET_CHECK)}]")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=60, help="the smaller class (default 60)")
    ap.add_argument("--n", type=int, default=200, help="the larger class (default 200)")
    ap.add_argument("--tiny", type=int, default=2, help="a class this small shows start-up (default 2)")
    ap.add_argument("--n-stock", type=int, default=6, help="submissions for stock nbgrader (default 6)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--pairs", type=int, default=7, help="rnnquiz check / import torch runs (default 7)")
    ap.add_argument("--engine", action="append", default=[], metavar="NAME=PATH",
                    help="an rnnquiz to measure: the folder holding its package (repeatable; "
                         "default: the rnnquiz importable here)")
    ap.add_argument("--rounds", type=int, default=1, help="repeat every measurement (default 1)")
    args = ap.parse_args()
    engines = dict(e.split("=", 1) for e in args.engine) or {"rnnquiz": None}
    engines = {name: str(Path(path).resolve()) if path else None for name, path in engines.items()}
    import rnnquiz
    print(f"engines: {engines if args.engine else Path(rnnquiz.__file__).resolve().parent}; "
          f"{os.cpu_count()} cores, --jobs {args.jobs}; load average {os.getloadavg()[0]:.2f} at the start")
    subs = synthetic(max(args.n, args.small, args.tiny, args.n_stock))
    for k in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="rnnquiz-bench-") as tmp:
            r = one_round(args, engines, subs, Path(tmp))
        print(f"--- round {k + 1} of {args.rounds} (load average {os.getloadavg()[0]:.2f})")
        print(f"stock nbgrader autograde : {args.n_stock} submissions in {r['stock']:.1f} s = "
              f"{r['stock'] / args.n_stock * 1000:.0f} ms each")
        for name in engines:
            report(args, name, r)
        for name in engines:
            print(f"[{name}] check / torch pairs (s): " + ", ".join(
                f"{c:.2f}/{t:.2f}" for c, t in zip(r["checks"][name], r["torches"][-args.pairs:])))
        sys.stdout.flush()
    print(f"peak memory (largest process of the whole run): {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
