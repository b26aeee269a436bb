"""next_char_pairs' typical mistakes: variants of (text[:-1], text[1:]) (see rnnquiz.grading.catalogue)."""
from rnnquiz.checks import mistake


def probes(rng):
    return [("rede",), ("sequencia",), ("abc",)]


@mistake("targets_unshifted")
def next_char_pairs(text):
    return text, text


@mistake("targets_reversed")
def _reversed(text):
    return text[1:], text[:-1]


@mistake("targets_too_short")
def _shift_two(text):
    return text[:-2], text[2:]


@mistake("targets_too_short")
def _both_cut(text):
    return text[1:-1], text[2:]


@mistake("one_side_cut", pt="cortou só um dos lados: a entrada perde o último caractere (text[:-1]) e o alvo, "
         "o primeiro (text[1:]); os dois ficam com len(text) - 1 caracteres.",
         en="cut one side only: the input loses the last character (text[:-1]) and the target the first "
         "(text[1:]); both end up with len(text) - 1 characters.")
def _input_whole(text):
    return text, text[1:]


@mistake("one_side_cut")
def _target_whole(text):
    return text[:-1], text
