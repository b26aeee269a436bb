"""Grading: an assignment's pytest graders against a student's code.

``session`` runs the graders (one pytest session for many submissions),
``plugin`` is the pytest plugin that hands them the ``student``, ``rng`` and
``lang`` fixtures, ``student`` is the grader's handle on a student's worker,
``checks`` the helper API grader files import (as ``rnnquiz.checks``),
``inkernel`` the weaker path of stock nbgrader, and ``by_hand`` runs graders
with plain pytest.  Imports ``model`` and ``isolation``.
"""
