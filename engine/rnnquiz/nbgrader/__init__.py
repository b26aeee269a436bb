"""The adapter to nbgrader: what a course's ``nbgrader_config.py`` switches on.

``pipelines`` (rnnquiz's steps put into the course's own pipelines),
``steps`` (the sanitizing and grading preprocessors), ``outcomes`` (graded
cells' outputs as nbgrader scores them), ``open_gradebook`` (nbgrader's steps
on one open gradebook), ``gradebook_writer`` (``rnnquiz autograde``'s rows, as
nbgrader's autograde leaves them), ``exporter`` and ``exchange`` (submissions
read and collected safely) and ``course`` (the course's configuration, read
as nbgrader reads it).  Imports ``model``, ``isolation`` and ``grading``.
"""
