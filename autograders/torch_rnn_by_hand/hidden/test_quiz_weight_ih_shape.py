"""quiz_weight_ih_shape, hidden: the answer key.

Weight_ih_l0 has shape (hidden, input) = (4, 2).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_weight_ih_shape")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_weight_ih_shape", correct="c", mistakes={"a": "weights_not_transposed"})
