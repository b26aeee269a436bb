"""Every output format, from the one results object (``model.results.Results``,
data only).

A format renders one submission to text (``rnnquiz grade --format``), writes
one file per submission of a class, or writes files for the whole class
(``rnnquiz autograde``); ``formats.FORMATS`` is the registry both commands
and the terminal's summary read, so a new format (an LMS's CSV, say) is one
renderer module and one new entry.  The renderers: ``text``,
``gradescope_json``, ``grades_csv``, ``report`` (report.md and its figures)
and ``html_report``; ``analysis`` and ``summary`` are the class's statistics
and what the terminal prints of them.  May import the content model only.
"""
