"""The class-wide outputs on a class made by hand: markdown, CSV, item analysis,
the terminal summary and the HTML page (escaping, the registry), without grading."""
import csv
import io
from html.parser import HTMLParser

import pytest

from rnnquiz.grading.checks import Wrong, check_choice, take_answer
from rnnquiz.grading.student import StudentError
from rnnquiz.model.results import QuestionResult, Results, Verdict
from rnnquiz.outputs import grades_csv, summary
from rnnquiz.outputs.analysis import items, summarize
from rnnquiz.outputs.formats import FORMATS, ClassFiles
from rnnquiz.outputs.html_report import page
from rnnquiz.outputs.report import code, markdown

MISTAKES = {"no_tanh": {"en": "tanh is missing: the output has |V| entries"}}


def step(how: str) -> QuestionResult:
    """rnn_step answered right, wrong (a named mistake), or left as a stub."""
    check = {"right": Verdict("test_variants", 3, True),
             "wrong": Verdict("test_variants", 3, False, "wrong", "no_tanh"),
             "stub": Verdict("test_variants", 3, False, "not implemented yet", "not_implemented", not_attempted=True),
             }[how]
    return QuestionResult("rnn_step", "function", 3.0, [check])


def quiz(letter: str | None, right: str = "b") -> QuestionResult:
    """A quiz answered with ``letter`` (None: left blank), as the graders record it."""
    public = Verdict("test_answered", 0, letter is not None, "" if letter else "not answered yet",
                   answer=letter, not_attempted=letter is None, public=True)
    hidden = Verdict("test_answer", 1, letter == right, "" if letter == right else "wrong",
                   answer=letter, not_attempted=letter is None)
    return QuestionResult("quiz_x", "quiz", 1.0, [public, hidden], choices="abcd")


def student(name: str, how: str, letter: str | None, flags=()) -> Results:
    return Results("rnn_from_scratch_en", "en", name, f"/s/{name}/nb.ipynb", [step(how), quiz(letter)],
                   flags=list(flags))


@pytest.fixture
def klass():
    """Six graded students (two right, two wrong, two stubs; quiz letters spread) and an error line."""
    return [student("ana", "right", "b"), student("bia", "right", "b"), student("caio", "wrong", "c"),
            student("duda", "wrong", "c"), student("edu", "stub", None), student("fe", "stub", "a"),
            Results("rnn_from_scratch_en", "en", "gil", "nb", error="nb.ipynb: missing")]


# --- 1. report.md escapes pipes for its tables ---------------------------------------

def test_a_pipe_in_a_mistake_text_is_escaped_not_replaced(klass, tmp_path):
    files = ClassFiles(tmp_path, formats=["report"])
    files.add(klass)
    files.finish(MISTAKES)
    report = (tmp_path / "report.md").read_text()
    row = next(line for line in report.splitlines() if line.startswith("| `rnn_step`"))
    assert "/V/" not in report and r"\|V\|" in row
    # the row still has its 7 cells: only unescaped pipes separate them
    assert len(row.replace(r"\|", "").split("|")[1:-1]) == 7


def test_code_spans_survive_backticks_and_pipes():
    assert code("a`b") == "``a`b``" and code("`x") == "`` `x ``"
    table = markdown([{"question": "q|x", "kind": "function", "max": 1.0, "mean": 0.5, "full": 1, "partial": 0,
                       "zero": 1, "not_attempted": 0, "mistakes": []}], 2)
    assert r"`q\|x`" in table


# --- 2. not attempted is not a mistake, everywhere -------------------------------------

def test_not_attempted_is_counted_apart_from_zeros_and_mistakes(klass):
    graded = [r for r in klass if not r.error]
    rows = {row["question"]: row for row in summarize(graded)}
    assert (rows["rnn_step"]["full"], rows["rnn_step"]["zero"], rows["rnn_step"]["not_attempted"]) == (2, 2, 2)
    assert rows["rnn_step"]["mistakes"] == [("no_tanh", 2)]
    assert (rows["quiz_x"]["zero"], rows["quiz_x"]["not_attempted"]) == (3, 1)
    edu = graded[4]
    assert edu.not_attempted == ["rnn_step", "quiz_x"] and edu.question("rnn_step").mistakes == []


def test_the_csv_has_a_not_attempted_column_and_no_not_implemented_mistake(klass):
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(grades_csv.render(klass)))}
    assert rows["edu"]["not_attempted"] == "rnn_step;quiz_x"
    assert rows["fe"]["not_attempted"] == "rnn_step"
    # a stub and a blank quiz read the same: nothing in the mistakes
    assert rows["edu"]["rnn_step_mistakes"] == rows["edu"]["quiz_x_mistakes"] == ""
    assert rows["caio"]["rnn_step_mistakes"] == "no_tanh" and rows["caio"]["not_attempted"] == ""
    assert [rows[s]["quiz_x_answer"] for s in ("ana", "caio", "edu", "fe")] == ["b", "c", "", "a"]


def test_the_markdown_and_the_summary_count_not_attempted_apart(klass, tmp_path):
    files = ClassFiles(tmp_path, formats=["report"])
    files.add(klass)
    files.finish(MISTAKES)
    report = (tmp_path / "report.md").read_text()
    assert "| not attempted |" in report and "not_implemented" not in report
    assert "| `rnn_step` | 1.00 / 3 | 2 | 0 | 2 | 2 |" in report
    text = summary.grades(klass)
    line = next(x for x in text.splitlines() if x.strip().startswith("rnn_step"))
    assert line.split()[1:8] == ["1.00", "/", "3", "2", "0", "2", "2"] and "no_tanh (2)" in line
    assert "not_implemented" not in text


def test_a_partial_grade_with_a_stubbed_check_is_attempted():
    q = QuestionResult("q", "function", 2.0, [Verdict("a", 1, True),
                                              Verdict("b", 1, False, "x", "not_implemented", not_attempted=True)])
    assert not q.not_attempted and q.score == 1


# --- 3. quiz item analysis ---------------------------------------------------------------

class _Student:
    def __init__(self, **answers):
        self.answers = answers

    def get(self, name):
        if name not in self.answers:
            raise StudentError("missing", name)
        return self.answers[name]


def test_check_choice_leaves_the_letter_for_the_check():
    take_answer()
    check_choice(_Student(q=" B "), "q", correct="b")
    assert take_answer() == "b" and take_answer() is None
    with pytest.raises(Wrong):
        check_choice(_Student(q="c"), "q", correct="b")
    assert take_answer() == "c"
    with pytest.raises(Wrong) as blank:
        check_choice(_Student(), "q", correct="b")
    assert blank.value.key == "quiz_unanswered" and take_answer() is None
    with pytest.raises(Wrong) as bad:
        check_choice(_Student(q="z"), "q", correct="b")
    assert bad.value.key == "quiz_bad_choice" and take_answer() is None


def test_an_answer_that_is_no_letter_counts_as_other_not_as_blank():
    answered_z = QuestionResult("quiz_x", "quiz", 1.0, [Verdict("test_answer", 1, False, "must be a letter")],
                                choices="abcd")
    graded = [student("ana", "right", "b"), Results("a", "en", "zeca", "nb", [step("right"), answered_z])]
    (item,) = items(graded)
    assert (item.other, item.blank, sum(item.counts.values())) == (1, 0, 1)
    assert not answered_z.not_attempted


def test_item_analysis_counts_letters_and_discriminates(klass):
    graded = [r for r in klass if not r.error]
    (item,) = items(graded)
    assert item.counts == {"a": 1, "b": 2, "c": 2, "d": 0}
    assert (item.correct, item.right, item.n, item.blank, item.other) == ("b", 2, 6, 1, 0)
    # by total: ana, bia (4) on top, edu, fe (0) at the bottom: 2/2 right against 0/2
    assert item.discrimination == 1.0
    assert item.top_distractor == ("c", 2)


def test_a_question_every_strong_student_misses_discriminates_negatively():
    graded = [Results("a", "en", name, "nb", [step(how), quiz(letter)])
              for name, how, letter in (("s1", "right", "c"), ("s2", "right", "c"), ("s3", "wrong", "b"),
                                        ("s4", "wrong", "b"), ("s5", "stub", "b"), ("s6", "stub", "b"))]
    (item,) = items(graded)
    assert item.discrimination == -1.0 and item.share == 4 / 6


def test_too_few_students_have_no_discrimination():
    (item,) = items([student("ana", "right", "b"), student("caio", "wrong", "c")])
    assert item.discrimination is None


def test_item_analysis_is_in_the_markdown(klass, tmp_path):
    files = ClassFiles(tmp_path, formats=["report"])
    files.add(klass)
    files.finish(MISTAKES)
    report = (tmp_path / "report.md").read_text()
    assert "| `quiz_x` | 1 | **2** | 2 | 0 | 0 | 1 | 2/6 (33%) | +1.00* |" in report
    # 6 students: the figure is marked as meaning little, and the note says why
    assert "Fewer than 20 students" in report and "means little" in report


def test_a_large_enough_class_has_its_discrimination_unmarked(tmp_path):
    big = [student(f"s{i:02}{how}", how, letter) for i in range(8)
           for how, letter in (("right", "b"), ("wrong", "c"), ("stub", "a"))]
    (item,) = items(big)
    assert item.n == 24 and not item.too_few and item.discrimination == 1.0
    files = ClassFiles(tmp_path, formats=["report"])
    files.add(big)
    files.finish(MISTAKES)
    report = (tmp_path / "report.md").read_text()
    assert "+1.00 |" in report and "+1.00*" not in report and "Fewer than" not in report


# --- 4. the terminal summary --------------------------------------------------------------

def test_the_summary_says_distribution_questions_and_files(klass, tmp_path):
    text = summary.grades(klass)
    assert "6 graded" in text and "median" in text
    assert "question" in text and "not attempted" in text
    assert "rnn_step" in text and "quiz_x" in text
    files = ClassFiles(tmp_path)
    files.add(klass)
    out = files.finish(MISTAKES)
    where = summary.files(out)
    assert str(out) in where and "report.html" in where and "grades.csv" in where and "gradescope/ (7 files)" in where


def test_autograde_prints_the_summary(klass, tmp_path, monkeypatch, capsys):
    import rnnquiz.classrun as ag
    import rnnquiz.commands.autograde as verb
    from rnnquiz.commands import cli
    files = ClassFiles(tmp_path)
    files.add(klass)
    out = files.finish(MISTAKES)
    outcomes = [ag.Outcome(r.student, "nb", results=r, error=r.error) for r in klass]

    def fake(assignment, **_kwargs):
        return ag.Summary(assignment, outcomes, seconds=1.0, report_dir=out, protections="sandbox: test")
    monkeypatch.setattr(verb, "autograde", fake)
    assert cli.main(["autograde", "rnn_from_scratch_en"]) == 0
    printed = capsys.readouterr().out
    assert "graded 6 of 7" in printed
    assert "not attempted" in printed and "no_tanh (2)" in printed
    assert "errors: 1" in printed and "error: gil" in printed
    assert "report.html" in printed and str(out) in printed


# --- 5. the HTML page -----------------------------------------------------------------------

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_the_html_report_is_a_registered_class_format():
    assert FORMATS["html"].whole is not None and FORMATS["html"].one is None


def test_everything_a_student_wrote_is_escaped():
    hostile = '<img src=x onerror=alert(1)>'
    r = student(hostile, "wrong", "c", flags=['<script>alert("flag")</script>'])
    r.questions[0].checks[0].mistake = "<b>bad</b>"
    broken = Results("a", "en", "<svg onload=alert(2)>", "<i>nb</i>", error="<iframe src=x>")
    html = page([r, broken, student("ana", "right", "b")], "<title>week 1", MISTAKES)
    parsed = _Tags()
    parsed.feed(html)
    tags = [t for t, _a in parsed.tags]
    assert "iframe" not in tags and "svg" not in tags and "b" not in tags and "i" not in tags
    assert [a["src"][:22] for t, a in parsed.tags if t == "img"] == ["data:image/png;base64,"]
    assert tags.count("script") == 1
    text = "".join(parsed.text)
    assert hostile in text and "<iframe src=x>" in text and "<b>bad</b>" in text


def test_the_page_names_no_outside_resource(klass):
    html = page(klass, "rnn_from_scratch_en", MISTAKES)
    parsed = _Tags()
    parsed.feed(html)
    for tag, attrs in parsed.tags:
        for name in ("src", "href"):
            assert name not in attrs or attrs[name].startswith("data:"), (tag, attrs)
    csp = next(a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_the_students_table_has_each_line_with_score_and_not_attempted(klass):
    html = page(klass, "x", MISTAKES)
    assert 'data-student="edu"' in html and 'data-student="gil"' in html
    parsed = _Tags()
    parsed.feed(html)
    scores = [a.get("data-sort") for t, a in parsed.tags if t == "td" and "score" in a.get("class", "")]
    assert scores == ["4", "4", "0", "0", "0", "0", ""]  # ana bia caio duda edu fe gil


def test_an_assignment_of_several_notebooks_gets_a_section_each(tmp_path):
    other = Results("torch_rnn_by_hand_en", "en", "ana", "/s/ana/t.ipynb", [step("right")])
    files = ClassFiles(tmp_path, several=True, formats=["report", "html"])
    files.add([student("ana", "right", "b"), other])
    files.finish(MISTAKES)
    html = (tmp_path / "report.html").read_text()
    assert "<h2>rnn_from_scratch_en</h2>" in html and "<h2>torch_rnn_by_hand_en</h2>" in html
    assert 'id="questions-1"' in html and 'id="questions-2"' in html and 'id="items-1"' in html
    assert (tmp_path / "report-rnn_from_scratch_en.png").is_file()


# --- a class graded in parts is reported whole -----------------------------------------

def _csv_scores(folder) -> dict:
    with open(folder / "grades.csv", encoding="utf-8") as f:
        return {row["student"]: float(row["score"]) for row in csv.DictReader(f)}


def test_parts_of_a_class_make_one_report_and_a_regrade_replaces_its_student(klass, tmp_path, capsys):
    """Two shards (as two machines write them, the course mounted at other paths),
    then a regrade of one student: every file of the class holds everyone, once."""
    first, second = klass[:3], klass[3:]
    for part in (first, second):
        files = ClassFiles(tmp_path, formats=["record", "csv", "html"])
        files.add(part)
        files.finish(MISTAKES)
    assert _csv_scores(tmp_path) == {"ana": 4, "bia": 4, "caio": 0, "duda": 0, "edu": 0, "fe": 0, "gil": 0}
    regraded = student("caio", "right", "b")
    regraded.notebook = "/elsewhere/caio/nb.ipynb"
    files = ClassFiles(tmp_path, formats=["record", "csv", "html"])
    files.add([regraded])
    files.finish(MISTAKES)
    assert _csv_scores(tmp_path)["caio"] == 4 and len(_csv_scores(tmp_path)) == 7
    assert 'data-student="duda"' in (tmp_path / "report.html").read_text()
    assert not list(tmp_path.rglob("*.tmp"))
    # a record that is not one is named and left out; the rest is reported
    (tmp_path / "results" / "zz.json").write_text("{not json")
    files = ClassFiles(tmp_path, formats=["record", "csv"])
    files.finish(MISTAKES)
    assert len(_csv_scores(tmp_path)) == 7
    assert "zz.json is not a record rnnquiz wrote" in capsys.readouterr().err


def test_a_record_gives_back_the_results_it_was_made_from(klass):
    for r in klass:
        again = Results.from_record(r.to_record())
        assert again == r and grades_csv.row(again) == grades_csv.row(r)


def test_the_summary_names_every_mistake_tied_for_most_frequent():
    """Two students, two different named mistakes once each: the terminal names
    both, not whichever came first."""
    def wrong(mistake):
        return QuestionResult("rnn_step", "function", 3.0, [Verdict("test_variants", 3, False, "wrong", mistake)])
    members = [Results("rnn_from_scratch_en", "en", name, f"/s/{name}/nb.ipynb", [wrong(mistake)])
               for name, mistake in (("a", "no_tanh"), ("b", "w_hh_transposed"), ("c", "no_tanh"),
                                     ("d", "w_hh_transposed"), ("e", "bias_missing"))]
    row = next(line for line in summary.grades(members).splitlines() if line.strip().startswith("rnn_step"))
    assert row.endswith("no_tanh (2), w_hh_transposed (2)"), row
