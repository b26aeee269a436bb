"""An autograder zip tried locally before it is uploaded (``rnnquiz gradescope-try ZIP SUBMISSION``).

Gradescope's layout is made in a temporary folder (the zip unpacked to
``source/``, the submission in ``submission/``, ``submission_metadata.json``
naming one user), the zip's own wheel is installed in a temporary virtualenv
that takes everything else (torch, NumPy, pytest) from this environment, and
the zip's grading (``rnnquiz.gradescope.run_autograder``, what ``run_autograder``
starts) runs on it.  Nothing is written to ``/autograder``, ``/opt`` or the
system's Python: ``setup.sh`` is not run (it installs into the image).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rnnquiz.errors import InternalError, UserError
from rnnquiz.gradescope.layout import LOCAL_TRY, SETTINGS, Layout

RUN_TIMEOUT = 900  # seconds: the grading's own limits end a submission well before


class TryError(UserError):
    """A zip or a submission that cannot be tried; the message says which and what to do."""


@dataclass
class Tried:
    results: dict    # results.json, as Gradescope would read it
    output: str      # what run_autograder printed: the instructor's Autograder Output
    assignment: str


def try_zip(zip_path: Path, submission: Path, student_id: str = "1", progress=print) -> Tried:
    """Grade ``submission`` (a notebook, or a folder as a student would upload
    it) with the autograder in ``zip_path``, as Gradescope would."""
    zip_path, submission = Path(zip_path), Path(submission)
    settings, wheel = _inspect(zip_path)
    if not submission.exists() and not submission.is_symlink():
        raise TryError(f"{submission}: no such file or folder; give a notebook or the folder a student would "
                       "upload.")
    with tempfile.TemporaryDirectory(prefix="rnnquiz-gradescope-try-") as tmp:
        tmp = Path(tmp)
        os.chmod(tmp, 0o755)  # student code runs under another uid where it can: the virtualenv must be readable
        layout = Layout(tmp / "autograder")
        progress(f"Gradescope's layout in {layout.root}: the zip in source/, the submission in submission/")
        layout.source.mkdir(parents=True)
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(layout.source)
        _copy_submission(submission, layout.submission)
        layout.metadata.write_text(json.dumps(metadata(student_id)), encoding="utf-8")
        progress(f"a virtualenv with the zip's {wheel} (torch, NumPy and pytest from this environment)")
        python = virtualenv(tmp / "venv", layout.source / wheel)
        progress(f"grading as {settings['assignment']} (run_autograder's steps):")
        try:
            done = subprocess.run([str(python), "-I", "-m", "rnnquiz.gradescope.run_autograder", str(layout.root),
                                   LOCAL_TRY], capture_output=True, text=True, timeout=RUN_TIMEOUT,
                                  env={**os.environ, "RNNQUIZ_VENV": str(tmp / "venv")})
        except subprocess.TimeoutExpired:
            raise InternalError(f"the zip's grading took more than {RUN_TIMEOUT} s; nothing to show.") from None
        output = done.stdout + done.stderr
        try:
            results = json.loads(layout.results.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InternalError(f"the zip's grading wrote no readable results.json ({exc}); its output:\n"
                                f"{output[-3000:]}") from None
    return Tried(results, output, settings["assignment"])


def _inspect(zip_path: Path) -> tuple:
    """(gradescope.json's settings, the wheel's name) of an autograder zip made by ``rnnquiz gradescope``."""
    if not zip_path.is_file():
        raise TryError(f"{zip_path}: no such file; build the zip with `rnnquiz gradescope ASSIGNMENT`.")
    try:
        with zipfile.ZipFile(zip_path) as archive:
            names = archive.namelist()
            settings = json.loads(archive.read(SETTINGS)) if SETTINGS in names else None
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TryError(f"{zip_path}: not a readable zip ({exc}); build it again with `rnnquiz gradescope`.") \
            from None
    wheels = [n for n in names if "/" not in n and n.startswith("rnnquiz-") and n.endswith(".whl")]
    if not isinstance(settings, dict) or not isinstance(settings.get("assignment"), str) or len(wheels) != 1 \
            or "run_autograder" not in names:
        raise TryError(f"{zip_path}: not an autograder zip made by `rnnquiz gradescope` (it needs {SETTINGS}, "
                       "run_autograder and rnnquiz's wheel at its root).")
    return settings, wheels[0]


def _copy_submission(submission: Path, folder: Path):
    """What a student uploads: one file, or a folder's files (links kept as
    links, so that the grader refuses them as it would on Gradescope)."""
    if submission.is_dir() and not submission.is_symlink():
        shutil.copytree(submission, folder, symlinks=True)
        return
    folder.mkdir()
    mode = os.lstat(submission).st_mode
    if not stat.S_ISREG(mode):
        raise TryError(f"{submission}: not a regular file; give the notebook itself.")
    shutil.copy2(submission, folder / submission.name)


def metadata(student_id: str) -> dict:
    """``submission_metadata.json`` as Gradescope writes it, for one user (the inputs are drawn for its id)."""
    return {"id": 0, "created_at": "", "submission_method": "upload", "previous_submissions": [],
            "assignment": {"id": 0, "title": "rnnquiz gradescope-try"},
            "users": [{"id": student_id, "name": "gradescope-try", "email": ""}]}


def virtualenv(folder: Path, wheel: Path) -> Path:
    """A virtualenv holding the zip's wheel, every other package taken from
    this environment by a path entry (no download, nothing installed elsewhere)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, capture_output=True)
    python = folder / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # this environment's packages wherever its path finds them (its own site-packages, or what a
    # .pth file adds), never a source tree: the zip's own rnnquiz must be the one imported
    here = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                          *(p for p in sys.path if p and os.path.isdir(p) and re.search(r"(site|dist)-packages", p))])
    (site / "rnnquiz-try-deps.pth").write_text("".join(f"{p}\n" for p in here), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-index", "-q", str(wheel)], capture_output=True, text=True)
    if done.returncode != 0:
        raise InternalError(f"pip could not install the zip's wheel in a temporary virtualenv:\n"
                            f"{done.stderr[-2000:]}")
    for path in [folder, *folder.rglob("*")]:  # readable by the uid student code runs under
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
    return python
