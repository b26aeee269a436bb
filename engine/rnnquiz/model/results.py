"""One results object per graded submission, rendered to every output format."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from rnnquiz.model.messages import text


@dataclass
class Check:
    """One grader test: its points and, when it failed, the feedback."""
    name: str
    points: float
    passed: bool
    feedback: str = ""
    mistake: str | None = None
    public: bool = False
    answer: str | None = None    # a quiz check: the letter the student chose (read by the class's item analysis)
    not_attempted: bool = False  # an untouched stub, a missing function, a blank quiz: no mistake to name


@dataclass
class QuestionResult:
    name: str
    kind: str
    max_score: float
    checks: list = field(default_factory=list)
    error: str = ""  # set when the grader itself could not run
    choices: str = ""  # a quiz: the letters a student may answer

    @property
    def not_attempted(self) -> bool:
        """Nothing tried (a stub left as it was, a blank quiz): not a mistake, and
        counted apart from the zeros of answers that were wrong."""
        failed = [c for c in self.checks if not c.passed]
        return (not self.error and self.score == 0 and bool(failed)
                and all(c.not_attempted for c in failed))

    @property
    def answer(self) -> str | None:
        """A quiz: the letter the student chose (None: blank, or not one of the letters)."""
        return next((c.answer for c in self.checks if c.answer), None)

    @property
    def score(self) -> float:
        if self.error:
            return 0.0
        # never above the question's points, whatever the graders recorded
        return min(float(sum(c.points for c in self.checks if c.passed)), float(self.max_score))

    @property
    def status(self) -> str:
        if self.score >= self.max_score and not self.error:
            return "passed"
        return "failed"

    @property
    def all_passed(self) -> bool:
        """Every check that ran passed (the self-check runs only the public ones)."""
        return bool(self.checks) and not self.error and all(c.passed for c in self.checks)

    @property
    def mistakes(self) -> list:
        """The named mistakes, each once (several variants often show the same one);
        never what was not attempted."""
        return list(dict.fromkeys(c.mistake for c in self.checks
                                  if c.mistake and not c.passed and not c.not_attempted))

    def feedback(self, lang: str) -> str:
        if self.error:
            return self.error
        # the first message per named mistake: the same mistake on every variant once
        shown, seen = [], set()
        for c in self.checks:
            if c.passed or not c.feedback or c.feedback in shown:
                continue
            if c.mistake and c.mistake in seen:
                continue
            seen.add(c.mistake)
            shown.append(c.feedback)
        return "\n".join(shown) if shown else text("passed", lang)


@dataclass
class Results:
    assignment: str
    lang: str
    student: str
    notebook: str
    questions: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # cell errors and the like, per submission
    error: str = ""                            # the submission could not be graded at all
    flags: list = field(default_factory=list)  # for the instructor: it carries their own files (flags.py)

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.max_score for q in self.questions)

    @property
    def not_attempted(self) -> list:
        """The questions left untouched, by name."""
        return [q.name for q in self.questions if q.not_attempted]

    def question(self, name: str) -> QuestionResult:
        return next(q for q in self.questions if q.name == name)

    # --- renderers ------------------------------------------------------------
    def to_text(self, public_only: bool = False) -> str:
        lines = [f"{self.assignment}  ·  {self.student}  ·  {self.notebook}"]
        if self.error:
            return "\n".join(lines + [f"  ERROR: {self.error}"])
        width = max([len(q.name) for q in self.questions] + [10])
        for q in self.questions:
            if public_only:
                mark = "ok " if q.all_passed and q.kind != "quiz" else ("·  " if q.all_passed else "X  ")
                head = f"  {mark}{q.name:<{width}}  "
            else:
                head = f"  {q.name:<{width}}  {_num(q.score):>4} / {_num(q.max_score):<3}  "
            if public_only and q.all_passed:
                # a quiz answer is only checked to be a letter: never "ok" before grading
                body = text("quiz_answered" if q.kind == "quiz" else "check_passed", self.lang)
            else:
                body = q.feedback(self.lang)
            pad = " " * len(head)
            lines.append(head + body.replace("\n", "\n" + pad))
        if not public_only:
            lines.append(f"  {text('total', self.lang):<{width}}  {_num(self.score):>4} / {_num(self.max_score)}")
        lines += [f"  · {note}" for note in self.notes]
        lines += [f"  FLAG: {flag}" for flag in self.flags]
        return "\n".join(lines)

    def to_gradescope(self) -> dict:
        """Gradescope's results.json: top-level score, one test per question."""
        tests = [{"name": q.name, "score": q.score, "max_score": q.max_score,
                  "status": q.status, "output": q.feedback(self.lang)} for q in self.questions]
        out = {"score": self.score, "tests": tests,
               "extra_data": {"assignment": self.assignment, "max_score": self.max_score}}
        extra = ([self.error] if self.error else []) + self.notes
        if extra:
            out["output"] = "\n".join(extra)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_gradescope(), ensure_ascii=False, indent=2)

    def csv_row(self) -> dict:
        """Scores, then per question the mistakes named; what was not attempted
        has a column of its own (never a mistake), and so does each quiz's letter."""
        row = {"student": self.student, "assignment": self.assignment,
               "score": self.score, "max_score": self.max_score, "error": self.error,
               "flags": " | ".join(self.flags), "not_attempted": ";".join(self.not_attempted)}
        for q in self.questions:
            row[q.name] = q.score
        for q in self.questions:
            row[f"{q.name}_mistakes"] = ";".join(q.mistakes)
        for q in self.questions:
            if q.kind == "quiz":
                row[f"{q.name}_answer"] = q.answer or ""
        return row


def to_csv(results: list) -> str:
    rows = [r.csv_row() for r in results]
    fields = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _num(x: float) -> str:
    return f"{x:g}"
