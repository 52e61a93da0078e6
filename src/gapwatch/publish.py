"""``gapwatch report``: the public site, built through the privacy door and audited before it
is published.

1. The privacy door (:mod:`gapwatch.privacy`) turns the warehouse's result tables into the
   published tables (suppressed, coded) and writes them with ``disclosure.json``; the method
   choices of the run (``methods_used``: settings, no student data) go beside them as
   ``methods.json``;
2. the site (:mod:`gapwatch.report`) is rendered from those files alone;
3. the disclosure audit reads the finished site's files and must pass;
4. only then does the site replace ``out`` (built beside it, then renamed), so a failing or
   half-built site is never published.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from rich.console import Console

from gapwatch.config import Config


class PublishRefused(RuntimeError):
    """The built site failed the disclosure audit; nothing was published."""


def publish_site(db: Path, out: Path, config: Config, *, console: Console | None = None,
                 pdf: bool | None = None) -> str:
    """Build, audit and publish the site for ``db`` at ``out``; return a one-line summary.

    ``pdf``: print school pages to PDF (None: when Chromium is installed)."""
    from gapwatch.indicators.methods_used import read_methods, write_methods
    from gapwatch.privacy import Policy, audit_disclosure, publish, write_published
    from gapwatch.report import build_site
    from gapwatch.warehouse import connect

    policy = Policy.from_config(config)
    con = connect(db)
    say = console.print if console is not None else (lambda *_: None)
    start = time.perf_counter()
    try:
        with (console.status("privacy door: suppression and complementary suppression")
              if console is not None else nullcontext()):
            published = publish(con, policy, reference_group=config["gaps.reference_group"] or "WH")
        methods = read_methods(con)
    finally:
        con.close()
    statuses = published.indicators.column("status").to_pylist()
    say(f"privacy door: {len(statuses):,} cells, {statuses.count('primary'):,} primary and "
        f"{statuses.count('complementary'):,} complementary suppressions in {published.rounds} "
        f"rounds ({time.perf_counter() - start:.0f} s)")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
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
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return f"Published {summary} at {out} (disclosure audit passed). Open {out / 'index.html'}"


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
