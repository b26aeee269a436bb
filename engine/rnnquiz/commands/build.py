"""Regenerate the student and solution notebooks from ``source/`` with nbgrader itself.

The folders are the course's own, as its nbgrader configuration names them
(``release_directory`` and ``solution_directory``: ``assignments/`` and
``solutions/`` in rnnquiz's repository, nbgrader's ``release/`` and
``solution/`` in a course made by ``rnnquiz init``).  Only each assignment's
own folder in them is written, and only when it holds nothing but what the
build writes there: a file the build would not make again is never deleted.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rnnquiz.commands.cycle import NBGRADER
from rnnquiz.errors import InternalError, UserError
from rnnquiz.model.content import CONTENT_DIR

STEPS = (("generate_assignment", "release_directory"), ("generate_solution", "solution_directory"))
GENERATED = {"__pycache__", ".ipynb_checkpoints"}  # what Python and Jupyter leave in a folder: not the instructor's


class BuildError(InternalError):
    pass


class BuildRefused(UserError):
    """A folder the build would replace holds something it did not make."""


def folders(course_root: Path) -> dict:
    """{nbgrader command: the course folder it writes} (relative to the course), as the course configures them."""
    from rnnquiz.nbgrader.course import CONFIG, course_directory
    if not (course_root / CONFIG).is_file() or not (course_root / "source").is_dir():
        raise BuildRefused(f"{course_root}: not an nbgrader course (no {CONFIG} and source/ here); run "
                           "`rnnquiz build` from the course folder.")
    coursedir = course_directory(course_root)
    out = {}
    for command, trait in STEPS:
        folder = Path(getattr(coursedir, trait))
        if folder.is_absolute() or ".." in folder.parts or str(folder) in ("", ".", coursedir.source_directory):
            raise BuildRefused(f"{course_root / CONFIG}: CourseDirectory.{trait} is {str(folder)!r}; "
                               "`rnnquiz build` writes only to a folder inside the course, apart from source/.")
        out[command] = folder
    return out


def build(course_root: Path, out_root: Path | None = None) -> list:
    """Run nbgrader on a scratch copy of the course; copy each assignment's
    results to the course's folders under ``out_root`` (default: the course).
    A scratch copy keeps nbgrader's gradebook and logs out of the course.
    Returns the notebooks written; raises ``BuildRefused``, with nothing
    written, when a folder to replace holds a file the build would not make."""
    course_root = Path(course_root).resolve()
    out_root = Path(out_root or course_root)
    targets = folders(course_root)
    # nbgrader makes an assignment's folders from its source folder alone: a file
    # that is not in source is refused now, before nbgrader's long run (what
    # nbgrader actually made is checked again below)
    for source in sorted(p for p in (course_root / "source").iterdir() if p.is_dir()):
        for folder in targets.values():
            _refuse_foreign(source, out_root / folder / source.name)
    with tempfile.TemporaryDirectory(prefix="rnnquiz-build-") as scratch:
        scratch = Path(scratch)
        shutil.copytree(course_root / "source", scratch / "source")
        shutil.copy(course_root / "nbgrader_config.py", scratch / "nbgrader_config.py")
        # the manifests say which notebooks are ours (and so which stub language they get)
        if (course_root / CONTENT_DIR).is_dir():
            shutil.copytree(course_root / CONTENT_DIR, scratch / CONTENT_DIR,
                            ignore=shutil.ignore_patterns("__pycache__", "hidden"))
        env = dict(os.environ)
        # nbgrader runs `alembic` from PATH: the one installed beside this Python
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        for command, _folder in STEPS:
            done = subprocess.run(
                [*NBGRADER, command, "--assignment=*", "--force",
                 f"--db=sqlite:///{scratch / 'gradebook.db'}"],
                cwd=scratch, env=env, capture_output=True, text=True)
            if done.returncode != 0 or "ERROR" in done.stderr:
                errors = [line for line in done.stderr.splitlines() if "ERROR" in line or "Error" in line]
                raise BuildError(f"nbgrader {command} failed:\n" + "\n".join(errors[:20] or [done.stderr[-3000:]]))
        plan = []  # (fresh assignment folder, where it goes)
        for folder in targets.values():
            made = scratch / folder
            for fresh in sorted(p for p in made.iterdir() if p.is_dir()) if made.is_dir() else []:
                plan.append((fresh, out_root / folder / fresh.name))
        for fresh, target in plan:  # every refusal before anything is written
            _refuse_foreign(fresh, target)
        written = []
        for fresh, target in plan:
            if target.exists():
                shutil.rmtree(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(fresh, target)
            written += sorted(target.rglob("*.ipynb"))
    return written


def _refuse_foreign(fresh: Path, target: Path):
    """``target`` may be replaced by ``fresh`` only if it holds nothing else:
    every file in it is one the build writes again (caches aside)."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise BuildRefused(f"{target}: not a folder the build made (a link or a file); move it away and build "
                           "again. Nothing was written.")
    if not target.exists():
        return
    made = {p.relative_to(fresh) for p in fresh.rglob("*")}
    for path in sorted(target.rglob("*")):
        relative = path.relative_to(target)
        if GENERATED & set(relative.parts):
            continue
        if relative not in made or path.is_symlink():
            raise BuildRefused(f"{path}: the build would delete it (it makes {target} from "
                               f"source/{target.name} and nothing else); move it away and build again. "
                               "Nothing was written.")
