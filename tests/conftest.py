"""Fixtures for the project's tests; shared helpers live in support.py.

(Helpers are not imported from a module named conftest: the graders folder has
a conftest.py of its own, loaded in-process whenever a test grades something.)
"""
