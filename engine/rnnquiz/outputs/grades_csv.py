"""Results as CSV, one row per submission: a class's ``grades.csv``, or one
submission's row (``rnnquiz grade --format csv``).  Every cell a student
controls is neutralized for spreadsheets (``model.printable.csv_cell``)."""
from __future__ import annotations

import csv
import io

from rnnquiz.model.printable import csv_cell
from rnnquiz.model.results import Results


def row(result: Results) -> dict:
    """Scores, then per question the mistakes named; what was not attempted
    has a column of its own (never a mistake), and so does each quiz's letter."""
    out = {"student": result.student, "assignment": result.assignment,
           "score": result.score, "max_score": result.max_score, "error": result.error,
           "flags": " | ".join(result.flags), "not_attempted": ";".join(result.not_attempted)}
    for q in result.questions:
        out[q.name] = q.score
    for q in result.questions:
        out[f"{q.name}_mistakes"] = ";".join(q.mistakes)
    for q in result.questions:
        if q.kind == "quiz":
            out[f"{q.name}_answer"] = q.answer or ""
    return out


def render(results: list) -> str:
    """The header (every column of every row, in order of appearance), then one row per result."""
    rows = [row(r) for r in results]
    fields = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writerow({f: csv_cell(f) for f in fields})
    writer.writerows({k: csv_cell(v) for k, v in r.items()} for r in rows)
    return buffer.getvalue()
