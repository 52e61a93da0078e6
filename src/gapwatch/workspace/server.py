"""``gapwatch serve``: migrate the application database and serve the workspace with gunicorn.

For production put a TLS-terminating proxy in front and use the production settings
(docs/workspace.md); ``gapwatch serve`` binds to 127.0.0.1 by default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from rich.console import Console


def prepare(db: Path, console: Console) -> str:
    """Point the workspace at warehouse ``db``, make sure of a secret key shared by every worker,
    configure Django and apply migrations; return the application database in words."""
    from gapwatch.warehouse import WarehouseMissing

    if not db.is_file():
        raise WarehouseMissing(f"no warehouse at {db}: run `gapwatch ingest` first")
    if not os.environ.get("GAPWATCH_SECRET_KEY"):
        os.environ["GAPWATCH_SECRET_KEY"] = secrets.token_urlsafe(50)
        console.print("[yellow]GAPWATCH_SECRET_KEY is not set: using a random key for this run "
                      "(sessions end when the server stops).")
    from gapwatch.workspace import setup

    setup(db)
    from django.conf import settings
    from django.core.management import call_command

    from gapwatch.workspace.env import describe

    call_command("migrate", interactive=False, verbosity=0)
    return describe(settings.DATABASES["default"])


def _warm_worker(worker: object) -> None:
    """Start preparing the warehouse in each worker as it starts (requests wait for it; the
    worker keeps reporting to gunicorn meanwhile)."""
    from django.conf import settings

    from gapwatch.workspace.warehouse import served

    served(settings.WAREHOUSE).ready()


def serve(db: Path, host: str, port: int, workers: int, threads: int, console: Console) -> None:
    """Serve until interrupted (gunicorn, ``workers`` processes of ``threads`` threads)."""
    from gunicorn.app.base import BaseApplication

    where = prepare(db, console)

    class Workspace(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": f"{host}:{port}", "workers": workers,
                               "threads": threads, "worker_class": "gthread",
                               "accesslog": None, "errorlog": "-", "loglevel": "warning",
                               "timeout": 60, "post_worker_init": _warm_worker}.items():
                self.cfg.set(key, value)

        def load(self):
            from gapwatch.workspace.wsgi import application

            return application

    console.print(f"Staff workspace on [bold]http://{host}:{port}/[/] (warehouse {db}, "
                  f"application database: {where}). Ctrl-C stops.")
    Workspace().run()
