"""The whole nbgrader cycle in a scratch course: release, fetch, submit, collect,
autograde, feedback, export, with nbgrader's own commands and a local exchange.

Used by ``rnnquiz demo`` and by the project's tests, so both drive exactly the
commands an instructor runs.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import content

COURSE_ID = "rnnquiz"


class CycleError(RuntimeError):
    pass


@dataclass
class Cycle:
    workdir: Path
    source_root: Path  # the course whose content is used
    log: list = field(default_factory=list)  # (command, seconds)

    @property
    def course(self) -> Path:
        return self.workdir / "course"

    @property
    def exchange(self) -> Path:
        return self.workdir / "exchange"

    def student_home(self, student: str) -> Path:
        return self.workdir / "students" / student

    def nbgrader(self, *args, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ)
        # nbgrader runs `alembic` from PATH: the one installed beside this Python
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        cmd = [sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={self.exchange}"]
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        self.log.append((" ".join(["nbgrader", *args]), done.returncode))
        if check and done.returncode != 0:
            raise CycleError(f"`nbgrader {' '.join(args)}` failed:\n{done.stderr[-3000:]}")
        return done

    def setup(self, assignment_ids: list):
        """A course folder with our source notebooks, graders and config, plus an empty exchange."""
        self.course.mkdir(parents=True)
        self.exchange.mkdir(parents=True)
        os.chmod(self.exchange, 0o777)
        catalog = content.course_catalog(self.source_root)
        for aid in assignment_ids:
            shutil.copytree(self.source_root / "source" / aid, self.course / "source" / aid)
            folder = catalog.get(aid).folder
            target = self.course / content.CONTENT_DIR / folder.name
            if not target.exists():
                shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(self.source_root / "nbgrader_config.py", self.course / "nbgrader_config.py")
        self.nbgrader("generate_assignment", "--assignment=*", cwd=self.course)
        for aid in assignment_ids:
            self.nbgrader("release_assignment", aid, f"--course={COURSE_ID}", cwd=self.course)

    def fetch_and_submit(self, student: str, aid: str, work: dict | None):
        """The student fetches the release, writes ``work`` into it (None: untouched), submits."""
        home = self.student_home(student)
        home.mkdir(parents=True, exist_ok=True)
        self.nbgrader("fetch_assignment", aid, f"--course={COURSE_ID}", cwd=home)
        target = home / aid / f"{aid}.ipynb"
        if work is not None:
            target.write_text(json.dumps(work, indent=1, ensure_ascii=False))
        self.nbgrader("submit", aid, f"--course={COURSE_ID}", f"--student={student}", cwd=home)

    def grade(self, assignment_ids: list) -> dict:
        """Collect, autograde, generate feedback and export; returns {(student, aid): score}."""
        for aid in assignment_ids:
            self.nbgrader("collect", aid, f"--course={COURSE_ID}", cwd=self.course)
        for aid in assignment_ids:
            # autograde may fail for single students; nbgrader grades the others and says so
            self.nbgrader("autograde", aid, "--create", cwd=self.course, check=False)
            self.nbgrader("generate_feedback", aid, cwd=self.course, check=False)
        self.nbgrader("export", f"--to={self.course / 'grades.csv'}", cwd=self.course)
        return read_export(self.course / "grades.csv")

    def feedback_files(self) -> list:
        return sorted((self.course / "feedback").rglob("*.html"))


def read_export(path: Path) -> dict:
    with open(path, newline="") as f:
        return {(row["student_id"], row["assignment"]): (float(row["score"]), float(row["max_score"]))
                for row in csv.DictReader(f)}
