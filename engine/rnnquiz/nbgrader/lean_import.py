"""nbgrader's modules for a class run, without what a Jupyter server needs.

Importing any nbgrader module first runs the package's ``__init__``, which
loads nbgrader's four Jupyter server extensions: jupyter_server, tornado, the
formgrader's handlers, the exchange and its HTTP client.  `rnnquiz autograde`
is no Jupyter server and uses none of them, yet paid for them beside torch's
import.  ``lean()`` registers the package without running that ``__init__``
(its modules import as usual: nbgrader's own code imports them relatively),
and leaves jsonschema without its optional rfc3987 checker, which builds
dozens of parsers at import only to check "iri" formats (nbformat and nbgrader
pass no format checker).

For a process of its own, before anything imports nbgrader or jsonschema; a
process that already did is left as it is.
"""
from __future__ import annotations

import importlib.util
import sys


def lean() -> bool:
    """Whether the lean imports were set up (False: nbgrader or jsonschema is
    already imported, or nbgrader is not installed)."""
    if "nbgrader" in sys.modules or "jsonschema" in sys.modules:
        return False
    spec = importlib.util.find_spec("nbgrader")
    if spec is None or spec.submodule_search_locations is None:
        return False
    package = importlib.util.module_from_spec(spec)  # __path__ and __spec__ set, __init__ not run
    sys.modules["nbgrader"] = package
    from nbgrader._version import __version__  # what the package's __init__ would export and apps read
    package.__version__ = __version__
    sys.modules.setdefault("rfc3987_syntax", None)  # an absent optional module: jsonschema goes without
    return True
