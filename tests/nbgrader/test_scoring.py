"""The score rule both autograde commands run (``nbgrader.scoring``): a crash
while a graded notebook is written never leaves a graded cell without
outputs, which nbgrader would score as passed."""
import nbformat

from rnnquiz.model import samples
from rnnquiz.model.results import QuestionResult, Results, Verdict
from rnnquiz.nbgrader import scoring
from support import ROOT, assignment

AID = "rnn_from_scratch"


def graded_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata.nbgrader.get("solution")]


def test_a_crash_while_writing_leaves_every_graded_cell_a_failure(monkeypatch):
    a = assignment(AID)
    nb = nbformat.read(samples.solution_path(AID, ROOT), as_version=4)
    for cell in graded_cells(nb):
        cell.outputs = []  # as nbgrader's ClearOutput leaves them: no output scores full marks
    full = Results(a.id, a.lang, "ana", "nb.ipynb", questions=[
        QuestionResult(q.name, q.kind, float(q.points), [Verdict("t", float(q.points), False, "wrong")])
        for q in a.questions])
    monkeypatch.setattr(scoring, "grade_submissions", lambda subs, **_: [full])
    real, calls = scoring.write_outcomes, []

    def crashes_half_way(nb, result):
        calls.append(result.error)
        if len(calls) == 1:
            graded_cells(nb)[0].outputs = []
            raise RuntimeError("disk full")
        real(nb, result)
    monkeypatch.setattr(scoring, "write_outcomes", crashes_half_way)
    [result] = scoring.grade_as_nbgrader([scoring.Entry(nb, "nb.ipynb", a, "ana")], pool=None, limits=None)
    assert "could not be written (RuntimeError)" in result.error
    assert all([o.output_type for o in c.outputs] == ["error"] for c in graded_cells(nb))
