"""The ``gapwatch`` command line: synth, check, ingest, run, export, allocate, report,
audit-disclosure, early-warning, serve, users, audit-log, demo, docs.

Command names and options here are a public contract (users' scripts call them): add freely,
rename nothing.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gapwatch import __version__

app = typer.Typer(
    name="gapwatch",
    help="gapwatch: see, school by school and group by group, whether equity gaps are closing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)


class FileFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gapwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """gapwatch command line."""


@app.command()
def synth(
    out: Annotated[Path, typer.Argument(help="Folder to write the bundle into.")],
    students: Annotated[int, typer.Option(help="Students enrolled in the first year.")] = 20_000,
    schools: Annotated[int, typer.Option(help="Number of schools.")] = 40,
    years: Annotated[int, typer.Option(help="School years to generate.")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 1,
    first_year: Annotated[
        int, typer.Option(help="Spring year of the first school year (2023 = 2022-23).")
    ] = 2023,
    file_format: Annotated[
        FileFormat, typer.Option("--format", help="File format of every table.")
    ] = FileFormat.csv,
    daily_attendance: Annotated[
        bool,
        typer.Option("--daily-attendance", help="Also write attendance_daily (one row a day)."),
    ] = False,
    params: Annotated[
        Path | None,
        typer.Option(help="TOML file overriding generator parameters (docs/synthetic-data.md)."),
    ] = None,
) -> None:
    """Write a synthetic district: every table of the data contract."""
    from gapwatch.synth import SynthParams, generate

    try:
        settings = SynthParams.from_toml(params) if params else SynthParams()
    except (OSError, ValueError) as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    summary = generate(
        out,
        students=students,
        schools=schools,
        years=years,
        seed=seed,
        first_year=first_year,
        file_format=file_format.value,
        daily_attendance=daily_attendance,
        params=settings,
        console=console,
    )
    console.print(summary.render())


@app.command()
def check(
    bundle: Annotated[Path, typer.Argument(help="Folder with one file per table.")],
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping file for a foreign layout (docs/mapping.md).")
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where to write rejects.csv (default: ./rejects.csv)."),
    ] = None,
) -> None:
    """Validate a bundle without loading it. Exit 0 clean, 1 rejected rows, 2 refused."""
    from gapwatch.ingest import check_bundle

    report = check_bundle(bundle, mapping=mapping, rejects_path=rejects, console=console)
    raise typer.Exit(report.exit_code)


@app.command()
def ingest(
    bundle: Annotated[Path, typer.Argument(help="Folder with one file per table.")],
    db: Annotated[Path, typer.Option(help="DuckDB warehouse file to create or replace.")] = Path(
        "gapwatch.duckdb"
    ),
    mapping: Annotated[
        Path | None, typer.Option(help="Mapping file for a foreign layout (docs/mapping.md).")
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where to write rejects.csv (default: beside the warehouse)."),
    ] = None,
) -> None:
    """Validate a bundle and load it into a DuckDB warehouse.

    Exit 0 clean, 1 loaded with rejected rows, 2 refused (the previous warehouse is untouched).
    """
    from gapwatch.ingest import ingest_bundle

    report = ingest_bundle(bundle, db, mapping=mapping, rejects_path=rejects, console=console)
    raise typer.Exit(report.exit_code)


class EngineName(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@app.command()
def run(
    db: Annotated[Path, typer.Option(help="DuckDB warehouse made by `gapwatch ingest`.")] = Path(
        "gapwatch.duckdb"
    ),
    config: Annotated[
        Path | None, typer.Option(help="District config file (docs/configuration.md).")
    ] = None,
    engine: Annotated[
        EngineName, typer.Option(help="duckdb (default) or spark (Apache Spark).")
    ] = EngineName.duckdb,
) -> None:
    """Compute indicators, gaps, Dashboard levels, support identification and goal progress."""
    from gapwatch.config import ConfigError, load_config
    from gapwatch.runner import run_all
    from gapwatch.warehouse import WarehouseMissing, rebuilding

    try:
        settings = load_config(config)
        with rebuilding(db) as work:  # a copy, swapped in at the end: readers never wait
            _flow_back(db, work)
            code = run_all(work, settings, engine=engine.value, console=console)
    except (ConfigError, WarehouseMissing) as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    raise typer.Exit(code)


@app.command()
def export(
    db: Annotated[Path, typer.Option(help="DuckDB warehouse.")] = Path("gapwatch.duckdb"),
    out: Annotated[Path, typer.Option(help="Folder to write the files into.")] = Path("export"),
) -> None:
    """Write the results (indicator_results, gaps, dashboard, support, goals_progress, ...) as
    Parquet and CSV files for district staff."""
    from gapwatch.export import export as write_exports
    from gapwatch.warehouse import WarehouseMissing

    try:
        files = write_exports(db, out)
    except WarehouseMissing as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    if not files:
        console.print(f"[yellow]Nothing to export: run `gapwatch run --db {db}` first.")
        raise typer.Exit(1)
    for path in files:
        console.print(f"wrote {path}")


@app.command()
def allocate(
    amount: Annotated[float, typer.Option(help="The sum to allocate across schools, in dollars.")],
    rule: Annotated[list[str], typer.Option(
        help="An allocation rule; repeat to compare several side by side: flat, need_band, "
             "need_band:Highest=2,High=1.5,..., unduplicated, or expr:<SQL over the school "
             "table> (docs/resources.md).")] = ["flat", "need_band", "unduplicated"],  # noqa: B006
    db: Annotated[Path, typer.Option(help="DuckDB warehouse after `gapwatch run`.")] = Path(
        "gapwatch.duckdb"),
    year: Annotated[int | None, typer.Option(help="School year (default: the latest with a "
                                             "need index).")] = None,
    out: Annotated[Path | None, typer.Option(help="Also write the allocations here (.csv or "
                                             ".parquet).")] = None,
) -> None:
    """Compare allocation rules: each school's share of AMOUNT under each rule, side by side,
    and how progressive each rule is."""
    from gapwatch.resources.allocate import allocate as run_allocation
    from gapwatch.resources.allocate import parse_rule
    from gapwatch.resources.allocate_view import render_allocation
    from gapwatch.warehouse import WarehouseMissing, connect

    try:
        rules = [parse_rule(r) for r in rule]
        con = connect(db)
    except (ValueError, WarehouseMissing) as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    try:
        allocations, progress = run_allocation(con, amount, rules, year=year)
    except ValueError as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    finally:
        con.close()
    for renderable in render_allocation(allocations, progress):
        Console().print(renderable)
    if out is not None:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix == ".parquet":
            pq.write_table(allocations, out)
        else:
            pacsv.write_csv(allocations, out)
        console.print(f"wrote {out}")


@app.command("early-warning")
def early_warning(
    db: Annotated[Path, typer.Option(help="DuckDB warehouse after `gapwatch ingest`.")] = Path(
        "gapwatch.duckdb"),
    school: Annotated[str | None, typer.Option(help="Only this school's students (school_id) "
                                               "in the list and the student-level files.")
                      ] = None,
    staff: Annotated[str | None, typer.Option(help="Only this staff member's caseload: "
                                              "students in their sections or interventions.")
                     ] = None,
    year: Annotated[int | None, typer.Option(help="School year (default: the latest).")] = None,
    config: Annotated[Path | None, typer.Option(help="District config file (thresholds, "
                                                "capacity, tiers).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the exports (student-level files are "
                                      "confidential).")] = Path("early-warning"),
    top: Annotated[int, typer.Option(help="Students listed on screen.")] = 15,
) -> None:
    """Flag students for tiered support: rule flags with reasons, a calibrated model checked
    against the rules and audited for fairness, Tier 1/2/3, supports in place, suggested
    partners, and whether interventions seem to work. Staff only: never public."""
    from rich.progress import Progress

    from gapwatch.config import ConfigError, load_config
    from gapwatch.earlywarning.stage import (
        caseload,
        export,
        for_school,
        run_early_warning,
        store,
    )
    from gapwatch.earlywarning.view import render
    from gapwatch.warehouse import WarehouseMissing, connect, rebuilding

    try:
        cfg = load_config(config)
        with rebuilding(db) as work:  # a copy, swapped in at the end: readers never wait
            con = connect(work, read_only=False)
            try:
                _flow_back(db, work, con)
                with Progress(console=console, transient=True) as progress:
                    task = progress.add_task("early warning", total=None)
                    result = run_early_warning(
                        con, cfg, school_year=year,
                        step=lambda s: progress.update(task, description=f"early warning: {s}"))
                store(con, result)
                students = caseload(con, staff, result.school_year) if staff else None
            finally:
                con.close()
        from gapwatch.earlywarning.workspace import export_tiers

        if (changed := export_tiers(db, result.tables["student_tiers"])) is not None:
            console.print(f"staff workspace: {changed} tier changes recorded as tier history")
    except (ConfigError, WarehouseMissing, ValueError) as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    if school is not None and school not in set(
            result.tables["student_tiers"].column("school_id").to_pylist()):
        console.print(f"[bold red]no students of school {school!r} in {result.school_year}")
        raise typer.Exit(2)
    tables = for_school(result, school, students)
    for note in result.notes:
        console.print(f"[yellow]{note}")
    for renderable in render(result, tables, top):
        console.print(renderable)
    written = export(tables, out)
    console.print(f"wrote {len(written)} files to {out} (student-level files are "
                  f"confidential: {out / 'CONFIDENTIAL.txt'})")


def _flow_back(db: Path, work: Path, con=None) -> None:
    """Read the staff workspace's supports and served referrals into the working copy's
    ``interventions`` (when a workspace is configured; docs/workspace.md)."""
    from gapwatch.earlywarning.workspace import import_workspace
    from gapwatch.warehouse import connect

    own = con is None
    con = connect(work, read_only=False) if own else con
    try:
        added = import_workspace(con, db)
    finally:
        if own:
            con.close()
    if added is not None:
        console.print(f"staff workspace: {added} supports and served referrals read as "
                      "interventions")


@app.command()
def report(
    db: Annotated[Path, typer.Option(help="DuckDB warehouse after `gapwatch run`.")] = Path(
        "gapwatch.duckdb"),
    out: Annotated[Path, typer.Option(help="Folder for the public site (replaced).")] = Path(
        "site"),
    config: Annotated[
        Path | None, typer.Option(help="District config file (privacy policy, names).")
    ] = None,
) -> None:
    """Build the public equity report (static site, English and Spanish) through the privacy
    door; audit it and refuse to publish a site that fails the disclosure audit."""
    from gapwatch.config import ConfigError, load_config
    from gapwatch.publish import PublishRefused, publish_site
    from gapwatch.warehouse import WarehouseMissing

    try:
        summary = publish_site(db, out, load_config(config), console=console)
    except (ConfigError, WarehouseMissing) as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    except PublishRefused as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(1) from None
    console.print(summary)


@app.command("audit-disclosure")
def audit_disclosure(
    site: Annotated[Path, typer.Argument(help="A site built by `gapwatch report`.")],
    k: Annotated[int | None, typer.Option(help="Fewest possible values a suppressed count "
                                          "may keep (default: the site's own policy).")] = None,
) -> None:
    """Check a published site from its files alone: no number rests on fewer than the minimum
    n, and no suppressed count can be narrowed to fewer than k values."""
    from gapwatch.privacy import audit_disclosure as run_audit

    result = run_audit(site, k)
    console.print(result.render())
    raise typer.Exit(0 if result.passed else 1)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the demo district and results.")] = Path(
        "demo"
    ),
    students: Annotated[int, typer.Option(help="Students in the demo district.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    serve: Annotated[bool, typer.Option(help="Serve the public site on localhost at the end "
                                        "(Ctrl-C stops).")] = True,
    port: Annotated[int, typer.Option(help="Port for --serve (0: any free port).")] = 8000,
    workspace_port: Annotated[int, typer.Option(help="Port of the staff workspace served "
                                                "after the public site.")] = 8001,
    workspace: Annotated[bool, typer.Option(help="Also serve the staff workspace with one "
                                            "demo account per role.")] = True,
) -> None:
    """Generate the synthetic demo district, ingest it, run everything, build the public site
    and serve it, then the staff workspace with demo accounts."""
    from gapwatch.demo import run_demo

    raise typer.Exit(run_demo(out, students=students, seed=seed, console=console,
                              serve_site=serve, port=port,
                              workspace_port=workspace_port if workspace else None))


from gapwatch.workspace.commands import audit_log, serve, users_app  # noqa: E402

app.command("serve")(serve)
app.command("audit-log")(audit_log)
app.add_typer(users_app, name="users")

docs_app = typer.Typer(help="Generate reference documentation from the code.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")


@docs_app.command("data-model")
def docs_data_model(
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Print docs/data-model.md, generated from the contract."""
    from gapwatch.contract.docs import render_data_model

    _emit(render_data_model(), out)


@docs_app.command("indicators")
def docs_indicators(
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Print docs/indicators.md, generated from the indicator registry."""
    from gapwatch.indicators.docs import render_indicators_doc

    _emit(render_indicators_doc(), out)


@docs_app.command("configuration")
def docs_configuration(
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Print docs/configuration.md, generated from the settings table."""
    from gapwatch.config import render_settings_doc

    _emit(render_settings_doc(), out)


def _emit(text: str, out: Path | None) -> None:
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    app()
