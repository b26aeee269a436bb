"""Skips that CI does not accept.

A skipped test stands for protections nobody checked: a green run without
bubblewrap never tried the sandbox.  `make test` installs what the tests need
(bubblewrap, PostgreSQL, Chromium, shellcheck, ruff) and CI runs it as root,
so with ``RNNQUIZ_STRICT_SKIPS=1`` (set by .ci/run) a skip is a failure
that names its reason.

A skip whose condition no set-up provides stays a skip: its reason starts
with ``conditional:`` (``pytest.skip(f"{CONDITIONAL} the attack uses x86_64
syscall numbers")``).  Every skip's reason is listed at the end of a run
(``-rs`` in pyproject.toml), strict or not.
"""
from __future__ import annotations

import os

import pytest

STRICT_ENV = "RNNQUIZ_STRICT_SKIPS"
CONDITIONAL = "conditional:"


def strict() -> bool:
    return os.environ.get(STRICT_ENV, "").strip() not in ("", "0")


def skip_reason(report) -> str:
    """The reason of a skipped report (pytest keeps it as (path, line, "Skipped: reason"))."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return reason.removeprefix("Skipped: ").strip()


def refused(report) -> bool:
    """Whether this report is a skip that the strict switch turns into a failure."""
    return (strict() and report.skipped and not hasattr(report, "wasxfail")
            and not skip_reason(report).startswith(CONDITIONAL))


def _fail(report):
    reason = skip_reason(report)
    report.outcome = "failed"
    report.longrepr = (f"skipped under {STRICT_ENV}=1 (CI): {reason}\n"
                       f"`make test` installs what the tests need; if no set-up can provide it, "
                       f"start the skip's reason with {CONDITIONAL!r}.")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if refused(report):
        _fail(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # a module skipped whole (pytest.skip(..., allow_module_level=True))
    outcome = yield
    report = outcome.get_result()
    if refused(report):
        _fail(report)
