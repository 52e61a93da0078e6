"""File names of the school pages: one page per school id, never two ids on one page.

An id made only of ASCII letters, digits and hyphens (the usual case: ``0025``, ``S1``) is its
own page name. Any other character, and ``_`` itself, is written as ``_`` and two hex digits
per UTF-8 byte: ``A/1`` -> ``A_2F1``, ``A-1`` -> ``A-1``, ``A_1`` -> ``A_5F1``. Reading left to
right, ``_`` always opens an escape, so the name gives the id back: two different ids never get
the same name. The empty id is ``_``, which no other id produces.

On a case-insensitive file system (macOS, Windows, many web hosts' storage) ``A1.html`` and
``a1.html`` are one file, so :func:`page_names` refuses ids that differ only in letter case,
naming both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_KEPT = re.compile(r"[A-Za-z0-9-]")


class PageNameCollision(ValueError):
    """Two school ids would be published on the same page."""


def page_name(school_id: str) -> str:
    """The page name (without ``.html`` or ``.pdf``) of one school id."""
    if not school_id:
        return "_"
    return "".join(ch if _KEPT.fullmatch(ch) else "".join(f"_{b:02X}" for b in ch.encode())
                   for ch in school_id)


def page_names(school_ids: Iterable[str]) -> dict[str, str]:
    """``{school_id: page name}``; :class:`PageNameCollision` when two ids would share a page
    on a case-insensitive file system."""
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for sid in school_ids:
        name = page_name(sid)
        other = seen.setdefault(name.casefold(), sid)
        if other != sid:
            raise PageNameCollision(
                f"school ids {other!r} and {sid!r} differ only in letter case, so they would "
                f"share the page {name}.html on a case-insensitive file system. Give the "
                "schools ids that differ in more than case (a mapping file can recode them: "
                "docs/mapping.md).")
        names[sid] = name
    return names
