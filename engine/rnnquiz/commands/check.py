"""The student's self-check: public checks only, in a plain worker process.

Works from any folder: a course's content when run inside one, else the
public checks installed with rnnquiz (no hidden check or answer key there).

It runs where students are (Linux, macOS, Windows; a terminal or a notebook
server) as an ordinary user: the student's code runs in a separate process
with a time limit, started as every OS starts one, and no sandbox (see
``isolation/plain.py``).  What the student waits for is start-up, so that
process (which imports torch) is started before anything else is imported
here; the checks' own torch import then runs at the same time.
"""
from __future__ import annotations

from rnnquiz.isolation.plain import PlainPool


def check(path, assignment_id: str | None = None):
    with PlainPool().launch() as pool:  # stopped at once if a step below fails
        from rnnquiz.grading.session import Request, grade_many, resolve
        from rnnquiz.model import content, notebook
        catalog = content.public_catalog()
        notebook.load(path)  # an unreadable file raises NotebookError, with its message
        assignment = resolve(path, catalog, assignment_id)
        pool.prepare(set(assignment.packages.values()))  # a NumPy-only question's process, started now
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
