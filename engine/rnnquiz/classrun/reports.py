"""A class run's report files (``outputs.formats``), written as the outcomes come in."""
from __future__ import annotations

from pathlib import Path

from rnnquiz.model import content
from rnnquiz.model.results import Results
from rnnquiz.outputs.formats import ClassFiles


class ReportWriter:
    """``reports/<assignment>/`` of the class: outcomes in, results out."""

    def __init__(self, course, assignment_id: str, several: bool = False):
        self.course, self.assignment_id = course, assignment_id
        self.files = ClassFiles(course.root / "reports" / assignment_id, several)

    def add(self, outcomes: list):
        self.files.add([as_results(o, self.assignment_id) for o in outcomes])

    def finish(self) -> Path:
        return self.files.finish(self.course.mistakes())


def as_results(outcome, assignment_id: str) -> Results:
    """What the reports show of an outcome; an error line is named with our
    assignment's id when the course says which it is, as graded rows are."""
    result = outcome.results
    if result is None:
        ours = outcome.assignment
        result = Results(ours.id if ours else assignment_id, ours.lang if ours else content.PRIMARY_LANG,
                         outcome.student, outcome.notebook, error=outcome.error)
    if outcome.error and not result.error:
        result.error = outcome.error
    return result


def preload_report():
    """matplotlib, imported while the grading processes work rather than after
    them: the class report is drawn last, once every grade is in."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
    except Exception:  # drawing the report says what is wrong
        pass
