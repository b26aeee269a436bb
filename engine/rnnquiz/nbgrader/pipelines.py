"""nbgrader's pipelines as rnnquiz changes them, declared once.

A course's ``nbgrader_config.py`` applies them (``apply(c)``);
``rnnquiz autograde`` runs ``SANITIZE``, which is what ``apply`` makes of
nbgrader's default sanitizing steps (a test checks it).
``apply`` edits whatever pipeline the course already has (nbgrader's default
when it set none): each change is a rule "put our step here", so the
instructor's own steps stay and applying twice changes nothing more.
"""
from __future__ import annotations

import importlib

DROP_UNTRUSTED = "rnnquiz.nbgrader.steps.DropUntrusted"
REPAIR_CELLS = "rnnquiz.nbgrader.steps.RepairCells"
GRADE_ISOLATED = "rnnquiz.nbgrader.steps.GradeIsolated"
CLEAR_HIDDEN = "rnnquiz.nbgrader.steps.ClearHiddenTests"
CLEAR_SOLUTIONS = "rnnquiz.nbgrader.steps.ClearSolutions"
CHECKED_COLLECT = "rnnquiz.nbgrader.exchange.CheckedCollect"

# Sanitizing a submission: untrusted content dropped first, tampered cells repaired.
SANITIZE = [
    DROP_UNTRUSTED,
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    REPAIR_CELLS,
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Each rule: (converter, trait, our step, the step it replaces, the step it goes before).
# A step already present is left where it is.
RULES = [
    ("Autograde", "sanitize_preprocessors", DROP_UNTRUSTED, None, 0),
    ("Autograde", "sanitize_preprocessors", REPAIR_CELLS, None, "OverwriteCells"),
    ("Autograde", "autograde_preprocessors", GRADE_ISOLATED, "Execute", 0),
    ("GenerateFeedback", "preprocessors", CLEAR_HIDDEN, "ClearHiddenTests", "CSSHTMLHeaderPreprocessor"),
    ("GenerateAssignment", "preprocessors", CLEAR_SOLUTIONS, "ClearSolutions", "ClearOutput"),
]


# Settings of nbgrader's own classes, each kept when the course set it itself.
SETTINGS = [
    # submitted notebooks read as regular files only, never through a link (exporter.py)
    ("Autograde", "exporter_class", "rnnquiz.nbgrader.exporter.SubmissionExporter"),
    # a submission is collected only from its student, never through a link (exchange.py)
    ("ExchangeFactory", "collect", CHECKED_COLLECT),
]


def _name(step) -> str:
    """A step's dotted name, as configs write it (``nbgrader.preprocessors.ClearOutput``)."""
    if isinstance(step, str):
        return step
    package = step.__module__.rpartition(".")[0]
    if package and getattr(importlib.import_module(package), step.__name__, None) is step:
        return f"{package}.{step.__name__}"
    return f"{step.__module__}.{step.__qualname__}"


def _short(step) -> str:
    return _name(step).rpartition(".")[2]


def _default(converter: str, trait: str) -> list:
    module = importlib.import_module("nbgrader.converters")
    return [_name(s) for s in getattr(getattr(module, converter), trait).default()]


def merged(steps: list, ours: str, replaces: str | None, before) -> list:
    """``steps`` with ``ours`` put in: in place of ``replaces``, else before the
    step named ``before`` (an index: at that position), else at the end."""
    steps = list(steps)
    if ours in (_name(s) for s in steps):
        return steps
    for i, s in enumerate(steps):
        if replaces and _short(s) == replaces:
            steps[i] = ours
            return steps
    if isinstance(before, int):
        steps.insert(before, ours)
        return steps
    for i, s in enumerate(steps):
        if _short(s) == before:
            steps.insert(i, ours)
            return steps
    return steps + [ours]


def apply(c) -> None:
    """Put rnnquiz's steps into an nbgrader configuration object, keeping the
    course's own; collect becomes ``rnnquiz.nbgrader.exchange.CheckedCollect``."""
    for converter, trait, ours, replaces, before in RULES:
        section = c[converter]
        current = section[trait] if trait in section else _default(converter, trait)
        if hasattr(current, "get_value"):  # the course's `.append(...)` or `.prepend(...)`
            current = current.get_value(_default(converter, trait))
        section[trait] = merged(current, ours, replaces, before)
    for section, trait, value in SETTINGS:
        if trait not in c[section]:  # a course's own setting stays
            c[section][trait] = value


def load(names: list) -> list:
    """The preprocessor classes named in a pipeline."""
    out = []
    for name in names:
        module, _, attr = name.rpartition(".")
        out.append(getattr(importlib.import_module(module), attr))
    return out
