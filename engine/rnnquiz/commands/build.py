"""Regenerate ``assignments/`` and ``solutions/`` from ``source/`` with nbgrader itself."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from rnnquiz.commands.cycle import NBGRADER
from rnnquiz.errors import InternalError
from rnnquiz.model.content import CONTENT_DIR

GENERATED = ("assignments", "solutions")
STEPS = (("generate_assignment", "assignments"), ("generate_solution", "solutions"))


class BuildError(InternalError):
    pass


def build(course_root: Path, out_root: Path | None = None) -> list:
    """Run nbgrader on a scratch copy of the course; copy the results to ``out_root``.

    A scratch copy keeps nbgrader's gradebook and logs out of the repository.
    Returns the notebooks written.
    """
    course_root = Path(course_root)
    out_root = Path(out_root or course_root)
    written = []
    with tempfile.TemporaryDirectory(prefix="rnnquiz-build-") as scratch:
        scratch = Path(scratch)
        shutil.copytree(course_root / "source", scratch / "source")
        shutil.copy(course_root / "nbgrader_config.py", scratch / "nbgrader_config.py")
        # the manifests say which notebooks are ours (and so which stub language they get)
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
        for folder in GENERATED:
            target = out_root / folder
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(scratch / folder, target)
            written += sorted(target.rglob("*.ipynb"))
    return written
