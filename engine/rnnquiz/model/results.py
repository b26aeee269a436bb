"""One results object per graded submission, rendered to every output format."""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field

from rnnquiz.model.messages import text
from rnnquiz.model.printable import csv_cell, printable


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

    # --- kept between runs (a class's report gathers the results of every shard) ---
    def to_record(self) -> dict:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> Results:
        questions = [QuestionResult(**{**q, "checks": [Check(**c) for c in q["checks"]]})
                     for q in record["questions"]]
        return cls(**{**record, "questions": questions})

    # --- renderers ------------------------------------------------------------
    def to_text(self, public_only: bool = False) -> str:
        lines = [f"{self.assignment}  ·  {printable(self.student)}  ·  {printable(self.notebook)}"]
        if self.error:
            return "\n".join(lines + [f"  ERROR: {printable(self.error)}"])
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
        lines += [f"  · {printable(note)}" for note in self.notes]
        lines += [f"  FLAG: {printable(flag)}" for flag in self.flags]
        return "\n".join(lines)

    def to_gradescope(self, visibility: dict | None = None, execution_time: float | None = None) -> dict:
        """Gradescope's results.json: the score; one test per question, in the
        notebook's order, its feedback as plain text (it echoes what the
        student's code returned); a summary in Markdown; the run's own output
        (stdout) for the instructor only.  ``visibility``: {question: one of
        ``VISIBILITIES``}, default visible (feedback on hidden variants never
        shows their reference values); ``execution_time`` in seconds."""
        visibility = visibility or {}
        tests = [{"name": q.name, "number": str(n), "score": q.score, "max_score": q.max_score,
                  "status": q.status, "output": q.feedback(self.lang), "output_format": "text",
                  "visibility": visibility.get(q.name, "visible")}
                 for n, q in enumerate(self.questions, 1)]
        out = {"score": self.score, "output": self.summary_md(), "output_format": "md",
               "stdout_visibility": "hidden", "tests": tests,
               "extra_data": {"assignment": self.assignment, "max_score": self.max_score}}
        if execution_time is not None:
            out["execution_time"] = max(int(round(execution_time)), 0)
        if self.flags:  # the instructor's (extra_data is not shown to students)
            out["extra_data"]["flags"] = list(self.flags)
        return out

    def summary_md(self) -> str:
        """What Gradescope shows above the tests, in Markdown: the score, or why
        the submission was not graded, and the cells that raised errors.  Every
        text that may carry the student's own (file names, error messages) is
        in a code block."""
        if self.error:
            return text("gs_not_graded", self.lang) + "\n\n" + md_block(self.error)
        parts = [text("gs_score", self.lang, points=text("points_of", self.lang, score=self.score,
                                                           points=self.max_score))]
        if self.notes:
            parts += [text("gs_cells", self.lang), md_block("\n".join(self.notes))]
        return "\n\n".join(parts)

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_gradescope(**kwargs), ensure_ascii=False, indent=2)

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


VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's, per test


def md_block(body: str) -> str:
    """``body`` verbatim in a Markdown code block (its fence longer than any run of backticks in it)."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def to_csv(results: list) -> str:
    rows = [r.csv_row() for r in results]
    fields = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writerow({f: csv_cell(f) for f in fields})
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def _num(x: float) -> str:
    return f"{x:g}"
