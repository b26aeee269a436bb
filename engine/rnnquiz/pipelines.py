"""nbgrader's pipelines as rnnquiz runs them, declared once.

The course's ``nbgrader_config.py`` applies them (``apply(c)``) and
``rnnquiz autograde`` runs the same sanitizing steps, so the two cannot drift.
"""
from __future__ import annotations

import importlib

# Sanitizing a submission: untrusted content dropped first, tampered cells repaired.
SANITIZE = [
    "rnnquiz.preprocessors.DropUntrusted",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "rnnquiz.preprocessors.RepairCells",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Autograding: rnnquiz's isolated worker where stock nbgrader has Execute.
AUTOGRADE = [
    "rnnquiz.preprocessors.GradeIsolated",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback: scores and our messages, never the hidden test regions.
FEEDBACK = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]


def apply(c) -> None:
    """Put rnnquiz's steps into an nbgrader configuration object."""
    c.Autograde.sanitize_preprocessors = list(SANITIZE)
    c.Autograde.autograde_preprocessors = list(AUTOGRADE)
    c.GenerateFeedback.preprocessors = list(FEEDBACK)


def load(names: list) -> list:
    """The preprocessor classes named in a pipeline."""
    out = []
    for name in names:
        module, _, attr = name.rpartition(".")
        out.append(getattr(importlib.import_module(module), attr))
    return out
