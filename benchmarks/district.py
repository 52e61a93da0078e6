"""A synthetic district's warehouse for the benchmarks: generated, ingested and run once, then
reused by later runs of the same benchmark (the same folder)."""

from __future__ import annotations

import time
from pathlib import Path

from gapwatch.config import Config
from gapwatch.ingest import ingest_bundle
from gapwatch.runner import run_all
from gapwatch.synth import generate


def district_warehouse(work: Path, students: int, schools: int, years: int,
                       config: Config) -> tuple[Path, float | None]:
    """``work/warehouse.duckdb`` after `gapwatch synth` (seed 1), ingest and run, and the
    seconds it took (None when it was there already)."""
    db = work / "warehouse.duckdb"
    if db.is_file():
        return db, None
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generate(work / "bundle", students=students, schools=schools, years=years, seed=1)
    ingest_bundle(work / "bundle", db)
    run_all(db, config)
    return db, time.perf_counter() - started
