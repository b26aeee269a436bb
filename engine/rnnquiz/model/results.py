"""One results object per graded submission: data only (its scores, feedback and
flags); ``rnnquiz.outputs`` renders it to every output format."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rnnquiz.model.messages import text


@dataclass
class Verdict:
    """One grader test's verdict: its points and, when it failed, the feedback (a
    question's ``checks`` are its verdicts; the records keep that key)."""
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
        questions = [QuestionResult(**{**q, "checks": [Verdict(**c) for c in q["checks"]]})
                     for q in record["questions"]]
        return cls(**{**record, "questions": questions})
