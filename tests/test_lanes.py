"""A test that starts sandboxed workers without the `sandbox` (or `slow`) marker fails."""
from pathlib import Path

TESTS = '''
import pytest
from rnnquiz.isolation.pool import Pool


def launch():
    # the guard records the launch; the pool (none) then fails before any process starts
    with pytest.raises(Exception):
        Pool.launch(None)


@pytest.fixture(scope="module")
def shared_pool():
    launch()


def test_in_process():
    pass


def test_unmarked_launch():
    launch()


def test_unmarked_launch_in_a_fixture(shared_pool):
    pass


@pytest.mark.sandbox
def test_marked_launch():
    launch()


@pytest.mark.slow
def test_slow_launch():
    launch()


@pytest.mark.parametrize("mode", [pytest.param("sandboxed", marks=pytest.mark.sandbox), "in_process"])
def test_by_parameter(mode):
    if mode == "sandboxed":
        launch()
'''


def test_an_unmarked_test_that_launches_a_pool_fails_and_names_the_marker(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent))
    pytester.makepyfile(test_lanes_probe=TESTS)
    result = pytester.runpytest_subprocess("-p", "lanes", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=2)
    result.stdout.fnmatch_lines(["FAILED *test_unmarked_launch - *", "FAILED *test_unmarked_launch_in_a_fixture - *"])
    result.stdout.fnmatch_lines(["*not marked `sandbox` (nor `slow`)*"])
