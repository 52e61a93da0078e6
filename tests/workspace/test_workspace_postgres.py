"""The workspace's tests again, on the real PostgreSQL at 127.0.0.1:5432 (required: this test
fails, never skips, when PostgreSQL cannot be reached).

It runs pytest on tests/workspace in a subprocess with ``GAPWATCH_DATABASE_URL`` pointing at
PostgreSQL; Django's test runner (through pytest-django) creates a private test database
(``test_gapwatch_<pid>``) and drops it at the end. Tests whose server runs in its own process
(refresh, browser) keep their own SQLite file and are not repeated here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

URL = os.environ.get("GAPWATCH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
HERE = Path(__file__).resolve().parent
NOT_HERE = ("test_workspace_postgres.py", "test_workspace_refresh.py",
            "test_workspace_browser.py")


def test_workspace_suite_on_postgresql(tmp_path) -> None:
    try:
        with psycopg.connect(URL, connect_timeout=5) as con:
            version = con.execute("SHOW server_version").fetchone()[0]
    except psycopg.OperationalError as err:
        raise AssertionError(f"PostgreSQL is required at {URL} (make test starts it on CI): "
                             f"{err}") from None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAPWATCH_", "DJANGO_",
                                                                    "PYTEST_XDIST"))}
    env |= {"GAPWATCH_DATABASE_URL": URL,
            "GAPWATCH_TEST_DATABASE_NAME": f"test_gapwatch_{os.getpid()}",
            "PYTHONPATH": str(HERE.parents[1] / "src") + os.pathsep + env.get("PYTHONPATH", "")}
    ignore = [f"--ignore={HERE / name}" for name in NOT_HERE]
    run = subprocess.run([sys.executable, "-m", "pytest", str(HERE), "-q", "-p",
                          "no:cacheprovider", "-p", "no:randomly", "--create-db",
                          f"--basetemp={tmp_path / 'pg'}", *ignore],
                         env=env, cwd=HERE.parents[1], capture_output=True, text=True,
                         timeout=1800)
    tail = run.stdout[-4000:] + run.stderr[-2000:]
    assert run.returncode == 0, f"workspace tests on PostgreSQL {version} failed:\n{tail}"
    assert " passed" in run.stdout and " failed" not in run.stdout, tail
