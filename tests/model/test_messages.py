"""The engine's sentences: every one in both languages, echoed values clipped."""
import string

import pytest

from rnnquiz.model.messages import ECHO_LIMIT, LANGS, MESSAGES, clip, text


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_exists_in_every_language_with_the_same_fields(key):
    texts = MESSAGES[key]
    assert len(texts) == len(LANGS) and all(t.strip() for t in texts)
    fields = [sorted(f for _, f, _, _ in string.Formatter().parse(t) if f) for t in texts]
    assert all(f == fields[0] for f in fields), key


def test_echoed_values_are_clipped_and_cleaned():
    out = text("raised", "en", name="f", type="ValueError", message="\x1b[31m" + "x" * 10_000)
    assert "\x1b" not in out and len(out) < ECHO_LIMIT + 100
    assert clip("a\ud800") == "a\ufffd"
    assert text("timeout", "pt", name="f", seconds=3.0).startswith("`f` não terminou em 3 s")


# --- pipelines: our steps merged into whatever a course has ------------------


@pytest.mark.parametrize("lang", LANGS)
def test_a_named_mistake_starts_a_sentence_of_its_own(lang):
    """A student's error text (a NumPy-only question's "... with NumPy only)")
    ends its sentence before the likely mistake is named."""
    from rnnquiz.grading.checks import Wrong
    wrong = Wrong("raised", mistake="used_torch", name="numpy_rnn", type="TorchUnavailable",
                  message="PyTorch is not available to this question (it must compute with NumPy only)")
    said = wrong.render(lang, {"used_torch": {"pt": "usou torch", "en": "used torch"}})
    before, _likely, _after = said.partition(text("likely", lang, text="").strip().rstrip(":"))
    assert before.rstrip().endswith((".", "!", "?", ":")), said
    assert ". ." not in said and ".." not in said.replace("...", "")
