"""Refresh while serving: the nightly `gapwatch ingest`, `run` and `early-warning` replace the
warehouse while `gapwatch serve` answers requests. No writer meets a lock, no request fails,
and every page comes from one generation of the warehouse (its total and its rows agree with
the old district or with the new one, never a mix)."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import duckdb
from serving import gapwatch, serving, signed_in, workspace_env

from gapwatch.synth import generate

PASSWORD = "refresh-test-password-1"
PAGE = "/students/?sort=student"


def signature(db: Path) -> tuple[int, tuple[str, ...]]:
    """(students enrolled in the latest year, the first 50 ids): what PAGE must show."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = [r[0] for r in con.execute(
            "SELECT DISTINCT student_id FROM enrollments WHERE school_year = "
            "(SELECT max(school_year) FROM enrollments) ORDER BY 1").fetchall()]
    finally:
        con.close()
    return len(ids), tuple(ids[:50])


def seen(html: str) -> tuple[int, tuple[str, ...]]:
    total = int(re.search(r"(\d+) students?, by tier", html)[1])
    return total, tuple(re.findall(r'href="/students/(\d+)/"', html))


def test_nightly_refresh_while_serving(district_source, tmp_path) -> None:
    db = tmp_path / "district.duckdb"
    shutil.copyfile(district_source, db)
    old = signature(db)
    bundle = tmp_path / "night-bundle"
    generate(bundle, students=1400, schools=10, years=3, seed=23)
    env = workspace_env(tmp_path)
    made = gapwatch(["users", "create", "admin", "--role", "district_admin", "--db", str(db)],
                    env, stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    pages: list[tuple[int, tuple]] = []
    done = threading.Event()
    with serving(db, env) as url:
        session = signed_in(url, "admin", PASSWORD)

        def read() -> None:
            while not done.is_set():
                r = session.get(url + PAGE, timeout=30)
                pages.append((r.status_code, seen(r.text) if r.ok else (0, ())))

        readers = [threading.Thread(target=read) for _ in range(3)]
        for t in readers:
            t.start()
        try:
            steps = [["ingest", str(bundle), "--db", str(db)], ["run", "--db", str(db)],
                     ["early-warning", "--db", str(db), "--out", str(tmp_path / "ew")]]
            for step in steps:
                result = gapwatch(step, env)
                assert result.returncode == 0, (step, result.stdout[-2000:],
                                                result.stderr[-2000:])
        finally:
            done.set()
            for t in readers:
                t.join(timeout=60)
        after = session.get(url + PAGE, timeout=30)
    new = signature(db)
    assert new != old
    assert seen(after.text) == new
    assert len(pages) > 10
    assert all(status == 200 for status, _ in pages)
    assert {page for _, page in pages} <= {old, new}
    assert (old in [p for _, p in pages]) and (new in [p for _, p in pages] + [seen(after.text)])


def test_rebuilding_swaps_on_success_only_and_clears_killed_copies(tmp_path) -> None:
    from gapwatch.warehouse import rebuilding

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT 1 AS v")
    con.close()
    killed = tmp_path / ".w.duckdb.rebuilding-999999"
    killed.write_bytes(b"left by a writer that was killed")
    reader = duckdb.connect(str(db), read_only=True)  # a reader holds the file throughout
    try:
        with rebuilding(db) as work:
            assert not killed.exists()
            w = duckdb.connect(str(work))
            w.execute("UPDATE t SET v = 2")
            w.close()
        try:
            with rebuilding(db) as work:
                w = duckdb.connect(str(work))
                w.execute("UPDATE t SET v = 3")
                w.close()
                raise RuntimeError("the stage failed")
        except RuntimeError:
            pass
        assert reader.execute("SELECT v FROM t").fetchone() == (1,)  # still the old file
    finally:
        reader.close()
    check = duckdb.connect(str(db), read_only=True)
    assert check.execute("SELECT v FROM t").fetchone() == (2,)
    check.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".w.duckdb.lock", "w.duckdb"]
