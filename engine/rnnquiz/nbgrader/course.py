"""The nbgrader course a command runs in, configured as nbgrader configures it.

nbgrader reads ``nbgrader_config.py`` from Jupyter's configuration folders and
from the course folder; its ``CourseDirectory`` then says where the gradebook
is (``db_url``: SQLite in the course by default, PostgreSQL in a shared
course), which files are ignored, and where each folder lives.  rnnquiz's own
commands read the same settings, so both always agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rnnquiz.errors import UserError
from rnnquiz.model import content

CONFIG = "nbgrader_config.py"


class CourseConfigError(UserError):
    """The course's nbgrader configuration could not be read."""


def course_directory(root: Path):
    """nbgrader's ``CourseDirectory`` of the course at ``root``, with the
    course's configuration (and the user's and system's, as nbgrader loads them)."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    config = Config()
    # lowest priority first, the course's own file last (as nbgrader does)
    for folder in [*reversed(jupyter_config_path()), str(root)]:
        try:
            config.merge(PyFileConfigLoader(CONFIG, path=folder).load_config())
        except ConfigFileNotFound:
            continue
        except Exception as exc:  # the instructor's file: say which and why, never a traceback
            raise CourseConfigError(f"{Path(folder) / CONFIG}: could not be read ({type(exc).__name__}: "
                                    f"{str(exc)[:300]}); fix it and run again.") from None
    if "root" not in config.get("CourseDirectory", {}):
        config.CourseDirectory.root = str(root)
    return CourseDirectory(config=config)


def sqlite_file(db_url: str) -> Path | None:
    """The database file of a SQLite gradebook URL, or None for another database."""
    prefix = "sqlite:///"
    return Path(db_url[len(prefix):]) if db_url.startswith(prefix) else None


# settings that move a class run's folders or gradebook; a line that sets one
# to nbgrader's default (``source_directory = "source"``) moves nothing
_MOVES = re.compile(r"db_url|source_directory|submitted_directory|directory_structure|CourseDirectory\.root"
                    r"|CourseDirectory\b\W+root")
_DEFAULTS = re.compile(r"""^\s*c\.CourseDirectory\.(source|submitted)_directory\s*=\s*(['"])\1\2\s*(#.*)?$""", re.M)


def plainly_configured(root: Path) -> bool:
    """Whether every nbgrader configuration file that applies to the course
    (Jupyter's folders, then the course's) compiles and names none of the
    settings that move its folders or gradebook: read as text, without
    importing nbgrader, to decide whether a sandbox may start before the
    course is read."""
    from jupyter_core.paths import jupyter_config_path
    for folder in [*jupyter_config_path(), str(root)]:
        path = Path(folder) / CONFIG
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError):
            return False
        try:
            compile(text, str(path), "exec")
        except (SyntaxError, ValueError):
            return False
        if _MOVES.search(_DEFAULTS.sub("", text)):
            return False
    return True


def is_course(root: Path) -> bool:
    """A folder nbgrader would treat as a course: its configuration or its gradebook is there."""
    return (root / CONFIG).is_file() or (root / "gradebook.db").is_file()


@dataclass
class Course:
    """One nbgrader course with rnnquiz's content, read once per run.

    Folders come from nbgrader's own path rules (``CourseDirectory``:
    ``source_directory``, ``submitted_directory``, ``directory_structure``),
    so a course that renamed one is read as nbgrader reads it.  Which
    notebooks are rnnquiz's is decided once per assignment, from the course's
    source notebooks (``notebooks``), and the content catalogue is read once.
    """
    root: Path
    coursedir: object  # nbgrader's CourseDirectory
    catalog: content.Catalog
    db_url: str
    _ours: dict = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, root: Path, db_url: str | None = None, config=None, catalog=None) -> Course:
        """The course at ``root``; ``config``: an nbgrader configuration
        already loaded (a preprocessor's), instead of reading the files;
        ``catalog``: its content, when already read."""
        root = Path(root).resolve()
        if config is not None:
            from nbgrader.coursedir import CourseDirectory
            coursedir = CourseDirectory(config=config)
            root = Path(coursedir.root).resolve()
        else:
            coursedir = course_directory(root)
        return cls(root, coursedir, catalog or content.course_catalog(root), db_url or coursedir.db_url)

    @property
    def course_id(self) -> str:
        return self.coursedir.course_id

    @property
    def database(self) -> Path | None:
        """The SQLite gradebook's file; None for another database."""
        return sqlite_file(self.db_url)

    def folder(self, step: str, assignment_id: str, student: str = ".") -> Path:
        """nbgrader's folder of ``step`` (``source``, ``submitted``, ``autograded``, ...)
        for one assignment and student, as the course configured its names."""
        name = getattr(self.coursedir, f"{step}_directory")
        return Path(self.coursedir.format_path(name, student, assignment_id))

    def source(self, assignment_id: str) -> Path:
        return self.folder("source", assignment_id)

    def source_notebook(self, assignment_id: str, notebook: str) -> Path:
        return self.source(assignment_id) / f"{notebook}.ipynb"

    @property
    def submitted(self) -> Path:
        """The folder that holds one folder per student's submissions."""
        return Path(self.coursedir.root) / self.coursedir.submitted_directory

    def assignment_of(self, assignment_id: str, notebook: str) -> content.Assignment | None:
        """Which of our assignments the course's notebook is (its source
        notebook's tag, else its name); None: not ours."""
        ours = self.notebooks(assignment_id)
        if notebook not in ours:
            ours[notebook] = content.assignment_of_source(self.source_notebook(assignment_id, notebook), notebook,
                                                          self.catalog)
        return ours[notebook]

    def notebooks(self, assignment_id: str) -> dict:
        """{notebook name: our Assignment or None} of the assignment's source
        notebooks, decided once per run."""
        if assignment_id not in self._ours:
            source = self.source(assignment_id)
            names = sorted(p.stem for p in source.glob("*.ipynb")) if source.is_dir() else []
            self._ours[assignment_id] = {
                name: content.assignment_of_source(source / f"{name}.ipynb", name, self.catalog) for name in names}
        return self._ours[assignment_id]

    def package_sets(self, assignment_id: str) -> set:
        """The package sets the assignment's questions are restricted to (all of
        our assignments' when the course has no source notebook of it)."""
        ours = [a for a in self.notebooks(assignment_id).values() if a is not None]
        return {packages for a in ours or self.catalog.assignments.values() for packages in a.packages.values()}

    def mistakes(self) -> dict:
        """Every typical mistake's texts, for the class reports."""
        return {k: v for a in self.catalog.assignments.values() for k, v in a.mistakes.items()}
