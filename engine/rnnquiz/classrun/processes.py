"""The grading processes of a class run, and what each does with a batch.

Start-up, in order: the parent launches one sandboxed zygote (which imports
torch), imports torch and everything the grading processes use while the
zygote does (``preload``), then forks the grading processes; they share that
zygote, which forks a fresh sandboxed process per submission.  (Where
submissions get no namespaces of their own, not as root, each grading process
launches a zygote of its own: separate sandboxes are then what keeps two
submissions apart.)  A grading process only reads the gradebook; the parent
alone writes.
"""
from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rnnquiz.classrun.outcomes import Outcome
from rnnquiz.model.messages import clip
from rnnquiz.model.results import Results

FORK = multiprocessing.get_context("fork")  # grading processes start with the parent's imports


class GradingProcess:
    """What one grading process keeps between batches: the class run, its
    worker pool and its open gradebook.  Set by ``start``, the executor's
    initializer; the one piece of state a grading process keeps.  (Under
    fork, the initializer's arguments are inherited, never pickled.)"""
    current: GradingProcess | None = None

    def __init__(self, run, pool=None):
        import torch  # imported by the parent before the fork (see ``preload``): nothing to do
        torch.set_num_threads(1)  # several grading processes share the cores; OpenMP spinning would fight
        from rnnquiz.isolation.pool import Pool
        self.run = run
        # the parent's zygote, shared; a zygote of our own only when there is none
        # (or when it has died: ``Pool.spawn`` then launches one here)
        self.pool = pool if pool is not None else Pool(run.limits, run.sandbox, announce=False, many=True).launch()
        self._gradebook = None
        # the pool's zygote must not outlive this process (multiprocessing skips atexit)
        from multiprocessing.util import Finalize
        Finalize(self, self.pool.close, exitpriority=10)

    def gradebook(self):
        if self._gradebook is None:
            from nbgrader.api import Gradebook

            from rnnquiz.nbgrader.open_gradebook import RememberingGradebook
            self._gradebook = RememberingGradebook(Gradebook(self.run.course.db_url, self.run.course.course_id))
        return self._gradebook


def start(run, pool=None):
    GradingProcess.current = GradingProcess(run, pool)


def executor(run, processes: int, pool=None) -> ProcessPoolExecutor:
    """Grading processes forked from this one, each starting as ``start`` says."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=FORK, initializer=start, initargs=(run, pool))


def preload():
    """Import, before forking the grading processes, what each of them uses:
    torch (the reference computations), pytest, nbgrader's sanitizing steps and
    our graders' plugin, once for the run instead of once per process.  Forking
    after it is safe: nothing has computed yet, so torch has no thread pool;
    numpy's BLAS threads stop at fork (``rnnquiz autograde`` starts none)."""
    import torch
    torch.set_num_threads(1)
    from rnnquiz.nbgrader import pipelines, sanitize, scoring  # noqa: F401  (pytest, the plugin, nbgrader)
    pipelines.load(pipelines.SANITIZE)
    # what is loaded stays, out of the collector's reach: a full collection in a
    # grading process (or in this one) no longer walks, and so copies on write,
    # every object of torch, nbgrader and pytest (see docs/benchmarks.md); the
    # collector, paused while all this loaded (``collector_paused``), is back on for them
    gc.freeze()
    gc.enable()


@contextlib.contextmanager
def collector_paused():
    """Start-up only allocates (imports): the cyclic collector would walk the
    growing heap again and again (see docs/benchmarks.md).  ``preload``
    freezes what was loaded and turns the collector on for the grading
    processes; once they are gone, the caller's heap is collectable and its
    setting is as it was (a heap the caller froze itself stays frozen, ours
    with it)."""
    collecting, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if not frozen:
            gc.unfreeze()
        if collecting:
            gc.enable()
        else:
            gc.disable()


def grade_batch(items: list) -> list:
    """Sanitize and grade one batch [(student, path, Assignment)] of the
    process's class run; returns Outcomes (no gradebook writes here).

    Every step is contained per student: whatever one submission does to
    reading, sanitizing, grading or writing its notebook becomes its own
    error line, and the rest of the batch is graded."""
    from rnnquiz.model.flags import time_flag
    from rnnquiz.model.notebook import NotebookError
    from rnnquiz.nbgrader.sanitize import sanitize
    from rnnquiz.nbgrader.scoring import Entry, grade_as_nbgrader

    process = GradingProcess.current
    run, course = process.run, process.run.course
    outcomes, entries = [], []
    for student, path, assignment in items:
        outcome = Outcome(student, Path(path).stem, assignment=assignment)
        outcomes.append(outcome)
        source = course.source_notebook(run.assignment_id, Path(path).stem)
        try:
            nb = sanitize(path, student, run.assignment_id, assignment, course.db_url, process.gradebook(), source)
        except NotebookError as exc:
            outcome.error = str(exc)
        except Exception as exc:  # nbgrader's own checks reject it: a per-student error
            outcome.error = f"{path}: could not be read or sanitized ({type(exc).__name__}: {clip(exc)})"
        else:
            outcome.autograded = nb
            entries.append((outcome, Entry(nb, path, assignment, student, source, Path(path).parent)))
    graded = grade_as_nbgrader([e for _o, e in entries], process.pool, run.limits)
    for (outcome, entry), result in zip(entries, graded):
        outcome.results = result
        try:
            outcome.autograded = json.loads(json.dumps(outcome.autograded))  # plain JSON for the parent
        except Exception as exc:
            outcome.autograded = None
            result.error = f"{entry.path}: the graded notebook could not be written ({type(exc).__name__})"
    for outcome, (_student, path, assignment) in zip(outcomes, items):
        if outcome.results is None:  # not sanitized: the error line, with the time its name claimed
            outcome.results = Results(assignment.id, assignment.lang, outcome.student, path, error=outcome.error)
            outcome.results.flags = time_flag(Path(path).parent, assignment.lang)
    return outcomes


def grade_alone(run, items: list, pool=None) -> list:
    """One student's notebooks in a fresh grading process, forked like the
    others (same zygote while it lives; the process launches its own if it
    does not)."""
    bound = run.limits.submission_timeout * 2 * len(items) + 60  # start-up, the submissions, and writing
    with executor(run, 1, pool) as alone:
        try:
            return alone.submit(grade_batch, items).result(timeout=bound)
        except Exception as exc:
            for proc in list(getattr(alone, "_processes", {}).values()):
                proc.kill()  # a hung grading process must not hold the run
            return [Outcome(student, Path(path).stem, assignment=assignment,
                            error=f"{path}: grading this submission failed ({type(exc).__name__}); "
                                  "grade it alone with `rnnquiz grade` to see why.")
                    for student, path, assignment in items]
