"""quiz_clip_direction, hidden: the answer key.

Clipping by the norm multiplies everything by the same factor: the direction is kept, only the length changes.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_clip_direction")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["mesmo fator", "muda a direção", "direção de g", "direção não muda", "o fator é min(1", "multiplica tudo"],
    "en": ["same factor", "changes the gradient's direction", "direction of g", "keeps the gradient's direction",
           "without changing the direction", "the factor is min(1", "multiplies everything", "everything scaled by",
           "everything times"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_clip_direction", correct="c",
                 mistakes={"a": "clip_elementwise", "b": "clip_each_separately"})
