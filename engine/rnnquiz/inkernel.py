"""What the source notebooks' hidden test cells import (``from rnnquiz.inkernel
import grade_in_kernel``); it lives in ``rnnquiz.grading.inkernel``.  This
path is in every course's notebooks and stays."""
from rnnquiz.grading.inkernel import grade_in_kernel  # noqa: F401
