"""quiz_hidden_state: a hidden state is computed from earlier steps; a hidden layer is a layer between input and output."""
import pytest

from rnnquiz.grading import check_choice

pytestmark = pytest.mark.question("quiz_hidden_state")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_hidden_state", correct="")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_hidden_state", correct="b")
