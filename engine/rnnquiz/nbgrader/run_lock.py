"""One ``rnnquiz autograde`` at a time on a SQLite gradebook: a second one waits, and says so.

Why wait rather than refuse: a SQLite gradebook lives on one machine (SQLite
over a network file system is not safe), where a second run at once would
only share the same cores and memory with the first and take turns with it
at SQLite's single write lock, which nbgrader's own commands (formgrader,
``nbgrader autograde`` of another assignment) also need.  So the second run
(a regrade of one student, an overlapping cron job) waits for the first and
then does its work, which a refusal would leave undone.  The lock is the
operating system's (``flock`` on a file beside the database): it goes with
the process however it ends, so a killed run never leaves the course locked.
nbgrader's commands do not take it; SQLite's own locking keeps them and
rnnquiz from corrupting anything, and ``GradebookWriter`` keeps its
transactions short and tries again when they meet.  A PostgreSQL gradebook
needs none of this: runs go side by side, each student's rows claimed by an
advisory lock (``gradebook_writer``).
"""
from __future__ import annotations

import fcntl
import os
import socket
import sys
import time
from pathlib import Path


def lock_file(database: Path) -> Path:
    return database.with_name(f".{database.name}.rnnquiz-lock")


class RunLock:
    """Held from before the sandbox starts until the run ends; ``what`` says
    which run holds it, to the one that waits."""

    def __init__(self, database: Path, what: str, stream=None):
        self.path, self.what = lock_file(database), what
        self.stream = stream or sys.stderr
        self.fd = None

    def __enter__(self):
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o664)
            writable = True
        except PermissionError:  # made by another account of the course's group: lock it all the same
            self.fd, writable = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC), False
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 500, 0).decode("utf-8", "replace").strip() or "another rnnquiz autograde"
            self.stream.write(f"rnnquiz: waiting for the run already writing this SQLite gradebook ({holder}) "
                              "to finish; a SQLite gradebook takes one rnnquiz autograde at a time (with "
                              "PostgreSQL, runs go side by side)\n")
            self.stream.flush()
            start = time.monotonic()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            self.stream.write(f"rnnquiz: the other run finished; starting after {time.monotonic() - start:.0f} s "
                              "of waiting\n")
            self.stream.flush()
        if writable:  # who holds it, for the next run that has to wait
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, (f"{self.what}, pid {os.getpid()} on {socket.gethostname()}, since "
                                f"{time.strftime('%H:%M:%S')}\n").encode(), 0)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)  # releases the lock; the file stays, as harmless as an empty one
            self.fd = None
        return False
