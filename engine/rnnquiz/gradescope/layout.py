"""Gradescope's folders in its container, and the settings file the zip carries."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SETTINGS = "gradescope.json"  # in the zip: the assignment and the tests' visibility
LOCAL_TRY = "--local-try"  # `rnnquiz gradescope-try`: the instructor's own machine, maybe not as root


@dataclass(frozen=True)
class Layout:
    """Gradescope's folders (see docs/gradescope.md)."""
    root: Path

    @property
    def source(self) -> Path:      # the zip, unpacked
        return self.root / "source"

    @property
    def submission(self) -> Path:  # the student's files
        return self.root / "submission"

    @property
    def metadata(self) -> Path:    # who submitted
        return self.root / "submission_metadata.json"

    @property
    def results(self) -> Path:
        return self.root / "results" / "results.json"
