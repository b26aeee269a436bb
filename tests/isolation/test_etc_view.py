"""Of /etc a submission sees only what Python, NumPy and torch read: a
world-readable file there (nbgrader's global configuration, with a database
password) cannot be raised as an exception and read back in feedback."""
import os
import secrets
from pathlib import Path

import pytest

from rnnquiz.grading.student import StudentRunner
from rnnquiz.isolation.launcher import SandboxConfig
from rnnquiz.isolation.pool import Pool
from rnnquiz.isolation.view import ETC_FILES, file_view
from support import TEST_LIMITS

pytestmark = pytest.mark.sandbox

PROBE = '''
import os
def probe(secret):
    seen = {"etc": sorted(os.listdir("/etc")) if os.path.isdir("/etc") else []}
    try:
        seen["secret"] = open(secret).read()
    except OSError as exc:
        seen["secret"] = type(exc).__name__
    import numpy, torch  # what grading needs still loads
    seen["torch"] = float(torch.tanh(torch.zeros(1))[0]) == 0.0 and int(numpy.ones(2).sum()) == 2
    return seen
'''


def test_the_view_holds_a_few_files_of_etc_not_the_folder():
    view = file_view()
    paths = [dst for _src, dst in view["binds"]] + [dst for dst, _target in view["links"]]
    assert "/etc" not in paths
    assert {p for p in paths if p.startswith("/etc/")} <= set(ETC_FILES)


@pytest.fixture
def secret():
    if not os.access("/etc", os.W_OK):
        pytest.skip("writing a file into /etc needs root")
    path = Path(f"/etc/rnnquiz-test-{secrets.token_hex(4)}.py")
    path.write_text("c.CourseDirectory.db_url = 'postgresql://grader:hunter2@db/course'\n")
    path.chmod(0o644)
    yield path
    path.unlink()


@pytest.mark.parametrize("use_bwrap", [None, False], ids=["best", "without_bubblewrap"])
def test_a_world_readable_file_in_etc_is_not_in_the_sandbox(secret, use_bwrap):
    with Pool(TEST_LIMITS, SandboxConfig(use_bwrap=use_bwrap)).launch() as pool:
        runner = StudentRunner(pool, [(0, None, PROBE)], TEST_LIMITS).start()
        try:
            seen = runner.call("probe", str(secret))
        finally:
            runner.close()
    assert "hunter2" not in str(seen["secret"]) and seen["secret"] == "FileNotFoundError", seen
    assert set(seen["etc"]) <= {Path(p).name for p in ETC_FILES}, seen["etc"]
    assert seen["torch"]
