"""The command line's one error boundary.

Every ``gapwatch`` command ends with a documented exit code and a plain message, never a
traceback:

==== ===========================================================================
code meaning
==== ===========================================================================
0    done
1    done, with something to look at (rejected rows, a site refused by the audit)
2    refused: bad input or a missing prerequisite, nothing changed
70   stopped by an unexpected error (a bug in gapwatch); details in a log file
130  interrupted (Ctrl-C)
==== ===========================================================================

An unexpected error prints one sentence, the command, and where the full details were written
(an owner-only log file under ``GAPWATCH_LOG_DIR``, else ``$XDG_STATE_HOME/gapwatch/logs``, else
``~/.local/state/gapwatch/logs``). ``gapwatch --debug ...`` (or ``GAPWATCH_DEBUG=1``) lets the
traceback through instead.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from datetime import datetime
from pathlib import Path

EXIT_REFUSED = 2
EXIT_UNEXPECTED = 70  # EX_SOFTWARE in BSD's sysexits.h
EXIT_INTERRUPTED = 130


class Refusal(Exception):
    """An error the user can mend (a wrong path, a bad file, a missing step): the command line
    prints its message and exits :data:`EXIT_REFUSED`, without a traceback or a log file."""

_debug = False


def set_debug(on: bool) -> None:
    """Let unexpected errors through with their traceback (``--debug``)."""
    global _debug
    _debug = on


def debugging() -> bool:
    return _debug or bool(os.environ.get("GAPWATCH_DEBUG"))


def log_dir() -> Path:
    """Where the details of unexpected errors are written."""
    if custom := os.environ.get("GAPWATCH_LOG_DIR"):
        return Path(custom)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "gapwatch" / "logs"


def write_log(argv: list[str], err: BaseException) -> Path:
    """Write the command, versions and traceback to a new owner-only file; return its path.

    A traceback may quote values from the data (student ids), so the file is created with
    mode 600 in a folder of mode 700.
    """
    from gapwatch import __version__

    folder = log_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"gapwatch-{stamp}-{os.getpid()}.log"
    text = (f"command: {' '.join(argv)}\ngapwatch {__version__}, Python {platform.python_version()}"
            f", {platform.platform()}\ntime: {datetime.now().isoformat()}\n\n"
            + "".join(traceback.format_exception(err)))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def report_unexpected(argv: list[str], err: BaseException) -> int:
    """Print the plain message for an unexpected error; return :data:`EXIT_UNEXPECTED`."""
    command = " ".join(["gapwatch", *argv[1:]])
    what = f"{type(err).__name__}: {err}".splitlines()[0][:200]
    try:
        where = f"The details are in {write_log(argv, err)}"
    except OSError as log_err:
        where = f"The details could not be written ({log_err}); run again with --debug"
    sys.stderr.write(
        f"gapwatch stopped because of an unexpected error ({what}).\n"
        f"  command: {command}\n"
        f"  {where} (it may quote student data: share it only within your district's data "
        f"team).\n"
        f"  Run again with --debug to see the traceback. "
        f"Exit code {EXIT_UNEXPECTED}.\n")
    return EXIT_UNEXPECTED
