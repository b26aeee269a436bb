"""``ClassRun``, what one class run is asked to do, and ``grade_class``, which does it.

The parent alone writes: autograded notebooks, the gradebook (so nbgrader's
``generate_feedback`` and ``export`` work), the class's reports and one
Gradescope ``results.json`` per student.  Every submission ends with a grade
or a per-student error line.
"""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import time
from collections.abc import Callable
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

from rnnquiz.classrun import processes
from rnnquiz.classrun.batches import split
from rnnquiz.classrun.discovery import discover
from rnnquiz.classrun.outcomes import Summary
from rnnquiz.classrun.refusals import (
    AutogradeError,
    expected_notebooks,
    refuse_custom_layout,
    refuse_if_not_ours,
    refuse_if_unconfined,
    refuse_unknown,
)
from rnnquiz.classrun.reports import ReportWriter, preload_report
from rnnquiz.model import content


@dataclass(frozen=True)
class ClassRun:
    """One class run: which course and assignment, which students, how many
    grading processes, the limits and the sandbox.  ``progress(done, total,
    seconds)`` after each batch; ``announce(line)`` once the sandbox is
    chosen, before any grading."""
    course: object  # nbgrader.course.Course
    assignment_id: str
    student_glob: str = "*"
    jobs: int = 1
    limits: object = None  # isolation.limits.Limits
    sandbox: object = None  # isolation.launcher.SandboxConfig (allow_unconfined: the instructor's word)
    progress: Callable | None = None
    announce: Callable | None = None

    @classmethod
    def open(cls, assignment_id: str, course_root: Path | None = None, *, student_glob: str = "*",
             jobs: int | None = None, db_url: str | None = None, limits=None, sandbox=None,
             allow_unconfined: bool = False, progress=None, announce=None, catalog=None) -> ClassRun:
        """The run asked for, once the course is known to be one and the
        assignment one of ours; refused (``AutogradeError``) before anything is made."""
        from rnnquiz.isolation.limits import Limits
        from rnnquiz.nbgrader.course import Course, CourseConfigError, is_course
        root = Path(course_root or Path.cwd()).resolve()
        # nothing is made before the course is known to be one (no gradebook in an empty folder)
        if not any((root / content.CONTENT_DIR).glob(f"*/{content.MANIFEST}")) or not is_course(root):
            raise AutogradeError(f"{root}: not an nbgrader course with rnnquiz's assignments (no "
                                 f"{content.CONTENT_DIR}/*/{content.MANIFEST} and nbgrader_config.py here); run "
                                 "this from the course folder, or add rnnquiz to a course with `rnnquiz init "
                                 "COURSE_DIR`. Nothing was changed.")
        try:
            course = Course.open(root, db_url, catalog=catalog)
        except CourseConfigError as exc:
            raise AutogradeError(str(exc)) from None
        refuse_custom_layout(course, assignment_id)
        refuse_unknown(course, assignment_id)
        if course.database is not None and not course.database.is_file():
            raise AutogradeError(f"{course.database}: no gradebook yet; run `nbgrader generate_assignment "
                                 f"{assignment_id}` in the course first. Nothing was changed.")
        refuse_if_not_ours(course, assignment_id)  # before any sandbox starts
        return cls(course, assignment_id, student_glob, max(1, jobs or os.cpu_count() or 1), limits or Limits(),
                   sandbox_config(sandbox, allow_unconfined), progress, announce)


def sandbox_config(sandbox, allow_unconfined: bool):
    """The sandbox asked for, with the instructor's word: which launcher runs is
    known once its worker has started (``refuse_if_unconfined``)."""
    from rnnquiz.isolation.launcher import SandboxConfig
    return dataclasses.replace(sandbox or SandboxConfig(), allow_unconfined=allow_unconfined)


def autograde(assignment_id: str, course_root: Path | None = None, student_glob: str = "*",
              jobs: int | None = None, db_url: str | None = None, limits=None,
              progress=None, sandbox=None, allow_unconfined: bool = False, announce=None) -> Summary:
    """Grade the class (``ClassRun.open``, then ``grade_class``).  The zygote is
    launched first when the course looks ready to grade, so that its torch
    import overlaps reading the course's configuration (which imports
    nbgrader); never for an assignment that would be refused."""
    start = time.monotonic()
    root = Path(course_root or Path.cwd()).resolve()
    catalog = content.course_catalog(root)  # read once for the run
    early = None if db_url else _early_pool(root, assignment_id, catalog, limits,
                                             sandbox_config(sandbox, allow_unconfined))
    try:
        run = ClassRun.open(assignment_id, root, student_glob=student_glob, jobs=jobs, db_url=db_url,
                            limits=limits, sandbox=sandbox, allow_unconfined=allow_unconfined, progress=progress,
                            announce=announce, catalog=catalog)
        return grade_class(run, start, early)
    finally:
        if early is not None:
            early.close()  # the zygote exits once the grading processes have closed their copies too


def _early_pool(root: Path, assignment_id: str, catalog, limits, sandbox):
    """The zygote, launched before the course is read, when nbgrader's default
    folders show the assignment ready to grade (its source notebooks, ours, and
    a SQLite gradebook) and no configuration file could say otherwise (see
    ``plainly_configured``); else None, and ``grade_class`` launches it in its
    turn, once every refusal has been made."""
    from rnnquiz.nbgrader.course import is_course, plainly_configured
    source = root / "source" / assignment_id
    if not (source.is_dir() and (root / "gradebook.db").is_file() and is_course(root)
            and plainly_configured(root)):
        return None
    ours = [content.assignment_of_source(p, p.stem, catalog) for p in sorted(source.glob("*.ipynb"))]
    if not ours or not all(ours):
        return None  # refused, or mixed: said once the course is read, with no sandbox started
    from rnnquiz.isolation.limits import Limits
    return _launch(limits or Limits(), sandbox, {p for a in ours for p in a.packages.values()})


def _launch(limits, sandbox, package_sets: set):
    """A class's zygote, launched without waiting for it, and the zygotes of
    questions restricted to some packages (NumPy only, say)."""
    from rnnquiz.isolation.pool import Pool
    pool = Pool(limits, sandbox, announce=False, many=True).launch()
    try:
        pool.prepare(package_sets)
    except BaseException:
        pool.close()
        raise
    return pool


def grade_class(run: ClassRun, start: float | None = None, pool=None) -> Summary:
    """Grade every submission of the run; one run at a time per SQLite gradebook
    (the next one waits: ``nbgrader.run_lock`` says why).  ``pool``: the
    class's zygote already launched (the caller closes it)."""
    from rnnquiz.nbgrader.run_lock import RunLock
    start = time.monotonic() if start is None else start
    database = run.course.database
    lock = RunLock(database, f"rnnquiz autograde {run.assignment_id} --student {run.student_glob!r}") \
        if database is not None else contextlib.nullcontext()
    with lock:
        # the zygote first: its torch import, in the sandbox, overlaps all this process
        # does before forking the grading processes, which share it (which sandbox
        # runs is known once it has started: ``announce`` says it before any grading)
        launched = pool is None
        if launched:
            pool = _launch(run.limits, run.sandbox, run.course.package_sets(run.assignment_id))
        try:
            with processes.collector_paused():
                return _grade(run, pool, start)
        finally:
            if launched:
                pool.close()


def _grade(run: ClassRun, pool, start: float) -> Summary:
    from rnnquiz.nbgrader.gradebook_writer import GradebookWriter
    course = run.course
    expected = expected_notebooks(course, run.assignment_id)
    listings: dict = {}
    items, missing = discover(course, run.assignment_id, run.student_glob, expected, listings)
    summary = Summary(run.assignment_id, list(missing), protections=pool.protections)
    if not items and not missing:
        raise AutogradeError(f"no submissions under {course.submitted}/{run.student_glob}/{run.assignment_id}/")
    shared = None  # the zygote the grading processes use; None: each launches its own
    if items:
        processes.preload()
        pool.share()  # waits for the zygote once, here: the grading processes inherit what it can enforce
        refuse_if_unconfined(pool, run.sandbox)
        summary.protections = pool.protections  # the launcher whose worker started
        if run.announce:  # before any grading (and any progress bar)
            run.announce(summary.protections)
        if pool.separates:
            shared = pool
        else:  # no namespaces per submission (not root): only separate sandboxes keep two apart
            pool.close()
    batches = split(items, run.jobs)
    reports = ReportWriter(course, run.assignment_id, several=len(expected) > 1)
    done = 0

    def record(outcomes):
        nonlocal done
        writer.write(outcomes)  # overlaps with the batches still being graded
        reports.add(outcomes)
        summary.outcomes.extend(outcomes)
        done += len(outcomes)
        if run.progress:
            run.progress(done, len(items), time.monotonic() - start)

    with GradebookWriter(course.root, run.assignment_id, course.db_url, course.coursedir, listings) as writer:
        writer.write(missing)
        reports.add(missing)
        broken = []
        summary.processes = min(run.jobs, max(1, len(batches)))
        with processes.executor(run, summary.processes, shared) as pool_of_processes:
            futures = {pool_of_processes.submit(processes.grade_batch, batch): batch for batch in batches}
            preload_report()  # while the first batches are graded
            for future in as_completed(futures):
                try:
                    outcomes = future.result()
                except Exception:  # a grading process died: nobody in its batch is lost
                    broken += futures[future]
                else:
                    record(outcomes)
        # each student of a broken batch again, alone, in a fresh process: only
        # the one who breaks it is left with an error line
        for _student, group in itertools.groupby(broken, key=lambda item: item[0]):
            record(processes.grade_alone(run, list(group), shared))
    pool.reap()  # sandboxes' helpers the grading processes left us
    summary.report_dir = reports.finish()
    summary.seconds = time.monotonic() - start
    return summary
