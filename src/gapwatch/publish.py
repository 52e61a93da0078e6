"""``gapwatch report``: the public site, built through the privacy door and audited before it
is published.

1. The privacy door (:mod:`gapwatch.privacy`) turns the warehouse's result tables into the
   published tables (suppressed, coded) and writes them with ``disclosure.json``; the method
   choices of the run (``methods_used``: settings, no student data) go beside them as
   ``methods.json``;
2. the site (:mod:`gapwatch.report`) is rendered from those files alone;
3. the disclosure audit reads the finished site's files and must pass;
4. only then does the site replace ``out`` (built in a private folder beside it, made readable
   by others, then swapped in), so a failing or half-built site is never published.

``out`` must be new, empty or a site built earlier (its ``.gapwatch-site`` marker lists every
file it holds); a folder with anything else in it, or one that holds the warehouse, is refused
before any work is done (:mod:`gapwatch.files.folders`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from gapwatch.config import Config

if TYPE_CHECKING:
    from rich.status import Status

    from gapwatch.privacy.door import OnRound


class PublishRefused(RuntimeError):
    """The built site failed the disclosure audit; nothing was published."""


def publish_site(db: Path, out: Path, config: Config, *, console: Console | None = None,
                 pdf: bool | None = None) -> str:
    """Build, audit and publish the site for ``db`` at ``out``; return a one-line summary.
    ``pdf``: print the school PDFs (``None``: when Chromium is installed)."""
    from gapwatch.files import check_replaceable, replace_folder
    from gapwatch.indicators.methods_used import read_methods, write_methods
    from gapwatch.privacy import Policy, audit_disclosure, publish, write_published
    from gapwatch.privacy.door import CannotProtect
    from gapwatch.report import build_site
    from gapwatch.report.page_names import PageNameCollision, page_names
    from gapwatch.warehouse import connect

    policy = Policy.from_config(config)
    out = out.resolve()
    check_replaceable(out, "site", warehouse=db)  # before minutes of work, and again at the end
    con = connect(db)
    try:  # two schools on one page stop the report before the door's minutes of work
        page_names(str(r[0]) for r in con.execute("SELECT DISTINCT school_id FROM schools "
                                                  "ORDER BY 1").fetchall())
    except PageNameCollision:
        con.close()
        raise
    say = console.print if console is not None else (lambda *_: None)
    start = time.perf_counter()
    try:
        with (console.status("privacy door: suppression and complementary suppression")
              if console is not None else nullcontext()) as status:
            published = publish(con, policy, reference_group=config["gaps.reference_group"] or "WH",
                                on_round=_door_progress(status, start))
        methods = read_methods(con)
    except CannotProtect as err:
        raise PublishRefused(f"{err}; nothing was published at {out}") from err
    finally:
        con.close()
    statuses = published.indicators.column("status").to_pylist()
    say(f"privacy door: {len(statuses):,} cells, {statuses.count('primary'):,} primary and "
        f"{statuses.count('complementary'):,} complementary suppressions in {published.rounds} "
        f"rounds ({time.perf_counter() - start:.0f} s)")
    with replace_folder(out, "site", public=True, warehouse=db) as staging:
        write_published(published, staging)
        write_methods(methods, staging / "data")
        with _pages_bar(console) as on_page:
            summary = build_site(staging / "data", staging,
                                 district_name=config["district.name"] or None, on_page=on_page,
                                 workers=min(4, os.cpu_count() or 1), pdf=pdf)
        start = time.perf_counter()
        audit = audit_disclosure(staging, policy.k)
        say(f"disclosure audit: {time.perf_counter() - start:.0f} s")
        if console is not None:
            console.print(audit.render())
        if not audit.passed:
            raise PublishRefused(f"the site failed the disclosure audit ({len(audit.problems)} "
                                 f"problems); nothing was published at {out}")
    return f"Published {summary} at {out} (disclosure audit passed). Open {out / 'index.html'}"


def _door_progress(status: Status | None, start: float) -> OnRound | None:
    """The door's rounds on the console's status line (a big district's door takes minutes)."""
    if status is None:
        return None

    def on_round(done: int, short: int, hidden: int) -> None:
        status.update(f"privacy door: complementary suppression, round {done} "
                      f"({time.perf_counter() - start:.0f} s): {short:,} suppressed counts "
                      f"still recoverable, {hidden:,} more cells hidden to protect them")

    return on_round


@contextmanager
def _pages_bar(console: Console | None) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over the site's pages (and their PDFs), or nothing without a console."""
    if console is None:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress("building the site", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        task = bar.add_task("pages", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
