"""The course content: one folder per assignment (see the README). Installed
as ``rnnquiz_public`` with only the public parts, for students' self-checks."""
