"""Languages families read: names and codes in the data -> a letter catalogue code.

``languages.toml`` lists each language with the spellings districts use (``Spanish``,
``Español``, ``es``). :func:`language_code` maps a spelling to its code (``None`` when the
language is not listed); :func:`letter_language` says which catalogue a letter uses.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gapwatch.sql import sql_string

FILE = Path(__file__).with_name("languages.toml")


@dataclass(frozen=True)
class Language:
    code: str  #: ISO 639-1
    name: str  #: English name
    spellings: tuple[str, ...]
    translated: bool  #: the letter catalogue is fully translated
    note: str  #: for untranslated languages: "this letter is in English" in the language

    @property
    def group(self) -> str:
        """The home-language student group code (``HL_ES``)."""
        return f"HL_{self.code.upper()}"


@cache
def languages() -> dict[str, Language]:
    raw = tomllib.loads(FILE.read_text(encoding="utf-8"))["languages"]
    return {code: Language(code, e["name"], tuple(sorted({code, *e.get("names", ())})),
                           bool(e.get("translated", False)), e.get("note", ""))
            for code, e in raw.items()}


@cache
def _lookup() -> dict[str, str]:
    return {s.casefold(): lang.code for lang in languages().values() for s in lang.spellings}


def language_code(text: str | None) -> str | None:
    """``"Spanish"``, ``"español"``, ``"es"`` -> ``"es"``; unknown or empty -> None."""
    if not text:
        return None
    return _lookup().get(text.strip().casefold())


def letter_language(text: str | None, default: str = "en") -> tuple[str, Language | None]:
    """(catalogue code, the family's language when it has no catalogue yet).

    A translated language gets its own catalogue; a listed but untranslated one, or one not
    listed at all, gets English (the second value says which note to add)."""
    code = language_code(text)
    if code is None:
        return default, None
    lang = languages()[code]
    return (code, None) if lang.translated else ("en", lang)


def home_language_sql(column: str) -> str:
    """SQL: the language code of ``column`` (a language name or code), NULL when unlisted."""
    whens = " ".join(f"WHEN {sql_string(s.casefold())} THEN {sql_string(code)}"
                     for s, code in sorted(_lookup().items()))
    return f"CASE lower(trim({column})) {whens} END"
