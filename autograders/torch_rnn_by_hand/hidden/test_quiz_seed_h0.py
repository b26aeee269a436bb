"""quiz_seed_h0, hidden: the answer key.

The seed's input (1, 3, 2) is one step of a batch of 3, so h0 (1, 1, 4) is rejected.
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_seed_h0")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["1 passo de um lote de 3", "1 passo de tempo de um lote de 3", "o lote é n", "o pytorch exige h0",
           "as atuais recusam", "(passos de tempo, lote"],
    "en": ["1 step of a batch of 3", "one step of a batch of 3", "the batch is n", "pytorch requires h0",
           "expected hidden size", "(seq_len, batch, features)", "time steps first"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_seed_h0", correct="c",
                 mistakes={"b": "h0_seed_shape"})
