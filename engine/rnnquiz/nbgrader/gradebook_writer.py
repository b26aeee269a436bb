"""Autograded notebooks and scores, written as nbgrader's own autograde leaves them.

The rows are those of nbgrader's models (``nbgrader.api``), made as its
``Gradebook.add_submission`` makes them: a submission mirrors the
assignment's notebooks, a grade for each graded cell, a comment for each
answer cell.  Its Gradebook methods look every row up again and commit after
each call (two writes of the database file per student, every row read back
afterwards); here a batch of students is one transaction, with the
assignment's structure read once per run and a batch's new submissions
inserted together, table by table.

Other writers may work on the same gradebook at the same time: other
``rnnquiz autograde`` runs (shards of a class on other machines, a regrade of
one student), nbgrader's own commands, formgrader.  So nothing a student's
rows depend on is kept between transactions: each batch's transaction first
takes its students' locks, then reads their rows afresh, writes their
autograded folders, then their rows.  The locks: in PostgreSQL one advisory
lock per (assignment, student), held until the transaction ends, which other
rnnquiz runs wait for, so one student's folder and rows are always those of
the same run; in SQLite the database's one write lock (and one run at a time,
``run_lock``).  Against writers that take no such lock (nbgrader's commands)
the database's unique constraints decide: a submission or student someone
else made in between fails the transaction, which is rolled back, its folders
put back as they were, and tried again on what is there now, a bounded number
of times; past that, the student gets an error line, never a wrong row.
"""
from __future__ import annotations

import errno
import fnmatch
import glob
import hashlib
import json
import os
import random
import shutil
import time
import types
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from rnnquiz.model import content, messages
from rnnquiz.model.files import open_unfollowed
from rnnquiz.model.messages import clip

TRIES = 5  # of one transaction that met another writer; then an error line per student
EXTRA_BYTES = 100_000_000  # of a student's extra files copied, per file and per submission, without a course's own


class GradebookWriter:
    """One gradebook session for a whole ``rnnquiz autograde`` run."""

    def __init__(self, course_root: Path, assignment_id: str, db_url: str, coursedir=None, listings=None):
        self.course_root, self.assignment_id, self.db_url = course_root, assignment_id, db_url
        # the course nbgrader's own commands name (nbgrader's Gradebook adds a course row for the id it is given)
        self.course_id = coursedir.course_id if coursedir else ""
        root = Path(coursedir.root) if coursedir else course_root
        self.submitted = root / (coursedir.submitted_directory if coursedir else "submitted")
        self.autograded = root / (coursedir.autograded_directory if coursedir else "autograded")
        self.source = root / (coursedir.source_directory if coursedir else "source") / assignment_id
        self.ignore = list(coursedir.ignore) if coursedir else [".ipynb_checkpoints", "*.pyc", "__pycache__",
                                                                "feedback"]
        self.written: set = set()  # students whose autograded folder this run has started afresh
        # nbgrader's own bounds (kilobytes) on what a copy takes of a submission's files
        self.file_bytes = 1000 * coursedir.max_file_size if coursedir else EXTRA_BYTES
        self.submission_bytes = 1000 * coursedir.max_dir_size if coursedir else EXTRA_BYTES
        self.listings = listings if listings is not None else {}  # student -> their files, as discover read them

    def __enter__(self):
        from nbgrader.api import Gradebook
        self.gb = Gradebook(self.db_url, self.course_id).__enter__()
        self.db = self.gb.db
        self.dialect = self.gb.engine.dialect.name
        self._read_assignment()
        self.db.commit()  # nothing held between batches
        return self

    def __exit__(self, *exc):
        self.gb.__exit__(*exc)
        return False

    def _read_assignment(self):
        """The assignment's structure, which each new submission mirrors, as
        plain values: ``generate_assignment`` makes it before grading starts,
        and a rollback cannot take it away."""
        assignment = self.gb.find_assignment(self.assignment_id)
        self.assignment_pk = assignment.id
        # (notebook id, name, cells that get a grade, cells that get a comment), as add_submission makes them
        self.notebooks = [(nb.id, nb.name, [c.id for c in [*nb.grade_cells, *nb.task_cells]],
                           [c.id for c in [*nb.solution_cells, *nb.task_cells]]) for nb in assignment.notebooks]
        self.notebook_names = {nb_id: name for nb_id, name, _g, _c in self.notebooks}
        # cell id -> grade id: reading grade.name would load each cell row
        self.cell_names = {cell.id: cell.name for nb in assignment.notebooks
                           for cell in [*nb.grade_cells, *nb.solution_cells, *nb.task_cells]}

    def _submissions_of(self, students: list) -> dict:
        """student -> nbgrader's model of their submission of this assignment,
        with its notebooks, grades and comments, as the database has it now."""
        from nbgrader.api import SubmittedAssignment, SubmittedNotebook
        from sqlalchemy.orm import selectinload
        query = (self.db.query(SubmittedAssignment)
                 .filter(SubmittedAssignment.assignment_id == self.assignment_pk,
                         SubmittedAssignment.student_id.in_(list(students)))
                 .options(selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.grades),
                          selectinload(SubmittedAssignment.notebooks).selectinload(SubmittedNotebook.comments))
                 .populate_existing())  # never what an earlier transaction of this session saw
        return {s.student_id: s for s in query}

    def write(self, outcomes: list):
        """One transaction for the batch; when it fails, each student again in a
        transaction of their own, so only a student whose rows cannot be
        written is left out (with an error line, and their autograded folder
        as it was)."""
        from sqlalchemy.exc import SAWarning
        by_student: dict = {}
        for o in outcomes:
            by_student.setdefault(o.student, []).append(o)
        groups = sorted(by_student.items())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's models are noisy
            try:
                self._commit_retrying(groups)
                return
            except Exception:
                pass
            for student, group in groups:
                try:
                    self._commit_retrying([(student, group)])
                except Exception as exc:  # this student's rows (or the gradebook itself): an error line each
                    self._left_out(student, group, exc)

    def _commit_retrying(self, groups: list):
        """``_commit``, again on what the database holds now when another writer
        got in the way, up to TRIES times."""
        for attempt in range(1, TRIES + 1):
            try:
                self._commit(groups)
                return
            except Exception as exc:
                if not conflict(exc):
                    raise
                if attempt == TRIES:
                    raise Conflict(f"another writer kept changing the same rows; {TRIES} tries "
                                   f"({type(exc).__name__}: {clip(exc)})") from exc
                time.sleep(min(1.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))

    def _commit(self, groups: list):
        students = [student for student, _group in groups]
        undo: dict = {}
        try:
            self._lock(students)
            self.submissions = self._submissions_of(students)
            self.new = {"student": [], "submitted_assignment": [], "submitted_notebook": [], "grade": [],
                        "comment": []}
            for student, group in groups:
                self._write_student(student, group, undo)
            self._insert_new()
            self.db.commit()
        except BaseException:
            for student, step in undo.items():  # still under the locks: nobody else has the folders yet
                self._put_back(student, step)
            self._rollback()
            raise
        for step in undo.values():
            if step.aside is not None:
                shutil.rmtree(step.aside, ignore_errors=True)

    def _lock(self, students: list):
        """This transaction's claim on its students, taken before anything of
        theirs is read (see the module's docstring)."""
        from sqlalchemy import text
        if self.dialect == "postgresql":
            # one at a time, in one order for every run: two runs' batches cannot wait for each other in a circle
            for key in sorted({lock_key(self.assignment_id, s) for s in students}):
                self.db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        elif self.dialect == "sqlite":
            # a write that changes nothing takes the database's write lock now (waiting
            # as SQLite's busy timeout allows), so what is read next stays true until commit
            self.db.execute(text("UPDATE assignment SET id = id WHERE 0"))

    def _insert_new(self):
        """The new rows, table by table, in the order their keys need.  A
        student row someone else made meanwhile is theirs and ours alike (nbgrader
        makes it with no other column); a submission someone else made
        meanwhile fails the unique constraint, and the transaction is tried again."""
        from nbgrader.api import Base, Student
        table = Base.metadata.tables["student"]
        students = sorted(self.new["student"])
        rows = [{"id": s, "first_name": None, "last_name": None, "email": None, "lms_user_id": None}
                for s in students]
        if rows and self.dialect in ("postgresql", "sqlite"):
            from importlib import import_module
            insert = import_module(f"sqlalchemy.dialects.{self.dialect}").insert
            self.db.execute(insert(table).on_conflict_do_nothing(index_elements=["id"]), rows)
        elif rows:  # no portable "if absent": the rows absent now; the unique key decides the rest
            there = {sid for (sid,) in self.db.query(Student.id).filter(Student.id.in_(students))}
            absent = [row for row in rows if row["id"] not in there]
            if absent:
                self.db.execute(table.insert(), absent)
        for name, new in self.new.items():
            if new and name != "student":
                self.db.execute(Base.metadata.tables[name].insert(), [vars(row) for row in new])

    def _rollback(self):
        try:
            self.db.rollback()
        except Exception:  # a connection that broke: the next transaction gets a new one
            pass

    def _left_out(self, student: str, outcomes: list, exc: Exception):
        """A student whose rows could not be written: an error line for each of
        their notebooks (their autograded folder was put back as it was)."""
        for o in outcomes:
            o.autograded = None
            o.error = o.error or f"{student}: could not be written to the gradebook ({type(exc).__name__}: " \
                                 f"{clip(exc)})"

    def _dest(self, student: str) -> Path:
        return self.autograded / student / self.assignment_id

    def _set_aside(self, student: str) -> Path | None:
        """The student's autograded folder moved out of the way (kept until the
        transaction commits), and any such folder a run that was killed left."""
        dest = self._dest(student)
        prefix = f".{self.assignment_id}.rnnquiz-old-"
        if dest.parent.is_dir():  # we hold the student's lock: every other one is stale
            for stale in dest.parent.glob(f"{glob.escape(prefix)}*"):
                shutil.rmtree(stale, ignore_errors=True)
        if not dest.exists():
            return None
        aside = dest.parent / f"{prefix}{uuid.uuid4().hex}"
        os.rename(dest, aside)
        return aside

    def _put_back(self, student: str, step: _Undo):
        """The student's autograded folder as it was before a transaction that failed."""
        dest = self._dest(student)
        try:
            if not step.fresh:
                for path in step.added:
                    path.unlink(missing_ok=True)
                return
            self.written.discard(student)
            shutil.rmtree(dest, ignore_errors=True)
            if step.aside is not None:
                os.rename(step.aside, dest)
            else:
                _remove_if_empty(dest.parent)
        except OSError:
            pass

    def _drop_if_no_notebook(self, student: str):
        """No autograded folder without a graded notebook in it (as nbgrader
        removes the folder of a submission it could not grade)."""
        dest = self._dest(student)
        try:
            if dest.is_dir() and not any(dest.glob("*.ipynb")):
                shutil.rmtree(dest)
                _remove_if_empty(dest.parent)
        except OSError:
            pass

    def _start_folder(self, student: str) -> list:
        """The student's autograded folder afresh, holding what nbgrader's
        autograde puts there before the notebooks: every file of their
        submission but the notebooks and what the course ignores
        (``timestamp.txt`` and ``submission_secret.txt`` among them, which
        ``release_feedback`` needs), then the instructor's own files of the
        assignment over them.  Only regular files, never through a link
        (``autograde.discover`` refused any submission holding one).  The
        student's files are bounded per file and all together (nbgrader's
        ``max_file_size`` and ``max_dir_size``): those past the bound are not
        copied, and are returned (relative paths)."""
        from rnnquiz.model.notebook import NotebookError, submission_files
        dest = self._dest(student)
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True, exist_ok=True)
        src = self.submitted / student / self.assignment_id
        try:
            listed = self.listings[student] if student in self.listings else submission_files(src)
            files = [(src, f) for f in listed or []]
        except NotebookError:
            files = []  # refused already (an error line of theirs); nothing of it is copied
        try:
            files += [(self.source, f) for f in submission_files(self.source)]
        except NotebookError:
            pass
        left, refused = self.submission_bytes, []
        for folder, rel in files:
            if rel.endswith(".ipynb") or self._ignored(rel):
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            if folder != src:  # the instructor's own
                _copy_regular(folder / rel, target)
                continue
            try:
                left -= _copy_regular(folder / rel, target, min(self.file_bytes, left))
            except TooLarge:
                target.unlink(missing_ok=True)
                refused.append(rel)
        return refused

    def _ignored(self, rel: str) -> bool:
        parts = Path(rel).parts
        return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in self.ignore)

    def _write_student(self, student: str, outcomes: list, undo: dict):
        from nbgrader import utils
        src = self.submitted / student / self.assignment_id
        submitted = {name for _id, name, _g, _c in self.notebooks
                     if (src / f"{name}.ipynb").exists() or (src / f"{name}.ipynb").is_symlink()}
        if not submitted:
            return  # nbgrader's autograde finds nothing of theirs to grade either: no rows, no folder
        self.new["student"].append(student)
        dest = self._dest(student)
        if student not in self.written or not dest.is_dir():  # as nbgrader does, an earlier run's goes
            undo[student] = _Undo(fresh=True, aside=self._set_aside(student))
            refused = self._start_folder(student)
            self.written.add(student)
            if refused:  # the student's line says so (a flag: it is the instructor's to look at)
                for o in outcomes[:1]:
                    if o.results is not None:
                        o.results.flags.append(messages.text("flag_extra_files", o.results.lang, count=len(refused),
                                                    names=", ".join(refused[:5]),
                                                    file=self.file_bytes / 1e6, total=self.submission_bytes / 1e6))
        else:  # this run's folder of them, from an earlier batch (another notebook)
            undo.setdefault(student, _Undo(fresh=False))
        timestamp = read_timestamp(src / "timestamp.txt")
        notebooks = self._submission(student, timestamp)
        for name, record in notebooks.items():
            if name not in submitted:  # as nbgrader's autograde scores a notebook that was not submitted
                for grade in record.grades:
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
        for o in outcomes:
            if o.notebook not in notebooks or o.autograded is None or o.results is None or o.results.error:
                continue  # nothing to score: its grades stay empty (0 in export)
            path = dest / f"{o.notebook}.ipynb"
            path.write_text(json.dumps(o.autograded, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            undo[student].added.append(path)
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
        self._drop_if_no_notebook(student)

    def _submission(self, student_id: str, timestamp) -> dict:
        """The student's submitted notebooks of this assignment, by name: the
        ones already there (nbgrader's models; the submission's time updated),
        or new ones with the rows ``add_submission`` makes, as plain values
        shaped like the models (``_insert_new`` inserts them)."""
        from nbgrader.api import new_uuid
        submission = self.submissions.get(student_id)
        if submission is not None:
            if timestamp is not None:  # an unreadable timestamp.txt leaves the one nbgrader knew
                submission.timestamp = timestamp
            return {self.notebook_names.get(nb.notebook_id): nb for nb in submission.notebooks}
        submission = Row(id=new_uuid(), assignment_id=self.assignment_pk, student_id=student_id,
                         timestamp=timestamp, extension=None)
        self.new["submitted_assignment"].append(submission)
        notebooks = {}
        for notebook_id, name, graded_cells, commented_cells in self.notebooks:
            nb = Row(id=new_uuid(), assignment_id=submission.id, notebook_id=notebook_id, flagged=False,
                     late_submission_penalty=None)
            self.new["submitted_notebook"].append(nb)
            grades = [Row(id=new_uuid(), notebook_id=nb.id, cell_id=cell, auto_score=None, manual_score=None,
                          extra_credit=None, needs_manual_grade=True) for cell in graded_cells]
            comments = [Row(id=new_uuid(), notebook_id=nb.id, cell_id=cell, auto_comment=None,
                            manual_comment=None) for cell in commented_cells]
            self.new["grade"] += grades
            self.new["comment"] += comments
            notebooks[name] = _Notebook(grades, comments)
        self.submissions[student_id] = submission
        return notebooks


class Conflict(Exception):
    """Other writers kept getting in the way of one transaction."""


def conflict(exc: BaseException) -> bool:
    """A failure that another writer or the database's own locking explains,
    after which the same transaction may well succeed: a unique key someone
    else filled meanwhile, a row someone removed, a SQLite database locked
    beyond its busy timeout, a PostgreSQL deadlock or serialization failure,
    a dropped connection."""
    from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
    from sqlalchemy.orm.exc import StaleDataError
    if isinstance(exc, (IntegrityError, OperationalError, StaleDataError)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def lock_key(assignment_id: str, student: str) -> int:
    """The PostgreSQL advisory lock of one student's submission of one
    assignment: the same 64-bit number in every run, on every machine."""
    digest = hashlib.sha256(f"rnnquiz autograde\0{assignment_id}\0{student}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _remove_if_empty(folder: Path):
    try:
        folder.rmdir()
    except OSError:  # not empty (another assignment of theirs), or gone
        pass


@dataclass
class _Undo:
    """How to put one student's autograded folder back if the transaction fails."""
    fresh: bool  # started afresh by this transaction (else: notebooks added to this run's folder)
    aside: Path | None = None  # the folder that was there, moved out of the way
    added: list = field(default_factory=list)


class Row(types.SimpleNamespace):
    """One new row: its columns as attributes (set like a model's) until it is inserted."""


@dataclass
class _Notebook:
    """A new submitted notebook as the scores are set on it (like nbgrader's model)."""
    grades: list
    comments: list


class TooLarge(Exception):
    """A file past what may be copied of it."""


CHUNK = 1 << 20


def _copy_regular(src: Path, target: Path, limit: int | None = None) -> int:
    """Copy one regular file, never through a link and never blocking on a pipe,
    its holes kept as holes (a sparse file of gigabytes takes no room in
    ``submitted/`` and must take none here); returns its size.  Past ``limit``
    bytes, by its size or by what is read (it may grow meanwhile): TooLarge."""
    import stat
    fd = open_unfollowed(src)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return 0
        if limit is not None and st.st_size > limit:
            raise TooLarge
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        try:
            end = _copy_data(fd, out, limit)
            size = max(end, os.fstat(fd).st_size)
            if limit is not None and size > limit:
                raise TooLarge
            os.ftruncate(out, size)  # a hole at the end
        finally:
            os.close(out)
        return size
    finally:
        os.close(fd)


def _copy_data(fd: int, out: int, limit: int | None) -> int:
    """The data regions of ``fd`` written at the same offsets of ``out``; returns where the last ended."""
    pos, end = 0, 0
    while True:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
            stop = os.lseek(fd, start, os.SEEK_HOLE)
        except OSError as exc:
            if exc.errno == errno.ENXIO:  # no data past ``pos``
                return end
            if exc.errno != errno.EINVAL or pos:  # EINVAL: a file system without holes: all of it is data
                raise
            start, stop = 0, None
        os.lseek(fd, start, os.SEEK_SET)
        os.lseek(out, start, os.SEEK_SET)
        at = start
        while stop is None or at < stop:
            chunk = os.read(fd, CHUNK if stop is None else min(CHUNK, stop - at))
            if not chunk:
                return at
            at += len(chunk)
            if limit is not None and at > limit:
                raise TooLarge
            view = memoryview(chunk)
            while view:
                view = view[os.write(out, view):]
        pos = end = at


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
