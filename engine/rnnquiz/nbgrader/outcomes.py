"""Each graded test cell's outputs, as nbgrader turns them into its score.

- full marks: a stream output saying so;
- partial credit: the feedback, then an ``execute_result`` holding the score;
- zero: an error output whose traceback is our feedback message (never the
  hidden test source, a reference value or grader code).
"""
from __future__ import annotations

import textwrap

from nbformat import from_dict

from rnnquiz.model import content, notebook
from rnnquiz.model.messages import text
from rnnquiz.model.results import Results


def write_outcomes(nb, result: Results):
    """Each graded test cell gets the outputs nbgrader turns into its score."""
    by_grade_id = {content.test_grade_id(q.name): q for q in result.questions}
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
            cell.outputs = [_stdout(f"{q.name}: {q.feedback(result.lang)}\n")]
        elif q.score > 0:
            points = text("points_of", result.lang, score=q.score, points=q.max_score)
            cell.outputs = [_stdout(f"{q.name} ({points}): {q.feedback(result.lang)}\n"),
                            _result(f"{q.score:g}")]
        else:
            cell.outputs = [_failure(f"{q.name}: {q.feedback(result.lang)}")]


# The outputs nbformat's ``new_output`` makes, without its schema check of
# each one (a third of the time writing a graded notebook took); a test
# validates them against nbformat's schema.
def _stdout(text: str):
    return from_dict({"output_type": "stream", "name": "stdout", "text": "\n".join(_wrapped(text)) + "\n"})


def _result(plain: str):
    return from_dict({"output_type": "execute_result", "metadata": {}, "data": {"text/plain": plain},
                      "execution_count": 1})


def _failure(message: str):
    first = message.splitlines()[0] if message else ""
    return from_dict({"output_type": "error", "ename": "RnnquizFailure", "evalue": first,
                      "traceback": _wrapped(message)})


def _wrapped(text: str, width: int = 100) -> list:
    """Feedback as lines a page shows whole (nbgrader's pages do not wrap outputs)."""
    return [part for line in text.splitlines() for part in (textwrap.wrap(line, width) or [""])]
