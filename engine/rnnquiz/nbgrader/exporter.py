"""How ``nbgrader autograde`` reads a submitted notebook in a course that uses rnnquiz.

nbgrader's own exporter opens the file by name: a FIFO in place of the
notebook blocks the whole run for ever, and a symbolic link is followed to
whatever it names.  Here a submitted notebook is read only when it is a
regular file, opened without following links and without blocking, and only
when nothing in the student's submitted folder is a link or a special file
(nbgrader has already copied the folder's other files, following links: the
refusal makes nbgrader remove that copy with the rest of the student's
autograded folder).  The refusal is that student's error in nbgrader's log;
everyone else is graded.  This holds for every assignment of the course: a
file that cannot be read safely is never one nbgrader should grade.
"""
from __future__ import annotations

from pathlib import Path

from nbconvert.exporters import NotebookExporter

from rnnquiz.model import notebook


class SubmissionExporter(NotebookExporter):
    """nbgrader's ``NotebookExporter``, reading submissions safely (see the module)."""

    def from_filename(self, filename, resources=None, **kw):
        # decided on lstat, before nbgrader's reading opens anything (students
        # cannot change the course's submitted folder after collect)
        path = Path(filename)
        notebook.refuse_unsafe_file(path, max_bytes=notebook.MAX_READ)
        if self._submitted(path):
            notebook.submission_files(path.parent)
        return super().from_filename(filename, resources=resources, **kw)

    def _submitted(self, path: Path) -> bool:
        """``path`` is in the course's submitted folder (not the autograded copy)."""
        coursedir = getattr(self.parent, "coursedir", None)
        folder = Path(coursedir.root, coursedir.submitted_directory) if coursedir else None
        return folder is not None and folder.resolve() in path.resolve().parents
