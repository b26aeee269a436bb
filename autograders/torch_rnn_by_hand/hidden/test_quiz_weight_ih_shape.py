"""quiz_weight_ih_shape, hidden: the answer key.

Weight_ih_l0 has shape (hidden, input) = (4, 2).
"""
import pytest

from rnnquiz.checks import check_choice

pytestmark = pytest.mark.question("quiz_weight_ih_shape")

# Phrases that would give this answer away (case and markdown ignored): no public text may hold one
# (assignment.toml, the public checks, anything in the student wheel); tests/test_content.py and
# tests/test_wheel.py check it.
GIVEAWAYS = {
    "pt": ["(ocultos, entradas)", "(hidden, input)", "transposto de w_ih", "era preciso transpor",
           "entra transposto", "os pesos do torch têm formato"],
    "en": ["(hidden, input)", "transpose of w_ih", "transpose (.t) was needed", "weights have shape (hidden",
           "stores weight_ih_l0 as", "tell a transpose from a reshape", "reshape used instead of .t"],
}


@pytest.mark.points(1)
def test_answer(student):
    check_choice(student, "quiz_weight_ih_shape", correct="b",
                 mistakes={"a": "weights_not_transposed"})
