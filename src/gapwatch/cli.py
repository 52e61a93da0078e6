"""The ``gapwatch`` command line: synth, check, ingest, run, export, allocate, report,
audit-disclosure, early-warning, serve, users, audit-log, demo, docs.

Command names and options here are a public contract (users' scripts call them): add freely,
rename nothing.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from gapwatch import __version__


class _Guarded(typer.Typer):
    """The Typer app behind the one error boundary (:mod:`gapwatch.errors`)."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        from gapwatch import errors

        try:
            return super().__call__(*args, **kwargs)
        except errors.Refusal as err:
            if errors.debugging():
                raise
            console.print(f"[bold red]{escape(str(err))}")
            sys.exit(errors.EXIT_REFUSED)
        except KeyboardInterrupt:
            if errors.debugging():
                raise
            sys.stderr.write("gapwatch: interrupted.\n")
            sys.exit(errors.EXIT_INTERRUPTED)
        except Exception as err:
            if errors.debugging():
                raise
            sys.exit(errors.report_unexpected(sys.argv, err))


app = _Guarded(
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


class SourceName(StrEnum):
    """``--from``: the layout of the folder given to check and ingest (docs/sources.md)."""

    gapwatch = "gapwatch"
    edfi = "edfi"
    oneroster = "oneroster"
    calpads = "calpads"


_FROM_HELP = ("Layout of the folder: gapwatch (one file per table, default), edfi (Ed-Fi XML "
              "interchanges or `gapwatch pull edfi` output), oneroster (OneRoster 1.2 CSV), "
              "calpads (CALPADS extracts). See docs/sources.md.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gapwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an unexpected error "
                           "instead of writing it to a log file.")
    ] = False,
) -> None:
    """gapwatch command line.

    Exit codes: 0 done; 1 done, with something to look at; 2 refused (bad input, nothing
    changed); 70 unexpected error (details in a log file); 130 interrupted.
    """
    from gapwatch.errors import set_debug

    set_debug(debug)


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
    school_types: Annotated[
        str | None,
        typer.Option(help="The schools' types in order, e.g. ELEM,ELEM,HIGH or ALT (ELEM, "
                     "MIDDLE, HIGH, K8, K12, ALT); sets --schools to their number."),
    ] = None,
    layout: Annotated[
        SourceName, typer.Option(help="Layout of the files: gapwatch (the contract's tables, "
                                 "default), calpads (CALPADS extracts) or oneroster (OneRoster "
                                 "1.2 CSV); see docs/sources.md.")
    ] = SourceName.gapwatch,
) -> None:
    """Write a synthetic district: every table of the data contract (or, with --layout, the
    files a district's systems would export).

    OUT must be new, empty or a bundle written by an earlier `gapwatch synth` (it is replaced
    whole); any other folder is refused (exit 2)."""
    import dataclasses

    from gapwatch.files import FolderRefused
    from gapwatch.synth import SynthParams, generate
    from gapwatch.synth.schools import parse_school_types

    try:
        settings = SynthParams.from_toml(params) if params else SynthParams()
        if school_types:
            schools = len(parse_school_types(school_types))
            settings = dataclasses.replace(settings, school_types=school_types)
        elif settings.school_types:
            schools = len(parse_school_types(settings.school_types))
    except (OSError, ValueError) as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    if layout is SourceName.edfi:
        console.print("[bold red]--layout edfi is not written yet: use gapwatch, calpads or "
                      "oneroster")
        raise typer.Exit(2)
    if layout is not SourceName.gapwatch and file_format is not FileFormat.csv:
        console.print("[bold red]--layout calpads or oneroster writes its own file format: "
                      "leave out --format")
        raise typer.Exit(2)
    if layout is not SourceName.gapwatch:
        from functools import partial

        from gapwatch.sources.layouts import write_layout

        make = partial(generate, students=students, schools=schools, years=years, seed=seed,
                       first_year=first_year, daily_attendance=daily_attendance, params=settings)
        try:
            written = write_layout(make, out, layout.value)
        except FolderRefused as err:
            console.print(f"[bold red]{err}")
            raise typer.Exit(2) from None
        console.print(f"wrote {len(written)} {layout.value} files to {out}")
        return
    try:
        summary = generate(out, students=students, schools=schools, years=years, seed=seed,
                           first_year=first_year, file_format=file_format.value,
                           daily_attendance=daily_attendance, params=settings, console=console)
    except FolderRefused as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
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
    source: Annotated[SourceName, typer.Option("--from", help=_FROM_HELP)] = SourceName.gapwatch,
    coverage: Annotated[bool, typer.Option(
        "--coverage", help="Print only what the data can compute (every check prints it too; "
        "this also sets the exit code from it: 1 when an indicator cannot be computed).")
    ] = False,
) -> None:
    """Validate a bundle without loading it. Exit 0 clean, 1 rejected rows, 2 refused."""
    from gapwatch.ingest import check_bundle

    report = check_bundle(bundle, mapping=mapping, rejects_path=rejects,
                          console=None if coverage else console, source=source.value)
    if coverage:
        for refusal in report.refusals:
            console.print(f"[bold red]refused: {escape(refusal)}")
        given = ", ".join(f"{t.table} ({t.columns}/{t.of} columns)" for t in report.sources)
        console.print(f"{source.value} data: tables given: {given or 'none'}")
        for c in report.coverage:
            console.print(f"{c.indicator}: " + ("yes" if c.computable else f"no ({c.missing})"))
        raise typer.Exit(report.exit_code if report.exit_code == 2 else
                         int(not all(c.computable for c in report.coverage)))
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
    source: Annotated[SourceName, typer.Option("--from", help=_FROM_HELP)] = SourceName.gapwatch,
) -> None:
    """Validate a bundle and load it into a DuckDB warehouse.

    Exit 0 clean, 1 loaded with rejected rows, 2 refused (the previous warehouse is untouched).
    """
    from gapwatch.ingest import ingest_bundle

    report = ingest_bundle(bundle, db, mapping=mapping, rejects_path=rejects, console=console,
                           source=source.value)
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
    out: Annotated[Path, typer.Option(help="Folder to write the files into (new, empty or an "
                                      "earlier export: replaced whole; owner-only).")
                   ] = Path("export"),
) -> None:
    """Write the results (indicator_results, gaps, dashboard, support, goals_progress, ...) as
    Parquet and CSV files for district staff. They are not suppressed: owner-only files."""
    from gapwatch.export import export as write_exports
    from gapwatch.files import FolderRefused
    from gapwatch.warehouse import WarehouseMissing

    try:
        files = write_exports(db, out)
    except (WarehouseMissing, FolderRefused) as err:
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
        import pyarrow.parquet as pq

        from gapwatch.files import private_file, write_arrow

        with private_file(out) as building:  # owner-only, like every staff file
            if out.suffix == ".parquet":
                pq.write_table(allocations, building)
            else:
                write_arrow(allocations, building)
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
    out: Annotated[Path, typer.Option(help="Folder for the exports (new, empty or an earlier "
                                      "early-warning export: replaced whole; owner-only, "
                                      "student-level files confidential).")
                   ] = Path("early-warning"),
    top: Annotated[int, typer.Option(help="Students listed on screen.")] = 15,
) -> None:
    """Flag students for tiered support: rule flags with reasons, a calibrated model checked
    against the rules and audited for fairness, Tier 1/2/3, supports in place, suggested
    partners, and whether interventions seem to work. Staff only: never public."""
    from rich.progress import Progress

    from gapwatch.config import ConfigError, load_config
    from gapwatch.earlywarning.stage import caseload, export, for_school
    from gapwatch.earlywarning.view import render
    from gapwatch.files import FolderRefused, check_replaceable
    from gapwatch.runner import run_stages
    from gapwatch.stages import EARLY_WARNING, Context
    from gapwatch.warehouse import WarehouseMissing, connect, rebuilding, writing

    try:
        cfg = load_config(config)
        connect(db).close()
        check_replaceable(out, "early-warning", warehouse=db)
        with rebuilding(db) as work, writing(work) as con:  # readers never wait on a copy
            _flow_back(db, work, con)
            with Progress(console=console, transient=True) as progress:
                task = progress.add_task("early warning", total=None)
                ctx = Context(con, cfg, school_year=year, step=lambda s: progress.update(
                    task, description=f"early warning: {s}"))
                for outcome in run_stages(ctx, EARLY_WARNING):
                    if outcome.skipped:
                        raise ValueError(f"early warning not run: {outcome.skipped}")
            result = ctx.outputs["early_warning"]
            students = caseload(con, staff, result.school_year) if staff else None
        from gapwatch.earlywarning.workspace import export_tiers

        if (changed := export_tiers(db, result.tables["student_tiers"])) is not None:
            console.print(f"staff workspace: {changed} tier changes recorded as tier history")
    except (ConfigError, WarehouseMissing, FolderRefused, ValueError) as err:
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
    try:
        written = export(tables, out, warehouse=db)
    except FolderRefused as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    console.print(f"wrote {len(written)} owner-only files to {out} (student-level files are "
                  f"confidential: {out / 'CONFIDENTIAL.txt'})")


@app.command("family-letters")
def family_letters(
    school: Annotated[str, typer.Option(help="School id: one letter per student enrolled "
                                        "there.")],
    db: Annotated[Path, typer.Option(help="DuckDB warehouse after `gapwatch ingest`.")] = Path(
        "gapwatch.duckdb"),
    lang: Annotated[str | None, typer.Option(help="Write every letter in this language "
                                             "(default: each family's preferred language "
                                             "from guardians).")] = None,
    year: Annotated[int | None, typer.Option(help="School year (default: the school's "
                                             "latest).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the letters (new, empty or earlier "
                                      "letters: replaced whole; owner-only, confidential).")
                   ] = Path("family-letters"),
    pdf: Annotated[bool | None, typer.Option(
        "--pdf/--no-pdf", help="Print each letter to PDF (default: when Chromium is "
                               "installed).")] = None,
) -> None:
    """Write a progress letter to each student's family, in the family's language (PDF, and
    HTML for email). Staff only: confidential, owner-only, every generation logged."""
    from gapwatch.families.letters import write_letters
    from gapwatch.families.letters.write import LettersRefused
    from gapwatch.files import FolderRefused
    from gapwatch.warehouse import WarehouseMissing

    try:
        summary = write_letters(db, school, out, lang=lang, school_year=year, pdf=pdf)
    except (WarehouseMissing, FolderRefused, LettersRefused) as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    console.print(str(summary))


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
    out: Annotated[Path, typer.Option(help="Folder for the public site: new, empty or a site "
                                      "built earlier (replaced whole); never a folder that "
                                      "holds the warehouse or other files.")] = Path("site"),
    config: Annotated[
        Path | None, typer.Option(help="District config file (privacy policy, names).")
    ] = None,
    pdf: Annotated[bool | None, typer.Option(
        "--pdf/--no-pdf", help="Print each school page to PDF (default: when Chromium is "
                               "installed).")] = None,
) -> None:
    """Build the public equity report (static site, English and Spanish) through the privacy
    door; audit it and refuse to publish a site that fails the disclosure audit."""
    from gapwatch.config import ConfigError, load_config
    from gapwatch.files import FolderRefused
    from gapwatch.privacy.blocks import workers
    from gapwatch.publish import PublishRefused, publish_site
    from gapwatch.report.page_names import PageNameCollision
    from gapwatch.warehouse import WarehouseMissing

    try:
        with workers():  # a big district's door and audit use every core
            summary = publish_site(db, out, load_config(config), console=console, pdf=pdf)
    except (ConfigError, WarehouseMissing, FolderRefused, PageNameCollision) as err:
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
    from gapwatch.privacy.blocks import workers

    with workers():
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
    and serve it, then the staff workspace with demo accounts. OUT must be new, empty or a
    folder an earlier demo made."""
    from gapwatch.demo import run_demo
    from gapwatch.files import FolderRefused

    try:
        code = run_demo(out, students=students, seed=seed, console=console, serve_site=serve,
                        port=port, workspace_port=workspace_port if workspace else None)
    except FolderRefused as err:
        console.print(f"[bold red]{err}")
        raise typer.Exit(2) from None
    raise typer.Exit(code)


pull_app = typer.Typer(help="Pull a district's data from a system's API into a folder.",
                       no_args_is_help=True)
app.add_typer(pull_app, name="pull")


@pull_app.command("edfi")
def pull_edfi(
    url: Annotated[str, typer.Option(help="Root URL of the Ed-Fi ODS/API (v7), e.g. "
                                     "https://edfi.example.org/api.")],
    key: Annotated[str, typer.Option(envvar="GAPWATCH_EDFI_KEY",
                                     help="OAuth client key (or GAPWATCH_EDFI_KEY).")],
    secret: Annotated[str, typer.Option(envvar="GAPWATCH_EDFI_SECRET",
                                        help="OAuth client secret (or GAPWATCH_EDFI_SECRET, "
                                        "which keeps it out of the process list).")],
    out: Annotated[Path, typer.Option(help="Folder for the pulled resources (owner-only); "
                                      "pulling into it again fetches only the changes.")],
    page_size: Annotated[int, typer.Option(help="Records per request (Ed-Fi's default "
                                           "maximum is 500).")] = 500,
    full: Annotated[bool, typer.Option("--full", help="Read everything again instead of the "
                                       "changes since the last pull.")] = False,
) -> None:
    """Pull students, schools, enrollments, attendance, discipline, assessments, programs and
    staff from an Ed-Fi ODS/API into OUT, for `gapwatch ingest OUT --from edfi`."""
    from gapwatch.sources.edfi.api import pull

    result = pull(url, key, secret, out, page_size=page_size, full=full,
                  step=lambda s: console.print(f"[dim]{escape(s)}"))
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}")
    kind = "changes since the last pull" if result.incremental else "everything"
    console.print(f"Pulled {kind} into {out}: {sum(result.changed.values()):,} records received, "
                  f"{sum(result.deleted.values()):,} deleted, {sum(result.counts.values()):,} "
                  f"kept (change version {result.change_version}). Next: gapwatch ingest {out} "
                  "--from edfi")


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
    from gapwatch.config_docs import render_settings_doc

    _emit(render_settings_doc(), out)


@docs_app.command("stages")
def docs_stages(
    out: Annotated[Path | None, typer.Option(help="Regenerate the stages table inside this file "
                                             "(docs/architecture.md) instead of printing it.")
                   ] = None,
) -> None:
    """Print the stages table of docs/architecture.md, generated from the stage registry."""
    from gapwatch.stages.docs import render_stages_table, with_stages_table

    if out is None:
        _emit(render_stages_table(), None)
    else:
        _emit(_regenerated(out, with_stages_table), out)


@docs_app.command("models")
def docs_models(
    out: Annotated[Path | None, typer.Option(help="Regenerate the model graph inside this file "
                                             "(docs/architecture.md) instead of printing it.")
                   ] = None,
) -> None:
    """Print the model graph of docs/architecture.md, generated from the model files."""
    from gapwatch.models.docs import render_model_graph, with_model_graph

    if out is None:
        _emit(render_model_graph(), None)
    else:
        _emit(_regenerated(out, with_model_graph), out)


@docs_app.command("letters-pot")
def docs_letters_pot(
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """Print the family letters' translation template (families/letters/locale/letters.pot)."""
    from gapwatch.families.letters.catalog import render_pot

    _emit(render_pot(), out)


def _regenerated(path: Path, regenerate) -> str:
    """The text of ``path`` with its generated section regenerated; a refusal naming the file
    when there is no such file or it has no such section (nothing is written)."""
    from gapwatch.errors import Refusal

    if not path.is_file():
        raise Refusal(f"{path}: no such file; --out names the document whose generated "
                      "section is replaced (docs/architecture.md); leave --out out to print "
                      "the section instead")
    try:
        return regenerate(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise Refusal(f"{path}: {err}") from None


def _emit(text: str, out: Path | None) -> None:
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


if __name__ == "__main__":  # pragma: no cover
    app()
