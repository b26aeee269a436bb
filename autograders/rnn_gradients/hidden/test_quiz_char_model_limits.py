"""quiz_char_model_limits, hidden: the variants drawn per student (helpers in
../public/test_quiz_char_model_limits.py).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_char_model_limits")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_char_model_limits", correct="d")
