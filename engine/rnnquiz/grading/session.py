"""Grade submissions: an assignment's graders (pytest) against isolated student code."""
from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from rnnquiz.errors import InternalError
from rnnquiz.grading import catalogue
from rnnquiz.grading.plugin import GradingPlugin, Job
from rnnquiz.isolation.limits import Limits
from rnnquiz.isolation.pool import Pool
from rnnquiz.model import content, notebook
from rnnquiz.model.messages import text
from rnnquiz.model.results import QuestionResult, Results

# pytest plugins graders do not need (logging and warnings capture were a good
# part of a submission's grading time: see docs/benchmarks.md)
QUIET_PLUGINS = [arg for name in ("cacheprovider", "logging", "warnings", "faulthandler", "doctest",
                                   "junitxml", "pastebin", "stepwise", "unraisableexception",
                                   "threadexception", "rnnquiz")
                 for arg in ("-p", f"no:{name}")]
MAX_NOTES = 20  # cell errors listed per submission
# the graders' own pytest configuration (markers), never the course's
GRADERS_INI = Path(__file__).resolve().parent / "graders.ini"


class GraderError(InternalError):
    """The graders themselves failed (an instructor's problem, not a student's)."""


@dataclass
class Request:
    path: str
    student: str = "student"
    assignment: content.Assignment | None = None  # None: the file name or the course says


def resolve(path, catalog: content.Catalog, assignment_id: str | None = None) -> content.Assignment:
    """Which assignment a submitted file is: ``assignment_id`` when given; in a
    course's submitted/ or autograded/ tree, what the course says; else the
    file's name.  Never the notebook's content."""
    if assignment_id is not None:
        if assignment_id not in catalog:
            raise notebook.NotebookError(path, f"unknown assignment {assignment_id!r}{catalog.suggest(assignment_id)}; "
                                               f"known: {catalog.known()}.")
        return catalog.get(assignment_id)
    where = content.in_course_tree(Path(path))
    if where is not None:
        course, course_assignment = where  # nbgrader's default folders (the tree was recognised by them)
        found = content.assignment_of_source(course / "source" / course_assignment / Path(path).name,
                                             Path(path).stem, catalog)
        if found is not None:
            return found
    if Path(path).stem in catalog:
        return catalog.get(Path(path).stem)
    if not catalog.assignments and Path(path).stem in content.public_catalog():
        checkout = content.checkout()
        if checkout is not None:  # an instructor, outside the course: where the graders are
            raise notebook.NotebookError(path, f"is graded with the hidden graders of a course, and {Path.cwd()} "
                                         f"is in none; run `rnnquiz grade` from the course folder (rnnquiz's "
                                         f"checkout {checkout} is one) or from a course made with `rnnquiz "
                                         "init`. To run only the public checks, use `rnnquiz check`.")
        raise notebook.NotebookError(path, "is graded with the instructor's hidden graders, which are not here "
                                     "(only an instructor's course has them); to check your work before "
                                     "submitting, run `rnnquiz check` on it.")
    raise notebook.NotebookError(path, f"is not a notebook of a known assignment (known: {catalog.known()}); "
                                       "grade the notebook you were given, without renaming it, or name the "
                                       "assignment with --assignment.")


def grade_many(requests: list, catalog: content.Catalog | None = None, *, public_only: bool = False,
               limits: Limits | None = None, pool: Pool | None = None) -> list:
    """One ``Results`` per request, in order; unreadable files get an error result."""
    catalog = catalog or content.course_catalog()
    subs = []
    for req in requests:
        try:
            assignment = req.assignment or resolve(req.path, catalog)
            subs.append((notebook.read(req.path, assignment), req.student))
        except notebook.NotebookError as exc:
            aid = req.assignment.id if req.assignment else "?"
            lang = req.assignment.lang if req.assignment else content.PRIMARY_LANG
            subs.append((Results(aid, lang, req.student, str(req.path), error=str(exc)), req.student))
    return grade_submissions(subs, public_only=public_only, limits=limits, pool=pool)


def grade_submissions(subs: list, *, public_only: bool = False, limits: Limits | None = None,
                      pool: Pool | None = None) -> list:
    """Grade [(Submission, student id)]; an item that is already a Results passes through."""
    limits = limits or Limits()
    results: list = [None] * len(subs)
    groups: dict = {}
    for n, (sub, student) in enumerate(subs):
        if isinstance(sub, Results):
            results[n] = sub
            continue
        groups.setdefault(sub.assignment.folder, []).append((n, student, sub))
    if not groups:
        return results
    own_pool = pool is None
    pool = pool or Pool(limits).launch()
    try:
        for members in groups.values():
            assignment = members[0][2].assignment
            if not public_only and not assignment.has_hidden:
                raise GraderError(f"the hidden graders of {assignment.base} are not in {assignment.folder}; "
                                  "grade from the course folder (see `rnnquiz init`).")
            jobs = [make_job(f"s{n}", student, sub) for n, student, sub in members]
            dirs = assignment.grader_dirs[:1] if public_only else assignment.grader_dirs
            run_graders(dirs, jobs, pool, limits, public_only)
            for (n, student, sub), job in zip(members, jobs):
                results[n] = assemble(sub, student, job, public_only)
    finally:
        if own_pool:
            pool.close()
    return results


def make_job(key: str, student: str, sub: notebook.Submission) -> Job:
    """What the graders need of one submission (whatever runs its code)."""
    assignment = sub.assignment
    return Job(key=key, student_id=student, lang=assignment.lang, cells=sub.cells, mistakes=assignment.mistakes,
               packages=assignment.packages, catalogues=catalogue.load(assignment.folder))


def grade(path, student: str = "student", assignment_id: str | None = None,
          catalog: content.Catalog | None = None, **kwargs) -> Results:
    """Grade one notebook (see ``resolve`` for which assignment it is);
    raises ``NotebookError`` when it cannot be graded."""
    catalog = catalog or content.course_catalog()
    notebook.load(path)  # the file's own problems first, with its message
    assignment = resolve(path, catalog, assignment_id)
    [result] = grade_many([Request(str(path), student, assignment)], catalog, **kwargs)
    return result


def pytest_args(paths: list, root: Path) -> list:
    """How rnnquiz runs graders with pytest: their own configuration (markers),
    imported by path (public/ and hidden/ hold files of the same names), quiet."""
    return [*map(str, paths), "-c", str(GRADERS_INI), "--rootdir", str(root), "--import-mode=importlib",
            "-q", "--no-header", *QUIET_PLUGINS]


def run_graders(dirs: list, jobs: list, pool: Pool | None, limits: Limits, public_only: bool, runner_factory=None):
    plugin = GradingPlugin(jobs, pool, limits, public_only, runner_factory=runner_factory)
    root = dirs[0].parent
    args = pytest_args(dirs, root)
    sink = io.StringIO()  # pytest's own report is not ours to print
    with contextlib.redirect_stdout(sink), _no_plugin_autoload():
        code = pytest.main(args, plugins=[plugin])
    if plugin.fatal is not None:
        raise plugin.fatal  # no worker could start: one line for the whole run, not one per question
    if plugin.collect_errors or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        detail = "\n".join(plugin.collect_errors) or sink.getvalue()[-2000:]
        raise GraderError(f"the graders in {root} did not run (pytest exit {int(code)}):\n{detail}")


@contextlib.contextmanager
def _no_plugin_autoload():
    """The graders need no installed pytest plugin (importing some, anyio's
    for one, is a visible part of a self-check's start-up)."""
    saved = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = saved


def assemble(sub: notebook.Submission, student: str, job: Job, public_only: bool) -> Results:
    assignment, lang = sub.assignment, sub.assignment.lang
    res = Results(assignment.id, lang, student, sub.path)
    for q in assignment.questions:
        checks = [c for name, c in job.records if name == q.name]
        qr = QuestionResult(q.name, q.kind, float(q.points), checks, choices=q.choices)
        if not checks and not public_only:
            qr.error = text("grader_error", lang, message="no grader ran")
        elif not public_only and sum(c.points for c in checks) != q.points:
            qr.error = text("grader_error", lang, message=f"points {sum(c.points for c in checks)} != {q.points}")
        res.questions.append(qr)
    for outcome in job.cell_outcomes:
        # an untouched stub is already reported per question as "not implemented"
        if outcome.error and outcome.error["type"] != "NotImplementedError":
            lost = outcome.error["type"] in ("timeout", "crashed", "garbage", "stale", "memory")
            key = "cell_lost" if lost else "cell_failed"
            gid = f" ({outcome.grade_id})" if outcome.grade_id else ""
            message = (outcome.error.get("message") or "").strip().splitlines()
            res.notes.append(text(key, lang, index=outcome.index + 1, grade_id=gid,
                                  type=outcome.error["type"], message=message[-1] if message else ""))
    if len(res.notes) > MAX_NOTES:  # a notebook of many failing cells: what we write stays small
        res.notes[MAX_NOTES:] = [text("more_notes", lang, count=len(res.notes) - MAX_NOTES)]
    return res
