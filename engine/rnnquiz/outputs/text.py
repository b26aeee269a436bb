"""A submission's results as text to read: one line per question, its score
and feedback (``rnnquiz grade``), or its public checks only (``rnnquiz check``)."""
from __future__ import annotations

from rnnquiz.model.messages import text
from rnnquiz.model.printable import printable
from rnnquiz.model.results import Results


def render(result: Results, public_only: bool = False) -> str:
    """``public_only``: the self-check's view, marks instead of points and no total."""
    lines = [f"{result.assignment}  ·  {printable(result.student)}  ·  {printable(result.notebook)}"]
    if result.error:
        return "\n".join(lines + [f"  ERROR: {printable(result.error)}"])
    width = max([len(q.name) for q in result.questions] + [10])
    for q in result.questions:
        if public_only:
            mark = "ok " if q.all_passed and q.kind != "quiz" else ("·  " if q.all_passed else "X  ")
            head = f"  {mark}{q.name:<{width}}  "
        else:
            head = f"  {q.name:<{width}}  {_num(q.score):>4} / {_num(q.max_score):<3}  "
        if public_only and q.all_passed:
            # a quiz answer is only checked to be a letter: never "ok" before grading
            body = text("quiz_answered" if q.kind == "quiz" else "check_passed", result.lang)
        else:
            body = q.feedback(result.lang)
        pad = " " * len(head)
        lines.append(head + body.replace("\n", "\n" + pad))
    if not public_only:
        lines.append(f"  {text('total', result.lang):<{width}}  {_num(result.score):>4} / {_num(result.max_score)}")
    lines += [f"  · {printable(note)}" for note in result.notes]
    lines += [f"  FLAG: {printable(flag)}" for flag in result.flags]
    return "\n".join(lines)


def _num(x: float) -> str:
    return f"{x:g}"
