"""The project's tests, one folder per layer of the engine (model, sandboxed,
isolation, grading, nbgrader, commands); shared helpers live in support.py,
importable from every folder.

(Helpers are not imported from a module named conftest: the graders folder has
a conftest.py of its own, loaded in-process whenever a test grades something.)
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


import pytest  # noqa: E402

# strict_skips: under CI (RNNQUIZ_STRICT_SKIPS=1) a skip for a missing tool fails;
# lanes: a test that starts sandboxed workers unmarked fails (`make test-fast` would run it);
# pytester: the tests of both run pytest on small test files
pytest_plugins = ["strict_skips", "lanes", "pytester"]


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL server for the whole session (``pg_server``); each test
    module makes its databases with ``postgres.new_database()``.  Skipped, with
    the reason, only where no server can be installed or started."""
    from pg_server import PostgresServer, ServerUnavailable
    try:
        server = PostgresServer()
    except ServerUnavailable as exc:
        pytest.skip(f"PostgreSQL: {exc}")
    try:
        server.start()
    except ServerUnavailable as exc:
        server.stop()
        pytest.skip(f"PostgreSQL could not be started: {exc}")
    try:
        yield server
    finally:
        server.stop()
