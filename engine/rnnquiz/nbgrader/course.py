"""The nbgrader course a command runs in, configured as nbgrader configures it.

nbgrader reads ``nbgrader_config.py`` from Jupyter's configuration folders and
from the course folder; its ``CourseDirectory`` then says where the gradebook
is (``db_url``: SQLite in the course by default, PostgreSQL in a shared
course), which files are ignored, and where each folder lives.  rnnquiz's own
commands read the same settings, so both always agree.
"""
from __future__ import annotations

from pathlib import Path

from rnnquiz.errors import UserError

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


def is_course(root: Path) -> bool:
    """A folder nbgrader would treat as a course: its configuration or its gradebook is there."""
    return (root / CONFIG).is_file() or (root / "gradebook.db").is_file()
