"""The grading plugin keeps to pytest's public hooks but for a few private
attributes (``PRIVATE_API``), on a pinned range of pytest: this test is what
fails first when a pytest release moves them."""
from __future__ import annotations

import importlib.metadata

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from rnnquiz.grading.plugin import OUTCOMES, PRIVATE_API


def test_the_installed_pytest_is_in_the_pinned_range():
    pinned = next(Requirement(r) for r in importlib.metadata.requires("rnnquiz") if r.startswith("pytest"))
    assert Version(pytest.__version__) in pinned.specifier, (pytest.__version__, str(pinned))


def test_the_private_attributes_the_plugin_uses_are_there(pytester_free_session):
    seen = pytester_free_session
    for name in PRIVATE_API:
        owner, attribute = name.split(".")
        assert seen[owner] is not None and hasattr(seen[owner], attribute), name


def test_the_outcome_exceptions_are_what_skip_fail_and_xfail_raise():
    for action in (pytest.skip, pytest.fail, pytest.xfail):
        with pytest.raises(OUTCOMES):
            action("x")


@pytest.fixture
def pytester_free_session(request):
    """This very test's session, setup state and item (what the plugin sees in its own sessions)."""
    session = request.session
    return {"Session": session, "SetupState": getattr(session, "_setupstate", None), "Item": request.node}
