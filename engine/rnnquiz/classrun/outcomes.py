"""One student's notebook graded (or their error line), and a class run's summary."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rnnquiz.model.results import Results


@dataclass
class Outcome:
    student: str
    notebook: str
    results: Results | None = None
    autograded: dict | None = None  # the sanitized notebook with graded outputs
    error: str = ""
    assignment: object = None  # ours (content.Assignment), when the course says which


@dataclass
class Summary:
    assignment: str
    outcomes: list = field(default_factory=list)
    seconds: float = 0.0
    report_dir: Path | None = None
    protections: str = ""  # the launcher's one line: what confined the submissions
    processes: int = 0  # grading processes that worked side by side

    @property
    def graded(self) -> list:
        return [o for o in self.outcomes if o.results is not None and not o.results.error and not o.error]

    @property
    def errors(self) -> list:
        return [o for o in self.outcomes if o not in self.graded]
