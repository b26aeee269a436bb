"""quiz_char_model_limits, hidden: the answer key.

One-hot width grows with the vocabulary; long-range dependencies are hard to learn (d2l 9.4, exercise 4).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_char_model_limits")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["cresce com o vocabulário", "crescem com o vocabulário", "dependências longas",
           "dependências entre caracteres distantes", "largura |v|"],
    "en": ["grows with the vocabulary", "grow with the vocabulary", "long-range dependencies",
           "dependencies between distant characters", "width |v|"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_char_model_limits", correct="b")
