"""One results object, rendered to text, Gradescope's JSON and CSV (``rnnquiz.outputs``)."""
import csv
import io
import json

from rnnquiz.model.results import QuestionResult, Results, Verdict
from rnnquiz.outputs import formats, grades_csv, gradescope_json, summary, text


def _results():
    q1 = QuestionResult("rnn_step", "function", 3.0, [
        Verdict("test_example", 1, True, public=True),
        Verdict("test_variants", 2, False, "`rnn_step` on variant 1: wrong. Likely mistake: no tanh.", "no_tanh")])
    q2 = QuestionResult("quiz_x", "quiz", 1.0, [Verdict("test_answer", 1, True, answer="b")], choices="abcd")
    q3 = QuestionResult("count", "function", 2.0, [
        Verdict("test_variants", 2, False, "not implemented yet", "not_implemented", not_attempted=True)])
    return Results("rnn_from_scratch_en", "en", "ana", "nb.ipynb", [q1, q2, q3], notes=["cell 3 raised ValueError: x"])


def test_text_rendering():
    out = text.render(_results())
    assert "rnn_step" in out and "1 / 3" in out and "Likely mistake: no tanh." in out
    assert "Total" in out and "2 / 6" in out and "cell 3 raised" in out


def test_gradescope_rendering():
    data = json.loads(gradescope_json.render(_results()))
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
    data = gradescope_json.results_json(result, visibility={"quiz_x": "after_published"}, execution_time=12.6)
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_published", "visible"]
    assert data["execution_time"] == 13 and data["extra_data"]["flags"] == result.flags
    assert "solution" not in data["output"]  # flags are the instructor's, never the student's
    broken = Results("rnn_from_scratch", "pt", "ana", "x.ipynb", error="x.ipynb: ```not json")
    data = gradescope_json.results_json(broken)
    # a fence longer than any run of backticks in what it holds
    assert data["output"] == "A entrega não foi corrigida:\n\n````text\nx.ipynb: ```not json\n````"
    assert data["score"] == 0 and data["tests"] == []


def test_csv_rendering():
    rows = list(csv.DictReader(io.StringIO(grades_csv.render([_results()]))))
    assert rows[0]["student"] == "ana" and float(rows[0]["score"]) == 2 and rows[0]["rnn_step_mistakes"] == "no_tanh"
    # an untouched stub: its own column, never a mistake; a quiz: the letter chosen
    assert rows[0]["not_attempted"] == "count" and rows[0]["count_mistakes"] == ""
    assert rows[0]["quiz_x_answer"] == "b" and "rnn_step_answer" not in rows[0]


# --- messages ---------------------------------------------------------------------------


# --- the registry -------------------------------------------------------------------------

def test_one_results_object_is_rendered_to_every_registered_format(tmp_path):
    result = _results()
    for fmt in formats.FORMATS.values():
        if fmt.one:
            assert result.student in fmt.one(result) or fmt.name == "gradescope", fmt.name
    files = formats.ClassFiles(tmp_path)
    files.add([result])
    files.finish({})
    assert not result.error  # no format's file failed
    where = summary.files(tmp_path)
    for fmt in formats.FORMATS.values():
        for shown in fmt.shown:
            folder, _, pattern = shown.pattern.rpartition("/")
            assert list(tmp_path.glob(shown.pattern)), (fmt.name, shown.pattern)
            assert (f"{folder}/ (1 files)" if folder else pattern.replace("*", "")) in where, (fmt.name, where)


def test_a_new_format_is_one_entry_and_the_summary_names_its_file(tmp_path, monkeypatch):
    def whole(results, out, _mistakes):
        (out / "lms.csv").write_text("".join(f"{r.student};{r.score:g}\n" for r in results))
    lms = formats.Format("lms", "an LMS's CSV", one=lambda r: f"{r.student};{r.score:g}", whole=whole,
                         shown=(formats.Shown("lms.csv", 0),))
    monkeypatch.setitem(formats.FORMATS, "lms", lms)
    files = formats.ClassFiles(tmp_path, formats=["gradescope", "csv", "lms"])
    files.add([_results()])
    files.finish({})
    assert (tmp_path / "lms.csv").read_text() == "ana;2\n"
    # ranked: the new file first, then the registry's own in the order to open them
    assert summary.files(tmp_path) == f"reports in {tmp_path}: lms.csv, grades.csv, gradescope/ (1 files)"
