"""nbgrader preprocessors: sanitizing steps and grading in an isolated worker.

The course's ``nbgrader_config.py`` applies ``rnnquiz.pipelines``: where stock
nbgrader has ``Execute``, ``GradeIsolated`` grades our notebooks with
rnnquiz's worker and hidden graders, then writes each graded test cell's
outcome the way nbgrader scores it (``outcomes.py``).

Any other notebook of the course (another assignment) goes to nbgrader's own
``Execute``, exactly as stock nbgrader grades it.  nbgrader's
``SaveAutoGrades``, ``generate_feedback``, ``export`` and formgrader then work
unchanged.  The inputs are seeded by nbgrader's student id.
"""
from __future__ import annotations

import atexit
from pathlib import Path

from nbformat import from_dict
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool, Float, Integer, List

from nbgrader import preprocessors as stock
from rnnquiz.errors import InternalError, UserError
from rnnquiz.isolation import limits as limit
from rnnquiz.isolation.launcher import unconfined_refusal
from rnnquiz.isolation.limits import Limits
from rnnquiz.isolation.pool import Pool
from rnnquiz.model import content, notebook
from rnnquiz.model.clean import clean_notebook
from rnnquiz.model.messages import CODE_STUB
from rnnquiz.model.printable import printable
from rnnquiz.nbgrader.course import Course
from rnnquiz.nbgrader.open_gradebook import _gradebook
from rnnquiz.nbgrader.scoring import Entry, grade_as_nbgrader

SCHEMA_VERSION = MetadataValidator.schema_version  # the cell metadata this nbgrader reads


class _WarmPool:
    """One warm worker pool per nbgrader process (torch imported once), closed at exit."""

    def __init__(self):
        self.pool: Pool | None = None

    def get(self, limits: Limits) -> Pool:
        if self.pool is None:
            self.pool = Pool(limits, many=True).launch()  # nbgrader autograde: a class
            atexit.register(self.pool.close)
        return self.pool


def course_of(preprocessor) -> Course:
    """The course of nbgrader's run, read once per run (one configuration object)."""
    global _course
    if _course is None or _course[0] is not preprocessor.config:
        _course = (preprocessor.config, Course.open(Path.cwd(), config=preprocessor.config))
    return _course[1]


_course: tuple | None = None  # (nbgrader's configuration, its Course)


def assignment_of(preprocessor, resources):
    """Which of our assignments the notebook in ``resources`` is, asked of the
    course once per notebook and kept in the resources, where ``rnnquiz
    autograde`` puts it itself; None for any other notebook."""
    if "rnnquiz_assignment" not in resources:
        info = resources.get("nbgrader", {})
        name = str(resources.get("metadata", {}).get("name") or info.get("notebook") or "")
        resources["rnnquiz_assignment"] = course_of(preprocessor).assignment_of(str(info.get("assignment") or ""),
                                                                                name)
    return resources["rnnquiz_assignment"]


def source_of(preprocessor, resources) -> Path:
    """The instructor's source notebook of the notebook in ``resources``."""
    info = resources.get("nbgrader", {})
    name = str(resources.get("metadata", {}).get("name") or info.get("notebook") or "")
    return course_of(preprocessor).source_notebook(str(info.get("assignment") or ""), name)


class GradeIsolated(Execute):
    """Grades rnnquiz's notebooks in the isolated worker; ``Execute`` grades the rest."""

    # the limits an instructor sets, declared once (isolation/limits.py)
    call_timeout = Float(limit.default("call_timeout"), help=limit.OPTIONS["call_timeout"]).tag(config=True)
    submission_timeout = Float(limit.default("submission_timeout"),
                               help=limit.OPTIONS["submission_timeout"]).tag(config=True)
    memory_budget = Integer(limit.default("memory_budget"), help=limit.OPTIONS["memory_budget"]).tag(config=True)
    allow_unconfined = Bool(False, help="Grade even where student code would see the container's whole file "
                            "system (new namespaces refused and no Landlock): only for trusted submissions."
                            ).tag(config=True)
    _pools = _WarmPool()

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        student = str(info.get("student") or "student")
        name = str(resources.get("metadata", {}).get("name") or info.get("notebook") or "")
        assignment = assignment_of(self, resources)  # the course decides, never the student's file
        if assignment is None:
            return super().preprocess(nb, resources)  # not ours: stock nbgrader
        limits = Limits(call_timeout=self.call_timeout, submission_timeout=self.submission_timeout,
                        memory_budget=self.memory_budget)
        pool = self._pools.get(limits)
        pool.wait_ready()  # which launcher runs is known once its worker has started
        if pool.leaves_course_in_sight and not self.allow_unconfined:
            raise UnconfinedRefused(unconfined_refusal("--GradeIsolated.allow_unconfined=True"))
        folder = resources.get("metadata", {}).get("path")
        entry = Entry(nb, f"{name}.ipynb", assignment, student, source_of(self, resources),
                      Path(folder) if folder else None)
        [result] = grade_as_nbgrader([entry], pool, limits)
        if result.error:
            self.log.warning("rnnquiz: %s %s not graded: %s", printable(student), printable(name),
                           printable(result.error))
        else:
            self.log.info("rnnquiz: %s %s scored %g / %g", printable(student), printable(name), result.score,
                          result.max_score)
        for flag in result.flags:
            self.log.warning("rnnquiz: FLAG %s %s: %s", printable(student), printable(name), printable(flag))
        return nb, resources


class ClearSolutions(stock.ClearSolutions):
    """nbgrader's ``ClearSolutions``; our notebooks get the stub of their own
    language (the course's ``code_stub`` stays for every other notebook)."""

    def preprocess(self, nb, resources):
        assignment = assignment_of(self, resources)
        if assignment is None or assignment.lang not in CODE_STUB:
            return super().preprocess(nb, resources)
        course_stub = self.code_stub
        self.code_stub = dict(course_stub, python=CODE_STUB[assignment.lang])
        try:
            return super().preprocess(nb, resources)
        finally:
            self.code_stub = course_stub


class ClearHiddenTests(stock.ClearHiddenTests):
    """nbgrader's ``ClearHiddenTests`` in the feedback of our notebooks (any
    other notebook's feedback stays as the course makes it).

    In ``generate_feedback`` the HTML exporter configures
    ``display_data_priority`` for every preprocessor; nbgrader's base class
    declares it without ``config=True``, so traitlets warned on every run.
    Declaring it configurable (as nbgrader's own ``GetGrades`` does) is the
    fix, not a filter on the log."""

    display_data_priority = List(NbGraderPreprocessor.display_data_priority.default_value).tag(config=True)

    def preprocess(self, nb, resources):
        if assignment_of(self, resources) is None:
            return nb, resources
        return super().preprocess(nb, resources)


class UnconfinedRefused(InternalError):
    """Grading would let student code see the course: refused (see ``allow_unconfined``)."""


class SubmissionRejected(UserError):
    """A submission that is not graded; the message says which file and what to do."""


class DropUntrusted(NbGraderPreprocessor):
    """Sanitizing step: only what grading needs survives from a student's file.

    Notebook metadata, cell metadata other than nbgrader's known scalar keys,
    outputs and attachments are dropped (a student controls them all: a few MB
    of nested metadata became hundreds of MB once written back indented).
    Sources that are not text become empty; lone surrogates are replaced.  A
    submitted file that is a symbolic link or larger than ``max_bytes`` is
    rejected: that student's error, nobody else's.
    """

    max_bytes = Integer(notebook.MAX_BYTES, help="Largest submitted notebook, in bytes.").tag(config=True)

    def preprocess(self, nb, resources):
        if assignment_of(self, resources) is None:
            return nb, resources  # another assignment: as stock nbgrader leaves it
        if resources.get("rnnquiz_cleaned"):
            return nb, resources  # rnnquiz autograde cleaned it as it read the file
        meta = resources.get("metadata") or {}
        path = Path(meta.get("path") or ".") / f"{meta.get('name') or 'notebook'}.ipynb"
        try:
            if meta.get("path") and meta.get("name"):
                notebook.refuse_unsafe_file(path, self.max_bytes)
            source = source_of(self, resources)
            return from_dict(clean_notebook(nb, path, assignment_of(self, resources).lang, source)), resources
        except notebook.NotebookError as exc:
            raise SubmissionRejected(str(exc)) from None


class RepairCells(NbGraderPreprocessor):
    """Sanitizing step: tampered cell structure is repaired, then graded.

    Our grade does not depend on the test cells (the hidden graders live
    outside the notebook), so a student who deletes or edits test cells or
    alters cell metadata gains nothing and should still get a grade:

    - a cell whose nbgrader id is unknown or repeated becomes a plain cell;
    - a known cell gets back the kind the assignment gave it (grade, solution,
      task, locked, points: flipping a flag would otherwise change the cell's
      checksum and send the notebook to manual grading), and a locked cell its
      source (nbgrader would warn for each test cell, whose hidden part the
      student's copy never had);
    - a graded test cell that is missing is put back from the gradebook
      (OverwriteCells then restores the source and points of all of them).
    """

    def preprocess(self, nb, resources):
        from nbformat.v4 import new_code_cell
        from nbgrader.api import MissingEntry

        info = resources.get("nbgrader", {})
        if assignment_of(self, resources) is None:
            return nb, resources  # another assignment: as stock nbgrader leaves it
        try:
            with _gradebook(self, info) as gb:
                record = gb.find_notebook(resources["unique_key"], info["assignment"])
                sources = {c.name: c.source for c in record.source_cells}
                locked = {c.name: bool(c.locked) for c in record.source_cells}
                points = {c.name: c.max_score for c in record.grade_cells}
                solutions = {c.name for c in record.solution_cells}
                tasks = {c.name for c in record.task_cells}
                tests = [(c.name, c.max_score) for c in record.grade_cells
                         if c.name.startswith(content.TEST_CELL_PREFIX)]
        except (KeyError, MissingEntry):
            return nb, resources  # an unknown notebook: nbgrader skips it itself
        present = set()
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            gid = meta.get("grade_id") if isinstance(meta, dict) else None
            if gid not in sources or gid in present:
                self.log.warning("rnnquiz: cell %r is not one of the assignment's; graded as a plain cell", gid)
                del cell.metadata["nbgrader"]
            else:
                present.add(gid)
                # the schema version too: nbgrader stops the whole run (every later
                # student) at a cell whose version is not its own
                meta.update(grade=gid in points, solution=gid in solutions, task=gid in tasks, locked=locked[gid],
                            schema_version=SCHEMA_VERSION)
                if locked[gid]:
                    # the instructor's own cell, hidden tests and all (the student's copy has none of
                    # them): put back here, OverwriteCells has nothing to report for every test cell
                    cell.source = sources[gid]
                if gid in points:
                    meta["points"] = points[gid]
                else:
                    meta.pop("points", None)
        for gid, max_score in tests:
            if gid not in present:
                self.log.warning("rnnquiz: test cell %r was missing; restored", gid)
                nb.cells.append(new_code_cell(sources[gid], metadata={"nbgrader": {
                    "grade": True, "grade_id": gid, "locked": True, "points": max_score,
                    "schema_version": SCHEMA_VERSION, "solution": False, "task": False}}))
        return nb, resources


