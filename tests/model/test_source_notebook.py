"""The instructor's source notebook, read once per version and never through a link."""
import json
import os

from rnnquiz.model import content, source_notebook


def write(path, tag):
    path.write_text(json.dumps({"cells": [], "metadata": {"rnnquiz": {"assignment": tag}}}))


def test_an_edited_source_notebook_is_read_again(tmp_path):
    path = tmp_path / "nb.ipynb"
    write(path, "a")
    assert content.source_tag(path) == "a"
    write(path, "bb")  # another size: another version even within the clock's resolution
    assert content.source_tag(path) == "bb"


def test_a_link_or_a_fifo_is_not_read(tmp_path):
    real = tmp_path / "real.ipynb"
    write(real, "a")
    (tmp_path / "link.ipynb").symlink_to(real)
    os.mkfifo(tmp_path / "fifo.ipynb")  # reading it would block the run
    assert source_notebook.read(tmp_path / "link.ipynb") is None
    assert source_notebook.read(tmp_path / "fifo.ipynb") is None
    assert source_notebook.read(tmp_path / "missing.ipynb") is None
    assert source_notebook.read(real).nb["metadata"]["rnnquiz"]["assignment"] == "a"
