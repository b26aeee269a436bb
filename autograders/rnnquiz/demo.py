"""The demo: a whole nbgrader cycle on built-in sample students.

A scratch course and exchange are made under a temporary folder; the
assignments are released; three sample students fetch and submit (the
solution, typical mistakes, and a cheater who patches the comparison
functions and answers one question wrong); the instructor collects,
autogrades with rnnquiz's isolated grader, generates feedback and exports.
"""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from . import samples
from .course_cycle import Cycle

CHEAT = ("import numpy as np, torch, torch.testing\n"
         "torch.testing.assert_close = lambda *a, **k: None\n"
         "torch.allclose = lambda *a, **k: True\n"
         "np.allclose = lambda *a, **k: True\n")
CHEAT_TARGET = {"rnn_from_scratch": ("rnn_step", "def rnn_step(X, H, W_xh, W_hh, b_h):\n    return X @ W_xh\n"),
                "torch_rnn_by_hand": ("numpy_rnn", "def numpy_rnn(x, weight_ih, weight_hh, bias_ih, bias_hh, h0):\n"
                                      "    return np.zeros((len(x), x.shape[1], len(weight_hh)), x.dtype), h0\n")}
STUDENTS = ("ana_correta", "bruno_erros", "carla_cola")


def student_work(aid: str) -> dict:
    """Each sample student's notebook for ``aid``."""
    base = aid.removesuffix("_en")
    solution = json.loads(samples.solution_path(aid).read_text())
    mistakes = {samples.mistake(aid, n).question: samples.mistake(aid, n).code for n in samples.DEMO_MIX[base]}
    question, code = CHEAT_TARGET[base]
    return {"ana_correta": solution,
            "bruno_erros": samples.with_answers(solution, mistakes),
            "carla_cola": samples.with_answers(solution, {question: CHEAT + code})}


def failures(cycle: Cycle, student: str, aid: str) -> list:
    """The feedback nbgrader stored for the questions that lost points."""
    path = cycle.course / "autograded" / student / aid / f"{aid}.ipynb"
    if not path.exists():
        return ["(not graded: see nbgrader's log)"]
    lines = []
    for cell in json.loads(path.read_text())["cells"]:
        outputs = cell.get("outputs", [])
        partial = [o for o in outputs if o.get("output_type") == "execute_result"]
        for out in outputs:
            if out.get("output_type") == "error":
                lines.append(out["traceback"][0])
            elif partial and out.get("output_type") == "stream":
                score = "".join(partial[0]["data"]["text/plain"])
                lines.append(f"{''.join(out['text']).splitlines()[0]} [{score} pts]")
    return lines


def run(assignment_ids=("rnn_from_scratch", "torch_rnn_by_hand"), workdir: Path | None = None,
        out=print) -> dict:
    workdir = Path(workdir or tempfile.mkdtemp(prefix="rnnquiz-demo-"))
    cycle = Cycle(workdir)
    start = time.monotonic()
    out(f"course and exchange in {workdir}")
    out("release: " + ", ".join(assignment_ids))
    cycle.setup(list(assignment_ids))
    for aid in assignment_ids:
        for student, work in student_work(aid).items():
            cycle.fetch_and_submit(student, aid, work)
    out(f"fetched and submitted: {', '.join(STUDENTS)}")
    out("collect, autograde (isolated worker), generate_feedback, export")
    grades = cycle.grade(list(assignment_ids))
    out("")
    out(f"{'student':<14}" + "".join(f"{aid:>22}" for aid in assignment_ids))
    for student in STUDENTS:
        row = "".join(f"{'%g / %g' % grades[(student, aid)] if (student, aid) in grades else 'missing':>22}"
                      for aid in assignment_ids)
        out(f"{student:<14}{row}")
    out("")
    for student in STUDENTS[1:]:
        for aid in assignment_ids:
            out(f"{student} · {aid}:")
            for line in failures(cycle, student, aid):
                out(f"  {line}")
    out("")
    out(f"nbgrader export: {cycle.course / 'grades.csv'}")
    out(f"feedback (HTML, one per student and assignment): {cycle.course / 'feedback'}")
    for path in cycle.feedback_files():
        out(f"  {path}")
    out("")
    out("the same class with `rnnquiz autograde` (parallel, sandboxed) and its class report:")
    from .autograde import autograde
    for aid in assignment_ids:
        summary = autograde(aid, course_root=cycle.course)
        out(f"  {aid}: {len(summary.graded)} graded in {summary.seconds:.1f} s; "
            f"report {summary.report_dir / 'report.md'} and report.png")
    out(f"done in {time.monotonic() - start:.0f} s")
    return grades
