"""``gapwatch demo``: the synthetic demo district, end to end, on the embedded default (DuckDB).

Each step that exists so far runs in order; the closing panel says where to look. With
serving on, the public site and then the staff workspace (one demo account per role, printed
with its password) are served on localhost until Ctrl-C.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.panel import Panel

DEMO_SCHOOLS = 40
DEMO_YEARS = 3


def serve(site: Path, port: int, console: Console, workspace: Path | None = None,
          workspace_port: int = 8001) -> None:
    """Serve ``site`` on localhost until interrupted; with ``workspace`` (the warehouse), the
    staff workspace beside it, with one demo account per role printed."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep the terminal readable
            pass

    handler = functools.partial(Quiet, directory=str(site))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        console.print(Panel.fit(f"The public report is at [bold]{url}[/] (English; Spanish: "
                                f"{url}es/). Press Ctrl-C to stop.", title="gapwatch demo"))
        if workspace is None:
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                console.print("stopped")
            return
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            _serve_workspace(workspace, workspace_port, console)
        except KeyboardInterrupt:
            console.print("stopped")
        finally:
            server.shutdown()


def _serve_workspace(db: Path, port: int, console: Console) -> None:
    """Demo accounts, printed with their passwords, then the workspace until Ctrl-C."""
    from rich.table import Table

    from gapwatch.workspace.demo_accounts import demo_accounts
    from gapwatch.workspace.server import prepare, serve

    prepare(db, console)
    table = Table(title=f"Staff workspace: http://127.0.0.1:{port}/ (demo accounts; new "
                        "passwords each run)")
    for column in ("username", "role", "password", "sees"):
        table.add_column(column)
    for row in demo_accounts(db):
        table.add_row(*row)
    console.print(table)
    serve(db, "127.0.0.1", port, workers=2, threads=8, console=console)


def run_demo(out: Path, *, students: int, seed: int, console: Console, serve_site: bool = False,
             port: int = 8000, workspace_port: int | None = 8001) -> int:
    """Generate, ingest and summarize the demo district under ``out``, build its public site and
    (``serve_site``) serve it; return an exit code. ``out`` must be new, empty or a folder an
    earlier demo made (:class:`gapwatch.files.FolderRefused` otherwise)."""
    from gapwatch.config import load_config
    from gapwatch.export import export
    from gapwatch.files import check_replaceable, claim_folder
    from gapwatch.ingest import ingest_bundle
    from gapwatch.runner import run_all
    from gapwatch.synth import SynthParams, generate

    out = claim_folder(out, "demo")  # new, empty or an earlier demo's folder
    bundle = out / "bundle"
    db = out / "gapwatch.duckdb"
    rejects = out / "rejects.csv"
    for folder, kind in ((bundle, "synth"), (out / "export", "export"), (out / "site", "site"),
                         (out / "early-warning", "early-warning")):
        check_replaceable(folder, kind, warehouse=db)  # refuse now, not after minutes of work

    console.rule("[bold]1. Synthetic district")
    summary = generate(
        bundle,
        students=students,
        schools=DEMO_SCHOOLS,
        years=DEMO_YEARS,
        seed=seed,
        params=SynthParams(),
        console=console,
    )
    console.print(summary.render())

    console.rule("[bold]2. Validate and load into DuckDB")
    report = ingest_bundle(bundle, db, rejects_path=rejects, console=console)
    if report.exit_code == 2:
        console.print("[red]The demo bundle was refused; see the messages above.")
        return 2

    console.rule("[bold]3. Indicators, gaps, Dashboard levels and goals")
    config = out / "gapwatch.toml"
    config.write_text((Path(__file__).parent / "demo.toml").read_text(encoding="utf-8"),
                      encoding="utf-8")
    run_all(db, load_config(config), console=console)

    console.rule("[bold]4. Export for district staff")
    exports = out / "export"
    for path in export(db, exports):
        console.print(f"wrote {path}")

    console.rule("[bold]5. Public report, through the privacy door")
    from gapwatch.privacy.blocks import workers
    from gapwatch.publish import PublishRefused, publish_site

    site = out / "site"
    try:
        with workers():  # the door and the audit use every core
            console.print(publish_site(db, site, load_config(config), console=console))
    except PublishRefused as err:  # nothing was published; say so instead of a traceback
        console.print(f"[bold red]{err}\nThe results and exports above are complete; the "
                      "public site was not written.")
        return 1

    console.rule("[bold]6. Early warning and tiered support (staff only, confidential)")
    early = _early_warning(db, load_config(config), out / "early-warning", console)

    console.print(
        Panel.fit(
            "\n".join(
                [
                    f"Synthetic bundle (one file per table): [bold]{bundle}[/]",
                    f"DuckDB warehouse:                      [bold]{db}[/]",
                    f"Rejected rows, with reasons:           [bold]{rejects}[/]",
                    f"District config with goals:            [bold]{config}[/]",
                    f"Results (Parquet and CSV): indicators, gaps, trends, Dashboard, equity "
                    f"report, support, goals, resources: [bold]{exports}[/]",
                    f"Public site (English and Spanish):      [bold]{site}[/]",
                    f"Early warning (CONFIDENTIAL, staff):    [bold]{early}[/]",
                    "",
                    f"Explore it:  duckdb {db}   (or python -c \"import duckdb; "
                    f"print(duckdb.connect('{db}').sql('from enrollments limit 5'))\")",
                    "The data contract:  docs/data-model.md",
                    "What each indicator means:  docs/indicators.md",
                    "What each gap metric and Dashboard level means:  docs/methods.md",
                ]
            ),
            title="gapwatch demo: where to look",
        )
    )
    if serve_site:
        serve(site, port, console, db if workspace_port is not None else None,
              workspace_port or 8001)
    return 0


def _early_warning(db: Path, config, out: Path, console: Console) -> Path:
    """Run ``gapwatch early-warning`` on the demo warehouse; print its summary; export."""
    from gapwatch.earlywarning.stage import export, for_school
    from gapwatch.earlywarning.view import render
    from gapwatch.runner import run_stages
    from gapwatch.stages import EARLY_WARNING, Context
    from gapwatch.warehouse import writing

    with writing(db) as con:
        ctx = Context(con, config, step=lambda s: console.print(f"  {s}"))
        run_stages(ctx, EARLY_WARNING)
    result = ctx.outputs["early_warning"]
    for renderable in render(result, for_school(result, None), top=5):
        console.print(renderable)
    export(result.tables, out, warehouse=db)
    return out
