"""rnnquiz: self-grading RNN exercises, graded where student code cannot touch the grade.

The engine holds no assignment: it discovers each course's content
(``autograders/<assignment>/``).  Its layers, each a subpackage that imports
only the ones above it in this list:

- ``sandboxed``: the only code that runs inside the sandbox (the worker, the
  wire protocol, the confinement); standard library and NumPy (and torch).
- ``model``: what an assignment, a submitted notebook and a result are; the
  engine's sentences in both languages.
- ``isolation``: the host side of the sandbox: limits, the allowlisted file
  system, control groups, the launchers, the pool of workers.
- ``grading``: an assignment's pytest graders run against a student's worker,
  and the helper API the graders import (``rnnquiz.checks``).
- ``outputs``: the one results object rendered to every format.
- ``nbgrader``: the adapter to nbgrader: the course (``Course``), the score
  rule both autograde commands run (``scoring``), sanitizing and grading
  steps, pipelines, the gradebook writer, the exchange's collect.
- ``gradescope``: the adapter to Gradescope, beside ``nbgrader`` (neither
  imports the other): the autograder zip, what ``run_autograder`` does in
  Gradescope's container, a zip tried locally.
- ``classrun``: the class run of ``rnnquiz autograde`` (``ClassRun``, its
  refusals, discovery, grading processes and report files).
- ``commands``: one module per verb of the ``rnnquiz`` command line.

``errors`` is the one root of rnnquiz's errors.  Three public import paths
stay where courses and graders name them: ``rnnquiz.checks``,
``rnnquiz.inkernel`` and ``rnnquiz.pipelines``.
"""
