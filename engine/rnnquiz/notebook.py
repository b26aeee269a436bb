"""Reading a submitted notebook: validation, its assignment, the cells to run."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .content import Assignment
from .sandboxed.wire import clean_text


class NotebookError(Exception):
    """A file that cannot be graded; the message says which file and what to do."""

    def __init__(self, path, message: str):
        super().__init__(f"{path}: {message}")
        self.path, self.message = str(path), message


@dataclass
class Submission:
    path: str
    assignment: Assignment
    cells: list  # [(index, grade_id, source)] for every code cell to execute


MAX_BYTES = 8 * 1024 * 1024  # a notebook without outputs is tens of KB; with outputs, a few MB


def check_file(path, max_bytes: int = MAX_BYTES) -> None:
    """Refuse, with a message for the student, what rnnquiz never reads:
    a symbolic link, a folder, a file above ``max_bytes``."""
    path = Path(path)
    if path.is_symlink():
        raise NotebookError(path, "is a symbolic link; rnnquiz never follows links in submissions. "
                                  "Submit the notebook file itself.")
    if not path.exists():
        raise NotebookError(path, "no such file; give the path of a submitted .ipynb notebook.")
    if path.is_dir():
        raise NotebookError(path, "is a folder; give the path of a .ipynb notebook inside it.")
    if path.stat().st_size > max_bytes:
        raise NotebookError(path, _too_large(max_bytes))


def _too_large(max_bytes: int) -> str:
    return (f"is larger than {max_bytes / 1024**2:g} MB; clear the outputs "
            "(Kernel > Restart & Clear Output), save and submit again.")


def read_bytes(path, max_bytes: int = MAX_BYTES) -> bytes:
    """A submitted file's bytes: never through a symbolic link, never above ``max_bytes``."""
    path = Path(path)
    check_file(path, max_bytes)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        raise NotebookError(path, f"cannot be read ({exc.strerror}).") from None
    with os.fdopen(fd, "rb") as f:
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise NotebookError(path, _too_large(max_bytes))
    return raw


def read(path, assignment: Assignment, max_bytes: int = MAX_BYTES) -> Submission:
    """Read and check one notebook of ``assignment`` (which the caller decided:
    never the notebook's content)."""
    return from_dict(load(path, max_bytes), path, assignment)


def load(path, max_bytes: int = MAX_BYTES) -> dict:
    """A submitted notebook's JSON, checked to be a notebook; the message of any
    problem names the file and what to do."""
    path = Path(path)
    raw = read_bytes(path, max_bytes)
    if not raw.strip():
        raise NotebookError(path, "is empty; save the notebook in Jupyter and submit it again.")
    try:
        nb = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotebookError(path, "is not valid JSON, so it is not a Jupyter notebook; "
                                  "open and save it in Jupyter, or re-download it.") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(path, "is JSON but not a Jupyter notebook (no list of cells).")
    return nb


def from_dict(nb, path, assignment: Assignment) -> Submission:
    """A notebook already parsed (nbgrader hands one over) as a Submission."""
    path = Path(path)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(path, "is JSON but not a Jupyter notebook (no list of cells).")
    return Submission(str(path), assignment, _code_cells(nb))


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    if type(src) is list:
        src = "".join(s for s in src if type(s) is str)
    return clean_text(src) if type(src) is str else ""


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
        cells.append((index, grade_id if type(grade_id) is str else None, cell_source(cell)))
    return cells
