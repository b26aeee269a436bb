"""nbgrader's modules for a class run, without what a Jupyter server needs.

Importing any nbgrader module first runs the package's ``__init__``, which
loads nbgrader's four Jupyter server extensions: jupyter_server, tornado, the
formgrader's handlers, the exchange and its HTTP client.  `rnnquiz autograde`
is no Jupyter server and uses none of them, yet paid for them beside torch's
import.  ``lean()`` registers the package without running that ``__init__``
(its modules import as usual: nbgrader's own code imports them relatively),
and leaves jsonschema without the optional packages its format checker
imports when it is imported (rfc3987's, which builds dozens of parsers only to
check "iri" formats, arrow's through isoduration, and the others of
``FORMAT_ONLY``): nbformat and nbgrader pass no format checker.  Each of these
packages is imported by jsonschema's format checker alone.

For a process of its own, before anything imports nbgrader or jsonschema; a
process that already did is left as it is.
"""
from __future__ import annotations

import importlib.util
import sys

# optional packages that jsonschema imports only for its format checker
FORMAT_ONLY = ("rfc3987_syntax", "rfc3986_validator", "rfc3339_validator", "isoduration", "fqdn", "webcolors",
               "uri_template")


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
    for name in FORMAT_ONLY:
        sys.modules.setdefault(name, None)  # an absent optional module: jsonschema goes without
    return True
