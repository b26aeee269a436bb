"""quiz_hidden_state: a hidden state is computed from earlier steps; a hidden layer sits between input and output."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_hidden_state")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_hidden_state", correct="")
