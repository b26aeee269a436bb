"""The ``rnnquiz`` command line: ``cli`` parses, and each verb is a module of
its own (``autograde``, ``build``, ``check``, ``demo``, ``init``, ``gradescope``,
``gradescope_try``; ``grade`` is ``grading.session.grade``); ``cycle`` drives nbgrader's own commands through a
whole course (the demo and the project's tests).  May import every other layer."""
