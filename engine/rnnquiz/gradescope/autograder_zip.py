"""The zip an instructor uploads as the autograder of a Gradescope
programming assignment (``rnnquiz gradescope ASSIGNMENT``).

It holds what grading needs and nothing a student could use if they saw it
(no solution, no samples, no source notebook): ``setup.sh`` and
``run_autograder`` (``scripts``), the rnnquiz wheel built from this
checkout with ``pip wheel --no-deps``, ``constraints.txt`` (rnnquiz's runtime
dependencies pinned to the versions installed here), ``gradescope.json`` (the
assignment and each test's visibility) and the assignment's content folder
``autograders/<base>/`` (``assignment.toml``, ``public/``, ``hidden/``).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from rnnquiz.errors import InternalError, UserError
from rnnquiz.gradescope import scripts
from rnnquiz.gradescope.layout import SETTINGS
from rnnquiz.gradescope.run_autograder import failed
from rnnquiz.model import content
from rnnquiz.outputs.gradescope_json import VISIBILITIES

CHECKOUT = Path(__file__).resolve().parents[3]  # engine/rnnquiz/gradescope/ -> the repository
CONTENT_PARTS = (content.MANIFEST, content.PUBLIC, content.HIDDEN, content.MISTAKES_DIR)  # what grading reads
DIST = "dist"  # the default folder of the zip, in the working folder (git ignores it)
ZIP_DATE = (2020, 1, 1, 0, 0, 0)  # the same bytes for the same inputs


class GradescopeError(UserError):
    """An autograder that cannot be built as asked; the message says what to do."""


def build(assignment_id: str, out: Path | None = None, visibility: list | None = None,
          course: Path | None = None, wheel: Path | None = None) -> Path:
    """Write the autograder zip for ``assignment_id`` (an assignment of the
    course, one language: Gradescope grades one notebook); returns its path.
    ``visibility``: ``VIS`` for every question or ``QUESTION=VIS``, later ones
    winning; ``wheel``: rnnquiz's, already built (default: built now)."""
    catalog = content.course_catalog(course)
    if assignment_id not in catalog:
        twins = [a.id for a in catalog.bases().get(assignment_id, [])]
        hint = f"; name one language of it: {', '.join(sorted(twins))}" if twins else ""
        raise GradescopeError(f"unknown assignment {assignment_id!r}{catalog.suggest(assignment_id)}{hint}; "
                              f"known here: {catalog.known()}.")
    assignment = catalog.get(assignment_id)
    if not assignment.has_hidden:
        raise GradescopeError(f"{assignment.folder}: no hidden/ graders; build the autograder from the course "
                              "that has them (see `rnnquiz init`).")
    shown = parse_visibility(visibility or [], assignment)
    out = Path(out or Path(DIST) / f"{assignment.id}-autograder.zip")
    with tempfile.TemporaryDirectory(prefix="rnnquiz-gradescope-") as tmp:
        wheel = Path(wheel) if wheel else build_wheel(Path(tmp))
        files = {
            "setup.sh": scripts.render(scripts.SETUP_SH, assignment=assignment.id, python=python_version(),
                                       torch=pinned_torch(), wheel=wheel.name, venv=scripts.VENV,
                                       torch_index=scripts.TORCH_INDEX),
            "run_autograder": scripts.render(scripts.RUN_AUTOGRADER, assignment=assignment.id, venv=scripts.VENV,
                                             fallback=json.dumps(failed(assignment, 0, shown), indent=2)),
            "constraints.txt": constraints(),
            SETTINGS: json.dumps({"assignment": assignment.id, "visibility": shown}, indent=2) + "\n",
        }
        write_zip(out, files, wheel, assignment.folder)
    return out


def parse_visibility(items: list, assignment) -> dict:
    """{question: Gradescope visibility} for every question of ``assignment``."""
    names = [q.name for q in assignment.questions]
    shown = dict.fromkeys(names, "visible")
    for item in items:
        question, _, value = item.rpartition("=")
        if value not in VISIBILITIES:
            raise GradescopeError(f"--visibility {item}: use one of {', '.join(VISIBILITIES)}, for every question "
                                  "or as QUESTION=VISIBILITY.")
        if question and question not in shown:
            raise GradescopeError(f"--visibility {item}: {assignment.id} has no question {question!r} "
                                  f"(its questions: {', '.join(names)}).")
        for name in [question] if question else names:
            shown[name] = value
    return shown


def build_wheel(tmp: Path) -> Path:
    """``pip wheel --no-deps`` of a copy of the checkout's package (its
    ``pyproject.toml``, the engine, the content whose public part the wheel
    carries): no build folder is left in the checkout."""
    if not (CHECKOUT / "pyproject.toml").is_file() or not (CHECKOUT / "engine" / "rnnquiz").is_dir():
        raise GradescopeError(f"rnnquiz runs here from {CHECKOUT}, not from a checkout of its repository; "
                              "the zip carries a wheel built from one: run `rnnquiz gradescope` with the "
                              "checkout's virtualenv (`make setup`).")
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    src.mkdir()
    shutil.copy2(CHECKOUT / "pyproject.toml", src / "pyproject.toml")
    for name in ("engine", content.CONTENT_DIR):
        shutil.copytree(CHECKOUT / name, src / name, ignore=ignore, symlinks=False)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), "."],
                          cwd=src, capture_output=True, text=True)
    wheels = sorted((tmp / "dist").glob("rnnquiz-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise InternalError(f"pip wheel failed in a copy of {CHECKOUT}:\n{done.stderr[-2000:]}")
    return wheels[0]


def python_version() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def pinned_torch() -> str:
    """The installed torch's version without its build tag (``2.13.0+cpu`` -> ``2.13.0``)."""
    from importlib.metadata import version

    from packaging.version import Version
    return Version(version("torch")).public


def constraints(root: str = "rnnquiz") -> str:
    """One ``name==version`` line per runtime dependency of ``root``, all the
    way down, at the versions installed in this environment (torch without its
    build tag: setup.sh takes it from PyTorch's CPU index)."""
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    from packaging.version import Version
    pins: dict = {}    # name -> version
    extras: dict = {}  # name -> the extras of it already followed
    todo = [(root, frozenset())]
    while todo:
        name, wanted = todo.pop()
        for line in distribution(name).requires or []:
            req = Requirement(line)
            if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in ("", *wanted)):
                continue
            key = canonicalize_name(req.name)
            try:
                dist = distribution(req.name)
            except PackageNotFoundError:
                raise InternalError(f"{req.name}, which {name} needs, is not installed here; run `make setup` "
                                    "and build the zip again.") from None
            if key not in pins or set(req.extras) - extras[key]:
                pins[key] = Version(dist.version).public
                extras[key] = extras.get(key, set()) | set(req.extras)
                todo.append((req.name, frozenset(extras[key])))
    header = (f"# rnnquiz's runtime dependencies as installed where the zip was built (Python {python_version()});\n"
              "# made by `rnnquiz gradescope`, read by setup.sh\n")
    return header + "".join(f"{key}=={version}\n" for key, version in sorted(pins.items()))


def write_zip(out: Path, files: dict, wheel: Path, folder: Path):
    """The zip, written whole or not at all: the files at its root, the wheel,
    and the parts of the content folder grading reads (no samples, no caches)."""
    entries = [(name, text.encode(), 0o755 if name in ("setup.sh", "run_autograder") else 0o644)
               for name, text in files.items()]
    entries.append((wheel.name, wheel.read_bytes(), 0o644))
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] not in CONTENT_PARTS or "__pycache__" in relative.parts or path.suffix == ".pyc":
            continue
        if path.is_symlink():
            raise GradescopeError(f"{path}: a symbolic link in the content folder; replace it with the file.")
        if path.is_file():
            entries.append((f"{content.CONTENT_DIR}/{folder.name}/{relative.as_posix()}", path.read_bytes(), 0o644))
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = (0o100000 | mode) << 16  # a regular file and its permissions
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    partial.replace(out)
