"""Generated sections inside hand-written docs: the text between two marker comments is
replaced by what the code generates (``gapwatch docs stages``, ``gapwatch docs models``)."""

from __future__ import annotations


def replace_section(text: str, begin: str, end: str, body: str, what: str) -> str:
    """``text`` with the lines between the ``begin`` marker line and ``end`` replaced by
    ``body``; a ValueError naming ``what`` when either marker is missing."""
    head, opened, rest = text.partition(begin + "\n")
    _, closed, tail = rest.partition(end)
    if not opened or not closed:
        raise ValueError(f"no generated {what} to replace (its markers are missing)")
    return head + opened + body + closed + tail
