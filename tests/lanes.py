"""The two lanes of the test suite.

`make test-fast` runs the tests marked neither ``slow`` nor ``sandbox``: the
grading logic, messages, catalogue, renderers and model, in this process;
`make test` (CI) runs every test.

A test that starts sandboxed workers (it launches a ``Pool``) belongs to the
full lane: unmarked, it fails and says so, so the fast lane stays fast while
tests are added.  Mark the module (``pytestmark = pytest.mark.sandbox``), the
test, or a parameter (``pytest.param(..., marks=pytest.mark.sandbox)``).
"""
from __future__ import annotations

import pytest

LANE_MARKERS = ("sandbox", "slow")
_ORIGINAL = pytest.StashKey()  # Pool.launch as it was before the guard


class LaneGuard:
    def __init__(self):
        self.current: str | None = None  # the test being run (set-up and teardown included)
        self.launched: set = set()       # the tests that launched a pool

    def wrap(self, launch):
        def recorded(pool, *args, **kwargs):
            if self.current is not None:
                self.launched.add(self.current)
            return launch(pool, *args, **kwargs)
        recorded.__wrapped__ = launch
        return recorded

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.current = item.nodeid
        try:
            yield
        finally:
            self.current = None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if (report.when == "call" and report.passed and item.nodeid in self.launched
                and not any(item.get_closest_marker(m) for m in LANE_MARKERS)):
            report.outcome = "failed"
            report.longrepr = ("this test starts sandboxed workers but is not marked `sandbox` (nor `slow`), "
                               "so `make test-fast` runs it: mark its module (pytestmark = pytest.mark.sandbox), "
                               "the test, or its parameter (tests/lanes.py)")


def pytest_configure(config):
    from rnnquiz.isolation.pool import Pool
    guard = LaneGuard()
    config.pluginmanager.register(guard, "rnnquiz-lane-guard")
    config.stash[_ORIGINAL] = Pool.launch
    Pool.launch = guard.wrap(Pool.launch)


def pytest_unconfigure(config):
    from rnnquiz.isolation.pool import Pool
    if _ORIGINAL in config.stash:
        Pool.launch = config.stash[_ORIGINAL]

