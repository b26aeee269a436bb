"""The student's self-check: public checks only, in the same isolated worker.

Works from any folder: a course's content when run inside one, else the
public checks installed with rnnquiz (no hidden check or answer key there).

What the student waits for is start-up, so the worker (which imports torch
in its sandbox) is launched before anything else is imported here; the
checks' own torch import then runs at the same time as the worker's.
"""
from __future__ import annotations

from rnnquiz.isolation.pool import Pool


def check(path, assignment_id: str | None = None):
    with Pool(announce=False).launch() as pool:  # stopped at once if a step below fails
        from rnnquiz.grading.session import Request, grade_many, resolve
        from rnnquiz.isolation.launcher import warn_if_unsandboxed
        from rnnquiz.model import content, notebook
        catalog = content.public_catalog()
        notebook.load(path)  # an unreadable file raises NotebookError, with its message
        assignment = resolve(path, catalog, assignment_id)
        warn_if_unsandboxed()  # once the file is known to be gradable
        [result] = grade_many([Request(str(path), "self-check", assignment)], catalog, public_only=True,
                              pool=pool)
    return result


def passed(result) -> bool:
    """Every question passed its public checks; an answered quiz passes here (its
    answer is graded at submission)."""
    return not result.error and all(q.all_passed for q in result.questions)


def render(result) -> str:
    from rnnquiz.model.messages import text
    return result.to_text(public_only=True) + "\n\n" + text("hidden_remain", result.lang)
