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
    assert data["score"] == 2 and data["extra_data"]["assignment"] == "rnn_from_scratch_en"
    assert [t["name"] for t in data["tests"]] == ["rnn_step", "quiz_x", "count"]
    assert data["tests"][0] == {"name": "rnn_step", "score": 1.0, "max_score": 3.0, "status": "failed",
                                "output": "`rnn_step` on variant 1: wrong. Likely mistake: no tanh."}
    assert data["output"] == "cell 3 raised ValueError: x"


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
