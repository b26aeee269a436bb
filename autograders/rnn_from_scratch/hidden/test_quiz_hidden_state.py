"""quiz_hidden_state, hidden: the answer key.

A hidden state is computed from earlier steps; a hidden layer sits between input and output.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_hidden_state")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_hidden_state", correct="b")
