"""quiz_clip_direction: clipping by the norm multiplies everything by the same factor: the direction is
kept, only the length changes.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_clip_direction")


@pytest.mark.public
@pytest.mark.points(0)
def test_answered(student):
    check_choice(student, "quiz_clip_direction", correct="")
