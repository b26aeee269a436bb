"""quiz_char_model_limits, hidden: the answer key.

One-hot width grows with the vocabulary; long-range dependencies are hard to learn (d2l 9.4, exercise 4).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_char_model_limits")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_char_model_limits", correct="d")
