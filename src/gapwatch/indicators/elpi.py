"""The English Learner Progress Indicator's six levels, as data and as SQL (METHODS.md 6.3).

Summative ELPAC results are placed on the six ELPI levels 1, 2L, 2H, 3L, 3H, 4 (coded 1-6 in
``elpi_level``): ELPAC levels 1 and 4 as they are, levels 2 and 3 split into Low and High by
scale score. The thresholds, the split scores and the Alternate ELPAC rule live in a versioned
reference file, ``elpi_levels/<version>.toml``, each part marked verified or not; a district
replaces it with ``indicators.elpi_levels_file`` (:func:`load_reference`).

A student progresses when the ELPI level rose, or stayed at level 4. The Summative Alternate
ELPAC counts from the 2023 Dashboard: its own levels, compared year to year on the same test.
Students reclassified after taking that year's test still count (``elpi_el``).

The SQL that picks each student's test and the student-year columns over it are model files
(``gapwatch/models/elpac_pick.sql``, ``student_year.sql``); they read this reference.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gapwatch.config import Config

#: ELPI level names by code (``elpi_level``).
ELPI_LEVELS = {1: "1", 2: "2L", 3: "2H", 4: "3L", 5: "3H", 6: "4"}
#: The shipped reference version.
SHIPPED_VERSION = "2019"


@dataclass(frozen=True)
class ElpiReference:
    """One ``elpi_levels`` file: ELPAC thresholds, split scores and the Alternate ELPAC rule."""

    version: str
    source: str
    path: str
    thresholds: dict[int, tuple[int, int, int]]  #: grade -> lowest score of levels 2, 3, 4
    splits: dict[int, tuple[int, int]]  #: grade -> lowest score of 2H and of 3H
    split_rule: str  #: "given" (from the file) or "midpoint"
    alternate_from: int  #: first Dashboard year counting the Summative Alternate ELPAC
    alternate_top_level: int
    verified: dict[str, bool]  #: rules, thresholds, splits, alternate

    def split_scores(self, grade: int) -> tuple[int, int] | None:
        """Lowest scale score of 2H and of 3H at ``grade`` (None without thresholds).

        >>> load_reference().split_scores(3)  # midpoints of 1448-1487 and 1488-1534
        (1468, 1512)
        """
        if grade in self.splits:
            return self.splits[grade]
        if grade not in self.thresholds:
            return None
        l2, l3, l4 = self.thresholds[grade]
        return math.ceil((l2 + l3) / 2), math.ceil((l3 + l4) / 2)

    def level(self, grade: int, score: float, performance_level: int | None = None) -> int | None:
        """ELPI level code 1-6 of a Summative ELPAC result (None when it cannot be placed).

        >>> r = load_reference()
        >>> [ELPI_LEVELS[r.level(3, s)] for s in (1447, 1448, 1468, 1488, 1512, 1535)]
        ['1', '2L', '2H', '3L', '3H', '4']
        """
        if grade not in self.thresholds:
            return None
        l2, l3, l4 = self.thresholds[grade]
        level = performance_level or 1 + (score >= l2) + (score >= l3) + (score >= l4)
        split2, split3 = self.split_scores(grade)  # type: ignore[misc]
        return {1: 1, 2: 2 + (score >= split2), 3: 4 + (score >= split3), 4: 6}.get(level)

    def level_sql(self, grade: str, score: str, plevel: str) -> str:
        """SQL: the ELPI level code of an ELPAC score (columns ``grade``, ``score``, ``plevel``)."""
        def by_grade(values: dict[int, int]) -> str:
            whens = " ".join(f"WHEN {g} THEN {v}" for g, v in sorted(values.items()))
            return f"CASE {grade} {whens} END"
        l2, l3, l4 = (by_grade({g: t[i] for g, t in self.thresholds.items()}) for i in range(3))
        splits = {g: self.split_scores(g) for g in self.thresholds}
        s2 = by_grade({g: s[0] for g, s in splits.items() if s})
        s3 = by_grade({g: s[1] for g, s in splits.items() if s})
        level = (f"coalesce({plevel}, CASE WHEN {score} >= {l4} THEN 4 WHEN {score} >= {l3} "
                 f"THEN 3 WHEN {score} >= {l2} THEN 2 WHEN {l2} IS NOT NULL THEN 1 END)")
        return (f"CASE WHEN {l2} IS NULL THEN NULL ELSE CASE {level} WHEN 1 THEN 1 "
                f"WHEN 2 THEN CASE WHEN {score} >= {s2} THEN 3 ELSE 2 END "
                f"WHEN 3 THEN CASE WHEN {score} >= {s3} THEN 5 ELSE 4 END WHEN 4 THEN 6 END END")


def _grades(table: dict, size: int, where: str) -> dict[int, tuple[int, ...]]:
    out = {}
    for key, values in table.items():
        grade = int(key)
        if not -1 <= grade <= 12 or len(values) != size or list(values) != sorted(values):
            raise ValueError(f"{where}: grade {key}: need {size} increasing scale scores, got "
                             f"{values}")
        out[grade] = tuple(int(v) for v in values)
    return out


def load_reference(path: Path | None = None) -> ElpiReference:
    """The shipped reference file, or the district's file at ``path``."""
    if path is None:
        return _shipped()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{path}: ELPI levels file not found") from None
    return _parse(text, str(path))


@cache
def _shipped() -> ElpiReference:
    resource = files("gapwatch.indicators") / "elpi_levels" / f"{SHIPPED_VERSION}.toml"
    return _parse(resource.read_text(encoding="utf-8"), f"elpi_levels/{SHIPPED_VERSION}.toml")


def _parse(text: str, where: str) -> ElpiReference:
    try:
        d = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"{where}: not a valid TOML file: {err}") from None
    try:
        thresholds = _grades(d["thresholds"], 3, where)
        splits = _grades(d.get("splits", {}), 2, where)
        for g, (s2, s3) in splits.items():
            if g not in thresholds:
                raise ValueError(f"{where}: grade {g} has split scores but no thresholds")
            l2, l3, l4 = thresholds[g]
            if not (l2 < s2 <= l3 < s3 <= l4):
                raise ValueError(f"{where}: grade {g}: split scores {s2}, {s3} must lie inside "
                                 "levels 2 and 3")
        rule = "given" if splits else d["split_rule"]
        if rule not in ("given", "midpoint"):
            raise ValueError(f"{where}: split_rule must be 'midpoint' (or give [splits])")
        return ElpiReference(
            version=str(d["version"]), source=d["source"], path=where, thresholds=thresholds,
            splits=splits, split_rule=rule, alternate_from=int(d["alternate_from"]),
            alternate_top_level=int(d["alternate_top_level"]),
            verified={"rules": bool(d["rules_verified"]),
                      "thresholds": bool(d["thresholds_verified"]),
                      "splits": bool(d["splits_verified"]),
                      "alternate": bool(d["alternate_verified"])})
    except KeyError as err:
        raise ValueError(f"{where}: missing {err.args[0]!r}") from None


def reference_from_config(config: Config) -> ElpiReference:
    """The ELPI reference: the district's file (``indicators.elpi_levels_file``) or the
    shipped one; a bad file is a ConfigError naming the setting."""
    from gapwatch.config import ConfigError

    path = config["indicators.elpi_levels_file"]
    if not path:
        return load_reference()
    file = Path(path)
    if config.path is not None and not file.is_absolute():
        file = config.path.parent / file
    try:
        return load_reference(file)
    except ValueError as err:
        raise ConfigError(f"{config.where('indicators.elpi_levels_file')}: {err}") from None
