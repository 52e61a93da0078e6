"""The command line's one error boundary: refusals exit 2 with their message; an unexpected
error prints one sentence, the command and an owner-only log file, and exits 70; ``--debug``
lets the traceback through."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gapwatch.cli import app
from gapwatch.errors import EXIT_REFUSED, EXIT_UNEXPECTED


def _boom(*_args: object, **_kwargs: object) -> int:
    raise RuntimeError("boom in the run")


@pytest.fixture
def failing_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """``gapwatch run`` whose first step raises an error nobody planned for."""
    import gapwatch.config
    from gapwatch.errors import set_debug

    monkeypatch.setattr(gapwatch.config, "load_config", _boom)
    monkeypatch.setenv("GAPWATCH_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("GAPWATCH_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["gapwatch", "run", "--db", "w.duckdb"])
    yield tmp_path / "logs"
    set_debug(False)  # --debug is process-wide


def test_unexpected_error_is_one_sentence_and_an_owner_only_log(
        failing_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        app(["run", "--db", "w.duckdb"])
    assert stop.value.code == EXIT_UNEXPECTED
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "unexpected error (RuntimeError: boom in the run)" in err
    assert "command: gapwatch run --db w.duckdb" in err
    logs = list(failing_run.iterdir())
    assert len(logs) == 1 and str(logs[0]) in err
    assert stat.S_IMODE(logs[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(failing_run.stat().st_mode) == 0o700
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "boom in the run" in text and "run --db w.duckdb" in text


def test_debug_lets_the_traceback_through(failing_run: Path) -> None:
    with pytest.raises(RuntimeError, match="boom in the run"):
        app(["--debug", "run", "--db", "w.duckdb"])
    assert not failing_run.exists()


@pytest.mark.parametrize("content", [b"not a database\n", None])
def test_a_file_that_is_not_a_warehouse_is_refused_in_words(tmp_path: Path,
                                                             content: bytes | None) -> None:
    db = tmp_path / "w.duckdb"
    if content is None:  # a DuckDB file that gapwatch did not make
        import duckdb

        duckdb.connect(str(db)).execute("CREATE TABLE t (a INT)").close()
    else:
        db.write_bytes(content)
    env = {**os.environ, "GAPWATCH_LOG_DIR": str(tmp_path / "logs")}
    for command in (["run"], ["export", "--out", str(tmp_path / "x")], ["early-warning"],
                    ["allocate", "--amount", "10"], ["report", "--out", str(tmp_path / "s")],
                    ["family-letters", "--school", "0001", "--out", str(tmp_path / "l")]):
        done = subprocess.run([sys.executable, "-m", "gapwatch.cli", *command, "--db", str(db)],
                              capture_output=True, text=True, env=env, cwd=tmp_path)
        said = " ".join((done.stdout + done.stderr).split())
        assert done.returncode == EXIT_REFUSED, (command, said)
        assert "Traceback" not in said and "gapwatch ingest BUNDLE" in said, (command, said)
    assert not (tmp_path / "logs").exists()  # refusals are not bugs: no log file
