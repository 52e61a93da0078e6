"""Owner-only files from the moment they exist.

Two ways, used together:

- **Build in a private folder, then rename.** :func:`private_file` hands out a path inside a
  fresh folder that :func:`tempfile.mkdtemp` creates with mode 0700 beside the destination; any
  writer (DuckDB, pyarrow, the csv module) may create the file there with whatever mode it
  likes, because nobody else can reach into the folder. The file is set to 0600 while still
  inside, then renamed over the destination (same file system, so the rename is atomic and a
  reader never sees a half-written file).
- **An owner-only umask.** :func:`owner_only` sets the process umask to 077 for a block, so
  files that cannot be built elsewhere and renamed, such as the write-ahead log DuckDB keeps
  beside an open warehouse, are created 0600 (folders 0700) as well.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

OWNER_FILE = 0o600
OWNER_DIR = 0o700
PUBLIC_FILE = 0o644
PUBLIC_DIR = 0o755

_umask_lock = threading.Lock()
_umask_depth = 0
_umask_saved = 0


@contextlib.contextmanager
def owner_only() -> Iterator[None]:
    """Within the block, every file this process creates is owner-only (umask 077).

    Re-entrant; the umask in force before the outermost block is restored after it. The umask
    belongs to the whole process, so other threads' new files are owner-only too meanwhile
    (never less private than before).
    """
    global _umask_depth, _umask_saved
    with _umask_lock:
        if _umask_depth == 0:
            _umask_saved = os.umask(0o077)
            os.umask(_umask_saved | 0o077)
        _umask_depth += 1
    try:
        yield
    finally:
        with _umask_lock:
            _umask_depth -= 1
            if _umask_depth == 0:
                os.umask(_umask_saved)


_spill: Path | None = None


def spill_folder() -> Path:
    """This process's owner-only folder (0700, under the system's temporary folder, removed at
    exit) for DuckDB to spill to: DuckDB's default, ``<warehouse>.tmp`` or ``./.tmp``, would
    be created with the umask, and spilled pages are student rows."""
    global _spill
    if _spill is None or not _spill.is_dir():
        import atexit

        _spill = Path(tempfile.mkdtemp(prefix="gapwatch-spill-"))
        atexit.register(shutil.rmtree, _spill, True)
    return _spill


def private_folder(parent: Path, prefix: str) -> Path:
    """A new, empty folder (mode 0700) inside ``parent``; the caller removes it."""
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent))


@contextlib.contextmanager
def private_file(target: Path) -> Iterator[Path]:
    """Yield a path to write ``target``'s new content to; on success, make it owner-only and
    rename it over ``target``. On error ``target`` is left as it was.

    The path lies in a 0700 folder beside ``target`` (a hidden ``.NAME.building-*`` folder),
    so companions a writer puts beside it (DuckDB's ``.wal``) are private too and go with the
    folder; the block runs under :func:`owner_only` as well, so the file is 0600 from its
    first byte.
    """
    target = Path(target).absolute()
    folder = private_folder(target.parent, f".{target.name}.building-")
    try:
        building = folder / target.name
        with owner_only():
            yield building
        os.chmod(building, OWNER_FILE)
        os.replace(building, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def set_modes(root: Path, *, public: bool) -> None:
    """Set every folder and file under ``root`` (and ``root``) to the public modes (0755, 0644)
    or the owner-only ones (0700, 0600). Symbolic links are left alone."""
    file_mode, dir_mode = (PUBLIC_FILE, PUBLIC_DIR) if public else (OWNER_FILE, OWNER_DIR)
    for here, dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(here, name)
            if not os.path.islink(path):
                os.chmod(path, file_mode)
        for name in dirs:
            path = os.path.join(here, name)
            if not os.path.islink(path):
                os.chmod(path, dir_mode)
    os.chmod(root, dir_mode)
