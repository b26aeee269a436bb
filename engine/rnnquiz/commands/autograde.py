"""Class-scale autograding: nbgrader's submitted/ tree in, gradebook and reports out.

Run from the course root like ``nbgrader autograde``.  Every submission is
sanitized with nbgrader's own preprocessors and graded in parallel by
``--jobs`` grading processes.  Start-up, in order: the parent launches one
sandboxed zygote (which imports torch), imports torch and everything the
grading processes use while the zygote does, then forks the grading
processes; they share that zygote, which forks a fresh sandboxed process per
submission.  So torch is imported twice per run, once on each side, at the
same time.  (Where submissions get no namespaces of their own, not as root,
each grading process launches a zygote of its own: separate sandboxes are
then what keeps two submissions apart.)  The parent alone writes: autograded notebooks, the gradebook (so
``generate_feedback`` and ``export`` work), a class CSV and one Gradescope
``results.json`` per student.  Every submission ends with a grade or a
per-student error line.
"""
from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import gc
import itertools
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rnnquiz.errors import UserError
from rnnquiz.isolation.launcher import leaves_course_in_sight, unconfined_refusal
from rnnquiz.model import content
from rnnquiz.model.messages import clip
from rnnquiz.model.results import Results
from rnnquiz.nbgrader.gradebook_writer import GradebookWriter
from rnnquiz.nbgrader.run_lock import RunLock
from rnnquiz.outputs.formats import ClassFiles

BATCH = (4, 32)  # submissions per task (one pytest session each, in a warm process): smallest, largest


@dataclass
class Outcome:
    student: str
    notebook: str
    results: Results | None = None
    autograded: dict | None = None  # the sanitized notebook with graded outputs
    error: str = ""


@dataclass
class Summary:
    assignment: str
    outcomes: list = field(default_factory=list)
    seconds: float = 0.0
    report_dir: Path | None = None
    protections: str = ""  # the launcher's one line: what confined the submissions

    @property
    def graded(self) -> list:
        return [o for o in self.outcomes if o.results is not None and not o.results.error]

    @property
    def errors(self) -> list:
        return [o for o in self.outcomes if o not in self.graded]


class AutogradeError(UserError):
    pass


# --- the grading processes ------------------------------------------------------

FORK = multiprocessing.get_context("fork")  # grading processes start with the parent's imports


class GradingProcess:
    """What one grading process keeps between batches: the worker pool and the
    limits.  Set by ``_init_process``, the executor's initializer; the one
    piece of state a process-pool worker has."""
    current: GradingProcess | None = None

    def __init__(self, limits, sandbox, pool=None, course_id: str = ""):
        import torch  # imported by the parent before the fork (see ``preload``): nothing to do
        torch.set_num_threads(1)  # several grading processes share the cores; OpenMP spinning would fight
        from rnnquiz.isolation.pool import Pool
        self.limits, self.course_id = limits, course_id
        # the parent's zygote, shared; a zygote of our own only when there is none
        # (or when it has died: ``Pool.spawn`` then launches one here)
        self.pool = pool if pool is not None else Pool(limits, sandbox, announce=False, many=True).launch()
        self.gradebooks: dict = {}
        # a pool's worker must not outlive this process (multiprocessing skips atexit)
        from multiprocessing.util import Finalize
        Finalize(self, self.pool.close, exitpriority=10)

    def gradebook(self, db_url: str):
        from nbgrader.api import Gradebook

        from rnnquiz.nbgrader.open_gradebook import ReadOnlyGradebook
        if db_url not in self.gradebooks:
            self.gradebooks[db_url] = ReadOnlyGradebook(Gradebook(db_url, self.course_id))
        return self.gradebooks[db_url]


def _init_process(limits, sandbox=None, pool=None, course_id: str = ""):
    GradingProcess.current = GradingProcess(limits, sandbox, pool, course_id)


def preload():
    """Import, before forking the grading processes, what each of them uses:
    torch (the reference computations), pytest, nbgrader's sanitizing steps and
    our graders' plugin, once for the run instead of once per process.  Forking
    after it is safe: nothing has computed yet, so torch has no thread pool;
    numpy's BLAS threads stop at fork (``rnnquiz autograde`` starts none)."""
    import torch
    torch.set_num_threads(1)
    from rnnquiz.nbgrader import pipelines
    from rnnquiz.nbgrader import steps as preprocessors  # noqa: F401  (pytest, the plugin, nbgrader)
    pipelines.load(pipelines.SANITIZE)
    # what is loaded stays, out of the collector's reach: a full collection in a
    # grading process (or in this one) no longer walks, and so copies on write,
    # every object of torch, nbgrader and pytest (see docs/benchmarks.md); the
    # collector, paused while all this loaded (``_collector_paused``), is back on for them
    gc.freeze()
    gc.enable()


def _grade_batch(items: list, db_url: str, assignment_id: str, source_dir: Path | None = None) -> list:
    """Sanitize and grade one batch; returns Outcomes (no gradebook writes here).

    Every step is contained per student: whatever one submission does to
    reading, sanitizing, grading or writing its notebook becomes its own
    error line, and the rest of the batch is graded."""
    from rnnquiz.grading.session import grade_submissions
    from rnnquiz.model.flags import flags as flags_of
    from rnnquiz.model.flags import time_flag
    from rnnquiz.model.notebook import NotebookError, from_dict

    outcomes, subs = [], []
    process = GradingProcess.current
    for student, path, assignment in items:
        outcome = Outcome(student, Path(path).stem)
        outcomes.append(outcome)
        try:
            nb = sanitize(path, student, assignment_id, assignment, db_url, process.gradebook(db_url), source_dir)
            outcome.autograded = nb
            subs.append((from_dict(nb, path, assignment), student))
        except NotebookError as exc:
            outcome.error = str(exc)
            subs.append((Results(assignment.id, assignment.lang, student, path, error=outcome.error), student))
        except Exception as exc:  # nbgrader's own checks reject it: a per-student error
            outcome.error = f"{path}: could not be read or sanitized ({type(exc).__name__}: {clip(exc)})"
            subs.append((Results(assignment.id, assignment.lang, student, path, error=outcome.error), student))
    results = grade_submissions(subs, limits=process.limits, pool=process.pool)
    for outcome, result, (_student, path, assignment) in zip(outcomes, results, items):
        outcome.results = result
        source = source_dir / f"{Path(path).stem}.ipynb" if source_dir else None
        if outcome.autograded is not None:
            result.flags = flags_of(outcome.autograded, source, assignment.lang)
        result.flags += time_flag(Path(path).parent, assignment.lang)
        try:
            if outcome.autograded is not None and not result.error:
                from rnnquiz.nbgrader.explanations import write_explanations
                from rnnquiz.nbgrader.outcomes import write_outcomes
                write_outcomes(outcome.autograded, result)
                write_explanations(outcome.autograded, source, process.pool, process.limits)  # in the sandbox
            outcome.autograded = _plain(outcome.autograded)
        except Exception as exc:
            outcome.autograded = None
            outcome.error = f"{outcome.student}: the graded notebook could not be written ({type(exc).__name__})"
    return outcomes


def sanitize(path: str, student: str, assignment_id: str, assignment, db_url: str, gradebook,
             source_dir: Path | None = None):
    """nbgrader's default sanitizing steps with ours (``pipelines.SANITIZE``; a course's
    own extra sanitizing steps run under ``nbgrader autograde`` only),
    reading one open gradebook; ``assignment`` is ours, as the course said."""
    import nbformat

    from rnnquiz.model.clean import clean_notebook
    from rnnquiz.model.notebook import NotebookError, read_bytes
    from rnnquiz.nbgrader.open_gradebook import steps_with
    from rnnquiz.nbgrader.pipelines import SANITIZE, load
    raw = read_bytes(path)  # no symbolic links, bounded size
    try:
        nb = nbformat.from_dict(clean_notebook(json.loads(raw.decode("utf-8")), path, assignment.lang,
                                                source_dir / f"{Path(path).stem}.ipynb" if source_dir else None))
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError, AttributeError):
        raise NotebookError(path, "is not a readable notebook; the student should save it in Jupyter "
                                  "and submit again.") from None
    name = Path(path).stem
    resources = {"nbgrader": {"db_url": db_url, "assignment": assignment_id, "notebook": name,
                              "student": student}, "unique_key": name, "rnnquiz_assignment": assignment,
                 "rnnquiz_cleaned": True}
    for step in steps_with(gradebook, load(SANITIZE)):
        nb, resources = step.preprocess(nb, resources)
    return nb


def _plain(nb):
    return json.loads(json.dumps(nb)) if nb is not None else None


# --- the parent ------------------------------------------------------------------

def discover(course_root: Path, assignment_id: str, student_glob: str, expected: dict,
             submitted: Path | None = None, listings: dict | None = None) -> tuple:
    """[(student, notebook path, Assignment)] to grade, and per-student errors
    for missing notebooks and refused folders (a symbolic link or a special
    file anywhere in one: nothing of it is opened); ``expected``: notebook
    name -> our Assignment; ``listings``, when given, gets each student's
    files (None: refused), so that a folder is listed once per run."""
    from rnnquiz.model.notebook import NotebookError, submission_files
    items, missing = [], []
    submitted = submitted or course_root / "submitted"
    for student_dir in sorted(submitted.glob("*")):
        folder = student_dir / assignment_id
        if not fnmatch.fnmatch(student_dir.name, student_glob) or not (folder.is_dir() or folder.is_symlink()):
            continue
        if student_dir.is_symlink() or folder.is_symlink():  # never followed: it may point anywhere
            missing += [Outcome(student_dir.name, name, error=f"{folder}: is a symbolic link; rnnquiz never "
                                "follows links in submissions (nothing graded).") for name in expected]
            continue
        try:
            listed = submission_files(folder)
        except NotebookError as exc:
            missing += [Outcome(student_dir.name, name, error=str(exc)) for name in expected]
            listed = None
        if listings is not None:
            listings[student_dir.name] = listed
        if listed is None:
            continue
        files = set(listed)
        for name, assignment in expected.items():
            path = folder / f"{name}.ipynb"
            if f"{name}.ipynb" in files:
                items.append((student_dir.name, str(path), assignment))
            else:
                missing.append(Outcome(student_dir.name, name, error=f"{path}: missing; the student "
                                       "submitted no notebook with this name (nothing to grade)."))
    return items, missing


UNCONFINED = unconfined_refusal("`rnnquiz autograde --allow-unconfined`")


def autograde(assignment_id: str, course_root: Path | None = None, student_glob: str = "*",
              jobs: int | None = None, db_url: str | None = None, limits=None,
              progress=None, sandbox=None, allow_unconfined: bool = False, announce=None) -> Summary:
    """Grade the class; ``progress(done, total, seconds)`` after each batch,
    ``announce(line)`` once the sandbox is chosen, before any grading: the line
    that says which sandbox confines the submissions.  ``allow_unconfined``:
    grade even where submissions would see the container's file system (no
    namespaces, no Landlock); refused otherwise."""
    from rnnquiz.isolation.limits import Limits
    from rnnquiz.nbgrader.course import CourseConfigError, course_directory, is_course, sqlite_file
    start = time.monotonic()
    course_root = Path(course_root or Path.cwd()).resolve()
    limits = limits or Limits()
    catalog = content.course_catalog(course_root)
    # nothing is made before the course is known to be one (no gradebook in an empty folder)
    if not catalog.assignments or not is_course(course_root):
        raise AutogradeError(f"{course_root}: not an nbgrader course with rnnquiz's assignments (no "
                             f"{content.CONTENT_DIR}/*/{content.MANIFEST} and nbgrader_config.py here); run this "
                             "from the course folder, or add rnnquiz to a course with `rnnquiz init COURSE_DIR`. "
                             "Nothing was changed.")
    from rnnquiz.isolation.launcher import SandboxConfig
    # the instructor's word travels with the sandbox's choice: which launcher runs
    # is known once its worker has started (``_refuse_if_unconfined``)
    sandbox = dataclasses.replace(sandbox or SandboxConfig(), allow_unconfined=allow_unconfined)
    # the zygote first when the course looks ready to grade (the assignment's
    # source folder and gradebook where nbgrader puts them by default), so that
    # its torch import overlaps reading the course's configuration, which imports
    # nbgrader (the course's nbgrader_config.py applies our pipelines to
    # nbgrader's converters); never for an assignment that is not ours, which is
    # refused below, in its turn, before any sandbox starts
    refusal = _not_ours_refusal(course_root, assignment_id, catalog)
    ready = (course_root / "source" / assignment_id).is_dir() and (course_root / "gradebook.db").is_file()
    pool = _launch_pool(course_root, assignment_id, catalog, limits, sandbox) if ready and not refusal else None
    try:
        try:
            coursedir = course_directory(course_root)
        except CourseConfigError as exc:
            raise AutogradeError(str(exc)) from None
        db_url = db_url or coursedir.db_url
        database = sqlite_file(db_url)
        _refuse_unknown(course_root, assignment_id, catalog, coursedir, db_url, database)
        if database is not None and not database.is_file():
            raise AutogradeError(f"{database}: no gradebook yet; run `nbgrader generate_assignment "
                                 f"{assignment_id}` in the course first. Nothing was changed.")
        if refusal:
            raise AutogradeError(refusal)
        # a SQLite gradebook: one run at a time, the next one waits (run_lock says why)
        lock = RunLock(database, f"rnnquiz autograde {assignment_id} --student {student_glob!r}") \
            if database is not None else contextlib.nullcontext()
        with lock:
            return _launch_and_grade(assignment_id, course_root, catalog, student_glob, jobs, db_url, limits,
                                     progress, sandbox, start, coursedir, announce, pool)
    finally:
        if pool is not None:
            pool.close()  # the zygote exits once the grading processes have closed their copies too


def _launch_pool(course_root: Path, assignment_id: str, catalog, limits, sandbox):
    """The zygote, launched without waiting: its torch import, in the sandbox,
    overlaps all this process does before forking the grading processes, which
    share it (which sandbox runs is known once it has started: ``announce``
    says it before any grading); and the zygotes of questions restricted to
    some packages (NumPy only, say)."""
    from rnnquiz.isolation.pool import Pool
    pool = Pool(limits, sandbox, announce=False, many=True).launch()
    try:
        pool.prepare(_package_sets(course_root, assignment_id, catalog))
    except BaseException:
        pool.close()
        raise
    return pool


def _launch_and_grade(assignment_id, course_root, catalog, student_glob, jobs, db_url, limits, progress, sandbox,
                      start, coursedir, announce=None, pool=None) -> Summary:
    from rnnquiz.isolation.launcher import SandboxConfig
    sandbox = sandbox or SandboxConfig()
    launched = pool is None  # closed here when launched here
    if launched:
        pool = _launch_pool(course_root, assignment_id, catalog, limits, sandbox)
    try:
        with _collector_paused():
            return _autograde(assignment_id, course_root, catalog, student_glob, jobs, db_url, limits,
                              progress, sandbox, pool, start, coursedir, announce)
    finally:
        if launched:
            pool.close()


@contextlib.contextmanager
def _collector_paused():
    """Start-up only allocates (imports): the cyclic collector would walk the
    growing heap again and again (a sixth of the start-up; docs/benchmarks.md).
    ``preload`` freezes what was loaded and turns the collector on for the
    grading processes; once they are gone, the caller's heap is collectable
    and its setting is as it was (a heap the caller froze itself stays frozen,
    ours with it)."""
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


def _refuse_unknown(course_root: Path, assignment_id: str, catalog, coursedir, db_url: str, database):
    """A name the course does not know (no source folder, not in the gradebook)
    is refused before anything is made: the closest known name suggested, or,
    for one of rnnquiz's assignments, that it was never added to the course."""
    source = Path(coursedir.root) / coursedir.source_directory
    if (source / assignment_id).is_dir():
        return
    in_gradebook = []
    if database is None or database.is_file():
        from nbgrader.api import Gradebook
        try:
            with Gradebook(db_url, coursedir.course_id) as gb:
                in_gradebook = [a.name for a in gb.assignments]
        except Exception:  # the gradebook's own problems are said where it is opened for grading
            return
        if assignment_id in in_gradebook:
            return
    course = sorted({p.name for p in source.iterdir() if p.is_dir()} | set(in_gradebook)) if source.is_dir() \
        else sorted(in_gradebook)
    checkout = content.checkout()
    ours = set(catalog.assignments) | (set(content.course_catalog(checkout).assignments) if checkout else set())
    if assignment_id in ours:
        raise AutogradeError(f"{assignment_id!r} was never added to this course (no {source / assignment_id}): add "
                             f"it with `rnnquiz init {course_root} --assignments {assignment_id}`, then `nbgrader "
                             f"generate_assignment {assignment_id}`. Nothing was changed.")
    raise AutogradeError(f"unknown assignment {assignment_id!r}{content.did_you_mean(assignment_id, course)}: "
                         f"this course has no {source / assignment_id} and its gradebook does not list it; "
                         f"the course's assignments: {', '.join(course) or 'none yet'}. Nothing was changed.")


def _refuse_if_unconfined(launcher, sandbox):
    """A class run where a submission would see the course (container mode
    without Landlock) needs the instructor's explicit word; asked once the
    launcher whose worker starts is known, before anything is graded."""
    if leaves_course_in_sight(launcher) and not sandbox.allow_unconfined:
        raise AutogradeError(UNCONFINED)


def _not_ours_refusal(course_root: Path, assignment_id: str, catalog) -> str:
    """The refusal that needs no gradebook, or "": the course's source
    notebooks of this assignment, when it has some, name none of ours.  (The
    gradebook's list of notebooks is checked again in ``_autograde``.)"""
    sources = sorted((course_root / "source" / assignment_id).glob("*.ipynb"))
    if not sources:
        return ""
    if not any(content.course_assignment_of(course_root, assignment_id, p.stem, catalog) for p in sources):
        return not_ours(assignment_id, [p.stem for p in sources], catalog)
    return ""


def _package_sets(course_root: Path, assignment_id: str, catalog) -> set:
    """The package sets this assignment's questions are restricted to (as the
    course's source notebooks say which of ours it is; all of ours without them)."""
    sources = sorted((course_root / "source" / assignment_id).glob("*.ipynb"))
    ours = [content.course_assignment_of(course_root, assignment_id, p.stem, catalog) for p in sources]
    ours = [a for a in ours if a is not None] or list(catalog.assignments.values())
    return {packages for a in ours for packages in a.packages.values()}


def not_ours(assignment_id: str, names: list, catalog) -> str:
    return (f"{assignment_id!r} is not an rnnquiz assignment (its notebooks: {', '.join(names)}; "
            f"rnnquiz knows: {catalog.known()}); grade it with `nbgrader autograde {assignment_id}`. "
            "Nothing was changed.")


def _autograde(assignment_id, course_root, catalog, student_glob, jobs, db_url, limits, progress, sandbox, pool,
               start, coursedir, announce=None) -> Summary:
    from nbgrader.api import Gradebook, MissingEntry
    jobs = max(1, jobs or os.cpu_count() or 1)
    try:
        with Gradebook(db_url, coursedir.course_id) as gb:
            names = [nb.name for nb in gb.find_assignment(assignment_id).notebooks]
    except MissingEntry:
        raise AutogradeError(f"assignment {assignment_id!r} is not in the gradebook ({db_url}); "
                             f"run `nbgrader generate_assignment {assignment_id}` first.") from None
    # which of our assignments each notebook is: the course says (its source notebooks)
    expected = {n: content.course_assignment_of(course_root, assignment_id, n, catalog) for n in names}
    if not any(expected.values()):
        raise AutogradeError(not_ours(assignment_id, names, catalog))
    if not all(expected.values()):
        others = [n for n, a in expected.items() if a is None]
        raise AutogradeError(f"{assignment_id!r} mixes rnnquiz notebooks with others ({', '.join(others)}); "
                             f"grade it with `nbgrader autograde {assignment_id}`. Nothing was changed.")
    listings: dict = {}
    items, missing = discover(course_root, assignment_id, student_glob, expected,
                              Path(coursedir.root) / coursedir.submitted_directory, listings)
    summary = Summary(assignment_id, list(missing), protections=pool.launcher.describe())
    if not items and not missing:
        raise AutogradeError(f"no submissions under {course_root / 'submitted'}/{student_glob}/{assignment_id}/")
    shared = None  # the zygote the grading processes use; None: each launches its own
    if items:
        preload()
        pool.share()  # waits for the zygote once, here: the grading processes inherit what it can enforce
        _refuse_if_unconfined(pool.launcher, sandbox)
        summary.protections = pool.launcher.describe()  # the launcher whose worker started
        if announce:  # before any grading (and any progress bar)
            announce(summary.protections)
        if pool.launcher.separates:
            shared = pool
        else:  # no namespaces per submission (not root): only separate sandboxes keep two apart
            pool.close()
    batches = split(items, jobs)
    source_dir = Path(coursedir.root) / coursedir.source_directory / assignment_id
    reports = ReportWriter(course_root, assignment_id, several=len(expected) > 1)
    done = 0

    def record(outcomes):
        nonlocal done
        writer.write(outcomes)  # overlaps with the batches still being graded
        reports.add(outcomes)
        summary.outcomes.extend(outcomes)
        done += len(outcomes)
        if progress:
            progress(done, len(items), time.monotonic() - start)

    with GradebookWriter(course_root, assignment_id, db_url, coursedir, listings) as writer:
        writer.write(missing)
        reports.add(missing)
        broken = []
        with ProcessPoolExecutor(max_workers=min(jobs, max(1, len(batches))), mp_context=FORK,
                                 initializer=_init_process,
                                 initargs=(limits, sandbox, shared, coursedir.course_id)) as executor:
            futures = {executor.submit(_grade_batch, batch, db_url, assignment_id, source_dir): batch
                       for batch in batches}
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
            record(_grade_alone(list(group), db_url, assignment_id, limits, sandbox, shared, source_dir,
                                coursedir.course_id))
    pool.launcher.reap()  # sandboxes' helpers the grading processes left us
    summary.report_dir = reports.finish()
    summary.seconds = time.monotonic() - start
    return summary


def split(items: list, jobs: int) -> list:
    """Batches, largest first: a batch is one pytest session (its start paid
    once), and batches shrink towards the end so that the grading processes
    finish together and the last batch left to write is small.  A student's
    notebooks stay in one batch: their autograded folder is written at once."""
    students = [list(group) for _student, group in itertools.groupby(items, key=lambda item: item[0])]
    smallest = min(BATCH[0], -(-len(items) // jobs))  # a tiny class still keeps every process busy
    batches, i, left = [], 0, len(items)
    while i < len(students):
        size = max(smallest, min(BATCH[1], -(-left // (2 * jobs))))
        if left - size < smallest:
            size = left
        batch = []
        while i < len(students) and len(batch) < size:
            batch += students[i]
            i += 1
        batches.append(batch)
        left -= len(batch)
    return batches


def preload_report():
    """matplotlib, imported while the grading processes work rather than after
    them: the class report is drawn last, once every grade is in."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
    except Exception:  # drawing the report says what is wrong
        pass


def _grade_alone(items: list, db_url: str, assignment_id: str, limits, sandbox, pool=None,
                 source_dir=None, course_id: str = "") -> list:
    """One student's notebooks in a fresh grading process, forked like the
    others (same zygote while it lives; the process launches its own if it
    does not)."""
    bound = limits.submission_timeout * 2 * len(items) + 60  # start-up, the submissions, and writing
    with ProcessPoolExecutor(max_workers=1, mp_context=FORK, initializer=_init_process,
                             initargs=(limits, sandbox, pool, course_id)) as executor:
        try:
            return executor.submit(_grade_batch, items, db_url, assignment_id, source_dir).result(timeout=bound)
        except Exception as exc:
            for proc in list(getattr(executor, "_processes", {}).values()):
                proc.kill()  # a hung grading process must not hold the run
            return [Outcome(student, Path(path).stem,
                            error=f"{path}: grading this submission failed ({type(exc).__name__}); "
                                  "grade it alone with `rnnquiz grade` to see why.")
                    for student, path, _assignment in items]


class ReportWriter:
    """``reports/<assignment>/`` of the class (``outputs.formats``): outcomes in, results out."""

    def __init__(self, course_root: Path, assignment_id: str, several: bool = False):
        self.course_root, self.assignment_id = course_root, assignment_id
        self.files = ClassFiles(course_root / "reports" / assignment_id, several)

    def add(self, outcomes: list):
        results = []
        for o in outcomes:
            r = o.results or Results(self.assignment_id, content.PRIMARY_LANG, o.student, o.notebook, error=o.error)
            if o.error and not r.error:
                r.error = o.error
            results.append(r)
        self.files.add(results)

    def finish(self) -> Path:
        catalog = content.course_catalog(self.course_root)
        return self.files.finish({k: v for a in catalog.assignments.values() for k, v in a.mistakes.items()})


def progress_bar(done: int, total: int, seconds: float, stream=sys.stderr):
    rate = done / seconds if seconds > 0 else 0.0
    left = (total - done) / rate if rate > 0 else 0.0
    width = 30
    filled = int(width * done / total) if total else width
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} submissions  "
                 f"{rate:.1f}/s  {left:.0f} s left ")
    if done >= total:
        stream.write("\n")
    stream.flush()
