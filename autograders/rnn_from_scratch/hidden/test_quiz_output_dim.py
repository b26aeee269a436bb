"""quiz_output_dim, hidden: the answer key.

The output at each step has the vocabulary size |V| (d2l exercise 1, corrected).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_output_dim")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["tamanho do vocabulário", "|v| pontuações", "uma pontuação por token", "uma por token do vocabulário",
           "até o vocabulário", ", |v|)"],
    "en": ["vocabulary size", "size of the vocabulary", "|v| scores", "one score per token",
           "one per vocabulary token", "to the vocabulary", ", |v|)"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_output_dim", correct="b",
                 mistakes={"a": "output_dim_one", "c": "output_dim_hidden"})
