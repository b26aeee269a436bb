"""The demo: a whole nbgrader cycle on built-in sample students.

A scratch course and exchange are made in ``.rnnquiz-demo/`` of the course
folder (replaced by the next demo, removed by ``make clean``); the
assignments are released; three sample students fetch and submit (the
solution, typical mistakes, and a cheater who patches the comparison
functions and answers one question wrong); the instructor collects,
autogrades with rnnquiz's isolated grader, generates feedback and exports.
"""
from __future__ import annotations

import json
import shlex
import shutil
import textwrap
import time
from pathlib import Path

from rnnquiz.commands.cycle import Cycle
from rnnquiz.model import content, samples

CHEAT = ("import numpy as np, torch, torch.testing\n"
         "torch.testing.assert_close = lambda *a, **k: None\n"
         "torch.allclose = lambda *a, **k: True\n"
         "np.allclose = lambda *a, **k: True\n")
STUDENTS = ("ana_correta", "bruno_erros", "carla_cola")
WORKDIR = ".rnnquiz-demo"           # in the course folder; `make clean` removes it
MARKER = "made-by-rnnquiz-demo"     # only a folder holding it is ever replaced


def fresh_workdir(workdir: Path) -> Path:
    """An empty work folder for the demo.  A previous demo's is replaced; any
    other non-empty folder is refused, never deleted."""
    if workdir.exists() and any(workdir.iterdir()):
        if not (workdir / MARKER).is_file():
            raise content.ContentError(f"{workdir}: not empty and not a previous demo's folder; "
                                       "give --workdir an empty or new folder.")
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / MARKER).write_text("rnnquiz demo's work folder: replaced by the next demo.\n")
    return workdir


def student_work(assignment: content.Assignment, course: Path) -> dict:
    """Each sample student's notebook for ``assignment``: the solution, the
    demo's mix of typical mistakes, and a cheater who patches the comparison
    functions and answers one question wrong."""
    solution = samples.solution(assignment, course)
    found = samples.load(assignment)
    mistakes = {found.get(n).question: found.get(n).code for n in found.demo_mix}
    return {"ana_correta": solution,
            "bruno_erros": samples.with_answers(solution, mistakes),
            "carla_cola": samples.with_answers(solution, {found.cheat_question: CHEAT + found.cheat_code})}


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
            # the feedback is wrapped for the page: one line here
            if out.get("output_type") == "error":
                lines.append(" ".join(out["traceback"]))
            elif partial and out.get("output_type") == "stream":
                score = "".join(partial[0]["data"]["text/plain"])
                lines.append(f"{' '.join(''.join(out['text']).split())} [{score} pts]")
    return lines


def run(lang: str = content.PRIMARY_LANG, workdir: Path | None = None, course: Path | None = None,
        out=print) -> dict:
    """The demo on every assignment of the course (``course``: default the
    working folder) in ``lang``."""
    course = Path(course or content.find_course() or Path.cwd())
    catalog = content.course_catalog(course)
    assignments = [a for a in catalog.assignments.values() if a.lang == lang and samples.load(a).demo_mix]
    if not assignments:
        raise content.ContentError(f"no assignment with demo samples in {course / content.CONTENT_DIR} for "
                                   f"language {lang!r}; run the demo from the course folder.")
    assignment_ids = [a.id for a in assignments]
    workdir = fresh_workdir(Path(workdir or course / WORKDIR).resolve())
    cycle = Cycle(workdir, course, progress=out)
    start = time.monotonic()
    out(f"course and exchange in {workdir}")
    out("release: " + ", ".join(assignment_ids) + " (generate_assignment makes the student versions)")
    cycle.setup(list(assignment_ids))
    out(f"{', '.join(STUDENTS)} fetch their notebooks, work, submit:")
    cycle.fetch_and_submit_all([(student, assignment.id, work) for assignment in assignments
                                for student, work in student_work(assignment, course).items()])
    out(f"fetched and submitted: {', '.join(STUDENTS)}")
    out("collect, autograde (each notebook graded in rnnquiz's isolated worker), generate_feedback, "
        "release_feedback, export:")
    grades = cycle.grade(list(assignment_ids))
    out("each student fetches their feedback:")
    fetched = cycle.fetch_feedback_all(list(STUDENTS), assignment_ids)
    out("")
    out(f"{'student':<14}" + "".join(f"{aid:>22}" for aid in assignment_ids))
    for student in STUDENTS:
        cells = ["{:g} / {:g}".format(*grades[(student, aid)]) if (student, aid) in grades else "missing"
                 for aid in assignment_ids]
        row = "".join(f"{c:>22}" for c in cells)
        out(f"{student:<14}{row}")
    out("")
    cheated = ", ".join(f"{samples.load(a).cheat_question} ({a.id})" for a in assignments)
    for paragraph in (
            "carla_cola's notebooks replace torch.testing.assert_close, torch.allclose and np.allclose with "
            "functions that always say 'equal', and answer one question wrong. It changes nothing: the "
            "comparisons run in the grader's own process, never in hers, so she loses exactly the questions "
            f"she got wrong: {cheated}. Under stock nbgrader the same patch earns full marks.",
            "(The class reports listed at the end flag ana_correta, and carla_cola wherever enough of her "
            "notebook is still the instructor's solutions: these notebooks hold them token for token, as a "
            "leaked solution would; the samples are built from them.)"):
        for line in textwrap.wrap(paragraph, 100):
            out(line)
    out("")
    for student in STUDENTS[1:]:
        for aid in assignment_ids:
            out(f"{student} · {aid}:")
            for line in failures(cycle, student, aid):
                out(f"  {line}")
    out("")
    out(f"nbgrader export: {cycle.course / 'grades.csv'}")
    out("feedback each student fetched (nbgrader fetch_feedback, one HTML page per assignment):")
    for (student, aid), paths in fetched.items():
        out(f"  {student} · {aid}: " + (", ".join(shlex.quote(str(p)) for p in paths) or "none (see nbgrader's log)"))
    out("")
    out("the same class with `rnnquiz autograde` (parallel, sandboxed) and its class report:")
    from rnnquiz.classrun import autograde
    said = set()
    for aid in assignment_ids:
        # the demo's students are rnnquiz's own samples: nothing to keep from them
        summary = autograde(aid, course_root=cycle.course, allow_unconfined=True)
        if summary.protections not in said:  # which sandbox confined them, once
            said.add(summary.protections)
            out(f"  {summary.protections}")
        out(f"  {aid}: {len(summary.graded)} graded in {summary.seconds:.1f} s; "
            f"open {shlex.quote(str(summary.report_dir / 'report.html'))} in a browser (also report.md, report.png)")
    out(f"done in {time.monotonic() - start:.0f} s")
    return grades
