"""One Course per run, read through nbgrader's own path rules: a course that
names its folders its own way is read as nbgrader reads it, and a source
notebook edited between two runs is read afresh."""
import json
import os
import shutil

from rnnquiz.model import content
from rnnquiz.nbgrader.course import Course
from support import assignment

AID = "rnn_from_scratch"


def make_course(tmp_path, config: str = ""):
    shutil.copytree(assignment(AID).folder, tmp_path / content.CONTENT_DIR / AID)
    (tmp_path / "nbgrader_config.py").write_text(f"c = get_config()\n{config}")
    return tmp_path


def write_source(path, tag=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"rnnquiz": {"assignment": tag}} if tag else {}
    path.write_text(json.dumps({"cells": [], "metadata": meta, "nbformat": 4, "nbformat_minor": 5}))


def test_a_course_with_its_own_source_folder_is_read_as_nbgrader_reads_it(tmp_path):
    root = make_course(tmp_path, 'c.CourseDirectory.source_directory = "src"\n'
                                 'c.CourseDirectory.submitted_directory = "handed_in"\n')
    write_source(root / "src" / "week1" / "homework.ipynb", tag=AID)
    write_source(root / "source" / "week1" / "homework.ipynb")  # nbgrader's default name: not this course's
    course = Course.open(root)
    assert course.source("week1") == root / "src" / "week1"
    assert course.submitted == root / "handed_in"
    assert course.folder("submitted", "week1", "ana") == root / "handed_in" / "ana" / "week1"
    assert course.assignment_of("week1", "homework").id == AID
    assert {name: a.id for name, a in course.notebooks("week1").items()} == {"homework": AID}
    assert course.package_sets("week1") == {p for p in assignment(AID).packages.values()}


def test_a_source_notebook_edited_between_runs_is_read_afresh(tmp_path):
    root = make_course(tmp_path)
    source = root / "source" / "week1" / "homework.ipynb"
    write_source(source, tag=AID)
    assert Course.open(root).assignment_of("week1", "homework").id == AID
    write_source(source, tag="not_ours")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    assert Course.open(root).assignment_of("week1", "homework") is None


def test_the_catalogue_is_read_once_per_course(tmp_path, monkeypatch):
    root = make_course(tmp_path)
    write_source(root / "source" / "week1" / "homework.ipynb", tag=AID)
    reads = []
    real = content.load_folder
    monkeypatch.setattr(content, "load_folder", lambda folder: reads.append(folder) or real(folder))
    course = Course.open(root)
    course.assignment_of("week1", "homework")
    course.package_sets("week1")
    course.mistakes()
    assert len(reads) == 1
