"""`rnnquiz autograde` refuses what it must not grade, before anything is made."""
import shutil

import pytest

from support import assignment, copy_course


def test_autograde_refuses_an_ordinary_assignment_before_any_sandbox_starts(tmp_path, monkeypatch):
    """The course's source notebooks say hw0 is not ours: refused before the
    zygote (or nbgrader's gradebook) is touched."""
    import nbformat

    from rnnquiz import classrun as autograde
    from rnnquiz.isolation import pool
    copy_course(tmp_path, [])  # a course: its configuration and content, no gradebook yet
    shutil.copytree(assignment("rnn_from_scratch").folder, tmp_path / "autograders" / "rnn_from_scratch")
    source = tmp_path / "source" / "hw0"
    source.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), source / "hw0.ipynb")
    (tmp_path / "gradebook.db").write_bytes(b"")
    before = sorted(p.name for p in tmp_path.iterdir())

    def no_launch(self):
        raise AssertionError("a zygote was launched for an assignment that is not ours")
    monkeypatch.setattr(pool.Pool, "launch", no_launch)
    with pytest.raises(autograde.AutogradeError, match="'hw0' is not an rnnquiz assignment"):
        autograde.autograde("hw0", course_root=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("made", ["empty", "content_only", "no_gradebook"])
def test_autograde_outside_a_course_says_so_and_makes_nothing(tmp_path, made):
    """Outside a course (or before nbgrader made its gradebook) `rnnquiz
    autograde` says what is missing and creates nothing: no gradebook.db, no reports/."""
    from rnnquiz import classrun as autograde
    if made != "empty":
        shutil.copytree(assignment("rnn_from_scratch").folder, tmp_path / "autograders" / "rnn_from_scratch")
    if made == "no_gradebook":
        copy_course(tmp_path, ["rnn_from_scratch"])
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    expected = "no gradebook yet" if made == "no_gradebook" else "not an nbgrader course"
    with pytest.raises(autograde.AutogradeError, match=expected):
        autograde.autograde("rnn_from_scratch", course_root=tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("setting, expected", [
    ('c.CourseDirectory.db_url = "sqlite:///{root}/elsewhere.db"', "no gradebook yet"),
    ('c.CourseDirectory.directory_structure = "{{nbgrader_step}}/{{assignment_id}}/{{student_id}}"',
     "default layout"),
])
def test_a_course_configured_to_be_refused_starts_no_sandbox(tmp_path, monkeypatch, setting, expected):
    """The zygote may start before the course's configuration is read, but not
    where a configuration file could make the run a refusal: a gradebook
    elsewhere that does not exist yet, a folder layout a class run does not read."""
    from rnnquiz import classrun
    from rnnquiz.isolation import pool
    copy_course(tmp_path, ["rnn_from_scratch"])
    (tmp_path / "gradebook.db").write_bytes(b"")  # nbgrader's default gradebook: it looks ready
    with open(tmp_path / "nbgrader_config.py", "a") as f:
        f.write(setting.format(root=tmp_path) + "\n")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    def no_launch(self):
        raise AssertionError("a zygote was launched for a run that is refused")
    monkeypatch.setattr(pool.Pool, "launch", no_launch)
    with pytest.raises(classrun.AutogradeError, match=expected):
        classrun.autograde("rnn_from_scratch", course_root=tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
