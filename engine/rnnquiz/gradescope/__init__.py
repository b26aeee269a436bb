"""The adapter to Gradescope: an assignment graded as a Gradescope programming
assignment's autograder.

``autograder_zip`` builds the zip an instructor uploads (rnnquiz's wheel, the
assignment's content without its samples, the settings and the two scripts
of ``scripts``: ``setup.sh`` and ``run_autograder``); ``run_autograder`` is
what that script starts in Gradescope's container for each submission (the
grader's files locked away, the notebook found and graded, ``results.json``
written whatever happens); ``layout`` holds Gradescope's folders and the
settings file's name; ``local_try`` runs a zip on the instructor's machine
before upload.  The verbs ``rnnquiz gradescope`` and ``rnnquiz gradescope-try``
(``commands``) call it.  Imports ``model``, ``isolation``, ``grading`` and
``outputs``; nothing imports it but ``commands``.
"""
