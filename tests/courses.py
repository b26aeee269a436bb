"""Scratch courses on a chosen gradebook (SQLite in the course, or a PostgreSQL
database), their students' submissions, nbgrader's and rnnquiz's commands run
in them as an instructor runs them, and the gradebook's rows read back by
what they mean (assignment, student, notebook, cell) rather than their ids."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rnnquiz.commands.cycle import NBGRADER
from support import copy_course

ENV = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")  # nbgrader calls alembic
TIMESTAMP = "2026-11-22 12:00:00.000000 UTC"


def make_course(folder: Path, aids: list, db_url: str | None = None, course_id: str = "ml101") -> Path:
    """A course with ``aids``'s content, its gradebook at ``db_url`` (default:
    gradebook.db in the course), every assignment generated into it."""
    folder.mkdir(parents=True, exist_ok=True)
    copy_course(folder, aids)
    with open(folder / "nbgrader_config.py", "a") as f:
        f.write(f"\nc.CourseDirectory.course_id = {course_id!r}\n")
        if db_url:
            f.write(f"c.CourseDirectory.db_url = {db_url!r}\n")
    for aid in aids:
        done = nbgrader("generate_assignment", aid, cwd=folder)
        assert done.returncode == 0, done.stderr[-3000:]
    return folder


def submit(course: Path, student: str, aid: str, notebook: dict | None):
    """A collected submission (``notebook`` None: the folder without its notebook)."""
    folder = course / "submitted" / student / aid
    folder.mkdir(parents=True, exist_ok=True)
    if notebook is not None:
        (folder / f"{aid}.ipynb").write_text(json.dumps(notebook))
    (folder / "timestamp.txt").write_text(TIMESTAMP)


def nbgrader(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*NBGRADER, *args], cwd=cwd, env=ENV, capture_output=True, text=True)


def rnnquiz_cmd(*args) -> list:
    return [sys.executable, "-m", "rnnquiz", *args]


def rnnquiz(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(rnnquiz_cmd(*args), cwd=cwd, env=ENV, capture_output=True, text=True)


def start_rnnquiz(*args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(rnnquiz_cmd(*args), cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def start_nbgrader(*args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([*NBGRADER, *args], cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


ROW_QUERIES = {
    "course": "SELECT id FROM course",
    "student": "SELECT id, first_name, last_name, email, lms_user_id FROM student",
    "submission": """SELECT a.name, s.student_id, s.timestamp, s.extension
                     FROM submitted_assignment s JOIN assignment a ON a.id = s.assignment_id""",
    "notebook": """SELECT a.name, s.student_id, n.name, sn.flagged, sn.late_submission_penalty
                   FROM submitted_notebook sn JOIN submitted_assignment s ON s.id = sn.assignment_id
                   JOIN assignment a ON a.id = s.assignment_id JOIN notebook n ON n.id = sn.notebook_id""",
    "grade": """SELECT a.name, s.student_id, n.name, c.name, g.auto_score, g.manual_score, g.extra_credit,
                       g.needs_manual_grade
                FROM grade g JOIN submitted_notebook sn ON sn.id = g.notebook_id
                JOIN submitted_assignment s ON s.id = sn.assignment_id JOIN assignment a ON a.id = s.assignment_id
                JOIN notebook n ON n.id = sn.notebook_id JOIN base_cell c ON c.id = g.cell_id""",
    "comment": """SELECT a.name, s.student_id, n.name, c.name, m.auto_comment, m.manual_comment
                  FROM comment m JOIN submitted_notebook sn ON sn.id = m.notebook_id
                  JOIN submitted_assignment s ON s.id = sn.assignment_id JOIN assignment a ON a.id = s.assignment_id
                  JOIN notebook n ON n.id = sn.notebook_id JOIN base_cell c ON c.id = m.cell_id""",
}


def gradebook_rows(db_url: str) -> dict:
    """table -> sorted list of its rows, by natural keys (duplicates stay: a
    row twice shows twice)."""
    import sqlalchemy as sa
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return {name: sorted((tuple(row) for row in conn.execute(sa.text(query))), key=repr)
                    for name, query in ROW_QUERIES.items()}
    finally:
        engine.dispose()


def scores(rows: dict, aid: str) -> dict:
    """student -> total auto score of ``aid`` in ``gradebook_rows``."""
    out: dict = {}
    for a, student, _nb, _cell, auto, *_rest in rows["grade"]:
        if a == aid:
            out[student] = out.get(student, 0.0) + (auto or 0.0)
    return out
