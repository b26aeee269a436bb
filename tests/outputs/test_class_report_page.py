"""A class graded by ``rnnquiz autograde`` (mistakes, stubs, blank and spread
quiz answers, a flag, an error line, a hostile student id): its CSV, markdown
and HTML report agree, and the HTML page works in headless Chromium."""
import base64
import csv
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from rnnquiz.classrun import autograde
from rnnquiz.commands.cycle import NBGRADER
from support import TEST_LIMITS, copy_course, sample, submission

pytestmark = pytest.mark.slow
AID = "rnn_from_scratch"
HOSTILE = "<img src=x onerror=alert(1)>"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def letters(**chosen) -> dict:
    return {quiz: f'{quiz} = "{letter}"\n' for quiz, letter in chosen.items()}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("class")
    copy_course(course, [AID])
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    subprocess.run([*NBGRADER, "generate_assignment", AID], cwd=course, env=env, check=True, capture_output=True)
    released = json.loads((course / "assignments" / AID / f"{AID}.ipynb").read_text())
    stub = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in released["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")}
    no_tanh = sample(AID, "no_tanh").code
    students = {
        "ana": submission(AID),
        "bruno": submission(AID, {"rnn_step": no_tanh, **letters(quiz_xt_shape="a", quiz_output_dim="a")}),
        "carla": submission(AID, {"rnn_step": stub["rnn_step"], "quiz_output_dim": stub["quiz_output_dim"],
                                  **letters(quiz_xt_shape="b")}),
        "dora": submission(AID, {"rnn_step": no_tanh, "concat_operands": sample(AID, "concat_order").code,
                                 **letters(quiz_xt_shape="b", quiz_param_growth="b", quiz_output_dim="c")}),
        "eli": released,  # nothing touched
        "fabio": submission(AID, {"count_rnn_params": sample(AID, "count_two_biases").code,
                                  **letters(quiz_hidden_state="d")},
                            ["### BEGIN SOLUTION\nx = 1\n### END SOLUTION"]),  # flagged
        HOSTILE: submission(AID, letters(quiz_xt_shape="c")),
    }
    for student, nb in students.items():
        folder = course / "submitted" / student / AID
        folder.mkdir(parents=True)
        (folder / f"{AID}.ipynb").write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text("2026-11-22 12:00:00.000000 UTC")
    (course / "submitted" / "gil" / AID).mkdir(parents=True)  # no notebook: an error line
    summary = autograde(AID, course_root=course, jobs=2, limits=TEST_LIMITS)
    return summary.report_dir


@pytest.fixture(scope="module")
def grades(course):
    with open(course / "grades.csv", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


# --- what the graders record reaches the CSV -----------------------------------------------

def test_the_csv_keeps_not_attempted_apart_from_mistakes(grades):
    assert grades["carla"]["not_attempted"] == "rnn_step;quiz_output_dim"
    assert grades["carla"]["rnn_step_mistakes"] == "" and grades["carla"]["quiz_output_dim_mistakes"] == ""
    assert len(grades["eli"]["not_attempted"].split(";")) == 10
    assert "not_implemented" not in "".join(grades["eli"].values())
    assert grades["bruno"]["rnn_step_mistakes"] == "no_tanh" and grades["bruno"]["not_attempted"] == ""
    assert grades["gil"]["error"] and grades["fabio"]["flags"]


def test_the_csv_has_each_quiz_letter(grades):
    assert [grades[s]["quiz_xt_shape_answer"] for s in ("ana", "bruno", "carla", "dora", "eli", "fabio", HOSTILE)] \
        == ["d", "a", "b", "b", "", "d", "c"]
    assert grades["bruno"]["quiz_output_dim_mistakes"] == "output_dim_one"


def test_the_markdown_escapes_pipes_and_analyses_the_quizzes(course):
    report = (course / "report.md").read_text()
    assert r"\|V\|" in report and "/V/" not in report and "not_implemented" not in report
    assert "| `quiz_xt_shape` | 1 | 2 | 1 | **2** | 0 | 1 | 2/7 (29%) |" in report
    assert "| `rnn_step` | 1.29 / 3 | 3 | 0 | 2 | 2 |" in report
    assert "Flagged" in report and "Could not be graded" in report


# --- the HTML page in a browser -----------------------------------------------------------

class Tables(HTMLParser):
    """Each table's rows by the table's id: [(the row's attributes, [(cell attributes, text)])]."""

    def __init__(self):
        super().__init__()
        self.tables, self.table, self.row, self.cell = {}, None, None, None
        self.pre, self.result = False, ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self.table is not None:
            self.row = (attrs, [])
            self.table.append(self.row)
        elif tag in ("td", "th") and self.row is not None:
            self.cell = [attrs, ""]
            self.row[1].append(self.cell)
        elif tag == "pre" and attrs.get("id") == "__result":
            self.pre = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "pre":
            self.pre = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data
        if self.pre:
            self.result += data


def chromium(page, tmp_path):
    """The page's DOM after load, and what Chromium logged (console messages among it)."""
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine")
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
                           "--v=0", "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def console(log: str) -> list:
    return [line for line in log.splitlines() if "CONSOLE" in line]


def parse(dom: str) -> Tables:
    tables = Tables()
    tables.feed(dom)
    return tables


def test_the_page_renders_without_a_console_message(course, tmp_path):
    dom, log = chromium(course / "report.html", tmp_path)
    assert console(log) == []
    tables = parse(dom)
    assert {"questions", "items", "students"} <= set(tables.tables)
    assert "Class report: rnn_from_scratch" in dom


def test_the_page_shows_the_numbers_of_the_csv(course, grades, tmp_path):
    dom, _log = chromium(course / "report.html", tmp_path)
    tables = parse(dom).tables
    students = {html.unescape(attrs["data-student"]): cells for attrs, cells in tables["students"][1:]}
    assert set(students) == set(grades)
    for name, cells in students.items():
        row = grades[name]
        score = next(c for c in cells if "score" in c[0].get("class", ""))
        blank = next(c for c in cells if "not-attempted" in c[0].get("class", ""))
        if row["error"]:
            assert score[1] == "" and row["error"] in html.unescape(cells[-1][1])
            continue
        assert float(score[0]["data-sort"]) == float(row["score"]), name
        assert score[1] == f"{float(row['score']):g} / {float(row['max_score']):g}"
        assert int(blank[0]["data-sort"]) == len([q for q in row["not_attempted"].split(";") if q]), name
        for flag in filter(None, row["flags"].split(" | ")):
            assert flag in cells[-1][1]
    graded = [row for row in grades.values() if not row["error"]]
    for _attrs, cells in tables["questions"][1:]:
        question = cells[0][1]
        mean = sum(float(row[question]) for row in graded) / len(graded)
        assert cells[1][1] == f"{mean:.2f}", question
        assert int(cells[6][1]) == sum(question in row["not_attempted"].split(";") for row in graded), question
    header = [c[1] for c in tables["items"][0][1]]
    for _attrs, cells in tables["items"][1:]:
        quiz = cells[0][1]
        for letter in "abcd":
            count = cells[header.index(letter)][1].strip()
            assert int(count) == sum(row[f"{quiz}_answer"] == letter for row in graded), (quiz, letter)


def test_a_student_id_is_text_in_the_page(course, tmp_path):
    dom, _log = chromium(course / "report.html", tmp_path)
    assert "<img src=x" not in dom.replace("&lt;img src=x", "")
    assert dom.count("<img") == 1  # the plots, and nothing a student named
    assert html.escape(HOSTILE, quote=False) in dom


HEAD_HOOK = ("window.__errors = []; "
             "window.addEventListener('error', function (e) { __errors.push(String(e.message)); });"
             "document.addEventListener('securitypolicyviolation', function (e) { __errors.push('csp ' + "
             "e.violatedDirective); });")
CLICKS = """
(function () {
  function order() {
    return Array.prototype.map.call(document.querySelectorAll("#students tbody tr"),
                                    function (r) { return r.getAttribute("data-student"); });
  }
  var th = Array.prototype.filter.call(document.querySelectorAll("#students thead th"),
                                       function (h) { return h.textContent.trim() === "score"; })[0];
  var out = {before: order()};
  th.click(); out.up = order(); out.up_sort = th.getAttribute("aria-sort");
  th.click(); out.down = order(); out.down_sort = th.getAttribute("aria-sort");
  var name = document.querySelector("#students thead th");
  name.click(); name.click(); out.names = order();
  out.errors = window.__errors;
  var pre = document.createElement("pre"); pre.id = "__result"; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"""


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def test_clicking_a_header_sorts_the_students(course, grades, tmp_path):
    """The page with a test hook: errors collected from the start, then the
    score header clicked twice and the student header twice (the hooks' hashes
    join the page's policy; nothing else of the page changes)."""
    page = (course / "report.html").read_text()
    page = page.replace("script-src ", f"script-src {_hash(HEAD_HOOK)} {_hash(CLICKS)} ", 1)
    page = page.replace("<head>", f"<head><script>{HEAD_HOOK}</script>", 1)
    page = page.replace("</body>", f"<script>{CLICKS}</script></body>", 1)
    hooked = tmp_path / "hooked.html"
    hooked.write_text(page)
    dom, log = chromium(hooked, tmp_path)
    result = json.loads(parse(dom).result)
    assert result["errors"] == [] and console(log) == []
    scores = {s: float(row["score"]) for s, row in grades.items() if not row["error"]}
    assert result["up_sort"] == "ascending" and result["down_sort"] == "descending"
    assert [scores[s] for s in result["up"][:-1]] == sorted(scores.values())
    assert [scores[s] for s in result["down"][:-1]] == sorted(scores.values(), reverse=True)
    assert result["up"][-1] == result["down"][-1] == "gil"  # no score: last, either way
    assert result["names"] == sorted(grades, reverse=True)  # by id, then reversed
