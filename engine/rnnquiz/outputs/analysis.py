"""The class's numbers, computed once for every class-wide output (markdown,
image, HTML, the terminal summary): per question, per quiz item, per score.

Not attempted (an untouched stub, a missing function, a blank quiz) is
counted apart from the zeros of wrong answers, and never as a mistake.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass


def by_assignment(results: list) -> dict:
    """Graded results (no error line) per assignment, in the order they come."""
    groups: dict = {}
    for r in results:
        if not r.error:
            groups.setdefault(r.assignment, []).append(r)
    return groups


def summarize(results: list) -> list:
    """One row per question: mean, counts of full / partial / zero / not
    attempted (they add up to the class), the three mistakes named most often."""
    if not results:
        return []
    rows = []
    for i, q in enumerate(results[0].questions):
        answers = [r.questions[i] for r in results]
        scores = [a.score for a in answers]
        blank = [a.not_attempted for a in answers]
        mistakes = Counter(m for a in answers for m in a.mistakes)
        rows.append({"question": q.name, "kind": q.kind, "max": q.max_score, "mean": sum(scores) / len(scores),
                     "full": sum(s >= q.max_score for s in scores),
                     "partial": sum(0 < s < q.max_score for s in scores),
                     "zero": sum(s == 0 and not b for s, b in zip(scores, blank)),
                     "not_attempted": sum(blank), "scores": scores,
                     "mistakes": mistakes.most_common(3)})
    return rows


# under this many students the top and bottom thirds hold a handful each: one student
# more or less moves the discrimination by a third or more, and a small class shows
# +1.00 for nearly every item; the figure is shown, marked as too few to mean much
MIN_FOR_DISCRIMINATION = 20


@dataclass
class Item:
    """One quiz question across the class: who chose which letter, and how well it separates."""
    question: str
    letters: str        # the choices, then any other letter a student gave
    counts: dict        # letter -> students who chose it
    correct: str        # the letters of full marks (empty when nobody had them: the key is not in the results)
    right: int          # students with full marks
    other: int          # answered, but not with one of the letters (or the grader could not read it)
    blank: int          # not attempted
    n: int
    discrimination: float | None  # share right in the top third minus in the bottom third; None: under 3 students

    @property
    def too_few(self) -> bool:
        """Too few students for the discrimination to mean much."""
        return self.n < MIN_FOR_DISCRIMINATION

    @property
    def share(self) -> float:
        return self.right / self.n if self.n else 0.0

    @property
    def top_distractor(self) -> tuple:
        """(letter, students) of the wrong letter chosen most often; ("", 0) if none was."""
        wrong = [(n, letter) for letter, n in self.counts.items() if letter not in self.correct and n]
        if not wrong:
            return "", 0
        n, letter = max(wrong, key=lambda t: (t[0], -ord(t[1])))
        return letter, n


def items(results: list) -> list:
    """Item analysis of every quiz question of one assignment's graded results."""
    if not results:
        return []
    third = len(results) // 3
    ranked = sorted(results, key=lambda r: (-r.score, r.student, r.notebook))
    top, bottom = ranked[:third], ranked[len(ranked) - third:]
    out = []
    for i, q in enumerate(results[0].questions):
        if q.kind != "quiz":
            continue
        answers = [r.questions[i] for r in results]
        chosen = Counter(a.answer for a in answers if a.answer)
        letters = q.choices + "".join(sorted(set(chosen) - set(q.choices)))
        right = [a.score >= a.max_score for a in answers]
        correct = "".join(sorted({a.answer for a, ok in zip(answers, right) if ok and a.answer}))

        def share(group, i=i):
            return sum(r.questions[i].score >= r.questions[i].max_score for r in group) / len(group)
        out.append(Item(q.name, letters, {x: chosen.get(x, 0) for x in letters}, correct, sum(right),
                        sum(not a.answer and not a.not_attempted for a in answers),
                        sum(a.not_attempted for a in answers), len(answers),
                        share(top) - share(bottom) if third else None))
    return out


def histogram(totals: list, max_score: float, bins: int = 6) -> list:
    """[(low, high, students)]: whole-point bands from 0 to the maximum."""
    top = math.ceil(max_score)
    width = max(1, math.ceil((top + 1) / bins))
    bands = []
    for low in range(0, top + 1, width):
        high = min(low + width - 1, top)
        last = high == top
        bands.append((low, high, sum(low <= t < high + 1 or (last and t > high) for t in totals)))
    return bands


def median(values: list) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return 0.0
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
