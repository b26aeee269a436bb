"""One results object, rendered to text, Gradescope's JSON and CSV."""
import csv
import io
import json

from rnnquiz.model.results import Check, QuestionResult, Results, to_csv


def _results():
    q1 = QuestionResult("rnn_step", "function", 3.0, [
        Check("test_example", 1, True, public=True),
        Check("test_variants", 2, False, "`rnn_step` on variant 1: wrong. Likely mistake: no tanh.", "no_tanh")])
    q2 = QuestionResult("quiz_x", "quiz", 1.0, [Check("test_answer", 1, True, answer="b")], choices="abcd")
    q3 = QuestionResult("count", "function", 2.0, [
        Check("test_variants", 2, False, "not implemented yet", "not_implemented", not_attempted=True)])
    return Results("rnn_from_scratch_en", "en", "ana", "nb.ipynb", [q1, q2, q3], notes=["cell 3 raised ValueError: x"])


def test_text_rendering():
    out = _results().to_text()
    assert "rnn_step" in out and "1 / 3" in out and "Likely mistake: no tanh." in out
    assert "Total" in out and "2 / 6" in out and "cell 3 raised" in out


def test_gradescope_rendering():
    data = json.loads(_results().to_json())
    assert data["score"] == 2 and data["extra_data"] == {"assignment": "rnn_from_scratch_en", "max_score": 6.0}
    assert [t["name"] for t in data["tests"]] == ["rnn_step", "quiz_x", "count"]
    assert data["tests"][0] == {"name": "rnn_step", "number": "1", "score": 1.0, "max_score": 3.0,
                                "status": "failed", "output_format": "text", "visibility": "visible",
                                "output": "`rnn_step` on variant 1: wrong. Likely mistake: no tanh."}
    assert data["tests"][1]["number"] == "2" and data["tests"][1]["status"] == "passed"
    assert data["output_format"] == "md" and data["stdout_visibility"] == "hidden"
    assert data["output"] == "Score: 2 of 6 points.\n\nCells that raised errors (the rest of the notebook was " \
                             "graded without them):\n\n```text\ncell 3 raised ValueError: x\n```"
    assert "execution_time" not in data


def test_gradescope_rendering_with_visibility_time_flags_and_an_error():
    result = _results()
    result.flags = ["holds the instructor's solution"]
    data = result.to_gradescope(visibility={"quiz_x": "after_published"}, execution_time=12.6)
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_published", "visible"]
    assert data["execution_time"] == 13 and data["extra_data"]["flags"] == result.flags
    assert "solution" not in data["output"]  # flags are the instructor's, never the student's
    broken = Results("rnn_from_scratch", "pt", "ana", "x.ipynb", error="x.ipynb: ```not json")
    data = broken.to_gradescope()
    # a fence longer than any run of backticks in what it holds
    assert data["output"] == "A entrega não foi corrigida:\n\n````text\nx.ipynb: ```not json\n````"
    assert data["score"] == 0 and data["tests"] == []


def test_csv_rendering():
    rows = list(csv.DictReader(io.StringIO(to_csv([_results()]))))
    assert rows[0]["student"] == "ana" and float(rows[0]["score"]) == 2 and rows[0]["rnn_step_mistakes"] == "no_tanh"
    # an untouched stub: its own column, never a mistake; a quiz: the letter chosen
    assert rows[0]["not_attempted"] == "count" and rows[0]["count_mistakes"] == ""
    assert rows[0]["quiz_x_answer"] == "b" and "rnn_step_answer" not in rows[0]


def test_a_score_never_exceeds_the_question():
    q = QuestionResult("q", "function", 2.0, [Check("a", 2, True), Check("b", 2, True)])
    assert q.score == 2.0


# --- messages ---------------------------------------------------------------------------
