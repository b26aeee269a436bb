"""The demo's work folder: only its own is ever replaced."""

import pytest


def test_the_demo_replaces_only_its_own_work_folder(tmp_path):
    from rnnquiz.commands.demo import MARKER, fresh_workdir
    from rnnquiz.model.content import ContentError
    work = fresh_workdir(tmp_path / "demo")
    (work / "old-course").mkdir()
    assert list(fresh_workdir(work).iterdir()) == [work / MARKER]    # a previous demo's: replaced
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(ContentError, match="not empty"):
        fresh_workdir(mine)
    assert (mine / "thesis.tex").read_text() == "years of work"
