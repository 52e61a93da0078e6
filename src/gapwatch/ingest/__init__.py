"""Check and load a bundle: read -> (map) -> validate -> load, with every rejected row kept.

``check_bundle`` validates only; ``ingest_bundle`` also builds the DuckDB warehouse. Both write
``rejects.csv`` (file, line, column, value, reason) and return an :class:`IngestReport` whose
``exit_code`` is 0 when every row passed, 1 when rows were rejected, 2 when the bundle was
refused (and nothing was loaded).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gapwatch.contract import TABLES
from gapwatch.ingest.bundle import Staged, stage_bundle
from gapwatch.ingest.load import build_warehouse, write_rejects_csv
from gapwatch.ingest.mapping import MappingError, load_mapping
from gapwatch.ingest.problems import PROBLEMS_DDL
from gapwatch.ingest.report import EXIT_REFUSED, IngestReport, TableReport
from gapwatch.ingest.validate import run_checks
from gapwatch.warehouse import session_config

__all__ = ["IngestReport", "TableReport", "check_bundle", "ingest_bundle"]

EXAMPLES_SHOWN = 12


@contextlib.contextmanager
def _session() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB session that spills to a private temporary folder."""
    spill = Path(tempfile.mkdtemp(prefix="gapwatch-ingest-"))
    con = duckdb.connect(config=session_config(temp_directory=str(spill)))
    con.execute("SET enable_progress_bar = false")
    try:
        con.execute(PROBLEMS_DDL)
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


@contextlib.contextmanager
def _progress(console: Console | None) -> Iterator:
    if console is None:
        yield lambda _: None
        return
    steps = 2 * len(TABLES) + 4
    with Progress(
        TextColumn("[bold]{task.description:<48}"), BarColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:
        task = progress.add_task("starting", total=steps)

        def step(description: str) -> None:
            progress.update(task, description=description, advance=1)

        yield step
        progress.update(task, completed=steps)


def _count(con: duckdb.DuckDBPyConnection, staged: Staged) -> dict[str, TableReport]:
    rows = con.execute(
        "SELECT table_name, count(*) FILTER (WHERE stage = 'parse' AND severity = 'error'), "
        "count(DISTINCT row_id) FILTER (WHERE stage <> 'parse' AND severity = 'error'), "
        "count(*) FILTER (WHERE severity = 'warning') FROM problems GROUP BY table_name"
    ).fetchall()
    found = {name: (parse + staged, warnings) for name, parse, staged, warnings in rows}
    reports = {}
    for tbl in TABLES:
        if tbl.name not in staged.tables:
            continue
        given = staged.tables[tbl.name]
        rejected, warnings = found.get(tbl.name, (0, 0))
        reports[tbl.name] = TableReport(
            tbl.name, tuple(given.files), given.rows_read, given.rows_read - rejected,
            rejected, warnings, tuple(given.ignored_columns),
        )
    return reports


def _examples(con: duckdb.DuckDBPyConnection) -> tuple[list, int]:
    total = con.execute("SELECT count(*) FROM problems").fetchone()[0]
    order = " ".join(f"WHEN '{t.name}' THEN {i}" for i, t in enumerate(TABLES))
    rows = con.execute(
        "SELECT file, line, \"column\", coalesce(value, ''), reason, severity FROM problems "
        f"ORDER BY severity, CASE table_name {order} END, line LIMIT {EXAMPLES_SHOWN}"
    ).fetchall()
    return rows, total


def _stage(con: duckdb.DuckDBPyConnection, bundle: Path, mapping: Path | None, source: str,
           step) -> Staged:
    """Stage a native bundle (with an optional mapping file), or an export through its adapter."""
    if source != "gapwatch":
        from gapwatch.sources import stage_source

        return stage_source(con, bundle, source, mapping, step)
    try:
        parsed_mapping = load_mapping(mapping) if mapping else None
    except MappingError as err:
        return Staged(refusals=[str(err)])
    return stage_bundle(con, bundle, parsed_mapping, step)


def _run(
    bundle: Path,
    db: Path | None,
    mapping: Path | None,
    rejects_path: Path,
    console: Console | None,
    source: str = "gapwatch",
) -> IngestReport:
    from gapwatch.sources.coverage import indicator_coverage, table_sources

    report = IngestReport(bundle=bundle, rejects_path=rejects_path, db=db, source=source)
    with _session() as con, _progress(console) as step:
        staged = _stage(con, bundle, mapping, source, step)
        report.notes += staged.notes
        report.coverage = indicator_coverage(con, staged)
        report.sources = table_sources(staged)
        for name, given in staged.tables.items():
            if given.ignored_columns:
                report.notes.append(
                    f"{', '.join(given.files)}: column(s) ignored, not in the contract for "
                    f"{name}: {', '.join(given.ignored_columns)}"
                )
        if staged.refusals:
            report.refusals += staged.refusals
            return _finish(report, console)
        run_checks(con, staged.given_columns, step)
        report.tables = _count(con, staged)
        report.examples, report.problems_total = _examples(con)
        step("writing rejects.csv")
        write_rejects_csv(con, rejects_path)
        if db is not None:
            counts = [
                (t.name, t.name in report.tables,
                 ", ".join(report.tables[t.name].files) if t.name in report.tables else None,
                 *(_numbers(report.tables.get(t.name))))
                for t in TABLES
            ]
            build_warehouse(con, db, counts, staged.present, bundle=bundle, mapping=mapping,
                            exit_code=report.exit_code, step=step)
    return _finish(report, console)


def _numbers(t: TableReport | None) -> tuple[int, int, int, int]:
    if t is None:
        return (0, 0, 0, 0)
    return (t.rows_read, t.rows_loaded, t.rows_rejected, t.warnings)


def _finish(report: IngestReport, console: Console | None) -> IngestReport:
    if report.exit_code == EXIT_REFUSED:
        report.rejects_path = None
    if console is not None:
        console.print(report.render())
    return report


def check_bundle(
    bundle: Path,
    *,
    mapping: Path | None = None,
    rejects_path: Path | None = None,
    console: Console | None = None,
    source: str = "gapwatch",
) -> IngestReport:
    """Validate ``bundle`` without loading it; write the problems to ``rejects.csv``.

    ``source`` names the layout: ``gapwatch`` (a bundle), ``edfi``, ``oneroster`` or
    ``calpads`` (an export read through its adapter, :mod:`gapwatch.sources`)."""
    return _run(bundle, None, mapping, rejects_path or Path("rejects.csv"), console, source)


def ingest_bundle(
    bundle: Path,
    db: Path,
    *,
    mapping: Path | None = None,
    rejects_path: Path | None = None,
    console: Console | None = None,
    source: str = "gapwatch",
) -> IngestReport:
    """Validate ``bundle`` and load it into the DuckDB warehouse ``db`` (replaced atomically)."""
    rejects = rejects_path or db.with_name("rejects.csv")
    return _run(bundle, db, mapping, rejects, console, source)
