"""quiz_state_history, hidden: the answer key.

H_t is computed from H_{t-1}, which came from H_{t-2}, ...: unrolled, it is a function of every earlier token
(d2l 9.4, exercise 2).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_state_history")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_state_history", correct="b")
