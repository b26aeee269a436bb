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

import re
from pathlib import Path

from rnnquiz.isolation.plain import PlainPool


def check(path, assignment_id: str | None = None):
    with PlainPool().launch() as pool:  # stopped at once if a step below fails
        from rnnquiz.grading.session import Request, grade_many, resolve
        from rnnquiz.model import content, notebook
        catalog = content.public_catalog()
        nb = notebook.load(path)  # an unreadable file raises NotebookError, with its message
        assignment = resolve(path, catalog, assignment_id or claimed_assignment(path, nb, catalog))
        pool.prepare(set(assignment.packages.values()))  # a NumPy-only question's process, started now
        [result] = grade_many([Request(str(path), "self-check", assignment)], catalog, public_only=True,
                              pool=pool)
    return result


# what Jupyter's "Make a Copy" (name-Copy1) and a browser's second download (name (1)) add to a name
COPY_SUFFIX = re.compile(r"^(?P<name>.+?)(?:-Copy\d+| \(\d+\))$")


def claimed_assignment(path, nb: dict, catalog) -> str | None:
    """For a self-check only (grading keeps its rule: the file's name or the course
    decides): the assignment the notebook's metadata names, when its file name is
    that assignment's, maybe with a copy's suffix.  A notebook of another
    assignment saved under this one's name is told which it is."""
    from rnnquiz.model import notebook
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    own = meta.get("rnnquiz") if isinstance(meta.get("rnnquiz"), dict) else {}
    claimed = own.get("assignment") if isinstance(own.get("assignment"), str) else None
    if claimed is None or claimed not in catalog:
        return None
    stem = Path(path).stem
    copy = COPY_SUFFIX.match(stem)
    named = stem if stem in catalog else (copy.group("name") if copy and copy.group("name") in catalog else None)
    if named == claimed:
        return claimed
    if named is not None:
        from rnnquiz.model.messages import text
        raise notebook.NotebookError(path, text("other_assignment", catalog.get(claimed).lang, claimed=claimed,
                                                named=named))
    return None


def passed(result) -> bool:
    """Every question passed its public checks; an answered quiz passes here (its
    answer is graded at submission)."""
    return not result.error and all(q.all_passed for q in result.questions)


def render(result) -> str:
    from rnnquiz.model.messages import text
    from rnnquiz.outputs import text as as_text
    return as_text.render(result, public_only=True) + "\n\n" + text("hidden_remain", result.lang)
