"""quiz_state_history: the answer is well formed (one of the choices); which choice is right is
checked only at submission (hidden), so this file names no answer."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_state_history")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_state_history", correct="")
