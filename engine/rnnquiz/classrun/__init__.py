"""The class run: a course's submitted notebooks in, its gradebook and reports out.

Between the nbgrader adapter (``rnnquiz.nbgrader``: the course, sanitizing,
grading as nbgrader scores it) and the command (``rnnquiz autograde``).

- ``run``: ``ClassRun``, what one run is asked to do (the course, the
  assignment, the students, the limits and the sandbox), and ``grade_class``,
  which grades it;
- ``refusals``: what is refused before anything is made or graded;
- ``discovery``: which submissions there are, and each student's error line
  for what cannot be graded;
- ``batches``: how submissions are split between the grading processes;
- ``processes``: the grading processes, forked after one start-up;
- ``outcomes``: one student's notebook graded, and the run's summary;
- ``reports``: the class's report files as the outcomes come in.
"""
from rnnquiz.classrun.outcomes import Outcome, Summary  # noqa: F401
from rnnquiz.classrun.refusals import AutogradeError  # noqa: F401
from rnnquiz.classrun.run import ClassRun, autograde, grade_class  # noqa: F401
