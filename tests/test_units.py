"""Unit tests where the logic lives: the wire, the results renderers, the messages."""
import csv
import io
import json
import shutil
import socket
import string
import threading
import time

import numpy as np
import pytest

from rnnquiz.messages import ECHO_LIMIT, LANGS, MESSAGES, clip, text
from rnnquiz.results import Check, QuestionResult, Results, to_csv
from rnnquiz.sandboxed import wire
from support import assignment, copy_course

# --- wire ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    None, True, 0, -3, 2**70, 1.5, float("nan"), "texto com acentuação", (1, "a"), [1, [2, 3]],
    {"k": 1, 2: (3,)}, np.arange(6, dtype=np.float32).reshape(2, 3), np.float64(2.5), np.int64(7),
])
def test_values_survive_the_wire(value):
    back = wire.decode(json.loads(json.dumps(wire.encode(value))))
    if isinstance(value, (np.ndarray, np.generic)):
        assert isinstance(back, wire.Array) and back.value.shape == np.shape(value)
        assert back.value.dtype == np.asarray(value).dtype and np.array_equal(back.value, value)
    elif isinstance(value, float) and value != value:
        assert back != back
    else:
        assert back == value


def test_unknown_objects_arrive_as_their_type_name_only():
    class Sneaky:
        def __repr__(self):
            return "x" * 10_000
    back = wire.decode(wire.encode(Sneaky()))
    assert isinstance(back, wire.Other) and back.type_name.endswith("Sneaky") and len(back.text) <= 300


def test_subclasses_of_plain_types_lose_their_behaviour():
    class Eq(int):
        def __eq__(self, other):
            return True
    back = wire.decode(wire.encode(Eq(0)))
    assert type(back) is not Eq


@pytest.mark.parametrize("data,reason", [
    ({"__array__": "numpy", "dtype": "object", "shape": [1], "data": ""}, "not allowed"),
    ({"__array__": "numpy", "dtype": "float32", "shape": [3], "data": "AAAA"}, "does not match"),
    ({"__array__": "numpy", "dtype": "float32", "shape": [-1], "data": ""}, "bad array shape"),
    ({"__mystery__": 1}, "unknown object"),
    (3j, "unexpected JSON type"),
])
def test_malformed_data_is_refused(data, reason):
    with pytest.raises(wire.WireError, match=reason):
        wire.decode(data)


def test_nesting_is_bounded():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested"):
        wire.decode(deep)


def test_lone_surrogates_become_replacement_characters():
    assert wire.decode("a\ud800b") == "a\ufffdb"
    wire.decode(["\udfff"])[0].encode("utf-8")


def _pair():
    a, b = socket.socketpair()
    return a, b


def test_frames_carry_sender_and_request_id():
    a, b = _pair()
    wire.send(a, {"op": "x"}, pid=42, msg_id=7)
    size, pid, msg_id = wire.recv_header(b)
    assert (pid, msg_id) == (42, 7) and wire.recv_body(b, size, wire.MAX_REPLY) == {"op": "x"}


def test_a_body_over_the_limit_is_refused_unread():
    a, b = _pair()
    a.sendall(wire.HEADER.pack(wire.MAX_REPLY + 1, 1, 1))
    size, _pid, _id = wire.recv_header(b)
    with pytest.raises(wire.WireError, match="larger"):
        wire.recv_body(b, size, wire.MAX_REPLY)


def test_too_many_containers_are_refused_before_parsing():
    a, b = _pair()
    body = b"[" + b"[]," * (wire.MAX_CONTAINERS + 1) + b"[]]"
    a.sendall(wire.HEADER.pack(len(body), 1, 1) + body)
    size, _pid, _id = wire.recv_header(b)
    with pytest.raises(wire.WireError, match="too many"):
        wire.recv_body(b, size, wire.MAX_REPLY)


def test_the_deadline_is_absolute_across_partial_reads():
    """One byte every 0.2 s: each recv succeeds, the whole still stops at the deadline."""
    a, b = _pair()
    a.sendall(wire.HEADER.pack(100, 1, 1))

    def trickle():
        for _ in range(20):
            try:
                a.send(b" ")
            except OSError:
                return
            time.sleep(0.2)
    threading.Thread(target=trickle, daemon=True).start()
    deadline = wire.Deadline(1.0)
    start = time.monotonic()
    size, _pid, _id = wire.recv_header(b, deadline)
    with pytest.raises(TimeoutError):
        wire.recv_body(b, size, wire.MAX_REPLY, deadline)
    assert time.monotonic() - start < 1.5
    a.close()


# --- results, one object rendered to every format -------------------------------------------

def _results():
    q1 = QuestionResult("rnn_step", "function", 3.0, [
        Check("test_example", 1, True, public=True),
        Check("test_variants", 2, False, "`rnn_step` on variant 1: wrong. Likely mistake: no tanh.", "no_tanh")])
    q2 = QuestionResult("quiz_x", "quiz", 1.0, [Check("test_answer", 1, True)])
    return Results("rnn_from_scratch_en", "en", "ana", "nb.ipynb", [q1, q2], notes=["cell 3 raised ValueError: x"])


def test_text_rendering():
    out = _results().to_text()
    assert "rnn_step" in out and "1 / 3" in out and "Likely mistake: no tanh." in out
    assert "Total" in out and "2 / 4" in out and "cell 3 raised" in out


def test_gradescope_rendering():
    data = json.loads(_results().to_json())
    assert data["score"] == 2 and data["extra_data"]["assignment"] == "rnn_from_scratch_en"
    assert [t["name"] for t in data["tests"]] == ["rnn_step", "quiz_x"]
    assert data["tests"][0] == {"name": "rnn_step", "score": 1.0, "max_score": 3.0, "status": "failed",
                                "output": "`rnn_step` on variant 1: wrong. Likely mistake: no tanh."}
    assert data["output"] == "cell 3 raised ValueError: x"


def test_csv_rendering():
    rows = list(csv.DictReader(io.StringIO(to_csv([_results()]))))
    assert rows[0]["student"] == "ana" and float(rows[0]["score"]) == 2 and rows[0]["rnn_step_mistakes"] == "no_tanh"


def test_a_score_never_exceeds_the_question():
    q = QuestionResult("q", "function", 2.0, [Check("a", 2, True), Check("b", 2, True)])
    assert q.score == 2.0


# --- messages ---------------------------------------------------------------------------

@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_exists_in_every_language_with_the_same_fields(key):
    texts = MESSAGES[key]
    assert len(texts) == len(LANGS) and all(t.strip() for t in texts)
    fields = [sorted(f for _, f, _, _ in string.Formatter().parse(t) if f) for t in texts]
    assert all(f == fields[0] for f in fields), key


def test_echoed_values_are_clipped_and_cleaned():
    out = text("raised", "en", name="f", type="ValueError", message="\x1b[31m" + "x" * 10_000)
    assert "\x1b" not in out and len(out) < ECHO_LIMIT + 100
    assert clip("a\ud800") == "a\ufffd"
    assert text("timeout", "pt", name="f", seconds=3.0).startswith("`f` não terminou em 3 s")


# --- pipelines: our steps merged into whatever a course has ------------------

def test_our_pipelines_are_nbgrader_defaults_with_our_steps():
    from traitlets.config import Config

    from rnnquiz import pipelines
    c = Config()
    pipelines.apply(c)
    assert c.Autograde.sanitize_preprocessors == pipelines.SANITIZE   # what rnnquiz autograde runs
    # rnnquiz's isolated worker where stock nbgrader has Execute
    assert c.Autograde.autograde_preprocessors == [
        pipelines.GRADE_ISOLATED,
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades",
        "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    # scores and our messages, never the hidden test regions
    assert c.GenerateFeedback.preprocessors == [
        "nbgrader.preprocessors.GetGrades",
        pipelines.CLEAR_HIDDEN,
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
    assert "nbgrader.preprocessors.ClearSolutions" not in c.GenerateAssignment.preprocessors
    assert pipelines.CLEAR_SOLUTIONS in c.GenerateAssignment.preprocessors
    # collect takes only folders that are the named student's, and follows no link
    assert c.ExchangeFactory.collect == pipelines.CHECKED_COLLECT
    from nbgrader.exchange import ExchangeFactory
    from nbgrader.exchange.default import ExchangeCollect

    from rnnquiz.exchange import CheckedCollect
    assert ExchangeFactory(config=c).collect is CheckedCollect and issubclass(CheckedCollect, ExchangeCollect)
    before = json.dumps(c, default=str, sort_keys=True)
    pipelines.apply(c)                                  # twice: nothing more
    assert json.dumps(c, default=str, sort_keys=True) == before


def test_a_courses_own_steps_and_settings_stay():
    from traitlets.config import Config

    from rnnquiz import pipelines
    c = Config()
    c.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute", "mycourse.Plagiarism",
                                           "nbgrader.preprocessors.SaveAutoGrades"]
    c.GenerateFeedback.preprocessors.append("mycourse.Watermark")   # a lazy `.append`
    c.ClearSolutions.code_stub = {"python": "# yours"}
    c.ExchangeFactory.collect = "mycourse.exchange.Collect"
    pipelines.apply(c)
    assert c.Autograde.autograde_preprocessors == [pipelines.GRADE_ISOLATED, "mycourse.Plagiarism",
                                                   "nbgrader.preprocessors.SaveAutoGrades"]
    assert "mycourse.Watermark" in c.GenerateFeedback.preprocessors
    assert pipelines.CLEAR_HIDDEN in c.GenerateFeedback.preprocessors
    assert c.ClearSolutions.code_stub == {"python": "# yours"}
    assert c.ExchangeFactory.collect == "mycourse.exchange.Collect"


def test_the_demo_replaces_only_its_own_work_folder(tmp_path):
    from rnnquiz.content import ContentError
    from rnnquiz.demo import MARKER, fresh_workdir
    work = fresh_workdir(tmp_path / "demo")
    (work / "old-course").mkdir()
    assert list(fresh_workdir(work).iterdir()) == [work / MARKER]    # a previous demo's: replaced
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(ContentError, match="not empty"):
        fresh_workdir(mine)
    assert (mine / "thesis.tex").read_text() == "years of work"


def _corrupt(cell_meta: dict, change: str):
    if change == "points_text":
        cell_meta["points"] = "two"
    elif change == "old_schema":
        cell_meta["schema_version"] = 2
    elif change == "new_schema":
        cell_meta["schema_version"] = 4
    elif change == "no_grade_id":
        del cell_meta["grade_id"]
    elif change == "extra_key":
        cell_meta["favourite"] = 1
    elif change == "grade_text":
        cell_meta["grade"] = "yes"


@pytest.mark.parametrize("change", [None, "points_text", "old_schema", "new_schema", "no_grade_id",
                                    "extra_key", "grade_text", "duplicate_id"])
def test_the_compiled_metadata_check_decides_as_nbgraders(change):
    """rnnquiz autograde's CheckCellMetadata (schema compiled once) accepts and
    refuses exactly what nbgrader's does, with the same error."""
    import copy

    import nbformat
    from nbgrader.preprocessors import CheckCellMetadata

    from rnnquiz import samples
    from rnnquiz.preprocessors import CheckCellMetadataCompiled
    from support import ROOT
    nb = nbformat.read(samples.solution_path("rnn_from_scratch", ROOT), as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    if change == "duplicate_id":
        graded[1].metadata.nbgrader.grade_id = graded[0].metadata.nbgrader.grade_id
    elif change:
        _corrupt(graded[0].metadata.nbgrader, change)
    outcomes = []
    for step in (CheckCellMetadata(), CheckCellMetadataCompiled()):
        try:
            step.preprocess(copy.deepcopy(nb), {})
            outcomes.append(None)
        except Exception as exc:
            outcomes.append((type(exc), str(exc)))
    assert outcomes[0] == outcomes[1]
    assert (outcomes[0] is None) == (change is None)


def test_autograde_refuses_an_ordinary_assignment_before_any_sandbox_starts(tmp_path, monkeypatch):
    """The course's source notebooks say hw0 is not ours: refused before the
    zygote (or nbgrader's gradebook) is touched."""
    import nbformat

    from rnnquiz import autograde, pool
    copy_course(tmp_path, [])  # a course: its configuration and content, no gradebook yet
    shutil.copytree(assignment("rnn_from_scratch").folder, tmp_path / "autograders" / "rnn_from_scratch")
    source = tmp_path / "source" / "hw0"
    source.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), source / "hw0.ipynb")
    (tmp_path / "gradebook.db").write_bytes(b"")
    before = sorted(p.name for p in tmp_path.iterdir())

    def no_launch(self):
        raise AssertionError("a zygote was launched for an assignment that is not ours")
    monkeypatch.setattr(pool.Pool, "launch", no_launch)
    with pytest.raises(autograde.AutogradeError, match="'hw0' is not an rnnquiz assignment"):
        autograde.autograde("hw0", course_root=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("made", ["empty", "content_only", "no_gradebook"])
def test_autograde_outside_a_course_says_so_and_makes_nothing(tmp_path, made):
    """Outside a course (or before nbgrader made its gradebook) `rnnquiz
    autograde` says what is missing and creates nothing: no gradebook.db, no reports/."""
    from rnnquiz import autograde
    if made != "empty":
        shutil.copytree(assignment("rnn_from_scratch").folder, tmp_path / "autograders" / "rnn_from_scratch")
    if made == "no_gradebook":
        copy_course(tmp_path, [])
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    expected = "no gradebook yet" if made == "no_gradebook" else "not an nbgrader course"
    with pytest.raises(autograde.AutogradeError, match=expected):
        autograde.autograde("rnn_from_scratch", course_root=tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("error", ["", "the notebook could not be read"])
def test_graded_outputs_are_valid_nbformat(error):
    """write_outcomes builds its outputs without nbformat's per-output check:
    the notebook it leaves validates, and each test cell says its score."""
    import nbformat

    from rnnquiz import samples
    from rnnquiz.content import TEST_CELL_PREFIX
    from rnnquiz.preprocessors import write_outcomes
    from support import ROOT, assignment

    nb = nbformat.read(samples.solution_path("rnn_from_scratch", ROOT), as_version=4)
    questions = assignment("rnn_from_scratch").questions
    result = Results("rnn_from_scratch", "en", "s", "nb.ipynb", error=error)
    for n, q in enumerate(questions):  # full, partial and zero marks in turn
        passed = [True, True, False][n % 3] if q.points > 1 else n % 3 == 0
        checks = [Check("a", 1.0, passed, "" if passed else "wrong"),
                  Check("b", float(q.points) - 1, n % 3 == 0, "" if n % 3 == 0 else "wrong")]
        result.questions.append(QuestionResult(q.name, q.kind, float(q.points), checks))
    write_outcomes(nb, result)
    nbformat.validate(nb)
    kinds = {c.metadata.nbgrader.grade_id: [o.output_type for o in c.outputs] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata.nbgrader.get("solution")}
    assert set(kinds) == {TEST_CELL_PREFIX + q.name for q in questions}
    expected = set() if error else {("stream",), ("stream", "execute_result"), ("error",)}
    assert {tuple(k) for k in kinds.values()} - {("error",)} <= expected
    if error:
        assert all(k == ["error"] for k in kinds.values())
    else:
        assert {tuple(k) for k in kinds.values()} == expected


@pytest.mark.parametrize("jobs", [1, 2, 4])
@pytest.mark.parametrize("n", [1, 2, 7, 60, 200, 1000])
def test_class_batches_keep_order_and_shrink_towards_the_end(n, jobs):
    from rnnquiz.autograde import BATCH, split
    items = [(f"s{i:04d}", "nb", None) for i in range(n)]
    batches = split(items, jobs)
    assert [i for b in batches for i in b] == items
    sizes = [len(b) for b in batches]
    assert max(sizes) <= BATCH[1] + BATCH[0] and all(a >= b for a, b in zip(sizes[:-2], sizes[1:-1]))
    if jobs > 1 and n >= 2 * jobs * BATCH[0]:
        assert len(batches) >= 2 * jobs and sizes[-2] <= BATCH[0]  # the last ones small: processes end together


@pytest.mark.parametrize("notebooks", [2, 3])
def test_a_student_s_notebooks_stay_in_one_batch(notebooks):
    """Their autograded folder is written at once (a later batch would replace it)."""
    from rnnquiz.autograde import split
    items = [(f"s{s:03d}", f"nb{k}", None) for s in range(97) for k in range(notebooks)]
    batches = split(items, 2)
    assert [i for b in batches for i in b] == items
    where = {}
    for n, batch in enumerate(batches):
        for student, _nb, _a in batch:
            assert where.setdefault(student, n) == n
