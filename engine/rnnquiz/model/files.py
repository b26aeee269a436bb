"""Opening a file that someone else may have placed: a student's submission,
its timestamps, an instructor's source notebook."""
from __future__ import annotations

import os

# never through a symbolic link, never blocking on a named pipe, bytes as they
# are; a flag the system lacks is left out (Windows has neither of the first
# two: a student's self-check there protects nothing from the student anyway)
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def open_unfollowed(path) -> int:
    """A read-only file descriptor of ``path``; OSError when it is a link
    (where the system can tell) or cannot be opened."""
    return os.open(path, _FLAGS)
