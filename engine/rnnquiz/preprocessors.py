"""nbgrader preprocessors: sanitizing steps and grading in an isolated worker.

The course's ``nbgrader_config.py`` applies ``rnnquiz.pipelines``: where stock
nbgrader has ``Execute``, ``GradeIsolated`` grades our notebooks with
rnnquiz's worker and hidden graders, then writes each graded test cell's
outcome the way nbgrader scores it:

- full marks: a stream output saying so;
- partial credit: the feedback, then an ``execute_result`` holding the score;
- zero: an error output whose traceback is our feedback message (never the
  hidden test source, a reference value or grader code).

Any other notebook of the course (another assignment) goes to nbgrader's own
``Execute``, exactly as stock nbgrader grades it.  nbgrader's
``SaveAutoGrades``, ``generate_feedback``, ``export`` and formgrader then work
unchanged.  The inputs are seeded by nbgrader's student id.
"""
from __future__ import annotations

import atexit
import functools
import json
import traceback
from pathlib import Path

import jsonschema
from nbformat import from_dict
from nbgrader import preprocessors as stock
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import (
    CheckCellMetadata,
    Execute,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
)
from traitlets import Float, Integer, List

from . import content, notebook, untrusted_html
from .flags import flags
from .grade import grade_submissions
from .messages import CODE_STUB, text
from .pool import Pool
from .results import Results
from .sandbox import Limits


class _WarmPool:
    """One warm worker pool per nbgrader process (torch imported once), closed at exit."""

    def __init__(self):
        self.pool: Pool | None = None

    def get(self, limits: Limits) -> Pool:
        if self.pool is None:
            self.pool = Pool(limits, many=True).launch()  # nbgrader autograde: a class
            atexit.register(self.pool.close)
        return self.pool


def assignment_of(preprocessor, resources):
    """Which of our assignments the notebook in ``resources`` is, asked of the
    course (nbgrader's ``CourseDirectory.root``) once per notebook and kept in
    the resources, where ``rnnquiz autograde`` puts it itself; None for any
    other notebook."""
    if "rnnquiz_assignment" not in resources:
        info = resources.get("nbgrader", {})
        course = Path(CourseDirectory(config=preprocessor.config).root)
        name = str(resources.get("metadata", {}).get("name") or info.get("notebook") or "")
        resources["rnnquiz_assignment"] = content.course_assignment_of(
            course, str(info.get("assignment") or ""), name, content.course_catalog(course))
    return resources["rnnquiz_assignment"]


class GradeIsolated(Execute):
    """Grades rnnquiz's notebooks in the isolated worker; ``Execute`` grades the rest."""

    call_timeout = Float(10.0, help="Seconds one call into student code may take.").tag(config=True)
    submission_timeout = Float(120.0, help="Seconds a whole submission may take.").tag(config=True)
    memory_budget = Integer(Limits.memory_budget, help="Bytes all of one submission's processes "
                            "may use together.").tag(config=True)
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
        try:
            sub = notebook.from_dict(nb, f"{name}.ipynb", assignment)
        except notebook.NotebookError as exc:
            result = Results(assignment.id, assignment.lang, student, f"{name}.ipynb", error=str(exc))
        else:
            [result] = grade_submissions([(sub, student)], limits=limits, pool=self._pools.get(limits))
        self.log.info("rnnquiz: %s %s scored %g / %g", student, name, result.score, result.max_score)
        course = Path(CourseDirectory(config=self.config).root)
        source = course / "source" / str(info.get("assignment") or "") / f"{name}.ipynb"
        for flag in flags(nb, source, assignment.lang):
            self.log.warning("rnnquiz: FLAG %s %s: %s", student, name, flag)
        write_outcomes(nb, result)
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


def write_outcomes(nb, result: Results):
    """Each graded test cell gets the outputs nbgrader turns into its score."""
    by_grade_id = {content.TEST_CELL_PREFIX + q.name: q for q in result.questions}
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
    return from_dict({"output_type": "stream", "name": "stdout", "text": text})


def _result(plain: str):
    return from_dict({"output_type": "execute_result", "metadata": {}, "data": {"text/plain": plain},
                      "execution_count": 1})


def _failure(message: str):
    first = message.splitlines()[0] if message else ""
    return from_dict({"output_type": "error", "ename": "RnnquizFailure", "evalue": first,
                      "traceback": message.splitlines()})


NBGRADER_KEYS = {"grade": bool, "solution": bool, "locked": bool, "task": bool, "grade_id": str,
                 "points": (int, float), "schema_version": int, "checksum": str, "cell_type": str}


class SubmissionRejected(Exception):
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
                notebook.check_file(path, self.max_bytes)
            info = resources.get("nbgrader", {})
            course = Path(CourseDirectory(config=self.config).root)
            source = course / "source" / str(info.get("assignment") or "") / f"{info.get('notebook') or ''}.ipynb"
            return from_dict(clean_notebook(nb, path, assignment_of(self, resources).lang, source)), resources
        except notebook.NotebookError as exc:
            raise SubmissionRejected(str(exc)) from None


def clean_notebook(nb, path="notebook", lang: str | None = None, source: Path | None = None) -> dict:
    """The notebook reduced to cells with text sources and known nbgrader
    metadata; HTML in markdown and raw cells made harmless, with a note in
    ``lang``; more than ``notebook.MAX_CELLS`` cells is refused (what we write
    back, and nbgrader's feedback page, grow with every cell).  A markdown
    cell that is exactly one of the instructor's (``source``: the course's
    source notebook) gets its figures back from there; attachments of any
    other cell are gone, and so are its links to them (nbconvert would fail
    on them)."""
    figures = instructor_markdown(source) if source else {}
    kernelspec = nb.get("metadata", {}).get("kernelspec") if isinstance(nb.get("metadata"), dict) else None
    cells, budget = [], untrusted_html.Budget()
    given = nb.get("cells", []) if isinstance(nb.get("cells"), list) else []
    if len(given) > notebook.MAX_CELLS:
        raise notebook.NotebookError(path, f"has {len(given)} cells, more than the {notebook.MAX_CELLS} rnnquiz "
                                           "grades; submit the notebook you were given, with your answers in "
                                           "its cells.")
    for cell in given:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        out = {"cell_type": cell["cell_type"], "metadata": {}, "source": notebook.cell_source(cell)}
        if out["source"] in figures:
            if figures[out["source"]]:  # the instructor's own cell: as the course has it
                out["attachments"] = figures[out["source"]]
        elif cell["cell_type"] != "code":
            text = untrusted_html.DANGLING_IMAGE.sub(r"[\1]", out["source"])
            out["source"] = untrusted_html.clean_source(text, cell["cell_type"], lang, budget)[0]
        nbg = notebook.nbgrader_meta(cell)
        kept = {k: v for k, v in nbg.items() if k in NBGRADER_KEYS and isinstance(v, NBGRADER_KEYS[k])
                and not (type(v) is str and len(v) > 200)}
        if kept:
            out["metadata"]["nbgrader"] = kept
        if type(cell.get("id")) is str and len(cell["id"]) <= 64:
            out["id"] = cell["id"]
        if cell["cell_type"] == "code":
            out["outputs"], out["execution_count"] = [], None
        cells.append(out)
    metadata = {}
    if isinstance(kernelspec, dict) and all(type(v) is str and len(v) < 200 for v in kernelspec.values()):
        metadata["kernelspec"] = dict(kernelspec)
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


@functools.lru_cache(maxsize=32)
def instructor_markdown(source: Path) -> dict:
    """{source text: attachments} of the markdown cells of an instructor's notebook."""
    try:
        nb = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {notebook.cell_source(c): c.get("attachments") or {} for c in nb.get("cells", [])
            if isinstance(c, dict) and c.get("cell_type") == "markdown"}


class RepairCells(NbGraderPreprocessor):
    """Sanitizing step: tampered cell structure is repaired, then graded.

    Our grade does not depend on the test cells (the hidden graders live
    outside the notebook), so a student who deletes or edits test cells or
    alters cell metadata gains nothing and should still get a grade:

    - a cell whose nbgrader id is unknown or repeated becomes a plain cell;
    - a known cell gets back the kind the assignment gave it (grade, solution,
      task, locked, points: flipping a flag would otherwise change the cell's
      checksum and send the notebook to manual grading);
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
                meta.update(grade=gid in points, solution=gid in solutions, task=gid in tasks, locked=locked[gid])
                if gid in points:
                    meta["points"] = points[gid]
                else:
                    meta.pop("points", None)
        for gid, max_score in tests:
            if gid not in present:
                self.log.warning("rnnquiz: test cell %r was missing; restored", gid)
                nb.cells.append(new_code_cell(sources[gid], metadata={"nbgrader": {
                    "grade": True, "grade_id": gid, "locked": True, "points": max_score,
                    "schema_version": 3, "solution": False, "task": False}}))
        return nb, resources


# --- the same steps on one open gradebook (rnnquiz autograde) ----------------------
#
# nbgrader's steps open the gradebook once per notebook and step, and opening
# one runs `alembic heads` in a subprocess.  A grading process only reads it:
# these variants take one open, read-only gradebook instead.  One more does
# nbgrader's metadata check with its schema compiled once.

class ReadOnlyGradebook:
    """An open gradebook whose ``find_*`` answers are kept: the same source cells
    are looked up for every submission, and nothing writes in a grading process."""

    def __init__(self, gradebook):
        self.gradebook = gradebook
        self.found: dict = {}

    def __getattr__(self, name):
        attr = getattr(self.gradebook, name)
        if not name.startswith("find_"):
            return attr

        def cached(*args):
            if (name, args) not in self.found:
                try:
                    self.found[name, args] = (True, attr(*args))
                except Exception as exc:
                    self.found[name, args] = (False, exc)
            ok, value = self.found[name, args]
            if not ok:
                raise value
            return value
        return cached

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _gradebook(step, info):
    """The open gradebook a step was given, else nbgrader's own."""
    return getattr(step, "gradebook_in_use", None) or Gradebook(info["db_url"])


class _GivenGradebook:
    """A step constructed with the open gradebook it reads."""

    def __init__(self, gradebook, **kwargs):
        super().__init__(**kwargs)
        self.gradebook_in_use = gradebook


class OverwriteCellsFrom(_GivenGradebook, OverwriteCells):
    """nbgrader's ``OverwriteCells`` reading an open gradebook."""

    def preprocess(self, nb, resources):
        # nbgrader's preprocess, with the given gradebook instead of a new one
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = self.gradebook_in_use
        nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        return nb, resources


class OverwriteKernelspecFrom(_GivenGradebook, OverwriteKernelspec):
    """nbgrader's ``OverwriteKernelspec`` reading an open gradebook."""

    def preprocess(self, nb, resources):
        import json
        info = resources["nbgrader"]
        kernelspec = self.gradebook_in_use.find_notebook(info["notebook"], info["assignment"]).kernelspec
        if kernelspec:
            nb.metadata["kernelspec"] = json.loads(kernelspec)
        return nb, resources


WITH_OPEN_GRADEBOOK = {OverwriteCells: OverwriteCellsFrom, OverwriteKernelspec: OverwriteKernelspecFrom}


class _CompiledSchema(BaseMetadataValidator):
    """nbgrader's schema check of one cell with the schema compiled once per
    process: ``jsonschema.validate``, which nbgrader calls for every cell, first
    checks the schema itself against its metaschema (three quarters of the time
    sanitizing a notebook took, ~25 ms).  A class's notebooks carry the same
    few metadata dicts, so each one that passed is remembered (by its JSON,
    which tells ``1``, ``1.0`` and ``true`` apart as the schema does)."""
    compiled: dict = {}
    valid: set = set()
    MAX_REMEMBERED = 4096  # a student's own metadata cannot grow it without bound

    def validate_cell(self, cell):
        # BaseMetadataValidator.validate_cell, the schema compiled once
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        try:
            key = (self.schema_version, json.dumps(cell.metadata["nbgrader"], sort_keys=True))
        except (TypeError, ValueError):
            key = None  # not JSON: checked in full, never remembered
        if key in self.valid:
            return
        validator = self.compiled.get(self.schema_version)
        if validator is None:
            cls = jsonschema.validators.validator_for(self.schema)
            cls.check_schema(self.schema)
            validator = self.compiled[self.schema_version] = cls(self.schema)
        error = jsonschema.exceptions.best_match(validator.iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error
        if key is not None and len(self.valid) < self.MAX_REMEMBERED:
            self.valid.add(key)


class _MetadataValidator(MetadataValidator, _CompiledSchema):
    """nbgrader's validator, whose call to its base class's cell check lands in
    ``_CompiledSchema``; every other check is nbgrader's own."""


class CheckCellMetadataCompiled(CheckCellMetadata):
    """nbgrader's ``CheckCellMetadata`` with the schema compiled once."""

    def preprocess(self, nb, resources):
        # nbgrader's preprocess, with the validator above
        try:
            _MetadataValidator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from None
        return nb, resources


SAME_CHECK_FASTER = {CheckCellMetadata: CheckCellMetadataCompiled}


def steps_with(gradebook, classes: list) -> list:
    """Instances of a pipeline's steps, each reading ``gradebook`` where it reads one."""
    out = []
    for cls in classes:
        cls = SAME_CHECK_FASTER.get(cls, cls)
        if cls in WITH_OPEN_GRADEBOOK:
            out.append(WITH_OPEN_GRADEBOOK[cls](gradebook))
        else:
            step = cls()
            step.gradebook_in_use = gradebook
            out.append(step)
    return out
