"""A submission's results as Gradescope's ``results.json``: written for each
student of a class run (``gradescope/<student>.json``), and by the Gradescope
autograder (``rnnquiz.gradescope``) for the one submission it grades."""
from __future__ import annotations

import json
import re

from rnnquiz.model.messages import text
from rnnquiz.model.results import Results

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's, per test


def results_json(result: Results, visibility: dict | None = None, execution_time: float | None = None) -> dict:
    """Gradescope's results.json: the score; one test per question, in the
    notebook's order, its feedback as plain text (it echoes what the
    student's code returned); a summary in Markdown; the run's own output
    (stdout) for the instructor only.  ``visibility``: {question: one of
    ``VISIBILITIES``}, default visible (feedback on hidden variants never
    shows their reference values); ``execution_time`` in seconds."""
    visibility = visibility or {}
    tests = [{"name": q.name, "number": str(n), "score": q.score, "max_score": q.max_score,
              "status": q.status, "output": q.feedback(result.lang), "output_format": "text",
              "visibility": visibility.get(q.name, "visible")}
             for n, q in enumerate(result.questions, 1)]
    out = {"score": result.score, "output": summary_md(result), "output_format": "md",
           "stdout_visibility": "hidden", "tests": tests,
           "extra_data": {"assignment": result.assignment, "max_score": result.max_score}}
    if execution_time is not None:
        out["execution_time"] = max(int(round(execution_time)), 0)
    if result.flags:  # the instructor's (extra_data is not shown to students)
        out["extra_data"]["flags"] = list(result.flags)
    return out


def render(result: Results, **kwargs) -> str:
    """``results_json`` as the file's text (``kwargs``: its ``visibility`` and ``execution_time``)."""
    return json.dumps(results_json(result, **kwargs), ensure_ascii=False, indent=2)


def summary_md(result: Results) -> str:
    """What Gradescope shows above the tests, in Markdown: the score, or why
    the submission was not graded, and the cells that raised errors.  Every
    text that may carry the student's own (file names, error messages) is
    in a code block."""
    if result.error:
        return text("gs_not_graded", result.lang) + "\n\n" + md_block(result.error)
    parts = [text("gs_score", result.lang, points=text("points_of", result.lang, score=result.score,
                                                       points=result.max_score))]
    if result.notes:
        parts += [text("gs_cells", result.lang), md_block("\n".join(result.notes))]
    return "\n\n".join(parts)


def md_block(body: str) -> str:
    """``body`` verbatim in a Markdown code block (its fence longer than any run of backticks in it)."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"
