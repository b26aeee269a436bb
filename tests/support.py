"""Shared helpers: submissions built from the committed solutions, graded in one batch."""
from __future__ import annotations

import json
from pathlib import Path

from rnnquiz import samples
from rnnquiz.grade import Request, grade_many
from rnnquiz.sandbox import Limits

ROOT = Path(__file__).resolve().parent.parent
# short timeouts keep the hostile fixtures (infinite loops) quick
TEST_LIMITS = Limits(call_timeout=3.0, submission_timeout=60.0)


def solution(aid: str) -> dict:
    return json.loads(samples.solution_path(aid, ROOT).read_text())


def submission(aid: str, answers: dict | None = None, extra_cells: list | None = None) -> dict:
    """The solution with some answer cells replaced and code cells appended."""
    nb = samples.with_answers(solution(aid), answers or {})
    for src in extra_cells or []:
        nb["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                            "outputs": [], "source": src})
    return nb


def grade_notebooks(tmp_path: Path, notebooks: dict, aid: str, student: str = "student") -> dict:
    """Grade {name: notebook dict} in one batch; returns {name: Results}."""
    requests = []
    for name, nb in notebooks.items():
        path = tmp_path / f"{name}.ipynb"
        path.write_text(json.dumps(nb))
        requests.append(Request(str(path), student, aid))
    return dict(zip(notebooks, grade_many(requests, limits=TEST_LIMITS)))


def scores(result) -> dict:
    return {q.name: q.score for q in result.questions}


def full_marks(aid: str) -> dict:
    from rnnquiz.assignments import get
    return {q.name: float(q.points) for q in get(aid).questions}
