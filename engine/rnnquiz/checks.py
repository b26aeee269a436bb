"""What grader files import (``from rnnquiz.checks import ...``): the graders'
helper API, which lives in ``rnnquiz.grading.checks``; this path is public and stays."""
from rnnquiz.grading.checks import *  # noqa: F403
from rnnquiz.grading.checks import __all__  # noqa: F401
