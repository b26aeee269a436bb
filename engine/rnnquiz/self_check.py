"""What the self-check cell at the end of each released notebook calls.

    from rnnquiz.self_check import check_notebook
    check_notebook("rnn_from_scratch_en", globals())

It runs the public checks on the kernel's current definitions and prints the
same lines as ``rnnquiz check`` in a terminal: in Jupyter, JupyterLab, VS Code
or Colab, with no terminal and no file on disk.  It changes nothing that is
graded: where the notebook is being graded (nbgrader's autograde or validate,
rnnquiz's worker) it does nothing at all.  A public import path: every
released notebook names it.
"""
from __future__ import annotations

import os

WORKER_ENV = "RNNQUIZ_WORKER"  # set in every process that runs a submission for grading


def check_notebook(assignment_id: str, namespace: dict) -> None:
    if os.environ.get("NBGRADER_EXECUTION") or os.environ.get(WORKER_ENV):
        return None  # being graded: the graders decide, and this cell must not cost them anything
    from rnnquiz.commands.check import render
    from rnnquiz.grading.inkernel import check_namespace
    print(render(check_namespace(assignment_id, namespace)))
    return None  # nothing for the notebook to display below the lines
