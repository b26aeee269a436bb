"""Grading our notebooks as nbgrader scores them: the one sequence that both
``rnnquiz autograde`` (a class, in batches) and nbgrader's own ``autograde``
(``steps.GradeIsolated``, one notebook at a time) run.

For each sanitized notebook: its code graded in the sandbox by the hidden
graders; the flags (the instructor's files found in it, a submission time
its name claimed); each graded test cell's outputs written the way nbgrader
turns them into points (``outcomes``); the instructor's explanation cells'
outputs (``explanations``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnnquiz.grading.session import grade_submissions
from rnnquiz.model import content, notebook
from rnnquiz.model.flags import flags, time_flag
from rnnquiz.model.results import Results
from rnnquiz.nbgrader.explanations import write_explanations
from rnnquiz.nbgrader.outcomes import write_outcomes


@dataclass
class Entry:
    """One sanitized notebook to grade; ``nb`` (nbformat's) is written in place."""
    nb: object
    path: str                       # the submitted file, as messages name it
    assignment: content.Assignment  # which of ours, as the course says
    student: str
    source: Path | None = None      # the instructor's source notebook
    folder: Path | None = None      # the submission's folder (its timestamps)


def grade_as_nbgrader(entries: list, pool, limits) -> list:
    """One ``Results`` per entry, in order, each notebook's outputs written.
    What goes wrong with one notebook is that notebook's error."""
    subs = []
    for e in entries:
        try:
            subs.append((notebook.from_dict(e.nb, e.path, e.assignment), e.student))
        except notebook.NotebookError as exc:
            subs.append((Results(e.assignment.id, e.assignment.lang, e.student, e.path, error=str(exc)), e.student))
    results = grade_submissions(subs, limits=limits, pool=pool)
    for e, result in zip(entries, results):
        lang = e.assignment.lang
        try:
            result.flags = flags(e.nb, e.source, lang) + (time_flag(e.folder, lang) if e.folder else [])
            write_outcomes(e.nb, result)
            if not result.error:
                write_explanations(e.nb, e.source, pool, limits)  # in the sandbox
        except Exception as exc:
            result.error = f"{e.path}: the graded notebook could not be written ({type(exc).__name__})"
            # every graded cell a failure, never one left without outputs (nbgrader
            # would score it as passed); if even that fails, nbgrader fails the notebook
            write_outcomes(e.nb, result)
    return results
