"""Sample submissions of an assignment: a correct one with answer cells replaced.

Each content folder may hold a ``samples.toml``: typical mistakes written as a
student would (the question they must cost, the mistake the feedback must
name) and what the demo shows.  The project's tests and the demo read them.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from rnnquiz.model.content import SAMPLES, Assignment, ContentError, tomllib


@dataclass(frozen=True)
class Sample:
    name: str       # the sample's name
    question: str   # the only question that loses points (all of them unless ``partial``)
    code: str       # the answer cell's new source
    mistake: str    # the mistake key the feedback must name
    partial: bool = False  # keeps the public example's point by design


@dataclass(frozen=True)
class Samples:
    samples: tuple
    demo_mix: tuple        # sample names combined into the demo's "typical mistakes" student
    cheat_question: str    # the question the demo's cheater answers wrong
    cheat_code: str

    def get(self, name: str) -> Sample:
        for s in self.samples:
            if s.name == name:
                return s
        raise KeyError(name)


def load(assignment: Assignment) -> Samples:
    path = assignment.folder / SAMPLES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        samples = tuple(Sample(str(s["name"]), str(s["question"]), str(s["code"]).strip("\n"),
                               str(s.get("mistake", s["name"])), bool(s.get("partial", False)))
                        for s in data.get("sample", []))
        demo = data.get("demo", {})
        return Samples(samples, tuple(demo.get("mix", ())), str(demo.get("cheat_question", "")),
                       str(demo.get("cheat_code", "")))
    except FileNotFoundError:
        return Samples((), (), "", "")
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise ContentError(f"{path}: cannot be read ({exc}).") from None


def solution_path(assignment_id: str, course: Path) -> Path:
    return Path(course) / "solutions" / assignment_id / f"{assignment_id}.ipynb"


def release_path(assignment_id: str, course: Path) -> Path:
    return Path(course) / "assignments" / assignment_id / f"{assignment_id}.ipynb"


def with_answers(notebook: dict, answers: dict) -> dict:
    """A copy of ``notebook`` whose answer cells (by grade id) hold new code."""
    nb = copy.deepcopy(notebook)
    found = set()
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
            found.add(gid)
    missing = set(answers) - found
    if missing:
        raise KeyError(f"no answer cell with grade id {sorted(missing)}")
    return nb


SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solution(assignment: Assignment, course: Path) -> dict:
    """A correct submission as a student would hand it in: the released
    notebook with each answer cell holding the reference code, without
    nbgrader's solution markers (and without the hidden tests the solution
    notebook's test cells carry)."""
    released = json.loads(release_path(assignment.id, course).read_text(encoding="utf-8"))
    reference = json.loads(solution_path(assignment.id, course).read_text(encoding="utf-8"))
    answers = {}
    for cell in reference["cells"]:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if nbgrader.get("solution") and nbgrader.get("grade_id"):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            answers[nbgrader["grade_id"]] = "\n".join(line for line in source.split("\n")
                                                      if line.strip() not in SOLUTION_MARKERS)
    return with_answers(released, answers)
