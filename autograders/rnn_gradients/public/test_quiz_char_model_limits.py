"""quiz_char_model_limits: one-hot width grows with the vocabulary; long-range dependencies are hard to
learn (d2l 9.4, exercise 4).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_char_model_limits")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_char_model_limits", correct="")
