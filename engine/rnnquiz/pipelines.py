"""What a course's ``nbgrader_config.py`` imports (``from rnnquiz.pipelines import
apply``, written there by ``rnnquiz init``); it lives in ``rnnquiz.nbgrader.pipelines``.
This path is in every course's configuration and stays."""
from rnnquiz.nbgrader.pipelines import apply  # noqa: F401
