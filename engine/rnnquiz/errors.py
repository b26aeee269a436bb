"""One root for rnnquiz's own errors, in two branches the command line maps to exit codes.

- ``UserError`` (exit 2): what was asked cannot be done with what was given —
  a submission that cannot be graded, a folder that is not a course, an
  assignment that is not ours, a configuration that cannot be read.  The
  message names the file and what to do.
- ``InternalError`` (exit 3): rnnquiz or the machine failed — the sandbox
  could not start, the graders did not run, an nbgrader command failed.

Signals that never reach a user (a student's function failing, ``Wrong``
answers) are not errors here: graders turn them into feedback.
"""
from __future__ import annotations


class RnnquizError(Exception):
    """Any error rnnquiz reports in one line."""


class UserError(RnnquizError):
    """The input or the command given cannot be used; the message says what to do."""


class InternalError(RnnquizError):
    """rnnquiz or the machine failed; the message says what broke."""
