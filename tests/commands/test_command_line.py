"""What a newcomer types: --version, a command forgotten, every command's help,
and messages that fit the case (a mistyped assignment, a script instead of a
notebook, grading outside a course, init's exchange and students' lines)."""
import argparse
import json
import re
import subprocess
import sys

import pytest

from rnnquiz.commands import cli
from support import ROOT

RNNQUIZ = [sys.executable, "-m", "rnnquiz"]


def run(*args, cwd=None):
    return subprocess.run([*RNNQUIZ, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=cwd)


def commands() -> dict:
    """{name: its argparse parser}, from the real command line."""
    sub = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_version(capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main(["--version"])
    assert ended.value.code == 0
    from importlib.metadata import version
    assert capsys.readouterr().out.strip() == f"rnnquiz {version('rnnquiz')}"


def test_no_command_names_the_commands_without_internal_words(capsys):
    assert cli.main([]) == cli.EXIT_BAD_INPUT
    said = capsys.readouterr().err
    assert "verb" not in said
    assert all(name in said for name in commands())
    assert "rnnquiz --help" in said


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_has_a_description_exit_statuses_and_help_for_each_argument(name):
    sub = commands()[name]
    assert sub.description and len(sub.description) > 40, name
    assert sub.epilog.startswith("exit status:\n") and "  0  " in sub.epilog, name
    shown = sub.format_help()
    assert "exit status:" in shown and "  0  " in shown
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, (name, action.dest)
        # worded alike: a lower-case phrase, no closing full stop, the default said where there is one
        assert action.help[0].islower() and not action.help.endswith("."), (name, action.dest, action.help)
        if action.option_strings and action.default not in (None, [], False):
            assert "(default: " in action.help, (name, action.dest, action.help)


def test_memory_is_shown_and_taken_in_binary_units():
    shown = commands()["autograde"].format_help()
    assert "3 GiB" in shown and "3221225472" not in shown
    args = cli.parser().parse_args(["autograde", "a", "--memory-budget", "512MiB"])
    assert args.memory_budget == 512 * 1024**2
    assert cli.parser().parse_args(["autograde", "a", "--memory-budget", "2 GiB"]).memory_budget == 2 * 1024**3
    assert cli.parser().parse_args(["autograde", "a", "--memory-budget", "1000"]).memory_budget == 1000
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["autograde", "a", "--memory-budget", "lots"])


def test_help_says_what_the_commands_do():
    demo = " ".join(commands()["demo"].format_help().split())
    assert ".rnnquiz-demo/" in demo and "temporary" not in demo
    grade = " ".join(commands()["grade"].format_help().split())
    assert "csv, one row per submission (" in grade and "submission and question" not in grade
    gradescope = re.sub(r"-\s+", "-", commands()["gradescope"].format_help())  # textwrap breaks after hyphens
    assert "dist/ASSIGNMENT-autograder.zip" in gradescope


def test_grade_csv_is_one_row_per_submission(tmp_path):
    from rnnquiz.model import samples
    out = tmp_path / "grades.csv"
    done = run("grade", samples.solution_path("rnn_from_scratch_en", ROOT), "--format", "csv", "-o", out, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 2 and lines[0].startswith("student,assignment,score,max_score")


# --- init: the exchange, and what students need ---------------------------------------------

def test_init_prints_the_lines_students_need_and_they_are_the_course_s(tmp_path):
    from traitlets.config import Config

    from rnnquiz.commands.init import init
    from rnnquiz.nbgrader.course import course_directory
    report = init(tmp_path / "ml101", ["rnn_from_scratch"], origin=ROOT, exchange=tmp_path / "exchange")
    said = report.lines()
    start = said.index(next(line for line in said if line.startswith("students:")))
    block = said[start:said.index("", start)]
    assert "~/.jupyter/nbgrader_config.py" in " ".join(block) and "/etc/jupyter/nbgrader_config.py" in " ".join(block)
    lines = [line.strip() for line in block if line.startswith("  ")]
    # the lines, run as a student's nbgrader_config.py, give the course's own id and exchange
    config = Config()
    exec("\n".join(lines), {"get_config": lambda: config})  # noqa: S102
    course = course_directory(tmp_path / "ml101").config
    assert config.CourseDirectory.course_id == course.CourseDirectory.course_id == "ml101"
    assert config.Exchange.root == course.Exchange.root == str(tmp_path / "exchange")


def test_init_says_when_exchange_is_not_applied(tmp_path):
    from rnnquiz.commands.init import init
    init(tmp_path / "ml101", ["rnn_from_scratch"], origin=ROOT, exchange=tmp_path / "first")
    again = init(tmp_path / "ml101", ["rnn_from_scratch"], origin=ROOT, exchange=tmp_path / "second")
    line = next(line for line in again.lines() if line.startswith("exchange"))
    assert str(tmp_path / "first") in line and "--exchange" in line and str(tmp_path / "second") in line
    assert "not applied" in line
    same = init(tmp_path / "ml101", ["rnn_from_scratch"], origin=ROOT, exchange=tmp_path / "first")
    assert "not applied" not in next(line for line in same.lines() if line.startswith("exchange"))


# --- messages that fit the case --------------------------------------------------------------

@pytest.fixture
def new_course(tmp_path):
    """A course made by `rnnquiz init`, with one assignment (both languages), no gradebook yet."""
    from rnnquiz.commands.init import init
    init(tmp_path / "ml101", ["rnn_from_scratch"], origin=ROOT)
    return tmp_path / "ml101"


def test_a_mistyped_assignment_gets_the_closest_name_and_nothing_is_made(new_course):
    before = sorted(new_course.rglob("*"))
    done = run("autograde", "rnn_from_scrach_en", cwd=new_course)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert "did you mean 'rnn_from_scratch_en'?" in done.stderr
    assert "generate_assignment rnn_from_scrach_en" not in done.stderr
    assert sorted(new_course.rglob("*")) == before


def test_an_assignment_never_added_to_the_course_is_said_so(new_course):
    done = run("autograde", "rnn_gradients_en", cwd=new_course)
    assert done.returncode == 2, done.stderr
    assert "'rnn_gradients_en' was never added to this course" in done.stderr
    assert f"rnnquiz init {new_course} --assignments rnn_gradients_en" in done.stderr


def test_other_commands_suggest_the_closest_name_too(tmp_path):
    from rnnquiz.model import samples
    done = run("grade", samples.solution_path("rnn_from_scratch_en", ROOT), "--assignment", "rnn_from_scrach_en",
               cwd=ROOT)
    assert done.returncode == 2 and "did you mean 'rnn_from_scratch_en'?" in done.stderr
    done = run("gradescope", "torch_rnn_by_hnd_en", "-o", tmp_path / "x.zip", cwd=ROOT)
    assert done.returncode == 2 and "did you mean 'torch_rnn_by_hand_en'?" in done.stderr


def test_grade_outside_a_course_from_a_checkout_says_where_the_graders_are(tmp_path):
    from rnnquiz.model import samples
    notebook = tmp_path / "rnn_from_scratch_en.ipynb"
    notebook.write_text(samples.solution_path("rnn_from_scratch_en", ROOT).read_text())
    done = run("grade", notebook, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert f"{tmp_path} is in none" in done.stderr and str(ROOT) in done.stderr
    assert "not here" not in done.stderr


def test_check_on_a_script_asks_for_the_notebook(tmp_path):
    script = tmp_path / "rnn_from_scratch_en.py"
    script.write_text("def rnn_step(X, H, W_xh, W_hh, b_h):\n    return X\n")
    done = run("check", script, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert "is a .py file, not a Jupyter notebook" in done.stderr and "rnn_from_scratch_en.ipynb" in done.stderr
    assert "save it in Jupyter" not in done.stderr


# --- gradescope: the zip goes into dist/ -----------------------------------------------------

def test_the_gradescope_zip_goes_into_dist_by_default(tmp_path, monkeypatch):
    from rnnquiz.gradescope.autograder_zip import build
    wheel = tmp_path / "wheels" / "rnnquiz-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"a stand-in: only where the zip goes is tested here")
    work = tmp_path / "course"
    work.mkdir()
    monkeypatch.chdir(work)
    out = build("rnn_from_scratch_en", course=ROOT, wheel=wheel)
    assert out == work / "dist" / "rnn_from_scratch_en-autograder.zip" or out.resolve() == (
        work / "dist" / "rnn_from_scratch_en-autograder.zip")
    assert [p.name for p in work.iterdir()] == ["dist"]


def test_the_gradescope_output_line_names_the_try_command(tmp_path, monkeypatch, capsys):
    from rnnquiz.commands import gradescope
    monkeypatch.setattr(gradescope, "build", lambda *a, **k: tmp_path / "dist" / "x-autograder.zip")
    monkeypatch.chdir(ROOT)
    assert cli.main(["gradescope", "rnn_from_scratch_en"]) == 0
    assert "rnnquiz gradescope-try" in capsys.readouterr().out


# --- build, in a course made by init ---------------------------------------------------------

@pytest.mark.slow
def test_build_in_a_course_made_by_init_uses_its_folders_and_keeps_what_it_did_not_make(new_course):
    foreign = new_course / "solution" / "rnn_from_scratch" / "notes.txt"
    foreign.parent.mkdir(parents=True)
    foreign.write_text("the instructor's own notes")
    assignments = new_course / "assignments"   # a folder of the course's own, not nbgrader's release folder
    assignments.mkdir()
    (assignments / "keep.md").write_text("mine")
    done = run("build", cwd=new_course)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert str(foreign) in done.stderr and "Nothing was written" in done.stderr
    assert not (new_course / "release").exists() and foreign.read_text() == "the instructor's own notes"
    foreign.unlink()
    done = run("build", cwd=new_course)
    assert done.returncode == 0, done.stderr
    for folder in ("release", "solution"):
        for aid in ("rnn_from_scratch", "rnn_from_scratch_en"):
            notebook = new_course / folder / aid / f"{aid}.ipynb"
            assert notebook.is_file() and f"wrote {notebook}" in done.stdout
            json.loads(notebook.read_text())
    assert "BEGIN SOLUTION" not in (new_course / "release" / "rnn_from_scratch" / "rnn_from_scratch.ipynb").read_text()
    assert [p.name for p in assignments.iterdir()] == ["keep.md"]
