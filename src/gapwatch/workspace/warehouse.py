"""The warehouse as the workspace reads it: read-only, one consistent generation per request.

The nightly ``gapwatch ingest`` / ``run`` / ``early-warning`` never write the served file in
place: each builds a new file beside it and renames it over the old one
(:func:`gapwatch.warehouse.rebuilding`). The workspace notices the new file by its identity
(device, inode, modification time, size), attaches it read-only in a fresh in-memory DuckDB
instance, and gives every request a cursor on one generation for the whole request. A request
that started on the old file finishes on it (its inode stays readable until closed): no page
mixes old and new data, and the writers never meet a lock held by the workspace.

A new generation is *prepared* before it is served (the roster, :func:`gapwatch.workspace.
roster.warm`, and one row per student with every panel of the profile, :func:`gapwatch.
workspace.students.profile.prepare`): the first generation when the server starts
(or on the first request), every later one in a background thread while requests go on being
answered from the previous generation. A request that meets a preparation waits for it a few
seconds at most (``GAPWATCH_FRESH_WAIT``, default 5): a small district's pages show the new data
at once, a large district's go on from the old generation until the new one is ready.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from gapwatch.sql import sql_string
from gapwatch.warehouse import Warehouse as Catalog
from gapwatch.warehouse import WarehouseMissing, session_config

Identity = tuple[int, int, int, int]
log = logging.getLogger(__name__)


def identity(path: Path) -> Identity:
    """What changes when the file is replaced or rewritten."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise WarehouseMissing(f"no warehouse at {path}: run `gapwatch ingest` first") from None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class Generation:
    """One version of the warehouse file, attached read-only."""

    path: Path
    identity: Identity
    con: duckdb.DuckDBPyConnection
    tables: frozenset[str]
    columns: dict[str, frozenset[str]]
    facts: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, path: Path) -> Generation:
        while True:
            before = identity(path)
            con = duckdb.connect(":memory:", config=session_config(threads="2"))
            con.execute(f"ATTACH {sql_string(str(path))} AS warehouse (READ_ONLY)")
            con.execute("USE warehouse")
            if identity(path) == before:  # not swapped while attaching
                columns = Catalog(con).table_columns()  # of the attached file (USE warehouse)
                return cls(path, before, con, frozenset(columns),
                           {t: frozenset(c) for t, c in columns.items()})
            con.close()


def _used(sql: str, params: list | dict | None) -> list | dict:
    if isinstance(params, dict):
        return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
    return params or []


class Snapshot:
    """A request's view of one generation: a cursor and the generation's facts."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self.cursor = generation.con.cursor()
        self.cursor.execute("USE warehouse")

    @property
    def tables(self) -> frozenset[str]:
        return self.generation.tables

    def has(self, *names: str) -> bool:
        return all(n in self.generation.tables for n in names)

    def has_column(self, table: str, column: str) -> bool:
        return column in self.generation.columns.get(table, ())

    def rows(self, sql: str, params: list | dict | None = None) -> list[dict[str, Any]]:
        """The result as dicts (named parameters the query does not use are left out)."""
        result = self.cursor.execute(sql, _used(sql, params))
        cols = [d[0] for d in result.description]
        return [dict(zip(cols, r, strict=True)) for r in result.fetchall()]

    def value(self, sql: str, params: list | dict | None = None) -> Any:
        row = self.cursor.execute(sql, _used(sql, params)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.cursor.close()


class Warehouse:
    """The served warehouse file; :meth:`snapshot` moves to a new generation after a swap, once
    ``prepare`` (run on a snapshot of it) has made it ready."""

    def __init__(self, path: Path, prepare: Callable[[Snapshot], None] | None = None) -> None:
        self.path = Path(path)
        self.prepare = prepare
        self._lock = threading.Lock()
        self._current: Generation | None = None
        self._preparing: Identity | None = None
        self._prepared = threading.Event()  # set when the preparation under way ends
        self.fresh_wait = float(os.environ.get("GAPWATCH_FRESH_WAIT") or 5)

    def _ready(self) -> Generation:
        """A generation of the file as it is now, opened and prepared."""
        generation = Generation.open(self.path)
        if self.prepare is not None:
            snap = Snapshot(generation)
            try:
                self.prepare(snap)
            finally:
                snap.close()
        # prepared: from now on each request's queries are point lookups and small scans, run
        # side by side by the server's threads; one DuckDB thread each contends least
        generation.con.execute("SET threads = 1")
        return generation

    def _prepare_in_background(self, now: Identity) -> None:
        done = threading.Event()

        def run() -> None:
            try:
                generation = self._ready()
            except Exception:  # noqa: BLE001 - the old generation keeps serving; retried later
                log.exception("could not prepare the new warehouse %s", self.path)
                generation = None
            with self._lock:
                if generation is not None:
                    self._current = generation
                self._preparing = None
                done.set()

        self._preparing, self._prepared = now, done
        threading.Thread(target=run, name="gapwatch-warehouse-prepare", daemon=True).start()

    def _wait(self, first_without_limit: bool) -> None:
        """Start preparing the file as it is now if it is not the current generation, and
        wait for a preparation under way (without limit while nothing is ready to serve)."""
        now = identity(self.path)
        with self._lock:
            if self._preparing is None and (self._current is None
                                            or self._current.identity != now):
                self._prepare_in_background(now)
            waiting = self._prepared if self._preparing is not None else None
            limit = None if self._current is None and first_without_limit else self.fresh_wait
        if waiting is not None:
            waiting.wait(limit)

    def snapshot(self) -> Snapshot:
        """A snapshot of the newest prepared generation (the first one is waited for)."""
        self._wait(first_without_limit=True)
        with self._lock:
            if self._current is None:  # the preparation failed: again here, to raise
                self._current = self._ready()
            return Snapshot(self._current)

    def ready(self) -> bool:
        """Whether a prepared generation can be served (waits ``fresh_wait`` at most)."""
        self._wait(first_without_limit=False)
        return self._current is not None


_served: dict[Path, Warehouse] = {}
_served_lock = threading.Lock()


def _warm(snap: Snapshot) -> None:
    from gapwatch.workspace.roster import warm
    from gapwatch.workspace.students.profile import prepare

    warm(snap)
    prepare(snap)


def served(path: Path) -> Warehouse:
    """The process-wide :class:`Warehouse` of ``path``, prepared for the workspace's pages."""
    key = Path(path).resolve()
    with _served_lock:
        return _served.setdefault(key, Warehouse(key, prepare=_warm))
