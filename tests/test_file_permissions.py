"""Files that hold student data are owner-only from the moment they exist, not just at the end.

Each command runs in its own process (the real command line) while this test watches its
output folder: woken by the kernel (inotify) whenever a file or folder appears or changes
mode, and listing everything under it between wake-ups, it stats each one. A file that is ever
seen with a group or other permission bit fails the test, even if it is owner-only by the time
the command ends, so writing a file with the umask's 0644 and ``chmod 600`` afterwards (a
window in which anyone could open it) is caught as well as a file left readable. The
warehouse, its temporary and write-ahead files, ``rejects.csv``, the staff exports, the
early-warning exports and ``allocate --out`` all land under the watched folder.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from gapwatch.synth import generate

try:  # Linux: woken by the kernel on each new file (inotify-simple, a dev dependency)
    from inotify_simple import INotify, flags
except ImportError:  # elsewhere: listing in a tight loop only
    INotify = None

#: looks at the folder while a command ran, at least: the watcher really was watching
MIN_SCANS = 20
#: inotify events that make the watcher look at once: a file or folder created, moved in, or
#: its permissions changed
EVENTS = flags.CREATE | flags.MOVED_TO | flags.ATTRIB if INotify is not None else 0


class Watcher:
    """Every path under ``root`` with every mode it was seen with.

    Linux tells the watcher (inotify) the moment a file or folder is created, moved in or has
    its permissions changed, and the watcher stats it at once: a file's mode is seen before its
    writer has finished writing it (and so before any ``chmod`` that follows). Between events
    it lists the whole folder again. Without inotify it only lists, in a tight loop.
    """

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.seen: dict[str, set[int]] = {}
        self.scans = 0
        self.inotify = INotify() if INotify is not None else None
        self.folders: dict[int, str] = {}
        self.watched: set[str] = set()

    def close(self) -> None:
        if self.inotify is not None:
            self.inotify.close()

    def _watch(self, folder: str) -> None:
        if self.inotify is None or folder in self.watched:
            return
        try:
            wd = self.inotify.add_watch(folder, EVENTS)
        except OSError:  # gone already (renamed or removed)
            return
        self.folders[wd] = folder
        self.watched.add(folder)

    def _see(self, path: str) -> None:
        try:
            mode = stat.S_IMODE(os.lstat(path).st_mode)
        except FileNotFoundError:  # gone between the event (or the listing) and the stat
            return
        self.seen.setdefault(os.path.relpath(path, self.root), set()).add(mode)

    def scan(self) -> None:
        """List and stat everything under the folder (and watch every folder found)."""
        for here, dirs, files in os.walk(self.root):
            self._watch(here)
            for name in (*dirs, *files):
                self._see(os.path.join(here, name))
        self.scans += 1

    def look(self) -> None:
        """Stat whatever the events since the last look name, then list the folder again."""
        if self.inotify is not None:
            for event in self.inotify.read(timeout=2):
                folder = self.folders.get(event.wd)
                if folder is None or not event.name:
                    continue
                path = os.path.join(folder, event.name)
                self._see(path)
                if event.mask & flags.ISDIR:
                    self._watch(path)
        self.scan()


def watch(args: list[str], root: Path) -> tuple[dict[str, set[int]], int, str]:
    """Run ``gapwatch ARGS`` in a new process, watching ``root`` until it ends; return every
    path seen with every mode it had, the number of listings, and the command's output."""
    watcher = Watcher(root)
    watcher.scan()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:  # a pipe could fill and block
        proc = subprocess.Popen([sys.executable, "-m", "gapwatch.cli", *args], stdout=log,
                                stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "160"})
        try:
            while proc.poll() is None:
                watcher.look()
            watcher.look()
        finally:
            watcher.close()
        log.seek(0)
        output = log.read()
    assert proc.returncode in (0, 1), output  # 1: ingest loaded with rejected rows
    return watcher.seen, watcher.scans, output


def exposed(seen: dict[str, set[int]]) -> list[str]:
    """Paths that were, at some moment, readable (or listable) by group or others."""
    return [f"{path}: seen as {', '.join(oct(m) for m in sorted(modes))}"
            for path, modes in sorted(seen.items()) if any(m & 0o077 for m in modes)]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("perm")
    generate(base / "bundle", students=600, schools=4, years=2, seed=4)
    watched = base / "out"
    watched.mkdir()
    os.chmod(watched, 0o755)  # a folder others may list, as a user's working folder is
    return watched


def test_student_files_are_never_readable_by_others_while_written(root: Path) -> None:
    db = root / "w.duckdb"
    bundle = root.parent / "bundle"
    steps = [
        ["ingest", str(bundle), "--db", str(db)],
        ["run", "--db", str(db)],
        ["export", "--db", str(db), "--out", str(root / "export")],
        ["early-warning", "--db", str(db), "--out", str(root / "ew")],
        ["allocate", "--db", str(db), "--amount", "100000", "--out", str(root / "alloc.csv")],
    ]
    everything: dict[str, set[int]] = {}
    problems: dict[str, list[str]] = {}
    for args in steps:
        start = time.perf_counter()
        seen, scans, _output = watch(args, root)
        assert scans >= MIN_SCANS, (args[0], scans, time.perf_counter() - start)
        if exposed(seen):  # every command runs, so a failure lists them all
            problems[args[0]] = exposed(seen)
        for path, modes in seen.items():
            everything.setdefault(path, set()).update(modes)
    assert not problems, problems
    # the watcher saw the files while they were being made, not only the finished ones
    assert any(p.startswith(".w.duckdb.building-") for p in everything), sorted(everything)
    for path in ("w.duckdb", "rejects.csv", "export/indicator_results.csv",
                 "ew/student_tiers.csv", "ew/student_flags.parquet", "alloc.csv"):
        assert path in everything, sorted(everything)
        assert stat.S_IMODE((root / path).stat().st_mode) == 0o600, path
    for folder in ("export", "ew"):
        assert stat.S_IMODE((root / folder).stat().st_mode) == 0o700, folder
