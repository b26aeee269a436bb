"""The student's self-check: public checks only, in the same isolated worker.

Works from any folder: a course's content when run inside one, else the
public checks installed with rnnquiz (no hidden check or answer key there).
"""
from __future__ import annotations

from . import content, notebook
from .grade import Request, grade_many, resolve
from .messages import text
from .results import Results


def check(path, assignment_id: str | None = None) -> Results:
    catalog = content.public_catalog()
    notebook.load(path)  # an unreadable file raises NotebookError, with its message
    assignment = resolve(path, catalog, assignment_id)
    [result] = grade_many([Request(str(path), "self-check", assignment)], catalog, public_only=True)
    return result


def render(result: Results) -> str:
    return result.to_text(public_only=True) + "\n\n" + text("hidden_remain", result.lang)
