"""A synthetic district generated, ingested and run end to end, for tests of later stages."""

from __future__ import annotations

from pathlib import Path

from gapwatch.config import Config
from gapwatch.ingest import ingest_bundle
from gapwatch.runner import run_all
from gapwatch.synth import generate


def run_district(root: Path, *, students: int, schools: int, years: int, seed: int,
                 config: Config | None = None) -> Path:
    """Generate a district under ``root``, ingest it and run every stage; return the warehouse."""
    bundle, db = root / "bundle", root / "w.duckdb"
    generate(bundle, students=students, schools=schools, years=years, seed=seed)
    assert ingest_bundle(bundle, db, rejects_path=root / "rejects.csv").exit_code == 0
    assert run_all(db, config or Config()) == 0
    return db
