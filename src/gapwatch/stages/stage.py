"""What a stage is: its name, what it needs, what it produces, for whom, and how it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import duckdb

from gapwatch.config import Config


class Audience(StrEnum):
    """Who may read a stage's tables."""

    PUBLIC = "public"  #: aggregates that reach the public site, only through the privacy door
    STAFF = "staff"  #: district staff only (owner-only exports), never published
    CONFIDENTIAL = "confidential"  #: student-level: staff who serve these students, never public


@dataclass
class Context:
    """What the stages of one run share: the open warehouse, the config, progress text, and
    what each stage has done so far."""

    con: duckdb.DuckDBPyConnection
    config: Config
    step: Callable[[str], None] = lambda _: None
    engine: str = "duckdb"  #: indicators: duckdb or spark
    school_year: int | None = None  #: early warning: the year flagged (default the latest)
    outcomes: list[Outcome] = field(default_factory=list)
    #: what a stage hands back to its command (the indicators' RunSummary, the early warning)
    outputs: dict[str, object] = field(default_factory=dict)
    planned: frozenset[str] = frozenset()  #: tables the stages of this run produce

    def has(self, table: str) -> bool:
        """Whether ``table`` is there to read: a contract table the bundle gave, a table a stage
        of this run stored, or (when no stage of this run makes it) a table the warehouse
        holds."""
        from gapwatch.contract.tables import TABLES
        from gapwatch.warehouse import Warehouse, tables_present

        if table in {t.name for t in TABLES}:
            return table in tables_present(self.con)
        stored = Warehouse(self.con).has(table)
        if table in self.planned:
            return stored and any(o.ran and table in o.stage.produces for o in self.outcomes)
        return stored

    def missing(self, stage: Stage) -> list[str]:
        """The tables ``stage`` needs that are not there."""
        return [t for t in stage.needs if not self.has(t)]


@dataclass(frozen=True)
class Stage:
    """One step of a run, declared: the runner checks ``needs``, runs ``run``, records it."""

    name: str
    description: str  #: shown as progress while it runs
    needs: tuple[str, ...]  #: tables it cannot run without (contract inputs or earlier products)
    produces: tuple[str, ...]  #: tables it writes (replacing earlier runs)
    audience: Audience
    run: Callable[[Context], dict[str, int]] = field(repr=False)  #: returns rows stored
    uses: tuple[str, ...] = ()  #: earlier stages' tables it reads when present
    internal: tuple[str, ...] = ()  #: of ``produces``: for later stages and the site, not exported
    aggregates: tuple[str, ...] = ()  #: of ``produces``: for staff in a confidential stage
    part_of: str | None = None  #: the larger stage it belongs to, as ``run_status`` names it
    on_demand: bool = False  #: run by its own command only, not by ``gapwatch run``

    def audience_of(self, table: str) -> Audience:
        """The audience of one of the tables the stage produces."""
        return Audience.STAFF if table in self.aggregates else self.audience


@dataclass(frozen=True)
class Outcome:
    """What one stage did in a run: rows stored per table, or why it was skipped."""

    stage: Stage
    counts: dict[str, int]
    skipped: str | None = None  #: the reason, e.g. ``needs staff``
    seconds: float = 0.0  #: wall time the stage took

    @property
    def ran(self) -> bool:
        return self.skipped is None
