"""A submitted notebook read and sanitized as ``nbgrader autograde`` would,
for ``rnnquiz autograde``: read with rnnquiz's bounds, cleaned of what a
student controls (``model.clean``), then nbgrader's default sanitizing steps
with ours (``pipelines.SANITIZE``) on one open gradebook.  A course's own
extra sanitizing steps run under ``nbgrader autograde`` only."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

from rnnquiz.model.clean import clean_notebook
from rnnquiz.model.notebook import NotebookError, read_bytes
from rnnquiz.nbgrader.open_gradebook import steps_with
from rnnquiz.nbgrader.pipelines import SANITIZE, load


def sanitize(path: str, student: str, assignment_id: str, assignment, db_url: str, gradebook,
             source: Path | None = None):
    """The sanitized notebook (nbformat's); ``assignment`` is ours, as the course
    said; ``source``: the instructor's source notebook (its figures are kept)."""
    raw = read_bytes(path)  # no symbolic links, bounded size
    try:
        nb = nbformat.from_dict(clean_notebook(json.loads(raw.decode("utf-8")), path, assignment.lang, source))
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError, AttributeError):
        raise NotebookError(path, "is not a readable notebook; the student should save it in Jupyter "
                                  "and submit again.") from None
    name = Path(path).stem
    resources = {"nbgrader": {"db_url": db_url, "assignment": assignment_id, "notebook": name,
                              "student": student}, "unique_key": name, "rnnquiz_assignment": assignment,
                 "rnnquiz_cleaned": True}
    for step in steps_with(gradebook, load(SANITIZE)):
        nb, resources = step.preprocess(nb, resources)
    return nb
