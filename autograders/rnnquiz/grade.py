"""Grade submissions: hidden graders (pytest) against isolated student code."""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import assignments, notebook
from .messages import text
from .plugin import GradingPlugin, Job
from .results import QuestionResult, Results
from .sandbox import Limits
from .session import Pool


# pytest plugins graders do not need; logging and warnings capture alone cost
# ~20 ms per submission (measured with cProfile on a class batch)
QUIET_PLUGINS = [arg for name in ("cacheprovider", "logging", "warnings", "faulthandler", "doctest",
                                   "junitxml", "pastebin", "stepwise", "unraisableexception",
                                   "threadexception")
                 for arg in ("-p", f"no:{name}")]


class GraderError(RuntimeError):
    """The graders themselves failed (an instructor's problem, not a student's)."""


@dataclass
class Request:
    path: str
    student: str = "student"
    assignment_id: str | None = None  # None: read it from the notebook


def grade_many(requests: list, *, public_only: bool = False, limits: Limits | None = None,
               pool: Pool | None = None) -> list:
    """One ``Results`` per request, in order; unreadable files get an error result."""
    subs = []
    for req in requests:
        try:
            subs.append((notebook.read(req.path, req.assignment_id), req.student))
        except notebook.NotebookError as exc:
            aid = req.assignment_id or "?"
            subs.append((Results(aid, _lang_of(aid), req.student, str(req.path), error=str(exc)), req.student))
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
        groups.setdefault(sub.assignment.base, []).append((n, student, sub))
    if not groups:
        return results
    own_pool = pool is None
    pool = pool or Pool(limits).launch()
    try:
        for base, members in groups.items():
            jobs = [Job(key=f"s{n}", student_id=student, lang=sub.assignment.lang, cells=sub.cells)
                    for n, student, sub in members]
            run_graders(assignments.get(base).graders_dir, jobs, pool, limits, public_only)
            for (n, student, sub), job in zip(members, jobs):
                results[n] = assemble(sub, student, job, public_only)
    finally:
        if own_pool:
            pool.close()
    return results


def grade(path, student: str = "student", assignment_id: str | None = None, **kwargs) -> Results:
    """Grade one notebook as ``assignment_id`` (default: the file's name says
    which); raises ``NotebookError`` when it cannot be graded."""
    sub = notebook.read(path, assignment_id)  # raise early, with the file's own message
    [result] = grade_many([Request(str(path), student, sub.assignment.id)], **kwargs)
    return result


def run_graders(graders_dir: Path, jobs: list, pool: Pool, limits: Limits, public_only: bool):
    plugin = GradingPlugin(jobs, pool, limits, public_only)
    args = [str(graders_dir), "-c", str(graders_dir.parent / "pytest.ini"),
            "--rootdir", str(graders_dir.parent), "--import-mode=importlib",
            "-q", "--no-header", *QUIET_PLUGINS]
    sink = io.StringIO()  # pytest's own report is not ours to print
    with contextlib.redirect_stdout(sink):
        code = pytest.main(args, plugins=[plugin])
    if plugin.collect_errors or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        detail = "\n".join(plugin.collect_errors) or sink.getvalue()[-2000:]
        raise GraderError(f"the graders in {graders_dir} did not run (pytest exit {int(code)}):\n{detail}")


def assemble(sub: notebook.Submission, student: str, job: Job, public_only: bool) -> Results:
    assignment, lang = sub.assignment, sub.assignment.lang
    res = Results(assignment.id, lang, student, sub.path)
    for q in assignment.questions:
        checks = [c for name, c in job.records if name == q.name]
        qr = QuestionResult(q.name, q.kind, float(q.points), checks)
        if not checks and not public_only:
            qr.error = text("grader_error", lang, message="no grader ran")
        elif not public_only and sum(c.points for c in checks) != q.points:
            qr.error = text("grader_error", lang, message=f"points {sum(c.points for c in checks)} != {q.points}")
        res.questions.append(qr)
    for outcome in job.cell_outcomes:
        # an untouched stub is already reported per question as "not implemented"
        if outcome.error and outcome.error["type"] != "NotImplementedError":
            key = "cell_lost" if outcome.error["type"] in ("timeout", "crashed", "garbage", "stale") else "cell_failed"
            gid = f" ({outcome.grade_id})" if outcome.grade_id else ""
            message = (outcome.error.get("message") or "").strip().splitlines()
            res.notes.append(text(key, lang, index=outcome.index + 1, grade_id=gid,
                                  type=outcome.error["type"], message=message[-1] if message else ""))
    return res


def _lang_of(assignment_id: str) -> str:
    return "en" if str(assignment_id).endswith("_en") else "pt"
