"""nbgrader's sanitizing steps on one open gradebook (``rnnquiz autograde``).

nbgrader's steps open the gradebook once per notebook and step, and opening
one runs `alembic heads` in a subprocess.  A grading process only reads it:
these variants take one open gradebook instead.  One more does nbgrader's
metadata check with its schema compiled once.
"""
from __future__ import annotations

import json
import traceback

import jsonschema
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import CheckCellMetadata, NbGraderPreprocessor, OverwriteCells, OverwriteKernelspec


class RememberingGradebook:
    """An open gradebook whose ``find_*`` answers are remembered: the same source
    cells are looked up for every submission.  Everything else passes through
    to nbgrader's ``Gradebook`` (writes included: nothing in a grading process
    writes, which is why the answers may be kept)."""

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
    checks the schema itself against its metaschema (most of the time
    sanitizing a notebook took; docs/benchmarks.md).  A class's notebooks carry the same
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
