"""Autograded notebooks and scores, written as nbgrader's own autograde leaves them.

The rows are those of nbgrader's models (``nbgrader.api``), made as its
``Gradebook.add_submission`` makes them: a submission mirrors the
assignment's notebooks, a grade for each graded cell, a comment for each
answer cell.  Its Gradebook methods look every row up again and commit after
each call (two writes of the database file per student, every row read back
afterwards); here a batch of students is one transaction, with the
assignment, the students and their earlier submissions read once per run,
and a batch's new submissions inserted together, table by table.
"""
from __future__ import annotations

import fnmatch
import json
import os
import shutil
import types
import warnings
from dataclasses import dataclass
from pathlib import Path

from rnnquiz.model import content
from rnnquiz.model.messages import clip


class GradebookWriter:
    """One gradebook session for a whole ``rnnquiz autograde`` run."""

    def __init__(self, course_root: Path, assignment_id: str, db_url: str, coursedir=None):
        self.course_root, self.assignment_id, self.db_url = course_root, assignment_id, db_url
        root = Path(coursedir.root) if coursedir else course_root
        self.submitted = root / (coursedir.submitted_directory if coursedir else "submitted")
        self.autograded = root / (coursedir.autograded_directory if coursedir else "autograded")
        self.source = root / (coursedir.source_directory if coursedir else "source") / assignment_id
        self.ignore = list(coursedir.ignore) if coursedir else [".ipynb_checkpoints", "*.pyc", "__pycache__",
                                                                "feedback"]
        self.written: set = set()  # students whose autograded folder this run has started afresh

    def __enter__(self):
        from nbgrader.api import Gradebook
        self.gb = Gradebook(self.db_url).__enter__()
        # the rows read once stay valid after each batch's commit: this run is
        # the only writer of these submissions (as under `nbgrader autograde`)
        self.gb.db().expire_on_commit = False
        self._read()
        return self

    def __exit__(self, *exc):
        for student in self.written:  # a folder whose notebooks were all missing or refused
            self._drop_if_no_notebook(student)
        self.gb.__exit__(*exc)
        return False

    def _read(self):
        """What every batch needs, read once (and again after a rollback, which
        forgets the rows made since the last commit)."""
        from nbgrader.api import Student
        db = self.gb.db
        self.assignment = self.gb.find_assignment(self.assignment_id)
        # the assignment's structure, which each new submission mirrors
        self.notebooks = [(nb, list(nb.grade_cells), list(nb.solution_cells), list(nb.task_cells))
                          for nb in self.assignment.notebooks]
        # cell id -> grade id: reading grade.name would load each cell row
        self.cell_names = {cell.id: cell.name for _nb, *cells in self.notebooks for group in cells
                           for cell in group}
        self.students = {s.id for s in db.query(Student.id)}
        self.submissions = self._submissions_of()
        self.committed: set = set()  # inserted by this run, not read back as nbgrader's models yet
        self.new = {"student": [], "submitted_assignment": [], "submitted_notebook": [], "grade": [], "comment": []}

    def _submissions_of(self, students=None) -> dict:
        """student -> nbgrader's model of their submission of this assignment
        (of ``students`` only, when given), with its notebooks, grades and comments."""
        from nbgrader.api import SubmittedAssignment, SubmittedNotebook
        from sqlalchemy.orm import selectinload
        query = self.gb.db.query(SubmittedAssignment).filter(SubmittedAssignment.assignment_id == self.assignment.id)
        if students is not None:
            query = query.filter(SubmittedAssignment.student_id.in_(list(students)))
        query = query.options(selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.grades),
                              selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.comments))
        return {s.student_id: s for s in query}

    def write(self, outcomes: list):
        """One transaction for the batch; when it fails, each student again in a
        transaction of their own, so only a student whose rows cannot be
        written is left out (with an error line, and no autograded folder)."""
        from sqlalchemy.exc import SAWarning
        by_student: dict = {}
        for o in outcomes:
            by_student.setdefault(o.student, []).append(o)
        groups = sorted(by_student.items())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's models are noisy
            try:
                self._commit(groups)
                return
            except Exception:
                pass
            for student, group in groups:
                try:
                    self._rollback()
                    self._commit([(student, group)])
                except Exception as exc:  # this student's rows (or the gradebook itself): an error line each
                    self._left_out(student, group, exc)
            try:
                self._rollback()  # what the last student left pending
            except Exception:
                pass

    def _commit(self, groups: list):
        from nbgrader.api import Base
        for student, group in groups:
            self._write_student(student, group)
        # the new rows, table by table, in the order their keys need
        made = {row.student_id for row in self.new["submitted_assignment"]}
        for table, rows in self.new.items():
            if rows:
                self.gb.db.execute(Base.metadata.tables[table].insert(), [vars(row) for row in rows])
                rows.clear()
        self.gb.db.commit()
        for student in made:  # a later write of theirs (another notebook) reads nbgrader's model back
            del self.submissions[student]
            self.committed.add(student)

    def _rollback(self):
        self.gb.db.rollback()
        self._read()

    def _left_out(self, student: str, outcomes: list, exc: Exception):
        """A student whose rows could not be written: an error line for each of
        their notebooks, and no autograded notebook without its rows."""
        dest = self._dest(student)
        for o in outcomes:
            (dest / f"{o.notebook}.ipynb").unlink(missing_ok=True)
            o.autograded = None
            o.error = o.error or f"{student}: could not be written to the gradebook ({type(exc).__name__}: " \
                                 f"{clip(exc)})"
        self._drop_if_no_notebook(student)

    def _drop_if_no_notebook(self, student: str):
        """No autograded folder without a graded notebook in it (as nbgrader
        removes the folder of a submission it could not grade)."""
        dest = self._dest(student)
        try:
            if dest.is_dir() and not any(dest.glob("*.ipynb")):
                shutil.rmtree(dest)
                if not any(dest.parent.iterdir()):
                    dest.parent.rmdir()
        except OSError:
            pass

    def _dest(self, student: str) -> Path:
        return self.autograded / student / self.assignment_id

    def _start_folder(self, student: str):
        """The student's autograded folder afresh, holding what nbgrader's
        autograde puts there before the notebooks: every file of their
        submission but the notebooks and what the course ignores
        (``timestamp.txt`` and ``submission_secret.txt`` among them, which
        ``release_feedback`` needs), then the instructor's own files of the
        assignment over them.  Only regular files, never through a link
        (``autograde.discover`` refused any submission holding one)."""
        from rnnquiz.model.notebook import NotebookError, submission_files
        dest = self._dest(student)
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True, exist_ok=True)
        src = self.submitted / student / self.assignment_id
        try:
            files = [(src, f) for f in submission_files(src)]
        except NotebookError:
            files = []  # refused already (an error line of theirs); nothing of it is copied
        try:
            files += [(self.source, f) for f in submission_files(self.source)]
        except NotebookError:
            pass
        for folder, rel in files:
            if rel.endswith(".ipynb") or self._ignored(rel):
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            _copy_regular(folder / rel, target)

    def _ignored(self, rel: str) -> bool:
        parts = Path(rel).parts
        return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in self.ignore)

    def _write_student(self, student: str, outcomes: list):
        from nbgrader import utils
        src = self.submitted / student / self.assignment_id
        dest = self._dest(student)
        if student not in self.written or not dest.is_dir():  # as nbgrader does, an earlier run's goes
            self._start_folder(student)
            self.written.add(student)
        timestamp = read_timestamp(src / "timestamp.txt")
        submission = self._submission(student, timestamp)
        notebooks = {nb.notebook.name: nb for nb in submission.notebooks}
        for o in outcomes:
            if o.autograded is None or o.results is None or o.results.error or o.notebook not in notebooks:
                continue  # nothing to score: its grades stay empty (0 in export)
            (dest / f"{o.notebook}.ipynb").write_text(
                json.dumps(o.autograded, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            record = notebooks[o.notebook]
            grades = {self.cell_names.get(g.cell_id): g for g in record.grades}
            comments = {self.cell_names.get(c.cell_id): c for c in record.comments}
            scores = {content.test_grade_id(q.name): q.score for q in o.results.questions}
            for cell in o.autograded["cells"]:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                gid = meta.get("grade_id")
                if gid in grades and meta.get("grade"):
                    # nbgrader's SaveAutoGrades, without its commit per cell
                    grade = grades[gid]
                    grade.auto_score = scores.get(gid, 0.0)
                    grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
                if gid in comments:
                    unchanged = meta.get("checksum") == utils.compute_checksum(_node(cell))
                    comments[gid].auto_comment = "No response." if unchanged and not meta.get("task") else None

    def _submission(self, student_id: str, timestamp):
        """The student's submission of this assignment: the one already there
        (nbgrader's model; its time updated), or a new one with the rows
        ``add_submission`` makes, as plain values shaped like the models
        (``_commit`` inserts them)."""
        from nbgrader.api import new_uuid
        if student_id not in self.students:
            self.students.add(student_id)
            self.new["student"].append(Row(id=student_id, first_name=None, last_name=None, email=None,
                                           lms_user_id=None))
        if student_id in self.committed:
            self.committed.discard(student_id)
            self.submissions.update(self._submissions_of([student_id]))
        submission = self.submissions.get(student_id)
        if submission is not None:
            if timestamp is not None:  # an unreadable timestamp.txt leaves the one nbgrader knew
                submission.timestamp = timestamp
            return submission
        submission = Row(id=new_uuid(), assignment_id=self.assignment.id, student_id=student_id,
                         timestamp=timestamp, extension=None)
        self.new["submitted_assignment"].append(submission)
        notebooks = []
        for notebook, grade_cells, solution_cells, task_cells in self.notebooks:
            nb = Row(id=new_uuid(), assignment_id=submission.id, notebook_id=notebook.id, flagged=False,
                     late_submission_penalty=None)
            self.new["submitted_notebook"].append(nb)
            grades = [Row(id=new_uuid(), notebook_id=nb.id, cell_id=cell.id, auto_score=None, manual_score=None,
                          extra_credit=None, needs_manual_grade=True) for cell in [*grade_cells, *task_cells]]
            comments = [Row(id=new_uuid(), notebook_id=nb.id, cell_id=cell.id, auto_comment=None,
                            manual_comment=None) for cell in [*solution_cells, *task_cells]]
            self.new["grade"] += grades
            self.new["comment"] += comments
            notebooks.append(_Notebook(notebook, grades, comments))
        self.submissions[student_id] = _Submission(notebooks)
        return self.submissions[student_id]


class Row(types.SimpleNamespace):
    """One new row: its columns as attributes (set like a model's) until it is inserted."""


@dataclass
class _Notebook:
    """A new submitted notebook as the scores are set on it (like nbgrader's model)."""
    notebook: object
    grades: list
    comments: list


@dataclass
class _Submission:
    notebooks: list


def _copy_regular(src: Path, target: Path):
    """Copy one regular file, never through a link and never blocking on a pipe."""
    import stat
    fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return
        with open(target, "wb") as out:
            shutil.copyfileobj(f, out)


def read_timestamp(path: Path):
    """The submission time nbgrader wrote, or None: the student controls this
    file in the exchange, so a link, a huge file or garbage means "unknown"."""
    from nbgrader import utils
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 100:
            return None
        return utils.parse_utc(path.read_text(encoding="utf-8", errors="replace").strip())
    except Exception:
        return None


def _node(cell: dict):
    import nbformat
    return nbformat.from_dict(cell)
