"""Graded test cells' outputs, as nbgrader scores them."""

import pytest

from rnnquiz.model.results import QuestionResult, Results, Verdict
from support import assignment


@pytest.mark.parametrize("error", ["", "the notebook could not be read"])
def test_graded_outputs_are_valid_nbformat(error):
    """write_outcomes builds its outputs without nbformat's per-output check:
    the notebook it leaves validates, and each test cell says its score."""
    import nbformat

    from rnnquiz.model import samples
    from rnnquiz.model.content import test_grade_id
    from rnnquiz.nbgrader.outcomes import write_outcomes
    from support import ROOT

    nb = nbformat.read(samples.solution_path("rnn_from_scratch", ROOT), as_version=4)
    questions = assignment("rnn_from_scratch").questions
    result = Results("rnn_from_scratch", "en", "s", "nb.ipynb", error=error)
    for n, q in enumerate(questions):  # full, partial and zero marks in turn
        passed = [True, True, False][n % 3] if q.points > 1 else n % 3 == 0
        checks = [Verdict("a", 1.0, passed, "" if passed else "wrong"),
                  Verdict("b", float(q.points) - 1, n % 3 == 0, "" if n % 3 == 0 else "wrong")]
        result.questions.append(QuestionResult(q.name, q.kind, float(q.points), checks))
    write_outcomes(nb, result)
    nbformat.validate(nb)
    kinds = {c.metadata.nbgrader.grade_id: [o.output_type for o in c.outputs] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata.nbgrader.get("solution")}
    assert set(kinds) == {test_grade_id(q.name) for q in questions}
    expected = set() if error else {("stream",), ("stream", "execute_result"), ("error",)}
    assert {tuple(k) for k in kinds.values()} - {("error",)} <= expected
    if error:
        assert all(k == ["error"] for k in kinds.values())
    else:
        assert {tuple(k) for k in kinds.values()} == expected


@pytest.mark.sandbox
def test_feedback_shows_the_instructors_examples_with_their_outputs_never_the_students():
    """Explanation cells left as the instructor wrote them get the outputs the
    instructor's own run gives (nn.RNN(2, 4)'s 32 parameters); a cell the
    student changed, and the student's answer cells, get none."""
    import nbformat

    from rnnquiz.model import samples
    from rnnquiz.nbgrader.explanations import write_explanations
    from support import ROOT
    source = ROOT / "source" / "rnn_from_scratch" / "rnn_from_scratch.ipynb"
    nb = nbformat.from_dict(samples.solution(assignment("rnn_from_scratch"), ROOT))
    for cell in nb.cells:
        cell.source = "".join(cell.source) if isinstance(cell.source, list) else cell.source
    changed = next(c for c in nb.cells if c.cell_type == "code" and "nn.RNN(2, 4)" in c.source)
    untouched = next(c for c in nb.cells if c.cell_type == "code" and "vocab = sorted" in c.source)
    self_check = next(c for c in nb.cells if c.cell_type == "code" and "rnnquiz.self_check" in c.source)
    changed.source += "\nprint('the student was here')"
    write_explanations(nb, source)
    # the self-check cell says nothing: run where rnnquiz cannot be imported, it would
    # tell every student to install it
    assert not self_check.get("outputs")
    assert "machine" not in "".join(o.get("text", "") for o in changed.get("outputs", []))
    assert not changed.outputs
    assert "->" in "".join(o["text"] for o in untouched.outputs)
    answers = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and not any(c.outputs for c in answers)
    nbformat.validate(nb)


@pytest.mark.sandbox
def test_the_instructors_examples_run_in_the_sandbox_not_the_grading_process(tmp_path):
    """Whoever can write source/ (a TA) is not thereby trusted with the grading
    process: an example cell that writes a file or reads the course runs in
    the sandbox; the outputs of the harmless ones still reach the feedback."""
    import nbformat

    from rnnquiz.nbgrader.explanations import write_explanations
    marker, course_file = tmp_path / "ran-here", tmp_path / "gradebook.db"
    course_file.write_text("rows")
    cells = [nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').write('x')"),
             nbformat.v4.new_code_cell(f"import os\nprint(os.path.exists({str(course_file)!r}))"),
             nbformat.v4.new_code_cell("2 + 2")]
    source = tmp_path / "source.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), source)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.source) for c in cells])
    write_explanations(nb, source)
    assert not marker.exists()
    assert nb.cells[1].outputs[0]["text"] == "False\n"
    assert nb.cells[2].outputs[0]["data"]["text/plain"] == "4"
    nbformat.validate(nb)
