"""Print a page to PDF with headless Chromium (Debian's ``/usr/bin/chromium``).

The flags are those this project's machines need (see the environment notes): headless, no
sandbox (root in CI), no GPU, and no background networking, so that Chromium makes no
connection of its own; a fresh profile directory for every run.

The charts are drawn by the page's script after it loads (``static/charts.js``), so the page is
printed after a virtual-time budget (:data:`PRINT_WAIT`): Chromium runs the page's timers and
promises until it is idle (or 10 s of virtual time have passed), which takes well under a
second of real time, and then prints.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
)
#: Print only when the page's scripts are done (virtual milliseconds, fast-forwarded when idle).
PRINT_WAIT = "--virtual-time-budget=10000"


def chromium_path() -> str | None:
    """``$GAPWATCH_CHROMIUM``, else ``/usr/bin/chromium``, else ``chromium`` on PATH."""
    for candidate in (os.environ.get("GAPWATCH_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def school_pdf(page: Path, pdf: Path, *, chromium: str | None = None,
               timeout: float = 120) -> Path:
    """Print the HTML file ``page`` to ``pdf`` with the page's print CSS; return ``pdf``.

    Raises ``RuntimeError`` when Chromium is missing or does not write a PDF.
    """
    exe = chromium or chromium_path()
    if exe is None:
        raise RuntimeError("Chromium not found (install Debian's chromium: "
                           "scripts/ensure-chromium.sh)")
    page, pdf = Path(page).resolve(), Path(pdf).resolve()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="gapwatch-chromium-") as profile:
        cmd = [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               PRINT_WAIT, f"--print-to-pdf={pdf}", page.as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              check=False)
    if not pdf.exists() or pdf.stat().st_size == 0 or not pdf.read_bytes()[:4] == b"%PDF":
        raise RuntimeError(f"Chromium wrote no PDF for {page} (exit {proc.returncode}): "
                           f"{proc.stderr.strip()[-500:]}")
    return pdf
