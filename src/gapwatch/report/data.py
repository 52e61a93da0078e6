"""Read the published files of the privacy door (``SITE/data/``) and nothing else.

The site never sees warehouse tables: every number on a page comes from ``indicators.csv``,
``gaps.csv``, ``dashboard.csv``, ``goals.csv`` (optional), the optional ``resources_*.csv``
(:mod:`gapwatch.privacy.resources`) and ``disclosure.json``, in the
format of the shared spec (docs: /work/tmp/privacy-spec.md, "Published data folder").
Empty CSV fields are ``None``; a suppressed cell keeps only the door's ``shown`` text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gapwatch.files import read_rows

PUBLISHED = "published"
SUPPRESSED = frozenset({"primary", "complementary"})
CODED = frozenset({"top_coded", "bottom_coded"})


def _num(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(float(text)) if text else None


def _year(text: str) -> int:
    return int(str(text).strip())


def _flag(text: str | None) -> bool:
    return (text or "").strip().lower() in {"true", "1", "yes", "t"}


@dataclass(frozen=True)
class Cell:
    """One row of ``indicators.csv``: an indicator for one group, entity and year."""

    school_year: int
    entity_type: str
    entity_id: str
    entity_name: str
    indicator: str
    indicator_name: str
    kind: str
    student_group: str
    group_name: str
    n: int | None
    percent: float | None
    value: float | None
    shown: str
    status: str

    @property
    def number(self) -> float | None:
        """The published value in the indicator's units (percent for rates), else None."""
        if self.status != PUBLISHED:
            return None
        return self.percent if self.kind == "rate" else self.value

    @property
    def suppressed(self) -> bool:
        return self.status in SUPPRESSED


@dataclass(frozen=True)
class Gap:
    """One row of ``gaps.csv`` (``pp_difference`` or ``mean_difference``)."""

    school_year: int
    entity_type: str
    entity_id: str
    indicator: str
    student_group: str
    reference: str
    metric: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    flagged: bool


@dataclass(frozen=True)
class DashboardRow:
    """One row of ``dashboard.csv``."""

    school_year: int
    entity_type: str
    entity_id: str
    indicator: str
    student_group: str
    status: float | None
    change: float | None
    status_level: str
    change_level: str
    color: str


@dataclass(frozen=True)
class Goal:
    """One row of ``goals.csv``."""

    goal_id: str
    goal_name: str
    entity_type: str
    entity_id: str
    entity_name: str
    student_group: str
    reference_group: str
    school_year: int
    value: float | None
    target_value: float | None
    interim_target: float | None
    status: str


@dataclass
class Published:
    """Everything the door published, as read from ``SITE/data/``."""

    cells: list[Cell]
    gaps: list[Gap]
    dashboard: list[DashboardRow]
    goals: list[Goal]
    disclosure: dict = field(default_factory=dict)
    #: ``resources_*.csv`` by file stem: rows with numbers parsed (empty: None)
    resources: dict[str, list[dict]] = field(default_factory=dict)
    #: ``methods.json``: the run's method choices (gapwatch.indicators.methods_used)
    methods: dict = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted({c.school_year for c in self.cells})

    def entities(self, entity_type: str) -> list[tuple[str, str]]:
        """``(entity_id, entity_name)`` of one type, in name order."""
        seen = {(c.entity_id, c.entity_name) for c in self.cells if c.entity_type == entity_type}
        return sorted(seen, key=lambda e: (e[1].casefold(), e[0]))

    def indicators(self) -> list[tuple[str, str, str]]:
        """``(indicator, indicator_name, kind)`` in the order of first appearance."""
        out: dict[str, tuple[str, str, str]] = {}
        for c in self.cells:
            out.setdefault(c.indicator, (c.indicator, c.indicator_name, c.kind))
        return list(out.values())


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows of a published CSV, text cells as they were before the door neutralised them
    against spreadsheet formulas (:func:`gapwatch.files.read_rows`)."""
    if not path.exists():
        return []
    return read_rows(path)


def load(data_dir: Path) -> Published:
    """Read the published folder. ``indicators.csv`` is required; the rest may be absent."""
    data_dir = Path(data_dir)
    if not (data_dir / "indicators.csv").exists():
        raise FileNotFoundError(f"{data_dir / 'indicators.csv'} not found: build_site reads the "
                                "privacy door's published folder (SITE/data/)")
    cells = [
        Cell(_year(r["school_year"]), r["entity_type"], r["entity_id"], r["entity_name"],
             r["indicator"], r["indicator_name"], r["kind"], r["student_group"], r["group_name"],
             _int(r["n"]), _num(r["percent"]), _num(r["value"]), r["shown"], r["status"])
        for r in _rows(data_dir / "indicators.csv")
    ]
    gaps = [
        Gap(_year(r["school_year"]), r["entity_type"], r["entity_id"], r["indicator"],
            r["student_group"], r["reference"], r["metric"], _num(r["value"]),
            _num(r.get("ci_low")), _num(r.get("ci_high")), _flag(r.get("flagged")))
        for r in _rows(data_dir / "gaps.csv")
    ]
    dashboard = [
        DashboardRow(_year(r["school_year"]), r["entity_type"], r["entity_id"], r["indicator"],
                     r["student_group"], _num(r["status"]), _num(r["change"]),
                     r["status_level"].strip(), r["change_level"].strip(), r["color"].strip())
        for r in _rows(data_dir / "dashboard.csv")
    ]
    goals = [
        Goal(r["goal_id"], r["goal_name"], r["entity_type"], r["entity_id"], r["entity_name"],
             r["student_group"], r.get("reference_group", ""), _year(r["school_year"]),
             _num(r["value"]), _num(r["target_value"]), _num(r["interim_target"]),
             r["status"].strip())
        for r in _rows(data_dir / "goals.csv")
    ]
    disclosure_path = data_dir / "disclosure.json"
    disclosure = json.loads(disclosure_path.read_text("utf-8")) if disclosure_path.exists() else {}
    resources = {path.stem: [_parsed(r) for r in _rows(path)]
                 for path in sorted(data_dir.glob("resources_*.csv"))}
    methods_path = data_dir / "methods.json"
    methods = json.loads(methods_path.read_text("utf-8")) if methods_path.exists() else {}
    return Published(cells, gaps, dashboard, goals, disclosure, resources, methods)


_TEXT_COLUMNS = {"school_id", "school_name", "band", "measure", "status", "unit", "high_band",
                 "low_band", "progressive"}


def _parsed(row: dict[str, str]) -> dict:
    """A resources row: text columns as text, ``school_year`` and counts as int, flags as bool,
    the rest as float; empty fields None."""
    out: dict = {}
    for k, v in row.items():
        if k in _TEXT_COLUMNS:
            out[k] = v
        elif k == "beyond_noise":
            out[k] = _flag(v) if v else None
        elif k in {"school_year", "schools", "enrollment", "n"}:
            out[k] = _int(v)
        else:
            out[k] = _num(v)
    return out
