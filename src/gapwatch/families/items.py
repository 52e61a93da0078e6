"""The survey item map (``survey_items.toml``): items, their scales and favourable answers.

The map is data: a district with another survey (or other item codes) points
``families.survey_items_file`` at its own copy. Loading checks it and names the file and the
item or scale at fault.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gapwatch.config import Config

from gapwatch.contract import CODE_SETS

SHIPPED = Path(__file__).with_name("survey_items.toml")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")


class ItemMapError(ValueError):
    """The item map file is not usable (the message names the file and the entry)."""


@dataclass(frozen=True)
class ResponseScale:
    code: str
    points: int
    labels: tuple[str, ...]
    favourable_min: float


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    respondents: tuple[str, ...]

    @property
    def indicator_id(self) -> str:
        return f"climate_{self.code.lower()}"


@dataclass(frozen=True)
class Item:
    code: str
    scale: str
    response_scale: str
    text: str
    reverse: bool = False


@dataclass(frozen=True)
class ItemMap:
    name: str
    path: Path
    response_scales: dict[str, ResponseScale]
    scales: dict[str, Scale]
    items: dict[str, Item]

    def items_of(self, scale: str) -> list[Item]:
        return [i for i in self.items.values() if i.scale == scale]

    def student_scales(self) -> list[Scale]:
        return [s for s in self.scales.values() if "STUDENT" in s.respondents]


def _need(entry: dict, key: str, where: str, path: Path) -> object:
    if key not in entry:
        raise ItemMapError(f"{path}: {where} has no `{key}`")
    return entry[key]


def load_items(path: str | Path | None = None) -> ItemMap:
    """The item map at ``path`` (the shipped one by default), checked."""
    return _load(Path(path) if path else SHIPPED)


@cache
def _load(path: Path) -> ItemMap:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ItemMapError(f"{path}: cannot read the survey item map: {exc}") from None
    rs = {}
    for code, e in raw.get("response_scales", {}).items():
        where = f"response scale {code}"
        points = int(_need(e, "points", where, path))  # type: ignore[arg-type]
        labels = tuple(_need(e, "labels", where, path))  # type: ignore[arg-type]
        fav = float(_need(e, "favourable_min", where, path))  # type: ignore[arg-type]
        if len(labels) != points or not 1 <= fav <= points:
            raise ItemMapError(f"{path}: {where}: needs {points} labels and favourable_min "
                               f"between 1 and {points}")
        rs[code] = ResponseScale(code, points, labels, fav)
    scales = {}
    for code, e in raw.get("scales", {}).items():
        who = tuple(e.get("respondents", ()))
        bad = [w for w in who if w not in CODE_SETS["respondent_type"]]
        if not _CODE.match(code) or bad or not who:
            raise ItemMapError(f"{path}: scale {code}: the code must be upper case and "
                               f"respondents one or more of STUDENT, PARENT, STAFF (got "
                               f"{list(who)})")
        scales[code] = Scale(code, str(_need(e, "name", f"scale {code}", path)), who)
    items = {}
    for k, e in enumerate(raw.get("items", []), start=1):
        where = f"item {k} ({e.get('code', '?')})"
        item = Item(str(_need(e, "code", where, path)), str(_need(e, "scale", where, path)),
                    str(_need(e, "response_scale", where, path)),
                    str(_need(e, "text", where, path)), bool(e.get("reverse", False)))
        if item.scale not in scales:
            raise ItemMapError(f"{path}: {where}: unknown scale {item.scale!r}")
        if item.response_scale not in rs:
            raise ItemMapError(f"{path}: {where}: unknown response scale {item.response_scale!r}")
        if item.code in items:
            raise ItemMapError(f"{path}: {where}: item code {item.code!r} appears twice")
        items[item.code] = item
    empty = [s for s in scales if not any(i.scale == s for i in items.values())]
    if empty:
        raise ItemMapError(f"{path}: scale {empty[0]} has no items")
    return ItemMap(str(raw.get("name", path.stem)), path, rs, scales, items)


def survey_items(config: Config | None) -> ItemMap:
    """The item map named by ``families.survey_items_file`` (the shipped one when empty); a
    bad file is a ConfigError naming the setting."""
    from gapwatch.config import ConfigError

    path = config["families.survey_items_file"] if config is not None else ""
    if not path:
        return load_items()
    file = Path(path)
    if config is not None and config.path is not None and not file.is_absolute():
        file = config.path.parent / file
    try:
        return load_items(file)
    except ItemMapError as err:
        where = config.where("families.survey_items_file") if config is not None else ""
        raise ConfigError(f"{where}: {err}") from None
