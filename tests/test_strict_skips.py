"""Under CI (RNNQUIZ_STRICT_SKIPS=1) a skip fails, unless its reason says it is conditional."""
import pytest

from strict_skips import CONDITIONAL, STRICT_ENV

TESTS = f'''
import pytest

def test_passes():
    pass

def test_needs_a_tool():
    pytest.skip("bubblewrap not installed")

@pytest.mark.skipif(True, reason="chromium is not installed")
def test_marked_for_a_tool():
    pass

@pytest.fixture
def server():
    pytest.skip("PostgreSQL: no server")

def test_in_a_fixture(server):
    pass

def test_conditional():
    pytest.skip("{CONDITIONAL} the attack uses x86_64 syscall numbers")

@pytest.mark.xfail(reason="a known bug")
def test_expected_to_fail():
    assert False
'''


def run(pytester, monkeypatch, strict: str | None):
    if strict is None:
        monkeypatch.delenv(STRICT_ENV, raising=False)
    else:
        monkeypatch.setenv(STRICT_ENV, strict)
    pytester.makepyfile(test_tools=TESTS)
    return pytester.runpytest_inprocess("-p", "strict_skips", "-rs")


@pytest.mark.parametrize("strict", [None, "0", ""])
def test_without_the_switch_skips_are_skips_and_listed(pytester, monkeypatch, strict):
    result = run(pytester, monkeypatch, strict)
    result.assert_outcomes(passed=1, skipped=4, xfailed=1)
    result.stdout.fnmatch_lines(["*bubblewrap not installed*", "*chromium is not installed*"])


def test_with_the_switch_a_skip_for_a_tool_fails_and_says_why(pytester, monkeypatch):
    result = run(pytester, monkeypatch, "1")
    # the tool's skips fail (those at set-up, a mark's or a fixture's, as errors); the
    # conditional one and the xfail stay
    result.assert_outcomes(passed=1, failed=1, errors=2, skipped=1, xfailed=1)
    for line in (f"skipped under {STRICT_ENV}=1 (CI): bubblewrap not installed",
                 f"skipped under {STRICT_ENV}=1 (CI): chromium is not installed",
                 f"skipped under {STRICT_ENV}=1 (CI): PostgreSQL: no server",
                 f"start the skip's reason with '{CONDITIONAL}'"):
        result.stdout.fnmatch_lines([f"*{line}*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_with_the_switch_a_module_skipped_whole_fails(pytester, monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")
    pytester.makepyfile(test_module='import pytest\npytest.skip("shellcheck not installed", allow_module_level=True)\n'
                                    'def test_x():\n    pass\n')
    result = pytester.runpytest_inprocess("-p", "strict_skips")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*shellcheck not installed*"])
