"""``rnnquiz gradescope ASSIGNMENT``: the autograder zip of a Gradescope
programming assignment, built by the adapter (``rnnquiz.gradescope``)."""
from __future__ import annotations

from pathlib import Path

from rnnquiz.gradescope.autograder_zip import build


def gradescope(assignment: str, output: Path | None = None, visibility: list | None = None,
               course: Path | None = None) -> str:
    """Build the zip; the line that says where it is and what to do with it."""
    out = build(assignment, out=output, visibility=visibility, course=course)
    return (f"wrote {out}: upload it as the autograder of a Gradescope programming assignment; try it first "
            f"with `rnnquiz gradescope-try {out} NOTEBOOK`")
