"""quiz_xt_shape, hidden: the answer key.

X_t is n x d (batch size by input dimension).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_xt_shape")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_xt_shape", correct="b")
