"""This repository is an nbgrader course directory (see README)."""
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "rnnquiz"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.solution_directory = "solutions"

# Solutions are committed without outputs: do not execute them when generated.
c.GenerateSolution.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.ClearMarkScheme",
]

# >>> rnnquiz >>>
# rnnquiz's steps, as `rnnquiz init` adds them: rnnquiz's assignments are
# sanitized and graded in rnnquiz's isolated worker, and their feedback never
# shows hidden tests; every other assignment of this course is graded by
# nbgrader exactly as before.
c = get_config()  # noqa: F821 (the same object as the course's own `c`)
from rnnquiz.pipelines import apply as rnnquiz_apply  # noqa: E402

rnnquiz_apply(c)
# <<< rnnquiz <<<
