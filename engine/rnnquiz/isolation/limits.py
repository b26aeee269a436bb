"""What one submission may use, declared once.

``rnnquiz autograde``'s options and the nbgrader step's traits (``GradeIsolated``)
are both made from ``OPTIONS``: the same names, defaults and help in both paths.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Limits:
    """Resource limits applied to each student process (see setrlimit(2))."""
    memory_bytes: int = 4 * 1024**3   # address space; torch alone maps ~1.5 GiB
    cpu_seconds: int = 60
    file_bytes: int = 16 * 1024**2
    open_files: int = 256
    processes: int = 64                # tasks of the submission (its uid's RLIMIT_NPROC, its control group)
    memory_budget: int = 3 * 1024**3   # all of one submission's processes together
    call_timeout: float = 10.0         # wall clock for one call or one cell
    submission_timeout: float = 120.0  # wall clock for a whole submission

    def rlimits(self) -> dict:
        return {"RLIMIT_AS": self.memory_bytes, "RLIMIT_CPU": self.cpu_seconds,
                "RLIMIT_FSIZE": self.file_bytes, "RLIMIT_NOFILE": self.open_files,
                "RLIMIT_NPROC": self.processes, "RLIMIT_CORE": 0}


# The limits an instructor sets (the others are the sandbox's own): name -> help
OPTIONS = {
    "call_timeout": "Seconds one call into student code may take.",
    "submission_timeout": "Seconds a whole submission may take.",
    "memory_budget": "Bytes all of one submission's processes may use together.",
}


def default(name: str):
    return next(f.default for f in fields(Limits) if f.name == name)
