"""The whole nbgrader cycle in a scratch course: release, fetch, submit, collect,
autograde, feedback, export, and each student fetching their feedback, with
nbgrader's own commands and a local exchange (and cache: nothing of it lands
in the user's own nbgrader cache).

Used by ``rnnquiz demo`` and by the project's tests, so both drive exactly the
commands an instructor runs.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from rnnquiz.errors import InternalError

COURSE_ID = "rnnquiz"
# nbgrader's command line, started without jsonschema's optional rfc3987 checker:
# importing it builds some 35 grammars (most of every nbgrader command's start) for
# "iri" formats that nothing validates (nbformat and nbgrader pass no format
# checker); the commands are otherwise nbgrader's own
NBGRADER = [sys.executable, "-c", "import sys; sys.modules.setdefault('rfc3987_syntax', None); "
            "sys.argv[0] = 'nbgrader'; from nbgrader.apps.nbgraderapp import main; main()"]


class CycleError(InternalError):
    pass


@dataclass
class Cycle:
    workdir: Path
    source_root: Path  # the course whose content is used
    course_id: str = COURSE_ID
    log: list = field(default_factory=list)  # (command, return code)
    progress: object = None  # called with one line per nbgrader command, as it ends (the demo prints them)
    # students' commands run side by side: one line at a time
    _said: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def course(self) -> Path:
        return self.workdir / "course"

    @property
    def exchange(self) -> Path:
        return self.workdir / "exchange"

    def student_home(self, student: str) -> Path:
        return self.workdir / "students" / student

    def nbgrader(self, *args, cwd: Path, check: bool = True, cache: Path | None = None,
                 who: str = "") -> subprocess.CompletedProcess:
        """An nbgrader command; ``cache``: a student's own nbgrader cache (each
        student has one, as each has a home of their own); ``who``: whom or what
        the progress line names (default: its --student)."""
        env = dict(os.environ)
        # nbgrader runs `alembic` from PATH: the one installed beside this Python
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        cmd = [*NBGRADER, *args, f"--Exchange.root={self.exchange}",
               f"--Exchange.cache={cache or self.workdir / 'cache'}"]
        start = time.monotonic()
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        words = [a for a in args if not a.startswith("--") or a.startswith("--assignment=")][:2]
        who = who or next((a.split("=", 1)[1] for a in args if a.startswith("--student=")), "")
        with self._said:
            self.log.append((" ".join(["nbgrader", *args]), done.returncode))
            if self.progress:
                self.progress(f"  nbgrader {' '.join(words)}{f' ({who})' if who else ''}: "
                              f"{'done' if done.returncode == 0 else 'failed'} in {time.monotonic() - start:.1f} s")
        if check and done.returncode != 0:
            raise CycleError(f"`nbgrader {' '.join(args)}` failed:\n{done.stderr[-3000:]}")
        return done

    @property
    def release(self) -> Path:
        return self.course / "release"  # nbgrader's default release_directory

    def setup(self, assignment_ids: list):
        """A new course made by ``rnnquiz init`` with our assignments, plus an empty exchange."""
        from rnnquiz.commands.init import init
        self.course.mkdir(parents=True)
        self.exchange.mkdir(parents=True)
        os.chmod(self.exchange, 0o777)
        init(self.course, list(assignment_ids), origin=self.source_root, course_id=self.course_id)
        self.nbgrader("generate_assignment", "--assignment=*", cwd=self.course, who="every assignment in source/")
        for aid in assignment_ids:
            self.nbgrader("release_assignment", aid, f"--course={self.course_id}", cwd=self.course)

    def fetch_and_submit(self, student: str, aid: str, work: dict | None, notebook: str | None = None):
        """The student fetches the release, writes ``work`` into its notebook
        (default: named as the assignment; None: untouched), submits."""
        home = self.student_home(student)
        home.mkdir(parents=True, exist_ok=True)
        self.nbgrader("fetch_assignment", aid, f"--course={self.course_id}", cwd=home, cache=home / ".cache",
                      who=student)
        target = home / aid / f"{notebook or aid}.ipynb"
        if work is not None:
            target.write_text(json.dumps(work, indent=1, ensure_ascii=False))
        self.nbgrader("submit", aid, f"--course={self.course_id}", f"--student={student}", cwd=home,
                      cache=home / ".cache")

    def fetch_and_submit_all(self, works: list):
        """[(student, aid, work[, notebook])] as ``fetch_and_submit`` takes
        them: each student's in order, the students side by side, as a class
        works (each has a home and a cache of their own; every submission
        lands in the exchange under its own name)."""
        by_student: dict = {}
        for student, *rest in works:
            by_student.setdefault(student, []).append(rest)

        def one(student):
            for rest in by_student[student]:
                self.fetch_and_submit(student, *rest)
        side_by_side(one, list(by_student))

    def grade(self, assignment_ids: list) -> dict:
        """Collect, autograde, generate and release feedback, export; returns {(student, aid): score}."""
        for aid in assignment_ids:
            self.nbgrader("collect", aid, f"--course={self.course_id}", cwd=self.course)
        # every collected assignment at once where these are all of them (nbgrader
        # takes a pattern: one start-up of nbgrader, not one each); autograde may
        # fail for single students: nbgrader grades the others and says so
        collected = {p.name for p in (self.course / "submitted").glob("*/*") if p.is_dir()}
        converted = ["--assignment=*"] if assignment_ids and collected == set(assignment_ids) \
            else list(assignment_ids)
        every = ", ".join(assignment_ids) if converted == ["--assignment=*"] else ""
        for aid in converted:
            self.nbgrader("autograde", aid, "--create", cwd=self.course, check=False, who=every)
        for aid in converted:
            self.nbgrader("generate_feedback", aid, cwd=self.course, check=False, who=every)
        for aid in assignment_ids:
            self.nbgrader("release_feedback", aid, f"--course={self.course_id}", cwd=self.course, check=False)
        self.nbgrader("export", f"--to={self.course / 'grades.csv'}", cwd=self.course)
        return read_export(self.course / "grades.csv")

    def release_feedback(self, aid: str):
        self.nbgrader("release_feedback", aid, f"--course={self.course_id}", cwd=self.course)

    def fetch_feedback(self, student: str, aid: str) -> list:
        """The student fetches their feedback; returns the HTML files they now have."""
        home = self.student_home(student)
        self.nbgrader("fetch_feedback", aid, f"--course={self.course_id}", f"--student={student}", cwd=home,
                      cache=home / ".cache")
        return sorted((home / aid / "feedback").rglob("*.html"))

    def fetch_feedback_all(self, students: list, assignment_ids: list) -> dict:
        """(student, aid) -> the HTML files they fetched, the students side by side."""
        fetched: dict = {}

        def one(student):
            for aid in assignment_ids:
                fetched[(student, aid)] = self.fetch_feedback(student, aid)
        side_by_side(one, list(students))
        return {(student, aid): fetched[(student, aid)] for student in students for aid in assignment_ids}

    def feedback_files(self) -> list:
        return sorted((self.course / "feedback").rglob("*.html"))


def side_by_side(work, items: list):
    """``work(item)`` for every item, as many at once as there are cores: the
    students' own nbgrader commands touch nothing another student's does, and
    each one is mostly the start-up of its own Python.  The first error ends
    it: what has not started is cancelled, and the error is raised."""
    if not items:
        return
    with ThreadPoolExecutor(max_workers=min(len(items), os.cpu_count() or 1)) as pool:
        futures = [pool.submit(work, item) for item in items]
        finished, _pending = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f in finished and f.exception() is not None), None)
        if failed is not None:
            pool.shutdown(cancel_futures=True)
            raise failed.exception()


def read_export(path: Path) -> dict:
    with open(path, newline="") as f:
        return {(row["student_id"], row["assignment"]): (float(row["score"]), float(row["max_score"]))
                for row in csv.DictReader(f)}
