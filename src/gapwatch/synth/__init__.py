"""The synthetic district generator: a seeded, realistic district in every table of the contract.

    from gapwatch.synth import SynthParams, generate
    summary = generate("out", students=20_000, schools=40, years=3, seed=1)

No real students: every person, school and number is invented (docs/synthetic-data.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from gapwatch.files import check_replaceable, replace_folder
from gapwatch.synth.district import STEPS, District, simulate
from gapwatch.synth.params import SynthParams
from gapwatch.synth.writer import BundleWriter

__all__ = ["District", "SynthParams", "SynthSummary", "generate", "latent_table", "simulate"]


@dataclass
class SynthSummary:
    """What :func:`generate` wrote: rows per table, seconds taken, where."""

    folder: Path
    file_format: str
    students: int
    schools: int
    years: list[int]
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def render(self) -> RichTable:
        """A Rich table: one line per table with its row count."""
        span = f"{self.years[0] - 1}-{self.years[0] % 100:02d}"
        if len(self.years) > 1:
            span += f" to {self.years[-1] - 1}-{self.years[-1] % 100:02d}"
        out = RichTable(
            title=f"Synthetic district: {self.students:,} students, {self.schools} schools, "
            f"{span}, seed {self.seed}",
            caption=f"{self.file_format.upper()} files in {self.folder} "
            f"({self.seconds:.1f} s)",
        )
        out.add_column("table")
        out.add_column("rows", justify="right")
        for name, n in self.rows.items():
            out.add_row(name, f"{n:,}")
        out.add_row("[bold]total", f"[bold]{sum(self.rows.values()):,}")
        return out


def generate(
    out: str | Path,
    *,
    students: int = 20_000,
    schools: int = 40,
    years: int = 3,
    seed: int = 1,
    first_year: int = 2023,
    file_format: str = "csv",
    daily_attendance: bool = False,
    params: SynthParams | None = None,
    console: Console | None = None,
) -> SynthSummary:
    """Write a synthetic district, every table of the contract, into the folder ``out``.

    ``out`` is replaced whole (built beside it, then swapped in); it must be new, empty or a
    bundle an earlier ``generate`` wrote (:class:`gapwatch.files.FolderRefused` otherwise).
    The bundle is data in the contract's format, not a spreadsheet report: its text is
    written as generated (never neutralised).

    ``students`` are enrolled in the first school year (spring year ``first_year``); the same
    arguments and seed give byte-identical files. ``attendance_daily`` (one row per student
    and day) is written only with ``daily_attendance``. Progress goes to ``console``.
    """
    start = time.perf_counter()
    folder = Path(out)
    if file_format not in ("csv", "parquet"):
        raise ValueError(f"file_format must be 'csv' or 'parquet', not {file_format!r}")
    check_replaceable(folder, "synth")  # before the simulation: a refused folder costs nothing
    progress = (
        Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                 TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                 console=console, transient=True)
        if console is not None else None
    )
    with progress if progress is not None else nullcontext():
        task = progress.add_task("synthetic district", total=len(STEPS)) if progress else None

        def step(name: str) -> None:
            if progress is not None and task is not None:
                progress.update(task, description=f"generating {name}",
                                completed=STEPS.index(name))

        district = simulate(students, schools, years, seed, first_year, params, step)
        names = district.table_names(daily_attendance)
        if progress is not None and task is not None:
            progress.update(task, description="writing", completed=0, total=len(names))
        summary = SynthSummary(folder, file_format, students, district.layout.n,
                               district.years, seed)
        with replace_folder(folder, "synth", public=True) as building:
            _write(BundleWriter(building, file_format), district, daily_attendance, summary,
                   progress, task)
    order = [n for n in names if n in summary.rows]
    summary.rows = {n: summary.rows[n] for n in order}
    summary.seconds = time.perf_counter() - start
    return summary


def _write(writer: BundleWriter, district: District, daily_attendance: bool,
           summary: SynthSummary, progress: Progress | None, task) -> None:
    """Write every table of ``district`` with ``writer``, counting rows in ``summary``."""
    for name, table in district.tables():
        if progress is not None and task is not None:
            progress.update(task, description=f"writing {name}")
        summary.rows[name] = writer.write(name, table)
        if progress is not None and task is not None:
            progress.advance(task)
    if daily_attendance:
        schema, batches = district.daily_attendance()
        total = len(district.pop.enrollments)
        day_task = progress.add_task("writing attendance_daily", total=total) \
            if progress else None

        def tracked() -> Iterator[pa.Table]:
            for done, batch in batches:
                yield batch
                if progress is not None and day_task is not None:
                    progress.update(day_task, completed=done)

        summary.rows["attendance_daily"] = writer.write_batches(
            "attendance_daily", schema, tracked())


def latent_table(district: District) -> pa.Table:
    """Per-student latent values the bundle never contains: ``ability`` and ``risk``.

    ``risk`` is the "true risk" behind absences, discipline and dropout; ``ability`` drives
    scores, marks and graduation. For checking early-warning models against the truth.
    """
    st = district.pop.students
    return pa.table({
        "student_id": district.student_ids(),
        "ability": pa.array(st.ability),
        "risk": pa.array(st.risk),
    })
