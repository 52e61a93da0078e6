"""Output folders: which ones gapwatch may replace, and replacing them whole and atomically.

A command with ``--out FOLDER`` that writes a set of files (the public site, the staff exports,
the early-warning exports, a synthetic bundle) builds them in a private folder beside
``FOLDER`` and swaps it in at the end, so a reader never sees a half-written set and an
interrupted run changes nothing. Before it starts, and again just before the swap, it checks
that ``FOLDER`` may be replaced (:func:`check_replaceable`):

- a folder that does not exist, or an empty one: yes;
- a folder that holds the warehouse (the warehouse's own folder or any folder above it): never;
- a non-empty folder: only when a previous run of the same command made it, recognised by the
  marker file ``.gapwatch-<kind>`` that the run writes last, which lists every file it wrote;
  a file in the folder that the marker does not list (something the user put there) refuses the
  replacement too, naming the file.

The demo folder is not replaced whole (the demo writes named entries into it):
:func:`claim_folder` refuses a non-empty folder without the demo's marker.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

from gapwatch.files.private import (
    OWNER_FILE,
    PUBLIC_FILE,
    owner_only,
    private_folder,
    set_modes,
)

#: what each kind of folder is, for messages
KINDS = {
    "site": "public site (gapwatch report)",
    "export": "staff export (gapwatch export)",
    "early-warning": "early-warning export (gapwatch early-warning)",
    "synth": "synthetic bundle (gapwatch synth)",
    "demo": "demo folder (gapwatch demo)",
    "family-letters": "family letters folder (gapwatch family-letters)",
}
SHOWN = 5  #: foreign files named in a refusal


class FolderRefused(Exception):
    """gapwatch will not write or replace this folder; nothing was changed."""


def marker_name(kind: str) -> str:
    """``.gapwatch-<kind>``: the file that marks a folder as made by that command."""
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}")
    return f".gapwatch-{kind}"


def _relative_entries(folder: Path) -> list[str]:
    """Every file and symbolic link under ``folder`` (not following links), as posix paths."""
    out = []
    for here, dirs, files in os.walk(folder):
        rel = Path(here).relative_to(folder)
        out += [(rel / n).as_posix() for n in files]
        out += [(rel / n).as_posix() for n in dirs if os.path.islink(os.path.join(here, n))]
    return sorted(out)


def _refuse_warehouse(folder: Path, warehouse: Path | None) -> None:
    if warehouse is None:
        return
    held = warehouse.resolve()
    if folder == held or folder in held.parents:
        raise FolderRefused(
            f"{folder} holds the warehouse {held}: gapwatch never writes over a folder that "
            "holds the warehouse. Choose another output folder.")


def check_replaceable(folder: Path, kind: str, *, warehouse: Path | None = None) -> None:
    """Raise :class:`FolderRefused` unless ``folder`` may be replaced by a new ``kind``."""
    folder = Path(folder).resolve()
    name = marker_name(kind)
    _refuse_warehouse(folder, warehouse)
    if not os.path.lexists(folder):
        return
    if not folder.is_dir():
        raise FolderRefused(f"{folder} is a file, not a folder: choose a folder for the "
                            f"{KINDS[kind]}.")
    if not any(folder.iterdir()):
        return
    marker = folder / name
    if not marker.is_file():
        other = sorted(k for k in KINDS if k != kind and (folder / marker_name(k)).is_file())
        what = (f"it holds a gapwatch {KINDS[other[0]]}, not a {KINDS[kind]}" if other
                else f"it is not a previous gapwatch {KINDS[kind]} (no {name} marker in it)")
        raise FolderRefused(
            f"{folder} is not empty and {what}; replacing it would delete what it holds. "
            "Choose a new or empty folder, or move its contents away yourself.")
    try:
        listed = set(json.loads(marker.read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise FolderRefused(f"{marker} cannot be read ({err}); replacing {folder} would "
                            "delete what it holds. Choose another folder.") from None
    foreign = [p for p in _relative_entries(folder) if p != name and p not in listed]
    if foreign:
        more = f" and {len(foreign) - SHOWN} more" if len(foreign) > SHOWN else ""
        raise FolderRefused(
            f"{folder} is a previous gapwatch {KINDS[kind]} but also holds files gapwatch did "
            f"not write there: {', '.join(foreign[:SHOWN])}{more}. Move them away or choose "
            "another folder; nothing was changed.")


def _write_marker(folder: Path, kind: str, files: list[str] | None, mode: int) -> None:
    from gapwatch import __version__

    text = json.dumps({"made_by": f"gapwatch {__version__}", "kind": kind, "files": files},
                      indent=1) + "\n"
    marker = folder / marker_name(kind)
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)  # its mode from the start
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(marker, mode)  # the umask may have taken bits away from a public marker


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` at ``out``, the previous ``out`` removed only once the new one is in."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return
    old = staging.with_name(staging.name + "-previous")
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def replace_folder(out: Path, kind: str, *, public: bool,
                   warehouse: Path | None = None) -> Iterator[Path]:
    """Yield an empty private folder (0700) to build a ``kind`` in (under :func:`owner_only`
    unless ``public``); when the block succeeds, set its modes (``public``: folders 0755,
    files 0644; otherwise 0700 and 0600), write the marker
    and swap it in at ``out``. Raises :class:`FolderRefused` (before the block runs, or after
    it when ``out`` changed meanwhile) when ``out`` may not be replaced; nothing is changed
    then, nor when the block raises."""
    out = Path(out).resolve()
    check_replaceable(out, kind, warehouse=warehouse)
    staging = private_folder(out.parent, f".{out.name}-")
    try:
        with nullcontext() if public else owner_only():
            yield staging
        files = _relative_entries(staging)
        set_modes(staging, public=public)
        _write_marker(staging, kind, files, PUBLIC_FILE if public else OWNER_FILE)
        check_replaceable(out, kind, warehouse=warehouse)
        _swap(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def claim_folder(folder: Path, kind: str) -> Path:
    """Make ``folder`` (or accept it: empty, or marked as ``kind`` by an earlier run) as a
    folder that ``kind`` writes named entries into; refuse any other non-empty folder."""
    folder = Path(folder).resolve()
    name = marker_name(kind)
    if folder.is_dir() and any(folder.iterdir()) and not (folder / name).is_file():
        raise FolderRefused(
            f"{folder} is not empty and is not a previous gapwatch {KINDS[kind]} (no {name} "
            "marker in it); it could overwrite files there. Choose a new or empty folder.")
    if os.path.lexists(folder) and not folder.is_dir():
        raise FolderRefused(f"{folder} is a file, not a folder.")
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / name).is_file():
        _write_marker(folder, kind, None, PUBLIC_FILE)
    return folder
