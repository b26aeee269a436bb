"""The demo: grade the built-in sample submissions and print what graders see."""
from __future__ import annotations

import tempfile
from pathlib import Path

from . import samples
from .assignments import QUESTIONS
from .grade import Request, grade_many


def sample_requests(workdir: Path) -> list:
    """For every assignment: the solution, the untouched release, typical mistakes."""
    requests = []
    for base in QUESTIONS:
        if not samples.solution_path(base).exists():
            continue
        for aid in (base, base + "_en"):
            mix = samples.write_sample(aid, samples.DEMO_MIX.get(base, []),
                                       workdir / f"{aid}-mistakes.ipynb")
            requests += [Request(str(samples.solution_path(aid)), "solution", aid),
                         Request(str(samples.release_path(aid)), "untouched", aid),
                         Request(str(mix), "mistakes", aid)]
    return requests


def score_table(results: list) -> str:
    names = [q.name for q in results[0].questions] if results else []
    head = f"{'assignment':<22} {'submission':<10} " + " ".join(f"{n[:10]:>10}" for n in names) + "   total"
    lines = [head, "-" * len(head)]
    for r in results:
        cells = " ".join(f"{q.score:>10g}" for q in r.questions)
        lines.append(f"{r.assignment:<22} {r.student:<10} {cells}   {r.score:g}/{r.max_score:g}")
    return "\n".join(lines)


def run(out=print) -> list:
    with tempfile.TemporaryDirectory(prefix="rnnquiz-demo-") as tmp:
        results = grade_many(sample_requests(Path(tmp)))
    by_base: dict = {}
    for r in results:
        by_base.setdefault(r.assignment.removesuffix("_en"), []).append(r)
    for base, group in by_base.items():
        out(score_table(group))
        out("")
    for r in results:
        if r.student != "solution":
            out(r.to_text())
            out("")
    return results
