"""The audit log as CSV (``gapwatch audit-log`` and the administration page); files written
owner-only, as they name students and staff."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

from django.utils import timezone

from gapwatch.workspace.audit.models import AuditEvent

COLUMNS = ("id", "at", "username", "user_id", "role", "action", "object_type", "object_id",
           "student_id", "detail", "ip", "user_agent", "method", "path")


def events_since(first: date):
    start = timezone.make_aware(datetime.combine(first, time.min))
    return AuditEvent.objects.filter(at__gte=start).order_by("at", "id")


def rows(events) -> Iterator[list[str]]:
    yield list(COLUMNS)
    for e in events.iterator(chunk_size=5000):
        yield ["" if getattr(e, c) is None else
               (getattr(e, c).isoformat() if c == "at" else str(getattr(e, c)))
               for c in COLUMNS]


def write_csv(handle: IO[str], first: date) -> int:
    """Write events from ``first`` on; return how many."""
    writer = csv.writer(handle)
    count = -1
    for count, row in enumerate(rows(events_since(first))):  # noqa: B007
        writer.writerow(row)
    return count


@contextmanager
def owner_only_text(path: Path) -> Iterator[IO[str]]:
    """A text file readable and writable by its owner only, from the moment it exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        yield handle
