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

# Autograde in rnnquiz's isolated worker instead of the student's own kernel
# (stock nbgrader's Execute step lets student code patch the checks).
c.Autograde.autograde_preprocessors = [
    "rnnquiz.nbgrader_grade.GradeIsolated",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Feedback shows scores and rnnquiz's messages, never the hidden test regions.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Tampered notebooks (deleted or edited test cells, altered metadata, another
# assignment's cells) are repaired and graded instead of rejected.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "rnnquiz.nbgrader_grade.RepairCells",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
