"""The results object: data only (its renderers are tests/outputs/test_renderers.py)."""
from rnnquiz.model.results import QuestionResult, Verdict


def test_a_score_never_exceeds_the_question():
    q = QuestionResult("q", "function", 2.0, [Verdict("a", 2, True), Verdict("b", 2, True)])
    assert q.score == 2.0
