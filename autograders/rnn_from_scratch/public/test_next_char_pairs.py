"""next_char_pairs: inputs and targets of a character-level language model, shifted by one."""
import pytest

from rnnquiz.checks import Wrong, as_tuple, call_label, describe, example

pytestmark = pytest.mark.question("next_char_pairs")

WORDS = ["recorrente", "sequencia", "neuronio", "gradiente", "tensor", "memoria", "softmax",
         "vocabulario", "estado", "oculto", "token", "lote", "passo", "python", "entrada"]


def check(student, text, where):
    what = call_label("next_char_pairs", where)
    got = as_tuple(student.call("next_char_pairs", text), what, 2)
    if not all(type(part) is str for part in got):
        raise Wrong("wrong_type", what=what, expected="(str, str)", got=describe(got))
    expected = (text[:-1], text[1:])
    if got != expected:
        mistake = {(text, text): "targets_unshifted",
                   (text[1:], text[:-1]): "targets_reversed"}.get(got)
        if mistake is None and len(got[0]) < len(text) - 1:
            mistake = "targets_too_short"
        raise Wrong("wrong_value", mistake=mistake, what=what, expected=repr(expected), got=repr(got))


@pytest.mark.public
@pytest.mark.points(1)
def test_machine(student):
    check(student, "machine", example())
