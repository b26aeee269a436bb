"""Grading in the test's own process, for the fast lane.

The graders, the grading plugin and the results are exactly those of a class
run (``session.run_graders`` and ``session.assemble``); only the submission's
cells run here, through the in-kernel seam (``LocalRunner``: every argument and
answer still crosses the wire's encoding), instead of in a sandboxed worker.
So these tests say what the graders decide, quickly; how student code is
contained is the sandboxed tests' part.  Only our own solutions and samples
run here: never a submission whose grade counts.
"""
from __future__ import annotations

import builtins
import sys

from rnnquiz.grading import session
from rnnquiz.grading.inkernel import LocalRunner
from rnnquiz.grading.student import CellOutcome
from rnnquiz.model import notebook
from rnnquiz.sandboxed import worker
from support import TEST_LIMITS, assignment


def only_packages(packages: tuple) -> dict:
    """Builtins whose ``import`` finds only ``packages``, NumPy and the standard
    library, and torch's stand-in (free to import, an error to use): what a
    restricted worker's code finds."""
    allowed = {"numpy", *packages}
    real = builtins.__import__

    def guarded(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.partition(".")[0]
        if level == 0 and top == "torch" and top not in allowed:
            return worker.AbsentTorchModule(name if fromlist else top)
        if level == 0 and top not in allowed and top not in sys.stdlib_module_names:
            raise ModuleNotFoundError(f"No module named {top!r}", name=top)
        return real(name, globals, locals, fromlist, level)
    return {**vars(builtins), "__import__": guarded}


class InProcessRunner(LocalRunner):
    """A submission's cells executed in a fresh namespace of this process, in
    order, each one's error recorded as a worker records it."""

    def __init__(self, cells: list, packages: tuple | None = None):
        restricted = packages is not None
        super().__init__({"__name__": "__main__",
                          "__builtins__": only_packages(packages) if restricted else builtins})
        if restricted:
            self.child.torch = None  # a NumPy-only worker hands the student arrays
        replies = self.child.op_run({"cells": [[index, source] for index, _gid, source in cells]})
        for (index, grade_id, _source), reply in zip(cells, replies):
            error = reply.get("error")
            self.outcomes.append(CellOutcome(index, grade_id, {k: str(error.get(k, "")) for k in
                                                                ("type", "message", "trace")} if error else None))


def grade_in_process(aid: str, notebooks: dict, student: str = "student", public_only: bool = False) -> dict:
    """{name: Results} for {name: notebook dict} of assignment ``aid``, graded in one pytest session."""
    a = assignment(aid)
    subs = {name: notebook.from_dict(nb, f"{name}.ipynb", a) for name, nb in notebooks.items()}
    jobs = {name: session.make_job(name, student, sub) for name, sub in subs.items()}
    dirs = a.grader_dirs[:1] if public_only else a.grader_dirs
    session.run_graders(dirs, list(jobs.values()), None, TEST_LIMITS, public_only,
                        runner_factory=lambda job, packages: InProcessRunner(job.cells, packages))
    return {name: session.assemble(subs[name], student, jobs[name], public_only) for name in notebooks}
