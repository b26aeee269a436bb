"""nbgrader integration: grade in an isolated worker instead of the student's kernel.

The course's ``nbgrader_config.py`` puts ``GradeIsolated`` in
``Autograde.autograde_preprocessors`` where stock nbgrader has ``Execute``.
It grades the sanitized notebook with rnnquiz's worker and hidden graders,
then writes each graded test cell's outcome the way nbgrader scores it:

- full marks: a stream output saying so;
- partial credit: the feedback, then an ``execute_result`` holding the score;
- zero: an error output whose traceback is our feedback message (never the
  hidden test source, a reference value or grader code).

nbgrader's own ``SaveAutoGrades``, ``generate_feedback``, ``export`` and
formgrader then work unchanged.  The inputs are seeded by nbgrader's student id.
"""
from __future__ import annotations

import atexit

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float

from . import assignments, notebook
from .grade import grade_submissions
from .messages import text
from .results import Results
from .sandbox import Limits
from .session import Pool

_pool: Pool | None = None


def shared_pool(limits: Limits) -> Pool:
    """One warm worker pool per nbgrader process: torch is imported once."""
    global _pool
    if _pool is None:
        _pool = Pool(assignments.COURSE_ROOT, limits).launch()
        atexit.register(_pool.close)
    return _pool


class GradeIsolated(NbGraderPreprocessor):
    call_timeout = Float(10.0, help="Seconds one call into student code may take.").tag(config=True)
    submission_timeout = Float(120.0, help="Seconds a whole submission may take.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        student = str(info.get("student") or "student")
        name = str(resources.get("metadata", {}).get("name") or info.get("assignment") or "")
        # the file name decides the assignment, not metadata a student could edit
        aid = name if name in assignments.ASSIGNMENTS else info.get("assignment")
        limits = Limits(call_timeout=self.call_timeout, submission_timeout=self.submission_timeout)
        try:
            sub = notebook.from_dict(nb, f"{name}.ipynb", aid if aid in assignments.ASSIGNMENTS else None)
        except notebook.NotebookError as exc:
            result = Results(str(aid), "en", student, f"{name}.ipynb", error=str(exc))
        else:
            [result] = grade_submissions([(sub, student)], limits=limits, pool=shared_pool(limits))
        self.log.info("rnnquiz: %s %s scored %g / %g", student, name, result.score, result.max_score)
        write_outcomes(nb, result)
        return nb, resources


def write_outcomes(nb, result: Results):
    """Each graded test cell gets the outputs nbgrader turns into its score."""
    by_grade_id = {f"test_{q.name}": q for q in result.questions}
    for cell in nb.cells:
        meta = notebook.nbgrader_meta(cell)
        if cell.cell_type != "code" or not (meta.get("grade") and not meta.get("solution")):
            continue
        q = by_grade_id.get(meta.get("grade_id"))
        cell.execution_count = None
        if result.error or q is None:
            message = result.error or text("grader_error", result.lang,
                                           message=f"unknown grade cell {meta.get('grade_id')!r}")
            cell.outputs = [_failure(message)]
        elif q.score >= q.max_score:
            cell.outputs = [new_output("stream", name="stdout", text=f"{q.name}: {q.feedback(result.lang)}\n")]
        elif q.score > 0:
            cell.outputs = [new_output("stream", name="stdout", text=f"{q.name}: {q.feedback(result.lang)}\n"),
                            new_output("execute_result", data={"text/plain": f"{q.score:g}"},
                                       execution_count=1)]
        else:
            cell.outputs = [_failure(f"{q.name}: {q.feedback(result.lang)}")]


def _failure(message: str):
    first = message.splitlines()[0] if message else ""
    return new_output("error", ename="RnnquizFailure", evalue=first, traceback=message.splitlines())
