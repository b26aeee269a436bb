"""quiz_long_gradients, hidden: the variants drawn per student (helpers in ../public/test_quiz_long_gradients.py)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_long_gradients")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_long_gradients", correct="c")
