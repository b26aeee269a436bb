"""quiz_state_history, hidden: the variants drawn per student (helpers in ../public/test_quiz_state_history.py)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_state_history")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_state_history", correct="b")
