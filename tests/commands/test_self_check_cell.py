"""The self-check cell at the end of every released notebook, run in a real
Jupyter kernel as a student runs it: the same lines as ``rnnquiz check``, on
the kernel's own definitions, with no file on disk and no terminal; and
nothing at all where the notebook is graded."""
from __future__ import annotations

import copy
import os

import nbformat
import pytest
from nbclient import NotebookClient

from support import ROOT

pytestmark = pytest.mark.slow

AIDS = ["rnn_from_scratch_en", "torch_rnn_by_hand"]  # one per language, one with a NumPy-only question


def _run(nb: dict, env: dict | None = None) -> str:
    """Execute ``nb`` in a python3 kernel started in an empty folder; the
    self-check cell's printed text."""
    nb = nbformat.from_dict(copy.deepcopy(nb))
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    cell = nb.cells[-1]
    assert "rnnquiz.self_check" in cell.source
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _notebook(folder: str, aid: str) -> dict:
    return nbformat.read(ROOT / folder / aid / f"{aid}.ipynb", as_version=4)


@pytest.mark.parametrize("aid", AIDS)
def test_the_cell_checks_the_solution_as_rnnquiz_check_does(aid):
    from rnnquiz.commands.check import check, render
    out = _run(_notebook("solutions", aid))
    terminal = render(check(ROOT / "solutions" / aid / f"{aid}.ipynb"))
    # the same lines, but for the header's file name (the cell has no file)
    assert out.strip().splitlines()[1:] == terminal.strip().splitlines()[1:]
    assert " X " not in out and "ok" in out


def test_the_cell_names_what_is_missing_in_the_released_notebook():
    out = _run(_notebook("assignments", "rnn_from_scratch_en"))
    lines = out.splitlines()
    assert any(line.lstrip().startswith("X  rnn_step") for line in lines), out
    assert "not answered yet" in out and "hidden tests" in out


def test_the_cell_sees_the_kernel_not_the_file():
    """A fix typed into the kernel after the notebook was saved counts: the
    cell checks the definitions the kernel has."""
    nb = _notebook("assignments", "rnn_from_scratch_en")
    solution = _notebook("solutions", "rnn_from_scratch_en")
    step = next(c for c in solution.cells if c.cell_type == "code" and "def rnn_step" in c.source)
    nb.cells.insert(len(nb.cells) - 1, nbformat.v4.new_code_cell(step.source))
    out = _run(nb)
    assert any(line.lstrip().startswith("ok rnn_step") for line in out.splitlines()), out


@pytest.mark.parametrize("variable", ["NBGRADER_EXECUTION", "RNNQUIZ_WORKER"])
def test_the_cell_does_nothing_where_the_notebook_is_graded(variable):
    assert _run(_notebook("solutions", "rnn_from_scratch_en"), {variable: "autograde"}) == ""
