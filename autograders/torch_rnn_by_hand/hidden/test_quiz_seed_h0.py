"""quiz_seed_h0, hidden: the variants drawn per student (reference and helpers: the public file)."""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_seed_h0")


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_seed_h0", correct="a", mistakes={"b": "h0_seed_shape"})
