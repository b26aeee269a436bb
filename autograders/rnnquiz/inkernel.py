"""Hidden tests under stock nbgrader: the graders run in the notebook's own kernel.

The hidden test cells of ``source/`` call ``grade_in_kernel``.  With rnnquiz's
preprocessor in the course configuration those cells are never executed (the
notebook is graded in an isolated worker).  Under stock nbgrader they are,
and this module grades the question in the student's kernel.  That path is
weaker by nature: student code shares the process and could patch anything
in it, which is why the course configuration replaces it.

Return value: nbgrader reads a number as partial credit; a failure raises.
"""
from __future__ import annotations

import contextlib
import io

import pytest

from . import assignments
from .messages import text
from .plugin import GradingPlugin, Job
from .sandbox import Limits
from .session import call_message, interpret_call


class LocalRunner:
    """The StudentRunner interface over a namespace in this very process."""

    def __init__(self, namespace: dict):
        import torch

        from .worker import Child
        self.child = Child(None, torch, namespace)
        self.outcomes = []

    def start(self):
        return self

    def call(self, name, *args, return_modules=False, **kwargs):
        reply = self.child.op_call(call_message(name, args, kwargs, return_modules))
        return interpret_call(name, reply, return_modules)

    def get(self, name):
        return interpret_call(name, self.child.op_get({"name": name}))

    def close(self):
        pass


def detect_lang(namespace: dict) -> str:
    """pt or en, from the localized docstrings of the notebook's functions."""
    for q in (q for a in assignments.QUESTIONS.values() for q in a):
        doc = getattr(namespace.get(q.name), "__doc__", None) or ""
        if "Exemplo" in doc or "Devolve" in doc:
            return "pt"
        if "Example" in doc:
            return "en"
    return "pt"


class InKernelFailure(AssertionError):
    pass


def grade_in_kernel(question: str, namespace: dict, student: str = "student"):
    base = next(b for b, qs in assignments.QUESTIONS.items() if any(q.name == question for q in qs))
    points = assignments.get(base).question(question).points
    lang = detect_lang(namespace)
    job = Job(key="kernel", student_id=student, lang=lang, cells=[])
    plugin = GradingPlugin([job], None, Limits(), runner_factory=lambda _job: LocalRunner(namespace))
    graders = assignments.get(base).graders_dir
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        pytest.main([str(graders / f"test_{question}.py"), "-c", str(graders.parent / "pytest.ini"),
                     "--rootdir", str(graders.parent), "--import-mode=importlib", "-s", "-q",
                     "-p", "no:cacheprovider", "-p", "no:faulthandler"], plugins=[plugin])
    checks = [c for name, c in job.records if name == question]
    score = sum(c.points for c in checks if c.passed)
    failed = list(dict.fromkeys(c.feedback for c in checks if not c.passed))
    if not checks:
        raise InKernelFailure(text("grader_error", lang, message="no grader ran"))
    if score == 0 and failed:
        raise InKernelFailure("\n".join(failed))
    print("\n".join(failed) if failed else f"{question}: {text('passed', lang)}")
    return float(score if score < points else points)
