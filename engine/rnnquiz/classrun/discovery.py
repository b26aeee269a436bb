"""Which submissions a class run grades, and an error line for each one it cannot."""
from __future__ import annotations

import fnmatch

from rnnquiz.classrun.outcomes import Outcome
from rnnquiz.model import notebook


def discover(course, assignment_id: str, student_glob: str, expected: dict, listings: dict | None = None) -> tuple:
    """[(student, notebook path, Assignment)] to grade, and per-student errors
    for missing notebooks and refused folders (a symbolic link or a special
    file anywhere in one: nothing of it is opened); ``course``: the Course;
    ``expected``: notebook name -> our Assignment; ``listings``, when given,
    gets each student's files (None: refused), so that a folder is listed once
    per run."""
    items, missing = [], []
    for student_dir in sorted(course.submitted.glob("*")):
        student = student_dir.name
        folder = course.folder("submitted", assignment_id, student)
        if not fnmatch.fnmatch(student, student_glob) or not (folder.is_dir() or folder.is_symlink()):
            continue
        if student_dir.is_symlink() or folder.is_symlink():  # never followed: it may point anywhere
            missing += [Outcome(student, name, error=f"{folder}: is a symbolic link; rnnquiz never follows links "
                                "in submissions (nothing graded).", assignment=a) for name, a in expected.items()]
            continue
        try:
            listed = notebook.submission_files(folder)
        except notebook.NotebookError as exc:
            missing += [Outcome(student, name, error=str(exc), assignment=a) for name, a in expected.items()]
            listed = None
        if listings is not None:
            listings[student] = listed
        if listed is None:
            continue
        files = set(listed)
        for name, assignment in expected.items():
            path = folder / f"{name}.ipynb"
            if f"{name}.ipynb" in files:
                items.append((student, str(path), assignment))
            else:
                missing.append(Outcome(student, name, error=f"{path}: missing; the student submitted no notebook "
                                       "with this name (nothing to grade).", assignment=assignment))
    return items, missing
