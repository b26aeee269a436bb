"""What a student controls reaches the instructor's terminal, log and reports
as one printable line: no terminal escape, no C1 control, no newline; and no
CSV cell a spreadsheet would read as a formula."""
import csv
import io
import os
from pathlib import Path

import pytest

from rnnquiz.classrun import Summary
from rnnquiz.classrun.discovery import discover
from rnnquiz.commands import autograde as autograde_module
from rnnquiz.commands import cli
from rnnquiz.model.messages import text
from rnnquiz.model.notebook import NotebookError
from rnnquiz.model.printable import csv_cell, printable
from rnnquiz.model.results import Results
from rnnquiz.outputs.grades_csv import render as to_csv
from rnnquiz.outputs.html_report import escape
from rnnquiz.outputs.report import cell, code
from rnnquiz.outputs.text import render as render_text
from support import CATALOG

AID = "rnn_from_scratch"
# erase the line, go up, erase, a forged green all-clear, then hide what follows
FORGED = "no submission had errors or flags"
ATTACK = f"\r\x1b[2K\x1b[1A\x1b[2K\x1b[32m {FORGED} \x1b[0m\x1b[8m"
C1 = "\x9b2K\x9b1A\x85"  # the same in C1 controls (CSI, NEL), which some terminals obey too


def unprintable(s: str) -> list:
    return [c for c in s if ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) <= 0x9f]


@pytest.mark.parametrize("raw", [ATTACK, C1, "a\nb", "\u202eevil", "x\ud800"])
def test_printable_leaves_one_printable_line(raw):
    out = printable(raw)
    assert not unprintable(out) and "\n" not in out and "\u202e" not in out
    out.encode("utf-8")  # a lone surrogate is replaced
    assert printable("Aluna Ção, ok: 3 / 3") == "Aluna Ção, ok: 3 / 3"


def test_the_autograde_error_line_cannot_rewrite_the_terminal(tmp_path, monkeypatch, capsys):
    """A link refused in a submission, named to erase the "errors:" line and print a forged all-clear."""
    folder = tmp_path / "submitted" / f"ana{ATTACK}" / AID
    folder.mkdir(parents=True)
    os.symlink("/etc/hostname", folder / f"{ATTACK}.ipynb")
    expected = {AID: CATALOG.assignments[AID]}
    from rnnquiz.nbgrader.course import Course
    items, missing = discover(Course.open(tmp_path), AID, "*", expected)
    assert not items and len(missing) == 1 and "symbolic link" in missing[0].error

    summary = Summary(AID, missing, report_dir=tmp_path, protections="confined")
    monkeypatch.setattr(autograde_module, "autograde", lambda *a, **k: summary)
    assert cli.main(["autograde", AID]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert not unprintable(out), repr(out)
    forged = [line for line in out.splitlines() if FORGED in line]
    assert forged and all(line.startswith("  error: ana") for line in forged), out


def test_notebook_errors_are_one_line_for_nbgraders_log():
    exc = NotebookError(Path(f"/course/submitted/{ATTACK}.ipynb"), "is a symbolic link.")
    assert not unprintable(str(exc)) and "\n" not in str(exc)


def test_feedback_echoes_have_no_newline_nor_c1():
    """An exception class named with a newline forged a second feedback line."""
    out = text("raised", "en", name="rnn_step", type="E\n  rnn_step                3 / 3  correct", message=C1)
    assert "\n" not in out and not unprintable(out)


def test_reports_get_printable_ids_and_errors():
    r = Results(AID, "en", f"ana{ATTACK}", f"{ATTACK}.ipynb", error=f"x{C1}\ny")
    r.flags = [f"flag{ATTACK}"]
    for rendered in (render_text(r), to_csv([r]), cell(r.student), code(r.student), escape(r.error)):
        assert not unprintable(rendered.replace("\r\n", "\n")), repr(rendered)
    assert len(render_text(r).splitlines()) == 2  # the heading and the error: nothing forged between


@pytest.mark.parametrize("id_", ["@SUM(6*7)", "=HYPERLINK(\"http://x\",\"y\")", "+1", "-1+2", "\t=1", "\r=1"])
def test_csv_cells_that_read_as_formulas_are_neutralized(id_):
    r = Results(AID, "en", id_, "n.ipynb", error="e")
    rows = list(csv.DictReader(io.StringIO(to_csv([r]))))
    assert rows[0]["student"].startswith("'")
    assert csv_cell(3.5) == 3.5 and csv_cell("ana") == "ana"
