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
