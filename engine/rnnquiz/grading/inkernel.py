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

from rnnquiz.grading import catalogue
from rnnquiz.grading.plugin import GradingPlugin, Job
from rnnquiz.grading.session import assemble, pytest_args, run_graders
from rnnquiz.grading.student import call_message, interpret_call
from rnnquiz.isolation.limits import Limits
from rnnquiz.model import content, notebook
from rnnquiz.model.messages import text
from rnnquiz.model.results import QuestionResult


class LocalRunner:
    """The StudentRunner interface over a namespace in this very process."""

    def __init__(self, namespace: dict):
        import torch

        from rnnquiz.sandboxed.worker import Child
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


class InKernelFailure(AssertionError):
    pass


def grade_in_kernel(assignment_id: str, question: str, namespace: dict, student: str = "student"):
    """Grade ``question`` of ``assignment_id`` on the notebook's own namespace.

    The course is found from the working folder (nbgrader runs the notebook
    in ``autograded/<student>/<assignment>/`` of the course)."""
    catalog = content.course_catalog()
    assignment = catalog.get(assignment_id)
    points = assignment.question(question).points
    # no package restriction here: the kernel has whatever the notebook imported
    job = Job(key="kernel", student_id=student, lang=assignment.lang, cells=[], mistakes=assignment.mistakes,
              catalogues=catalogue.load(assignment.folder))
    plugin = GradingPlugin([job], None, Limits(), runner_factory=lambda _job, _packages: LocalRunner(namespace))
    files = [d / content.grader_file(question) for d in assignment.grader_dirs]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        pytest.main([*pytest_args(files, assignment.folder), "-s"], plugins=[plugin])
    lang = assignment.lang
    result = QuestionResult(question, assignment.question(question).kind, float(points),
                            [c for name, c in job.records if name == question])
    failed = list(dict.fromkeys(c.feedback for c in result.checks if not c.passed))
    if not result.checks:
        raise InKernelFailure(text("grader_error", lang, message="no grader ran"))
    if result.score == 0 and failed:
        raise InKernelFailure("\n".join(failed))
    print("\n".join(failed) if failed else f"{question}: {text('passed', lang)}")
    return result.score  # the checks' points, never above the question's


def check_namespace(assignment_id: str, namespace: dict):
    """The public checks of ``assignment_id`` on a notebook's own namespace
    (the in-notebook self-check): the same ``Results`` as ``rnnquiz check``.
    The student's code runs here, in their kernel: a self-check protects
    nothing from its own student, and the kernel can be interrupted."""
    catalog = content.public_catalog()
    if assignment_id not in catalog:
        raise notebook.NotebookError("this notebook", f"asks for assignment {assignment_id!r}, which is not "
                                     f"installed here (known: {catalog.known()}).")
    assignment = catalog.get(assignment_id)
    job = Job(key="notebook", student_id="self-check", lang=assignment.lang, cells=[],
              mistakes=assignment.mistakes)
    run_graders(assignment.grader_dirs[:1], [job], None, Limits(), True,
                runner_factory=lambda _job, _packages: LocalRunner(namespace))
    return assemble(notebook.Submission(text("this_notebook", assignment.lang), assignment, []), "self-check",
                    job, True)
