"""The project's tests, one folder per layer of the engine (model, sandboxed,
isolation, grading, nbgrader, commands); shared helpers live in support.py,
importable from every folder.

(Helpers are not imported from a module named conftest: the graders folder has
a conftest.py of its own, loaded in-process whenever a test grades something.)
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
