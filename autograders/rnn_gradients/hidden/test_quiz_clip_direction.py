"""quiz_clip_direction, hidden: the variants drawn per student (helpers in ../public/test_quiz_clip_direction.py)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_clip_direction")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_clip_direction", correct="a",
                mistakes={"b": "clip_elementwise", "d": "clip_each_separately"})
