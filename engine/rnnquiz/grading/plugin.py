"""The pytest plugin that runs hidden graders against submissions.

Graders are plain pytest functions.  They ask for fixtures:

- ``student``: the submission's code, running in a worker (``StudentRunner``)
- ``rng``: a NumPy generator seeded by the student id, question and test
- ``lang``: "pt" or "en"

and carry markers: ``question(name)`` (usually module-level), ``points(n)``,
``public`` for the checks a student may run before submitting.

One pytest session grades many submissions: every grader test is
parametrized over them (session scope, so pytest keeps one submission's
tests together and only one worker is alive at a time).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pytest

from rnnquiz.grading import catalogue
from rnnquiz.grading.checks import Wrong, take_answer
from rnnquiz.grading.student import StudentError, StudentRunner
from rnnquiz.isolation.pool import Pool, PoolError
from rnnquiz.model.messages import text
from rnnquiz.model.results import Verdict

# pytest's outcome exceptions (skip, fail, xfail: BaseExceptions), by their public names
OUTCOMES = (pytest.skip.Exception, pytest.fail.Exception, pytest.xfail.Exception)
# What ``pytest_runtest_protocol`` uses of pytest beyond its public API (the
# session's setup state, an item's request and arguments): pytest's range is
# pinned in pyproject.toml, and tests/grading/test_pytest_range.py checks these.
PRIVATE_API = ("Session._setupstate", "SetupState.setup", "SetupState.teardown_exact", "Item._request",
               "Item.funcargs")


@dataclass
class Job:
    key: str
    student_id: str
    lang: str
    cells: list
    mistakes: dict = field(default_factory=dict)  # the assignment's: key -> {lang: text}
    packages: dict = field(default_factory=dict)   # question -> the only packages its answer may use
    records: list = field(default_factory=list)    # (question, Verdict)
    cell_outcomes: list = field(default_factory=list)
    catalogues: dict = field(default_factory=dict)  # question -> Catalogue (typical mistakes as variants)


def seed_for(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def render_student_error(error: StudentError, lang: str) -> str:
    d = error.detail
    lines = str(d.get("message") or "").strip().splitlines()
    return text(error.kind, lang, name=error.name, type=d.get("type", ""),
                message=lines[-1] if lines else "", seconds=float(d.get("seconds", 0) or 0))


class GradingPlugin:
    def __init__(self, jobs: list, pool: Pool | None, limits, public_only: bool = False,
                 runner_factory=None, reports: bool = False):
        self.jobs = {job.key: job for job in jobs}
        self.order = [job.key for job in jobs]
        self.pool, self.limits, self.public_only = pool, limits, public_only
        # how a job's code is reached: a worker process (for a question restricted
        # to some packages, one of a pool where no other package exists), or
        # (in-kernel) the namespace
        self.runner_factory = runner_factory or (
            lambda job, packages: StudentRunner(self.pool if packages is None else self.pool.for_packages(packages),
                                                job.cells, self.limits, restricted=packages is not None))
        self.current: tuple | None = None  # (key, {packages: StudentRunner})
        # pytest's reports, for a person reading pytest's output (graders run by
        # hand); rnnquiz reads the records and skips them
        self.reports = reports
        self.collect_errors: list = []
        # no worker could start: not any question's fault, so no question is
        # scored; the session stops and the caller says it once (``run_graders``)
        self.fatal: PoolError | None = None
        self.recorders: dict = {}  # test id -> the Recorder of its calls

    # --- parametrization and order ---------------------------------------------
    def pytest_generate_tests(self, metafunc):
        if "job" in metafunc.fixturenames:
            metafunc.parametrize("job", self.order, ids=self.order, scope="session")

    def pytest_collection_modifyitems(self, session, config, items):
        if self.public_only:
            items[:] = [i for i in items if i.get_closest_marker("public")]
        position = {key: n for n, key in enumerate(self.order)}
        original = {id(item): n for n, item in enumerate(items)}
        items.sort(key=lambda i: (position.get(_job_key(i), -1), original[id(i)]))

    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext[-500:]}")

    # --- fixtures ----------------------------------------------------------------
    @pytest.fixture
    def student(self, request, job):
        runner = self._runner(job, self.jobs[job].packages.get(_question(request.node)))
        if _question(request.node) not in self.jobs[job].catalogues:
            return runner
        # the calls this check makes, for naming a mistake that explains them all
        recorder = self.recorders[request.node.nodeid] = catalogue.Recorder(runner)
        return recorder

    @pytest.fixture
    def lang(self, job):
        return self.jobs[job].lang

    @pytest.fixture
    def rng(self, request, job):
        return np.random.default_rng(seed_for(self.jobs[job].student_id, _question(request.node),
                                              request.node.originalname))

    def _runner(self, key: str, packages: tuple | None = None) -> StudentRunner:
        if not (self.current and self.current[0] == key):
            self._finish_current()
            self.current = (key, {})
        runners = self.current[1]
        if packages not in runners:
            runner = self.runner_factory(self.jobs[key], packages)
            # one clock per submission: a worker of restricted packages replays the
            # cells within what is left of the submission's time, not a time of its own
            started = [r.started for r in runners.values() if getattr(r, "started", 0)]
            if started and hasattr(runner, "started"):
                runner.started = min(started)
            runners[packages] = runner.start()
        return runners[packages]

    def _finish_current(self):
        if self.current:
            key, runners = self.current
            # the notebook's cells as a submission runs them (a restricted worker
            # fails those that import what it lacks: not the student's error)
            main = runners.get(None)
            self.jobs[key].cell_outcomes = list(main.outcomes) if main else []
            for runner in runners.values():
                runner.close()
            self.current = None

    def pytest_sessionfinish(self, session):
        self._finish_current()

    # --- outcomes ----------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        """pytest's own protocol for one test, without what no one reads here:
        no report objects, no log hooks, no per-phase environment variable
        (together about a third of the time a grader spends per submission).
        Setup, call and teardown are still pytest's (fixtures, finalizers);
        the outcome goes straight to the job's records.  Graders use no skip
        or xfail marks: here, as any exception, ``pytest.skip`` fails the check."""
        key = _job_key(item)
        if key not in self.jobs or self.reports:
            return None  # pytest's protocol (``pytest_runtest_makereport`` records)
        state = item.session._setupstate
        error = None
        try:
            state.setup(item)
            item.runtest()
        except pytest.exit.Exception:
            raise  # pytest.exit stops the session, as under pytest's own protocol
        except PoolError as exc:
            self.fatal = exc
            item.session.shouldstop = str(exc)
            return True
        except (Exception, *OUTCOMES) as exc:  # a failed check (KeyboardInterrupt stops the session)
            error = exc
        finally:
            try:
                state.teardown_exact(nextitem)
            except (Exception, *OUTCOMES):
                pass  # a fixture's teardown: never the student's score
            item._request, item.funcargs = False, None
        self._record(item, self.jobs[key], error)
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """With pytest's protocol: record, and report the feedback (not a traceback)."""
        job = self.jobs.get(_job_key(item))
        if job is None:
            return None
        failed = call.excinfo is not None
        error = call.excinfo.value if failed else None
        if isinstance(error, PoolError):
            self.fatal = error
            item.session.shouldstop = str(error)
        check = self._record(item, job, error) if call.when == "call" or (call.when == "setup" and failed) \
            else None
        return pytest.TestReport(item.nodeid, item.location, {}, "failed" if failed else "passed",
                          ((check.feedback if check else "") or type(error).__name__) if failed else None,
                          call.when, duration=call.duration, start=call.start, stop=call.stop)

    def _record(self, item, job: Job, error: BaseException | None) -> Verdict:
        feedback, mistake = "", None
        recorder = self.recorders.pop(item.nodeid, None)
        if isinstance(error, Wrong) and recorder is not None and error.key in catalogue.VALUE_FAILURES:
            try:  # the catalogue decides the cause of a wrong value: one that explains every input, or none
                error.mistake = catalogue.explain(job.catalogues[_question(item)], recorder,
                                                  seed_for(job.student_id, _question(item), "probes"))
            except Exception:
                error.mistake = None
        if error is not None:
            try:
                feedback, mistake = self._explain(error, job)
            except Exception as exc:  # an error here would stop pytest for the whole batch
                feedback = text("grader_error", job.lang, message=f"{type(exc).__name__}: {exc}"[:300])
                mistake = "grader_error"
        points = item.get_closest_marker("points")
        check = Verdict(name=item.originalname, points=float(points.args[0]) if points else 0.0,
                      passed=error is None, feedback=feedback, mistake=mistake,
                      public=item.get_closest_marker("public") is not None,
                      answer=take_answer(), not_attempted=_not_attempted(error))
        job.records.append((_question(item), check))
        return check

    @staticmethod
    def _explain(exc: BaseException, job: Job) -> tuple:
        lang = job.lang
        if isinstance(exc, Wrong):
            return exc.render(lang, job.mistakes), exc.mistake
        if isinstance(exc, StudentError):
            return render_student_error(exc, lang), exc.kind
        if isinstance(exc, AssertionError):
            return str(exc) or type(exc).__name__, None
        return text("grader_error", lang, message=f"{type(exc).__name__}: {exc}"[:300]), "grader_error"


def _not_attempted(error: BaseException | None) -> bool:
    """An untouched stub, a function that is not there, a quiz left blank:
    nothing was tried, so there is no mistake to diagnose."""
    if isinstance(error, StudentError):
        return error.kind in ("not_implemented", "missing")
    return isinstance(error, Wrong) and error.key == "quiz_unanswered"


def _job_key(item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("job") if callspec else None


def _question(node) -> str:
    marker = node.get_closest_marker("question")
    return marker.args[0] if marker else node.module.__name__
