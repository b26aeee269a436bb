"""quiz_clip_direction, hidden: the answer key.

Clipping by the norm multiplies everything by the same factor: the direction is kept, only the length changes.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_clip_direction")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_clip_direction", correct="a",
                mistakes={"b": "clip_elementwise", "d": "clip_each_separately"})
