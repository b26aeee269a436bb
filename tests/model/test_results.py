"""The results object: data only (its renderers are tests/outputs/test_renderers.py)."""
from rnnquiz.model.results import Check, QuestionResult


def test_a_score_never_exceeds_the_question():
    q = QuestionResult("q", "function", 2.0, [Check("a", 2, True), Check("b", 2, True)])
    assert q.score == 2.0
