"""Text a student controls, made fit to print, log or write into a report.

File names, student ids, exception types and messages, quiz answers: a
terminal obeys the control characters in them (ESC and CSI sequences erase
lines, move the cursor, hide text; a newline starts a line that looks like
ours).  ``printable`` is the one door every output of such text goes
through: no C0 or C1 control (U+0000-U+001F, U+007F-U+009F), no line or
paragraph separator and no bidirectional override is left.  Whitespace
controls become a space, the others a visible escape (``\\x1b``), so an
instructor sees that something was there.  ``csv_cell`` adds OWASP's rule
for spreadsheets.
"""
from __future__ import annotations

import re

# C0, DEL and C1; U+2028/9 (lines for some terminals and editors); the bidi overrides and isolates
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SPACES = {"\t": " ", "\n": " ", "\r": " ", "\x0b": " ", "\x0c": " ", "\u2028": " ", "\u2029": " "}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _SPACES:
        return _SPACES[char]
    if "\ud800" <= char <= "\udfff":  # a lone surrogate (valid in JSON, not in UTF-8)
        return "\ufffd"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value) -> str:
    """``value`` as one line of printable text (see the module's docstring)."""
    text = value if type(value) is str else str(value)
    if text.isascii() and text.isprintable():  # the common case, at C speed
        return text
    return _UNPRINTABLE.sub(_escape, text)


FORMULA = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what a spreadsheet may read as a formula


def csv_cell(value):
    """A CSV cell a spreadsheet shows as text: printable, and a leading
    ``FORMULA`` character quoted away with ``'``.  Numbers stay numbers."""
    if type(value) in (int, float, bool) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA):  # before printable: a leading tab or CR would become a space
        return "'" + printable(text)
    return printable(text)
