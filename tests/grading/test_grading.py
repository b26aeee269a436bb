"""Grades: solutions full, stubs zero, each typical mistake costs its question only.

The same graders decide in both modes: their submissions in sandboxed workers
(as every grade is decided), and in this process (``in_process``: the fast lane's
test of the graders themselves)."""
import json

import pytest

from in_process import grade_in_process
from rnnquiz.grading.session import Request, grade_many
from rnnquiz.model import samples
from rnnquiz.outputs.text import render as render_text
from support import ASSIGNMENTS, CATALOG, ROOT, TEST_LIMITS, assignment, full_marks, grade_notebooks, scores, submission

# every assignment of the course and every sample it declares: a new one is tested by itself
SAMPLES = [(aid, s) for aid in ASSIGNMENTS for s in samples.load(assignment(aid)).samples]
MODES = [pytest.param("sandboxed", marks=pytest.mark.sandbox), "in_process"]


@pytest.fixture(scope="module", params=MODES)
def mode(request):
    return request.param


def graded(mode: str, tmp_path, notebooks: dict, aid: str, student: str = "student") -> dict:
    if mode == "in_process":
        return grade_in_process(aid, notebooks, student)
    return grade_notebooks(tmp_path, notebooks, aid, student=student)


@pytest.fixture(scope="module")
def references(mode):
    """Solution and untouched release of every assignment, graded once."""
    if mode == "in_process":
        out = {}
        for aid in ASSIGNMENTS:
            nbs = {kind: json.loads(path(aid, ROOT).read_text()) for kind, path in
                   (("solution", samples.solution_path), ("release", samples.release_path))}
            out.update({(aid, kind): r for kind, r in grade_in_process(aid, nbs, "ana").items()})
        return out
    reqs = []
    for aid in ASSIGNMENTS:
        reqs += [Request(str(samples.solution_path(aid, ROOT)), "ana", assignment(aid)),
                 Request(str(samples.release_path(aid, ROOT)), "ana", assignment(aid))]
    results = grade_many(reqs, CATALOG, limits=TEST_LIMITS)
    return {(r.assignment, kind): r for r, kind in zip(results, ["solution", "release"] * len(ASSIGNMENTS))}


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_solution_scores_full_marks(references, aid):
    result = references[(aid, "solution")]
    assert scores(result) == full_marks(aid), render_text(result)
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_untouched_release_scores_zero_with_not_implemented(references, aid):
    result = references[(aid, "release")]
    assert result.score == 0
    marker = {"pt": "ainda", "en": "not"}[assignment(aid).lang]
    for q in result.questions:
        feedback = q.feedback(result.lang)
        assert feedback.startswith(marker), feedback
        assert "Traceback" not in feedback


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_an_untouched_release_is_not_attempted_and_names_no_mistake(references, aid):
    """Stubs and blank quizzes: recorded as not attempted (the class reports count
    them apart), never as a mistake; a solution's quiz answers are recorded letters."""
    release, solution = references[(aid, "release")], references[(aid, "solution")]
    assert release.not_attempted == [q.name for q in release.questions]
    assert all(q.mistakes == [] and q.answer is None for q in release.questions)
    assert solution.not_attempted == []
    for q in solution.questions:
        if q.kind == "quiz":
            assert q.answer in q.choices and q.answer, q.name


@pytest.fixture(scope="module")
def mistakes(mode, tmp_path_factory):
    out = {}
    for aid in ASSIGNMENTS:
        nbs = {s.name: submission(aid, {s.question: s.code}) for s in samples.load(assignment(aid)).samples}
        out[aid] = graded(mode, tmp_path_factory.mktemp(aid), nbs, aid)
    return out


@pytest.mark.parametrize("aid,sample", SAMPLES, ids=[f"{a}-{s.name}" for a, s in SAMPLES])
def test_typical_mistake_costs_only_its_question_and_is_named(mistakes, aid, sample):
    result = mistakes[aid][sample.name]
    expected = full_marks(aid)
    expected[sample.question] = 0.0
    got = scores(result)
    # some answers keep the public example's point by design, never all points
    if sample.partial:
        assert 0 < got[sample.question] < full_marks(aid)[sample.question]
        got[sample.question] = 0.0
    assert got == expected, render_text(result)
    question = result.question(sample.question)
    assert sample.mistake in question.mistakes, render_text(result)
    assert assignment(aid).mistake_text(sample.mistake) in question.feedback(result.lang)


def test_same_student_same_inputs_and_other_students_other_inputs(mode, tmp_path):
    # the answer echoes its inputs, so the feedback shows which variant was drawn
    code = "def count_rnn_params(num_inputs, num_hiddens):\n    return num_inputs * 1000 + num_hiddens"
    nb = submission("rnn_from_scratch", {"count_rnn_params": code})
    feedback = {}
    for run, student in enumerate(["ana", "ana", "bruno"]):
        result = graded(mode, tmp_path, {f"x{run}": nb}, "rnn_from_scratch", student=student)[f"x{run}"]
        feedback[run] = result.question("count_rnn_params").checks[1].feedback
        assert "got" in feedback[run] or "recebido" in feedback[run]
    assert feedback[0] == feedback[1]
    assert feedback[0] != feedback[2]


def test_answer_hard_coded_for_one_student_fails_for_another(mode, tmp_path):
    """Record ana's variant inputs and outputs; replay them as a lookup table."""
    import numpy as np
    import torch

    from rnnquiz.grading.checks import sizes
    from rnnquiz.grading.plugin import seed_for

    rng = np.random.default_rng(seed_for("ana", "count_rnn_params", "test_variants"))
    table = {(s["d"], s["h"]): s["d"] * s["h"] + s["h"] + s["h"] * s["h"]
             for s in sizes(rng, 3, d=(3, 40), h=(5, 64))}
    table[(2, 4)] = 28
    code = f"def count_rnn_params(num_inputs, num_hiddens):\n    return {table!r}.get((num_inputs, num_hiddens), 0)"
    nb = submission("rnn_from_scratch", {"count_rnn_params": code})
    ana = graded(mode, tmp_path, {"x": nb}, "rnn_from_scratch", student="ana")["x"]
    bruno = graded(mode, tmp_path, {"x": nb}, "rnn_from_scratch", student="bruno")["x"]
    assert ana.question("count_rnn_params").score == 2
    assert bruno.question("count_rnn_params").score == 1  # only the public example
    del torch


def test_zero_d_values_keep_their_shape_over_the_wire():
    """NumPy scalars and 0-d tensors (x.norm()) arrive 0-d, so as_int takes a NumPy integer."""
    import numpy as np
    import torch

    from rnnquiz.grading.checks import as_int
    from rnnquiz.sandboxed import wire

    for value in (np.float32(1.5), np.array(2.0), torch.tensor(2.5)):
        assert wire.decode(wire.encode(value)).value.shape == ()
    assert as_int(wire.decode(wire.encode(np.int64(28))), "x") == 28
    strided = np.arange(6.0).reshape(2, 3).T  # not C-contiguous: still sent in C order
    assert np.array_equal(wire.decode(wire.encode(strided)).value, strided)
