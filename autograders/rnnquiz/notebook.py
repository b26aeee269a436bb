"""Reading a submitted notebook: validation, its assignment, the cells to run."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import assignments


class NotebookError(Exception):
    """A file that cannot be graded; the message says which file and what to do."""

    def __init__(self, path, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message = str(path), message


@dataclass
class Submission:
    path: str
    assignment: assignments.Assignment
    cells: list  # [(index, grade_id, source)] for every code cell to execute


def read(path, assignment_id: str | None = None) -> Submission:
    """Read and check one notebook; ``assignment_id`` overrides detection."""
    path = Path(path)
    if not path.exists():
        raise NotebookError(path, "no such file; give the path of a submitted .ipynb notebook.")
    if path.is_dir():
        raise NotebookError(path, "is a folder; give the path of a .ipynb notebook inside it.")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise NotebookError(path, f"cannot be read ({exc.strerror}).") from None
    if not raw.strip():
        raise NotebookError(path, "is empty; save the notebook in Jupyter and submit it again.")
    try:
        nb = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotebookError(path, "is not valid JSON, so it is not a Jupyter notebook; "
                                  "open and save it in Jupyter, or re-download it.") from None
    return from_dict(nb, path, assignment_id)


def from_dict(nb, path, assignment_id: str | None = None) -> Submission:
    """A notebook already parsed (nbgrader hands one over) as a Submission."""
    path = Path(path)
    known = ", ".join(sorted(assignments.ASSIGNMENTS))
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(path, "is JSON but not a Jupyter notebook (no list of cells).")
    assignment = _identify(nb, path, assignment_id, known)
    return Submission(str(path), assignment, _code_cells(nb))


def _identify(nb: dict, path: Path, assignment_id, known: str) -> assignments.Assignment:
    if assignment_id is not None:
        if assignment_id not in assignments.ASSIGNMENTS:
            raise NotebookError(path, f"unknown assignment {assignment_id!r}; known: {known}.")
        return assignments.ASSIGNMENTS[assignment_id]
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    tag = meta.get("rnnquiz") if isinstance(meta.get("rnnquiz"), dict) else {}
    for candidate in (tag.get("assignment"), path.stem):
        if type(candidate) is str and candidate in assignments.ASSIGNMENTS:
            return assignments.ASSIGNMENTS[candidate]
    raise NotebookError(path, f"is not a notebook of a known assignment (known: {known}); "
                              "grade the notebook you were given, without renaming it.")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    if type(src) is list:
        src = "".join(s for s in src if type(s) is str)
    return src if type(src) is str else ""


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    nbg = meta.get("nbgrader")
    return nbg if isinstance(nbg, dict) else {}


def is_test_cell(cell: dict) -> bool:
    nbg = nbgrader_meta(cell)
    return bool(nbg.get("grade")) and not nbg.get("solution")


def _code_cells(nb: dict) -> list:
    """Code cells to execute: everything but nbgrader's test cells.

    Test cells hold the visible asserts and hidden-test hooks; grading uses
    the hidden graders instead, so running them would only cost time.
    """
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_test_cell(cell):
            continue
        grade_id = nbgrader_meta(cell).get("grade_id")
        cells.append((index, grade_id if type(grade_id) is str else None, _source(cell)))
    return cells
