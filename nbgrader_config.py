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

# One stub for both languages: the twins' code cells stay identical.
c.ClearSolutions.code_stub = {"python": "# SEU CÓDIGO AQUI (YOUR CODE HERE)\nraise NotImplementedError()"}

# rnnquiz's steps (declared once in rnnquiz.pipelines): untrusted notebook
# content dropped and tampered cells repaired before grading; grading in
# rnnquiz's isolated worker instead of the student's own kernel (stock
# nbgrader's Execute step lets student code patch the checks); feedback that
# never shows the hidden test regions.
from rnnquiz.pipelines import apply  # noqa: E402

apply(c)
