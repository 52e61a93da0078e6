"""Write a gapwatch bundle in another layout (``gapwatch synth --layout``)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

LAYOUTS = ("gapwatch", "calpads", "oneroster")


def writer(layout: str) -> Callable[[Path, Path], list[Path]]:
    """The function writing a CSV bundle's tables as ``layout`` files."""
    if layout == "calpads":
        from gapwatch.sources.calpads.writer import write_calpads

        return write_calpads
    if layout == "oneroster":
        from gapwatch.sources.oneroster.writer import write_oneroster

        return write_oneroster
    raise ValueError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")


def write_layout(make_bundle: Callable[[Path], object], out: Path, layout: str) -> list[Path]:
    """Make a CSV bundle with ``make_bundle(folder)`` in a private temporary folder, write it as
    ``layout`` and swap it in at ``out`` (replaced whole, as ``gapwatch synth`` replaces its
    folder: new, empty or an earlier synthetic bundle only); remove the temporary bundle."""
    from gapwatch.files import check_replaceable, replace_folder

    write = writer(layout)
    check_replaceable(Path(out), "synth")  # before the simulation: a refused folder costs nothing
    tmp = Path(tempfile.mkdtemp(prefix="gapwatch-layout-"))
    try:
        make_bundle(tmp / "bundle")
        with replace_folder(Path(out), "synth", public=True) as building:
            written = write(tmp / "bundle", building)
        return [Path(out).resolve() / p.relative_to(building) for p in written]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
